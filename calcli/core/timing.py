"""The timing table: every platform's formats and windows in preference order, and the fallback without data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from calcli.core.model import Frequency, Platform, PlatformTimingData, TimingWindow

FALLBACK_NOTE = (
    "no timing data for {platform}: using the fallback window "
    "(weekdays 09:00-17:00 local, score 0.5, at most 1 post a day)"
)


def fallback(platform: Platform) -> PlatformTimingData:
    """The documented fallback for a platform without timing data."""
    return PlatformTimingData(
        platform=platform,
        format="post",
        label=f"{platform.value} post (fallback)",
        windows=[TimingWindow(frozenset(range(5)), time(9), time(17), 0.5, "fallback")],
        frequency=Frequency(None, 7, 1),
        fallback=True,
    )


@dataclass
class TimingTable:
    """All formats of all platforms, in preference order per platform."""

    formats: dict[Platform, list[PlatformTimingData]]
    warnings: list[str]

    def for_platform(self, platform: Platform) -> list[PlatformTimingData]:
        return self.formats.get(platform) or [fallback(platform)]

    def get(self, platform: Platform, fmt: str) -> PlatformTimingData | None:
        for f in self.for_platform(platform):
            if f.format == fmt:
                return f
        return None


def aspect_value(text: str) -> float | None:
    """``"9:16" -> 0.5625`` (width / height); None when not a ratio."""
    try:
        w, h = (float(x) for x in str(text).split(":"))
    except ValueError:
        return None
    if w <= 0 or h <= 0:
        return None
    return w / h
