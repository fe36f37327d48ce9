"""The schedule generator: pure, deterministic, no I/O.

Given a bulk job, a calendar (period, zone, blackouts, what is already on it),
the platform timing windows and the user's preferences, :func:`plan` returns
the new items, the requests it could not place (with the reason) and the
videos it skipped.

How it works (see the README, "How the planner works"):

1. Candidate slots: for each platform and format, every ``slot_minutes`` step
   inside a timing window, on every day of the period, as wall-clock times in
   the calendar's zone. Nonexistent local times (spring forward) are dropped;
   ambiguous ones (fall back) take the first occurrence (RFC 5545). Slots in a
   blackout, on an avoided day or hour, or before "now" are dropped. A slot's
   score is the best score of the windows covering it (plus 0.05 on a
   preferred day or hour, capped at 1).
2. Greedy: requests in priority order (job, then video priority; then ready
   time; then input order), each video's platforms in the stagger order, each
   to its best feasible slot (highest score, then earliest).
3. Repair: an unplaced request may take a slot held by a placed one when that
   one can move to another feasible slot (one ejection), so that as many
   requests as possible are placed.
4. Improve: each new item moves to a better feasible slot, or trades slots
   with another new item, while the total score grows.

Hard constraints, never broken: inside a window; not in a blackout; within
the period; not before the video's ``ready_at`` or "now"; per platform at most
``max_per_day`` a local day and ``max_per_week`` an ISO week (counting the
items already on the user's calendars); at least ``min_spacing`` between two
posts on one platform; one video's posts follow the stagger order with at
least the stagger gap between consecutive platforms. Existing items never move.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import itemgetter
from zoneinfo import ZoneInfo

from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    JobPriority,
    JobStatus,
    Platform,
    PlatformTimingData,
    ScheduleStatus,
    TimingWindow,
    UserSchedulingPreferences,
    VideoJob,
    idempotency_key,
    item_id_for,
)
from calcli.core.times import daterange, resolve_local
from calcli.files.calendar import blackout_hits
from calcli.files.preferences import Stagger, in_hours
from calcli.files.timing import TimingTable, choose_format

PREFERENCE_BONUS = 0.05
_NO_CAPS = (None, None)
_NEVER = float("inf")  # no upper bound on a post's instant


@dataclass(slots=True, eq=False)
class Slot:
    """One candidate posting instant on one platform."""

    utc: float  # epoch seconds, for arithmetic
    day: date  # local date
    week: tuple[int, int]  # ISO (year, week) of the local date
    score: float
    window: TimingWindow | None
    tz: ZoneInfo
    fmt: str = ""

    @property
    def at(self) -> datetime:
        """The instant in the calendar's zone (made on demand: most slots are never used)."""
        return datetime.fromtimestamp(self.utc, self.tz)


@dataclass(slots=True, eq=False)
class Booked:
    """An item already on a calendar as the planner sees it: what counts against caps, spacing and
    the stagger, without the rest of a :class:`ContentScheduleItem` (a re-plan of a 30,000-item
    calendar need not build 30,000 full items). ``PlanInput.existing`` takes either."""

    idempotency_key: str
    calendar: str
    video_job_id: str
    bulk_job_id: str | None
    platform: Platform
    format: str
    status: ScheduleStatus
    utc: float  # epoch seconds
    timezone: str

    @property
    def scheduled_at(self) -> datetime:
        return datetime.fromtimestamp(self.utc, ZoneInfo(self.timezone))


def _local(item, tz: ZoneInfo) -> datetime:
    """An existing item's instant in ``tz`` (a Booked one from its epoch seconds)."""
    if type(item) is Booked:
        return datetime.fromtimestamp(item.utc, tz)
    return item.scheduled_at.astimezone(tz)


def _booking(item, tz: ZoneInfo) -> tuple[float, date, tuple[int, int], str]:
    """What an item holds on its platform's board: its instant, local day, ISO week and format."""
    local = _local(item, tz)
    day = local.date()
    iso = day.isocalendar()
    return local.timestamp(), day, (iso[0], iso[1]), item.format


@dataclass(slots=True)
class Request:
    """One video wanting one post on one platform."""

    video: VideoJob
    platform: Platform
    fmt: PlatformTimingData
    key: str
    rank: tuple  # smaller is more important
    earliest: float  # epoch seconds

    @property
    def klass(self) -> int:
        """0 for urgent … 3 for low: which score of the objective this request adds to."""
        return 3 + self.rank[1] if len(self.rank) > 1 else 2


@dataclass
class Unplaced:
    video_job_id: str
    platform: str
    reason: str


@dataclass
class Skipped:
    video_job_id: str
    reason: str


@dataclass
class PlanResult:
    items: list[ContentScheduleItem] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # keys already on a calendar
    warnings: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # item id -> the window it went to

    @property
    def score(self) -> float:
        return sum(i.score or 0 for i in self.items)


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


@dataclass
class PlanInput:
    job: BulkJob
    calendar: ContentCalendar
    existing: list[ContentScheduleItem | Booked]  # the user's items that count (this and other calendars)
    timing: TimingTable
    prefs: dict[Platform, UserSchedulingPreferences]
    stagger: Stagger
    now: datetime
    slot_minutes: int = 30
    start: date | None = None  # planning window inside the period
    end: date | None = None
    keys_elsewhere: dict[str, str] = field(default_factory=dict)
    platform_caps: dict[Platform, int] = field(default_factory=dict)  # posts a day the platform takes
    excluded: dict[str, str] = field(default_factory=dict)  # idempotency key -> why it cannot be posted


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


