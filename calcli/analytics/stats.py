"""The statistics of A/B trials, as pure functions (standard library only).

The method, in one paragraph: each post's metric is put on a log scale (engagement numbers are
heavy-tailed; see :func:`log_value`); the effect is the difference of the arms' means, B − A, on
that scale, reported as a lift ``exp(diff) − 1`` (the ratio of geometric means). Its uncertainty
is an *always-valid* confidence sequence — the asymptotic confidence sequence of Waudby-Smith,
Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central limit theory and asymptotic confidence
sequences" (Annals of Statistics, 2024; arXiv:2103.06476), Theorem 2.2, in the two-sample form
GrowthBook and Eppo use — so looking at it every day does not inflate the error rate the way a
fixed-horizon t-test does. The boundary is tuned (:func:`cs_rho`) to be tightest at the planned
sample size.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

ALPHA = 0.05  # two-sided: P(the sequence ever excludes the true effect) ≤ 5 %, at any number of looks
POWER = 0.80  # the planned sample size detects the declared minimum effect with this probability
MIN_PER_ARM = 10  # no verdict before every arm has this many values: the asymptotics need a few
RATE_OFFSET = 0.001  # log(rate + 0.1 percentage point): a post with no engagement has a finite value
DEFAULT_SIGMA = 1.0  # log-scale standard deviation assumed when the history is too short
MIN_HISTORY = 20  # values needed before the history's own spread replaces DEFAULT_SIGMA
DEFAULT_WEEK_SIGMA = 0.7  # the same for the mean of a week's posts (week trials)
MIN_HISTORY_WEEKS = 8
MAX_PLANNED = 100_000  # per arm; beyond this a trial is not a plan


def log_value(value: float | None, kind: str) -> float | None:
    """The value a trial analyses: ``log(rate + RATE_OFFSET)`` for a rate, ``log1p(count)`` for a count.

    ``None`` stays ``None`` (a post without numbers is counted apart, never dropped silently).
    Logs turn multiplicative effects into additive ones and tame viral outliers, which is where a
    t-test on raw views loses its power (engineering notes, item 7).

    >>> round(log_value(0.04, "rate"), 4), log_value(0, "count"), log_value(None, "rate")
    (-3.1942, 0.0, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value < 0:
        raise ValueError(f"a metric value cannot be negative: {value}")
    return math.log(value + RATE_OFFSET) if kind == "rate" else math.log1p(value)


class Moments(NamedTuple):
    """Count, mean and (sample, n − 1) variance of one arm's values (a named tuple: a trial
    simulated over thousands of looks builds one per value, and a tuple is built fastest)."""

    n: int
    mean: float
    var: float


def add(m: Moments, x: float) -> Moments:
    """``m`` with one more value ``x`` (Welford's update: one pass, numerically stable), so a
    trial looked at every day costs O(1) per new post."""
    n = m.n + 1
    d = x - m.mean
    mean = m.mean + d / n
    m2 = m.var * (m.n - 1) + d * (x - mean) if m.n > 1 else d * (x - mean)
    return Moments(n, mean, m2 / (n - 1) if n > 1 else 0.0)


EMPTY = Moments(0, 0.0, 0.0)


def moments(values: list[float]) -> Moments:
    """The :class:`Moments` of ``values``."""
    m = EMPTY
    for x in values:
        m = add(m, x)
    return m


@lru_cache(maxsize=256)
def cs_rho(planned_total: int, alpha: float = ALPHA) -> float:
    """The mixing parameter ρ that makes the confidence sequence tightest at ``planned_total``
    observations (Waudby-Smith et al. 2024, §3.5; GrowthBook's ``sequential_tuning_parameter``):
    ρ = sqrt((−2 log α + log(−2 log α + 1)) / n*)."""
    la = -2 * math.log(alpha)
    return math.sqrt((la + math.log(la + 1)) / max(planned_total, 1))


def cs_halfwidth(var_of_estimate: float, total_n: int, planned_total: int, alpha: float = ALPHA) -> float:
    """Half-width of the two-sided asymptotic confidence sequence around a difference of means.

    ``var_of_estimate`` is Var(B̂ − Â) = s²_A/n_A + s²_B/n_B and ``total_n`` = n_A + n_B. With the
    per-observation variance σ² = var_of_estimate · total_n, Theorem 2.2 of Waudby-Smith et al.
    (2024) gives σ · sqrt(2(nρ² + 1)/(n²ρ²) · log(sqrt(nρ² + 1)/α)), valid at every n at once.
    """
    if total_n <= 0 or var_of_estimate <= 0:
        return math.inf
    rho2 = cs_rho(planned_total, alpha) ** 2
    t = total_n * rho2
    sigma2 = var_of_estimate * total_n
    return math.sqrt(sigma2 * 2 * (t + 1) / (total_n**2 * rho2) * math.log(math.sqrt(t + 1) / alpha))


class Effect(NamedTuple):
    """B − A on the log scale with its always-valid interval, and the same as a lift."""

    diff: float
    low: float
    high: float

    @property
    def lift(self) -> float:
        return math.expm1(self.diff)

    @property
    def lift_low(self) -> float:
        return -1.0 if self.low == -math.inf else math.expm1(self.low)

    @property
    def lift_high(self) -> float:
        return math.inf if self.high == math.inf else math.expm1(self.high)


def effect(a: Moments, b: Moments, planned_per_arm: int, alpha: float = ALPHA) -> Effect | None:
    """The difference of means B − A with its confidence sequence at this look, or ``None``
    while an arm has fewer than two values (no variance yet)."""
    if a.n < 2 or b.n < 2:
        return None
    diff = b.mean - a.mean
    hw = cs_halfwidth(a.var / a.n + b.var / b.n, a.n + b.n, 2 * planned_per_arm, alpha)
    return Effect(diff, diff - hw, diff + hw)


def verdict(a: Moments, b: Moments, planned_per_arm: int, alpha: float = ALPHA) -> tuple[str, int]:
    """The decision rule: ``("conclusive-b" | "conclusive-a" | "needs-more" | "inconclusive", more)``.

    Conclusive for B (A) when every arm has at least :data:`MIN_PER_ARM` values and the whole
    confidence sequence lies above (below) 0; otherwise "needs-more" while an arm is short of the
    planned size (``more`` = values still needed, both arms together), and "inconclusive" once both
    have reached it: the trial was planned to detect the declared minimum effect and did not.
    """
    more = max(0, planned_per_arm - a.n) + max(0, planned_per_arm - b.n)
    if a.n >= MIN_PER_ARM and b.n >= MIN_PER_ARM:
        e = effect(a, b, planned_per_arm, alpha)
        if e is not None and e.low > 0:
            return "conclusive-b", 0
        if e is not None and e.high < 0:
            return "conclusive-a", 0
    else:
        more = max(more, max(0, MIN_PER_ARM - a.n) + max(0, MIN_PER_ARM - b.n))
    return ("needs-more", more) if more else ("inconclusive", 0)


def planned_size(sigma: float, min_effect: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Values per arm for the confidence sequence to exclude 0 with probability ``power`` when
    the true lift is ``min_effect`` (0.2 = +20 %) and each value's log-scale spread is ``sigma``.

    At n per arm the estimate B̂ − Â is about Normal(δ, 2σ²/n) with δ = log(1 + min_effect); the
    sequence excludes 0 at that look when the estimate passes its half-width h(n), with probability
    Φ((δ − h(n)) / sqrt(2σ²/n)). The boundary is tuned to the n it is planned for, so the smallest
    n with that probability ≥ ``power`` is searched (doubling, then bisection). Looks before n can
    only add chances to conclude, so the power by n is at least ``power``.

    >>> planned_size(0.8, 0.2)
    579
    """
    if sigma <= 0 or min_effect <= 0:
        raise ValueError("sigma and min_effect must be positive")
    delta = math.log1p(min_effect)
    nd = NormalDist()

    def enough(n: int) -> bool:
        v = 2 * sigma**2 / n
        return nd.cdf((delta - cs_halfwidth(v, 2 * n, 2 * n, alpha)) / math.sqrt(v)) >= power

    hi = MIN_PER_ARM
    while not enough(hi):
        hi *= 2
        if hi > MAX_PLANNED:
            return MAX_PLANNED
    lo = hi // 2 if hi > MIN_PER_ARM else MIN_PER_ARM - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return max(hi, MIN_PER_ARM)


def sigma_upper(sd: float, n: int, confidence: float = 0.8) -> float:
    """The one-sided ``confidence`` upper bound of a standard deviation estimated from ``n`` values:
    sd · sqrt((n − 1) / χ²_{1−confidence, n−1}), with the Wilson–Hilferty approximation of the
    chi-square quantile. Planning with it instead of the estimate itself keeps the power at its
    target when the history is short (Browne 1995, "On the use of a pilot sample for sample size
    determination", Statistics in Medicine 14)."""
    k = n - 1
    z = NormalDist().inv_cdf(1 - confidence)
    chi2 = k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3
    return sd * math.sqrt(k / chi2)


def history_sigma(values: list[float], minimum: int = MIN_HISTORY, default: float = DEFAULT_SIGMA) -> tuple[float, str]:
    """The log-scale standard deviation to plan with, and where it came from: the 80 % upper bound
    (:func:`sigma_upper`) of the standard deviation of the user's own history when it has at least
    ``minimum`` values, else ``default``."""
    if len(values) >= minimum:
        m = moments(values)
        if m.var > 0:
            sd = math.sqrt(m.var)
            return sigma_upper(sd, m.n), f"history: {m.n} values, sd {sd:.2f}, planned with its 80% upper bound"
    return default, f"default (history has {len(values)} values, fewer than {minimum})"


def paired_effect(d: Moments, planned_pairs: int, alpha: float = ALPHA) -> Effect | None:
    """The mean pair difference B − A (a blocked design: each pair's two units share their slot)
    with its confidence sequence, or ``None`` before two pairs. The sequence is the one-sample form
    of the same theorem, σ² = Var(d), tuned to the planned number of pairs; at equal σ its width
    equals the two-sample width at as many values per arm, so the planned size is the same."""
    if d.n < 2:
        return None
    hw = cs_halfwidth(d.var / d.n, d.n, planned_pairs, alpha)
    return Effect(d.mean, d.mean - hw, d.mean + hw)


def paired_verdict(d: Moments, planned_pairs: int, alpha: float = ALPHA) -> tuple[str, int]:
    """:func:`verdict` for a blocked design, on the pairs with numbers in both units; ``more``
    counts units (both arms), as the unpaired verdict does."""
    more = 2 * max(0, planned_pairs - d.n)
    if d.n >= MIN_PER_ARM:
        e = paired_effect(d, planned_pairs, alpha)
        if e is not None and e.low > 0:
            return "conclusive-b", 0
        if e is not None and e.high < 0:
            return "conclusive-a", 0
    else:
        more = max(more, 2 * (MIN_PER_ARM - d.n))
    return ("needs-more", more) if more else ("inconclusive", 0)


# Student's t 97.5 % quantiles for 1..30 degrees of freedom (two-sided 95 % intervals of a mean).
T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom: a table to 30, then the
    Cornish–Fisher expansion of Abramowitz & Stegun 26.7.5 (four terms; error < 1e-5 there).

    >>> t975(1), t975(30), round(t975(40), 3), round(t975(120), 3)
    (12.706, 2.042, 2.021, 1.98)
    """
    if df < 1:
        raise ValueError("a t interval needs at least 1 degree of freedom")
    if df <= len(T975):
        return T975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(t / df ** (k + 1) for k, t in enumerate(terms))
