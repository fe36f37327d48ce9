"""Blackout windows as the planner, dispatch and check read them: whole days or local wall-clock spans."""

from __future__ import annotations

from datetime import date, datetime, time

from calcli.core.model import (
    Platform,
    ScheduleException,
)


def blackout_hits(exc: ScheduleException, platform: Platform, local: datetime) -> bool:
    """True when the local wall-clock time falls inside the blackout (overrides block nothing)."""
    if not exc.applies_to(platform):
        return False
    return spans(exc, local)


def spans(exc: ScheduleException, local: datetime) -> bool:
    """Whether the exception's window (whole days, or a local wall-clock span) holds ``local``."""
    start, end = exc.start, exc.end
    if isinstance(start, datetime):
        s, e, t = start, end, local.replace(tzinfo=None)
        if exc.yearly:
            return _yearly_contains(
                (s.month, s.day, s.time()), (e.month, e.day, e.time()), (t.month, t.day, t.time()), inclusive_end=False
            )
        return s <= t < e
    d = local.date()
    if exc.yearly:
        return _yearly_contains(
            (start.month, start.day, time(0)),
            (end.month, end.day, time(0)),
            (d.month, d.day, time(0)),
            inclusive_end=True,
        )
    return start <= d <= end


def _yearly_contains(s: tuple, e: tuple, t: tuple, inclusive_end: bool) -> bool:
    inside_end = t <= e if inclusive_end else t < e
    if s <= e:
        return s <= t and inside_end
    return t >= s or inside_end  # wraps the new year (Dec 24 .. Jan 2)


def touches_day(exc, day: date) -> bool:
    """Whether a blackout could cover any time of ``day`` (a cheap pre-filter)."""
    if exc.yearly:
        return True
    start = exc.start.date() if isinstance(exc.start, datetime) else exc.start
    end = exc.end.date() if isinstance(exc.end, datetime) else exc.end
    return start <= day <= end
