"""Trials stay valid when posts sit in fixed slots (issue 17): seeded simulations of every design
`calcli trial new` offers, on calendars with fixed slots and on a calendar `calcli plan` made.

Each run: strong slot and platform effects (a 19:00 post does 35 % better than a 12:00 one, TikTok
1.5× YouTube, random effects per slot), log-normal noise with 2 % viral posts; the trial is planned
from 60 posts of history (as `trial new` does), posts come in time order and the trial is looked
at after every day until its planned size. A/A must say "conclusive" in at most 5 % of runs, a real
+20 % must be found for B in at least 80 % of runs within the planned size, and never for A.
The statistics are called directly for many seeds; the CLI end to end for a few.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from conftest import allow

from calcli.analytics import designs, stats
from calcli.analytics.trials import assign_alternate, assign_random

SEEDS_AA = 400
SEEDS_AB = 250
T0 = datetime(2026, 7, 6, tzinfo=UTC)  # a Monday


def slots_two_a_day(days: int) -> list[tuple[int, tuple]]:
    """Two TikTok posts a day, 12:00 and 19:00: (day, stratum) in time order."""
    return [(d, ("tiktok", d % 7, h)) for d in range(days) for h in (12, 19)]


def slots_platforms(days: int) -> list[tuple[int, tuple]]:
    """One video a day, on YouTube at 12:00 and on TikTok at 13:00."""
    return [(d, (p, d % 7, h)) for d in range(days) for p, h in (("youtube", 12), ("tiktok", 13))]


def slots_weekly(days: int) -> list[tuple[int, tuple]]:
    """A weekly cycle of four posts: Mon 09:00, Wed 12:00, Fri 17:00, Sat 10:00."""
    cycle = {0: 9, 2: 12, 4: 17, 5: 10}
    return [(d, ("instagram", d % 7, cycle[d % 7])) for d in range(days) if d % 7 in cycle]


def slots_odd_cycle(days: int) -> list[tuple[int, tuple]]:
    """Three posts a day (09:00, 13:00, 19:00): 21 a week, where alternating is not confounded."""
    return [(d, ("tiktok", d % 7, h)) for d in range(days) for h in (9, 13, 19)]


def effects(rng: random.Random, strata: set[tuple]) -> dict[tuple, float]:
    """Log-scale effect of each slot: its platform's, its hour's (19:00 +35 %) and its own."""
    platform = {"youtube": 0.0, "tiktok": math.log(1.5), "instagram": -0.2, "x": -0.5, "linkedin": 0.3}
    return {
        s: platform.get(s[0], 0.1) + (math.log(1.35) if s[2] == 19 else 0.0) + rng.gauss(0, 0.25)
        for s in sorted(strata)
    }


def noise(rng: random.Random) -> float:
    """One post's log-scale noise: sd 0.8, and 2 % of posts go viral (×4.5 to ×20)."""
    v = rng.gauss(0, 0.8)
    return v + (rng.uniform(1.5, 3.0) if rng.random() < 0.02 else 0.0)


def value(base: float, rng: random.Random, lift: float) -> float:
    return stats.log_value(math.exp(math.log(0.04) + base + noise(rng)) * lift, "rate")


def assign(design: str, strata: list[tuple], seed: int) -> tuple[dict[int, str], dict[int, str] | None]:
    units = list(range(len(strata)))
    if design == "blocked":
        arms, blocks = designs.assign_blocked([str(u) for u in units], strata, seed)
        return {int(u): a for u, a in arms.items()}, {int(u): b for u, b in blocks.items()}
    if design == "random":
        return {int(u): a for u, a in assign_random([str(u) for u in units], seed).items()}, None
    return {int(u): a for u, a in assign_alternate([str(u) for u in units]).items()}, None