def _day_layout(
    fmt: PlatformTimingData, weekday: int, step: timedelta, prefs: UserSchedulingPreferences | None
) -> list[tuple[time, TimingWindow, float]]:
    """The slot times of one weekday with their best window and score (preferences applied)."""
    times: dict[time, TimingWindow] = {}
    anchor = date(2001, 1, 1)  # any date: only the times of day matter here
    for w in fmt.windows:
        if weekday not in w.days:
            continue
        t = datetime.combine(anchor, w.start)
        stop = datetime.combine(anchor + timedelta(days=1) if w.end == time(0) else anchor, w.end)
        while t < stop and t.date() == anchor:
            best = times.get(t.time())
            if best is None or w.score > best.score:
                times[t.time()] = w
            t += step
    out = []
    for tod in sorted(times):
        if prefs and prefs.avoided_hours and in_hours(tod, prefs.avoided_hours):
            continue
        w = times[tod]
        score = w.score
        if prefs and (
            weekday in prefs.preferred_days or (prefs.preferred_hours and in_hours(tod, prefs.preferred_hours))
        ):
            score = min(1.0, score + PREFERENCE_BONUS)
        out.append((tod, w, round(score, 4)))
    return out


def candidate_slots(
    inp: PlanInput, fmt: PlatformTimingData, limits: Limits, tz: ZoneInfo, first: date, last: date
) -> list[Slot]:
    """Every allowed slot of one platform format, best first (score desc, then time).

    A day whose UTC offset is the same at both ends has no DST change, so its
    wall-clock times map to instants with that one offset; only the few days
    with a change go through :func:`resolve_local` slot by slot.
    """
    step = timedelta(minutes=inp.slot_minutes)
    prefs = limits.prefs
    now_ts = inp.now.timestamp()
    name = fmt.format
    exceptions = [e for e in inp.calendar.exceptions if e.applies_to(fmt.platform)]
    by_score: dict[float, list[Slot]] = {}  # each list fills in time order: no sort needed
    # Per weekday, each slot time: (seconds after midnight, time of day, window, score, its score's list).
    layouts = [
        []
        if prefs and wd in prefs.avoided_days
        else [
            (tod.hour * 3600 + tod.minute * 60, tod, w, score, by_score.setdefault(score, []))
            for tod, w, score in _day_layout(fmt, wd, step, prefs)
        ]
        for wd in range(7)
    ]
    one_day = timedelta(days=1)
    for day in daterange(first, last):
        layout = layouts[day.weekday()]
        if not layout:
            continue
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        next_midnight = midnight + one_day
        offset = midnight.utcoffset()
        steady = offset == next_midnight.utcoffset()
        base = midnight.timestamp()
        iso = day.isocalendar()
        week = (iso[0], iso[1])
        blackouts = [e for e in exceptions if _touches(e, day)]
        for secs, tod, w, score, bucket in layout:
            if steady:
                utc = base + secs
            else:
                at = resolve_local(datetime.combine(day, tod), tz)
                if at is None:
                    continue  # a wall-clock time that does not exist today (spring forward)
                utc = at.timestamp()
            if utc < now_ts:
                continue
            slot = Slot(utc, day, week, score, w, tz, name)
            if blackouts and any(blackout_hits(e, fmt.platform, slot.at) for e in blackouts):
                continue
            bucket.append(slot)
    return [slot for score in sorted(by_score, reverse=True) for slot in by_score[score]]


def _touches(exc, day: date) -> bool:
    """Whether a blackout could cover any time of ``day`` (a cheap pre-filter)."""
    if exc.yearly:
        return True
    start = exc.start.date() if isinstance(exc.start, datetime) else exc.start
    end = exc.end.date() if isinstance(exc.end, datetime) else exc.end
    return start <= day <= end


@dataclass(slots=True)
class Skips:
    """A pruning search's state on one SlotIndex, per level: skip pointers (a slot not yet
    skipped points to itself) and how many of the level's slots are not yet skipped."""

    pointers: list[list[int]]
    left: list[int]


class SlotIndex:
    """One platform format's slots by score level (best first), each level in time order.

    ``search`` finds the best free slot inside a time interval by bisecting each
    level. Given ``Skips`` (from ``skips``, for a phase where caps and spacing only
    tighten and each slot found is taken), a full slot is skipped for good through
    path-compressed skip pointers, and so is the slot found: every slot is looked at a
    bounded number of times, and a level with no slot left is passed over at once.
    """

    def __init__(self, slots: list[Slot]):
        """``slots`` sorted best first (score descending, then time), as candidate_slots gives them."""
        self.levels: list[tuple[float, list[Slot], list[float]]] = []  # (score, slots, their instants)
        start = 0
        for end in range(1, len(slots) + 1):
            if end == len(slots) or slots[end].score != slots[start].score:
                level = slots[start:end]
                self.levels.append((level[0].score, level, [s.utc for s in level]))
                start = end

    def skips(self) -> Skips:
        """The state of a pruning search with nothing skipped yet."""
        return Skips(
            [list(range(len(slots) + 1)) for _, slots, _ in self.levels], [len(slots) for _, slots, _ in self.levels]
        )

    def search(
        self, lo: float, hi: float, board: Board, skips: Skips | None = None, above: float = -1.0, accept=None
    ) -> Slot | None:
        free = board.free
        for level, (score, slots, times) in enumerate(self.levels):
            if score <= above:
                break
            skip = None
            if skips is not None:
                if not skips.left[level]:
                    continue
                skip = skips.pointers[level]
            i = bisect.bisect_left(times, lo)
            if skip is not None and skip[i] != i:
                i = _find(skip, i)
            n = len(slots)
            while i < n and times[i] <= hi:
                slot = slots[i]
                if free(slot):
                    if accept is None or accept(slot):
                        if skip is not None:  # the caller takes it
                            skip[i] = i + 1
                            skips.left[level] -= 1
                        return slot
                    i = i + 1 if skip is None else _find(skip, i + 1)
                elif skip is not None:
                    skip[i] = i + 1
                    skips.left[level] -= 1
                    i = _find(skip, i + 1)
                else:
                    i += 1
        return None


