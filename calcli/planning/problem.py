"""The planner's data: its input (PlanInput), its candidate slots and requests, and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    PlatformTimingData,
    ScheduleStatus,
    Stagger,
    TimingWindow,
    UserSchedulingPreferences,
    VideoJob,
)
from calcli.core.timing import TimingTable


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
    series: int = -1  # position in the job's order (series order), -1: none
    opens: float = 0.0  # the planning window's first instant: promptness counts from max(earliest, opens)

    @property
    def since(self) -> float:
        """When the video can first go out in this plan: what its promptness counts from."""
        return self.earliest if self.earliest > self.opens else self.opens

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
class PlanQuality:
    """The plan as a user judges it (see calcli.planning.goals and the README's "How the planner works")."""

    weeks: list = field(default_factory=list)  # goals.WeekStatus per platform and full week
    first_post_days: list[float] = field(default_factory=list)  # per video: days from ready to its first post
    inversions: int = 0  # series order broken (0 when series_order holds)


@dataclass
class PlanResult:
    items: list[ContentScheduleItem] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # keys already on a calendar
    warnings: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # item id -> the window it went to
    quality: PlanQuality | None = None  # with the objective's promptness (half_life) only

    @property
    def score(self) -> float:
        return sum(i.score or 0 for i in self.items)


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
    # The objective's promptness: a post's value halves every this many days after its video can go
    # out (None: no decay, value is the window score). The CLI passes the user's preference (3 days).
    half_life_days: float | None = None
    series_order: bool = False  # a job's videos of one priority go out in order on each platform
