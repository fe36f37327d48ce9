"""Planted-effect simulations (seeded) through the analysis core: does ``calcli analyze`` find a
real better posting time, and does it keep quiet when there is none?

The scenario (one creator's year on one platform, in numbers like the example history's):

* one platform (TikTok, format ``video``), 52 weeks, 7 posts a week in 10 recurring weekday × hour
  slots: each week 7 of the 10 slots, chosen at random (about 36 posts per slot, 364 in all);
* each post's engagement rate is log-normal around the platform's level of 6%:
  ``0.06 × effect × exp(N(0, 0.35²) − 0.35²/2)``, where ``effect`` is 1.3 in the planted slot
  (Thursday 19:00) and 1 elsewhere — a real +30% in the mean rate;
* impressions are log-normal (median 5 000, σ = 0.8 on log scale, at least 100), and the
  engagement count is drawn from the rate (binomial, by its normal approximation), split into
  likes, comments, shares and saves;
* times are in UTC (the analysis zone), so the slot is the wall clock of the item.

Items and events for every seed go into one DuckDB store (the store schema's migrations) in two
bulk ``INSERT … SELECT FROM read_csv`` statements, one user per seed; each seed is then analysed
with :func:`calcli.analytics.claims.platform_models`, :func:`~calcli.analytics.claims.time_claims` and
:func:`~calcli.analytics.analysis.recommendations`, as ``calcli analyze`` does.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from calcli.analytics.claims import platform_models, slot_label, time_claims
from calcli.analytics.recommendations import recommendations
from calcli.core.model import PostFilter
from calcli.files.timing import load_timing
from calcli.store.duckdb.schema import MIGRATIONS
from calcli.store.duckdb.store import DuckDBStore

SLOTS = [(0, 12), (0, 18), (1, 18), (2, 17), (2, 20), (3, 19), (4, 12), (5, 11), (5, 20), (6, 20)]
PLANTED = (3, 19)  # Thursday 19:00-20:00
FIRST = datetime(2025, 6, 2)  # a Monday
BASE_RATE = 0.06
SIGMA = 0.35
PLANTED_SEEDS = range(100)
NULL_SEEDS = range(1000, 1200)


def simulate(rows_items, rows_events, user: str, rng: random.Random, effect: float, weeks: int = 52,
             per_week: int = 7, sigma: float = SIGMA) -> None:
    """Append one simulated history (items and one KPI snapshot per post) to the two row lists."""
    n = 0
    for week in range(weeks):
        monday = FIRST + timedelta(weeks=week)
        for wd, hr in sorted(rng.sample(SLOTS, per_week)):
            n += 1
            at = monday + timedelta(days=wd, hours=hr, minutes=rng.choice((0, 15, 30, 45)))
            item = f"{user}_{n}"
            lift = effect if (wd, hr) == PLANTED else 1.0
            rate = BASE_RATE * lift * math.exp(rng.gauss(0, sigma) - sigma**2 / 2)
            impressions = max(100, int(5000 * math.exp(rng.gauss(0, 0.8))))
            mean = impressions * rate
            eng = max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - rate)))))
            likes, comments, shares = int(eng * 0.8), int(eng * 0.08), int(eng * 0.07)
            rows_items.append((item, f"sim/{item}", "sim", user, f"v_{item}", "tiktok", "video", at, at, 0, "UTC",
                               "posted", n))
            rows_events.append((len(rows_events), user, item, "tiktok", at + timedelta(days=7), impressions,
                                int(impressions * 0.8), impressions, likes, comments, shares,
                                eng - likes - comments - shares))


ITEM_COLUMNS = ("id", "idempotency_key", "calendar_id", "user_id", "video_job_id", "platform", "format",
                "scheduled_utc", "scheduled_local", "utc_offset_minutes", "timezone", "status", "src_order")
EVENT_COLUMNS = ("event_key", "user_id", "item_id", "platform", "metric_at", "impressions", "reach", "views",
                 "likes", "comments", "shares", "saves")


def bulk_load(con, tmp: Path, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    path = tmp / f"{table}.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)
    types = {c: "TIMESTAMP" if c in ("scheduled_utc", "scheduled_local", "metric_at") else
             "BIGINT" if c in ("impressions", "reach", "views", "likes", "comments", "shares", "saves",
                               "utc_offset_minutes", "src_order") else "VARCHAR" for c in columns}
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_csv($p, header = true, columns = $t)",
                {"p": str(path), "t": types})


def store(tmp: Path):
    con = duckdb.connect(":memory:")
    for _, sql in MIGRATIONS:
        con.execute(sql)
    return con


def outcomes(con, tmp: Path, seeds, effect: float, **kw) -> list[dict]:
    """Per seed: the slots claimed better and worse, and the slots the recommendations tell to post more at."""
    items: list[tuple] = []
    events: list[tuple] = []
    for seed in seeds:
        simulate(items, events, f"s{seed}", random.Random(seed), effect, **kw)
    bulk_load(con, tmp, "content_schedule_items", ITEM_COLUMNS, items)
    bulk_load(con, tmp, "performance_kpi_events", EVENT_COLUMNS, events)
    research = load_timing(None, learned=False)  # the shipped baselines (the fallback's windows)
    return [one(con, research, seed) for seed in seeds]


def one(con, research, seed: int) -> dict:
    """One seed through the analysis: the slots claimed better and worse, and the recommendations."""
    models = platform_models(DuckDBStore(con).posts(PostFilter(f"s{seed}"), "UTC"))
    claims = time_claims(models)
    doc = {"platforms": [{"platform": p} for p in models], "consistency": [], "scope": {"metric": "er_impressions"}}
    recs = recommendations(research, models, claims, doc, "UTC")
    return {
        "better": {(t.cell.weekday, t.cell.hour) for t in claims if t.claimed and t.z > 0},
        "worse": {(t.cell.weekday, t.cell.hour) for t in claims if t.claimed and t.z < 0},
        "post_more": {r["what"] for r in recs if r["what"].startswith("post more at")},
        "tests": claims[0].tests if claims else 0,
        "posts": models["tiktok"].posts,
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("planted")
    return outcomes(store(tmp), tmp, PLANTED_SEEDS, 1.3)


@pytest.fixture(scope="module")
def null(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("null")
    return outcomes(store(tmp), tmp, NULL_SEEDS, 1.0)


def test_the_scenario_is_the_one_described(planted):
    assert all(o["posts"] == 52 * 7 and o["tests"] == len(SLOTS) for o in planted)


def test_a_real_30_percent_better_slot_is_named_in_at_least_90_percent_of_seeds(planted):
    """Power: the planted slot is claimed better, and recommended as the time to post more at,
    with no other slot claimed better. Asserted on the observed rate: >= 90%. Observed: 95 of
    these 100 seeds (the normal theory of the z-test gives ~93%). The margin is thin by nature:
    the same +30% is found in ~77% of seeds with 5 posts a week (26 per slot), ~69% with
    sigma 0.45, ~98% with 10 posts a week, ~100% with sigma 0.25."""
    want = f"post more at {slot_label(*PLANTED)} on tiktok"
    found = [o["better"] == {PLANTED} and o["post_more"] == {want} for o in planted]
    assert sum(found) / len(found) >= 0.90


def test_without_an_effect_a_better_slot_is_claimed_in_at_most_5_percent_of_seeds(null):
    """Size: with every slot alike, a "better" claim (hence a "post more at" recommendation) for any
    slot. Asserted on the observed rate over 200 seeds: <= 5%, the issue's bound (observed: 8 of
    200, 4%; any claim, better or worse, in 4.5% of another 600 seeds). The method's
    nominal rate is half of that (two-sided Bonferroni at 5% family-wise); 5% observed over 200
    seeds is what a true rate of 2.5% exceeds with probability ~1.3%, so the bound has room for
    simulation error without letting a method of twice the nominal size through by much."""
    claimed = [bool(o["better"]) or bool(o["post_more"]) for o in null]
    assert sum(claimed) / len(claimed) <= 0.05
