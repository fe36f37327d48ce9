"""The analytics SQL: one row per post with its latest KPI snapshot, and every aggregation of it.

The metrics' definitions are in :mod:`calcli.analytics.metrics`; their SQL is here, by name
(a test holds the two sets of names equal). Engagements = likes + comments + shares + saves (a
missing count is 0); a post's exposure is its impressions, else its views (YouTube and TikTok
exports). The posts are taken in item order and summed by one thread, so the same data gives the same
figures to the last digit whatever order a store holds its rows in (a residual's mean is a difference
of nearly equal sums: another order moves its 12th digit)."""

from __future__ import annotations

from datetime import date, datetime

from calcli.core.model import KPI_COUNTS, PostFilter
from calcli.store.base import PostSet
from calcli.store.duckdb.kpi import ensure_latest

ENG = "(coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0))"
EXPOSURE = "coalesce(impressions, views)"  # a post's audience: impressions, else views


def _rate(denominator: str) -> tuple[str, str, str]:
    # Half an engagement and half a denominator unit keep the log of a post without engagement finite.
    return (
        f"CASE WHEN {denominator} > 0 THEN {ENG} / {denominator} END",
        f"ln(({ENG} + 0.5) / ({denominator} + 0.5))",
        f"{denominator} > 0",
    )


def _count(expr: str) -> tuple[str, str, str]:
    return f"CAST({expr} AS DOUBLE)", f"ln({expr} + 1)", f"{expr} IS NOT NULL"


# metric name -> (its value, NULL where the post has none; the value on the log scale; whether the post has one)
METRIC_SQL: dict[str, tuple[str, str, str]] = {
    "er_impressions": _rate(EXPOSURE),
    "er_reach": _rate("reach"),
    "engagements": _count(ENG),
    "views": _count("views"),
    "impressions": _count("impressions"),
    "clicks": _count("clicks"),
    "watch_time": _count("watch_time_seconds"),
}
HAS_RATE = METRIC_SQL["er_impressions"][2]  # a post with an engagement rate per impression

# Sums are cast back to BIGINT: DuckDB sums BIGINT as HUGEINT, which reaches Python slowly.
GROUP_FIGURES = f"""
    count(*) AS posts,
    count(*) FILTER ({HAS_RATE}) AS posts_with_rate,
    CAST(sum({EXPOSURE}) AS BIGINT) AS impressions,
    CAST(sum(reach) AS BIGINT) AS reach,
    CAST(sum(engagements) AS BIGINT) AS engagements,
    CAST(sum({EXPOSURE}) FILTER ({HAS_RATE}) AS BIGINT) AS rated_impressions,
    CAST(sum(engagements) FILTER ({HAS_RATE}) AS BIGINT) AS rated_engagements,
    sum(engagements) FILTER ({HAS_RATE}) / nullif(sum({EXPOSURE}) FILTER ({HAS_RATE}), 0)
        AS er_impressions,
    sum(engagements) FILTER (reach > 0) / nullif(sum(reach) FILTER (reach > 0), 0) AS er_reach,
    median(m_er_impressions) AS median_post_er,
    CAST(sum(views) AS BIGINT) AS views,
    CAST(sum(clicks) AS BIGINT) AS clicks,
    sum(watch_time_seconds) AS watch_time_seconds"""

VIDEO_EXAMPLES = 12  # the most-seen videos shown with their rate on each platform