def _find(skip: list[int], i: int) -> int:
    """The first position from ``i`` on not skipped for good (path compression on the way)."""
    root = i
    while skip[root] != root:
        root = skip[root]
    while skip[i] != root:
        skip[i], i = root, skip[i]
    return root


class Planner:
    """Holds the state of one planning run; :func:`plan` is the entry point."""

    def __init__(self, inp: PlanInput):
        self.inp = inp
        self.tz = ZoneInfo(inp.calendar.timezone)
        cal = inp.calendar
        self.first = max(cal.period_start, inp.start or cal.period_start)
        self.last = min(cal.period_end, inp.end or cal.period_end)
        self.boards: dict[Platform, Board] = {}
        self.slots: dict[tuple[Platform, str], list[Slot]] = {}
        self.indexes: dict[tuple[Platform, str], SlotIndex] = {}
        self.skips: dict[tuple[Platform, str], Skips] = {}  # pruning searches' state while slots only fill up
        self.limits: dict[Platform, Limits] = {}
        self.placed: dict[str, tuple[Request, Slot]] = {}  # key -> placement
        self.by_video: dict[str, dict[Platform, float]] = {}
        self.order = {p: i for i, p in enumerate(inp.stagger.order)}
        self.gap = inp.stagger.gap_minutes * 60.0
        self.complete_order = all(p in self.order for p in Platform)
        self.on_day: dict[tuple[Platform, date], set[str]] = {}
        self.on_week: dict[tuple[Platform, tuple[int, int]], set[str]] = {}
        self.budget = 0
        self.new_on: dict[Platform, int] = {}  # new placements per platform

    # ------------------------------------------------------------ setup
    def board(self, platform: Platform, fmt: PlatformTimingData) -> Board:
        if platform not in self.boards:
            formats = self.inp.timing.for_platform(platform)
            if not any(f.format == fmt.format for f in formats):
                formats = [fmt, *formats]
            lim = limits_for(platform, formats, self.inp.prefs.get(platform), self.inp.platform_caps.get(platform))
            self.limits[platform] = lim
            board = Board(lim)
            canceled, tz = ScheduleStatus.CANCELED, self.tz
            for item in self.inp.existing:
                if item.platform == platform and item.status != canceled:
                    board.add(*_booking(item, tz))
            self.boards[platform] = board
        return self.boards[platform]

    def unbook(self, item) -> None:
        """Take an item already on the calendar off its platform's board (it may move)."""
        self.boards[item.platform].remove(*_booking(item, self.tz))

    def book(self, item) -> None:
        """Put an item (back) on its platform's board."""
        self.boards[item.platform].add(*_booking(item, self.tz))

    def add_existing_to_stagger(self) -> None:
        """Posts of this job's videos already on a calendar constrain the stagger of the new ones."""
        job = self.inp.job.bulk_job_id
        for item in self.inp.existing:
            if item.bulk_job_id == job and item.status != ScheduleStatus.CANCELED:
                utc = item.utc if type(item) is Booked else item.scheduled_at.timestamp()
                self.by_video.setdefault(item.video_job_id, {})[item.platform] = utc

    def slots_for(self, req: Request) -> list[Slot]:
        k = (req.platform, req.fmt.format)
        if k not in self.slots:
            self.slots[k] = candidate_slots(
                self.inp, req.fmt, self.limits[req.platform], self.tz, self.first, self.last
            )
        return self.slots[k]

    # ------------------------------------------------------------ feasibility
    def conflict(self, req: Request, slot: Slot) -> str | None:
        """Why ``req`` cannot take ``slot`` now, or None when it can."""
        if slot.utc < req.earliest:
            return "before the video is ready"
        why = self.boards[req.platform].conflict(slot)
        if why:
            return why
        return self.stagger_conflict(req, slot.utc)

    def feasible(self, req: Request, slot: Slot) -> bool:
        """``conflict(req, slot) is None``, without building the message."""
        return (
            slot.utc >= req.earliest
            and self.boards[req.platform].free(slot)
            and self.stagger_conflict(req, slot.utc) is None
        )

    def stagger_conflict(self, req: Request, utc: float) -> str | None:
        mine = self.order.get(req.platform, len(self.order))
        for other, t in self.by_video.get(req.video.video_job_id, {}).items():
            if other == req.platform:
                continue
            theirs = self.order.get(other, len(self.order))
            if theirs < mine and utc < t + self.gap:
                return f"stagger: must follow {other.value} by at least {int(self.gap // 60)} min"
            if theirs > mine and utc > t - self.gap:
                return f"stagger: must precede {other.value} by at least {int(self.gap // 60)} min"
            if theirs == mine and abs(utc - t) < self.gap:
                return f"stagger: too close to the {other.value} post"
        return None

    def place(self, req: Request, slot: Slot) -> None:
        platform, key, day, week = req.platform, req.key, slot.day, slot.week
        self.boards[platform].add(slot.utc, day, week, slot.fmt)
        self.placed[key] = (req, slot)
        video = self.by_video.get(req.video.video_job_id)
        if video is None:
            video = self.by_video[req.video.video_job_id] = {}
        video[platform] = slot.utc
        self.new_on[platform] = self.new_on.get(platform, 0) + 1
        keys = self.on_day.get((platform, day))
        if keys is None:
            self.on_day[(platform, day)] = {key}
        else:
            keys.add(key)
        keys = self.on_week.get((platform, week))
        if keys is None:
            self.on_week[(platform, week)] = {key}
        else:
            keys.add(key)

    def unplace(self, req: Request) -> Slot:
        _, slot = self.placed.pop(req.key)
        self.boards[req.platform].remove(slot.utc, slot.day, slot.week, slot.fmt)
        del self.by_video[req.video.video_job_id][req.platform]
        self.new_on[req.platform] -= 1
        self.on_day[(req.platform, slot.day)].discard(req.key)
        self.on_week[(req.platform, slot.week)].discard(req.key)
        return slot

    def bounds(self, req: Request) -> tuple[float, float]:
        """The time interval the stagger and ``ready_at`` leave for ``req``."""
        lo, hi = req.earliest, _NEVER
        posts = self.by_video.get(req.video.video_job_id)
        if not posts:
            return lo, hi
        order, gap, platform = self.order, self.gap, req.platform
        mine = order.get(platform, len(order))
        for other, t in posts.items():
            if other == platform:
                continue
            theirs = order.get(other, len(order))
            if theirs < mine:
                lo = max(lo, t + gap)
            elif theirs > mine:
                hi = min(hi, t - gap)
        return lo, hi

    def index(self, req: Request) -> SlotIndex:
        k = (req.platform, req.fmt.format)
        index = self.indexes.get(k)
        if index is None:
            index = self.indexes[k] = SlotIndex(self.slots_for(req))
        return index

    def best_slot(
        self, req: Request, better_than: float = -1.0, prune: bool = False, until: float = _NEVER
    ) -> Slot | None:
        """The best feasible slot for ``req`` (highest score, then earliest; none after ``until``), or None.

        With ``prune`` (while slots only fill up, and the slot found is taken) the search skips
        for good what it finds full.
        """
        lo, hi = self.bounds(req)
        if until < hi:
            hi = until
        if lo > hi:
            return None
        accept = None
        if not self.complete_order:  # a platform outside the order: check the stagger slot by slot
            accept = lambda slot: self.stagger_conflict(req, slot.utc) is None  # noqa: E731
        index = self.index(req)
        skips = None
        if prune:
            k = (req.platform, req.fmt.format)
            skips = self.skips.get(k)
            if skips is None:
                skips = self.skips[k] = index.skips()
        return index.search(lo, hi, self.boards[req.platform], skips, better_than, accept)

    # ------------------------------------------------------------ phases
    def run(self, requests: list[Request]) -> list[Request]:
        self.add_existing_to_stagger()
        for req in requests:
            if req.platform not in self.boards:
                self.board(req.platform, req.fmt)
        unplaced = []
        for req in requests:
            slot = self.best_slot(req, prune=True)
            if slot is None:
                unplaced.append(req)
            else:
                self.place(req, slot)
        self.skips.clear()  # skip pointers are only valid while nothing moves
        # Repair and improvement are local searches with a work budget (feasibility
        # checks), so that a large job stays fast; small jobs get them in full.
        self.budget = 200_000 if len(requests) <= 2000 else 20_000
        if unplaced:
            unplaced = self.repair(unplaced)
        if unplaced:
            unplaced = self.swap_in(unplaced)
        self.improve(requests)
        # Moves may have freed slots: a last pass makes the plan maximal (no unplaced
        # request has a feasible slot left), which is what makes a re-plan a no-op.
        still = []
        self.skips.clear()  # from here on slots only fill up again: skip pointers are valid
        for req in unplaced:
            slot = self.best_slot(req, prune=True)
            if slot is None:
                still.append(req)
            else:
                self.place(req, slot)
        if len(requests) <= EXACT_MAX_REQUESTS:
            ExactSearch(self, requests).run()
            still = [r for r in requests if r.key not in self.placed]
        return still

    def spend(self, n: int = 1) -> bool:
        self.budget -= n
        return self.budget > 0

    def repair(self, unplaced: list[Request]) -> list[Request]:
        """Place more: let an unplaced request eject a placed one that can move elsewhere."""
        return [req for req in unplaced if not self._make_room(req)[0]]

    def swap_in(self, unplaced: list[Request]) -> list[Request]:
        """Score more with as many posts: an unplaced request takes the slot of a placed one that
        cannot move elsewhere, when its slot scores higher (or its video is more important). The
        request put out is left unplaced; it never displaces a more important video's post. (When
        the one in its way can move after all, both are placed: one more post, better still.)"""
        still = []
        for req in unplaced:
            placed, out = self._make_room(req, swap=True)
            if not placed:
                still.append(req)
            elif out is not None:
                still.append(out)
        return still

    def _could_make_room(self, req: Request) -> bool:
        """Only new items can move: whether one could free a slot for ``req`` (a new item on its
        platform, or a new post of its own video)."""
        if self.new_on.get(req.platform):
            return True
        job = self.inp.job.bulk_job_id
        return any(
            idempotency_key(job, req.video.video_job_id, p) in self.placed
            for p in self.by_video.get(req.video.video_job_id, {})
        )

    def _make_room(self, req: Request, swap: bool = False) -> tuple[bool, Request | None]:
        """Place ``req`` in a slot (best first) held by a new item that then moves to another slot.
        With ``swap``, that item may also be put out when it has nowhere to go, if the swap raises
        the objective (see value_of). Whether ``req`` got a slot, and the request it put out."""
        if not self._could_make_room(req):
            return False, None
        for slot in self.slots_for(req):
            if not self.spend():
                return False, None
            if slot.utc < req.earliest:
                continue
            for victim in self._blockers(req, slot):
                if swap:
                    vscore = self.placed[victim.key][1].score
                    if victim.klass < req.klass or (victim.klass == req.klass and slot.score <= vscore + 1e-9):
                        continue  # putting it out would not raise the objective
                if not self.spend(4):
                    return False, None
                vslot = self.unplace(victim)
                if self.feasible(req, slot):
                    self.place(req, slot)
                    alt = self.best_slot(victim)
                    if alt is not None:
                        self.place(victim, alt)
                        return True, None
                    if swap:
                        return True, victim
                    self.unplace(req)
                self.place(victim, vslot)
        return False, None

    def _blockers(self, req: Request, slot: Slot) -> list[Request]:
        """Placed new requests whose removal might free ``slot``: same platform and day or
        week (caps, spacing), or the same video (stagger)."""
        keys = set(self.on_day.get((req.platform, slot.day), ()))
        lim = self.limits[req.platform]
        why = self.boards[req.platform].conflict(slot)
        if why and "weekly" in why:
            keys |= self.on_week.get((req.platform, slot.week), set())
        if lim.spacing > 86400:
            keys |= self.on_week.get((req.platform, slot.week), set())
        for other_platform in self.by_video.get(req.video.video_job_id, {}):
            keys.add(idempotency_key(req.key.split("/")[0], req.video.video_job_id, other_platform))
        out = [self.placed[k][0] for k in keys if k in self.placed and k != req.key]
        out.sort(key=lambda r: (r.rank, r.key))
        return out

    def improve(self, requests: list[Request], rounds: int = 4) -> None:
        """Move new items to better slots (alone, or trading with another) while the total grows."""
        for _ in range(rounds):
            changed = False
            for req in requests:
                if req.key not in self.placed:
                    continue
                if not self.spend(10):
                    return  # the work budget is spent (for good): nothing more moves
                current = self.placed[req.key][1]
                old = self.unplace(req)
                better = self.best_slot(req, better_than=current.score)
                if better is not None and better.score > current.score:
                    self.place(req, better)
                    changed = True
                    continue
                self.place(req, old)
                if self._trade(req):
                    changed = True
            if not changed:
                break

    def _trade(self, req: Request) -> bool:
        """Take a better slot held by another new item when that item can go elsewhere for a net gain."""
        _, current = self.placed[req.key]
        for slot in self.slots_for(req):
            if slot.score <= current.score:
                break
            if slot.utc < req.earliest:
                continue
            if not self.spend():
                return False
            for other in self._blockers(req, slot):
                if other.key == req.key or other.key not in self.placed or not self.spend(4):
                    continue
                oslot = self.placed[other.key][1]
                if other.rank[:2] < req.rank[:2] and other.platform == req.platform:
                    continue  # a more important video keeps its better slot: priority before total score
                before = current.score + oslot.score
                self.unplace(req)
                self.unplace(other)
                if self.feasible(req, slot):
                    self.place(req, slot)
                    alt = self.best_slot(other)
                    if alt is not None and slot.score + alt.score > before + 1e-9:
                        self.place(other, alt)
                        return True
                    self.unplace(req)
                self.place(req, current)
                self.place(other, oslot)
        return False


