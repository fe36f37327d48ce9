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


def _iso(text: str) -> datetime:
    raw = str(text).strip()
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    return datetime.fromisoformat(raw)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (``Z`` or ``z`` allowed); raises ValueError otherwise."""
    value = _iso(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. 2026-07-01T09:00:00Z)")
    return value


def local_instant(text: str, tz: ZoneInfo) -> datetime:
    """A time as people write it in a calendar, in the calendar's zone ``tz``: a wall-clock time
    (``2027-01-30T12:00``; an ambiguous one is its first occurrence), or one with the UTC offset
    the zone has at that wall time. A time in a DST gap, or an offset the zone does not have then,
    raises ValueError naming the valid choices.

    >>> local_instant("2026-11-01T01:30", zone("America/New_York")).utcoffset()
    datetime.timedelta(days=-1, seconds=72000)
    """
    if len(str(text).strip()) <= 10:  # fromisoformat reads a bare date as midnight: a post needs its time
        raise ValueError(f"{str(text).strip()!r} has no time of day (write e.g. {str(text).strip()}T12:00)")
    value = _iso(text)
    wall = value.replace(tzinfo=None)
    if value.tzinfo is not None:  # the common case (calcli writes the offset): one conversion tells
        local = value.astimezone(tz)
        if local.replace(tzinfo=None) == wall:
            return local
    offsets = _offsets(wall, tz)
    if not offsets:
        before, after = _gap_edges(wall, tz)
        raise ValueError(
            f"{wall:%Y-%m-%dT%H:%M} does not exist in {tz.key} (the clocks jump forward there); "
            f"the nearest valid times are {before:%H:%M} and {after:%H:%M}"
        )
    if value.tzinfo is None:
        return wall.replace(tzinfo=tz, fold=0)
    offset = value.utcoffset()
    if offset not in offsets:
        valid = " or ".join(_offset_text(o) for o in offsets)
        raise ValueError(
            f"{_offset_text(offset)} is not {tz.key}'s UTC offset at {wall:%Y-%m-%dT%H:%M} ({valid}); "
            "write that offset, or leave the offset out"
        )
    return wall.replace(tzinfo=tz, fold=offsets.index(offset))


def _offsets(wall: datetime, tz: ZoneInfo) -> list[timedelta]:
    """The zone's UTC offsets at a wall-clock time: one, two in a fold (first occurrence first), none in a gap."""
    out = []
    for fold in (0, 1):
        aware = wall.replace(tzinfo=tz, fold=fold)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall and aware.utcoffset() not in out:
            out.append(aware.utcoffset())
    return out


def _gap_edges(wall: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The last wall-clock minute before a DST gap and the first after it."""
    before = wall.replace(second=0, microsecond=0)
    while not _offsets(before, tz):
        before -= timedelta(minutes=1)
    after = (before.replace(tzinfo=tz).astimezone(UTC) + timedelta(minutes=1)).astimezone(tz)
    return before, after.replace(tzinfo=None)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


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


_RELATIVE_DAYS = re.compile(r"([+-])(\d{1,5})([dw])")
_NAMED_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def parse_day(text: str, today: date) -> date:
    """A day as khal and gcalcli users write one: ``today``, ``tomorrow``, ``yesterday``, ``+7d``,
    ``-3d``, ``+2w`` (relative to ``today``), or an ISO date ``2027-03-01`` (an ISO datetime's date).

    >>> parse_day("+7d", date(2027, 3, 1))
    datetime.date(2027, 3, 8)

    Raises ValueError for anything else."""
    word = text.strip().lower()
    if word in _NAMED_DAYS:
        return today + timedelta(days=_NAMED_DAYS[word])
    m = _RELATIVE_DAYS.fullmatch(word)
    if m:
        days = int(m[2]) * (7 if m[3] == "w" else 1)
        return today + timedelta(days=days if m[1] == "+" else -days)
    try:
        return date.fromisoformat(word)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD (nor today, tomorrow, yesterday, +7d, -3d, +2w)") from None
