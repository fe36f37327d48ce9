"""The format mapping: the first format of a platform that a video's duration and aspect ratio fit."""

from __future__ import annotations

from calcli.core.model import Platform, PlatformTimingData
from calcli.core.timing import TimingTable, aspect_value


def choose_format(
    table: TimingTable, platform: Platform, duration: float | None, aspect: str | None
) -> tuple[PlatformTimingData | None, str]:
    """The first format of ``platform`` the video fits, or None and the reason it fits none.

    Unknown duration or aspect ratio does not rule a format out.
    """
    ratio = aspect_value(aspect) if aspect else None
    reasons = []
    for fmt in table.for_platform(platform):
        if not fmt.auto:
            continue
        why = _misfit(fmt, duration, ratio, aspect)
        if why is None:
            return fmt, ""
        reasons.append(why)
    if not reasons:
        reasons = [f"no {platform.value} format is chosen automatically (every one is marked auto: false)"]
    shape = ", ".join(x for x in (aspect, _human_duration(duration)) if x)
    return None, f"{shape}: " + "; ".join(reasons) if shape else "; ".join(reasons)


def _misfit(fmt: PlatformTimingData, duration, ratio, aspect) -> str | None:
    label = fmt.label or fmt.format
    if duration is not None:
        if fmt.max_duration is not None and duration > fmt.max_duration:
            return f"longer than {label}'s {fmt.max_duration:g} s"
        if fmt.min_duration is not None and duration < fmt.min_duration:
            return f"shorter than {label}'s {fmt.min_duration:g} s"
    if ratio is not None:
        if fmt.aspects and not any(abs(ratio - aspect_value(a)) / aspect_value(a) < 0.02 for a in fmt.aspects):
            return f"{label} takes {' or '.join(fmt.aspects)}, not {aspect}"
        rng = fmt.aspect_range
        if rng and not (rng[0] * 0.98 <= ratio <= rng[1] * 1.02):
            return f"{aspect} is outside {label}'s aspect range"
    return None


def _human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds >= 60:
        m, s = divmod(int(seconds), 60)
        return f"{m} min" + (f" {s} s" if s else "")
    return f"{seconds:g} s"