EXACT_MAX_REQUESTS = 16  # jobs up to this many requests are solved exactly (within EXACT_BUDGET)
EXACT_BUDGET = 50_000  # feasibility checks the exact search may spend before it keeps what it has


def value_of(placements: list[tuple[Request, Slot]]) -> tuple:
    """The planner's objective, compared lexicographically: how many posts are placed, then the total
    window score of urgent videos' posts, then high, normal and low ones (so with one priority for
    all it is simply the total score, and a more important video never gives up score to a lesser one)."""
    scores = [0.0, 0.0, 0.0, 0.0]
    for req, slot in placements:
        scores[req.klass] += slot.score
    return (len(placements), *(round(x, 9) for x in scores))


class ExactSearch:
    """Branch and bound over every request's allowed slots, starting from the heuristic plan.

    Requests are decided in priority order, each trying its slots best first and then "not placed".
    A branch is cut when an optimistic bound — each undecided request at its best slot still free,
    at most as many per platform as its remaining weekly room — cannot beat the best plan found. When
    the work budget runs out the best plan so far is kept (the heuristic's at worst), so the result
    is optimal whenever the search completes.
    """

    def __init__(self, planner: Planner, requests: list[Request]):
        self.p = planner
        self.reqs = requests
        self.budget = EXACT_BUDGET
        self.complete = True

    def run(self) -> bool:
        p = self.p
        best_plan = [(r, p.placed[r.key][1]) for r in self.reqs if r.key in p.placed]
        self.best = value_of(best_plan)
        self.best_plan = best_plan
        for r in self.reqs:
            if r.key in p.placed:
                p.unplace(r)
        self.domains = {r.key: [s for s in p.slots_for(r) if s.utc >= r.earliest] for r in self.reqs}
        self.weeks = self._weeks()
        try:
            self._search(0, [])
        except _OutOfBudget:
            self.complete = False
            for r in self.reqs:  # the branch being explored when the budget ran out is still placed
                if r.key in p.placed:
                    p.unplace(r)
        for r, slot in self.best_plan:
            p.place(r, slot)
        return self.complete

    def _weeks(self) -> list[tuple[int, int]]:
        out, d = [], self.p.first
        while d <= self.p.last:
            iso = d.isocalendar()
            if (iso[0], iso[1]) not in out:
                out.append((iso[0], iso[1]))
            d += timedelta(days=1)
        return out

    def _spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _OutOfBudget

    def _feasible(self, r: Request, slot: Slot) -> bool:
        return self.p.boards[r.platform].free(slot) and self.p.stagger_conflict(r, slot.utc) is None

    def _best_free(self, r: Request) -> Slot | None:
        for slot in self.domains[r.key]:
            self._spend(1)
            if self._feasible(r, slot):
                return slot
        return None

    def _bound(self, i: int, chosen: list) -> tuple:
        per_platform: dict[Platform, list[tuple[int, float]]] = {}
        for r in self.reqs[i:]:
            slot = self._best_free(r)
            if slot is not None:
                per_platform.setdefault(r.platform, []).append((r.klass, slot.score))
        count, scores = len(chosen), [0.0, 0.0, 0.0, 0.0]
        for req, slot in chosen:
            scores[req.klass] += slot.score
        for platform, found in per_platform.items():
            room = self._room(platform, found)
            found.sort(key=lambda x: -x[1])
            classes = {k for k, _ in found}
            take = found[:room] if len(classes) == 1 else found  # mixed classes: every score may count
            count += min(room, len(found))
            for k, score in take:
                scores[k] += score
        return (count, *(round(x, 9) for x in scores))

    def _room(self, platform: Platform, found: list) -> int:
        board = self.p.boards[platform]
        caps = [
            c for c in (board.limits.max_per_week, *(w for _, w in board.limits.format_caps.values())) if c is not None
        ]
        if not caps or len(board.limits.format_caps) > 1:
            return len(found)
        cap = min(caps)
        return sum(max(cap - board.per_week.get(w, 0), 0) for w in self.weeks)

    def _search(self, i: int, chosen: list) -> None:
        if self._bound(i, chosen) <= self.best:
            return
        if i == len(self.reqs):
            self.best, self.best_plan = value_of(chosen), list(chosen)
            return
        r = self.reqs[i]
        for slot in self.domains[r.key]:
            self._spend(1)
            if not self._feasible(r, slot):
                continue
            self.p.place(r, slot)
            chosen.append((r, slot))
            self._search(i + 1, chosen)
            chosen.pop()
            self.p.unplace(r)
        self._search(i + 1, chosen)


