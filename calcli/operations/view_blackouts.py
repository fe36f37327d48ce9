"""The blackouts a view (agenda, week, month) marks: which of the shown calendars' blackout
windows cover which of the shown days. Overrides (``kind: override``) are not blackouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from calcli.core.model import ScheduleException

MARK = "✕"


@dataclass
class BlackoutMark:
    """One blackout window of one calendar, and the shown days it covers (a part of the day, or all)."""

    calendar: str
    exception: ScheduleException
    days: list[date]

    @property
    def label(self) -> str:
        """``july4 (Independence Day)``, ``offsite (linkedin only; Team offsite)``."""
        exc = self.exception
        why = [f"{', '.join(p.value for p in exc.platforms)} only"] if exc.platforms else []
        why += [exc.reason] if exc.reason else []
        return exc.id + (f" ({'; '.join(why)})" if why else "")

    @property
    def span(self) -> str:
        """The window as the file says it: ``2026-07-04``, ``2026-08-10 09:00 – 2026-08-12 18:00``."""
        exc = self.exception
        show = (lambda v: f"{v:%Y-%m-%d %H:%M}") if isinstance(exc.start, datetime) else (lambda v: f"{v:%Y-%m-%d}")
        first, last = show(exc.start), show(exc.end)
        text = first if first == last else f"{first} – {last}"
        return text + (" (every year)" if exc.yearly else "")


def covers_day(exc: ScheduleException, day: date) -> bool:
    """Whether the blackout covers any time of ``day`` (a whole-day window: inclusive; a timed one:
    overlaps it); a yearly window is taken in ``day``'s year."""
    if exc.kind != "blackout":
        return False
    if exc.yearly:  # the window of this year, or of last year when it runs over the new year
        years = exc.end.year - exc.start.year
        for y in (day.year - 1, day.year):
            try:
                window = (exc.start.replace(year=y), exc.end.replace(year=y + years))
            except ValueError:  # February 29 in a year without one
                continue
            if _overlaps(*window, day):
                return True
        return False
    return _overlaps(exc.start, exc.end, day)


def _overlaps(start, end, day: date) -> bool:
    if isinstance(start, datetime):
        day_start = datetime(day.year, day.month, day.day)
        return start < day_start + timedelta(days=1) and end > day_start
    return start <= day <= end


def blackout_marks(calendars, first: date, last: date) -> list[BlackoutMark]:
    """The blackouts of ``calendars`` (ContentCalendar objects) that cover a day of ``first..last``."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    out = []
    for cal in calendars:
        for exc in cal.exceptions:
            covered = [d for d in days if covers_day(exc, d)]
            if covered:
                out.append(BlackoutMark(cal.name, exc, covered))
    return out


def marked_days(marks: list[BlackoutMark]) -> dict[date, list[str]]:
    """Day -> the ids of the blackouts covering it, in the marks' order."""
    out: dict[date, list[str]] = {}
    for m in marks:
        for d in m.days:
            out.setdefault(d, []).append(m.exception.id)
    return out


def legend(marks: list[BlackoutMark], several_calendars: bool) -> list[str]:
    """One line per blackout a view marks: ``✕ july4 (Independence Day): 2026-07-04 (every year)``."""
    return [f"{MARK} {(m.calendar + ': ') if several_calendars else ''}{m.label}: {m.span}" for m in marks]
