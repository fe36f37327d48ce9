"""Options shared by every command, defined once so a flag means the same everywhere."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class OutputFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    ndjson = "ndjson"


FormatOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, tsv, csv, json, ndjson (default: a table on a terminal, TSV when piped).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
ProjectOpt = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        help="The project folder (default: found above the current folder; or CALCLI_PROJECT).",
        envvar="CALCLI_PROJECT",
        show_envvar=False,
    ),
]
UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="Act as this user (default: the project's user).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")]
CalendarOpt = Annotated[str | None, typer.Option("--calendar", "-c", help="The calendar name (calendars/NAME.yaml).")]
AllUsersOpt = Annotated[bool, typer.Option("--all-users", help="Show every user's records, not only yours.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def chosen_format(fmt: OutputFormat | None, as_json: bool) -> str | None:
    if as_json:
        return "json"
    return fmt.value if fmt else None
