"""Time zones, wall-clock slots and durations, done by RFC 5545's rules.

A wall-clock time in a zone is turned into an instant by :func:`resolve_local`:
an ambiguous time (fall back) takes its first occurrence (``fold=0``); a
nonexistent one (spring forward) is reported so that the planner never
produces it.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ValueError for an unknown or empty name."""
    if not name or not isinstance(name, str):
        raise ValueError("empty time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def exists(naive: datetime, tz: ZoneInfo) -> bool:
    """False when ``naive`` falls in a spring-forward gap of ``tz``."""
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == naive


def resolve_local(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The instant of wall-clock ``naive`` in ``tz``, or None in a DST gap.

    Ambiguous times resolve to the first occurrence (RFC 5545 §3.3.5).
    >>> resolve_local(datetime(2026, 11, 1, 1, 30), zone("America/New_York")).utcoffset()
    datetime.timedelta(days=-1, seconds=72000)
    """
    if not exists(naive, tz):
        return None
    return naive.replace(tzinfo=tz, fold=0)


def shift_gap(naive: datetime, tz: ZoneInfo) -> datetime:
    """RFC 5545 for a time a person typed: a nonexistent time moves by the gap (02:30 → 03:30)."""
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz)


def now(tz: ZoneInfo | None = None) -> datetime:
    """The current instant; ``CALCLI_NOW`` (ISO 8601 with offset) pins it for tests and demos."""
    pinned = os.environ.get("CALCLI_NOW")
    if pinned:
        value = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        if value.tzinfo is None:
            raise ValueError("CALCLI_NOW must carry a UTC offset, e.g. 2026-07-01T09:00:00+00:00")
    else:
        value = datetime.now(UTC)
    return value.astimezone(tz) if tz else value


def utc_stamp() -> datetime:
    """Now (``CALCLI_NOW`` when pinned) as a naive UTC timestamp, for the store's audit columns."""
    return now().astimezone(UTC).replace(tzinfo=None)


def parse_hhmm(text: str) -> time:
    """``"16:30" -> time(16, 30)``; ``"24:00"`` means the end of the day (``time(0)``)."""
    m = re.fullmatch(r"([01]?\d|2[0-4]):([0-5]\d)", text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    h, mi = int(m[1]), int(m[2])
    if h == 24:
        if mi:
            raise ValueError(f"{text!r} is past 24:00")
        return time(0)
    return time(h, mi)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|min|m|s)", re.I)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1}


def parse_duration(text: str | int | float) -> timedelta:
    """``"1d12h" -> 36 h``, ``"90m"``, ``"15min"``; a bare number is minutes."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    if isinstance(text, int | float):
        return timedelta(minutes=text)
    s = str(text).strip().replace(" ", "")
    if not s:
        raise ValueError("empty duration")
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return timedelta(minutes=float(s))
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += float(m[1]) * _UNIT_SECONDS[m[2].lower()]
        pos = m.end()
    if pos != len(s):
        raise ValueError(f"{text!r} is not a duration like 90m, 4h, 1d12h")
    return timedelta(seconds=total)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (``Z`` allowed); raises ValueError otherwise."""
    value = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. 2026-07-01T09:00:00Z)")
    return value


def iso(dt: datetime) -> str:
    """ISO 8601 with its UTC offset, seconds precision: ``2026-07-01T16:00:00-04:00``."""
    return dt.isoformat(timespec="seconds")


def daterange(start: date, end: date):
    """Every date from ``start`` to ``end`` inclusive."""
    d = start
    one = timedelta(days=1)
    while d <= end:
        yield d
        d += one
