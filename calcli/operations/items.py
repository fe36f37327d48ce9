"""Day-to-day operations: calendars, items and their lifecycle, blackouts, assignments.

Every function acts as one user (the project's default or ``user``): another
user's calendars and items are neither shown nor changed unless
``all_users`` is asked for (reads only). Each change goes through
``calcli.operations.editing.apply_change``: the calendar file and the store move together,
with an audit entry for every changed field.
"""

from __future__ import annotations

# The planner, the timing data and the platform registry are imported where a slot is needed
# (add, move, reschedule): `calcli due` and the cron path never pay for them.
import dataclasses
import re
from datetime import date, datetime, timedelta

from calcli import operations, planning
from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import (
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
    check_transition,
    item_id_for,
)
from calcli.core.times import now as current_time
from calcli.core.times import parse_duration, shift_gap, zone
from calcli.files.project import NAME_RE
from calcli.operations.acting import Session, item_row
from calcli.operations.editing import Change, apply_change, history_row, open_calendar
from calcli.operations.lookup import calendar_of, find_item, own_calendar

# ---------------------------------------------------------------- lookups


def parse_when(text: str, tzname: str) -> datetime:
    """A time typed by a person: ISO 8601 with an offset, or a local wall-clock time in the
    calendar's zone (``2026-07-08 16:00``). A nonexistent local time moves forward by the
    DST gap and an ambiguous one is its first occurrence (RFC 5545)."""
    raw = text.strip().replace(" ", "T", 1)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{text!r} is not a time like 2026-07-08T16:00 or 2026-07-08T16:00-04:00.") from None
    tz = zone(tzname)
    if value.tzinfo is None:
        return shift_gap(value, tz)
    return value.astimezone(tz)


# ---------------------------------------------------------------- items


def set_status(
    s: Session, item_id: str, status: ScheduleStatus, note: str | None = None, post_ref: str | None = None
) -> ContentScheduleItem:
    """Move an item along the lifecycle; an illegal step raises InvalidInput (exit 3)."""
    item = find_item(s, item_id)
    check_transition(item.status, status, item.id)
    new = dataclasses.replace(item, status=status, post_ref=post_ref or item.post_ref)
    hist = [history_row(item, s.actor, "status", "status", item.status.value, status.value)]
    if note:
        hist.append(history_row(item, s.actor, "note", None, None, note))
    if post_ref and post_ref != item.post_ref:
        hist.append(history_row(item, s.actor, "edited", "post", item.post_ref, post_ref))
    with s.store.atomic():
        apply_change(s.store, s.project, calendar_of(s, item), Change(changed={item.id: new}, history=hist))
        if status in (ScheduleStatus.POSTED, ScheduleStatus.FAILED, ScheduleStatus.CANCELED):
            s.store.resolve_attempts(item.id, status.value)  # a person settled an unconfirmed attempt
    return new


def approve(s: Session, calendar: str | None, until: date | None) -> list[ContentScheduleItem]:
    """Move the acting user's planned items to scheduled (ready for dispatch), up to ``until``."""
    if calendar:
        own_calendar(s, calendar)
    before = datetime.combine(until + timedelta(days=1), datetime.min.time()) if until else None
    items = s.store.items(user=s.user, statuses=("planned",), calendar=calendar, local_before=before)
    by_cal: dict[str, Change] = {}
    for item in items:
        change = by_cal.setdefault(item.calendar, Change())
        change.changed[item.id] = dataclasses.replace(item, status=ScheduleStatus.SCHEDULED)
        change.history.append(history_row(item, s.actor, "status", "status", "planned", "scheduled"))
    with s.store.atomic():
        for cal, change in sorted(by_cal.items()):
            apply_change(s.store, s.project, open_calendar(s.store, s.project, cal), change)
    return items


def move_item(s: Session, item_id: str, when: str, force: bool = False, reason: str = "") -> tuple:
    """Move an item to ``when``; refuse a slot that breaks a hard constraint unless ``force``,
    which records a manual override (a ScheduleException of kind ``override``)."""
    item = find_item(s, item_id)
    if item.status in (ScheduleStatus.POSTED, ScheduleStatus.CANCELED):
        raise InvalidInput(f"item {item.id} is {item.status.value}; only planned, scheduled or failed items move.")
    target = calendar_of(s, item)
    cal = target.calendar
    at = parse_when(when, cal.timezone)
    inp = operations.slots.plan_input(s, cal, exclude=item.id)
    fmt = operations.slots.format_of(
        inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None
    )
    broken = planning.single.slot_violations(inp, item.platform, fmt, item.video_job_id, item.idempotency_key, at)
    if broken and not force:
        raise InvalidInput(
            Finding("", None, None, f"item {item.id} at {at.isoformat()}: " + "; ".join(broken)),
            hint="Nothing was moved. Use --force to record a manual override.",
        )
    new = dataclasses.replace(item, scheduled_at=at)
    change = Change(
        changed={item.id: new},
        history=[history_row(item, s.actor, "moved", "at", item.scheduled_at.isoformat(), at.isoformat())],
    )
    if broken:
        override = ScheduleException(
            id=operations.slots.free_id(cal, f"override-{item.id}"),
            start=at.replace(tzinfo=None),
            end=at.replace(tzinfo=None) + timedelta(minutes=1),
            kind="override",
            item_id=item.id,
            reason=(reason + ": " if reason else "") + "; ".join(broken),
        )
        change.add_blackouts.append(override)
        change.history.append(history_row(item, s.actor, "override", None, None, override.reason))
    apply_change(s.store, s.project, target, change)
    return new, broken


