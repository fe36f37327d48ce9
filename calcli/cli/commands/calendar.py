"""``calcli calendar new|list|show|archive|rm``: making, listing, showing and removing calendars."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from calcli import operations
from calcli.cli import options
from calcli.cli.commands.item import ITEM_COLUMNS
from calcli.cli.completion import complete_calendar, complete_platform
from calcli.cli.context import session
from calcli.cli.options import (
    AllUsersOpt,
    FormatOpt,
    JsonOpt,
    UserOpt,
    command_group,
    output_format,
    parse_platform,
)
from calcli.cli.render import emit_rows
from calcli.core import times
from calcli.core.errors import ExitStatus

calendar_app = command_group("Calendars: make, list, show, archive, remove.\n\nExample: calcli calendar list")


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")


@calendar_app.command("new")
def calendar_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name (calendars/NAME.yaml).")],
    start: Annotated[str, typer.Option(help="First day of the period (YYYY-MM-DD, today, +7d…).")],
    end: Annotated[str, typer.Option(help="Last day of the period (YYYY-MM-DD, +90d…).")],
    tz: Annotated[str | None, typer.Option("--tz", help="IANA time zone (default: the user's).")] = None,
    title: Annotated[str, typer.Option(help="A title for people.")] = "",
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", help="Limit to these platforms (repeat).", autocompletion=complete_platform),
    ] = None,
    user: UserOpt = None,
) -> None:
    """Make an empty calendar.

    Example: calcli calendar new Q4 --start 2026-10-01 --end 2026-12-31 --title "Q4 2026"
    """
    e, sess = session(ctx, user)
    with sess as s:
        cal = operations.calendars.new_calendar(
            s,
            name,
            options.parse_day(start, "--start"),
            options.parse_day(end, "--end"),
            tz,
            title,
            [parse_platform(p) for p in platform or []],
        )
    e.messages.info(f"Made calendars/{cal.name}.yaml ({cal.period_start}..{cal.period_end}, {cal.timezone}).")


@calendar_app.command("list")
def calendar_list(
    ctx: typer.Context,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List calendars with their period and item counts.

    Example: calcli calendar list --format json
    """
    _, sess = session(ctx, user)
    with sess as s:
        rows = operations.calendars.list_calendars(s, all_users)
    columns = ["name", "user", "title", "timezone", "start", "end", "status", "items", "posted"]
    emit_rows(rows, columns, output_format(fmt, as_json))


@calendar_app.command("show")
def calendar_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name.", autocompletion=complete_calendar)],
    since: options.SinceOpt = None,
    until: options.UntilOpt = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a calendar's items in time order (--since/--until: only those days, in the calendar's zone).

    Example: calcli calendar show Q3 --since today --until +7d
    """
    _, sess = session(ctx, user)
    with sess as s:
        target = operations.editing.open_calendar(s.store, s.project, name, None if all_users else s.user)
        items = sorted(target.items, key=lambda i: (i.scheduled_at.timestamp(), i.platform.value))
    cal = target.calendar
    tz = times.zone(cal.timezone)
    first, last = options.day_range(since, until, tz)
    items = [
        i
        for i in items
        if (first is None or i.scheduled_at.astimezone(tz).date() >= first)
        and (last is None or i.scheduled_at.astimezone(tz).date() <= last)
    ]
    emit_rows(
        [operations.acting.item_row(i) for i in items],
        ITEM_COLUMNS,
        output_format(fmt, as_json),
        title=f"{cal.name}: {cal.title or ''} {cal.period_start}..{cal.period_end} ({cal.timezone}, {cal.status})",
    )


@calendar_app.command("archive")
def calendar_archive(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name.", autocompletion=complete_calendar)],
    user: UserOpt = None,
) -> None:
    """Mark a calendar archived (the planner no longer plans into it).

    Example: calcli calendar archive Q2
    """
    e, sess = session(ctx, user)
    with sess as s:
        operations.calendars.archive_calendar(s, name)
    e.messages.info(f"Archived calendar {name}.")


@calendar_app.command("rm")
def calendar_rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name.", autocompletion=complete_calendar)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Remove even when it has posted items.")] = False,
    user: UserOpt = None,
) -> None:
    """Remove a calendar file and its items (their history stays in the store).

    A calendar with posted items needs --yes (or a confirmation on a terminal).

    Example: calcli calendar rm scratch --yes
    """
    e, sess = session(ctx, user)
    with sess as s:
        posted = operations.calendars.posted_count(s, name)
        if posted and not yes:
            _confirm_removal(e, name, posted)
        operations.calendars.remove_calendar(s, name)
    e.messages.info(f"Removed calendar {name}.")


def _confirm_removal(e, name: str, posted: int) -> None:
    """Go on only when a person at a terminal says so; a script must pass --yes (exit 2 otherwise)."""
    if not sys.stdin.isatty():
        e.messages.error(
            f"calendar {name} has {posted} posted item(s); nothing removed. Pass --yes to remove it anyway."
        )
        raise typer.Exit(int(ExitStatus.USAGE))
    if not typer.confirm(f"Calendar {name} has {posted} posted item(s). Remove it?", default=False):
        raise typer.Exit(int(ExitStatus.USAGE))
