"""What the performance numbers say: engagement per platform, format and weekday × hour, the
same video across platforms, posting consistency against the user's goals, and
recommendations that carry their evidence (the seed's CalendarAnalyticsEngine).

Every figure is one aggregation by the store over the posts of the analysis (one row per post,
its latest snapshot: ``store.posts``). Claims about *when* to post use each post's log engagement rate compared
with its own platform-and-format average (so a platform with a high rate does not make its
hours look good), and a claim is made only when it survives a Bonferroni correction over
every slot tested (two-sided, family-wise error 5%). Where the data cannot carry a claim the
recommendation says "not enough data" and names the research windows instead.
"""

from __future__ import annotations

import math

from calcli.analytics import stats
from calcli.analytics.claims import (
    ALPHA,
    TimeClaim,
    lift,
    platform_models,
    slot_label,
    time_claims,
)
from calcli.analytics.consistency import consistency
from calcli.analytics.metrics import DEFAULT_METRIC, metric
from calcli.analytics.recommendations import recommendations
from calcli.core.model import PostFilter
from calcli.files import preferences, timing
from calcli.store.base import PostSet, Store

# ------------------------------------------------------------------- the report


def user_zone(project, user: str) -> str:
    """The zone analysis reads weekday × hour in: the acting user's (preferences.yaml), else the
    project's default. Wall-clock local hours, so a Thu 19:00 slot stays one cell across DST."""
    default = project.config.timezone
    return preferences.load_preferences(project.preferences_path, user, default).timezone or default


def analyze(store: Store, project, f: PostFilter, tz: str, metric_name: str = DEFAULT_METRIC) -> dict:
    """The whole analysis as one document (what ``calcli analyze --format json`` prints)."""
    m = metric(metric_name)
    posts = store.posts(f, tz)
    models = platform_models(posts, m.name)
    research = timing.load_timing(project.timing_dir, learned=False)
    claims = time_claims(models)
    doc = {
        "scope": {
            "user": f.user,
            "calendar": f.calendar,
            "platform": f.platform,
            "since": f.since,
            "until": f.until,
            "timezone": tz,
            "metric": m.name,
        },
        "definitions": {
            "engagements": "likes + comments + shares + saves",
            "er_impressions": "engagements / impressions (views where an export has no impressions)",
            "er_reach": "engagements / reach, over posts whose reach is known",
            "lift": "a slot's mean log engagement rate against the platform's other posts, as a relative change",
            "claims": f"Bonferroni over every slot tested, family-wise error {ALPHA:.0%}",
        },
        "totals": posts.totals(),
        "platforms": posts.groups(["platform"]),
        "formats": posts.groups(["platform", "format"]),
        "heatmap": _heatmap(posts),
        "weekly": posts.groups(["week", "platform"]),
        "weekly_formats": posts.groups(["week", "format"]),
        "best_times": [_claim_row(t) for t in claims],
        **_video_sections(posts),
        "consistency": consistency(store, project, f, tz, research),
    }
    doc["recommendations"] = recommendations(research, models, claims, doc, tz)
    return doc


def _heatmap(posts: PostSet) -> list[dict]:
    """Weekday × hour over the chosen posts: pooled rates and the mean lift against each post's
    own platform-and-format average (comparable across platforms)."""
    rows = {(r["weekday"], r["hour"]): r for r in posts.groups(["weekday", "hour"])}
    for wd, hr, mean in posts.slot_lifts():
        if (wd, hr) in rows:
            rows[(wd, hr)]["lift"] = lift(mean)
    return [{"lift": None, **r, "slot": slot_label(r["weekday"], r["hour"])} for r in rows.values()]


def _claim_row(t: TimeClaim) -> dict:
    return {
        "platform": t.platform,
        "slot": t.cell.label,
        "weekday": t.cell.weekday,
        "hour": t.cell.hour,
        "posts": t.cell.posts,
        "er_impressions": t.cell.er,
        "lift": t.lift,
        "low": t.low,
        "high": t.high,
        "z": t.z,
        "critical_z": t.critical,
        "tests": t.tests,
        "claim": ("better" if t.z > 0 else "worse") if t.claimed else None,
    }


def _video_sections(posts: PostSet) -> dict:
    v = _videos(posts)
    return {
        "videos_compared": v["compared"],
        "platform_pairs": v["pairs"],
        "best_platform": v["best"],
        "videos": v["examples"],
    }


def _videos(posts: PostSet) -> dict:
    """The same video across platforms. Rates are compared paired by video (the content is held
    fixed): per pair of platforms, the geometric mean of B's rate over A's with a 95% t interval and
    the share of videos where B's is higher; the best platform per video; and, as examples, the
    most-seen videos with their rate on each platform."""
    pair_rows, best_rows, rows, compared = posts.videos()
    pairs = []
    for a, b, n, mean, sd, wins in pair_rows:
        # Student's t, not z: with 2 videos z = 1.96 would give an interval ~6x too narrow.
        half = stats.t975(n - 1) * sd / math.sqrt(n) if sd is not None and n > 1 else None
        pairs.append(
            {
                "platform_a": a,
                "platform_b": b,
                "videos": n,
                "ratio": math.exp(mean),
                "low": math.exp(mean - half) if half is not None else None,
                "high": math.exp(mean + half) if half is not None else None,
                "b_higher": wins / n,
            }
        )
    best = [{"platform": p, "videos": n} for p, n in best_rows]
    examples: list[dict] = []
    last = None
    for video, title, platform, er, impressions, engagements in rows:  # ordered by video, then platform
        if video != last:
            last, platforms, top = video, {}, None
            examples.append({"video_job_id": video, "title": title, "platforms": platforms, "best": None})
        platforms[platform] = {"er_impressions": er, "impressions": impressions, "engagements": engagements}
        if er is not None and (top is None or (er, platform) > top):
            top = (er, platform)
            examples[-1]["best"] = platform
    return {"compared": compared, "pairs": pairs, "best": best, "examples": examples}
