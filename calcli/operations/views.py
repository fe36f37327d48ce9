"""Calendar views: the agenda, the week grid and the month grid.

The functions at the top are pure: they take items (``ContentScheduleItem``,
``scheduled_at`` aware and in its calendar's zone) and return rows and grids.
Days and times are always the item's local wall clock in its calendar's zone,
so "16:00" stays 16:00 on both sides of a DST change. The functions at the
bottom (``agenda``, ``week``, ``month``) read one range from a synced session
and call the pure ones. Nothing here imports Typer or Rich.
"""

from __future__ import annotations

import calendar as _calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from calcli import files
from calcli.core.errors import UsageError
from calcli.core.model import ContentScheduleItem, Platform, ScheduleStatus
from calcli.core.times import now, shift_gap, zone
from calcli.operations.view_blackouts import MARK, blackout_marks, marked_days

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PLATFORM_SHORT = {
    Platform.YOUTUBE: "yt",
    Platform.TIKTOK: "tt",
    Platform.INSTAGRAM: "ig",
    Platform.X: "x",
    Platform.LINKEDIN: "li",
    Platform.FACEBOOK: "fb",
}
_PLATFORM_RANK = {p: n for n, p in enumerate(Platform)}
_STATUS_RANK = {s: n for n, s in enumerate(ScheduleStatus)}

# Item rows (agenda and week): the columns people read, then the ones scripts need.
ITEM_COLUMNS = ["day", "time", "platform", "format", "status", "title", "id"]
ITEM_EXTRA_COLUMNS = ["calendar", "user", "scheduled_at"]
MONTH_COLUMNS = ["date", "platform", "status", "count"]


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What a view shows: empty tuples mean "all"; ``user`` None means every user; ``first``/``last``
    (``--since``/``--until``) keep the items whose local day is in that period (None: no bound)."""

    user: str | None = None
    calendars: tuple[str, ...] = ()
    platforms: tuple[Platform, ...] = ()
    statuses: tuple[ScheduleStatus, ...] = ()
    first: date | None = None
    last: date | None = None

    def match(self, item: ContentScheduleItem) -> bool:
        return (
            (self.user is None or item.user_id == self.user)
            and (not self.calendars or item.calendar in self.calendars)
            and (not self.platforms or item.platform in self.platforms)
            and (not self.statuses or item.status in self.statuses)
            and in_period(item, self.first, self.last)
        )


def in_period(item: ContentScheduleItem, first: date | None, last: date | None) -> bool:
    """Whether the item's local day is in ``first..last`` (inclusive; None is no bound)."""
    day = local_day(item)
    return (first is None or day >= first) and (last is None or day <= last)


def local_day(item: ContentScheduleItem) -> date:
    """The item's day on its calendar's wall clock."""
    return item.scheduled_at.date()


def local_time(item: ContentScheduleItem) -> str:
    """The item's time of day on its calendar's wall clock, ``HH:MM``."""
    return item.scheduled_at.strftime("%H:%M")


def _order(item: ContentScheduleItem) -> tuple:
    return (local_day(item), item.scheduled_at.timestamp(), _PLATFORM_RANK[item.platform], item.id)


def in_days(items: list[ContentScheduleItem], first: date, last: date, filters: Filters) -> list[ContentScheduleItem]:
    """The items whose local day is in ``first..last`` (inclusive), by day then time."""
    return sorted((i for i in items if first <= local_day(i) <= last and filters.match(i)), key=_order)


def in_window(
    items: list[ContentScheduleItem], start: datetime, end: datetime, filters: Filters
) -> list[ContentScheduleItem]:
    """The items at an instant in ``[start, end)``, grouped by local day, in time order."""
    return sorted((i for i in items if start <= i.scheduled_at < end and filters.match(i)), key=_order)


# ---------------------------------------------------------------- rows


def item_view_row(item: ContentScheduleItem) -> dict:
    """One item as a view row: local day and time, then what scripts need (the instant with its offset)."""
    return {
        "day": local_day(item),
        "time": local_time(item),
        "platform": item.platform.value,
        "format": item.format,
        "status": item.status.value,
        "title": item.title,
        "id": item.id,
        "calendar": item.calendar,
        "user": item.user_id,
        "scheduled_at": item.scheduled_at,
    }


