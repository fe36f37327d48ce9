"""``calcli init`` and ``calcli check``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from calcli import files, operations
from calcli.cli import render
from calcli.cli.context import env, find_project
from calcli.cli.options import JsonOpt, chosen_format
from calcli.cli.render import emit_json, emit_rows
from calcli.core.errors import ExitStatus


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)


def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Where to make the project (default: here).")] = Path("."),
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", help="The default user id (default: $CALCLI_USER, the user config's, else me)."),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="The default IANA time zone (default: the user config's, else UTC).")
    ] = None,
) -> None:
    """Make a calcli project: calcli.toml, calendars/, preferences.yaml, .gitignore.

    Refuses to touch a folder that already has a calcli.toml.

    Example: calcli init my-channel --user user_123 --tz America/New_York
    """
    user = user or files.userconfig.default_user() or "me"
    tz = tz or files.userconfig.default_timezone() or "UTC"
    project = files.project.init_project(folder, user, tz)
    env(ctx).messages.info(f"Made a calcli project in {project.root} (user {user}, zone {tz}).")


class CheckFormat(str, Enum):
    text = "text"
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    ndjson = "ndjson"


CheckFormatOpt = Annotated[
    CheckFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text (FILE:LINE:COLUMN: message lines on stderr, for hooks and CI), table, tsv, csv,"
        " json, ndjson (default: text on a terminal, TSV when piped).",
    ),
]


def _check_format(fmt: CheckFormat | None, as_json: bool) -> str:
    """--format/--json, else the configured default, else text on a terminal and TSV when piped."""
    chosen = chosen_format(fmt, as_json)
    if chosen is None and not render.shaping.default_format and render.is_terminal(sys.stdout):
        return "text"
    return render.resolve_format(chosen)


def check(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Extra files to check too (bulk.json, calendars).")] = None,
    fmt: CheckFormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate every project file: calcli.toml, preferences, timing data, calendars.

    Prints each problem as FILE:LINE:COLUMN: message and exits 3 when there is
    any; exits 0 when everything is valid. Made for git pre-commit hooks and CI.
    On a terminal the problems are FILE:LINE lines; piped, a TSV table (path,
    line, column, message) on stdout; hooks say --format text to keep the lines.

    Example: calcli check --format text && git commit
    """
    e = env(ctx)
    findings, count = operations.check.check_project(find_project(e), files)  # files: the FILES argument
    out = _check_format(fmt, as_json)
    if out == "json":
        emit_json(
            {
                "files": count,
                "ok": not findings,
                "findings": [
                    {"path": f.path, "line": f.line, "column": f.column, "message": f.message} for f in findings
                ],
            }
        )
    elif out != "text":
        emit_rows([vars(f) for f in findings], ["path", "line", "column", "message"], out)
    else:
        for f in findings:
            print(str(f), file=sys.stderr)
    if findings:
        e.messages.info(f"{len(findings)} problem(s) in {count} file(s).")
        raise typer.Exit(int(ExitStatus.INVALID))
    e.messages.info(f"{count} file(s) checked, all valid.")