def posts_sql(con, f: PostFilter, tz: str) -> tuple[str, dict]:
    """SQL for one row per post (schedule item with KPI numbers) and its parameters, after bringing
    the table of each post's latest snapshot up to date (``kpi_latest``).

    Columns: item_id, calendar_id, video_job_id, platform, format, title, status, scheduled_utc,
    local (the slot's wall clock in ``tz``), weekday (0 = Monday), hour, week (its Monday), snapshots, metric_at, the
    counts, watch_time_seconds, engagements, and one column ``m_<name>`` per metric of METRIC_SQL.
    """
    ensure_latest(con)
    con.execute("SET threads = 1")
    where = ["i.user_id = $user"]
    params: dict = {"user": f.user, "tz": tz}
    local_day = "CAST(timezone($tz, i.scheduled_utc AT TIME ZONE 'UTC') AS DATE)"
    for value, name, cond in (
        (f.calendar, "calendar", "i.calendar_id = $calendar"),
        (f.platform, "platform", "i.platform = $platform"),
        (f.since, "since", f"{local_day} >= $since"),
        (f.until, "until", f"{local_day} <= $until"),
    ):
        if value:
            where.append(cond)
            params[name] = value
    if f.items is not None:
        where.append("list_contains($items, i.id)")
        params["items"] = list(f.items)
    counts = ", ".join(f"s.{c}" for c in (*KPI_COUNTS, "watch_time_seconds"))
    metrics = ", ".join(f"{sql} AS m_{name}" for name, (sql, _, _) in METRIC_SQL.items())
    sql = f"""
        WITH p AS (
            SELECT i.id AS item_id, i.calendar_id, i.video_job_id, i.platform, i.format, i.title, i.status,
                   i.scheduled_utc, timezone($tz, i.scheduled_utc AT TIME ZONE 'UTC') AS local,
                   s.snapshots, s.metric_at, {counts}
            FROM kpi_latest s JOIN content_schedule_items i ON i.id = s.item_id
            WHERE s.user_id = $user AND {" AND ".join(where)})
        SELECT *, isodow(local) - 1 AS weekday, hour(local) AS hour,
               CAST(date_trunc('week', local) AS DATE) AS week, {ENG} AS engagements, {metrics}
        FROM p ORDER BY item_id"""
    return sql, params