def day_label(d: date) -> str:
    """``Wed 2026-07-01``."""
    return f"{WEEKDAY_NAMES[d.weekday()]} {d.isoformat()}"


def agenda_rows(items: list[ContentScheduleItem], start: datetime, end: datetime, filters: Filters) -> list[dict]:
    """Agenda rows for ``[start, end)``: grouped by local day, in time order."""
    return [item_view_row(i) for i in in_window(items, start, end, filters)]


def agenda_end(start: datetime, days: int) -> datetime:
    """The end of an agenda of ``days`` whole days from ``start`` (aware), today included: midnight
    at the start of day ``days`` after today, on ``start``'s wall clock; ``start`` itself for 0 days."""

    if days <= 0:
        return start
    last = start.date() + timedelta(days=days)
    return shift_gap(datetime(last.year, last.month, last.day), start.tzinfo)


def grouped_for_display(rows: list[dict]) -> list[dict]:
    """The agenda as people read it: the day (``Wed 2026-07-01``) only on the first row of each day."""
    out, last = [], None
    for r in rows:
        day = r["day"]
        out.append(r | {"day": day_label(day) if day != last else ""})
        last = day
    return out


# ---------------------------------------------------------------- week


def agenda_display(view: Agenda) -> list[dict]:
    """The agenda's table rows: the day on its first row only, and a row for each blackout on a shown
    day, before that day's items (``✕ blackout july4``; the view's legend says what it is)."""
    marks = {d: [m for m in view.blackouts if d in m.days] for d in marked_days(view.blackouts)}
    by_day: dict[date, list[dict]] = {}
    for r in view.rows:
        by_day.setdefault(r["day"], []).append(r)
    rows = []
    for d in sorted(set(by_day) | set(marks)):
        rows += [_blackout_row(d, m) for m in marks.get(d, [])] + by_day.get(d, [])
    return grouped_for_display(rows)


def _blackout_row(d: date, mark) -> dict:
    return {"day": d, "time": "", "title": f"{MARK} blackout {mark.exception.id}", "id": "", "calendar": mark.calendar}