def add_item(
    s: Session,
    calendar: str,
    video: str,
    platform: Platform,
    when: str | None = None,
    fmt: str | None = None,
    title: str = "",
    force: bool = False,
) -> ContentScheduleItem:
    """Add one post by hand; without ``when`` it takes the slot the planner would choose."""
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", video):
        raise UsageError(f"invalid video id {video!r}.")
    target = own_calendar(s, calendar)
    cal = target.calendar
    if cal.status == "archived":
        raise UsageError(f"calendar {cal.name} is archived; nothing is added to it.")
    key = f"manual.{s.user}/{video}/{platform.value}"  # per user: two users may use one video id
    same = [
        i
        for i in target.items
        if i.video_job_id == video and i.platform == platform and i.status != ScheduleStatus.CANCELED
    ]
    if same or s.store.keys_elsewhere(cal.name, [key], s.user):
        raise InvalidInput(f"video {video} already has a {platform.value} post ({key}).")
    inp = operations.slots.plan_input(s, cal)
    pfmt = operations.slots.format_of(inp, platform, fmt)
    at, score = _hand_slot(inp, cal, platform, pfmt, video, key, when, force)
    item = ContentScheduleItem(
        id=item_id_for(key),
        idempotency_key=key,
        calendar=cal.name,
        user_id=cal.user_id,
        video_job_id=video,
        platform=platform,
        format=pfmt.format,
        scheduled_at=at,
        status=ScheduleStatus.PLANNED,
        bulk_job_id=None,
        score=score,
        title=title,
    )
    apply_change(
        s.store,
        s.project,
        target,
        Change(
            new=[item],
            history=[history_row(item, s.actor, "created", None, None, f"{platform.value} {at.isoformat()} (by hand)")],
        ),
    )
    return item


def _hand_slot(inp, cal, platform: Platform, pfmt, video: str, key: str, when: str | None, force: bool):
    """(instant, score) of a post added by hand: the planner's best free slot, or ``when`` if it is
    legal (or ``force``)."""
    if when is None:
        slot = planning.single.best_free_slot(inp, platform, pfmt, video, key)
        if slot is None:
            raise InvalidInput(f"no free {platform.value} slot left in calendar {cal.name}'s period.")
        return slot.at, slot.score
    at = parse_when(when, cal.timezone)
    broken = planning.single.slot_violations(inp, platform, pfmt, video, key, at)
    if broken and not force:
        raise InvalidInput(
            f"{platform.value} at {at.isoformat()}: " + "; ".join(broken),
            hint="Nothing was added. Use --force to add it anyway.",
        )
    return at, None


def assign(s: Session, item_id: str, worker: str | None) -> ContentScheduleItem:
    """Set (or clear, with None) who posts an item."""
    item = find_item(s, item_id)
    if worker is not None and not re.fullmatch(NAME_RE, worker):
        raise UsageError(f"invalid worker name {worker!r}.")
    new = dataclasses.replace(item, assignee=worker)
    hist = [history_row(item, s.actor, "assigned", "assignee", item.assignee, worker)]
    apply_change(s.store, s.project, calendar_of(s, item), Change(changed={item.id: new}, history=hist))
    return new


def assignments(s: Session, worker: str | None, due_within: str | None, all_users: bool) -> list[dict]:
    """The worker-facing view: assigned, live items, soonest first."""
    try:
        limit = current_time() + parse_duration(due_within) if due_within else None
    except ValueError as exc:
        raise UsageError(f"--due-within: {exc}.") from None
    items = s.store.items(
        assigned=True,
        statuses=("planned", "scheduled", "failed"),
        user=None if all_users else s.user,
        assignee=worker,
        utc_through=limit,
    )
    return [item_row(i) for i in items]


def item_log(s: Session, item_id: str, all_users: bool = False) -> tuple[str, list[dict]]:
    """An item's audit history; also for an item whose calendar was removed (its history stays)."""
    try:
        item_id = find_item(s, item_id, all_users).id
    except UsageError:
        owner = s.store.history_owner(item_id)
        if owner is None or (owner != s.user and not all_users):
            raise
    rows = [
        {"at": r[0], "actor": r[1], "action": r[2], "field": r[3], "old": r[4], "new": r[5]}
        for r in s.store.history(item_id)
    ]
    return item_id, rows


# ---------------------------------------------------------------- calendars


# ---------------------------------------------------------------- blackouts
