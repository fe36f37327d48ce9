"""VTIMEZONE components built from a zone's own transitions (RFC 5545 §3.6.5).

Each change of offset in the period is one STANDARD or DAYLIGHT observance without a rule: its
DTSTART is the local time of the change *in the offset before it* (TZOFFSETFROM), so New York's
spring forward of 2027 is ``DTSTART:20270314T020000`` with ``TZOFFSETFROM:-0500`` and
``TZOFFSETTO:-0400``; Lord Howe's half-hour changes come out the same way. A first observance
holds the offset at the period's start. (``icalendar``'s ``add_missing_timezones`` dated each
spring forward at the wall time after the jump, which a reader that follows the file's own
VTIMEZONE turns into an hour's error for items in that hour.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

STEP = timedelta(hours=6)  # no zone changes its offset twice within six hours
MINUTE = timedelta(minutes=1)


def _state(at: datetime, tz: ZoneInfo) -> tuple:
    local = at.astimezone(tz)
    return local.utcoffset(), local.tzname()


def _change(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    """The first minute in (lo, hi] with ``hi``'s offset and name (lo has the old ones)."""
    old = _state(lo, tz)
    while hi - lo > MINUTE:
        mid = (lo + (hi - lo) / 2).replace(second=0, microsecond=0)
        if mid <= lo:
            mid = lo + MINUTE
        if _state(mid, tz) == old:
            lo = mid
        else:
            hi = mid
    return hi


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Each instant (UTC) in (start, end] at which the zone's offset or abbreviation changes."""
    out = []
    t, state = start, _state(start, tz)
    while t < end:
        nxt = min(t + STEP, end)
        after = _state(nxt, tz)
        if after != state:
            out.append(_change(t, nxt, tz))
        t, state = nxt, after
    return out


def observance(tz: ZoneInfo, at: datetime, before: timedelta):
    """The STANDARD or DAYLIGHT component for the offset that starts at ``at`` (UTC), coming from ``before``."""
    local = at.astimezone(tz)
    sub = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
    sub.add("dtstart", (at + before).replace(tzinfo=None))  # the wall time in the old offset
    sub.add("tzoffsetfrom", before)
    sub.add("tzoffsetto", local.utcoffset())
    if local.tzname():
        sub.add("tzname", local.tzname())
    return sub


def vtimezone(tzid: str, first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE of ``tzid`` from local midnight of ``first`` to that of ``last``.

    Example: ``vtimezone("America/New_York", date(2026, 1, 1), date(2028, 1, 1))`` holds
    EST from 2026-01-01, then one observance for each of the four changes of 2026 and 2027.
    """
    tz = ZoneInfo(tzid)
    start = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(last, datetime.min.time(), tz).astimezone(UTC)
    vtz = icalendar.Timezone()
    vtz.add("tzid", tzid)
    offset = start.astimezone(tz).utcoffset()
    vtz.add_component(observance(tz, start, offset))
    for at in transitions(tz, start, end):
        vtz.add_component(observance(tz, at, offset))
        offset = at.astimezone(tz).utcoffset()
    return vtz
