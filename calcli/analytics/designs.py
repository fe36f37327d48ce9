"""Trial designs that stay valid when posts sit in fixed slots: blocked (matched-pair) assignment,
and the check that refuses a design whose arms differ systematically in platform, weekday or hour.

A calendar is not a random stream of posting times: the planner (and people) put posts in the
same slots week after week, two a day at 12:00 and 19:00, a video on YouTube then on TikTok.
Alternating A, B, A, B in time order then puts every 12:00 post in A and every 19:00 post in B,
and the trial measures the slot, not the strategy. The blocked design cannot do that:

* **Items** (``--by item``): every unit's *stratum* is (platform, weekday, hour) in the calendar's
  zone. Within a stratum the units, in time order, form consecutive pairs; a seeded coin decides
  which of the two is A. The analysis is the pair difference B − A, so the slot, the platform and
  slow drifts (the two posts of a pair are a week or so apart) cancel out of every difference.
* **Weeks** (``--by week``): a switchback by whole weeks, consecutive weeks paired and the order
  within each pair drawn at random; the analysis is the difference of the pair's week means.

A unit left over (an odd stratum) gets a coin-flip arm and is reported as unpaired, not analysed.
The pair (block) of each unit is recorded with its arm (method ``blocked:<block>``), so the
analysis never depends on where a moved item sits now.
"""

from __future__ import annotations

import math
import random
from datetime import datetime

from calcli.core.times import zone

ARMS = ("a", "b")
BLOCKED = "blocked"
MIN_LEVEL = 4  # a platform / weekday / hour / slot with this many units is checked for confounding
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def stratum(platform: str, at: datetime, tz: str) -> tuple[str, int, int]:
    """(platform, weekday, hour) of a post in the calendar's zone: the slot a planner repeats."""
    local = at.astimezone(zone(tz)) if at.tzinfo is not None else at
    return platform, local.weekday(), local.hour


def assign_blocked(units: list[str], strata: list[tuple], seed: int) -> tuple[dict[str, str], dict[str, str]]:
    """(unit → arm, unit → block) for ``units`` in time order with their ``strata``: consecutive
    units of a stratum form a pair, one A and one B in a seeded random order; a unit left over in
    a stratum gets a coin-flip arm and no block. The same seed gives the same assignment.

    >>> assign_blocked(["u1", "u2", "u3"], [("x",), ("x",), ("x",)], 1)[1]
    {'u1': 'p0', 'u2': 'p0'}
    """
    rng = random.Random(seed)
    groups: dict[tuple, list[str]] = {}
    for u, s in zip(units, strata, strict=True):
        groups.setdefault(tuple(s), []).append(u)
    arms: dict[str, str] = {}
    blocks: dict[str, str] = {}
    pair = 0
    for key in sorted(groups, key=repr):
        members = groups[key]
        for k in range(0, len(members) - 1, 2):
            first = rng.choice(ARMS)
            arms[members[k]], arms[members[k + 1]] = first, ARMS[1 - ARMS.index(first)]
            blocks[members[k]] = blocks[members[k + 1]] = f"p{pair}"
            pair += 1
        if len(members) % 2:
            arms[members[-1]] = rng.choice(ARMS)
    return {u: arms[u] for u in units}, blocks


def block_of(method: str | None) -> str | None:
    """The block recorded in an assignment's method (``blocked:p3`` → ``p3``), else None."""
    if method and method.startswith(BLOCKED + ":"):
        return method.split(":", 1)[1]
    return None


def confounding(rows: list[tuple[str, str, int, int]], systematic: bool) -> list[str]:
    """Why the arms differ in platform, weekday, hour or slot, from ``rows`` of (arm, platform,
    weekday, hour), one per unit; empty when they do not.

    ``systematic`` (a deterministic design, e.g. alternating): a level with at least
    :data:`MIN_LEVEL` units all in one arm, or split more unevenly than a fair coin would split it
    (two-sided binomial p < 0.01), is a reason. Otherwise (a random design) a level is a reason
    only when its split is beyond chance at p < 0.001: random designs stay valid, they are only
    noisier, so the caller warns instead of refusing.
    """
    keys = {
        "platform": lambda r: r[1],
        "weekday": lambda r: DAYS[r[2]],
        "hour": lambda r: f"{r[3]:02d}:00",
        "slot": lambda r: f"{r[1]} {DAYS[r[2]]} {r[3]:02d}:00",
    }
    reasons = []
    for name, key in keys.items():
        counts: dict[str, list[int]] = {}
        for r in rows:
            counts.setdefault(key(r), [0, 0])[ARMS.index(r[0])] += 1
        for level, (na, nb) in sorted(counts.items()):
            n = na + nb
            if n < MIN_LEVEL:
                continue
            if systematic and min(na, nb) == 0:
                reasons.append(f"every {level} post ({n}) is in arm {'A' if nb == 0 else 'B'}")
            elif _binomial_p(min(na, nb), n) < (0.01 if systematic else 0.001):
                reasons.append(f"{name} {level}: {na} in A, {nb} in B")
        if len(reasons) >= 3:
            break
    return reasons[:3]


def _binomial_p(k: int, n: int) -> float:
    """Two-sided p of a split at most ``k`` of ``n`` under a fair coin."""
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)
