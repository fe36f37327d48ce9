"""The hard limits of one platform: caps per local day and ISO week, per format too, and minimum spacing."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

from calcli.core.model import (
    Platform,
    PlatformTimingData,
    UserSchedulingPreferences,
)
from calcli.planning.problem import Slot

_NO_CAPS = (None, None)


@dataclass
class Limits:
    """The effective caps of one platform: the user's where given, else the research guideline."""

    max_per_day: int | None
    max_per_week: int | None
    min_per_week: int | None
    spacing: float  # seconds
    prefs: UserSchedulingPreferences | None
    format_caps: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # fmt -> (day, week)

    def effective(self, fmt: str) -> tuple[int | None, int | None]:
        """The (per day, per week) caps a post of format ``fmt`` meets."""
        fday, fweek = self.format_caps.get(fmt, (None, None))
        day = min((c for c in (self.max_per_day, fday) if c is not None), default=None)
        week = min((c for c in (self.max_per_week, fweek) if c is not None), default=None)
        return day, week


def limits_for(
    platform: Platform,
    formats: list[PlatformTimingData],
    prefs: UserSchedulingPreferences | None,
    platform_cap: int | None = None,
) -> Limits:
    """A platform's caps: the user's (platform-wide) where set, the platform's own daily cap always,
    and each format's research guideline for what the user left unset."""
    user_day = prefs.max_per_day if prefs else None
    user_week = prefs.posting_frequency_max if prefs else None
    per_day = user_day
    if platform_cap is not None:
        per_day = platform_cap if per_day is None else min(per_day, platform_cap)
    first = formats[0].frequency if formats else None
    user_min = prefs.posting_frequency_min if prefs else None
    return Limits(
        max_per_day=per_day,
        max_per_week=user_week,
        min_per_week=user_min if user_min is not None else (first.min_per_week if first else None),
        spacing=(prefs.min_spacing_minutes if prefs else 0) * 60.0,
        prefs=prefs,
        format_caps={
            f.format: (
                None if user_day is not None else f.frequency.max_per_day,
                None if user_week is not None else f.frequency.max_per_week,
            )
            for f in formats
        },
    )


class Board:
    """What is placed on one platform: instants (for spacing) and counts per day and week,
    for the platform and for each format (research caps are per format)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        # Counts per format are kept only when a format has a cap of its own.
        self.per_format = any(d is not None or w is not None for d, w in limits.format_caps.values())
        self.times: list[float] = []
        self.per_day: dict[date, int] = {}
        self.per_week: dict[tuple[int, int], int] = {}
        self.fmt_day: dict[tuple[str, date], int] = {}
        self.fmt_week: dict[tuple[str, tuple[int, int]], int] = {}
        self.gap = max(limits.spacing, 1.0)  # two posts closer than this clash (one instant: always)

    def add(self, utc: float, day: date, week: tuple[int, int], fmt: str = "") -> None:
        bisect.insort(self.times, utc)
        per_day, per_week = self.per_day, self.per_week
        per_day[day] = per_day.get(day, 0) + 1
        per_week[week] = per_week.get(week, 0) + 1
        if self.per_format:
            self.fmt_day[(fmt, day)] = self.fmt_day.get((fmt, day), 0) + 1
            self.fmt_week[(fmt, week)] = self.fmt_week.get((fmt, week), 0) + 1

    def remove(self, utc: float, day: date, week: tuple[int, int], fmt: str = "") -> None:
        i = bisect.bisect_left(self.times, utc)
        del self.times[i]
        self.per_day[day] -= 1
        self.per_week[week] -= 1
        if self.per_format:
            self.fmt_day[(fmt, day)] -= 1
            self.fmt_week[(fmt, week)] -= 1

    def free(self, slot: Slot) -> bool:
        """``conflict(slot) is None``, without building the message (the search's hot path)."""
        lim = self.limits
        cap = lim.max_per_day
        if cap is not None and self.per_day.get(slot.day, 0) >= cap:
            return False
        cap = lim.max_per_week
        if cap is not None and self.per_week.get(slot.week, 0) >= cap:
            return False
        if self.per_format:
            fday, fweek = lim.format_caps.get(slot.fmt, _NO_CAPS)
            if fday is not None and self.fmt_day.get((slot.fmt, slot.day), 0) >= fday:
                return False
            if fweek is not None and self.fmt_week.get((slot.fmt, slot.week), 0) >= fweek:
                return False
        times = self.times
        utc = slot.utc
        i = bisect.bisect_left(times, utc)
        gap = self.gap
        if i < len(times) and times[i] - utc < gap:
            return False
        return not (i and utc - times[i - 1] < gap)

    def conflict(self, slot: Slot) -> str | None:
        """Why ``slot`` cannot take one more post on this platform, or None."""
        lim = self.limits
        if lim.max_per_day is not None and self.per_day.get(slot.day, 0) >= lim.max_per_day:
            return f"daily cap reached ({lim.max_per_day} a day)"
        if lim.max_per_week is not None and self.per_week.get(slot.week, 0) >= lim.max_per_week:
            return f"weekly cap reached ({lim.max_per_week} a week)"
        fday, fweek = lim.format_caps.get(slot.fmt, (None, None))
        if fday is not None and self.fmt_day.get((slot.fmt, slot.day), 0) >= fday:
            return f"daily cap reached ({fday} {slot.fmt} a day)"
        if fweek is not None and self.fmt_week.get((slot.fmt, slot.week), 0) >= fweek:
            return f"weekly cap reached ({fweek} {slot.fmt} a week)"
        i = bisect.bisect_left(self.times, slot.utc)
        gap = self.gap
        if i < len(self.times) and self.times[i] - slot.utc < gap:
            return self._spacing_msg(self.times[i] - slot.utc)
        if i > 0 and slot.utc - self.times[i - 1] < gap:
            return self._spacing_msg(slot.utc - self.times[i - 1])
        return None

    def _spacing_msg(self, delta: float) -> str:
        if delta == 0:
            return "slot already taken on this platform"
        return f"too close to another post on this platform (minimum spacing {int(self.limits.spacing // 60)} min)"
