"""`calcli check`'s hard rules against an independent checker, on random calendars.

The reference below shares no code with :mod:`calcli.planning.rules`: no Board, no bisect, no
StaggerBook. It reads the rules as a user would state them: what went out (posted) stands first;
then, in time order, each live item must fit beside everything kept before it (at most N a local
day and N an ISO week on its platform, at least M minutes from every other post on its platform);
an item that does not fit is flagged and kept out; an item on an avoided day or hour, or in a
blackout, is flagged; an item an override exception covers at its time is accepted and takes no
room. Two properties follow, and both are checked: check flags exactly what the reference flags,
and a calendar with the flagged items taken out passes check (fixing what check names is enough).
A third holds check to the planner's own verdict on a slot (what `item add` and `item move` ask):
check accepts a calendar exactly when the planner would put each of its live items where it stands,
beside all the others (timing windows and "in the past" aside: they are where the planner looks,
not rules of a calendar).
Calendars are in America/New_York across the 2026 fall-back night, so local days and ISO weeks
are the zone's, not UTC's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
    Stagger,
    UserPreferences,
    UserSchedulingPreferences,
)
from calcli.files.timing import load_timing
from calcli.planning import rules
from calcli.planning.problem import PlanInput
from calcli.planning.single import slot_violations

TZ = "America/New_York"
ZONE = ZoneInfo(TZ)
FIRST = datetime(2026, 10, 26, 0, 0)  # a Monday; the clocks fall back on Sunday Nov 1
PLATFORMS = {Platform.YOUTUBE: "short", Platform.TIKTOK: "video"}
TIMING = load_timing()


@st.composite
def limits(draw, platform: Platform) -> UserSchedulingPreferences:
    avoided_hours = draw(st.sampled_from([(), ((time(0), time(7)),), ((time(22), time(0)),)]))
    return UserSchedulingPreferences(
        "u",
        platform,
        TZ,
        posting_frequency_max=draw(st.integers(1, 6)),
        max_per_day=draw(st.integers(1, 3)),
        min_spacing_minutes=draw(st.sampled_from([0, 30, 90, 240])),
        avoided_days=frozenset(draw(st.sets(st.integers(0, 6), max_size=2))),
        avoided_hours=avoided_hours,
    )


@st.composite
def calendars(draw) -> tuple[ContentCalendar, UserPreferences]:
    prefs = UserPreferences("u", TZ, {p: draw(limits(p)) for p in PLATFORMS}, Stagger(order=(), gap_minutes=0))
    n = draw(st.integers(1, 14))
    items = []
    for k in range(n):
        platform = draw(st.sampled_from(sorted(PLATFORMS, key=lambda p: p.value)))
        # quarter hours over 12 local days; a wall time the fold repeats takes its first occurrence
        wall = FIRST + timedelta(minutes=15 * draw(st.integers(0, 12 * 96 - 1)))
        status = draw(st.sampled_from([ScheduleStatus.PLANNED] * 3 + [ScheduleStatus.POSTED, ScheduleStatus.CANCELED]))
        items.append(
            ContentScheduleItem(
                id=f"i{k:02d}",
                idempotency_key=f"k{k}",
                calendar="T",
                user_id="u",
                video_job_id=f"v{k}",  # one video each: the stagger is left out here
                platform=platform,
                format=PLATFORMS[platform],
                scheduled_at=wall.replace(tzinfo=ZONE),
                status=status,
            )
        )
    exceptions = []
    if draw(st.booleans()):
        day = (FIRST + timedelta(days=draw(st.integers(0, 11)))).date()
        exceptions.append(ScheduleException("off", day, day, platforms=(draw(st.sampled_from(list(PLATFORMS))),)))
    for item in draw(st.lists(st.sampled_from(items), max_size=2, unique_by=lambda i: i.id)):
        at = item.scheduled_at.replace(tzinfo=None)
        end = at + timedelta(minutes=1)
        exceptions.append(ScheduleException(f"ov-{item.id}", at, end, "override", item_id=item.id))
    cal = ContentCalendar("T", "u", TZ, date(2026, 10, 1), date(2026, 12, 31), exceptions=exceptions, items=items)
    return cal, prefs


def reference(cal: ContentCalendar, prefs: UserPreferences) -> set[str]:
    """The ids of the items a user would be told to move, by the rules as stated above."""
    local = {i.id: i.scheduled_at.astimezone(ZONE) for i in cal.items}

    def covered(item) -> bool:
        at = local[item.id].replace(tzinfo=None)
        return any(e.kind == "override" and e.item_id == item.id and e.start <= at < e.end for e in cal.exceptions)

    live = [i for i in cal.items if i.status == ScheduleStatus.PLANNED and not covered(i)]
    flagged = set()
    for item in live:
        p, t = prefs.platforms[item.platform], local[item.id]
        hour = t.time()
        in_avoided_hours = any(s <= hour and (e == time(0) or hour < e) for s, e in p.avoided_hours)
        blacked = any(
            e.kind == "blackout" and item.platform in e.platforms and e.start <= t.date() <= e.end
            for e in cal.exceptions
        )
        if t.weekday() in p.avoided_days or in_avoided_hours or blacked:
            flagged.add(item.id)
    kept = [i for i in cal.items if i.status == ScheduleStatus.POSTED]
    for item in sorted(live, key=lambda i: (i.scheduled_at.timestamp(), i.id)):
        p, t = prefs.platforms[item.platform], local[item.id]
        mine = [k for k in kept if k.platform == item.platform]
        same_day = sum(local[k.id].date() == t.date() for k in mine)
        same_week = sum(local[k.id].isocalendar()[:2] == t.isocalendar()[:2] for k in mine)
        gap = max(p.min_spacing_minutes * 60, 1)
        near = any(abs(k.scheduled_at.timestamp() - item.scheduled_at.timestamp()) < gap for k in mine)
        if same_day >= p.max_per_day or same_week >= p.posting_frequency_max or near:
            flagged.add(item.id)
        else:
            kept.append(item)
    return flagged


def flagged_by_check(cal: ContentCalendar, prefs: UserPreferences) -> set[str]:
    return {item.id for item, _ in rules.violations(cal, [], TIMING, prefs, {})}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_check_flags_what_the_rules_as_stated_flag(case):
    cal, prefs = case
    assert flagged_by_check(cal, prefs) == reference(cal, prefs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_taking_out_what_check_names_leaves_a_calendar_check_passes(case):
    cal, prefs = case
    named = flagged_by_check(cal, prefs)
    cal.items = [i for i in cal.items if i.id not in named]
    assert flagged_by_check(cal, prefs) == set()


PLACES_ONLY = ("timing window", "in the past", "outside the calendar's period")


def planner_refuses(cal: ContentCalendar, prefs: UserPreferences) -> set[str]:
    """The live items the planner's slot verdict refuses where they stand, every other counted item
    placed first."""
    tz = ZoneInfo(cal.timezone)
    forced = {i.id for i in cal.items if i.status == ScheduleStatus.PLANNED and rules.overridden(cal, i, tz)}
    counted = [i for i in cal.items if i.status != ScheduleStatus.CANCELED and i.id not in forced]
    out = set()
    for item in counted:
        if item.status != ScheduleStatus.PLANNED:
            continue
        others = [i for i in counted if i.id != item.id]
        inp = PlanInput(
            BulkJob("bj", "u"),
            cal,
            others,
            TIMING,
            prefs.platforms,
            prefs.stagger,
            now=datetime(2000, 1, 1, tzinfo=ZONE),
        )
        fmt = TIMING.get(item.platform, item.format)
        why = slot_violations(inp, item.platform, fmt, item.video_job_id, item.idempotency_key, item.scheduled_at)
        if [w for w in why if not any(p in w for p in PLACES_ONLY)]:
            out.add(item.id)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_check_accepts_exactly_what_the_planner_would_place(case):
    cal, prefs = case
    assert (flagged_by_check(cal, prefs) == set()) == (planner_refuses(cal, prefs) == set())
