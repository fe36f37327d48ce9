"""The statistics tell the truth: A/A with daily looks rarely says "conclusive"; a real +20 % lift
is found within the sample size the plan predicted. Pure simulations through calcli.analytics.stats."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calcli.analytics import stats
from calcli.analytics.trials import assign_alternate, assign_random, hash_arm, parse_effect

SEEDS = 1000


def draw(rng: random.Random, lift: float = 1.0) -> float:
    """One post's engagement rate: lognormal around 4 % (log-scale sd 0.8), and 2 % of posts go
    viral (×4.5 to ×20) — heavier-tailed than a lognormal."""
    v = math.exp(rng.gauss(math.log(0.04), 0.8))
    if rng.random() < 0.02:
        v *= math.exp(rng.uniform(1.5, 3.0))
    return v * lift


def simulate(seed: int, lift: float, per_day: int = 2) -> tuple[str, int, int]:
    """Plan from 60 posts of history (as `trial new` does), then add ``per_day`` posts per arm a
    day and look after every day until the planned size: (first verdict, planned, n at stop)."""
    rng = random.Random(seed)
    sigma, _ = stats.history_sigma([stats.log_value(draw(rng), "rate") for _ in range(60)])
    planned = stats.planned_size(sigma, 0.2)
    a = b = stats.EMPTY
    while a.n < planned:
        for _ in range(per_day):
            a = stats.add(a, stats.log_value(draw(rng), "rate"))
            b = stats.add(b, stats.log_value(draw(rng, lift), "rate"))
        verdict, _ = stats.verdict(a, b, planned)
        if verdict.startswith("conclusive"):
            return verdict, planned, a.n
    return "none", planned, a.n


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n: the simulation's own sampling error."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_a_a_with_daily_looks_says_conclusive_at_most_5_percent_of_the_time():
    results = [simulate(seed, 1.0) for seed in range(SEEDS)]
    false = sum(r[0] != "none" for r in results)
    low, high = wilson(false, SEEDS)
    # Not just the observed rate: its 95 % upper bound must be under 5 %.
    assert high <= 0.05, (false, SEEDS, high)


def test_a_real_20_percent_lift_is_found_within_the_predicted_size_in_80_percent_of_seeds():
    results = [simulate(100_000 + seed, 1.2) for seed in range(SEEDS)]
    found = sum(r[0] == "conclusive-b" for r in results)
    wrong = sum(r[0] == "conclusive-a" for r in results)
    low, _ = wilson(found, SEEDS)
    assert low >= 0.80, (found, SEEDS, low)
    assert wrong == 0
    assert all(n < planned + 2 for _, planned, n in results)  # whole days of 2 posts: at most 1 past the plan


def test_peeking_at_a_fixed_horizon_interval_would_have_failed_the_same_check():
    """The A/A check has teeth: the 95 % fixed-horizon interval looked at daily is far above 5 %."""
    z = 1.959964
    false = 0
    for seed in range(200):
        rng = random.Random(seed)
        a = b = stats.EMPTY
        for _day in range(300):
            for _ in range(2):
                a = stats.add(a, stats.log_value(draw(rng), "rate"))
                b = stats.add(b, stats.log_value(draw(rng), "rate"))
            if a.n >= stats.MIN_PER_ARM and abs(b.mean - a.mean) > z * math.sqrt(a.var / a.n + b.var / b.n):
                false += 1
                break
    assert wilson(false, 200)[0] > 0.05


def test_planned_size_grows_with_spread_and_shrinks_with_the_effect():
    assert stats.planned_size(0.8, 0.2) == 579
    assert stats.planned_size(1.0, 0.2) == 905
    assert stats.planned_size(0.8, 0.2) < stats.planned_size(1.0, 0.2)
    assert stats.planned_size(0.8, 0.5) < stats.planned_size(0.8, 0.2)
    with pytest.raises(ValueError):
        stats.planned_size(0.0, 0.2)


def test_the_sequence_is_wider_than_a_fixed_horizon_interval_and_narrows_with_n():
    hw_small = stats.cs_halfwidth(2 / 100, 200, 1000)
    hw_large = stats.cs_halfwidth(2 / 1000, 2000, 1000)
    assert hw_large < hw_small
    assert hw_small > 1.96 * math.sqrt(2 / 100)
    assert stats.cs_halfwidth(0.0, 0, 10) == math.inf


def test_verdicts():
    same = stats.Moments(50, 0.0, 1.0)
    higher = stats.Moments(50, 1.5, 1.0)
    assert stats.verdict(same, higher, 50) == ("conclusive-b", 0)
    assert stats.verdict(higher, same, 50) == ("conclusive-a", 0)
    assert stats.verdict(same, same, 50) == ("inconclusive", 0)
    assert stats.verdict(same, same, 80) == ("needs-more", 60)
    big = stats.Moments(5, 0.0, 1.0), stats.Moments(5, 10.0, 1.0)
    assert stats.verdict(*big, 50) == ("needs-more", 90)  # no verdict before MIN_PER_ARM values per arm


def test_log_values_and_moments():
    assert stats.log_value(None, "rate") is None
    assert stats.log_value(0, "rate") == pytest.approx(math.log(stats.RATE_OFFSET))
    assert stats.log_value(99, "count") == pytest.approx(math.log(100))
    with pytest.raises(ValueError):
        stats.log_value(-1, "count")
    m = stats.moments([1.0, 2.0, 3.0, 4.0])
    assert (m.n, m.mean, m.var) == (4, 2.5, pytest.approx(5 / 3))
    assert stats.history_sigma([0.0] * 5)[1] == "default (history has 5 values, fewer than 20)"


def test_parse_effect():
    assert parse_effect("20%") == pytest.approx(0.2)
    assert parse_effect("0.35") == pytest.approx(0.35)
    for bad in ("0", "-5%", "abc", "2000%"):
        with pytest.raises(ValueError):
            parse_effect(bad)


units_lists = st.lists(st.text("abcdef0123456789", min_size=1, max_size=8), unique=True, max_size=60)


@given(units_lists, st.integers(0, 2**31))
def test_random_assignment_is_deterministic_balanced_and_gives_each_unit_one_arm(units, seed):
    arms = assign_random(units, seed)
    assert arms == assign_random(units, seed)
    assert set(arms) == set(units) and set(arms.values()) <= {"a", "b"}
    counts = [list(arms.values()).count(x) for x in "ab"]
    assert abs(counts[0] - counts[1]) <= 1


@given(units_lists)
def test_alternate_assignment_alternates_in_the_given_order(units):
    arms = assign_alternate(units)
    assert [arms[u] for u in units] == ["a" if i % 2 == 0 else "b" for i in range(len(units))]


@given(st.text(min_size=1, max_size=20), st.integers(0, 2**31))
def test_hash_arm_is_a_pure_function(unit, seed):
    assert hash_arm("tr_1", seed, unit) == hash_arm("tr_1", seed, unit) in ("a", "b")