def run_items(slots: list[tuple[int, tuple]], design: str, seed: int, lift: float) -> tuple[str, int]:
    """One item trial: (first conclusive verdict or "none", planned per arm)."""
    rng = random.Random(seed)
    fx = effects(rng, {s for _, s in slots})
    pool = [s for _, s in slots]
    sigma, _ = stats.history_sigma([value(fx[rng.choice(pool)], rng, 1.0) for _ in range(60)])
    planned = stats.planned_size(sigma, 0.2)
    arms, blocks = assign(design, [s for _, s in slots], seed)
    a = b = d = stats.EMPTY
    open_pairs: dict[str, tuple[str, float]] = {}
    for k, (day, s) in enumerate(slots):
        v = value(fx[s], rng, lift if arms[k] == "b" else 1.0)
        if blocks is None:
            a, b = (stats.add(a, v), b) if arms[k] == "a" else (a, stats.add(b, v))
        elif k in blocks:
            other = open_pairs.pop(blocks[k], None)
            if other is None:
                open_pairs[blocks[k]] = (arms[k], v)
            else:
                d = stats.add(d, v - other[1] if arms[k] == "b" else other[1] - v)
        if k + 1 < len(slots) and slots[k + 1][0] == day:
            continue  # look once a day, after its last post
        verdict, _ = stats.verdict(a, b, planned) if blocks is None else stats.paired_verdict(d, planned)
        if verdict.startswith("conclusive"):
            return verdict, planned
        if (d.n if blocks is not None else min(a.n, b.n)) >= planned:
            break
    return "none", planned


def run_weeks(design: str, seed: int, lift: float, posts_per_week: int = 14) -> tuple[str, int]:
    """One week trial (switchback): each week's value is the mean of its posts (two a day, 19:00
    better), every week has its own audience shock (sd 0.15); weeks paired (blocked), shuffled
    (random) or alternating, planned from 12 weeks of history."""
    rng = random.Random(seed)

    def week(arm_lift: float) -> float:
        shock = rng.gauss(0, 0.15)
        vals = [value(shock + (math.log(1.35) if i % 2 else 0.0), rng, arm_lift) for i in range(posts_per_week)]
        return sum(vals) / len(vals)

    sigma, _ = stats.history_sigma([week(1.0) for _ in range(12)], stats.MIN_HISTORY_WEEKS, stats.DEFAULT_WEEK_SIGMA)
    planned = stats.planned_size(sigma, 0.2)
    weeks = 2 * planned + 2
    arms, blocks = assign(design, [()] * weeks, seed)
    a = b = d = stats.EMPTY
    pending: dict[str, float] = {}
    for k in range(weeks):
        v = week(lift if arms[k] == "b" else 1.0)
        if blocks is None:
            a, b = (stats.add(a, v), b) if arms[k] == "a" else (a, stats.add(b, v))
            verdict, _ = stats.verdict(a, b, planned)
        else:
            if blocks.get(k) in pending:
                first = pending.pop(blocks[k])
                d = stats.add(d, v - first if arms[k] == "b" else first - v)
            elif k in blocks:
                pending[blocks[k]] = v
            verdict, _ = stats.paired_verdict(d, planned)
        if verdict.startswith("conclusive"):
            return verdict, planned
        if (d.n if blocks is not None else min(a.n, b.n)) >= planned:
            break
    return "none", planned


def rates(results: list[tuple[str, int]]) -> tuple[float, float, float]:
    n = len(results)
    return (sum(r[0].startswith("conclusive") for r in results) / n, sum(r[0] == "conclusive-b" for r in results) / n,
            sum(r[0] == "conclusive-a" for r in results) / n)


CALENDARS = {"two a day": slots_two_a_day, "platforms": slots_platforms, "weekly cycle": slots_weekly}
DAYS = {"two a day": 1400, "platforms": 1400, "weekly cycle": 2800}


@pytest.mark.parametrize("calendar", CALENDARS)
@pytest.mark.parametrize("design", ["blocked", "random"])
def test_a_a_on_fixed_slots_is_rarely_conclusive(calendar, design):
    results = [run_items(CALENDARS[calendar](DAYS[calendar]), design, seed, 1.0) for seed in range(SEEDS_AA)]
    assert rates(results)[0] <= 0.05, (calendar, design, rates(results))


