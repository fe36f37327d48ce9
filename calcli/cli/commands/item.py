"""``calcli item show|log|status|cancel|move|add``: one post of a calendar, by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import operations
from calcli.cli.completion import complete_calendar, complete_format, complete_item, complete_platform, complete_status
from calcli.cli.context import session
from calcli.cli.options import AllUsersOpt, FormatOpt, JsonOpt, UserOpt, command_group, output_format, parse_platform
from calcli.cli.render import emit_json, emit_rows
from calcli.core.model import ScheduleStatus

item_app = command_group(
    "Items: add, move, cancel, change status, show, history.\n\nExample: calcli item show it_3f9a0c1d2e"
)

ITEM_COLUMNS = ["id", "calendar", "video_job_id", "platform", "format", "scheduled_at", "status", "assignee", "title"]
ATTEMPT_FIELDS = ["attempt", "run", "claimed_at", "finished_at", "outcome", "post", "error", "exit_code"]


def register(app: typer.Typer) -> None:
    app.add_typer(item_app, name="item")


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
    _, sess = session(ctx, user)
    with sess as s:
        item = operations.lookup.find_item(s, item_id, all_users)
        attempts = [dict(zip(ATTEMPT_FIELDS, a[1:], strict=True)) for a in s.store.attempts([item.id])]
    row = operations.acting.item_row(item) | {
        "key": item.idempotency_key,
        "score": item.score,
        "notes": item.notes,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
    _emit_item(item.id, row, attempts, output_format(fmt, as_json))


def _emit_item(item_id: str, row: dict, attempts: list[dict], out: str) -> None:
    """The item as field/value rows, then its dispatch attempts (one document in JSON)."""
    if out == "json":
        emit_json({"item": row, "attempts": attempts})
        return
    emit_rows([{"field": k, "value": v} for k, v in row.items()], ["field", "value"], out, title=item_id)
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
    _, sess = session(ctx, user)
    with sess as s:
        shown, rows = operations.items.item_log(s, item_id, all_users)
    columns = ["at", "actor", "action", "field", "old", "new"]
    emit_rows(rows, columns, output_format(fmt, as_json), title=f"History of {shown}")


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
    e, sess = session(ctx, user)
    try:
        new = ScheduleStatus(status.lower())
    except ValueError:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(s.value for s in ScheduleStatus)}") from None
    with sess as s:
        item = operations.items.set_status(s, item_id, new, note, post)
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
    e, sess = session(ctx, user)
    with sess as s:
        operations.items.set_status(s, item_id, ScheduleStatus.CANCELED, note)
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
    e, sess = session(ctx, user)
    with sess as s:
        item, broken = operations.items.move_item(s, item_id, to, force, reason)
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
    _, sess = session(ctx, user)
    with sess as s:
        item = operations.items.add_item(s, calendar, video, parse_platform(platform), at, format_, title, force)
    emit_rows([operations.acting.item_row(item)], ITEM_COLUMNS, output_format(fmt, as_json))
