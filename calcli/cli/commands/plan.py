"""``calcli plan`` and ``calcli explain``."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import math
import sys
from collections.abc import Iterator
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
from pathlib import Path
from typing import Annotated

import typer

from calcli import operations
from calcli.cli.completion import complete_calendar, complete_item
from calcli.cli.context import env, find_project
from calcli.cli.options import DryRunOpt, FormatOpt, JsonOpt, UserOpt, output_format, parse_day
from calcli.cli.progress import progress
from calcli.cli.render import emit_json, emit_json_text, emit_rows, shaping_active
from calcli.planning.summary import summary_lines


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("explain")(explain)


StartOpt = Annotated[
    str | None,
    typer.Option(help="First day to plan (YYYY-MM-DD, today, +7d); a new calendar's period starts there."),
]
EndOpt = Annotated[
    str | None, typer.Option(help="Last day to plan (YYYY-MM-DD, +90d…); a new calendar's period ends here.")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 3 and write nothing when any item cannot be placed.")]
DetailsOpt = Annotated[
    bool, typer.Option("--details", help="Say more in the summary: each short week, every reason not placed.")
]


def plan(
    ctx: typer.Context,
    bulk: Annotated[Path, typer.Argument(help="The bulk job (bulk.json) from the video pipeline.")],
    calendar: Annotated[
        str,
        typer.Option(
            "--calendar",
            "-c",
            help="The calendar to plan into (calendars/NAME.yaml); made when missing.",
            autocompletion=complete_calendar,
        ),
    ],
    start: StartOpt = None,
    end: EndOpt = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of a new calendar (default: the user's).")] = None,
    user: UserOpt = None,
    dry_run: DryRunOpt = False,
    strict: StrictOpt = False,
    details: DetailsOpt = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a bulk job's videos into posting slots and write them to the calendar.

    Respects the platforms' timing windows, your preferences (caps, spacing,
    avoided days and hours), blackouts, what is already planned, video
    priority and ready_at, and the cross-platform stagger. Running it again
    changes nothing; a video added to the bulk job gets its items and nothing
    else moves. After the table, a summary on stderr: posts per platform and
    the weekly goals, days from ready to first post, series order.

    Example: calcli plan bulk.json --calendar Q3 --dry-run
    """
    e = env(ctx)
    project = find_project(e)
    out = output_format(fmt, as_json)
    # A table is drawn for the terminal; data formats of a big plan are rendered with its file.
    render = functools.partial(_plan_text, out=out, dry_run=dry_run, project=project) if out != "table" else None
    with _collector_off():
        with progress(e.quiet, f"Planning {bulk.name}", None):  # the output follows the bar, never under it
            outcome = operations.plan.plan_bulk_job(
                project,
                bulk,
                calendar,
                user=user,
                start=parse_day(start, "--start"),
                end=parse_day(end, "--end"),
                tz=tz,
                dry_run=dry_run,
                strict=strict,
                render=render,
            )
        _show_plan(outcome, out, dry_run, project.rel(outcome.path), e.messages, details)