class _OutOfBudget(Exception):
    pass


def _rank(job: BulkJob, video: VideoJob, index: int) -> tuple:
    vp = video.priority or job.priority
    ready = video.ready_at.timestamp() if video.ready_at else 0.0
    return (-job.priority.rank, -(vp or JobPriority.NORMAL).rank, ready, index)


def build_requests(inp: PlanInput, result: PlanResult) -> list[Request]:
    """The (video, platform) requests to place, in priority and stagger order."""
    job, cal = inp.job, inp.calendar
    have = {i.idempotency_key for i in inp.existing if i.calendar == cal.name}
    default_platforms = cal.platforms or list(inp.prefs) or list(Platform)
    now_ts = inp.now.timestamp()
    position: dict[Platform, int] = {}  # a platform's place in the stagger order (its first)
    for i, p in enumerate(inp.stagger.order):
        position.setdefault(p, i)
    fits: dict[tuple, tuple] = {}  # (platform, duration, aspect) -> (format, why not)
    videos = []  # (rank, the video's requests in stagger order)
    for index, video in enumerate(job.videos):
        if video.status != JobStatus.COMPLETED:
            result.skipped.append(Skipped(video.video_job_id, f"status is {video.status.value}, not completed"))
            continue
        platforms = video.platforms if video.platforms is not None else default_platforms
        if not platforms:
            result.skipped.append(
                Skipped(video.video_job_id, "no platforms (the video names none, nor does the calendar)")
            )
            continue
        rank = _rank(job, video, index)
        earliest = max(now_ts, video.ready_at.timestamp() if video.ready_at else now_ts)
        requests = []
        for platform in sorted(platforms, key=lambda p: position.get(p, 99)):
            key = idempotency_key(job.bulk_job_id, video.video_job_id, platform)
            if key in have:
                result.already.append(key)
                continue
            if key in inp.keys_elsewhere:
                result.unplaced.append(
                    Unplaced(
                        video.video_job_id, platform.value, f"already planned in calendar {inp.keys_elsewhere[key]}"
                    )
                )
                continue
            if key in inp.excluded:
                result.unplaced.append(Unplaced(video.video_job_id, platform.value, inp.excluded[key]))
                continue
            shape = (platform, video.duration_seconds, video.aspect_ratio)
            fit = fits.get(shape)
            if fit is None:
                fit = fits[shape] = _fit(inp, *shape)
            fmt, why = fit
            if fmt is None:
                result.unplaced.append(Unplaced(video.video_job_id, platform.value, why))
                continue
            requests.append(Request(video, platform, fmt, key, rank, earliest))
        if requests:
            videos.append((rank, requests))
    # Ranks differ (each ends with the video's index): ordering the videos orders the requests.
    videos.sort(key=itemgetter(0))
    return [r for _, requests in videos for r in requests]


