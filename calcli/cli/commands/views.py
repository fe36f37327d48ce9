"""Calendar views: ``agenda``, ``week``, ``month``.

On a terminal they draw tables and grids coloured by platform and status; piped
(or with ``--format tsv|csv|json|ndjson``) they print rows. The rows and grids
come from :mod:`calcli.operations.views`; the grids are drawn by :mod:`calcli.cli.grids`.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from calcli import cli, operations
from calcli.cli.completion import complete_calendar, complete_platform, complete_status
from calcli.cli.context import env, session
from calcli.cli.options import (
    AllUsersOpt,
    FormatOpt,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    UserOpt,
    day_range,
    output_format,
    parse_date,
    parse_platform,
)
from calcli.cli.render import emit_rows
from calcli.core import times
from calcli.core.model import ScheduleStatus

CalendarsOpt = Annotated[
    list[str] | None,
    typer.Option("--calendar", "-c", help="Only this calendar (repeat for more).", autocompletion=complete_calendar),
]
PlatformsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        help="Only this platform (repeat, or comma-separated: youtube,tiktok).",
        autocompletion=complete_platform,
    ),
]
StatusesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="Only this status: planned, scheduled, posted, failed, canceled (repeat).",
        autocompletion=complete_status,
    ),
]


def register(app: typer.Typer) -> None:
    app.command("agenda")(agenda)
    app.command("week")(week)
    app.command("month")(month)


# ---------------------------------------------------------------- parsing


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _platforms(values: list[str] | None) -> list:
    out = []
    for v in _split(values):
        out.append(parse_platform(v))
    return out


def _statuses(values: list[str] | None) -> list:
    out = []
    for v in _split(values):
        try:
            out.append(ScheduleStatus(v.lower()))
        except ValueError:
            known = ", ".join(s.value for s in ScheduleStatus)
            raise typer.BadParameter(f"unknown status {v!r} (known: {known})", param_hint="--status") from None
    return out


def _session(ctx: typer.Context, user: str | None):
    """A session on the run's project (the views need nothing else of the Env)."""
    return session(ctx, user)[1]


def _filters(s, calendar, plats, stats, all_users: bool, since: str | None, until: str | None):
    """The view's filters, with --since/--until as days relative to today in the view's zone."""
    filters = operations.views.resolve_filters(s, calendar, plats, stats, all_users)
    if since is None and until is None:
        return filters
    first, last = day_range(since, until, times.zone(operations.views.view_zone(s, filters)))
    return dataclasses.replace(filters, first=first, last=last)


def _row_columns(all_users: bool, out: str) -> list[str]:
    if out != "table":
        return operations.views.ITEM_COLUMNS + operations.views.ITEM_EXTRA_COLUMNS
    return operations.views.ITEM_COLUMNS + (["user"] if all_users else [])


# ---------------------------------------------------------------- commands


def agenda(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option(
            "--days", "-d", min=0, max=36500, help="How many days, today included (7: today and the next six)."
        ),
    ] = 7,
    calendar: CalendarsOpt = None,
    platform: PlatformsOpt = None,
    status: StatusesOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What is coming: the items from now to the end of the N-th day (today is the first),
    grouped by day, in time order.

    Times are the wall clock of each item's calendar. --since starts at the beginning of
    that day instead of now (--days then counts from it); --until ends with that day.

    Example: calcli agenda --days 14 --platform youtube; calcli agenda --since tomorrow --until +7d
    """
    plats, stats, out = _platforms(platform), _statuses(status), output_format(fmt, as_json)
    with _session(ctx, user) as s:
        filters = _filters(s, calendar, plats, stats, all_users, since, until)
        view = operations.views.agenda(s, days, filters)
    columns = _row_columns(all_users, out)
    if not view.rows:
        env(ctx).messages.info(_nothing_until(view))
    if out != "table":
        emit_rows(view.rows, columns, out)
        return
    title = f"Agenda {view.start:%Y-%m-%d %H:%M} → {view.end:%Y-%m-%d %H:%M} ({len(view.rows)} items)"
    emit_rows(operations.views.agenda_display(view), columns, out, title=title)
    _legend(view.blackouts)


def _nothing_until(view) -> str:
    """What an empty agenda says: when the next item is, or that there is none."""
    head = f"Nothing from {view.start:%Y-%m-%d %H:%M} to {view.end:%Y-%m-%d %H:%M}"
    nxt = view.next_item
    if nxt is None:
        return head + "; nothing is planned after that either."
    day = operations.views.day_label(nxt.scheduled_at.date())
    what = f"{nxt.platform.value} {nxt.format}" + (f": {nxt.title}" if nxt.title else "")
    return f"{head}; the next item is {nxt.id} on {day} {nxt.scheduled_at:%H:%M} ({what}, calendar {nxt.calendar})."


def _legend(marks) -> None:
    """The blackouts a table view marks, one line each, under it."""
    lines = operations.view_blackouts.legend(marks, len({m.calendar for m in marks}) > 1)
    if lines:
        print("\n".join(lines))


def week(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(metavar="[DATE]", help="Any day of the week (YYYY-MM-DD; default: today).")
    ] = None,
    calendar: CalendarsOpt = None,
    platform: PlatformsOpt = None,
    status: StatusesOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One ISO week (Monday to Sunday) as a grid, one column per day; with --format tsv, csv, json or
    ndjson, the week's items as rows. --since/--until keep the items of those days (and without
    DATE, the week is --since's).

    Example: calcli week 2026-07-01; calcli week --since +7d
    """
    when = parse_date(day, "DATE")
    plats, stats, out = _platforms(platform), _statuses(status), output_format(fmt, as_json)
    with _session(ctx, user) as s:
        filters = _filters(s, calendar, plats, stats, all_users, since, until)
        grid = operations.views.week(s, when, filters)
    if out != "table":
        emit_rows([operations.views.item_view_row(i) for i in grid.items], _row_columns(all_users, out), out)
        return
    cli.grids.draw_week(grid)
    _legend(grid.blackouts)


def month(
    ctx: typer.Context,
    which: Annotated[
        str | None, typer.Argument(metavar="[MONTH]", help="The month (YYYY-MM; default: this month).")
    ] = None,
    calendar: CalendarsOpt = None,
    platform: PlatformsOpt = None,
    status: StatusesOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A month like `cal` (Monday first), each day with its number of posts per platform
    (yt youtube, tt tiktok, ig instagram, x, li linkedin, fb facebook); with --format tsv, csv,
    json or ndjson, one row per day, platform and status with its count. --since/--until count
    the items of those days only (and without MONTH, the month is --since's).

    Example: calcli month 2026-07 --calendar Q3
    """
    try:
        year_month = operations.views.parse_month(which) if which is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="MONTH") from None
    plats, stats, out = _platforms(platform), _statuses(status), output_format(fmt, as_json)
    with _session(ctx, user) as s:
        filters = _filters(s, calendar, plats, stats, all_users, since, until)
        grid, rows = operations.views.month(s, year_month, filters)
    if out != "table":
        emit_rows(rows, operations.views.MONTH_COLUMNS, out)
        return
    cli.grids.draw_month(grid)
    _legend(grid.blackouts)