@contextlib.contextmanager
def _collector_off() -> Iterator[None]:
    """No garbage collection inside, as plan_bulk_job does, through the output of its 30,000 items
    too (see there); the collector is on again after it if it was before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _show_plan(outcome, out: str, dry_run: bool, rel: str, messages, details: bool = False) -> None:
    """The plan on stdout (rendered already when it landed in a data format), the summary on stderr."""
    if outcome.output is not None:
        sys.stdout.write(outcome.output)
    else:
        _emit_plan(outcome, out, dry_run, rel, outcome.written, sys.stdout)
    _plan_messages(outcome, dry_run, messages, rel)
    if outcome.result.quality is not None:
        messages.info("\n".join(summary_lines(outcome.result, details)))


def _plan_text(outcome, out: str, dry_run: bool, project) -> str:
    """The output of a plan that lands, as text (rendered before the store commits, printed after)."""
    buffer = io.StringIO()
    _emit_plan(outcome, out, dry_run, project.rel(outcome.path), True, buffer)
    return buffer.getvalue()


def _emit_plan(outcome, out: str, dry_run: bool, rel: str, written: bool, stream) -> None:
    """The plan as data (or a table) on ``stream``."""
    r = outcome.result
    cal = outcome.calendar
    summary = {
        "calendar": cal.name,
        "file": rel,
        "created": outcome.created,
        "dry_run": dry_run,
        "written": written,
        "placed": len(r.items),
        "unplaced": len(r.unplaced),
        "skipped": len(r.skipped),
        "already_planned": len(r.already),
        "total_score": round(r.score, 4),
    }
    if out == "json":
        dumps = functools.partial(json.dumps, ensure_ascii=False)
        text = (
            f'{{"summary": {dumps(summary)}, "items": {items_json(r.items, r.why)}, '
            f'"unplaced": {dumps([vars(u) for u in r.unplaced])}, "skipped": {dumps([vars(s) for s in r.skipped])}, '
            f'"already_planned": {dumps(r.already)}, "warnings": {dumps(r.warnings)}}}'
        )
        if shaping_active():  # --limit/--columns cut the document: the general path does it
            emit_json(json.loads(text), stream)
        else:
            emit_json_text(text, stream)
        return
    items = [_item_doc(i) | {"title": i.title, "why": r.why.get(i.id, "")} for i in r.items]
    rows = [{**i, "result": "placed", "reason": i["why"]} for i in items]
    rows += [
        {"result": "unplaced", "video_job_id": u.video_job_id, "platform": u.platform, "reason": u.reason}
        for u in r.unplaced
    ]
    rows += [{"result": "skipped", "video_job_id": s.video_job_id, "reason": s.reason} for s in r.skipped]
    if out == "table":
        verb = "would add" if dry_run else "added"
        emit_rows(
            rows[: len(items)],
            ["id", "video_job_id", "platform", "format", "scheduled_at", "score", "why"],
            out,
            title=f"{cal.name}: {len(items)} item(s) {verb}",
            out=stream,
        )
        if r.unplaced or r.skipped:
            columns = ["result", "video_job_id", "platform", "reason"]
            emit_rows(rows[len(items) :], columns, out, title="Not placed", out=stream)
    else:
        emit_rows(
            rows,
            ["result", "id", "video_job_id", "platform", "format", "scheduled_at", "score", "reason"],
            out,
            out=stream,
        )


def items_json(items, why: dict[str, str]) -> str:
    """The placed items as ``json.dumps(docs, ensure_ascii=False)`` writes them, docs being
    ``_item_doc(i) | {"title": …, "why": …}`` (a test holds the two equal). Built from a template
    with the C string encoder json.dumps itself uses: half the time of a dict per item and the
    encoder's walk over 30,000 of them."""
    q = encode_basestring
    return (
        "["
        + ", ".join(
            [
                f'{{"id": {q(i.id)}, "calendar": {q(i.calendar)}, "video_job_id": {q(i.video_job_id)}, '
                f'"platform": {q(i.platform._value_)}, "format": {_json_text(i.format)}, '
                f'"scheduled_at": "{i.scheduled_at.isoformat(timespec="seconds")}", '
                f'"status": {q(i.status._value_)}, "score": {_json_number(i.score)}, '
                f'"title": {_json_text(i.title)}, "why": {q(why.get(i.id, ""))}}}'
                for i in items
            ]
        )
        + "]"
    )


def _json_text(value) -> str:
    return encode_basestring(value) if type(value) is str else json.dumps(value, ensure_ascii=False)


def _json_number(value) -> str:
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)  # what json.dumps writes for a finite float
    return json.dumps(value)


def _plan_messages(outcome, dry_run: bool, messages, rel: str) -> None:
    r = outcome.result
    for w in r.warnings:
        messages.warn(w)
    what = "new calendar " if outcome.created else ""
    if dry_run:
        messages.info(
            f"Dry run: would add {len(r.items)} item(s) to {what}{rel}; "
            f"{len(r.already)} already planned, {len(r.unplaced)} not placed, {len(r.skipped)} skipped. "
            "Nothing written."
        )
    elif outcome.written:
        messages.info(
            f"Added {len(r.items)} item(s) to {what}{rel}; {len(r.already)} already planned, "
            f"{len(r.unplaced)} not placed, {len(r.skipped)} skipped."
        )
    else:
        messages.info(
            f"Nothing to add to {rel}: {len(r.already)} already planned, {len(r.unplaced)} not placed, "
            f"{len(r.skipped)} skipped."
        )


