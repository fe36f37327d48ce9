"""Domain types of calcli: the seed's entities as plain dataclasses.

Nothing here does I/O. Files are parsed into these types by ``calcli.files.yamlio`` and
its users; the planner takes and returns them; the store mirrors them in DuckDB.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum

from calcli.core.errors import InvalidInput


class Platform(str, Enum):
    """The six platforms calcli plans for (``twitter`` is accepted as ``x``)."""

    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    INSTAGRAM = "instagram"
    X = "x"
    LINKEDIN = "linkedin"
    FACEBOOK = "facebook"

    @classmethod
    def parse(cls, value: str) -> Platform:
        """``Platform.parse("Twitter") -> Platform.X``; raises ValueError when unknown."""
        found = _PLATFORM_LOOKUP.get(value) if isinstance(value, str) else None
        if found is not None:
            return found
        v = str(value).strip().lower()
        v = PLATFORM_ALIASES.get(v, v)
        return cls(v)


PLATFORM_ALIASES = {"twitter": "x"}
PLATFORM_IDS = tuple(p.value for p in Platform)
_PLATFORM_LOOKUP = {p.value: p for p in Platform} | {"twitter": Platform.X}


class ScheduleStatus(str, Enum):
    """Lifecycle of a schedule item: planned → scheduled → posted / failed / canceled."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    POSTED = "posted"
    FAILED = "failed"
    CANCELED = "canceled"


TRANSITIONS: dict[ScheduleStatus, frozenset[ScheduleStatus]] = {
    ScheduleStatus.PLANNED: frozenset({ScheduleStatus.SCHEDULED, ScheduleStatus.CANCELED}),
    ScheduleStatus.SCHEDULED: frozenset({ScheduleStatus.POSTED, ScheduleStatus.FAILED, ScheduleStatus.CANCELED}),
    ScheduleStatus.FAILED: frozenset({ScheduleStatus.SCHEDULED, ScheduleStatus.CANCELED}),
    ScheduleStatus.POSTED: frozenset(),
    ScheduleStatus.CANCELED: frozenset(),
}


def check_transition(current: ScheduleStatus, new: ScheduleStatus, item_id: str = "") -> None:
    """Raise InvalidInput when ``current → new`` is not a legal lifecycle step."""
    legal = TRANSITIONS[current]
    if new not in legal:
        allowed = ", ".join(sorted(s.value for s in legal)) or "none (final status)"
        who = f"item {item_id}: " if item_id else ""
        raise InvalidInput(
            f"{who}cannot change status from {current.value} to {new.value}; legal next statuses: {allowed}"
        )