def _fit(
    inp: PlanInput, platform: Platform, duration: float | None, aspect: str | None
) -> tuple[PlatformTimingData | None, str]:
    """The format a video of this shape takes on ``platform``, or None and why it cannot go there."""
    cal = inp.calendar
    if cal.platforms and platform not in cal.platforms:
        return None, f"{platform.value} is not among the calendar's platforms"
    prefs = inp.prefs.get(platform)
    if prefs is not None and not prefs.enabled:
        return None, f"{platform.value} is disabled in your preferences"
    fmt, why = choose_format(inp.timing, platform, duration, aspect)
    if fmt is None:
        return None, f"fits no {platform.value} format ({why})"
    return fmt, why


def plan(inp: PlanInput) -> PlanResult:
    """Place the bulk job's videos on the calendar; see the module docstring for the rules.

    >>> result = plan(PlanInput(job, calendar, [], load_timing(), {}, Stagger(), now))
    >>> [(i.platform.value, i.scheduled_at.isoformat()) for i in result.items]
    """
    result = PlanResult()
    result.warnings.extend(inp.timing.warnings)
    requests = build_requests(inp, result)
    planner = Planner(inp)
    failed = planner.run(requests)
    reasons: dict = {}
    for req in failed:
        why = _why_unplaced(planner, req, reasons)
        result.unplaced.append(Unplaced(req.video.video_job_id, req.platform.value, why))
    placed = []
    why = result.why
    texts: dict[tuple[int, float], str] = {}  # (id of the window, score) -> describe_window: a few for all items
    for req, slot in planner.placed.values():
        item = _item(inp, req, slot)
        text = texts.get((id(slot.window), slot.score))
        if text is None:
            text = texts[(id(slot.window), slot.score)] = describe_window(slot)
        why[item.id] = text
        placed.append(((slot.utc, req.platform._value_, item.id), item))  # slot.utc: the item's timestamp()
    placed.sort(key=itemgetter(0))
    result.items = [item for _, item in placed]
    result.unplaced.sort(key=lambda u: (u.video_job_id, u.platform))
    requested = {r.platform for r in requests} | {Platform.parse(u.platform) for u in result.unplaced}
    result.warnings.extend(frequency_warnings(planner, inp, requested))
    return result


