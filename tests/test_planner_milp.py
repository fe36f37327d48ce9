"""The planner against an exact MILP (HiGHS, a test-only dependency) under its own objective.

Objective (the README's "How the planner works"): as many posts as possible, then the total value,
a post's value being its window score times ``0.5 ** (days from when its video can go out / half_life)``,
with series order (a job's videos go out in order on each platform) as a hard rule beside the caps,
spacing, ``ready_at`` and the stagger. Instances: :func:`test_planner_optimum.make_instance` (one ISO
week, two platforms, tight caps, spacing, stagger, ``ready_at``, a blackout now and then, existing
items), small (3-4 videos), medium (9-14 videos, up to 28 requests: 50 seeds) and large (20-40 videos,
up to 80 requests), one priority for all.

The MILP reuses only ``candidate_slots`` (the allowed instants and their scores) and states every other
rule itself. Checked per instance: the planner places the optimum's number of posts and reaches at
least 98% of its value; and when the weekly goals can all be met (a second MILP maximising the posts
that count toward them) the planner leaves no week short while videos were ready for it.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

highspy = pytest.importorskip("highspy")
np = pytest.importorskip("numpy")

from test_planner_optimum import NOW, WEEK_END, WEEK_START, make_instance  # noqa: E402

from calcli.planning.goals import week_status  # noqa: E402
from calcli.planning.requests import build_requests  # noqa: E402
from calcli.planning.search import Planner  # noqa: E402
from calcli.planning.slots import candidate_slots  # noqa: E402
from calcli.planning.solver import plan, run  # noqa: E402

HALF_LIFE = 3.0
DECAY = math.log(2) / (HALF_LIFE * 86400)
BIG_T = 30 * 86400.0  # larger than any instant of an instance is from REF, plus the stagger gap
SMALL = [("small", s) for s in range(12)]
MEDIUM = [("medium", s) for s in range(100, 150)]
LARGE = [("large", s) for s in range(200, 206)]
VIDEOS = {"small": (3, 4), "medium": (9, 14), "large": (20, 40)}
RATIOS: list[tuple] = []  # (size, seed, planner value / free optimum)
PREFIX = False  # see the note: the planner is not prefix-closed (an earlier episode may have no slot)


def instance(size: str, seed: int):
    inst = make_instance(seed, VIDEOS[size])
    inp = inst.inp
    inp.half_life_days, inp.series_order = HALF_LIFE, True
    rng = random.Random(seed * 7 + 1)
    for prefs in inp.prefs.values():
        prefs.posting_frequency_min = rng.choice([None, 1, 2])
    return inst


class Milp:
    """x[r, s] binary: request r at slot s. Rules as rows; the objective as column costs."""

    def __init__(self, inst, goal_fill: bool = False):
        inp = inst.inp
        self.h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1e-9)
        tz = ZoneInfo(inp.calendar.timezone)
        order = {p: i for i, p in enumerate(inp.stagger.order)}
        gap = inp.stagger.gap_minutes * 60.0
        slots = {
            p: candidate_slots(inp, inp.timing.formats[p][0], inst.limits[p], tz, WEEK_START, WEEK_END)
            for p in inp.timing.formats
        }
        self.ncols = 0
        self.cols: list[tuple[int, int, object]] = []  # (request index, column, slot)
        reqs = []  # (video index, platform, earliest)
        pos = {
            v.video_job_id: i
            for i, v in enumerate(
                sorted(
                    inp.job.videos,
                    key=lambda v: (v.ready_at.timestamp() if v.ready_at else 0.0, inp.job.videos.index(v)),
                )
            )
        }
        opens = datetime.combine(WEEK_START, time(0)).replace(tzinfo=tz).timestamp()  # the window's start
        for v in inp.job.videos:
            ready = max(NOW.timestamp(), opens, v.ready_at.timestamp() if v.ready_at else 0.0)
            for p in v.platforms:
                reqs.append((pos[v.video_job_id], p, ready, v.video_job_id))
        costs = []
        for r, (_, p, ready, _) in enumerate(reqs):
            for s in slots[p]:
                if s.utc >= ready:
                    value = s.score * math.exp(-DECAY * (s.utc - ready))
                    self.cols.append((r, self._col(), s))
                    costs.append(0.0 if goal_fill else 1000.0 + value)
        n = len(self.cols)
        # Existing items: their counts per day and week, their instants.
        booked = {p: [] for p in slots}
        for item in inp.existing:
            booked[item.platform].append(item.scheduled_at.astimezone(tz))
        by_req: dict[int, list[int]] = {}
        for r, c, _ in self.cols:
            by_req.setdefault(r, []).append(c)
        for cs in by_req.values():  # one slot at most per request
            self._row(-math.inf, 1, cs, [1.0] * len(cs))
        for p, lim in inst.limits.items():
            mine = [(c, s) for r, c, s in self.cols if reqs[r][1] == p]
            for attr, cap in (("day", lim.max_per_day), ("week", lim.max_per_week)):
                if cap is None:
                    continue
                groups: dict = {}
                for c, s in mine:
                    groups.setdefault(getattr(s, attr), []).append(c)
                for key, cs in groups.items():
                    have = sum(
                        1
                        for t in booked[p]
                        if (t.date() if attr == "day" else tuple(t.date().isocalendar()[:2])) == key
                    )
                    self._row(-math.inf, max(cap - have, 0), cs, [1.0] * len(cs))
            spacing = max(lim.spacing, 1.0)
            for s0 in slots[p]:  # every pair closer than the spacing: at most one post in [s0, s0 + spacing)
                cs = [c for c, s in mine if s0.utc <= s.utc < s0.utc + spacing]
                if any(abs(t.timestamp() - s0.utc) < spacing for t in booked[p]):
                    cs_here = [c for c, s in mine if s.utc == s0.utc]
                    if cs_here:
                        self._row(-math.inf, 0, cs_here, [1.0] * len(cs_here))
                if len(cs) > 1:
                    self._row(-math.inf, 1, cs, [1.0] * len(cs))
            for t in booked[p]:  # spacing to an existing item
                cs = [c for c, s in mine if abs(s.utc - t.timestamp()) < spacing]
                if cs:
                    self._row(-math.inf, 0, cs, [1.0] * len(cs))
        # Time of request r: T_r = sum utc * x; placed_r = sum x. Pairwise ordering through big-M rows:
        # T_b - T_a >= d - M (2 - placed_a - placed_b), shifted to a reference instant for scale.
        ref = NOW.timestamp() + 21 * 86400.0  # 2026-07-06, the instances' week: |utc - ref| < 8 days

        def ordered(a: int, b: int, d: float) -> None:
            cs, vs = [], []
            for c in by_req.get(a, []):
                cs.append(c)
                vs.append(-(self._slot(c).utc - ref) - BIG_T)
            for c in by_req.get(b, []):
                cs.append(c)
                vs.append((self._slot(c).utc - ref) - BIG_T)
            if by_req.get(a) and by_req.get(b):
                self._row(d - 2 * BIG_T, math.inf, cs, vs)

        for a, (_, pa, _, va) in enumerate(reqs):
            for b, (_, pb, _, vb) in enumerate(reqs):
                if a == b:
                    continue
                if va == vb and order.get(pa, 99) < order.get(pb, 99):
                    ordered(a, b, gap)  # the stagger
                if pa == pb and reqs[a][0] < reqs[b][0]:
                    ordered(a, b, 1.0)  # series order
                    if PREFIX and by_req.get(b):  # and a later episode only when the earlier one is out
                        cb, ca = by_req[b], by_req.get(a, [])
                        self._row(-math.inf, 0, [*cb, *ca], [1.0] * len(cb) + [-1.0] * len(ca))
        self.reqs = reqs
        self.goal_cols = []
        if goal_fill:
            for p in inst.limits:
                goal = inp.prefs[p].posting_frequency_min
                if not goal:
                    continue
                cs = [c for r, c, s in self.cols if reqs[r][1] == p]
                have = sum(1 for t in booked[p] if WEEK_START <= t.date() <= WEEK_END)
                g = self._col(ub=goal, integer=False)
                self.goal_cols.append(g)
                # g <= posts in the week
                self._row(-math.inf, have, [g, *cs], [1.0] + [-1.0] * len(cs))
                costs.append(1.0)
        h.changeColsCost(self.ncols, np.arange(self.ncols, dtype=np.int32), np.array(costs[: self.ncols]))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.n = n

    def _col(self, ub: float = 1.0, integer: bool = True) -> int:
        self.h.addVar(0.0, ub)
        c = self.ncols
        self.ncols += 1
        if integer:
            self.h.changeColsIntegrality(1, np.array([c], dtype=np.int32), np.array([highspy.HighsVarType.kInteger]))
        return c

    def _slot(self, c: int):
        return self.cols[c][2]

    def _row(self, lo: float, hi: float, cs: list[int], vs: list[float]) -> None:
        inf = highspy.kHighsInf
        self.h.addRow(
            -inf if lo == -math.inf else lo,
            inf if hi == math.inf else hi,
            len(cs),
            np.array(cs, dtype=np.int32),
            np.array(vs, dtype=float),
        )

    def solve(self) -> tuple[int, float, float]:
        """(posts, total value, goal posts) of the optimum."""
        self.h.run()
        assert self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        x = self.h.getSolution().col_value
        count, value = 0, 0.0
        for r, c, s in self.cols:
            if x[c] > 0.5:
                count += 1
                value += s.score * math.exp(-DECAY * (s.utc - self.reqs[r][2]))
        return count, value, sum(x[g] for g in self.goal_cols)


def planner_value(inp, result) -> tuple[int, float]:
    tz = ZoneInfo(inp.calendar.timezone)
    opens = max(NOW.timestamp(), datetime.combine(WEEK_START, time(0)).replace(tzinfo=tz).timestamp())
    ready = {v.video_job_id: max(opens, v.ready_at.timestamp() if v.ready_at else 0.0) for v in inp.job.videos}
    value = sum(i.score * math.exp(-DECAY * (i.scheduled_at.timestamp() - ready[i.video_job_id])) for i in result.items)
    return len(result.items), value


@pytest.mark.parametrize(("size", "seed"), SMALL + MEDIUM + LARGE)
def test_planner_matches_the_milp_count_and_reaches_98_percent_of_its_value(size, seed):
    """Every instance: the optimum's number of posts and at least 98% of its value. Medium and large
    instances are oversubscribed (more videos than a week takes): the optimum gives the scarce slots
    to the videos that lose least by waiting (a post's value counts from its video's ready time), and
    the planner reaches it by trying which videos take them (``local.reselect``). Measured on the 50
    medium seeds: min 99.66%, median 100% (see the issue-16 note); large: min 99.2%."""
    inst = instance(size, seed)
    result = plan(inst.inp)
    count, value = planner_value(inst.inp, result)
    best_count, best_value, _ = Milp(inst).solve()
    assert count <= best_count and value <= best_value + 1e-6, inst.describe()  # the MILP is exact
    ratio = value / best_value if best_value else 1.0
    RATIOS.append((size, seed, ratio))
    assert count == best_count, f"{count} posts, the optimum places {best_count}\n{inst.describe()}"
    assert ratio >= 0.98, f"value {value:.4f} is {ratio:.1%} of the optimum {best_value:.4f}\n{inst.describe()}"


@pytest.mark.parametrize(("size", "seed"), SMALL + MEDIUM + LARGE)
def test_when_every_weekly_goal_can_be_met_the_planner_leaves_no_week_short(size, seed):
    inst = instance(size, seed)
    milp = Milp(inst, goal_fill=True)
    _, _, goal_posts = milp.solve()
    wanted = sum(inst.inp.prefs[p].posting_frequency_min or 0 for p in inst.limits)
    planner = Planner(inst.inp)
    from calcli.planning.problem import PlanResult

    requests = build_requests(inst.inp, PlanResult())
    run(planner, requests)
    short = [w for w in week_status(planner, requests) if w.short]
    if goal_posts >= wanted - 1e-6:
        assert not short, f"{short}\n{inst.describe()}"
