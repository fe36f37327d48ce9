"""When to post, on the user's own evidence: residual models per platform and Bonferroni-guarded slot claims."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from calcli.analytics.metrics import DEFAULT_METRIC, metric
from calcli.core.model import WEEKDAYS
from calcli.store.base import PostSet

ALPHA = 0.05  # family-wise error of the claims of one analysis (per kind of claim)


MIN_CELL_POSTS = 5  # a weekday × hour slot is tested only with at least this many posts


MIN_PLATFORM_POSTS = 20  # below this a platform gets the research windows and "not enough data"


POWER_Z = NormalDist().inv_cdf(0.8)  # "needs about N more posts" plans for 80% power


DAY_NAMES = [d.capitalize() for d in WEEKDAYS]


@dataclass
class Cell:
    """One platform's weekday × hour slot: its posts and their average log-rate residual."""

    platform: str
    weekday: int
    hour: int
    posts: int
    mean: float  # mean residual (log engagement rate minus the post's platform-and-format mean)
    er: float | None  # pooled engagement rate of the slot (per impression)

    @property
    def label(self) -> str:
        return slot_label(self.weekday, self.hour)


@dataclass
class PlatformModel:
    """What one platform's posts say about time: residual spread and the tested slots."""

    platform: str
    posts: int  # posts with an engagement rate
    sd: float  # residual standard deviation (log scale)
    cells: list[Cell] = field(default_factory=list)

    def effect(self, c: Cell, without: list[Cell] | tuple = ()) -> tuple[float, float]:
        """The slot against the platform's other posts (less the slots ``without``): difference of
        mean log rates and its standard error. Residuals sum to zero per platform, so the rest's
        mean follows from the slots' own sums."""
        rest = self.posts - c.posts - sum(e.posts for e in without)
        rest_mean = (-c.mean * c.posts - sum(e.mean * e.posts for e in without)) / rest
        return c.mean - rest_mean, self.sd * math.sqrt(1 / c.posts + 1 / rest)

    def tested(self) -> list[Cell]:
        return [c for c in self.cells if c.posts >= MIN_CELL_POSTS and self.posts - c.posts >= MIN_CELL_POSTS]


def slot_label(weekday: int, hour: int) -> str:
    return f"{DAY_NAMES[weekday]} {hour:02d}:00-{(hour + 1) % 24:02d}:00"


def lift(x: float) -> float:
    """A difference of log rates as a relative change (0.3 = +30%)."""
    return math.exp(x) - 1


def z_for(tests: int, alpha: float = ALPHA) -> float:
    """The two-sided Bonferroni critical value for ``tests`` comparisons."""
    return NormalDist().inv_cdf(1 - alpha / (2 * max(tests, 1)))


def platform_models(posts: PostSet, metric_name: str = DEFAULT_METRIC) -> dict[str, PlatformModel]:
    """Per platform: posts with a value of the metric, the residual spread (log scale) and every
    occupied slot, from the posts of one analysis (``store.posts(filter, tz)``)."""
    platforms, cells = posts.residuals(metric(metric_name).name)
    models: dict[str, PlatformModel] = {}
    for platform, n, ss, groups in platforms:
        dof = max(n - max(groups, 1), 1)  # one mean estimated per format
        models[platform] = PlatformModel(platform, n, math.sqrt(ss / dof) if ss else 0.0)
    for platform, wd, hr, n, mean, eng, exp in cells:
        models[platform].cells.append(Cell(platform, wd, hr, n, mean, eng / exp if exp else None))
    return models


@dataclass
class TimeClaim:
    platform: str
    cell: Cell
    lift: float
    low: float
    high: float
    z: float
    critical: float
    tests: int
    claimed: bool
    rest: int = 0  # the posts the slot was compared with
    left_out: tuple[str, ...] = ()  # slots better beyond chance, left out of the comparison


def _z(diff: float, se: float) -> float:
    return diff / se if se else 0.0


def time_claims(models: dict[str, PlatformModel]) -> list[TimeClaim]:
    """Every tested slot with its lift, its Bonferroni-adjusted interval, and whether it is a claim."""
    tests = sum(len(m.tested()) for m in models.values())
    crit = z_for(tests)
    out = []
    for m in models.values():
        tested = m.tested()
        # Step down: a slot that is better beyond chance leaves the baseline of the others, or one
        # real winner would make every other slot look worse than "the rest".
        better = [c for c in tested if _z(*m.effect(c)) > crit]
        for c in tested:
            keep_out = [] if c in better else better
            if m.posts - c.posts - sum(e.posts for e in keep_out) < MIN_CELL_POSTS:
                keep_out = []
            diff, se = m.effect(c, keep_out)
            z = _z(diff, se)
            out.append(
                TimeClaim(
                    m.platform,
                    c,
                    lift(diff),
                    lift(diff - crit * se),
                    lift(diff + crit * se),
                    z,
                    crit,
                    tests,
                    abs(z) > crit,
                    m.posts - c.posts - sum(e.posts for e in keep_out),
                    tuple(e.label for e in keep_out),
                )
            )
    out.sort(key=lambda t: (t.platform, -t.z))
    return out
