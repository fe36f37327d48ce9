"""What the planner needs for one post added or moved by hand: the user's items, timing, preferences, caps."""

from __future__ import annotations

from calcli.core.errors import UsageError
from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    Platform,
)
from calcli.core.times import now as current_time
from calcli.core.times import zone
from calcli.files.preferences import load_preferences
from calcli.files.timing import load_timing
from calcli.operations.acting import Session
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
