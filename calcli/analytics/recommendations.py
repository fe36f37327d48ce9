"""Recommendations that carry their evidence, or say there is not enough data and name the research windows."""

from __future__ import annotations

from datetime import time

from calcli.analytics.claims import (
    ALPHA,
    DAY_NAMES,
    MIN_CELL_POSTS,
    MIN_PLATFORM_POSTS,
    PlatformModel,
    TimeClaim,
)
from calcli.analytics.metrics import metric
from calcli.core.model import Platform


def research_windows(timing, platform: str, top: int = 3) -> list[str]:
    """The research baseline's best windows of a platform, as text (the fallback of a claim)."""
    fmts = timing.for_platform(Platform(platform))
    wins = sorted(
        {(w.score, tuple(sorted(w.days)), w.start, w.end) for f in fmts for w in f.windows},
        key=lambda w: (-w[0], w[1], w[2], w[3]),
    )[:top]
    return [f"{_days(d)} {_hhmm(s)}-{_hhmm(e)} (score {sc:.2f})" for sc, d, s, e in wins]


def _days(days: tuple[int, ...]) -> str:
    """``(0, 1, 2, 4)`` → ``Mon-Wed,Fri``."""
    if len(days) == 7:
        return "every day"
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ",".join(
        DAY_NAMES[r[0]] + (f"-{DAY_NAMES[r[-1]]}" if len(r) > 2 else "")
        if len(r) != 2
        else f"{DAY_NAMES[r[0]]},{DAY_NAMES[r[1]]}"
        for r in runs
    )


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def recommendations(timing, models: dict[str, PlatformModel], claims: list[TimeClaim], doc: dict, tz: str) -> list:
    """What to change, each with its evidence (posts, effect, interval) — or, where the data cannot
    carry a claim, "not enough data" and the research windows."""
    out: list[dict] = []
    # The platforms with numbers, and those the user posts to or has a goal for (consistency's rows):
    # a platform without numbers yet gets "not enough data" and its research windows.
    chosen = {doc["scope"]["platform"]} if doc.get("scope", {}).get("platform") else set()
    platforms = sorted({r["platform"] for r in doc["platforms"]} | {r["platform"] for r in doc["consistency"]} | chosen)
    for p in platforms:
        model = models.get(p)
        n = model.posts if model else 0
        mine = [t for t in claims if t.platform == p]
        if n < MIN_PLATFORM_POSTS:
            out.append(
                _fallback(timing, p, f"{n} posts with an engagement rate (at least {MIN_PLATFORM_POSTS} needed)")
            )
            continue
        better = [t for t in mine if t.claimed and t.z > 0]
        worse = sorted((t for t in mine if t.claimed and t.z < 0), key=lambda t: t.z)  # strongest first
        label = metric(doc["scope"]["metric"]).label
        for t in better[:2]:
            out.append(_time_rec(t, "post more at", model, label))
        for t in worse[:2]:
            out.append(_time_rec(t, "avoid", model, label))
        if not better and not worse:
            out.append(_no_claim(timing, p, model, mine))
    for row in doc["consistency"]:
        if row["status"] in ("missed", "at risk"):
            short = row["min_per_week"] - row["this_week_posted"] - row["this_week_pending"]
            what = (
                f"plan {short} more {row['platform']} post{'s' if short != 1 else ''} this week"
                if short > 0
                else f"keep this week's {row['this_week_pending']} pending {row['platform']} posts"
            )
            out.append(
                {
                    "kind": "consistency",
                    "platform": row["platform"],
                    "what": what,
                    "expected_effect": f"meet the goal of {row['min_per_week']} posts a week",
                    "posts": row["this_week_posted"],
                    "interval": None,
                    "confidence": "certain (counts)",
                    "evidence": (
                        f"{row['weeks_met']} of the last {row['weeks']} full weeks met the goal; "
                        f"this week {row['this_week_posted']} posted, {row['this_week_pending']} pending"
                    ),
                    "basis": "your calendar",
                }
            )
    return out


def _time_rec(t: TimeClaim, verb: str, model: PlatformModel, label: str) -> dict:
    """A claim with its evidence: the comparison printed is the one made (the step-down leaves the
    slots that are better beyond chance out of an "avoid" slot's baseline, and says so)."""
    others = f"your other {t.platform} slots"
    if t.left_out:
        others += f" except {', '.join(t.left_out)}"
    return {
        "kind": "time",
        "platform": t.platform,
        "what": f"{verb} {t.cell.label} on {t.platform}",
        "expected_effect": f"{t.lift:+.0%} {label} against {others}",
        "posts": t.cell.posts,
        "interval": [round(t.low, 4), round(t.high, 4)],
        "confidence": f"{1 - ALPHA:.0%} family-wise (Bonferroni over {t.tests} slots)",
        "evidence": f"{t.cell.posts} posts in the slot against {t.rest} other {t.platform} posts"
        + (f" (not counting {', '.join(t.left_out)}, better beyond chance)" if t.left_out else "")
        + f"; z = {t.z:.2f}",
        "basis": "your data",
    }


def _no_claim(timing, platform: str, model: PlatformModel, mine: list[TimeClaim]) -> dict:
    if not mine:
        return _fallback(
            timing,
            platform,
            f"no slot has {MIN_CELL_POSTS} posts yet ({model.posts} posts in {len(model.cells)} slots)",
        )
    top = mine[0]
    # The best of several slots leads by chance alone: say that plainly, and promise nothing.
    rec = _fallback(
        timing,
        platform,
        f"no slot differs beyond chance ({model.posts} posts in {len(mine)} tested slots): the best-looking, "
        f"{top.cell.label} at {top.lift:+.0%} (interval {top.low:+.0%} to {top.high:+.0%}), is within what "
        f"chance gives the best of {len(mine)} slots",
    )
    rec["posts"] = model.posts
    return rec


def _fallback(timing, platform: str, why: str) -> dict:
    wins = research_windows(timing, platform)
    return {
        "kind": "time",
        "platform": platform,
        "what": f"not enough data: keep {platform}'s research windows ({'; '.join(wins)})",
        "expected_effect": None,
        "posts": None,
        "interval": None,
        "confidence": None,
        "evidence": why,
        "basis": "research baselines",
    }