def _item_doc(i) -> dict:
    """An item as plan and explain print it (the --format json contract)."""
    return {
        "id": i.id,
        "calendar": i.calendar,
        "video_job_id": i.video_job_id,
        "platform": i.platform.value,
        "format": i.format,
        "scheduled_at": i.scheduled_at,
        "status": i.status.value,
        "score": i.score,
    }


def explain(
    ctx: typer.Context,
    item_id: Annotated[
        str, typer.Argument(help="The item id (it_…), as in the calendar file.", autocompletion=complete_item)
    ],
    user: UserOpt = None,
    all_users: Annotated[bool, typer.Option("--all-users", help="Look at every user's items.")] = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Say why an item got its slot: its window and score, and what ruled out better slots.

    Example: calcli explain it_3f9a0c1d2e
    """
    e = env(ctx)
    x = operations.plan.explain_item(find_project(e), item_id, user=user, all_users=all_users)
    out = output_format(fmt, as_json)
    if out == "json":
        emit_json(
            {
                "item": _item_doc(x.item),
                "window": x.window,
                "rank": x.rank,
                "candidate_slots": x.candidates,
                "limits": x.limits,
                "better_slots": x.better,
                "value_terms": x.terms,
                "earlier_slots": x.earlier,
                "notes": x.notes,
            }
        )
        return
    lines = _explanation(x)
    if out == "table":
        print("\n".join(lines))
        if x.better:
            emit_rows(x.better, ["at", "score", "ruled_out_by"], out, title="Better-scored slots and why not")
        else:
            print("  no better-scored slot exists: this is one of the best.")
        return
    # Piped: one table, the explanation first, then each better slot and what ruled it out.
    i = x.item
    rows = [{"kind": "item", "at": i.scheduled_at, "score": i.score, "detail": lines[0]}]
    rows += [{"kind": line.strip().split(":")[0], "detail": line.strip().split(": ", 1)[1]} for line in lines[1:]]
    rows += [{"kind": "better", "at": b["at"], "score": b["score"], "detail": b["ruled_out_by"]} for b in x.better]
    emit_rows(rows, ["kind", "at", "score", "detail"], out)


def _explanation(x) -> list[str]:
    """Why the item has its slot, as lines: the item, its window, its rank, the limits, the notes."""
    i, w = x.item, x.window
    lines = [f"{i.id}: {i.platform.value} {i.format} at {i.scheduled_at.isoformat()} (score {i.score})"]
    if w:
        lines.append(f"  window: {w['days']} {w['start']}-{w['end']}, score {w['score']:g} — {w['source']}")
    if x.rank:
        lines.append(f"  rank: slot {x.rank} of {x.candidates} allowed slots in the period")
    t = x.terms
    if t:
        lines.append(
            f"  value: window score {t['window_score']:g} × promptness {t['promptness']:g} "
            f"({t['days_waited']:g} day(s) after it was planned, half-life {t['half_life_days']:g} days) "
            f"= {t['value']:g}"
        )
        if t["weekly_goal"]:
            counts = "counts toward the goal" if t["counts_toward_goal"] else "beyond the goal"
            lines.append(
                f"  weekly goal: post {t['post_in_week']} in {t['week']}, goal {t['weekly_goal']} a week ({counts})"
            )
        lines.append(
            f"  earlier slots worth at least as much: {len(x.earlier)}"
            + (f" (first ruled out by: {x.earlier[0]['ruled_out_by']})" if x.earlier else "")
        )
    lim = x.limits
    lines.append(
        f"  limits: {lim['max_per_day']} a day, {lim['max_per_week']} a week, "
        f"{lim['min_spacing_minutes']} min apart; stagger {' → '.join(lim['stagger_order'])}, "
        f"{lim['stagger_gap_minutes']} min gap"
    )
    lines += [f"  note: {n}" for n in x.notes]
    return lines
