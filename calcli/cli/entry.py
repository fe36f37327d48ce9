"""The console script: answers ``calcli --version`` and a shell's Tab on an item id before importing
the command tree (Typer, Rich, every command module), which is what cron wrappers, shell prompts and
shells call most often."""

from __future__ import annotations

import os
import sys

from calcli import __version__, cli


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"calcli {__version__}")
        return
    if "_CALCLI_COMPLETE" in os.environ:  # a shell's Tab: item ids are answered without the command tree
        status = cli.fastcomplete.main(os.environ)
        if status is not None:
            leave(status)
            return
    try:
        cli.app.main()
    except SystemExit as exc:
        leave(exc.code)


def leave(code: int | str | None) -> None:
    """End the process as ``sys.exit(code)`` would, without tearing down the interpreter.

    A big plan leaves ~200 MB of objects that Python's teardown frees one by one (0.1-0.2 s)
    for nothing. calcli has closed its files and its store by now and registers no exit
    handlers, so the standard streams are flushed and the process leaves with ``os._exit``."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else (0 if code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left (`calcli … | head`): as app.main treats it
            pass
    os._exit(status)
