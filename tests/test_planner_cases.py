"""Named cases of the pure planner: DST in three zones, leap day, statuses, priorities, caps,
formats, ready_at, blackouts, existing items, stagger, minimum frequency, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    Frequency,
    JobPriority,
    JobStatus,
    Platform,
    PlatformTimingData,
    ScheduleException,
    ScheduleStatus,
    Stagger,
    TimingWindow,
    UserSchedulingPreferences,
    VideoJob,
    idempotency_key,
    item_id_for,
)
from calcli.core.timing import TimingTable
from calcli.files.timing import load_timing
from calcli.planning.problem import PlanInput, PlanResult
from calcli.planning.solver import plan

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
YT, TT, IG, X, LI, FB = (
    Platform.YOUTUBE,
    Platform.TIKTOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.LINKEDIN,
    Platform.FACEBOOK,
)
EVERY_DAY = frozenset(range(7))


def window(start: time, end: time, score: float = 0.8, days=EVERY_DAY) -> TimingWindow:
    return TimingWindow(frozenset(days), start, end, score, "test")


def table(windows_by_platform: dict[Platform, list[TimingWindow]]) -> TimingTable:
    return TimingTable(
        {
            p: [PlatformTimingData(p, "video", ws, Frequency(), label=f"{p.value} video")]
            for p, ws in windows_by_platform.items()
        },
        [],
    )


def prefs_for(platform: Platform, zone: str = "UTC", **kw) -> UserSchedulingPreferences:
    return UserSchedulingPreferences("user_1", platform, zone, **kw)


def uncapped(platforms, zone: str = "UTC") -> dict:
    return {p: prefs_for(p, zone, max_per_day=100, posting_frequency_max=1000) for p in platforms}


def videos(n: int, platforms, **kw) -> list[VideoJob]:
    return [
        VideoJob(f"v{i:02d}", duration_seconds=30, aspect_ratio="9:16", platforms=list(platforms), **kw)
        for i in range(n)
    ]


def make_input(
    vids,
    zone: str,
    first: date,
    last: date,
    timing: TimingTable,
    prefs: dict,
    *,
    existing=(),
    exceptions=(),
    now: datetime = NOW,
    stagger: Stagger | None = None,
    slot_minutes: int = 30,
    job_priority: JobPriority = JobPriority.NORMAL,
    bulk_job_id: str = "bj_case",
) -> PlanInput:
    cal = ContentCalendar("CASE", "user_1", zone, first, last, exceptions=list(exceptions))
    job = BulkJob(bulk_job_id, "user_1", priority=job_priority, videos=list(vids))
    return PlanInput(job, cal, list(existing), timing, prefs, stagger or Stagger(), now, slot_minutes=slot_minutes)


def local(result: PlanResult, zone: str) -> list[datetime]:
    tz = ZoneInfo(zone)
    return sorted(i.scheduled_at.astimezone(tz) for i in result.items)


def existing_item(
    platform: Platform,
    at: datetime,
    *,
    calendar="CASE",
    video="old",
    job="manual",
    status=ScheduleStatus.SCHEDULED,
    fmt="video",
) -> ContentScheduleItem:
    key = idempotency_key(job, video, platform)
    return ContentScheduleItem(item_id_for(key), key, calendar, "user_1", video, platform, fmt, at, status, job)


# ---------------------------------------------------------------- daylight saving time

# (zone, the day of the change, a window around it, the local hour that does not exist that day)
SPRING = [
    ("America/New_York", date(2027, 3, 14), time(1), time(4), 2),
    ("Europe/London", date(2027, 3, 28), time(0), time(3), 1),
    ("Australia/Sydney", date(2026, 10, 4), time(1), time(4), 2),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "gap_hour"), SPRING, ids=[z for z, *_ in SPRING])
def test_spring_forward_never_produces_a_nonexistent_time(zone, day, start, end, gap_hour):
    tz = ZoneInfo(zone)
    inp = make_input(
        videos(40, [YT]),
        zone,
        day - timedelta(days=1),
        day + timedelta(days=1),
        table({YT: [window(start, end)]}),
        uncapped([YT], zone),
    )
    result = plan(inp)
    per_day = (end.hour - start.hour) * 2  # 30-minute slots
    assert len(result.items) == 3 * per_day - 2  # every slot of the three days but the two in the gap
    on_day = [t for t in local(result, zone) if t.date() == day]
    assert len(on_day) == per_day - 2
    assert all(t.hour != gap_hour for t in on_day), on_day
    for t in local(result, zone):
        naive = t.replace(tzinfo=None)
        assert naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    # the UTC offset changes at the gap: the times after it are one hour further east
    before = [t for t in on_day if t.hour < gap_hour]
    after = [t for t in on_day if t.hour > gap_hour]
    assert before and after
    assert {t.utcoffset() for t in after} == {before[0].utcoffset() + timedelta(hours=1)}
    assert len({i.scheduled_at.timestamp() for i in result.items}) == len(result.items)


# (zone, the day of the change, the repeated local hour, the offset of its first occurrence)
FALL = [
    ("America/New_York", date(2026, 11, 1), 1, timedelta(hours=-4)),
    ("Europe/London", date(2026, 10, 25), 1, timedelta(hours=1)),
    ("Australia/Sydney", date(2027, 4, 4), 2, timedelta(hours=11)),
]


@pytest.mark.parametrize(("zone", "day", "hour", "first_offset"), FALL, ids=[z for z, *_ in FALL])
def test_fall_back_takes_the_first_occurrence(zone, day, hour, first_offset):
    inp = make_input(
        videos(20, [YT]), zone, day, day, table({YT: [window(time(hour), time(hour + 1))]}), uncapped([YT], zone)
    )
    result = plan(inp)
    times = local(result, zone)
    # two wall-clock slots (:00 and :30), each once: its first occurrence, the earlier instant
    assert [(t.hour, t.minute) for t in times] == [(hour, 0), (hour, 30)]
    assert [t.utcoffset() for t in times] == [first_offset, first_offset]
    for item in result.items:
        assert item.scheduled_at.isoformat().endswith(_offset_text(first_offset))
    assert len(result.unplaced) == 18


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# (zone, first day, last day: a week across the change, offset before, offset after)
ACROSS = [
    ("America/New_York", date(2026, 10, 28), date(2026, 11, 4), timedelta(hours=-4), timedelta(hours=-5)),
    ("America/New_York", date(2027, 3, 10), date(2027, 3, 17), timedelta(hours=-5), timedelta(hours=-4)),
    ("Europe/London", date(2026, 10, 21), date(2026, 10, 28), timedelta(hours=1), timedelta(hours=0)),
    ("Australia/Sydney", date(2026, 9, 30), date(2026, 10, 7), timedelta(hours=10), timedelta(hours=11)),
]


@pytest.mark.parametrize(("zone", "first", "last", "before", "after"), ACROSS, ids=[f"{z}-{f}" for z, f, *_ in ACROSS])
def test_sixteen_hundred_stays_sixteen_hundred_across_a_dst_change(zone, first, last, before, after):
    prefs = {YT: prefs_for(YT, zone, max_per_day=1, posting_frequency_max=7)}
    inp = make_input(videos(8, [YT]), zone, first, last, table({YT: [window(time(16), time(16, 30))]}), prefs)
    result = plan(inp)
    times = local(result, zone)
    assert len(times) == 8 and [t.date() for t in times] == [first + timedelta(days=k) for k in range(8)]
    assert all((t.hour, t.minute) == (16, 0) for t in times), times
    assert times[0].utcoffset() == before and times[-1].utcoffset() == after
    # 16:00 local, so the UTC hour moves by the change
    assert times[0].astimezone(UTC).hour != times[-1].astimezone(UTC).hour


def test_a_leap_day_gets_slots_like_any_other_day():
    zone = "America/New_York"
    inp = make_input(
        videos(30, [YT]),
        zone,
        date(2028, 2, 27),
        date(2028, 3, 1),
        table({YT: [window(time(10), time(12))]}),
        uncapped([YT], zone),
    )
    result = plan(inp)
    per_day: dict[date, int] = {}
    for t in local(result, zone):
        per_day[t.date()] = per_day.get(t.date(), 0) + 1
    assert per_day == {date(2028, 2, 27): 4, date(2028, 2, 28): 4, date(2028, 2, 29): 4, date(2028, 3, 1): 4}


def test_a_yearly_blackout_on_feb_28_leaves_the_leap_day_open():
    zone = "UTC"
    black = ScheduleException("feb28", date(2025, 2, 28), date(2025, 2, 28), yearly=True)
    inp = make_input(
        videos(30, [YT]),
        zone,
        date(2028, 2, 27),
        date(2028, 3, 1),
        table({YT: [window(time(10), time(12))]}),
        uncapped([YT], zone),
        exceptions=[black],
    )
    days = {t.date() for t in local(plan(inp), zone)}
    assert days == {date(2028, 2, 27), date(2028, 2, 29), date(2028, 3, 1)}


# ---------------------------------------------------------------- statuses and priorities


def test_only_completed_videos_get_slots_and_the_others_are_skipped_with_their_status():
    vids = []
    for status in JobStatus:
        vids.append(
            VideoJob(f"v_{status.value}", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], status=status)
        )
    inp = make_input(
        vids, "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: [window(time(9), time(17))]}), uncapped([YT])
    )
    result = plan(inp)
    assert [i.video_job_id for i in result.items] == ["v_completed"]
    skipped = {s.video_job_id: s.reason for s in result.skipped}
    assert set(skipped) == {f"v_{s.value}" for s in JobStatus if s != JobStatus.COMPLETED}
    for vid, reason in skipped.items():
        assert vid.removeprefix("v_") in reason
    assert result.unplaced == []


# four days, one slot each, scores rising Mon < Tue < Thu < Wed
RANKED = [window(time(16), time(16, 30), s, days={d}) for d, s in ((0, 0.4), (1, 0.6), (2, 1.0), (3, 0.8))]


def test_higher_priority_gets_the_better_slot():
    order = [JobPriority.LOW, JobPriority.NORMAL, JobPriority.HIGH, JobPriority.URGENT]  # worst first in the job
    vids = [
        VideoJob(f"v_{p.value}", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], priority=p) for p in order
    ]
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=7)}
    result = plan(make_input(vids, "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: RANKED}), prefs))
    score = {i.video_job_id: i.score for i in result.items}
    assert score == {"v_urgent": 1.0, "v_high": 0.8, "v_normal": 0.6, "v_low": 0.4}


def test_urgent_beats_low_for_the_only_slot():
    vids = [
        VideoJob(f"v_{p.value}", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], priority=p)
        for p in (JobPriority.LOW, JobPriority.URGENT)
    ]
    one = [window(time(16), time(16, 30), 1.0, days={2})]
    result = plan(make_input(vids, "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: one}), uncapped([YT])))
    assert [i.video_job_id for i in result.items] == ["v_urgent"]
    assert [u.video_job_id for u in result.unplaced] == ["v_low"]


def test_a_video_without_priority_takes_the_job_priority():
    vids = [
        VideoJob("v_low", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], priority=JobPriority.LOW),
        VideoJob("v_default", duration_seconds=30, aspect_ratio="9:16", platforms=[YT]),
    ]
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=7)}
    result = plan(
        make_input(
            vids, "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: RANKED}), prefs, job_priority=JobPriority.HIGH
        )
    )
    score = {i.video_job_id: i.score for i in result.items}
    assert score["v_default"] > score["v_low"]


# ---------------------------------------------------------------- caps, formats, ready_at, period, now


def test_a_calendar_that_runs_out_of_slots_reports_the_rest_with_the_cap():
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=3)}
    inp = make_input(
        videos(10, [YT]), "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: [window(time(9), time(17))]}), prefs
    )
    result = plan(inp)
    assert len(result.items) == 3
    assert len({t.date() for t in local(result, "UTC")}) == 3
    assert len(result.unplaced) == 7
    for u in result.unplaced:
        assert "cap" in u.reason, u.reason


def test_weekly_cap_is_per_iso_week():
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=2)}
    inp = make_input(
        videos(10, [YT]), "UTC", date(2026, 7, 6), date(2026, 7, 26), table({YT: [window(time(9), time(17))]}), prefs
    )
    weeks: dict[int, int] = {}
    for t in local(plan(inp), "UTC"):
        weeks[t.isocalendar()[1]] = weeks.get(t.isocalendar()[1], 0) + 1
    assert weeks == {28: 2, 29: 2, 30: 2}


def test_a_video_that_fits_no_format_is_unplaced_with_the_limit():
    v = VideoJob("keynote", duration_seconds=720, aspect_ratio="16:9", platforms=[TT, YT])
    inp = make_input([v], "America/New_York", date(2026, 7, 6), date(2026, 7, 19), load_timing(), {})
    result = plan(inp)
    assert [(i.platform, i.format) for i in result.items] == [(YT, "long")]
    assert [(u.video_job_id, u.platform) for u in result.unplaced] == [("keynote", "tiktok")]
    assert "600 s" in result.unplaced[0].reason


def test_ready_at_after_the_period_end_is_unplaced():
    v = VideoJob(
        "late", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], ready_at=datetime(2026, 7, 20, 9, tzinfo=UTC)
    )
    inp = make_input(
        [v], "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: [window(time(9), time(17))]}), uncapped([YT])
    )
    result = plan(inp)
    assert result.items == []
    assert [u.video_job_id for u in result.unplaced] == ["late"]
    assert "ready" in result.unplaced[0].reason


def test_ready_at_inside_the_period_is_respected():
    ready = datetime(2026, 7, 8, 13, 15, tzinfo=UTC)
    v = VideoJob("mid", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], ready_at=ready)
    best_early = [window(time(9), time(17), 1.0, days={0, 1}), window(time(9), time(17), 0.5, days={2, 3, 4})]
    inp = make_input([v], "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: best_early}), uncapped([YT]))
    (item,) = plan(inp).items
    assert item.scheduled_at == datetime(2026, 7, 8, 13, 30, tzinfo=UTC)


def test_nothing_before_now():
    now = datetime(2026, 7, 8, 12, 10, tzinfo=UTC)
    inp = make_input(
        videos(30, [YT]),
        "UTC",
        date(2026, 7, 6),
        date(2026, 7, 12),
        table({YT: [window(time(9), time(17))]}),
        uncapped([YT]),
        now=now,
    )
    result = plan(inp)
    assert result.items and min(i.scheduled_at for i in result.items) == datetime(2026, 7, 8, 12, 30, tzinfo=UTC)


def test_start_and_end_narrow_the_period():
    inp = make_input(
        videos(30, [YT]),
        "UTC",
        date(2026, 7, 1),
        date(2026, 7, 31),
        table({YT: [window(time(9), time(10))]}),
        uncapped([YT]),
    )
    inp.start, inp.end = date(2026, 7, 10), date(2026, 7, 12)
    result = plan(inp)
    assert {t.date() for t in local(result, "UTC")} == {date(2026, 7, 10), date(2026, 7, 11), date(2026, 7, 12)}
    assert len(result.items) == 6


def test_avoided_days_and_hours_are_never_used():
    prefs = {
        YT: prefs_for(
            YT,
            max_per_day=100,
            posting_frequency_max=100,
            avoided_days=frozenset({2}),
            avoided_hours=((time(12), time(14)),),
        )
    }
    inp = make_input(
        videos(60, [YT]), "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: [window(time(10), time(16))]}), prefs
    )
    times = local(plan(inp), "UTC")
    assert times and all(t.weekday() != 2 for t in times)
    assert all(not (12 <= t.hour < 14) for t in times)
    assert len(times) == 6 * 8  # six days, 10:00-12:00 and 14:00-16:00


def test_min_spacing_between_two_posts_on_one_platform():
    prefs = {YT: prefs_for(YT, max_per_day=100, posting_frequency_max=100, min_spacing_minutes=150)}
    inp = make_input(
        videos(20, [YT]), "UTC", date(2026, 7, 6), date(2026, 7, 6), table({YT: [window(time(8), time(18))]}), prefs
    )
    times = [t.timestamp() for t in local(plan(inp), "UTC")]
    assert len(times) == 4  # 08:00, 10:30, 13:00, 15:30
    assert all(b - a >= 150 * 60 for a, b in zip(times, times[1:], strict=False))


# ---------------------------------------------------------------- blackouts


def test_blackouts_per_platform_dated_and_timed():
    zone = "America/New_York"
    tz = ZoneInfo(zone)
    exceptions = [
        ScheduleException("yt_day", date(2026, 7, 7), date(2026, 7, 8), platforms=(YT,)),
        ScheduleException("all_morning", datetime(2026, 7, 10, 9), datetime(2026, 7, 10, 12)),
    ]
    inp = make_input(
        videos(80, [YT, TT]),
        zone,
        date(2026, 7, 6),
        date(2026, 7, 12),
        table({YT: [window(time(9), time(13))], TT: [window(time(9), time(13))]}),
        uncapped([YT, TT], zone),
        exceptions=exceptions,
        stagger=Stagger((YT, TT), 0),
    )
    result = plan(inp)
    yt = {i.scheduled_at.astimezone(tz) for i in result.items if i.platform == YT}
    tt = {i.scheduled_at.astimezone(tz) for i in result.items if i.platform == TT}
    assert not any(t.date() in (date(2026, 7, 7), date(2026, 7, 8)) for t in yt)
    assert any(t.date() == date(2026, 7, 7) for t in tt)  # the YouTube blackout leaves TikTok alone
    for t in yt | tt:
        assert not (t.date() == date(2026, 7, 10) and 9 <= t.hour < 12), t
    assert any(t.date() == date(2026, 7, 10) and t.hour == 12 for t in tt)  # the timed end is exclusive


def test_a_yearly_blackout_across_the_new_year():
    black = ScheduleException("holidays", date(2019, 12, 24), date(2020, 1, 2), yearly=True)
    inp = make_input(
        videos(60, [YT]),
        "UTC",
        date(2026, 12, 21),
        date(2027, 1, 5),
        table({YT: [window(time(9), time(10))]}),
        uncapped([YT]),
        exceptions=[black],
    )
    days = {t.date() for t in local(plan(inp), "UTC")}
    assert days == {
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2027, 1, 3),
        date(2027, 1, 4),
        date(2027, 1, 5),
    }


# ---------------------------------------------------------------- existing items


def test_existing_items_count_against_caps_and_keep_their_slots():
    zone = "UTC"
    taken = datetime(2026, 7, 8, 16, tzinfo=UTC)
    existing = [
        existing_item(YT, taken),  # this calendar
        existing_item(YT, datetime(2026, 7, 9, 16, tzinfo=UTC), calendar="OTHER", video="o2"),  # another calendar
        existing_item(YT, datetime(2026, 7, 10, 16, tzinfo=UTC), video="o3", status=ScheduleStatus.CANCELED),
    ]
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=4)}
    inp = make_input(
        videos(10, [YT]),
        zone,
        date(2026, 7, 6),
        date(2026, 7, 12),
        table({YT: [window(time(16), time(17), 1.0)]}),
        prefs,
        existing=existing,
    )
    result = plan(inp)
    days = sorted(t.date() for t in local(result, zone))
    # 4 a week, 2 taken by live items: 2 new ones, never on the days of live items; the canceled one frees its day
    assert len(days) == 2
    assert date(2026, 7, 8) not in days and date(2026, 7, 9) not in days
    assert taken not in {i.scheduled_at for i in result.items}


def test_existing_item_on_the_same_instant_is_never_double_booked():
    taken = datetime(2026, 7, 8, 16, tzinfo=UTC)
    inp = make_input(
        videos(1, [YT]),
        "UTC",
        date(2026, 7, 8),
        date(2026, 7, 8),
        table({YT: [window(time(16), time(16, 30), 1.0)]}),
        uncapped([YT]),
        existing=[existing_item(YT, taken)],
    )
    result = plan(inp)
    assert result.items == []
    assert "taken" in result.unplaced[0].reason or "close" in result.unplaced[0].reason


# ---------------------------------------------------------------- stagger


def test_stagger_order_and_gap_for_one_video():
    plats = [IG, YT, TT]
    windows = {p: [window(time(8), time(20))] for p in plats}
    stagger = Stagger((YT, TT, IG, FB, LI, X), 90)
    inp = make_input(
        videos(3, plats), "UTC", date(2026, 7, 6), date(2026, 7, 12), table(windows), uncapped(plats), stagger=stagger
    )
    result = plan(inp)
    assert len(result.items) == 9
    for vid in ("v00", "v01", "v02"):
        posts = {i.platform: i.scheduled_at for i in result.items if i.video_job_id == vid}
        assert posts[TT] - posts[YT] >= timedelta(minutes=90)
        assert posts[IG] - posts[TT] >= timedelta(minutes=90)


def test_stagger_counts_the_videos_posts_already_on_the_calendar():
    """Re-planning after a platform was added to a video: the new post follows the one already planned."""
    zone = "America/New_York"
    tz = ZoneInfo(zone)
    yt_at = datetime(2026, 7, 15, 16, tzinfo=tz)
    existing = [existing_item(YT, yt_at, video="v00", job="bj_case", fmt="short")]
    inp = make_input(
        videos(1, [YT, TT]),
        zone,
        date(2026, 7, 6),
        date(2026, 7, 19),
        load_timing(),
        {},
        existing=existing,
        stagger=Stagger((YT, TT), 60),
    )
    result = plan(inp)
    assert result.already == ["bj_case/v00/youtube"]
    (tiktok,) = result.items
    assert tiktok.scheduled_at >= yt_at + timedelta(minutes=60)


# ---------------------------------------------------------------- research caps and formats


def test_research_caps_do_not_depend_on_the_order_of_the_videos():
    short = VideoJob("short", duration_seconds=30, aspect_ratio="9:16", platforms=[YT])
    longs = [VideoJob(f"long{k}", duration_seconds=600, aspect_ratio="16:9", platforms=[YT]) for k in range(5)]
    counts = []
    for vids in ([short, *longs], [*longs, short]):
        result = plan(make_input(vids, "America/New_York", date(2026, 7, 6), date(2026, 7, 12), load_timing(), {}))
        assert sum(1 for i in result.items if i.format == "long") <= 3, "more long videos than the guideline"
        counts.append(len(result.items))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- minimum frequency


def test_falling_short_of_the_weekly_minimum_is_warned_with_the_numbers():
    prefs = {TT: prefs_for(TT, posting_frequency_min=3, max_per_day=1, posting_frequency_max=7)}
    inp = make_input(
        videos(2, [TT]), "UTC", date(2026, 7, 6), date(2026, 7, 19), table({TT: [window(time(18), time(19))]}), prefs
    )
    result = plan(inp)
    assert len(result.items) == 2  # no posts invented
    (warning,) = [w for w in result.warnings if w.startswith("tiktok:")]
    assert "2 of 2 full weeks" in warning and "minimum of 3" in warning


def test_meeting_the_weekly_minimum_gives_no_warning():
    prefs = {TT: prefs_for(TT, posting_frequency_min=2, max_per_day=1, posting_frequency_max=2)}
    inp = make_input(
        videos(4, [TT]), "UTC", date(2026, 7, 6), date(2026, 7, 19), table({TT: [window(time(18), time(19))]}), prefs
    )
    result = plan(inp)
    assert len(result.items) == 4
    assert not [w for w in result.warnings if w.startswith("tiktok:")]


def test_a_requested_platform_with_nothing_placed_is_warned_too():
    prefs = {TT: prefs_for(TT, posting_frequency_min=3, max_per_day=1, posting_frequency_max=7)}
    black = ScheduleException("off", date(2026, 7, 6), date(2026, 7, 19), platforms=(TT,))
    inp = make_input(
        videos(2, [TT]),
        "UTC",
        date(2026, 7, 6),
        date(2026, 7, 19),
        table({TT: [window(time(18), time(19))]}),
        prefs,
        exceptions=[black],
    )
    result = plan(inp)
    assert result.items == [] and len(result.unplaced) == 2
    assert [w for w in result.warnings if w.startswith("tiktok:")]


# ---------------------------------------------------------------- idempotency and determinism


def test_items_already_on_the_calendar_are_reported_and_not_planned_again():
    inp = make_input(videos(3, [YT, TT]), "America/New_York", date(2026, 7, 6), date(2026, 7, 19), load_timing(), {})
    first = plan(inp)
    assert len(first.items) == 6
    inp2 = make_input(
        videos(3, [YT, TT]),
        "America/New_York",
        date(2026, 7, 6),
        date(2026, 7, 19),
        load_timing(),
        {},
        existing=first.items,
    )
    second = plan(inp2)
    assert second.items == [] and second.unplaced == []
    assert sorted(second.already) == sorted(i.idempotency_key for i in first.items)
    assert second.already[0] == "bj_case/v00/youtube"


def test_a_key_planned_in_another_calendar_is_reported():
    inp = make_input(
        videos(1, [YT]),
        "UTC",
        date(2026, 7, 6),
        date(2026, 7, 12),
        table({YT: [window(time(9), time(10))]}),
        uncapped([YT]),
    )
    inp.keys_elsewhere = {"bj_case/v00/youtube": "Q2"}
    result = plan(inp)
    assert result.items == []
    assert "Q2" in result.unplaced[0].reason


def test_same_input_same_output_including_ids():
    def once():
        return plan(
            make_input(
                videos(5, [YT, TT, IG]), "Europe/London", date(2026, 10, 19), date(2026, 11, 1), load_timing(), {}
            )
        )

    a, b = once(), once()
    assert [(i.id, i.scheduled_at.isoformat(), i.score) for i in a.items] == [
        (i.id, i.scheduled_at.isoformat(), i.score) for i in b.items
    ]
    assert a.unplaced == b.unplaced and a.warnings == b.warnings
    assert all(i.id == item_id_for(i.idempotency_key) for i in a.items)


def test_a_disabled_platform_is_unplaced_with_the_reason():
    prefs = {YT: prefs_for(YT, enabled=False)}
    inp = make_input(
        videos(1, [YT]), "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: [window(time(9), time(10))]}), prefs
    )
    result = plan(inp)
    assert result.items == [] and "disabled" in result.unplaced[0].reason


def test_improvement_never_hands_an_urgent_videos_slot_to_a_low_one():
    wins = [
        window(time(16), time(16, 30), 0.9, days={0}),
        window(time(16), time(16, 30), 1.0, days={2}),
        window(time(16), time(16, 30), 0.3, days={4}),
    ]
    urgent = VideoJob("urgent", duration_seconds=30, aspect_ratio="9:16", platforms=[YT], priority=JobPriority.URGENT)
    low = VideoJob(
        "low",
        duration_seconds=30,
        aspect_ratio="9:16",
        platforms=[YT],
        priority=JobPriority.LOW,
        ready_at=datetime(2026, 7, 7, tzinfo=UTC),
    )  # low cannot take Monday
    prefs = {YT: prefs_for(YT, max_per_day=1, posting_frequency_max=7)}
    result = plan(make_input([urgent, low], "UTC", date(2026, 7, 6), date(2026, 7, 12), table({YT: wins}), prefs))
    score = {i.video_job_id: i.score for i in result.items}
    assert score["urgent"] >= score["low"], score


def test_replanning_a_job_that_mixes_youtube_formats_adds_nothing():
    vids = [VideoJob("v0", duration_seconds=10, aspect_ratio="16:9", platforms=[YT])]
    vids += [VideoJob(f"v{k}", duration_seconds=10, aspect_ratio="9:16", platforms=[YT]) for k in (1, 2, 3)]
    first = plan(make_input(vids, "America/New_York", date(2026, 7, 6), date(2026, 7, 12), load_timing(), {}))
    assert sum(1 for i in first.items if i.format == "long") == 1
    second = plan(
        make_input(
            vids, "America/New_York", date(2026, 7, 6), date(2026, 7, 12), load_timing(), {}, existing=first.items
        )
    )
    assert second.items == [], [(i.video_job_id, i.scheduled_at.isoformat()) for i in second.items]


def test_caps_hold_when_the_exact_search_runs_out_of_budget():
    """Seven videos on two platforms: even when the exact search gives up on its budget, what it keeps is legal."""
    wins = {
        YT: [window(time(12), time(21), 0.6), window(time(15), time(17), 0.85, days={0, 1, 2, 3, 4})],
        TT: [window(time(12), time(21), 0.5), window(time(17), time(21), 0.95, days={2})],
    }
    prefs = {p: prefs_for(p, max_per_day=1, posting_frequency_max=3) for p in (YT, TT)}
    result = plan(make_input(videos(7, [YT, TT]), "UTC", date(2026, 7, 6), date(2026, 7, 12), table(wins), prefs))
    for p in (YT, TT):
        days = [i.scheduled_at.date() for i in result.items if i.platform == p]
        assert len(days) <= 3 and len(set(days)) == len(days), (p.value, days)
    assert len({(i.platform, i.scheduled_at.timestamp()) for i in result.items}) == len(result.items)


def test_planned_items_have_each_field_where_the_planner_puts_it():
    """planner._item builds items positionally (for speed): a reordered model must fail here."""
    from dataclasses import fields

    from calcli.core.model import ContentScheduleItem

    assert [f.name for f in fields(ContentScheduleItem)][:12] == [
        "id", "idempotency_key", "calendar", "user_id", "video_job_id", "platform", "format", "scheduled_at",
        "status", "bulk_job_id", "score", "title",
    ]  # fmt: skip