@pytest.mark.parametrize("calendar", CALENDARS)
@pytest.mark.parametrize("design", ["blocked", "random"])
def test_a_real_20_percent_lift_is_found_for_b_on_fixed_slots(calendar, design):
    results = [run_items(CALENDARS[calendar](DAYS[calendar]), design, 50_000 + seed, 1.2) for seed in range(SEEDS_AB)]
    _, for_b, for_a = rates(results)
    assert for_b >= 0.80 and for_a == 0, (calendar, design, for_b, for_a)


def test_alternating_is_refused_on_every_fixed_slot_calendar_and_would_have_been_wrong():
    """The check has teeth: on these calendars alternating puts whole slots in one arm (refused),
    and had it run, A/A would have said "conclusive" in most runs."""
    for make in CALENDARS.values():
        slots = make(60)
        arms, _ = assign("alternate", [s for _, s in slots], 0)
        rows = [(arms[k], *s) for k, (_, s) in enumerate(slots)]
        assert designs.confounding(rows, systematic=True), make.__name__
    results = [run_items(slots_two_a_day(1400), "alternate", seed, 1.0) for seed in range(40)]
    assert rates(results)[0] >= 0.5


def test_alternating_where_it_is_accepted_stays_valid():
    slots = slots_odd_cycle(1000)
    arms, _ = assign("alternate", [s for _, s in slots], 0)
    assert designs.confounding([(arms[k], *s) for k, (_, s) in enumerate(slots)], systematic=True) == []
    aa = [run_items(slots, "alternate", seed, 1.0) for seed in range(SEEDS_AA)]
    ab = [run_items(slots, "alternate", 50_000 + seed, 1.2) for seed in range(SEEDS_AB)]
    assert rates(aa)[0] <= 0.05 and rates(ab)[1] >= 0.80 and rates(ab)[2] == 0, (rates(aa), rates(ab))


@pytest.mark.parametrize("design", ["blocked", "random", "alternate"])
def test_week_trials_a_a_and_a_b(design):
    aa = [run_weeks(design, seed, 1.0) for seed in range(300)]
    ab = [run_weeks(design, 50_000 + seed, 1.2) for seed in range(200)]
    assert rates(aa)[0] <= 0.05, (design, rates(aa))
    assert rates(ab)[1] >= 0.80 and rates(ab)[2] == 0, (design, rates(ab))


# ------------------------------------------------------------ a calendar `calcli plan` made


def write_plan_bulk(path, videos: int) -> None:
    job = [{"video_job_id": f"v{i:03d}", "title": f"Video {i}", "duration_seconds": 40, "aspect_ratio": "9:16",
            "platforms": ["youtube", "tiktok", "instagram"], "status": "completed"} for i in range(videos)]
    path.write_text(json.dumps({"bulk_job_id": "bj_sim", "user_id": "user_123", "name": "sim", "videos": job}))


@pytest.fixture
def planned_slots(project, run) -> list[tuple[int, tuple]]:
    """A year planned by `calcli plan` (300 videos × 3 platforms), repeated as the next years would
    be: (day, stratum) of every item in time order, strata as `trial new` computes them."""
    from calcli.files.calendar import load_calendar

    write_plan_bulk(project / "bulk.json", 300)
    r = run("plan", "bulk.json", "--calendar", "Sim", "--start", "2026-07-01", "--end", "2027-06-30")
    assert r.exit_code in (0, 5), r
    cal = load_calendar(project / "calendars" / "Sim.yaml").calendar
    items = sorted(cal.items, key=lambda i: i.scheduled_at)
    assert len(items) > 500
    first = items[0].scheduled_at.date()
    year = [((i.scheduled_at.date() - first).days, designs.stratum(i.platform.value, i.scheduled_at, cal.timezone))
            for i in items]
    return [(day + 364 * rep, s) for rep in range(3) for day, s in year]


def test_trials_on_a_calendar_made_by_plan(planned_slots):
    arms, _ = assign("alternate", [s for _, s in planned_slots], 0)
    refused = designs.confounding([(arms[k], *s) for k, (_, s) in enumerate(planned_slots)], systematic=True)
    for design in ("blocked", "random") + (() if refused else ("alternate",)):
        aa = [run_items(planned_slots, design, seed, 1.0) for seed in range(200)]
        ab = [run_items(planned_slots, design, 50_000 + seed, 1.2) for seed in range(150)]
        assert rates(aa)[0] <= 0.05, (design, rates(aa))
        assert rates(ab)[1] >= 0.80 and rates(ab)[2] == 0, (design, rates(ab))


