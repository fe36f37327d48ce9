"""Item-id completion without the command tree.

A shell runs calcli on every Tab. Importing Typer, Click and Rich to answer ``calcli explain it_<TAB>``
costs more than reading a 40,000-item calendar, so the console script answers the common case here:
the word being completed starts with ``it_`` and stands where a command takes its item id (the first
argument of ``explain``, ``preview``, ``assign`` and ``item show|log|status|cancel|move``), with at
most ``--project``, ``--quiet`` or ``--debug`` before the command. Anything else — another option, another
word, another shell — returns ``None`` and the ordinary completion (Typer's, through
:mod:`calcli.cli.shells`) answers. The output is byte for byte what that path prints; a test holds
the two to it.
"""

from __future__ import annotations

import re
import shlex
import sys
from types import SimpleNamespace

from calcli import cli

ITEM_COMMANDS = {("explain",), ("preview",), ("assign",)}
ITEM_COMMANDS |= {("item", c) for c in ("show", "log", "status", "cancel", "move")}
_FLAGS = {"--quiet", "--debug"}
_SHELLS = {"complete_bash": "bash", "complete_zsh": "zsh", "complete_fish": "fish"}
_SPACE = re.compile(r"\s")


def _words(environ, shell: str) -> tuple[list[str], str] | None:
    """(the words before the one being completed, that word), as Typer's classes read them."""
    try:
        if shell == "bash":
            words = shlex.split(environ["COMP_WORDS"])
            cword = int(environ["COMP_CWORD"])
            return words[1:cword], (words[cword] if cword < len(words) else "")
        line = environ.get("_TYPER_COMPLETE_ARGS", "")
        words = shlex.split(line)[1:]
    except (KeyError, ValueError):
        return None
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _command(args: list[str]) -> tuple[tuple[str, ...], str | None] | None:
    """The command path of ``args`` and the --project given, or None when anything else is there
    (an option after the command's name, or one calcli's root does not take as a plain flag)."""
    path: list[str] = []
    project = None
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("-") and path:
            return None
        if word == "--project" and i + 1 < len(args):
            project, i = args[i + 1], i + 2
            continue
        if word.startswith("--project="):
            project = word.partition("=")[2]
        elif word.startswith("-"):
            if word not in _FLAGS:
                return None
        else:
            path.append(word)
        i += 1
    return (tuple(path), project) if tuple(path) in ITEM_COMMANDS else None


def answer(environ) -> tuple[str | None, int] | None:
    """(what to print, exit status) for an item-id completion, or None to let Typer answer. fish asks
    twice: "is-args" (exit 0 when there are candidates, 1 when not; nothing printed), then "get-args"."""
    shell = _SHELLS.get(environ.get("_CALCLI_COMPLETE", ""))
    action = environ.get("_TYPER_COMPLETE_FISH_ACTION")
    if shell is None or (shell == "fish" and action not in ("get-args", "is-args")):
        return None
    words = _words(environ, shell)
    if words is None or not words[1].startswith("it_"):
        return None
    found = _command(words[0])
    if found is None:
        return None
    items = cli.completion.complete_item(SimpleNamespace(params={"project": found[1]}, parent=None), words[1])
    if shell == "bash":
        return "\n".join(value for value, _ in items), 0
    if shell == "fish" and action == "is-args":
        return None, 0 if items else 1
    if shell == "fish":
        return ("\n".join(fish_line(v, h) for v, h in items) if items else ""), 0
    if not items:
        return "_files", 0
    return "_arguments '*: :((" + "\n".join(zsh_line(v, h) for v, h in items) + "))'", 0


def _zsh_escape(s: str) -> str:
    return s.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def zsh_line(value: str, help_: str) -> str:
    """One candidate as Typer's zsh script reads it (``"value":"help"``), without Rich."""
    return f'"{_zsh_escape(value)}":"{_zsh_escape(help_)}"' if help_ else f'"{_zsh_escape(value)}"'


def fish_line(value: str, help_: str) -> str:
    """One candidate as Typer's fish script reads it (value, a tab, the help on one line)."""
    return value + "\t" + _SPACE.sub(" ", help_) if help_ else value


def main(environ) -> int | None:
    """Print the completion when it is ours and give its exit status; None when it is Typer's."""
    got = answer(environ)
    if got is None:
        return None
    text, status = got
    if text is not None:
        sys.stdout.write(text + "\n")
    return status
