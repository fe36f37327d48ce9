"""``calcli due`` and ``calcli dispatch``: the cron side."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from calcli.cli.completion import complete_platform
from calcli.cli.options import AllUsersOpt, FormatOpt, JsonOpt, UserOpt, chosen_format, parse_platform


def register(app: typer.Typer) -> None:
    app.command("due")(due)
    app.command("dispatch")(dispatch)


def _duration(value: str, flag: str):
    from calcli.core.times import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=flag) from None


def due(
    ctx: typer.Context,
    within: Annotated[str, typer.Option("--within", help="Also items due within this long (15m, 1h).")] = "0m",
    platform: Annotated[
        str | None, typer.Option("--platform", help="Only this platform.", autocompletion=complete_platform)
    ] = None,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Failed items are retried until this many attempts.")
    ] = 3,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the items due now (scheduled, time reached or within --within; failed ones after their backoff).

    Example: calcli due --within 15m --format json
    """
    from calcli.cli.context import env
    from calcli.cli.render import emit_rows, resolve_format
    from calcli.files.project import find_project
    from calcli.operations.acting import item_row
    from calcli.operations.dispatch import due_items, unconfirmed_items
    from calcli.operations.session import session

    e = env(ctx)
    p = parse_platform(platform).value if platform else None
    held: list = []
    with session(find_project(e.project), user) as s:
        rows = [
            item_row(d.item) | {"attempt": d.attempt, "retry": d.retry}
            for d in due_items(s, _duration(within, "--within"), p, all_users, max_attempts, held=held)
        ]
        waiting = unconfirmed_items(s, all_users)
    for item, why in held:
        e.messages.warn(f"{item.id} ({item.platform.value}) is held: {why}.")
    for item in waiting:
        e.messages.warn(
            f"{item.id} ({item.platform.value}) is unconfirmed: the publisher may have posted it. "
            f"Check, then run `calcli item status {item.id} posted` (or failed)."
        )
    emit_rows(
        rows,
        ["id", "calendar", "video_job_id", "platform", "format", "scheduled_at", "status", "attempt", "retry", "title"],
        resolve_format(chosen_format(fmt, as_json)),
    )


def dispatch(
    ctx: typer.Context,
    exec_: Annotated[
        str,
        typer.Option(
            "--exec",
            help="Your publisher: a shell command run once per due "
            "item, with the item as JSON on stdin and CALCLI_* variables.",
        ),
    ],
    within: Annotated[str, typer.Option("--within", help="Also items due within this long.")] = "0m",
    platform: Annotated[
        str | None, typer.Option("--platform", help="Only this platform.", autocompletion=complete_platform)
    ] = None,
    max_attempts: Annotated[
        int, typer.Option("--max-attempts", min=1, help="Retry failed items until this many attempts.")
    ] = 3,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0.1,
            help="Seconds before a publisher is killed (its item is then unconfirmed, never retried).",
        ),
    ] = 300,
    backoff: Annotated[str, typer.Option("--backoff", help="Wait before the first retry; doubles per attempt.")] = "5m",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many items.")] = None,
    user: UserOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing unless an item failed.")] = False,
) -> None:
    """Post what is due through your own publisher, exactly once even when runs overlap.

    Exit 0 → the item is posted (the last line of its stdout, a URL or post id, is kept).
    Non-zero → failed (stderr kept), retried by later runs with backoff until --max-attempts.
    A publisher outliving --timeout is killed and its item marked unconfirmed: never retried
    automatically; confirm with `calcli item status ID posted|failed`.
    Exits 5 when any item failed or is unconfirmed.

    Example: calcli dispatch --exec ./publish.sh --within 15m --quiet
    """
    from calcli.cli.context import env
    from calcli.cli.render import emit_rows, resolve_format
    from calcli.core.errors import ExitStatus
    from calcli.files.project import find_project
    from calcli.operations.dispatch import dispatch as run_dispatch

    e = env(ctx)
    p = parse_platform(platform).value if platform else None
    report = run_dispatch(
        find_project(e.project),
        exec_,
        _duration(within, "--within"),
        p,
        user,
        max_attempts,
        timeout,
        _duration(backoff, "--backoff"),
        limit,
    )
    rows = [
        {
            "id": o.item.id,
            "platform": o.item.platform.value,
            "scheduled_at": o.item.scheduled_at,
            "attempt": o.attempt,
            "outcome": o.outcome,
            "post": o.ref,
            "error": (o.error or "")[-300:],
        }
        for o in report.outcomes
    ]
    columns = ["id", "platform", "scheduled_at", "attempt", "outcome", "post", "error"]
    if not quiet:
        emit_rows(rows, columns, resolve_format(chosen_format(fmt, as_json)))
        e.messages.info(
            f"Dispatched {len(rows)} item(s): {len(rows) - len(report.trouble)} posted, "
            f"{len(report.trouble)} failed or unconfirmed."
        )
    else:
        for o in report.trouble:
            print(
                f"calcli dispatch: {o.item.id} ({o.item.platform.value}) {o.outcome}: {(o.error or '')[-300:]}",
                file=sys.stderr,
            )
    this_run = {o.item.id for o in report.trouble}
    for item in report.unconfirmed:
        if item.id not in this_run:
            print(
                f"calcli dispatch: {item.id} ({item.platform.value}) is unconfirmed (an earlier run was killed or "
                f"timed out): check the platform, then `calcli item status {item.id} posted|failed`",
                file=sys.stderr,
            )
    reposts = [(item, why) for item, why in report.held if why.startswith("already posted")]
    for item, why in report.held:
        if not quiet or (item, why) in reposts:
            print(f"calcli dispatch: {item.id} ({item.platform.value}) held: {why}", file=sys.stderr)
    if report.trouble or report.unconfirmed or reposts:
        raise typer.Exit(int(ExitStatus.TROUBLE))
