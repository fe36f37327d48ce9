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

from calcli.core.errors import Finding, InvalidInput, UsageError
from calcli.core.model import (
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
    check_transition,
    item_id_for,
)
from calcli.core.times import now as current_time
from calcli.core.times import parse_duration, shift_gap, zone
from calcli.files.preferences import load_preferences
from calcli.files.project import NAME_RE
from calcli.operations.editing import Change, Target, apply_change, history_row, open_calendar
from calcli.operations.session import Session, item_row, session  # noqa: F401 - callers import them from here too

# ---------------------------------------------------------------- lookups


def find_item(s: Session, item_id: str, all_users: bool = False) -> ContentScheduleItem:
    found = s.store.items(ids=[item_id])
    if not found or (found[0].user_id != s.user and not all_users):
        raise UsageError(
            f"no item {item_id!r} for user {s.user}.", "List items with `calcli agenda` or `calcli calendar show`."
        )
    return found[0]


def _target_for(s: Session, item: ContentScheduleItem) -> Target:
    return open_calendar(s.store, s.project, item.calendar)


def _own_calendar(s: Session, name: str) -> Target:
    """The acting user's calendar ``name``; another user's is as good as missing (and not named)."""
    return open_calendar(s.store, s.project, name, s.user)


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
        apply_change(s.store, s.project, _target_for(s, item), Change(changed={item.id: new}, history=hist))
        if status in (ScheduleStatus.POSTED, ScheduleStatus.FAILED, ScheduleStatus.CANCELED):
            s.store.resolve_attempts(item.id, status.value)  # a person settled an unconfirmed attempt
    return new


def approve(s: Session, calendar: str | None, until: date | None) -> list[ContentScheduleItem]:
    """Move the acting user's planned items to scheduled (ready for dispatch), up to ``until``."""
    if calendar:
        _own_calendar(s, calendar)
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


def _plan_input(s: Session, cal: ContentCalendar, exclude: str | None = None):
    from calcli.core.model import BulkJob
    from calcli.files.timing import load_timing
    from calcli.planning.problem import PlanInput
    from calcli.planning.registry import load_registry

    prefs = load_preferences(s.project.preferences_path, cal.user_id, s.project.config.timezone)
    others = s.store.items(user=cal.user_id, exclude_statuses=("canceled",), exclude_id=exclude)
    return PlanInput(
        job=BulkJob("manual", cal.user_id),
        calendar=cal,
        existing=others,
        timing=load_timing(s.project.timing_dir),
        prefs={p: prefs.for_platform(p, cal.timezone) for p in Platform},
        stagger=prefs.stagger,
        now=current_time(zone(cal.timezone)),
        slot_minutes=s.project.config.slot_minutes,
        platform_caps=load_registry(s.project.timing_dir).daily_caps(),
    )


def _format_of(inp, platform: Platform, fmt: str | None):
    formats = inp.timing.for_platform(platform)
    if fmt is None:
        return formats[0]
    for f in formats:
        if f.format == fmt:
            return f
    known = ", ".join(f.format for f in formats)
    raise UsageError(f"{platform.value} has no format {fmt!r} (known: {known}).")


def move_item(s: Session, item_id: str, when: str, force: bool = False, reason: str = "") -> tuple:
    """Move an item to ``when``; refuse a slot that breaks a hard constraint unless ``force``,
    which records a manual override (a ScheduleException of kind ``override``)."""
    item = find_item(s, item_id)
    if item.status in (ScheduleStatus.POSTED, ScheduleStatus.CANCELED):
        raise InvalidInput(f"item {item.id} is {item.status.value}; only planned, scheduled or failed items move.")
    target = _target_for(s, item)
    cal = target.calendar
    at = parse_when(when, cal.timezone)
    inp = _plan_input(s, cal, exclude=item.id)
    fmt = _format_of(inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None)
    from calcli.planning.single import slot_violations

    broken = slot_violations(inp, item.platform, fmt, item.video_job_id, item.idempotency_key, at)
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
            id=_free_id(cal, f"override-{item.id}"),
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


def _free_id(cal: ContentCalendar, base: str) -> str:
    taken = {e.id for e in cal.exceptions}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


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
    target = _own_calendar(s, calendar)
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
    inp = _plan_input(s, cal)
    pfmt = _format_of(inp, platform, fmt)
    from calcli.planning.single import best_free_slot, slot_violations

    if when is None:
        slot = best_free_slot(inp, platform, pfmt, video, key)
        if slot is None:
            raise InvalidInput(f"no free {platform.value} slot left in calendar {cal.name}'s period.")
        at, score = slot.at, slot.score
    else:
        at, score = parse_when(when, cal.timezone), None
        broken = slot_violations(inp, platform, pfmt, video, key, at)
        if broken and not force:
            raise InvalidInput(
                f"{platform.value} at {at.isoformat()}: " + "; ".join(broken),
                hint="Nothing was added. Use --force to add it anyway.",
            )
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


