"""Day-to-day commands: ``calendar``, ``item``, ``blackout``, ``assign``, ``assignments``, ``approve``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from calcli.cli.completion import complete_calendar, complete_format, complete_item, complete_platform, complete_status
from calcli.cli.options import (
    AllUsersOpt,
    FormatOpt,
    JsonOpt,
    UserOpt,
    chosen_format,
    command_group,
    parse_date,
    parse_platform,
)

calendar_app = command_group("Calendars: make, list, show, archive, remove.\n\nExample: calcli calendar list")
item_app = command_group(
    "Items: add, move, cancel, change status, show, history.\n\nExample: calcli item show it_3f9a0c1d2e"
)
blackout_app = command_group(
    "Blackouts (no posts inside them): add, list, remove.\n\n"
    "Example: calcli blackout add --calendar Q3 --start 2026-12-24 --end 2026-12-26 --yearly"
)

ITEM_COLUMNS = ["id", "calendar", "video_job_id", "platform", "format", "scheduled_at", "status", "assignee", "title"]


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
    app.add_typer(item_app, name="item")
    app.add_typer(blackout_app, name="blackout")
    app.command("assign")(assign)
    app.command("assignments")(assignments)
    app.command("approve")(approve)


def _ctx(ctx: typer.Context, user: str | None):
    from calcli.cli.context import env
    from calcli.files.project import find_project
    from calcli.operations.session import session

    e = env(ctx)
    return e, session(find_project(e.project), user)


def _rows(rows: list[dict], columns: list[str], fmt, as_json: bool, title: str | None = None) -> None:
    from calcli.cli.render import emit_rows, resolve_format

    emit_rows(rows, columns, resolve_format(chosen_format(fmt, as_json)), title=title)


# ---------------------------------------------------------------- calendar


@calendar_app.command("new")
def calendar_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name (calendars/NAME.yaml).")],
    start: Annotated[str, typer.Option(help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day of the period (YYYY-MM-DD).")],
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
    e, sess = _ctx(ctx, user)
    from calcli.operations.calendars import new_calendar

    with sess as s:
        cal = new_calendar(
            s,
            name,
            parse_date(start, "--start"),
            parse_date(end, "--end"),
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
    _, sess = _ctx(ctx, user)
    from calcli.operations.calendars import list_calendars

    with sess as s:
        rows = list_calendars(s, all_users)
    _rows(rows, ["name", "user", "title", "timezone", "start", "end", "status", "items", "posted"], fmt, as_json)


@calendar_app.command("show")
def calendar_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The calendar name.", autocompletion=complete_calendar)],
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a calendar's items in time order.

    Example: calcli calendar show Q3
    """
    _, sess = _ctx(ctx, user)
    from calcli.operations.acting import item_row
    from calcli.operations.editing import open_calendar

    with sess as s:
        target = open_calendar(s.store, s.project, name, None if all_users else s.user)
        items = sorted(target.items, key=lambda i: (i.scheduled_at.timestamp(), i.platform.value))
    cal = target.calendar
    _rows(
        [item_row(i) for i in items],
        ITEM_COLUMNS,
        fmt,
        as_json,
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
    e, sess = _ctx(ctx, user)
    from calcli.operations.calendars import archive_calendar

    with sess as s:
        archive_calendar(s, name)
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
    e, sess = _ctx(ctx, user)
    from calcli.core.errors import ExitStatus
    from calcli.operations.calendars import posted_count, remove_calendar

    with sess as s:
        posted = posted_count(s, name)
        if posted and not yes:
            if not sys.stdin.isatty():
                e.messages.error(
                    f"calendar {name} has {posted} posted item(s); nothing removed. Pass --yes to remove it anyway."
                )
                raise typer.Exit(int(ExitStatus.USAGE))
            if not typer.confirm(f"Calendar {name} has {posted} posted item(s). Remove it?", default=False):
                raise typer.Exit(int(ExitStatus.USAGE))
        remove_calendar(s, name)
    e.messages.info(f"Removed calendar {name}.")


# ---------------------------------------------------------------- items


@item_app.command("show")
def item_show(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one item, with its dispatch attempts.

    Example: calcli item show it_3f9a0c1d2e
    """
    _, sess = _ctx(ctx, user)
    from calcli.cli.render import emit_json, emit_rows, resolve_format
    from calcli.operations.acting import item_row
    from calcli.operations.lookup import find_item

    with sess as s:
        item = find_item(s, item_id, all_users)
        attempts = [
            dict(
                zip(
                    ["attempt", "run", "claimed_at", "finished_at", "outcome", "post", "error", "exit_code"],
                    a[1:],
                    strict=True,
                )
            )
            for a in s.store.attempts([item.id])
        ]
    row = item_row(item) | {
        "key": item.idempotency_key,
        "score": item.score,
        "notes": item.notes,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
    out = resolve_format(chosen_format(fmt, as_json))
    if out == "json":
        emit_json({"item": row, "attempts": attempts})
        return
    emit_rows([{"field": k, "value": v} for k, v in row.items()], ["field", "value"], out, title=item.id)
    if attempts:
        emit_rows(
            attempts,
            ["attempt", "outcome", "claimed_at", "finished_at", "post", "error"],
            out,
            title="Dispatch attempts",
        )


@item_app.command("log")
def item_log(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an item's audit history: who changed what, when (old → new).

    Example: calcli item log it_3f9a0c1d2e
    """
    _, sess = _ctx(ctx, user)
    from calcli.operations.items import item_log as log

    with sess as s:
        shown, rows = log(s, item_id, all_users)
    _rows(rows, ["at", "actor", "action", "field", "old", "new"], fmt, as_json, title=f"History of {shown}")


@item_app.command("status")
def item_status(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    status: Annotated[
        str, typer.Argument(help="scheduled, posted, failed or canceled.", autocompletion=complete_status)
    ],
    note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    post: Annotated[str | None, typer.Option("--post", help="The post's URL or id.")] = None,
    user: UserOpt = None,
) -> None:
    """Change an item's status along the lifecycle (planned → scheduled → posted / failed / canceled;
    failed → scheduled to retry). Also how you confirm an unconfirmed dispatch.

    Example: calcli item status it_3f9a0c1d2e posted --post https://youtu.be/abc
    """
    e, sess = _ctx(ctx, user)
    from calcli.core.model import ScheduleStatus
    from calcli.operations.items import set_status

    try:
        new = ScheduleStatus(status.lower())
    except ValueError:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(s.value for s in ScheduleStatus)}") from None
    with sess as s:
        item = set_status(s, item_id, new, note, post)
    e.messages.info(f"{item.id}: {item.status.value}.")


@item_app.command("cancel")
def item_cancel(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    user: UserOpt = None,
) -> None:
    """Cancel an item (it stays in the file with status canceled).

    Example: calcli item cancel it_3f9a0c1d2e --note "video pulled"
    """
    e, sess = _ctx(ctx, user)
    from calcli.core.model import ScheduleStatus
    from calcli.operations.items import set_status

    with sess as s:
        set_status(s, item_id, ScheduleStatus.CANCELED, note)
    e.messages.info(f"{item_id}: canceled.")


@item_app.command("move")
def item_move(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    to: Annotated[
        str, typer.Option("--to", help="New time: 2026-07-08T16:00 (the calendar's zone) or with an offset.")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Move even past a hard constraint; records a manual override.")
    ] = False,
    reason: Annotated[str, typer.Option(help="Why (kept with the override).")] = "",
    user: UserOpt = None,
) -> None:
    """Move an item; a slot that breaks a hard constraint (window, blackout, caps, spacing,
    stagger, period) is refused unless --force.

    Example: calcli item move it_3f9a0c1d2e --to "2026-07-09 15:30"
    """
    e, sess = _ctx(ctx, user)
    from calcli.operations.items import move_item

    with sess as s:
        item, broken = move_item(s, item_id, to, force, reason)
    if broken:
        e.messages.warn(f"manual override recorded: {'; '.join(broken)}")
    e.messages.info(f"{item.id}: moved to {item.scheduled_at.isoformat()}.")


@item_app.command("add")
def item_add(
    ctx: typer.Context,
    calendar: Annotated[str, typer.Option("--calendar", "-c", help="The calendar.", autocompletion=complete_calendar)],
    video: Annotated[str, typer.Option("--video", help="The video id.")],
    platform: Annotated[str, typer.Option("--platform", help="The platform.", autocompletion=complete_platform)],
    at: Annotated[
        str | None, typer.Option("--at", help="The time (default: the slot the planner would choose).")
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option("--post-format", help="The platform format (short, reel, …).", autocompletion=complete_format),
    ] = None,
    title: Annotated[str, typer.Option(help="The title.")] = "",
    force: Annotated[bool, typer.Option("--force", help="Add even past a hard constraint.")] = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add one post by hand.

    Example: calcli item add -c Q3 --video vj_009 --platform tiktok --title "Extra"
    """
    _, sess = _ctx(ctx, user)
    from calcli.operations.acting import item_row
    from calcli.operations.items import add_item

    with sess as s:
        item = add_item(s, calendar, video, parse_platform(platform), at, format_, title, force)
    _rows([item_row(item)], ITEM_COLUMNS, fmt, as_json)


# ---------------------------------------------------------------- assignments and approval


def assign(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="The item id.", autocompletion=complete_item)],
    to: Annotated[str | None, typer.Option("--to", help="The worker who posts it.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the assignment.")] = False,
    user: UserOpt = None,
) -> None:
    """Assign an item to a worker (or --clear it).

    Example: calcli assign it_3f9a0c1d2e --to sam
    """
    e, sess = _ctx(ctx, user)
    from calcli.operations.items import assign as do_assign

    if not clear and not to:
        raise typer.BadParameter("give --to WORKER or --clear")
    with sess as s:
        item = do_assign(s, item_id, None if clear else to)
    e.messages.info(f"{item.id}: " + (f"assigned to {item.assignee}." if item.assignee else "unassigned."))


def assignments(
    ctx: typer.Context,
    worker: Annotated[str | None, typer.Option("--worker", help="Only this worker.")] = None,
    due_within: Annotated[
        str | None, typer.Option("--due-within", help="Only items due within this long, e.g. 7d.")
    ] = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The worker-facing list: assigned items still to post, soonest first.

    Example: calcli assignments --worker sam --due-within 7d
    """
    _, sess = _ctx(ctx, user)
    from calcli.operations.items import assignments as list_assignments

    with sess as s:
        rows = list_assignments(s, worker, due_within, all_users)
    _rows(rows, ["assignee", *[c for c in ITEM_COLUMNS if c != "assignee"]], fmt, as_json)


def approve(
    ctx: typer.Context,
    calendar: Annotated[
        str | None, typer.Option("--calendar", "-c", help="Only this calendar.", autocompletion=complete_calendar)
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only items up to this day (YYYY-MM-DD).")] = None,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve planned items: planned → scheduled, so that dispatch will post them.

    Example: calcli approve --calendar Q3 --until 2026-07-31
    """
    e, sess = _ctx(ctx, user)
    from calcli.operations.acting import item_row
    from calcli.operations.items import approve as do_approve

    with sess as s:
        items = do_approve(s, calendar, parse_date(until, "--until"))
    _rows([item_row(i) | {"status": "scheduled"} for i in items], ITEM_COLUMNS, fmt, as_json)
    e.messages.info(f"Approved {len(items)} item(s).")


# ---------------------------------------------------------------- blackouts


@blackout_app.command("add")
def blackout_add(
    ctx: typer.Context,
    calendar: Annotated[str, typer.Option("--calendar", "-c", help="The calendar.", autocompletion=complete_calendar)],
    start: Annotated[str, typer.Option(help="A date (2026-12-24) or local time (2026-12-24T09:00).")],
    end: Annotated[
        str | None, typer.Option(help="Last day (dates, included) or end time (excluded); default: start.")
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", help="Only these platforms (repeat).", autocompletion=complete_platform),
    ] = None,
    yearly: Annotated[bool, typer.Option("--yearly", help="Repeat every year (holidays).")] = False,
    reason: Annotated[str, typer.Option(help="Why.")] = "",
    bid: Annotated[str | None, typer.Option("--id", help="An id (default: made from the start).")] = None,
    reschedule: Annotated[
        bool, typer.Option("--reschedule", help="Move the items it covers to the next legal slots.")
    ] = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a blackout; lists the planned items it covers and, with --reschedule, moves them.

    Example: calcli blackout add -c Q3 --start 2026-12-24 --end 2026-12-26 --yearly --reason Holidays --reschedule
    """
    e, sess = _ctx(ctx, user)
    from calcli.operations.acting import item_row
    from calcli.operations.blackouts import add_blackout

    with sess as s:
        exc, hit, moved, stuck = add_blackout(
            s, calendar, start, end, [parse_platform(p) for p in platform or []], yearly, reason, bid, reschedule
        )
    rows = []
    for item in hit:
        row = item_row(item)
        row["moved_to"] = moved[item.id].scheduled_at if item.id in moved else None
        rows.append(row)
    _rows(
        rows,
        ["id", "video_job_id", "platform", "scheduled_at", "status", "moved_to"],
        fmt,
        as_json,
        title=f"Items inside blackout {exc.id}",
    )
    e.messages.info(
        f"Added blackout {exc.id} to {calendar}: {len(hit)} item(s) inside it"
        + (
            f", {len(moved)} moved, {len(stuck)} with no legal slot left"
            if reschedule
            else ("; rerun with --reschedule to move them" if hit else "")
        )
        + "."
    )


@blackout_app.command("list")
def blackout_list(
    ctx: typer.Context,
    calendar: Annotated[
        str | None, typer.Option("--calendar", "-c", help="Only this calendar.", autocompletion=complete_calendar)
    ] = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List blackouts and manual overrides.

    Example: calcli blackout list --calendar Q3
    """
    _, sess = _ctx(ctx, user)
    from calcli.operations.blackouts import list_blackouts

    with sess as s:
        rows = list_blackouts(s, calendar, all_users)
    _rows(rows, ["calendar", "id", "kind", "start", "end", "platforms", "yearly", "reason", "item"], fmt, as_json)


@blackout_app.command("rm")
def blackout_rm(
    ctx: typer.Context,
    bid: Annotated[str, typer.Argument(help="The blackout id.")],
    calendar: Annotated[str, typer.Option("--calendar", "-c", help="The calendar.", autocompletion=complete_calendar)],
    user: UserOpt = None,
) -> None:
    """Remove a blackout.

    Example: calcli blackout rm july4 --calendar Q3
    """
    e, sess = _ctx(ctx, user)
    from calcli.operations.blackouts import remove_blackout

    with sess as s:
        remove_blackout(s, calendar, bid)
    e.messages.info(f"Removed blackout {bid} from {calendar}.")
