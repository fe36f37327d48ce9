"""What the planner needs for one post added or moved by hand: the user's items, timing, preferences, caps."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from calcli.core.errors import UsageError
from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleException,
)
from calcli.core.times import now as current_time
from calcli.core.times import zone
from calcli.files.preferences import load_preferences
from calcli.files.timing import load_timing
from calcli.operations.acting import Session
from calcli.planning import rules
from calcli.planning.problem import PlanInput
from calcli.planning.registry import load_registry


def plan_input(s: Session, cal: ContentCalendar, exclude: str | None = None):

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


def format_of(inp, platform: Platform, fmt: str | None):
    formats = inp.timing.for_platform(platform)
    if fmt is None:
        return formats[0]
    for f in formats:
        if f.format == fmt:
            return f
    known = ", ".join(f.format for f in formats)
    raise UsageError(f"{platform.value} has no format {fmt!r} (known: {known}).")


def free_id(cal: ContentCalendar, base: str) -> str:
    taken = {e.id for e in cal.exceptions}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def overrides_for(
    s: Session, cal: ContentCalendar, existing: list[ContentScheduleItem], new: list[ContentScheduleItem], why: str
) -> list[tuple[ScheduleException, str]]:
    """Override exceptions for the ``new`` items that break a hard rule where they stand (a schedule
    imported from another tool keeps its times, and says so in the file, as ``item move --force``
    does); each with the rule it breaks. ``why`` starts each exception's reason."""
    prefs = load_preferences(s.project.preferences_path, cal.user_id, s.project.config.timezone)
    others = s.store.items(user=cal.user_id, exclude_calendar=cal.name)
    trial = dataclasses.replace(cal, items=[*existing, *new])
    timing = load_timing(s.project.timing_dir)
    caps = load_registry(s.project.timing_dir).daily_caps()
    ids = {i.id for i in new}
    broken: dict[str, list[str]] = {}
    forced = rules.forced_ids(others, s.store.calendar)
    for item, rule in rules.violations(trial, others, timing, prefs, caps, forced):
        if item.id in ids:
            broken.setdefault(item.id, []).append(rule)
    out, taken = [], dataclasses.replace(cal, exceptions=list(cal.exceptions))
    tz = zone(cal.timezone)
    for item in new:
        if item.id in broken:
            local = item.scheduled_at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
            exc = ScheduleException(
                id=free_id(taken, f"override-{item.id}"),
                start=local,
                end=local + timedelta(minutes=1),
                kind="override",
                item_id=item.id,
                reason=f"{why}: " + "; ".join(broken[item.id]),
            )
            taken.exceptions.append(exc)
            out.append((exc, "; ".join(broken[item.id])))
    return out