def assign(s: Session, item_id: str, worker: str | None) -> ContentScheduleItem:
    """Set (or clear, with None) who posts an item."""
    item = find_item(s, item_id)
    if worker is not None and not re.fullmatch(NAME_RE, worker):
        raise UsageError(f"invalid worker name {worker!r}.")
    new = dataclasses.replace(item, assignee=worker)
    hist = [history_row(item, s.actor, "assigned", "assignee", item.assignee, worker)]
    apply_change(s.store, s.project, _target_for(s, item), Change(changed={item.id: new}, history=hist))
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


def calendar_zone(s: Session, tz: str | None) -> str:
    """The zone of a new calendar: ``tz`` (from --tz), else the user's, else the project's."""
    tzname = (
        tz
        or load_preferences(s.project.preferences_path, s.user, s.project.config.timezone).timezone
        or s.project.config.timezone
    )
    try:
        zone(tzname)
    except ValueError as exc:
        raise InvalidInput(Finding("--tz", None, None, str(exc))) from None
    return tzname


def new_calendar(
    s: Session, name: str, start: date, end: date, tz: str | None, title: str, platforms: list[Platform]
) -> ContentCalendar:
    path = s.project.calendar_path(name)
    if path.exists():
        raise UsageError(f"calendar {name!r} already exists ({s.project.rel(path)}).")
    if end < start:
        raise UsageError(f"--end {end} is before --start {start}.")
    tzname = calendar_zone(s, tz)
    cal = ContentCalendar(
        name=name,
        user_id=s.user,
        timezone=tzname,
        period_start=start,
        period_end=end,
        title=title,
        platforms=platforms,
        path=str(path),
    )
    apply_change(s.store, s.project, Target(cal, [], path, created=True), Change())
    return cal


def list_calendars(s: Session, all_users: bool) -> list[dict]:
    rows = s.store.calendar_summaries(s.user, all_users)
    return [
        dict(zip(["name", "user", "title", "timezone", "start", "end", "status", "items", "posted"], r, strict=True))
        for r in rows
    ]


def archive_calendar(s: Session, name: str) -> None:
    target = _own_calendar(s, name)
    if target.calendar.status == "archived":
        return
    apply_change(s.store, s.project, target, Change(header={"status": "archived"}))


def remove_calendar(s: Session, name: str) -> int:
    """Delete the calendar file and its mirror (history stays); returns its posted-item count."""
    target = _own_calendar(s, name)
    posted = sum(1 for i in target.items if i.status == ScheduleStatus.POSTED)
    with s.store.atomic():
        s.store.add_history(
            [history_row(i, s.actor, "deleted", None, f"calendar {name} removed", None) for i in target.items]
        )
        s.store.forget_file(s.project.rel(target.path))
        target.path.unlink()
    return posted


def posted_count(s: Session, name: str) -> int:
    target = _own_calendar(s, name)
    return sum(1 for i in target.items if i.status == ScheduleStatus.POSTED)


# ---------------------------------------------------------------- blackouts


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
    from calcli.core.blackouts import blackout_hits

    target = _own_calendar(s, calendar)
    cal = target.calendar
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
        exc = same  # the same blackout again (say, to --reschedule what it covers): not a second copy
    else:
        exc.id = bid or _free_id(cal, "blackout-" + str(exc.start).replace(" ", "T").replace(":", ""))
        if not re.fullmatch(NAME_RE, exc.id) or any(e.id == exc.id for e in cal.exceptions):
            raise UsageError(f"blackout id {exc.id!r} is invalid or already used.")
    live = (ScheduleStatus.PLANNED, ScheduleStatus.SCHEDULED, ScheduleStatus.FAILED)
    hit = [i for i in target.items if i.status in live and blackout_hits(exc, i.platform, i.scheduled_at)]
    change = Change(add_blackouts=[] if same is not None else [exc])
    moved: dict[str, ContentScheduleItem] = {}
    stuck: list[ContentScheduleItem] = []
    if reschedule and hit:
        from calcli.planning.single import best_free_slot

        cal_after = dataclasses.replace(cal, exceptions=[*cal.exceptions, exc])
        inp = _plan_input(s, cal_after)
        inp.existing = [i for i in inp.existing if i.id not in {h.id for h in hit}]
        for item in sorted(hit, key=lambda i: i.scheduled_at):
            fmt = _format_of(inp, item.platform, item.format if inp.timing.get(item.platform, item.format) else None)
            slot = best_free_slot(inp, item.platform, fmt, item.video_job_id, item.idempotency_key)
            if slot is None:
                stuck.append(item)
                continue
            new = dataclasses.replace(item, scheduled_at=slot.at, score=slot.score)
            moved[item.id] = new
            inp.existing.append(new)
            change.history.append(
                history_row(item, s.actor, "moved", "at", item.scheduled_at.isoformat(), slot.at.isoformat())
            )
        change.changed = moved
    if not change.empty:
        apply_change(s.store, s.project, target, change)
    if hit:  # a running dispatch must not send what the blackout now covers
        from calcli.operations.dispatch import announce_changes

        announce_changes(s.project, [i.id for i in hit])
    return exc, hit, moved, stuck


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
    target = _own_calendar(s, calendar)
    if not any(e.id == bid for e in target.calendar.exceptions):
        raise UsageError(f"calendar {calendar} has no blackout {bid!r}.")
    apply_change(s.store, s.project, target, Change(remove_blackouts={bid}))
