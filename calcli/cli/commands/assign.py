"""``calcli assign``, ``calcli assignments`` and ``calcli approve``: who posts what, and what may go out."""

from __future__ import annotations

from typing import Annotated

import typer

from calcli import operations
from calcli.cli.commands.item import ITEM_COLUMNS
from calcli.cli.completion import complete_calendar, complete_item
from calcli.cli.context import session
from calcli.cli.options import AllUsersOpt, FormatOpt, JsonOpt, UserOpt, output_format, parse_date
from calcli.cli.render import emit_rows


def register(app: typer.Typer) -> None:
    app.command("assign")(assign)
    app.command("assignments")(assignments)
    app.command("approve")(approve)


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
    e, sess = session(ctx, user)
    if not clear and not to:
        raise typer.BadParameter("give --to WORKER or --clear")
    with sess as s:
        item = operations.items.assign(s, item_id, None if clear else to)
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
    _, sess = session(ctx, user)
    with sess as s:
        rows = operations.items.assignments(s, worker, due_within, all_users)
    emit_rows(rows, ["assignee", *[c for c in ITEM_COLUMNS if c != "assignee"]], output_format(fmt, as_json))


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
    e, sess = session(ctx, user)
    with sess as s:
        items = operations.items.approve(s, calendar, parse_date(until, "--until"))
    rows = [operations.acting.item_row(i) | {"status": "scheduled"} for i in items]
    emit_rows(rows, ITEM_COLUMNS, output_format(fmt, as_json))
    e.messages.info(f"Approved {len(items)} item(s).")
