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
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from statistics import NormalDist

from calcli.analytics.metrics import DEFAULT_METRIC, EXPOSURE, PostFilter, metric, posts_sql
from calcli.core.model import WEEKDAYS, Platform

ALPHA = 0.05  # family-wise error of the claims of one analysis (per kind of claim)
MIN_CELL_POSTS = 5  # a weekday × hour slot is tested only with at least this many posts
MIN_PLATFORM_POSTS = 20  # below this a platform gets the research windows and "not enough data"
POWER_Z = NormalDist().inv_cdf(0.8)  # "needs about N more posts" plans for 80% power
CONSISTENCY_WEEKS = 4  # full weeks behind "missed"
DAY_NAMES = [d.capitalize() for d in WEEKDAYS]

HAS_RATE = metric(DEFAULT_METRIC).has_sql  # a post with an engagement rate per impression


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


def platform_models(
    con, f: PostFilter, tz: str, metric_name: str = DEFAULT_METRIC, source: str | None = None
) -> dict[str, PlatformModel]:
    """Per platform: posts with a value of the metric, the residual spread (log scale) and every
    occupied slot. ``source`` names a table already holding :func:`posts_sql` rows."""
    m = metric(metric_name)
    sql, params = (f"SELECT * FROM {source}", {}) if source else posts_sql(con, f, tz)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _resid AS
            SELECT platform, format, weekday, hour, engagements, {EXPOSURE} AS exposure,
                   y - avg(y) OVER (PARTITION BY platform, format) AS r
            FROM (SELECT *, {m.log_sql} AS y FROM ({sql}) WHERE {m.has_sql})""",
        params,
    )
    models: dict[str, PlatformModel] = {}
    for platform, n, ss, groups in con.execute(
        "SELECT platform, count(*), sum(r * r), count(DISTINCT format) FROM _resid GROUP BY platform"
    ).fetchall():
        dof = max(n - max(groups, 1), 1)  # one mean estimated per format
        models[platform] = PlatformModel(platform, n, math.sqrt(ss / dof) if ss else 0.0)
    for platform, wd, hr, n, mean, eng, exp in con.execute(
        """SELECT platform, weekday, hour, count(*), avg(r), CAST(sum(engagements) AS BIGINT),
                  CAST(sum(exposure) AS BIGINT)
           FROM _resid GROUP BY ALL ORDER BY platform, weekday, hour"""
    ).fetchall():
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
                )
            )
    out.sort(key=lambda t: (t.platform, -t.z))
    return out


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


def consistency(store, project, f: PostFilter, tz: str, timing) -> list[dict]:
    """Posts per ISO week per platform against the user's minimum (preferences, else the research
    guideline): ``missed`` when the last full week fell short, ``at risk`` when this week's posted
    plus still-pending posts cannot reach it, ``on track`` otherwise."""
    from calcli.core.times import now, zone
    from calcli.files.preferences import load_preferences
    from calcli.planning.board import limits_for

    today = now(zone(tz)).date()
    if f.until and f.until < today:
        today = f.until  # the state of things at the end of the period analysed
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=CONSISTENCY_WEEKS)
    prefs = load_preferences(project.preferences_path, f.user, tz)
    where, params = ["user_id = $user", "status <> 'canceled'"], {"user": f.user, "tz": tz, "first": first}
    if f.calendar:
        where.append("calendar_id = $calendar")
        params["calendar"] = f.calendar
    counts = store.con.execute(
        f"""SELECT platform,
                   CAST(date_trunc('week', timezone($tz, scheduled_utc AT TIME ZONE 'UTC')) AS DATE) AS wk,
                   count(*) FILTER (status = 'posted'),
                   count(*) FILTER (status IN ('planned', 'scheduled', 'failed'))
            FROM content_schedule_items
            WHERE {" AND ".join(where)} AND timezone($tz, scheduled_utc AT TIME ZONE 'UTC') >= $first
            GROUP BY ALL""",
        params,
    ).fetchall()
    by: dict[str, dict[date, tuple[int, int]]] = {}
    for platform, wk, posted, pending in counts:
        by.setdefault(platform, {})[wk] = (posted, pending)
    cal = store.calendar(f.calendar) if f.calendar else None
    if f.platform:
        platforms = [Platform(f.platform)]
    elif cal is not None:
        platforms = sorted(cal.platforms, key=lambda p: p.value)
    else:
        platforms = sorted(Platform, key=lambda p: p.value)
    out = []
    for p in platforms:
        weeks = by.get(p.value, {})
        lim = limits_for(p, timing.for_platform(p), prefs.platforms.get(p))  # weekly goals: no daily cap needed
        own = prefs.platforms.get(p)
        if not weeks and not (own and own.posting_frequency_min):
            continue  # a platform the user neither posts to nor set a goal for
        goal = lim.min_per_week
        full = [weeks.get(first + timedelta(weeks=k), (0, 0))[0] for k in range(CONSISTENCY_WEEKS)]
        posted, pending = weeks.get(monday, (0, 0))
        if goal is None:
            status = "no goal"
        elif full[-1] < goal:
            status = "missed"
        elif posted + pending < goal:
            status = "at risk"
        else:
            status = "on track"
        out.append(
            {
                "platform": p.value,
                "min_per_week": goal,
                "max_per_week": lim.max_per_week,
                "weeks": CONSISTENCY_WEEKS,
                "weeks_met": sum(1 for n in full if goal is not None and n >= goal) if goal is not None else None,
                "posted_per_week": round(sum(full) / CONSISTENCY_WEEKS, 2),
                "this_week_posted": posted,
                "this_week_pending": pending,
                "status": status,
            }
        )
    return out


# ------------------------------------------------------------------- recommendations


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
    platforms = sorted({r["platform"] for r in doc["platforms"]} | {r["platform"] for r in doc["consistency"]})
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
    return {
        "kind": "time",
        "platform": t.platform,
        "what": f"{verb} {t.cell.label} on {t.platform}",
        "expected_effect": f"{t.lift:+.0%} {label} against your other {t.platform} slots",
        "posts": t.cell.posts,
        "interval": [round(t.low, 4), round(t.high, 4)],
        "confidence": f"{1 - ALPHA:.0%} family-wise (Bonferroni over {t.tests} slots)",
        "evidence": f"{t.cell.posts} posts in the slot against {model.posts - t.cell.posts} others; z = {t.z:.2f}",
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
    diff, se = model.effect(top.cell)
    need = None
    if diff > 0 and model.sd > 0:
        per_cell = ((top.critical + POWER_Z) * model.sd / diff) ** 2 * 2
        need = max(0, math.ceil((per_cell - top.cell.posts) * model.posts / top.cell.posts))
    rec = _fallback(
        timing,
        platform,
        f"no slot differs beyond chance ({model.posts} posts in {len(mine)} tested slots); the best, "
        f"{top.cell.label}, is {top.lift:+.0%} with interval {top.low:+.0%} to {top.high:+.0%}",
    )
    if need and need <= 20 * model.posts:
        rec["evidence"] += f"; about {need} more posts would tell whether its {top.lift:+.0%} is real"
    elif need:
        rec["evidence"] += "; no sign of a difference worth waiting for"
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


def heat_symbol(value: float | None) -> str:
    """One character for a heatmap cell's lift: below, near or above the platform's average."""
    if value is None:
        return "·"
    for bound, sym in ((-0.2, "▁"), (-0.05, "▂"), (0.05, "▄"), (0.2, "▆")):
        if value < bound:
            return sym
    return "█"


def heatmap_lines(cells: list[dict]) -> list[str]:
    """The weekday × hour heatmap as text lines (rows Mon..Sun, columns 00..23)."""
    grid = {(c["weekday"], c["hour"]): c for c in cells}
    lines = ["      " + "".join(f"{h:<3d}" if h % 3 == 0 else "   " for h in range(24)).rstrip()]
    for wd in range(7):
        row = "".join((heat_symbol(grid[(wd, h)]["lift"]) if (wd, h) in grid else " ") + "  " for h in range(24))
        lines.append(f"{DAY_NAMES[wd]:<5} {row.rstrip()}")
    lines.append("      ▁ < -20%  ▂ -20..-5%  ▄ ±5%  ▆ +5..+20%  █ > +20%   (lift against each post's platform)")
    return lines
