"""The command reference (docs/commands.md), generated from the command tree itself.

    python -m calcli.cli.docgen > docs/commands.md      # or: make docs

The output depends only on the commands' declarations: no terminal width, no
colour, no Rich. A test regenerates it and fails when docs/commands.md is stale,
and when a command or a parameter has no help text (:func:`missing_help`).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator

import click
from typer.utils import get_params_from_function

from calcli import cli

HEADER = """\
# Command reference

Generated from calcli's own help texts by `make docs`
(`python -m calcli.cli.docgen > docs/commands.md`); do not edit by hand.
Every command also answers `--help`. Exit codes and output formats: README.md.
"""


def root_command() -> click.Command:
    return cli.app.command()


def walk(cmd: click.Command, path: tuple[str, ...] = ("calcli",)) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every visible command, depth first, in the order ``--help`` lists them."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1])
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, (*path, name))


def param_help(cmd: click.Command, param: click.Parameter) -> str:
    """A parameter's help. typer 0.24 on click ≥ 8.2 drops arguments' help (click's Argument now
    takes ``help`` itself and typer does not pass it on), so it is read back from the declaration."""
    text = getattr(param, "help", None)
    if text:
        return inspect.cleandoc(text)
    declared = getattr(cmd.callback, "__wrapped__", None)
    if declared is None:
        return ""
    meta = get_params_from_function(declared).get(param.name or "")
    info = getattr(meta, "default", None)
    return inspect.cleandoc(getattr(info, "help", None) or "")


def command_help(cmd: click.Command) -> str:
    return inspect.cleandoc(cmd.help or "").partition("\f")[0].strip()


def _summary(cmd: click.Command) -> str:
    """The first paragraph of a command's help, on one line."""
    return " ".join(command_help(cmd).split("\n\n")[0].split()).replace("|", "\\|")


def _usage(cmd: click.Command, path: tuple[str, ...]) -> str:
    ctx = click.Context(cmd, info_name=path[-1])
    pieces = cmd.collect_usage_pieces(ctx)
    return " ".join([*path, *pieces])


def _kind(cmd: click.Command, param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag:
        return ""
    if isinstance(param.type, click.Choice):
        return "[" + "|".join(str(c) for c in param.type.choices) + "]"
    ctx = click.Context(cmd)
    if isinstance(param, click.Argument):
        return param.make_metavar(ctx)
    return param.type.name.upper()


def _default(param: click.Parameter) -> str:
    value = param.default
    if value is None or value is False or value == () or value == [] or callable(value):
        return ""
    if isinstance(param, click.Option) and param.is_flag:
        return ""
    value = getattr(value, "value", value)  # an Enum member
    return f" (default: `{value}`)"


def _row(cmd: click.Command, param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        names = f"`{param.make_metavar(click.Context(cmd))}`"
    else:
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    kind = _kind(cmd, param)
    if isinstance(param, click.Argument):
        kind = "argument" + ("" if param.required else ", optional")
    elif param.required:
        kind = f"{kind}, required" if kind else "required"
    text = " ".join(param_help(cmd, param).split()).replace("|", "\\|")
    kind = kind.replace("|", "\\|")
    default = "" if "default" in text.lower() else _default(param)
    return f"| {names} | {kind} | {text}{default} |"


def visible_params(cmd: click.Command) -> list[click.Parameter]:
    return [p for p in cmd.params if not getattr(p, "hidden", False)]


def own_params(cmd: click.Command) -> list[click.Parameter]:
    """The parameters a command declares itself (the shared ones are listed once, in their own section)."""
    return [p for p in visible_params(cmd) if not (p.name or "").startswith("common_")]


def _common_section(root: click.Command) -> str:
    """The shared options (calcli.cli.common), once: from the first data command that has them all."""
    for _path, cmd in walk(root):
        shared = [p for p in visible_params(cmd) if (p.name or "").startswith("common_")]
        if not isinstance(cmd, click.Group) and len(shared) == 6:
            rows = "\n".join(_row(cmd, p) for p in shared)
            return (
                "\n## Options every command takes\n\n"
                "Every command takes `--project` and `--quiet` after its name too. Every command that prints data "
                "(it has `--format table|tsv|csv|json|ndjson` and `--json`) also takes `-o/--output`, `--no-header`, "
                "`--limit` and `--columns` (a command that has its own flag of that name keeps its own).\n\n"
                "| parameter | kind | what it does |\n|---|---|---|\n" + rows + "\n"
            )
    return ""


def _shared_note(cmd: click.Command) -> str:
    names = [p.opts[0] for p in visible_params(cmd) if (p.name or "").startswith("common_")]
    return f"\nAlso: {', '.join(f'`{n}`' for n in names)} (see *Options every command takes*).\n" if names else ""


def render(root: click.Command | None = None) -> str:
    root = root or root_command()
    parts = [HEADER, _common_section(root)]
    for path, cmd in walk(root):
        name = " ".join(path)
        parts.append(f"\n## `{name}`\n\n```\n{_usage(cmd, path)}\n```\n")
        text = command_help(cmd)
        if text:
            parts.append("\n" + text + "\n")
        params = own_params(cmd)
        if params:
            parts.append("\n| parameter | kind | what it does |\n|---|---|---|\n")
            parts.append("\n".join(_row(cmd, p) for p in params) + "\n")
            parts.append("| `--help`, `-h` | | Show the help and exit. |\n")
        if not isinstance(cmd, click.Group):
            parts.append(_shared_note(cmd))
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd, info_name=path[-1])
            subs = [(n, cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx)]
            rows = [f"| `{n}` | {_summary(s)} |" for n, s in subs if s and not s.hidden]
            parts.append("\n| command | what it does |\n|---|---|\n" + "\n".join(rows) + "\n")
    return "".join(parts)


def missing_help(root: click.Command | None = None) -> list[str]:
    """Commands and parameters without help text, as ``calcli item show ITEM_ID``-style names."""
    out = []
    for path, cmd in walk(root or root_command()):
        name = " ".join(path)
        if not command_help(cmd):
            out.append(name)
        for p in visible_params(cmd):
            if not param_help(cmd, p):
                out.append(f"{name} {p.opts[0] if isinstance(p, click.Option) else p.human_readable_name}")
    return out


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
