"""User scheduling preferences: ``preferences.yaml``, per user and platform.

::

    users:
      user_123:
        timezone: America/New_York
        defaults: {max_per_day: 1, min_spacing: 4h}
        platforms:
          youtube: {min_per_week: 1, max_per_week: 3, avoid_days: [sat, sun]}
        stagger: {order: [youtube, tiktok, instagram], gap: 1h}
        planning: {half_life: 3, series_order: true}

A key missing for a platform falls back to ``defaults``, then to the timing
data's frequency guideline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from pathlib import Path

from calcli.core.errors import Finding, InvalidInput
from calcli.core.model import (
    DEFAULT_GAP_MINUTES,
    DEFAULT_MAX_LATE_MINUTES,
    DEFAULT_ORDER,
    DEFAULT_SPACING_MINUTES,
    Planning,
    Platform,
    Stagger,
    UserPreferences,
    UserSchedulingPreferences,
)
from calcli.core.times import parse_duration, parse_hhmm, zone
from calcli.files.fields import Fields
from calcli.files.timing import parse_days
from calcli.files.yamlio import compose

PLATFORM_KEYS = frozenset(
    {
        "min_per_week",
        "max_per_week",
        "max_per_day",
        "min_spacing",
        "avoid_days",
        "avoid_hours",
        "prefer_days",
        "prefer_hours",
        "enabled",
        "max_late",
    }
)
USER_KEYS = frozenset({"timezone", "defaults", "platforms", "stagger", "planning"})


def load_preferences(path: Path, user: str, default_tz: str) -> UserPreferences:
    """Preferences of ``user``; a missing file or user gives the defaults."""
    if not path.exists():
        return UserPreferences(user, default_tz)
    prefs = parse_preferences(path)
    return prefs.get(user) or UserPreferences(user, default_tz)


def parse_preferences(path: Path) -> dict[str, UserPreferences]:
    findings: list[Finding] = []
    root = compose(path)
    doc = Fields(path, root, findings)
    out: dict[str, UserPreferences] = {}
    if doc.ok:
        doc.unknown({"users"})
        users = doc.map("users", required=True)
        for user in users.keys if users else {}:
            u = users.map(user)
            if u is not None:
                out[user] = _parse_user(u, user)
    if findings:
        raise InvalidInput(findings)
    return out


def _parse_user(u: Fields, user: str) -> UserPreferences:
    u.unknown(USER_KEYS)
    tz = u.str("timezone")
    if tz is not None:
        try:
            zone(tz)
        except ValueError as exc:
            u.error(u.node_of("timezone"), str(exc), "timezone")
    defaults = u.map("defaults")
    base = _parse_platform(defaults, user, None, tz or "UTC", None) if defaults else None
    prefs = UserPreferences(user, tz)
    plats = u.map("platforms")
    for name in plats.keys if plats else {}:
        try:
            platform = Platform.parse(name)
        except ValueError:
            plats.error(plats.keys[name][0], f"unknown platform {name!r}")
            continue
        p = plats.map(name)
        if p is not None:
            prefs.platforms[platform] = _parse_platform(p, user, platform, tz or "UTC", base)
    if base:
        for platform in Platform:
            prefs.platforms.setdefault(platform, _copy(base, platform))
    st = u.map("stagger")
    if st:
        st.unknown({"order", "gap"})
        order = []
        for v in st.str_list("order") or []:
            try:
                order.append(Platform.parse(v))
            except ValueError:
                st.error(st.node_of("order"), f"unknown platform {v!r}", "order")
        gap = st.convert("gap", parse_duration, what="duration")
        rest = tuple(p for p in DEFAULT_ORDER if p not in order)
        prefs.stagger = Stagger(
            tuple(order) + rest if order else DEFAULT_ORDER,
            int(gap.total_seconds() // 60) if gap is not None else DEFAULT_GAP_MINUTES,
        )
    pl = u.map("planning")
    if pl:
        pl.unknown({"half_life", "series_order"})
        half = pl.number("half_life", minimum=0)
        if half is not None and half <= 0:
            pl.error(pl.node_of("half_life"), "half_life must be more than 0 days", "half_life")
            half = None
        prefs.planning = Planning(
            half_life_days=float(half) if half is not None else Planning().half_life_days,
            series_order=bool(pl.bool("series_order", default=True)),
        )
    return prefs


def _copy(base: UserSchedulingPreferences, platform: Platform) -> UserSchedulingPreferences:

    return replace(base, platform=platform)


def _parse_platform(
    p: Fields, user: str, platform: Platform | None, tz: str, base: UserSchedulingPreferences | None
) -> UserSchedulingPreferences:
    p.unknown(PLATFORM_KEYS)

    def pick(value, attr):
        return value if value is not None else (getattr(base, attr) if base else None)

    spacing = p.convert("min_spacing", parse_duration, what="duration")
    late = p.convert("max_late", parse_duration, what="duration")
    mn = p.number("min_per_week", integer=True, minimum=0)
    mx = p.number("max_per_week", integer=True, minimum=0)
    if mn is not None and mx is not None and mn > mx:
        p.error(p.node_of("min_per_week"), f"min_per_week {mn} is above max_per_week {mx}", "min_per_week")
    return UserSchedulingPreferences(
        user_id=user,
        platform=platform or Platform.YOUTUBE,
        timezone=tz,
        posting_frequency_min=pick(mn, "posting_frequency_min"),
        posting_frequency_max=pick(mx, "posting_frequency_max"),
        max_per_day=pick(p.number("max_per_day", integer=True, minimum=0), "max_per_day"),
        min_spacing_minutes=int(spacing.total_seconds() // 60)
        if spacing is not None
        else (base.min_spacing_minutes if base else DEFAULT_SPACING_MINUTES),
        preferred_days=_days(p, "prefer_days") or (base.preferred_days if base else frozenset()),
        avoided_days=_days(p, "avoid_days") or (base.avoided_days if base else frozenset()),
        preferred_hours=_hours(p, "prefer_hours") or (base.preferred_hours if base else ()),
        avoided_hours=_hours(p, "avoid_hours") or (base.avoided_hours if base else ()),
        enabled=bool(p.bool("enabled", default=True)),
        max_late_minutes=int(late.total_seconds() // 60)
        if late is not None
        else (base.max_late_minutes if base else DEFAULT_MAX_LATE_MINUTES),
    )


def _days(p: Fields, key: str) -> frozenset[int]:
    values = p.str_list(key)
    return parse_days(values, p, key) if values else frozenset()


def _hours(p: Fields, key: str) -> tuple[tuple[time, time], ...]:
    out = []
    for v in p.str_list(key) or []:
        try:
            a, b = v.split("-")
            start, end = parse_hhmm(a), parse_hhmm(b)
        except ValueError:
            p.error(p.node_of(key), f'{v!r} is not an hour range like "09:00-12:00"', key)
            continue
        if end != time(0) and end <= start:
            p.error(p.node_of(key), f"hour range {v!r} ends before it starts", key)
            continue
        out.append((start, end))
    return tuple(out)
