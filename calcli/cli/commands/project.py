"""``calcli init`` and ``calcli check``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from calcli import files, operations
from calcli.cli.context import env, find_project
from calcli.cli.options import FormatOpt, JsonOpt, chosen_format
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


def check(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Extra files to check too (bulk.json, calendars).")] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate every project file: calcli.toml, preferences, timing data, calendars.

    Prints each problem as FILE:LINE:COLUMN: message and exits 3 when there is
    any; exits 0 when everything is valid. Made for git pre-commit hooks and CI.

    Example: calcli check && git commit
    """
    e = env(ctx)
    findings, count = operations.check.check_project(find_project(e), files)  # files: the FILES argument
    out = chosen_format(fmt, as_json)
    if out in ("json",):
        emit_json(
            {
                "files": count,
                "ok": not findings,
                "findings": [
                    {"path": f.path, "line": f.line, "column": f.column, "message": f.message} for f in findings
                ],
            }
        )
    elif out in ("tsv", "csv", "ndjson", "table"):
        emit_rows([vars(f) for f in findings], ["path", "line", "column", "message"], out)
    else:
        for f in findings:
            print(str(f), file=sys.stderr)
    if findings:
        e.messages.info(f"{len(findings)} problem(s) in {count} file(s).")
        raise typer.Exit(int(ExitStatus.INVALID))
    e.messages.info(f"{count} file(s) checked, all valid.")
