"""``calcli blackout add|list|rm``: periods with no posts, and the items a new one covers."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import operations
from calcli.cli.completion import complete_calendar, complete_platform
from calcli.cli.context import session
from calcli.cli.options import AllUsersOpt, FormatOpt, JsonOpt, UserOpt, command_group, output_format, parse_platform
from calcli.cli.render import emit_rows

blackout_app = command_group(
    "Blackouts (no posts inside them): add, list, remove.\n\n"
    "Example: calcli blackout add --calendar Q3 --start 2026-12-24 --end 2026-12-26 --yearly"
)


def register(app: typer.Typer) -> None:
    app.add_typer(blackout_app, name="blackout")


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
        bool, typer.Option("--reschedule", help="Move the items it covers to the best legal slots after their times.")
    ] = False,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a blackout; lists the planned items it covers and, with --reschedule, moves them.

    Example: calcli blackout add -c Q3 --start 2026-12-24 --end 2026-12-26 --yearly --reason Holidays --reschedule
    """
    e, sess = session(ctx, user)
    with sess as s:
        exc, hit, moved, stuck = operations.blackouts.add_blackout(
            s, calendar, start, end, [parse_platform(p) for p in platform or []], yearly, reason, bid, reschedule
        )
    emit_rows(
        _covered_rows(hit, moved),
        ["id", "video_job_id", "platform", "scheduled_at", "status", "moved_to"],
        output_format(fmt, as_json),
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


def _covered_rows(hit: list, moved: dict) -> list[dict]:
    """The items a blackout covers, each with where --reschedule moved it (or None)."""
    rows = []
    for item in hit:
        row = operations.acting.item_row(item)
        row["moved_to"] = moved[item.id].scheduled_at if item.id in moved else None
        rows.append(row)
    return rows


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
    _, sess = session(ctx, user)
    with sess as s:
        rows = operations.blackouts.list_blackouts(s, calendar, all_users)
    columns = ["calendar", "id", "kind", "start", "end", "platforms", "yearly", "reason", "item"]
    emit_rows(rows, columns, output_format(fmt, as_json))


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
    e, sess = session(ctx, user)
    with sess as s:
        operations.blackouts.remove_blackout(s, calendar, bid)
    e.messages.info(f"Removed blackout {bid} from {calendar}.")