# ------------------------------------------------------------ the CLI end to end


def _fixed_slot_calendar(project, days: int) -> None:
    """Two planned TikTok posts a day at 12:00 and 19:00 New York time from 2026-07-06."""
    lines = ["calendar: Fixed", "user: user_123", "timezone: America/New_York",
             'period: {start: "2026-07-01", end: "2027-12-31"}', "platforms: [tiktok]", "items:"]
    for d in range(days):
        day = (T0 + timedelta(days=d)).date()
        for h in (12, 19):
            lines += [f"  - id: it_{d:03d}_{h}", f"    key: job/{d}/{h}", f"    video: v{d}_{h}",
                      "    platform: tiktok", "    format: video", f'    at: "{day}T{h}:00:00"', "    status: planned"]
    (project / "calendars" / "Fixed.yaml").write_text("\n".join(lines) + "\n")
    allow(project, "tiktok", max_per_day=2, max_per_week=14, min_spacing="6h")


NEW = ("trial", "new", "t", "--calendar", "Fixed", "--arm-a", "research", "--arm-b", "same again",
       "--min-effect", "100%")


def test_cli_refuses_alternating_on_fixed_slots_with_the_reason(project, run):
    _fixed_slot_calendar(project, 14)
    r = run(*NEW, "--assign", "alternate")
    assert r.exit_code == 2
    assert r.stderr == (
        "Error: --assign alternate would confound the arms with the calendar's slots: every 12:00 post (14) is "
        "in arm A; every 19:00 post (14) is in arm B. Use --assign "
        "blocked (the default: pairs within each platform, weekday and hour, in random order).\n")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cli_a_a_on_fixed_slots_end_to_end(project, run, run_exported, seed):
    """`trial new` (blocked, the default) → KPI numbers where 19:00 does 35 % better and the
    arms are the same → `trial status`: not conclusive, and the pairs never mix slots."""
    _fixed_slot_calendar(project, 70)
    r = run(*NEW, "--seed", str(seed), "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    assert doc["assignment"] == "blocked" and doc["seed"] == seed
    assert ("Blocked: 70 pairs within platform × weekday × hour, A and B in seeded random order; 0 unpaired "
            "(a coin-flip arm, not analysed). The analysis is the mean difference within pairs.") in r.stderr
    rows = doc["assignments"]
    by_block: dict[str, list[dict]] = {}
    for row in rows:
        if row["block"]:
            by_block.setdefault(row["block"], []).append(row)
    assert all(len(p) == 2 and {x["arm"] for x in p} == {"a", "b"} for p in by_block.values())
    assert all(p[0]["scheduled_at"][10:] == p[1]["scheduled_at"][10:] for p in by_block.values())
    rng = random.Random(seed)
    lines = ["item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares"]
    for row in rows:
        rate = 0.04 * (1.35 if "T19" in row["scheduled_at"] else 1.0) * math.exp(rng.gauss(0, 0.3))
        lines.append(f"{row['unit']},,,2028-01-01T00:00:00Z,10000,9000,9500,{round(rate * 10000)},0,0")
    (project / "k.csv").write_text("\n".join(lines) + "\n")
    assert run_exported("kpi", "import", "k.csv").exit_code == 0
    status = json.loads(run("trial", "status", "t", "--format", "json").stdout)
    assert status["analysis"] == {"method": "mean difference within pairs (blocked)", "pairs": 70, "unpaired": 0}
    assert status["verdict"] in ("needs-more", "inconclusive"), status
    assert status["diff_low"] < 0 < status["diff_high"]
    figures = dict(line.split("\t") for line in run("trial", "status", "t", "--format", "tsv").stdout.splitlines()[1:])
    assert figures["analysis"] == "mean difference within pairs (blocked), 70 pairs with numbers"