class DuckPostSet(PostSet):
    """The posts of one analysis, as the temporary table ``_posts`` of one connection."""

    def __init__(self, con, f: PostFilter, tz: str):
        self.con = con
        sql, params = posts_sql(con, f, tz)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _posts AS {sql}", params)

    def totals(self) -> dict:
        row = self.con.execute(
            f"SELECT count(*), count(*) FILTER ({HAS_RATE}), sum(snapshots), min(local), max(local) FROM _posts"
        ).fetchone()
        return {"posts": row[0], "posts_with_rate": row[1], "snapshots": row[2] or 0, "first": row[3], "last": row[4]}

    def groups(self, keys: list[str]) -> list[dict]:
        cols = ", ".join(keys)
        cur = self.con.execute(f"SELECT {cols}, {GROUP_FIGURES} FROM _posts GROUP BY {cols} ORDER BY {cols}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def residuals(self, metric: str) -> tuple[list[tuple], list[tuple]]:
        _, log_sql, has_sql = METRIC_SQL[metric]
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _resid AS
                SELECT item_id, platform, format, weekday, hour, engagements, {EXPOSURE} AS exposure,
                       y - avg(y) OVER (PARTITION BY platform, format ORDER BY item_id
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS r
                FROM (SELECT *, {log_sql} AS y FROM _posts WHERE {has_sql})"""
        )
        platforms = self.con.execute(
            "SELECT platform, count(*), sum(r * r), count(DISTINCT format) FROM _resid GROUP BY platform"
        ).fetchall()
        cells = self.con.execute(
            """SELECT platform, weekday, hour, count(*), avg(r), CAST(sum(engagements) AS BIGINT),
                      CAST(sum(exposure) AS BIGINT)
               FROM _resid GROUP BY ALL ORDER BY platform, weekday, hour"""
        ).fetchall()
        return platforms, cells

    def slot_lifts(self) -> list[tuple]:
        return self.con.execute("SELECT weekday, hour, avg(r) FROM _resid GROUP BY ALL").fetchall()

    def videos(self) -> tuple[list[tuple], list[tuple], list[tuple], int]:
        """Pairs (a, b, videos, mean and sd of ln(b's rate / a's), videos where b's is higher), the best
        platform per video (platform, videos), the most-seen videos' rates per platform (video, title,
        platform, rate, impressions, engagements), and how many videos were compared."""
        con = self.con
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _vp AS
                SELECT video_job_id, any_value(title) AS title, platform,
                       sum(engagements) FILTER ({HAS_RATE}) / nullif(sum({EXPOSURE}), 0) AS er,
                       CAST(sum({EXPOSURE}) AS BIGINT) AS impressions,
                       CAST(sum(engagements) AS BIGINT) AS engagements,
                       count(*) OVER (PARTITION BY video_job_id) AS platforms
                FROM _posts GROUP BY video_job_id, platform QUALIFY platforms > 1"""
        )
        pairs = con.execute(
            """SELECT a.platform, b.platform, count(*), avg(ln(b.er / a.er)), stddev_samp(ln(b.er / a.er)),
                      count(*) FILTER (WHERE b.er > a.er)
               FROM _vp a JOIN _vp b ON a.video_job_id = b.video_job_id AND a.platform < b.platform
               WHERE a.er > 0 AND b.er > 0 GROUP BY ALL ORDER BY 1, 2"""
        ).fetchall()
        best = con.execute(
            """SELECT best, count(*) FROM (
                   SELECT arg_max(platform, (er, platform)) FILTER (WHERE er IS NOT NULL) AS best
                   FROM _vp GROUP BY video_job_id)
               WHERE best IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"""
        ).fetchall()
        examples = con.execute(
            f"""WITH top AS (
                    SELECT video_job_id, sum(impressions) AS seen FROM _vp GROUP BY 1
                    ORDER BY seen DESC NULLS LAST, video_job_id LIMIT {VIDEO_EXAMPLES})
                SELECT v.video_job_id, v.title, v.platform, v.er, v.impressions, v.engagements
                FROM _vp v JOIN top USING (video_job_id)
                ORDER BY top.seen DESC NULLS LAST, v.video_job_id, v.platform"""
        ).fetchall()
        compared = con.execute("SELECT count(DISTINCT video_job_id) FROM _vp").fetchone()[0]
        return pairs, best, examples, compared


class Analysis:
    """What analysis, optimisation and trials read of the store."""

    def posts(self, f: PostFilter, tz: str) -> DuckPostSet:
        return DuckPostSet(self.con, f, tz)

    def metric_values(self, f: PostFilter, tz: str, metric: str) -> list[tuple[str, datetime, float | None]]:
        sql, params = posts_sql(self.con, f, tz)
        return self.con.execute(f"SELECT item_id, local, m_{metric} FROM ({sql}) ORDER BY item_id", params).fetchall()

    def unlinked_events(self, user: str) -> int:
        return self.con.execute(
            "SELECT count(*) FROM performance_kpi_events WHERE user_id = $user AND item_id IS NULL", {"user": user}
        ).fetchone()[0]

    def week_counts(self, user: str, calendar: str | None, tz: str, first: date) -> list[tuple]:
        where, params = ["user_id = $user", "status <> 'canceled'"], {"user": user, "tz": tz, "first": first}
        if calendar:
            where.append("calendar_id = $calendar")
            params["calendar"] = calendar
        return self.con.execute(
            f"""SELECT platform,
                       CAST(date_trunc('week', timezone($tz, scheduled_utc AT TIME ZONE 'UTC')) AS DATE) AS wk,
                       count(*) FILTER (status = 'posted'),
                       count(*) FILTER (status IN ('planned', 'scheduled', 'failed'))
                FROM content_schedule_items
                WHERE {" AND ".join(where)} AND timezone($tz, scheduled_utc AT TIME ZONE 'UTC') >= $first
                GROUP BY ALL""",
            params,
        ).fetchall()
