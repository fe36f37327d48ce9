"""``calcli due`` and ``calcli dispatch``: the cron side."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from calcli import operations
from calcli.cli.completion import complete_platform
from calcli.cli.context import env, find_project
from calcli.cli.options import (
    AllUsersOpt,
    FormatOpt,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    UserOpt,
    day_range,
    output_format,
    parse_platform,
)
from calcli.cli.render import emit_rows
from calcli.core.errors import ExitStatus
from calcli.core.times import parse_duration, zone

DUE_COLUMNS = [
    "id",
    "calendar",
    "video_job_id",
    "platform",
    "format",
    "scheduled_at",
    "status",
    "attempt",
    "retry",
    "title",
]
OUTCOME_COLUMNS = ["id", "platform", "scheduled_at", "attempt", "outcome", "post", "error"]


def register(app: typer.Typer) -> None:
    app.command("due")(due)
    app.command("dispatch")(dispatch)


def _duration(value: str, flag: str):
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
    since: SinceOpt = None,
    until: UntilOpt = None,
    user: UserOpt = None,
    all_users: AllUsersOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the items due now (scheduled, time reached or within --within; failed ones after their backoff).

    --since/--until keep the due items of those days (each item's day in its calendar's zone;
    today is the user's), e.g. --since today leaves out what is overdue from earlier days.

    Example: calcli due --within 15m --format json
    """
    e = env(ctx)
    p = parse_platform(platform).value if platform else None
    held: list = []
    with operations.session.session(find_project(e), user) as s:
        found = operations.dispatch.due_items(s, _duration(within, "--within"), p, all_users, max_attempts, held=held)
        if since is not None or until is not None:
            first, last = day_range(since, until, zone(operations.views.view_zone(s, operations.views.Filters())))
            found = [d for d in found if operations.views.in_period(d.item, first, last)]
            held = [(item, why) for item, why in held if operations.views.in_period(item, first, last)]
        rows = [operations.acting.item_row(d.item) | {"attempt": d.attempt, "retry": d.retry} for d in found]
        waiting = operations.dispatch.unconfirmed_items(s, all_users)
    for item, why in held:
        e.messages.warn(f"{item.id} ({item.platform.value}) is held: {why}.")
    for item in waiting:
        e.messages.warn(
            f"{item.id} ({item.platform.value}) is unconfirmed: the publisher may have posted it. "
            f"Check, then run `calcli item status {item.id} posted` (or failed)."
        )
    emit_rows(rows, DUE_COLUMNS, output_format(fmt, as_json))


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
    A post more than its platform's max_late (preferences, default 2h) after its time is held as
    missed; a late backlog goes out spread, one post per the platform's spacing and daily cap.
    Exits 5 when any item failed, is unconfirmed or was missed.

    Example: calcli dispatch --exec ./publish.sh --within 15m --quiet
    """
    e = env(ctx)
    p = parse_platform(platform).value if platform else None
    project = find_project(e)
    soon, first_wait = _duration(within, "--within"), _duration(backoff, "--backoff")
    report = operations.dispatch.dispatch(project, exec_, soon, p, user, max_attempts, timeout, first_wait, limit)
    if quiet:
        _report_trouble(report)
    else:
        _report_outcomes(e, report, output_format(fmt, as_json))
    if _report_waiting(report, quiet):
        raise typer.Exit(int(ExitStatus.TROUBLE))


def _report_outcomes(e, report, out: str) -> None:
    """Every item of the run as a row, and how many posted and failed."""
    rows = _outcome_rows(report)
    emit_rows(rows, OUTCOME_COLUMNS, out)
    e.messages.info(
        f"Dispatched {len(rows)} item(s): {len(rows) - len(report.trouble)} posted, "
        f"{len(report.trouble)} failed or unconfirmed."
    )


def _report_trouble(report) -> None:
    """--quiet: only the items that failed or are unconfirmed, one line each on stderr."""
    for o in report.trouble:
        print(
            f"calcli dispatch: {o.item.id} ({o.item.platform.value}) {o.outcome}: {(o.error or '')[-300:]}",
            file=sys.stderr,
        )


def _outcome_rows(report) -> list[dict]:
    """One row per item this run handed to the publisher (the last 300 characters of an error)."""
    return [
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


def _report_waiting(report, quiet: bool) -> bool:
    """Say on stderr which items wait for a person (unconfirmed by an earlier run, held); whether the
    run is in trouble (an item failed, is unconfirmed, or was held as already posted or missed)."""
    this_run = {o.item.id for o in report.trouble}
    for item in report.unconfirmed:
        if item.id not in this_run:
            print(
                f"calcli dispatch: {item.id} ({item.platform.value}) is unconfirmed (an earlier run was killed or "
                f"timed out): check the platform, then `calcli item status {item.id} posted|failed`",
                file=sys.stderr,
            )
    reposts = [(item, why) for item, why in report.held if why.startswith(("already posted", "missed"))]
    for item, why in report.held:
        if not quiet or (item, why) in reposts:
            print(f"calcli dispatch: {item.id} ({item.platform.value}) held: {why}", file=sys.stderr)
    return bool(report.trouble or report.unconfirmed or reposts)
