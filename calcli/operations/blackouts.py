"""Blackouts: add one (and reschedule what it covers), list them, remove one."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

from calcli import operations, planning
from calcli.core.blackouts import blackout_hits
from calcli.core.errors import UsageError
from calcli.core.model import (
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
)
from calcli.files.project import NAME_RE
from calcli.operations.acting import Session
from calcli.operations.editing import Change, apply_change, history_row
from calcli.operations.journal import announce_changes
from calcli.operations.lookup import own_calendar


def add_blackout(
    s: Session,
    calendar: str,
    start: str,
    end: str | None,
    platforms: list[Platform],
    yearly: bool,
    reason: str,
    bid: str | None,
    reschedule: bool,
):
    """Add a blackout; return it, the live items it covers, and (with ``reschedule``) where they went."""
    target = own_calendar(s, calendar)
    cal = target.calendar
    exc, same = _blackout(cal, start, end, platforms, yearly, reason, bid)
    live = (ScheduleStatus.PLANNED, ScheduleStatus.SCHEDULED, ScheduleStatus.FAILED)
    hit = [i for i in target.items if i.status in live and blackout_hits(exc, i.platform, i.scheduled_at)]
    change = Change(add_blackouts=[] if same else [exc])
    stuck: list[ContentScheduleItem] = []
    if reschedule and hit:
        stuck = _reschedule(s, dataclasses.replace(cal, exceptions=[*cal.exceptions, exc]), hit, change)
    if not change.empty:
        apply_change(s.store, s.project, target, change)
    if hit:  # a running dispatch must not send what the blackout now covers
        announce_changes(s.project, [i.id for i in hit])
    return exc, hit, change.changed, stuck


def _blackout(cal, start: str, end: str | None, platforms, yearly: bool, reason: str, bid: str | None):
    """The blackout asked for, and whether the calendar has it already (then it is that one)."""
    exc = ScheduleException(
        id="",
        start=_blackout_time(start),
        end=_blackout_time(end or start),
        platforms=tuple(platforms),
        yearly=yearly,
        reason=reason,
    )
    if type(exc.start) is not type(exc.end):
        raise UsageError("--start and --end must both be dates or both be date-times.")
    if exc.end < exc.start or (isinstance(exc.end, datetime) and exc.end == exc.start):
        raise UsageError(f"--end {exc.end} is before --start {exc.start}.")
    same = next(
        (
            e
            for e in cal.exceptions
            if e.kind == "blackout"
            and (e.start, e.end, e.platforms, e.yearly) == (exc.start, exc.end, exc.platforms, exc.yearly)
            and (bid is None or e.id == bid)
        ),
        None,
    )
    if same is not None:
        return same, True  # the same blackout again (say, to --reschedule what it covers): not a second copy
    exc.id = bid or operations.slots.free_id(cal, "blackout-" + str(exc.start).replace(" ", "T").replace(":", ""))
    if not re.fullmatch(NAME_RE, exc.id) or any(e.id == exc.id for e in cal.exceptions):
        raise UsageError(f"blackout id {exc.id!r} is invalid or already used.")
    return exc, False


def _reschedule(s: Session, cal_after, hit: list[ContentScheduleItem], change: Change) -> list[ContentScheduleItem]:
    """Move each item the blackout covers to the planner's best legal slot after its own time (into
    ``change``): never earlier, as the post was placed after its video's ``ready_at`` and calcli does
    not keep that; the items left without one."""
    inp = operations.slots.plan_input(s, cal_after)
    inp.existing = [i for i in inp.existing if i.id not in {h.id for h in hit}]
    stuck = []
    for item in sorted(hit, key=lambda i: i.scheduled_at):
        fmt = operations.slots.format_of(
            inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None
        )
        slot = planning.single.best_free_slot(
            inp, item.platform, fmt, item.video_job_id, item.idempotency_key, not_before=item.scheduled_at
        )
        if slot is None:
            stuck.append(item)
            continue
        new = dataclasses.replace(item, scheduled_at=slot.at, score=slot.score)
        change.changed[item.id] = new
        inp.existing.append(new)
        change.history.append(
            history_row(item, s.actor, "moved", "at", item.scheduled_at.isoformat(), slot.at.isoformat())
        )
    return stuck


def _blackout_time(text: str) -> date | datetime:
    raw = text.strip().replace(" ", "T", 1)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{text!r} is not a date (2026-07-04) or local date-time (2026-07-04T09:00).") from None
    if value.tzinfo is not None:
        raise UsageError("blackout times are local wall-clock times; drop the UTC offset.")
    return value


def list_blackouts(s: Session, calendar: str | None, all_users: bool) -> list[dict]:
    names = [calendar] if calendar else s.project.calendar_names()
    rows = []
    for name in names:
        cal = s.store.calendar(name)
        if cal is None or (cal.user_id != s.user and not all_users):
            if calendar:
                raise UsageError(f"no calendar {calendar!r} for user {s.user}.")
            continue
        for e in cal.exceptions:
            rows.append(
                {
                    "calendar": name,
                    "id": e.id,
                    "kind": e.kind,
                    "start": e.start,
                    "end": e.end,
                    "platforms": [p.value for p in e.platforms] or ["all"],
                    "yearly": e.yearly,
                    "reason": e.reason,
                    "item": e.item_id,
                }
            )
    return rows


def remove_blackout(s: Session, calendar: str, bid: str) -> None:
    target = own_calendar(s, calendar)
    if not any(e.id == bid for e in target.calendar.exceptions):
        raise UsageError(f"calendar {calendar} has no blackout {bid!r}.")
    apply_change(s.store, s.project, target, Change(remove_blackouts={bid}))
