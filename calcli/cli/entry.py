"""The console script: answers ``calcli --version`` before importing the command tree (Typer, Rich,
every command module), which is what cron wrappers and shell prompts call most often."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from calcli import __version__

        print(f"calcli {__version__}")
        return
    from calcli.cli.app import main as app_main

    app_main()
