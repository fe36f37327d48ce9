"""Quality of the planner: compare it with a brute-force exact optimum on small instances.

Each instance is one ISO week, two platforms with a few hand-made timing windows,
tight caps (so that choices matter), some ``ready_at``, a stagger and a few
existing items. The brute force reuses only :func:`calcli.planning.solver.candidate_slots`
(the list of allowed slots with their scores) and checks every other hard
constraint itself: daily and weekly caps per platform (existing items count),
minimum spacing, one post per instant per platform, ``ready_at``, and the
stagger order and gap within one video. Objective: lexicographic (count, total score).

Small instances (3-4 videos, up to 8 requests) fall under the planner's own exact search; medium
ones (9-10 videos, 14-20 requests) partly above it, so there the heuristic phases are measured.
All videos share one priority: the objective knows none.
"""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from calcli.core.model import (
    BulkJob,
    ContentCalendar,
    ContentScheduleItem,
    Frequency,
    JobPriority,
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
from calcli.planning.board import Limits
from calcli.planning.problem import PlanInput
from calcli.planning.slots import candidate_slots
from calcli.planning.solver import plan

WEEK_START = date(2026, 7, 6)  # a Monday: the instance is one ISO week, 2026-W28
WEEK_END = date(2026, 7, 12)
WEEK = (2026, 28)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PLATFORMS = list(Platform)
SEEDS = range(30)


@dataclass
class Instance:
    seed: int
    inp: PlanInput
    limits: dict[Platform, Limits]

    def describe(self) -> str:
        inp = self.inp
        lines = [
            f"seed {self.seed}: zone {inp.calendar.timezone}, slot {inp.slot_minutes} min, "
            f"stagger {[p.value for p in inp.stagger.order]} gap {inp.stagger.gap_minutes} min"
        ]
        for p, fmts in inp.timing.formats.items():
            lim = self.limits[p]
            wins = [(sorted(w.days), f"{w.start:%H:%M}-{w.end:%H:%M}", w.score) for w in fmts[0].windows]
            lines.append(
                f"  {p.value}: day {lim.max_per_day} week {lim.max_per_week} "
                f"spacing {lim.spacing / 60:g} min windows {wins}"
            )
        for v in inp.job.videos:
            lines.append(
                f"  video {v.video_job_id} {[p.value for p in v.platforms]} ready {v.ready_at} "
                f"priority {v.priority.value if v.priority else None}"
            )
        for e in inp.existing:
            lines.append(f"  existing {e.platform.value} at {e.scheduled_at.isoformat()}")
        for x in inp.calendar.exceptions:
            lines.append(f"  blackout {x.start}..{x.end} {[p.value for p in x.platforms]}")
        return "\n".join(lines)


def make_instance(seed: int, n_videos: tuple[int, int] = (3, 4)) -> Instance:
    rng = random.Random(seed)
    tzname = rng.choice(["UTC", "America/New_York", "Europe/London"])
    tz = ZoneInfo(tzname)
    platforms = rng.sample(PLATFORMS, 2)
    slot_minutes = rng.choice([60, 60, 120])
    formats: dict[Platform, list[PlatformTimingData]] = {}
    prefs: dict[Platform, UserSchedulingPreferences] = {}
    limits: dict[Platform, Limits] = {}
    for p in platforms:
        windows = []
        for _ in range(rng.randint(2, 3)):
            days = frozenset(rng.sample(range(7), rng.randint(2, 4)))
            start = rng.randint(7, 19)
            length = rng.randint(1, 3)
            score = round(rng.uniform(0.3, 1.0), 2)
            windows.append(TimingWindow(days, time(start), time(start + length), score, "test"))
        formats[p] = [PlatformTimingData(p, "video", windows, Frequency(None, None, None), label=f"{p.value} video")]
        up = UserSchedulingPreferences(
            "user_1",
            p,
            tzname,
            posting_frequency_max=rng.choice([2, 3, 3]),
            max_per_day=rng.choice([1, 1, 1, 2]),
            min_spacing_minutes=rng.choice([0, 60, 180, 1500]),
        )
        prefs[p] = up
        limits[p] = Limits(up.max_per_day, up.posting_frequency_max, None, up.min_spacing_minutes * 60.0, up)
    stagger = Stagger(tuple(rng.sample(platforms, 2)), rng.choice([0, 60, 240, 1440]))
    videos = []
    for n in range(rng.randint(*n_videos)):
        vp = rng.sample(platforms, rng.choice([1, 2, 2]))
        ready = None
        if rng.random() < 0.4:
            day = WEEK_START + timedelta(days=rng.randint(0, 5))
            ready = datetime.combine(day, time(rng.randint(0, 23))).replace(tzinfo=tz).astimezone(UTC)
        # One priority for all: the objective (count, total score) knows no priorities, and a
        # priority-first planner may rightly give an urgent video a slot a better total would not.
        videos.append(VideoJob(f"v{n}", duration_seconds=30, aspect_ratio="9:16", platforms=vp, ready_at=ready))
    job = BulkJob("bj_opt", "user_1", videos=videos)
    exceptions = []
    if rng.random() < 0.3:
        d = WEEK_START + timedelta(days=rng.randint(0, 6))
        exceptions.append(ScheduleException("off", d, d, platforms=(rng.choice(platforms),)))
    cal = ContentCalendar("OPT", "user_1", tzname, WEEK_START, WEEK_END, exceptions=exceptions)
    inp = PlanInput(job, cal, [], TimingTable(formats, []), prefs, stagger, NOW, slot_minutes=slot_minutes)
    # A few items already on the calendar: they count against the caps and take their instants.
    existing = []
    for k in range(rng.randint(0, 2)):
        p = rng.choice(platforms)
        slots = candidate_slots(inp, formats[p][0], limits[p], tz, WEEK_START, WEEK_END)
        if not slots:
            continue
        s = rng.choice(slots)
        key = idempotency_key("manual", f"old{k}", p)
        existing.append(
            ContentScheduleItem(
                item_id_for(key),
                key,
                "OPT",
                "user_1",
                f"old{k}",
                p,
                "video",
                s.at,
                ScheduleStatus.SCHEDULED,
                "manual",
                s.score,
            )
        )
    inp.existing = existing
    return Instance(seed, inp, limits)


# ---------------------------------------------------------------- the brute force


@dataclass
class Req:
    video: str
    platform: Platform
    slots: list  # (utc, day, week, score), best first
    best: float


class BruteForce:
    """Exact optimum by backtracking with a (count, score) bound."""

    def __init__(self, inst: Instance):
        inp = inst.inp
        self.inst = inst
        tz = ZoneInfo(inp.calendar.timezone)
        self.order = {p: i for i, p in enumerate(inp.stagger.order)}
        self.gap = inp.stagger.gap_minutes * 60.0
        self.lim = inst.limits
        cands = {
            p: candidate_slots(inp, inp.timing.formats[p][0], inst.limits[p], tz, WEEK_START, WEEK_END)
            for p in inp.timing.formats
        }
        self.reqs: list[Req] = []
        for v in inp.job.videos:
            ready = v.ready_at.timestamp() if v.ready_at else NOW.timestamp()
            for p in sorted(v.platforms, key=lambda q: self.order[q]):
                slots = [(s.utc, s.day, s.week, s.score) for s in cands[p] if s.utc >= ready]
                slots.sort(key=lambda s: (-s[3], s[0]))
                self.reqs.append(Req(v.video_job_id, p, slots, slots[0][3] if slots else 0.0))
        self.times = {p: [] for p in cands}
        self.day = {p: {} for p in cands}
        self.week = {p: {} for p in cands}
        for item in inp.existing:
            local = item.scheduled_at.astimezone(tz)
            iso = local.date().isocalendar()
            self._add(item.platform, local.timestamp(), local.date(), (iso[0], iso[1]))
        self.by_video: dict[str, dict[Platform, float]] = {}
        self.best = (-1, -1.0)
        self.best_assign: list = []
        self.nodes = 0

    def _add(self, p, utc, day, week):
        self.times[p].append(utc)
        self.day[p][day] = self.day[p].get(day, 0) + 1
        self.week[p][week] = self.week[p].get(week, 0) + 1

    def _remove(self, p, utc, day, week):
        self.times[p].remove(utc)
        self.day[p][day] -= 1
        self.week[p][week] -= 1

    def feasible(self, r: Req, slot) -> bool:
        utc, day, week, _ = slot
        lim = self.lim[r.platform]
        if lim.max_per_day is not None and self.day[r.platform].get(day, 0) >= lim.max_per_day:
            return False
        if lim.max_per_week is not None and self.week[r.platform].get(week, 0) >= lim.max_per_week:
            return False
        gap = max(lim.spacing, 1.0)
        if any(abs(utc - t) < gap for t in self.times[r.platform]):
            return False
        mine = self.order[r.platform]
        for q, t in self.by_video.get(r.video, {}).items():
            if self.order[q] < mine and utc < t + self.gap:
                return False
            if self.order[q] > mine and utc > t - self.gap:
                return False
        return True

    def bound(self, i: int) -> tuple[int, float]:
        """An upper bound on what requests i.. can still add (the state only tightens deeper in the
        search). Per platform, two relaxations, the tighter one wins: each request at its best feasible
        slot; each day at its best feasible slot, as often as the day's room allows. Both at most the
        weekly room."""
        count, score = 0, 0.0
        by_request: dict[Platform, list[float]] = {p: [] for p in self.times}
        by_day: dict[Platform, dict] = {p: {} for p in self.times}
        for r in self.reqs[i:]:
            first = True
            for slot in r.slots:  # best first
                if not self.feasible(r, slot):
                    continue
                if first:
                    by_request[r.platform].append(slot[3])
                    first = False
                days = by_day[r.platform]
                days[slot[1]] = max(days.get(slot[1], 0.0), slot[3])
        for p in self.times:
            cap = self.lim[p].max_per_week
            room = len(by_request[p]) if cap is None else max(cap - self.week[p].get(WEEK, 0), 0)
            options = [sorted(by_request[p], reverse=True)[:room]]
            day_cap = self.lim[p].max_per_day
            if day_cap is not None:
                per_day = []
                for d, best in by_day[p].items():
                    per_day += [best] * max(day_cap - self.day[p].get(d, 0), 0)
                options.append(sorted(per_day, reverse=True)[:room])
            count += min(len(o) for o in options)
            score += min(sum(o) for o in options)
        return count, score

    def solve(self, incumbent: tuple[int, float] = (-1, -1.0)) -> tuple[int, float]:
        """The optimum (count, total score); ``incumbent``, the value of a known feasible plan,
        only speeds up the search by pruning (the result is never below it)."""
        self.best = incumbent
        self.assign: list = [None] * len(self.reqs)
        self._search(0, 0, 0.0)
        return self.best

    def _search(self, i: int, count: int, score: float) -> None:
        self.nodes += 1
        bc, bs = self.bound(i)
        if count + bc < self.best[0] or (count + bc == self.best[0] and score + bs <= self.best[1] + 1e-9):
            return
        if i == len(self.reqs):
            self.best = (count, score)  # the bound check above lets only improvements get here
            self.best_assign = list(self.assign)
            return
        r = self.reqs[i]
        for slot in r.slots:
            if not self.feasible(r, slot):
                continue
            self._add(r.platform, slot[0], slot[1], slot[2])
            self.by_video.setdefault(r.video, {})[r.platform] = slot[0]
            self.assign[i] = slot
            self._search(i + 1, count + 1, score + slot[3])
            del self.by_video[r.video][r.platform]
            self._remove(r.platform, slot[0], slot[1], slot[2])
        self.assign[i] = None
        self._search(i + 1, count, score)

    def check_plan(self, items: list[ContentScheduleItem]) -> list[str]:
        """Hard-constraint violations of the planner's items, by the brute force's own rules."""
        problems = []
        tz = ZoneInfo(self.inst.inp.calendar.timezone)
        slots_of = {(r.video, r.platform): {s[0]: s for s in r.slots} for r in self.reqs}
        for item in sorted(items, key=lambda i: (i.video_job_id, self.order[i.platform])):
            utc = item.scheduled_at.timestamp()
            slot = slots_of[(item.video_job_id, item.platform)].get(utc)
            if slot is None:
                problems.append(f"{item.idempotency_key} at {item.scheduled_at.astimezone(tz)} is not an allowed slot")
                continue
            r = Req(item.video_job_id, item.platform, [], 0.0)
            if not self.feasible(r, slot):
                problems.append(f"{item.idempotency_key} at {item.scheduled_at.astimezone(tz)} breaks a constraint")
            self._add(item.platform, slot[0], slot[1], slot[2])
            self.by_video.setdefault(item.video_job_id, {})[item.platform] = slot[0]
        return problems


# ---------------------------------------------------------------- the tests

# Small instances (3-4 videos, up to 8 requests) and medium ones (9-10 videos, 14-20 requests: some above
# the size the planner solves exactly, so its heuristic is what is measured there).
SMALL, MEDIUM = (3, 4), (9, 10)
KNOWN: dict[tuple[tuple[int, int], int], str] = {}  # (size, seed) -> why the planner misses the optimum there


def _params(check: str) -> list:
    out = []
    for size, label in ((SMALL, "small"), (MEDIUM, "medium")):
        for seed in SEEDS:
            reason = KNOWN.get((size, seed))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason and check == "quality" else []
            out.append(pytest.param(size, seed, marks=marks, id=f"{label}-seed{seed}"))
    return out


@pytest.mark.parametrize(("size", "seed"), _params("quality"))
def test_planner_reaches_the_brute_force_optimum(size, seed):
    inst = make_instance(seed, size)
    started = clock.perf_counter()
    opt_count, opt_score = BruteForce(inst).solve()
    elapsed = clock.perf_counter() - started
    assert elapsed < 2.0, f"brute force too slow ({elapsed:.2f} s): shrink the instance"
    result = plan(inst.inp)
    got_count, got_score = len(result.items), result.score
    detail = (
        f"planner placed {got_count} (score {got_score:.4f}); optimum {opt_count} (score {opt_score:.4f})\n"
        + inst.describe()
        + "\nplanner: "
        + str([(i.video_job_id, i.platform.value, i.scheduled_at.isoformat(), i.score) for i in result.items])
    )
    # A feasible plan can never beat an exact optimum: if it does, the plan breaks a rule (see the next test).
    assert (got_count, round(got_score, 6)) <= (opt_count, round(opt_score, 6)), "better than optimal?\n" + detail
    assert got_count == opt_count and got_score >= 0.98 * opt_score - 1e-9, detail


@pytest.mark.parametrize(("size", "seed"), _params("feasible"))
def test_planner_plan_is_feasible_by_independent_rules(size, seed):
    inst = make_instance(seed, size)
    result = plan(inst.inp)
    assert BruteForce(inst).check_plan(result.items) == []
    # every request is accounted for exactly once: placed or unplaced
    wanted = {(v.video_job_id, p.value) for v in inst.inp.job.videos for p in v.platforms}
    got = [(i.video_job_id, i.platform.value) for i in result.items] + [
        (u.video_job_id, u.platform) for u in result.unplaced
    ]
    assert sorted(got) == sorted(wanted)


def test_brute_force_is_exact_on_a_hand_made_instance():
    """The brute force itself: one platform, 1 a day, 2 a week, three videos, known optimum."""
    p = Platform.YOUTUBE
    win = [
        TimingWindow(frozenset({0, 2}), time(16), time(17), 1.0),
        TimingWindow(frozenset({4}), time(9), time(10), 0.5),
    ]
    fmt = PlatformTimingData(p, "video", win, Frequency())
    up = UserSchedulingPreferences("user_1", p, "UTC", posting_frequency_max=2, max_per_day=1)
    videos = [VideoJob(f"v{i}", platforms=[p]) for i in range(3)]
    cal = ContentCalendar("OPT", "user_1", "UTC", WEEK_START, WEEK_END)
    inp = PlanInput(
        BulkJob("bj", "user_1", videos=videos),
        cal,
        [],
        TimingTable({p: [fmt]}, []),
        {p: up},
        Stagger((p,), 0),
        NOW,
        slot_minutes=60,
    )
    inst = Instance(-1, inp, {p: Limits(1, 2, None, 0.0, up)})
    assert BruteForce(inst).solve() == (2, 2.0)
    result = plan(inp)
    assert (len(result.items), result.score) == (2, 2.0)


def _minimal_miss() -> Instance:
    """The smallest instance the greedy phase gets wrong: no caps, three slots in all, two videos."""
    fb, x = Platform.FACEBOOK, Platform.X
    formats = {
        fb: [
            PlatformTimingData(
                fb,
                "video",
                [
                    TimingWindow(frozenset({0}), time(7), time(8), 0.5),
                    TimingWindow(frozenset({6}), time(13), time(14), 0.7),
                ],
                Frequency(),
            )
        ],
        x: [PlatformTimingData(x, "video", [TimingWindow(frozenset({2}), time(17), time(18), 0.9)], Frequency())],
    }
    prefs = {p: UserSchedulingPreferences("user_1", p, "UTC") for p in formats}
    videos = [VideoJob("v0", platforms=[fb, x]), VideoJob("v1", platforms=[fb])]
    cal = ContentCalendar("OPT", "user_1", "UTC", WEEK_START, WEEK_END)
    inp = PlanInput(
        BulkJob("bj", "user_1", videos=videos),
        cal,
        [],
        TimingTable(formats, []),
        prefs,
        Stagger((fb, x), 0),
        NOW,
        slot_minutes=60,
    )
    return Instance(-2, inp, {p: Limits(None, None, None, 0.0, prefs[p]) for p in prefs})


def test_minimal_instance_brute_force_finds_three_items():
    inst = _minimal_miss()
    assert BruteForce(inst).solve() == (3, pytest.approx(2.1))


def test_minimal_instance_planner_places_all_three():
    """Greedy alone puts v0 on facebook Sun 13:00 (its best), which leaves its X post (Wed, after facebook)
    nowhere; the optimum is v0 facebook Mon 07:00 + X Wed 17:00 and v1 facebook Sun 13:00."""
    inst = _minimal_miss()
    result = plan(inst.inp)
    assert BruteForce(inst).check_plan(result.items) == []
    assert len(result.items) == 3, [
        (i.video_job_id, i.platform.value, i.scheduled_at.isoformat()) for i in result.items
    ]


def _swap_instance(padding: int) -> PlanInput:
    """Instagram takes 1 a week: v4 on Fri 14:00 (0.7) is better than v1 on Sun 19:00 (0.45), v1's only
    Instagram slot after its X post (Sat 15:00, stagger X then Instagram). ``padding`` videos that can never
    be placed (ready after the period) only make the job bigger."""
    ig, x, yt = Platform.INSTAGRAM, Platform.X, Platform.YOUTUBE

    def fmt(p, *wins):
        return [
            PlatformTimingData(
                p, "video", [TimingWindow(frozenset({d}), time(h), time(h + 1), s) for d, h, s in wins], Frequency()
            )
        ]

    formats = {ig: fmt(ig, (4, 14, 0.7), (6, 19, 0.45)), x: fmt(x, (5, 15, 0.63)), yt: fmt(yt, (0, 9, 0.5))}
    prefs = {
        ig: UserSchedulingPreferences("user_1", ig, "UTC", posting_frequency_max=1, max_per_day=1),
        x: UserSchedulingPreferences("user_1", x, "UTC", posting_frequency_max=7, max_per_day=1),
        yt: UserSchedulingPreferences("user_1", yt, "UTC"),
    }
    videos = [VideoJob("v1", platforms=[x, ig]), VideoJob("v4", platforms=[ig])]
    videos += [VideoJob(f"late{k}", platforms=[yt], ready_at=datetime(2026, 8, 1, tzinfo=UTC)) for k in range(padding)]
    cal = ContentCalendar("OPT", "user_1", "UTC", WEEK_START, WEEK_END)
    return PlanInput(
        BulkJob("bj", "user_1", videos=videos),
        cal,
        [],
        TimingTable(formats, []),
        prefs,
        Stagger((x, ig), 0),
        NOW,
        slot_minutes=60,
    )


def test_small_swap_instance_is_solved_optimally():
    result = plan(_swap_instance(0))
    assert sorted((i.video_job_id, i.platform.value) for i in result.items) == [("v1", "x"), ("v4", "instagram")]
    assert result.score == pytest.approx(1.33)


def test_unplaceable_padding_does_not_change_the_plan():
    """Above 16 requests (no exact search) the heuristic itself must find the swap: v4's Instagram post
    takes v1's week (0.7 against 0.45), and v1's Instagram post, with no other slot, stays unplaced."""
    result = plan(_swap_instance(14))
    assert sorted((i.video_job_id, i.platform.value) for i in result.items) == [("v1", "x"), ("v4", "instagram")]
    assert result.score == pytest.approx(1.33)


def test_a_swap_never_displaces_a_more_important_video():
    """The same instance with v1 of high priority: priority comes before total score, so v1 keeps its
    Instagram week (v4's 0.7 would raise the total but lower the high-priority score)."""
    inp = _swap_instance(14)
    inp.job.videos[0] = replace(inp.job.videos[0], priority=JobPriority.HIGH)
    result = plan(inp)
    assert sorted((i.video_job_id, i.platform.value) for i in result.items) == [("v1", "instagram"), ("v1", "x")]
    assert [(u.video_job_id, u.platform) for u in result.unplaced if not u.video_job_id.startswith("late")] == [
        ("v4", "instagram")
    ]


def test_a_replan_with_nothing_new_does_no_search_work():
    """Repair and swap move only items of this run: with every placed item already on the calendar
    and only unplaceable requests left, they spend none of the work budget (a re-plan stays fast)."""
    from calcli.planning.problem import PlanResult
    from calcli.planning.requests import build_requests
    from calcli.planning.search import Planner
    from calcli.planning.solver import run

    first = plan(_swap_instance(20))
    again = replace(_swap_instance(20), existing=first.items)
    requests = build_requests(again, PlanResult())
    assert len(requests) == 21  # v1's Instagram post and the 20 late videos: none can be placed
    planner = Planner(again)
    assert run(planner, requests) == requests
    assert planner.budget == 200_000  # untouched
