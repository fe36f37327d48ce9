"""Options shared by every command, defined once so a flag means the same everywhere."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import typer

from calcli.cli import completion, render
from calcli.core import times
from calcli.core.model import PLATFORM_IDS, Platform


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
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="Act as this user (default: $CALCLI_USER, else the project's user).",
        autocompletion=completion.complete_user,
        envvar="CALCLI_USER",
        show_envvar=False,
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")]
CalendarOpt = Annotated[
    str | None,
    typer.Option(
        "--calendar", "-c", help="The calendar name (calendars/NAME.yaml).", autocompletion=completion.complete_calendar
    ),
]
AllUsersOpt = Annotated[bool, typer.Option("--all-users", help="Show every user's records, not only yours.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def chosen_format(fmt: OutputFormat | None, as_json: bool) -> str | None:
    if as_json:
        return "json"
    return fmt.value if fmt else None


def output_format(fmt: OutputFormat | None, as_json: bool) -> str:
    """The output format --format/--json choose, else a table on a terminal and TSV when piped."""
    return render.resolve_format(chosen_format(fmt, as_json))


def parse_date(value: str | None, flag: str) -> date | None:
    """A YYYY-MM-DD option or argument; a bad one is a usage error naming ``flag``."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=flag) from None


def parse_platform(value: str, flag: str = "--platform"):
    """A platform id (``twitter`` = x); an unknown one is a usage error naming ``flag``."""
    try:
        return Platform.parse(value)
    except ValueError:
        raise typer.BadParameter(
            f"unknown platform {value!r} (known: {', '.join(PLATFORM_IDS)})", param_hint=flag
        ) from None


def command_group(help: str) -> typer.Typer:
    """A command with subcommands (``calcli item …``): its help when run bare; for a mistyped
    subcommand click names the close ones (typer's own suggestion would say it a second time)."""
    return typer.Typer(help=help, no_args_is_help=True, suggest_commands=False)


# ---------------------------------------------------------------- periods (issue 18)

DAY_FORMS = "today, tomorrow, yesterday, +7d, -3d, +2w or YYYY-MM-DD"
SinceOpt = Annotated[str | None, typer.Option("--since", help=f"From this day on ({DAY_FORMS}).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help=f"Up to this day, included ({DAY_FORMS}).")]


def parse_day(value: str | None, flag: str, tz=None) -> date | None:
    """A day as khal/gcalcli users write one (``today``, ``+7d``, ``2027-03-01``), relative to today in
    ``tz`` (UTC when None); a bad one is a usage error naming ``flag``."""
    if value is None:
        return None
    try:
        return times.parse_day(value, times.now(tz).date())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag) from None


def day_range(since: str | None, until: str | None, tz=None) -> tuple[date | None, date | None]:
    """``--since`` and ``--until`` as days; ``--until`` before ``--since`` is a usage error."""
    first, last = parse_day(since, "--since", tz), parse_day(until, "--until", tz)
    if first and last and last < first:
        raise typer.BadParameter(f"{until} is before --since {since}", param_hint="--until")
    return first, last
