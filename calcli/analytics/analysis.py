"""What the performance numbers say: engagement per platform, format and weekday × hour, the
same video across platforms, posting consistency against the user's goals, and
recommendations that carry their evidence (the seed's CalendarAnalyticsEngine).

Every figure is one SQL aggregation over :func:`calcli.analytics.metrics.posts_sql` (one row per post,
latest snapshot). Claims about *when* to post use each post's log engagement rate compared
with its own platform-and-format average (so a platform with a high rate does not make its
hours look good), and a claim is made only when it survives a Bonferroni correction over
every slot tested (two-sided, family-wise error 5%). Where the data cannot carry a claim the
recommendation says "not enough data" and names the research windows instead.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from calcli.analytics.claims import (
    ALPHA,
    HAS_RATE,
    TimeClaim,
    lift,
    platform_models,
    slot_label,
    time_claims,
)
from calcli.analytics.consistency import consistency
from calcli.analytics.metrics import DEFAULT_METRIC, EXPOSURE, PostFilter, metric, posts_sql
from calcli.analytics.recommendations import recommendations

# ------------------------------------------------------------------- the report


def analyze(store, project, f: PostFilter, tz: str, metric_name: str = DEFAULT_METRIC) -> dict:
    """The whole analysis as one document (what ``calcli analyze --format json`` prints)."""
    m = metric(metric_name)
    con = store.con
    sql, params = posts_sql(con, f, tz)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _posts AS {sql}", params)
    models = platform_models(con, f, tz, m.name, source="_posts")
    from calcli.files.timing import load_timing

    research = load_timing(project.timing_dir, learned=False)
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
        "totals": _totals(con),
        "platforms": _groups(con, ["platform"]),
        "formats": _groups(con, ["platform", "format"]),
        "heatmap": _heatmap(con),
        "best_times": [_claim_row(t) for t in claims],
        **_video_sections(con),
        "consistency": consistency(store, project, f, tz, research),
    }
    doc["recommendations"] = recommendations(research, models, claims, doc, tz)
    return doc


def _totals(con) -> dict:
    row = con.execute(
        f"""SELECT count(*), count(*) FILTER ({HAS_RATE}), sum(snapshots), min(local), max(local)
            FROM _posts"""
    ).fetchone()
    return {"posts": row[0], "posts_with_rate": row[1], "snapshots": row[2] or 0, "first": row[3], "last": row[4]}


# Sums are cast back to BIGINT: DuckDB sums BIGINT as HUGEINT, which reaches Python slowly.
GROUP_FIGURES = f"""
    count(*) AS posts,
    count(*) FILTER ({HAS_RATE}) AS posts_with_rate,
    CAST(sum({EXPOSURE}) AS BIGINT) AS impressions,
    CAST(sum(reach) AS BIGINT) AS reach,
    CAST(sum(engagements) AS BIGINT) AS engagements,
    sum(engagements) FILTER ({HAS_RATE}) / nullif(sum({EXPOSURE}) FILTER ({HAS_RATE}), 0)
        AS er_impressions,
    sum(engagements) FILTER (reach > 0) / nullif(sum(reach) FILTER (reach > 0), 0) AS er_reach,
    median(m_er_impressions) AS median_post_er,
    CAST(sum(views) AS BIGINT) AS views,
    CAST(sum(clicks) AS BIGINT) AS clicks,
    sum(watch_time_seconds) AS watch_time_seconds"""


def _groups(con, keys: list[str]) -> list[dict]:
    cols = ", ".join(keys)
    cur = con.execute(f"SELECT {cols}, {GROUP_FIGURES} FROM _posts GROUP BY {cols} ORDER BY {cols}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _heatmap(con) -> list[dict]:
    """Weekday × hour over the chosen posts: pooled rates and the mean lift against each post's
    own platform-and-format average (comparable across platforms)."""
    cur = con.execute(f"SELECT weekday, hour, {GROUP_FIGURES} FROM _posts GROUP BY weekday, hour ORDER BY 1, 2")
    names = [d[0] for d in cur.description]
    rows = {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    for wd, hr, mean in con.execute("SELECT weekday, hour, avg(r) FROM _resid GROUP BY ALL").fetchall():
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
        "claim": ("better" if t.z > 0 else "worse") if t.claimed else None,
    }


VIDEO_EXAMPLES = 12  # the most-seen videos shown with their rate on each platform
Z95 = NormalDist().inv_cdf(0.975)


def _video_sections(con) -> dict:
    v = _videos(con)
    return {
        "videos_compared": v["compared"],
        "platform_pairs": v["pairs"],
        "best_platform": v["best"],
        "videos": v["examples"],
    }


def _videos(con) -> dict:
    """The same video across platforms. Rates are compared paired by video (the content is held
    fixed): per pair of platforms, the geometric mean of B's rate over A's with a 95% interval and
    the share of videos where B's is higher; the best platform per video; and, as examples, the
    most-seen videos with their rate on each platform."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _vp AS
            SELECT video_job_id, any_value(title) AS title, platform,
                   sum(engagements) FILTER ({HAS_RATE}) / nullif(sum({EXPOSURE}), 0) AS er,
                   CAST(sum({EXPOSURE}) AS BIGINT) AS impressions,
                   CAST(sum(engagements) AS BIGINT) AS engagements,
                   count(*) OVER (PARTITION BY video_job_id) AS platforms
            FROM _posts GROUP BY video_job_id, platform QUALIFY platforms > 1"""
    )
    pairs = []
    for a, b, n, mean, sd, wins in con.execute(
        """SELECT a.platform, b.platform, count(*), avg(ln(b.er / a.er)), stddev_samp(ln(b.er / a.er)),
                  count(*) FILTER (WHERE b.er > a.er)
           FROM _vp a JOIN _vp b ON a.video_job_id = b.video_job_id AND a.platform < b.platform
           WHERE a.er > 0 AND b.er > 0 GROUP BY ALL ORDER BY 1, 2"""
    ).fetchall():
        half = Z95 * sd / math.sqrt(n) if sd is not None and n > 1 else None
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
    best = [
        {"platform": p, "videos": n}
        for p, n in con.execute(
            """SELECT best, count(*) FROM (
                   SELECT arg_max(platform, (er, platform)) FILTER (WHERE er IS NOT NULL) AS best
                   FROM _vp GROUP BY video_job_id)
               WHERE best IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"""
        ).fetchall()
    ]
    rows = con.execute(
        f"""WITH top AS (
                SELECT video_job_id, sum(impressions) AS seen FROM _vp GROUP BY 1
                ORDER BY seen DESC NULLS LAST, video_job_id LIMIT {VIDEO_EXAMPLES})
            SELECT v.video_job_id, v.title, v.platform, v.er, v.impressions, v.engagements
            FROM _vp v JOIN top USING (video_job_id)
            ORDER BY top.seen DESC NULLS LAST, v.video_job_id, v.platform"""
    ).fetchall()
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
    compared = con.execute("SELECT count(DISTINCT video_job_id) FROM _vp").fetchone()[0]
    return {"compared": compared, "pairs": pairs, "best": best, "examples": examples}


# ------------------------------------------------------------------- consistency


# ------------------------------------------------------------------- recommendations