def week_days(d: date) -> list[date]:
    """The ISO week (Monday to Sunday) that contains ``d``."""
    monday = d - timedelta(days=d.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


@dataclass
class WeekGrid:
    """Seven columns (Monday first), each the items of that local day in time order."""

    days: list[date]
    columns: list[list[ContentScheduleItem]]
    today: date | None = None
    blackouts: list = field(default_factory=list)  # BlackoutMark (calcli.operations.view_blackouts)

    @property
    def items(self) -> list[ContentScheduleItem]:
        return [i for col in self.columns for i in col]

    def lines(self) -> list[list[ContentScheduleItem | None]]:
        """The grid line by line: line n holds the n-th item of each day (None where a day has fewer)."""
        depth = max((len(c) for c in self.columns), default=0)
        return [[c[n] if n < len(c) else None for c in self.columns] for n in range(depth)]

    @property
    def iso_week(self) -> tuple[int, int]:
        year, week, _ = self.days[0].isocalendar()
        return year, week


def week_grid(items: list[ContentScheduleItem], d: date, filters: Filters, today: date | None = None) -> WeekGrid:
    days = week_days(d)
    chosen = in_days(items, days[0], days[-1], filters)
    columns: list[list[ContentScheduleItem]] = [[] for _ in days]
    for i in chosen:
        columns[local_day(i).weekday()].append(i)
    return WeekGrid(days, columns, today)


def week_header(d: date) -> str:
    """A day column's header: ``Mon`` over ``2026-06-29``."""
    return f"{WEEKDAY_NAMES[d.weekday()]}\n{d.isoformat()}"


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with ``…`` when something was cut."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"


def _full_head(item: ContentScheduleItem) -> str:
    return " ".join(x for x in (local_time(item), item.platform.value, item.format) if x)


def _compact(item: ContentScheduleItem, width: int) -> bool:
    """True when ``width`` has no room for the full head (time, platform, format) and a few
    characters of the title: then the line is ``16:00 yt Title`` instead."""
    room = 3 + min(len(item.title), 8) if item.title else 0
    return len(_full_head(item)) + room > width


def platform_label(item: ContentScheduleItem, width: int) -> str:
    """How the platform is written in a week line of ``width``: its name, or its two-letter short form."""
    return PLATFORM_SHORT[item.platform] if _compact(item, width) else item.platform.value


def week_line(item: ContentScheduleItem, width: int) -> str:
    """One item in a week column: ``16:00 youtube short · Title``, truncated to ``width`` (``…``);
    in a narrow column ``16:00 yt Title`` (short platform, no format)."""
    if _compact(item, width):
        text = " ".join(x for x in (local_time(item), PLATFORM_SHORT[item.platform], item.title) if x)
    else:
        text = f"{_full_head(item)} · {item.title}" if item.title else _full_head(item)
    return truncate(text, width)


# ---------------------------------------------------------------- month


def parse_month(text: str) -> tuple[int, int]:
    """``"2026-07" -> (2026, 7)``; raises ValueError for anything else."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a month YYYY-MM")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"{text!r} is not a month YYYY-MM")
    return year, month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])


def month_weeks(year: int, month: int) -> list[list[date | None]]:
    """The month like ``cal`` (Monday first): one list per week, None outside the month."""
    cal = _calendar.Calendar(firstweekday=0)
    return [[d if d.month == month else None for d in week] for week in cal.monthdatescalendar(year, month)]


@dataclass
class MonthGrid:
    year: int
    month: int
    weeks: list[list[date | None]]
    counts: dict[date, dict[Platform, int]] = field(default_factory=dict)
    today: date | None = None
    blackouts: list = field(default_factory=list)  # BlackoutMark (calcli.operations.view_blackouts)

    @property
    def title(self) -> str:
        return f"{_calendar.month_name[self.month]} {self.year}"

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def month_grid(items: list[ContentScheduleItem], year: int, month: int, filters: Filters, today=None) -> MonthGrid:
    first, last = month_bounds(year, month)
    counts: dict[date, Counter] = {}
    for i in in_days(items, first, last, filters):
        counts.setdefault(local_day(i), Counter())[i.platform] += 1
    ordered = {d: dict(sorted(c.items(), key=lambda kv: _PLATFORM_RANK[kv[0]])) for d, c in sorted(counts.items())}
    return MonthGrid(year, month, month_weeks(year, month), ordered, today)


def count_label(platform: Platform, n: int) -> str:
    """``yt2``."""
    return f"{PLATFORM_SHORT[platform]}{n}"


def month_cell(d: date, counts: dict[Platform, int] | None) -> str:
    """A day cell: ``12  yt2 tt1`` (the day number alone on a day without items)."""
    text = f"{d.day:>2}"
    if counts:
        text += "  " + " ".join(count_label(p, n) for p, n in counts.items())
    return text


def month_count_rows(items: list[ContentScheduleItem], year: int, month: int, filters: Filters) -> list[dict]:
    """Per local day, platform and status: how many items (days without items give no row)."""
    first, last = month_bounds(year, month)
    counts = Counter((local_day(i), i.platform, i.status) for i in in_days(items, first, last, filters))
    keys = sorted(counts, key=lambda k: (k[0], _PLATFORM_RANK[k[1]], _STATUS_RANK[k[2]]))
    return [{"date": d, "platform": p.value, "status": s.value, "count": counts[(d, p, s)]} for d, p, s in keys]


# ---------------------------------------------------------------- store ranges


def utc_range_for_days(first: date, last: date) -> tuple[datetime, datetime]:
    """A naive-UTC ``[start, end)`` sure to hold every instant whose local day, in any zone, is in
    ``first..last`` (a day of margin each side; callers then keep the exact local days)."""
    start = datetime(first.year, first.month, first.day) - timedelta(days=1)
    end = datetime(last.year, last.month, last.day) + timedelta(days=2)
    return start, end


def _utc_naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- reading a session


@dataclass
class Agenda:
    start: datetime
    end: datetime
    rows: list[dict]
    blackouts: list = field(default_factory=list)  # BlackoutMark (calcli.operations.view_blackouts)
    next_item: ContentScheduleItem | None = None  # when the agenda is empty: the first item after it


def resolve_filters(
    s,
    calendars: list[str] | None = None,
    platforms: list[Platform] | None = None,
    statuses: list[ScheduleStatus] | None = None,
    all_users: bool = False,
) -> Filters:
    """Filters for the acting user (every user with ``all_users``); an unknown calendar, or
    another user's without ``all_users``, is a usage error."""

    for name in calendars or []:
        cal = s.store.calendar(name)
        if cal is None or (cal.user_id != s.user and not all_users):
            raise UsageError(f"no calendar {name!r} for user {s.user}.", "List calendars with `calcli calendar list`.")
    return Filters(
        user=None if all_users else s.user,
        calendars=tuple(dict.fromkeys(calendars or [])),
        platforms=tuple(dict.fromkeys(platforms or [])),
        statuses=tuple(dict.fromkeys(statuses or [])),
    )


def view_zone(s, filters: Filters) -> str:
    """The zone whose "today" a view starts from: the (first) chosen calendar's, else the user's."""
    if filters.calendars:
        cal = s.store.calendar(filters.calendars[0])
        if cal is not None:
            return cal.timezone
    default = s.project.config.timezone
    return files.preferences.load_preferences(s.project.preferences_path, s.user, default).timezone or default


def _load(s, start_utc: datetime, end_utc: datetime, filters: Filters) -> list[ContentScheduleItem]:
    return s.store.items(utc_from=start_utc, utc_before=end_utc, user=filters.user)


def today_in(s, filters: Filters) -> date:

    return now(zone(view_zone(s, filters))).date()


def agenda(s, days: int, filters: Filters) -> Agenda:
    """The items from now to the end of the ``days``-th day, today being the first; with a period
    (``filters.first``/``last``) from the start of its first day and to the end of its last."""

    tz = zone(view_zone(s, filters))
    start = _midnight(filters.first, tz) if filters.first else now(tz)
    end = _midnight(filters.last + timedelta(days=1), tz) if filters.last else agenda_end(start, days)
    items = _load(s, _utc_naive(start), _utc_naive(end), filters)
    view = Agenda(start, end, agenda_rows(items, start, end, filters))
    view.blackouts = _marks(s, filters, start.date(), (end - timedelta(microseconds=1)).date())
    if not view.rows:
        later = [i for i in s.store.items(utc_from=_utc_naive(end), user=filters.user) if filters.match(i)]
        view.next_item = min(later, key=lambda i: i.scheduled_at.timestamp(), default=None)
    return view


def _midnight(d: date, tz) -> datetime:
    """The start of day ``d`` on ``tz``'s wall clock (the first valid instant, where midnight is skipped)."""
    try:
        return shift_gap(datetime(d.year, d.month, d.day), tz)
    except OverflowError:
        raise _out_of_range(d) from None


def _marks(s, filters: Filters, first: date, last: date) -> list:
    """The blackouts of the view's calendars (the chosen ones, else the user's) over ``first..last``."""
    names = filters.calendars or [c[0] for c in s.store.calendar_summaries(s.user, filters.user is None)]
    cals = [c for c in (s.store.calendar(n) for n in names) if c is not None]
    return blackout_marks(cals, first, last) if last >= first else []


def week(s, day: date | None, filters: Filters) -> WeekGrid:
    """The ISO week containing ``day`` (default: the ``--since`` day, else today in the view's zone)."""
    today = today_in(s, filters)
    try:
        days = week_days(day or filters.first or today)
        span = utc_range_for_days(days[0], days[-1])
    except OverflowError:
        raise _out_of_range(day) from None
    grid = week_grid(_load(s, *span, filters), days[0], filters, today)
    grid.blackouts = _marks(s, filters, days[0], days[-1])
    return grid


def month(s, year_month: tuple[int, int] | None, filters: Filters) -> tuple[MonthGrid, list[dict]]:
    """The month grid and its per-day count rows (default: the ``--since`` day's month, else this month
    in the view's zone)."""
    today = today_in(s, filters)
    shown = filters.first or today
    year, mon = year_month or (shown.year, shown.month)
    first, last = month_bounds(year, mon)
    try:
        span = utc_range_for_days(first, last)
    except OverflowError:
        raise _out_of_range(f"{year:04d}-{mon:02d}") from None
    items = _load(s, *span, filters)
    grid = month_grid(items, year, mon, filters, today)
    grid.blackouts = _marks(s, filters, first, last)
    return grid, month_count_rows(items, year, mon, filters)


def _out_of_range(value) -> Exception:

    return UsageError(f"{value} is too close to the end of the calendar (years 1 to 9999).")