class JobStatus(str, Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"


class JobPriority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Higher is more important: low 0 … urgent 3."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {JobPriority.LOW: 0, JobPriority.NORMAL: 1, JobPriority.HIGH: 2, JobPriority.URGENT: 3}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The counts of one KPI snapshot, and the canonical columns of a KPI export row (README).
KPI_COUNTS = ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks")
KPI_COLUMNS = ("item_id", "platform", "post_id", "post_url", "metric_at", *KPI_COUNTS, "watch_time_seconds")


@dataclass
class VideoJob:
    """One finished (or not yet finished) video of a bulk job."""

    video_job_id: str
    title: str = ""
    description: str = ""
    duration_seconds: float | None = None
    aspect_ratio: str | None = None
    hashtags: list[str] = field(default_factory=list)
    platforms: list[Platform] | None = None
    status: JobStatus = JobStatus.COMPLETED
    ready_at: datetime | None = None
    priority: JobPriority | None = None
    line: int | None = None


@dataclass
class BulkJob:
    """The upstream pipeline's batch of videos (the bulk.json contract)."""

    bulk_job_id: str
    user_id: str
    name: str = ""
    priority: JobPriority = JobPriority.NORMAL
    videos: list[VideoJob] = field(default_factory=list)
    path: str = ""


@dataclass
class ScheduleException:
    """A blackout window (no posts) or a manual override, per calendar.

    ``start``/``end`` are dates (whole days, inclusive) or local datetimes
    (``end`` exclusive). ``platforms`` empty means every platform. ``yearly``
    repeats the window every year (holidays).
    """

    id: str
    start: date | datetime
    end: date | datetime
    kind: str = "blackout"
    platforms: tuple[Platform, ...] = ()
    yearly: bool = False
    reason: str = ""
    item_id: str | None = None  # for a manual override: the item moved past a hard constraint
    line: int | None = None

    def applies_to(self, platform: Platform) -> bool:
        return self.kind == "blackout" and (not self.platforms or platform in self.platforms)


@dataclass
class ScheduleAssignment:
    """Who posts an item (the worker-facing view)."""

    item_id: str
    worker: str
    user_id: str
    assigned_at: datetime | None = None


@dataclass
class ContentScheduleItem:
    """One post of one video on one platform at one instant."""

    id: str
    idempotency_key: str
    calendar: str
    user_id: str
    video_job_id: str
    platform: Platform
    format: str
    scheduled_at: datetime  # aware, in the calendar's zone
    status: ScheduleStatus = ScheduleStatus.PLANNED
    bulk_job_id: str | None = None
    score: float | None = None
    title: str = ""
    assignee: str | None = None
    notes: str = ""
    post_ref: str | None = None  # the URL or id the publisher printed
    caption: str = ""  # this platform's text (calcli.planning.variants.derive), editable by hand
    hashtags: list[str] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # as parsed
    created_at: datetime | None = None
    updated_at: datetime | None = None
    line: int | None = None
    end_line: int | None = None


@dataclass
class ContentCalendar:
    """A calendar file: its header, its exceptions and its items."""

    name: str
    user_id: str
    timezone: str
    period_start: date
    period_end: date
    title: str = ""
    platforms: list[Platform] = field(default_factory=list)
    bulk_job_ids: list[str] = field(default_factory=list)
    status: str = "active"
    created_at: datetime | None = None
    updated_at: datetime | None = None
    exceptions: list[ScheduleException] = field(default_factory=list)
    items: list[ContentScheduleItem] = field(default_factory=list)
    path: str = ""


@dataclass(frozen=True)
class TimingWindow:
    """A recurring local-time window with a relative score in (0, 1]."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time  # exclusive; 00:00 means midnight at the end of the day
    score: float
    source: str = ""

    def covers(self, weekday: int, t: time) -> bool:
        if weekday not in self.days or t < self.start:
            return False
        return self.end == time(0) or t < self.end


@dataclass
class Frequency:
    """Posting frequency guideline or user cap for one platform."""

    min_per_week: int | None = None
    max_per_week: int | None = None
    max_per_day: int | None = None


@dataclass
class PlatformTimingData:
    """Research baseline (or learned windows) for one platform and format."""

    platform: Platform
    format: str
    windows: list[TimingWindow]
    frequency: Frequency
    label: str = ""
    min_duration: float | None = None
    max_duration: float | None = None
    aspects: tuple[str, ...] = ()  # empty: any aspect ratio
    aspect_range: tuple[float, float] | None = None  # narrowest, widest (width / height)
    auto: bool = True  # chosen by the format mapping (False: only when asked for)
    sources: dict[str, str] = field(default_factory=dict)
    checked: str = ""
    fallback: bool = False
    learned: bool = False  # windows from the user's own numbers (timing_data/learned.yaml)


@dataclass
class UserSchedulingPreferences:
    """One user's scheduling preferences for one platform."""

    user_id: str
    platform: Platform
    timezone: str
    posting_frequency_min: int | None = None
    posting_frequency_max: int | None = None
    max_per_day: int | None = None
    min_spacing_minutes: int = 0
    preferred_days: frozenset[int] = frozenset()
    avoided_days: frozenset[int] = frozenset()
    preferred_hours: tuple[tuple[time, time], ...] = ()
    avoided_hours: tuple[tuple[time, time], ...] = ()
    enabled: bool = True
    max_late_minutes: int = 120  # DEFAULT_MAX_LATE_MINUTES: dispatch holds a post later than this as missed


@dataclass
class PerformanceKPIEvent:
    """A snapshot of a post's numbers at one moment (store-owned)."""

    event_key: int  # md5 of (platform, post) XOR the metric time: calcli.store.duckdb.kpi.event_key_sql
    user_id: str
    platform: Platform
    metric_at: datetime
    item_id: str | None = None
    post_id: str | None = None
    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    clicks: int | None = None
    watch_time_seconds: float | None = None


@dataclass
class OptimizationTrial:
    """An A/B trial of two scheduling strategies (store-owned)."""

    id: str
    user_id: str
    name: str
    metric: str
    arm_a: str
    arm_b: str
    status: str = "running"  # running | concluded
    assignment: str = "alternate"  # alternate | random (how units were given their arm)
    started_at: datetime | None = None
    concluded_at: datetime | None = None
    decision: str | None = None  # a | b | none, once concluded
    calendar: str = ""
    platform: str | None = None  # None: every platform of the calendar
    unit: str = "item"  # item | week: what is assigned to an arm (and analysed)
    seed: int = 0
    min_effect: float = 0.2  # the smallest lift worth detecting (0.2 = +20 %)
    alpha: float = 0.05
    period_start: date | None = None  # local dates of the calendar's zone, both included
    period_end: date | None = None
    planned_per_arm: int = 0  # units with numbers per arm for 80 % power at min_effect
    sigma: float = 0.0  # log-scale spread the plan assumed
    sigma_source: str = ""
    note: str | None = None


def idempotency_key(bulk_job_id: str, video_job_id: str, platform: Platform) -> str:
    """The key that makes planning idempotent: one item per (bulk job, video, platform)."""
    return f"{bulk_job_id}/{video_job_id}/{platform._value_}"


def item_id_for(key: str) -> str:
    """A short, stable item id derived from its idempotency key."""
    return "it_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


DEFAULT_ORDER = (
    Platform.YOUTUBE,
    Platform.TIKTOK,
    Platform.INSTAGRAM,
    Platform.FACEBOOK,
    Platform.LINKEDIN,
    Platform.X,
)


DEFAULT_GAP_MINUTES = 60


DEFAULT_SPACING_MINUTES = 60
# A post more than this late (the host asleep, cron broken) has lost its window: dispatch holds it
# as missed rather than post it at a time nobody chose. Windows are one to a few hours wide.
DEFAULT_MAX_LATE_MINUTES = 120


@dataclass
class Stagger:
    """The order in which one video goes out across platforms, and the gap between them."""

    order: tuple[Platform, ...] = DEFAULT_ORDER
    gap_minutes: int = DEFAULT_GAP_MINUTES


DEFAULT_HALF_LIFE_DAYS = 3.0  # a post's value halves for every this many days it waits after ready_at


@dataclass
class Planning:
    """How the planner weighs a plan: promptness (a half-life in days) and series order."""

    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    series_order: bool = True


@dataclass
class UserPreferences:
    user_id: str
    timezone: str | None
    platforms: dict[Platform, UserSchedulingPreferences] = field(default_factory=dict)
    stagger: Stagger = field(default_factory=Stagger)
    planning: Planning = field(default_factory=Planning)

    def for_platform(self, platform: Platform, timezone: str) -> UserSchedulingPreferences:
        return self.platforms.get(platform) or UserSchedulingPreferences(
            self.user_id, platform, self.timezone or timezone, min_spacing_minutes=DEFAULT_SPACING_MINUTES
        )


def in_hours(t: time, ranges: tuple[tuple[time, time], ...]) -> bool:
    return any(t >= s and (e == time(0) or t < e) for s, e in ranges)


@dataclass(frozen=True)
class PostFilter:
    """Which posts an analysis reads: one user's, optionally one calendar, platform, period (local
    dates, both included) or set of items."""

    user: str
    calendar: str | None = None
    platform: str | None = None
    since: date | None = None
    until: date | None = None
    items: tuple[str, ...] | None = None