def _why_unplaced(planner: Planner, req: Request, cache: dict) -> str:
    """Name the main reason a request found no slot, from a sample of its candidate slots.

    Requests alike (platform, format, ready time, no stagger partner placed) share the answer.
    """
    partners = [p for p in planner.by_video.get(req.video.video_job_id, {}) if p != req.platform]
    key = (req.platform, req.fmt.format, req.earliest)
    if not partners and key in cache:
        return cache[key]
    sample = cache.get(("sample", *key))
    if sample is None:
        slots = planner.slots_for(req)
        if not slots:
            if planner.first > planner.last:
                return "the planning window is empty"
            return (
                "no allowed slot in the period: every window is blacked out, avoided, in the past or outside the period"
            )
        ready = [s for s in slots if s.utc >= req.earliest]
        if not ready:
            return "no slot left after the video's ready_at in the period"
        step = max(1, len(ready) // 60)  # a sample is enough to name the main reason
        sample = cache[("sample", *key)] = (len(ready), ready[::step])
    count, slots = sample
    # planner.conflict(req, slot) for each sampled slot (all at or after req.earliest): the board's
    # reason (caps, spacing: the same for every request alike, and nothing moves any more), else the
    # stagger's (this video's). Only slots the board leaves free need a look per request.
    board = cache.get(("board", *key))
    if board is None:
        b = planner.boards[req.platform]
        board = cache[("board", *key)] = [b.conflict(slot) for slot in slots]
    text = cache.get(("full", *key)) if None not in board else None
    if text is None:
        reasons: dict[str, int] = {}
        for slot, why in zip(slots, board, strict=True):
            why = why or planner.stagger_conflict(req, slot.utc) or "unknown"
            reasons[why] = reasons.get(why, 0) + 1
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        text = f"no slot left in the period ({count} candidate slots, most ruled out by: {top})"
        if None not in board:  # every sampled slot is full on the board: the same answer for all alike
            cache[("full", *key)] = text
    if not partners:
        cache[key] = text
    return text


def describe_window(slot: Slot) -> str:
    if slot.window is None:
        return f"score {slot.score:g}"
    return _window_text(slot.window, slot.score > slot.window.score)


@lru_cache(maxsize=256)
def _window_text(w: TimingWindow, bonus: bool) -> str:
    end = "24:00" if w.end == time(0) else f"{w.end:%H:%M}"
    return f"{_days_text(w.days)} {w.start:%H:%M}-{end} window, score {w.score:g}" + (" + preference" if bonus else "")


def _days_text(days: frozenset[int]) -> str:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ds = sorted(days)
    if len(ds) == 7:
        return "daily"
    if len(ds) > 2 and ds == list(range(ds[0], ds[-1] + 1)):
        return f"{names[ds[0]]}-{names[ds[-1]]}"
    return ",".join(names[d] for d in ds)


def _item(inp: PlanInput, req: Request, slot: Slot) -> ContentScheduleItem:
    # Positional: keywords cost a call on this 20-field dataclass half again as much (30,000 items).
    return ContentScheduleItem(
        item_id_for(req.key),  # id
        req.key,  # idempotency_key
        inp.calendar.name,  # calendar
        inp.calendar.user_id,  # user_id
        req.video.video_job_id,  # video_job_id
        req.platform,  # platform
        req.fmt.format,  # format
        slot.at,  # scheduled_at
        ScheduleStatus.PLANNED,  # status
        inp.job.bulk_job_id,  # bulk_job_id
        slot.score,  # score
        req.video.title,  # title
    )


def frequency_warnings(planner: Planner, inp: PlanInput, requested: set[Platform] | None = None) -> list[str]:
    """Weeks in which a platform the job posts to falls short of its minimum posts (none are invented).

    The posts counted: the calendar's items (but canceled ones) and the planner's new placements.
    """
    out = []
    placed = planner.placed.values()
    platforms = sorted({req.platform for req, _ in placed} | (requested or set()), key=lambda p: p.value)
    weeks = []
    d = planner.first
    while d <= planner.last:
        monday = d - timedelta(days=d.weekday())
        if monday >= planner.first and monday + timedelta(days=6) <= planner.last:
            weeks.append(monday.isocalendar()[:2])
        d += timedelta(days=7 - d.weekday())
    limits = {}
    for platform in platforms:
        lim = planner.limits.get(platform) or limits_for(
            platform, inp.timing.for_platform(platform), inp.prefs.get(platform), inp.platform_caps.get(platform)
        )
        if lim and lim.min_per_week and weeks:
            limits[platform] = lim
    by_platform: dict[Platform, dict[tuple, int]] = {p: {} for p in limits}  # posts per ISO week, one pass
    name, canceled = inp.calendar.name, ScheduleStatus.CANCELED
    for i in inp.existing:
        counts = by_platform.get(i.platform)
        if counts is not None and i.calendar == name and i.status != canceled:
            iso = _local(i, planner.tz).date().isocalendar()
            counts[(iso[0], iso[1])] = counts.get((iso[0], iso[1]), 0) + 1
    for req, slot in placed:  # a slot knows its local ISO week
        counts = by_platform.get(req.platform)
        if counts is not None:
            counts[slot.week] = counts.get(slot.week, 0) + 1
    for platform, lim in limits.items():
        counts = by_platform[platform]
        short = [(w, counts.get(w, 0)) for w in weeks if counts.get(w, 0) < lim.min_per_week]
        if short:
            (y, wk), n = short[0]
            posts = "post" if lim.min_per_week == 1 else "posts"
            out.append(
                f"{platform.value}: {len(short)} of {len(weeks)} full weeks fall short of your minimum of "
                f"{lim.min_per_week} {posts} a week (e.g. {y}-W{wk:02d} has {n}); calcli does not invent posts"
            )
    return out


def single_request(
    inp: PlanInput, platform: Platform, fmt: PlatformTimingData, video_job_id: str, key: str
) -> tuple[Planner, Request]:
    """A planner holding ``inp.existing`` and a request for one more post (item add / move)."""
    planner = Planner(inp)
    planner.board(platform, fmt)
    for item in inp.existing:
        if (
            item.video_job_id == video_job_id
            and item.calendar == inp.calendar.name
            and item.status != ScheduleStatus.CANCELED
        ):
            planner.by_video.setdefault(video_job_id, {})[item.platform] = item.scheduled_at.timestamp()
    req = Request(VideoJob(video_job_id), platform, fmt, key, (0,), inp.now.timestamp())
    return planner, req


def slot_violations(
    inp: PlanInput, platform: Platform, fmt: PlatformTimingData, video_job_id: str, key: str, at: datetime
) -> list[str]:
    """Every hard constraint a post at ``at`` would break; empty when the slot is legal."""
    tz = ZoneInfo(inp.calendar.timezone)
    local = at.astimezone(tz)
    out = []
    cal = inp.calendar
    if not (cal.period_start <= local.date() <= cal.period_end):
        out.append(f"outside the calendar's period {cal.period_start}..{cal.period_end}")
    if at.timestamp() < inp.now.timestamp():
        out.append("in the past")
    wd, tod = local.weekday(), local.time().replace(second=0, microsecond=0, tzinfo=None)
    if not any(w.covers(wd, tod) for w in fmt.windows):
        out.append(f"outside every {platform.value} {fmt.format} timing window")
    prefs = inp.prefs.get(platform)
    if prefs and wd in prefs.avoided_days:
        out.append("on a day you avoid for this platform")
    if prefs and prefs.avoided_hours and in_hours(tod, prefs.avoided_hours):
        out.append("in hours you avoid for this platform")
    for exc in cal.exceptions:
        if exc.kind == "blackout" and blackout_hits(exc, platform, local):
            out.append(f"in blackout {exc.id}" + (f" ({exc.reason})" if exc.reason else ""))
    planner, req = single_request(inp, platform, fmt, video_job_id, key)
    iso = local.date().isocalendar()
    slot = Slot(at.timestamp(), local.date(), (iso[0], iso[1]), 0.0, None, tz, fmt.format)
    why = planner.boards[platform].conflict(slot) or planner.stagger_conflict(req, slot.utc)
    if why:
        out.append(why)
    return out


def best_free_slot(
    inp: PlanInput, platform: Platform, fmt: PlatformTimingData, video_job_id: str, key: str
) -> Slot | None:
    """Where the planner would put one more post of this video on this platform."""
    planner, req = single_request(inp, platform, fmt, video_job_id, key)
    return planner.best_slot(req)
