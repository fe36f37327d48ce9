"""Performance per post: one row per schedule item with its latest KPI snapshot, and the
metrics calcli computes from it. Shared by ``calcli analyze``, ``calcli optimize`` and trials.

Definitions (the README's "Performance numbers" section says the same):

* **engagements** = likes + comments + shares + saves (a missing count is 0; clicks and
  watch time are reported apart, because not every platform reports them).
* **engagement rate per impression** (``er_impressions``) = engagements / impressions, where
  *impressions* is the impressions count, or the views count for a post whose export reports
  views but no impressions (YouTube and TikTok exports); a post with neither has no rate.
* **engagement rate per reach** (``er_reach``) = engagements / reach, only where reach > 0.

A post's numbers are those of its latest snapshot (largest ``metric_at``): snapshots are
cumulative, so adding them up would count the same likes many times. The KPI import keeps each
post's latest snapshot in ``kpi_latest`` (see :func:`calcli.store.duckdb.kpi.refresh_latest`). Events not linked to a
schedule item have no slot and are left out (counted apart by :func:`unlinked_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

COUNT_COLUMNS = ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks")


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    sql: str  # over the columns of posts_sql(); NULL where the post has no value
    kind: str  # "rate" (a share of a denominator) or "count"
    help: str
    log_sql: str  # the value on log scale, for statistics (heavy tails): ln of the rate or ln(1 + count)
    has_sql: str  # true where the post has a value

    @property
    def column(self) -> str:
        """The column of :func:`posts_sql` that holds this metric (``m_<name>``)."""
        return f"m_{self.name}"


_ENG = "(coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0))"
EXPOSURE = "coalesce(impressions, views)"  # a post's audience: impressions, else views


def _rate(name: str, label: str, denominator: str, help: str) -> Metric:
    # Half an engagement and half a denominator unit keep the log of a post without engagement finite.
    return Metric(
        name,
        label,
        f"CASE WHEN {denominator} > 0 THEN {_ENG} / {denominator} END",
        "rate",
        help,
        f"ln(({_ENG} + 0.5) / ({denominator} + 0.5))",
        f"{denominator} > 0",
    )


def _count(name: str, label: str, expr: str, help: str) -> Metric:
    return Metric(name, label, f"CAST({expr} AS DOUBLE)", "count", help, f"ln({expr} + 1)", f"{expr} IS NOT NULL")


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _rate(
            "er_impressions",
            "engagement rate per impression",
            EXPOSURE,
            "(likes + comments + shares + saves) / impressions (views where no impressions are reported)",
        ),
        _rate("er_reach", "engagement rate per reach", "reach", "(likes + comments + shares + saves) / reach"),
        _count("engagements", "engagements", _ENG, "likes + comments + shares + saves"),
        _count("views", "views", "views", "views of the post"),
        _count("impressions", "impressions", "impressions", "impressions of the post"),
        _count("clicks", "clicks", "clicks", "link clicks"),
        _count("watch_time", "watch time (s)", "watch_time_seconds", "watch time in seconds"),
    )
}
DEFAULT_METRIC = "er_impressions"


def metric(name: str) -> Metric:
    """The metric called ``name``; ValueError naming the choices otherwise."""
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; choose one of {', '.join(METRICS)}") from None


@dataclass(frozen=True)
class PostFilter:
    """Which posts: one user's, optionally one calendar, platform, period (local dates) or items."""

    user: str
    calendar: str | None = None
    platform: str | None = None
    since: date | None = None
    until: date | None = None
    items: tuple[str, ...] | None = None


def posts_sql(con, f: PostFilter, tz: str, extra: str = "") -> tuple[str, dict]:
    """SQL for one row per post (schedule item with KPI numbers) and its parameters, after
    bringing the store's table of each post's latest snapshot up to date (``kpi_latest``, kept by
    the KPI import; rebuilt here when events were written another way).

    Columns: item_id, calendar_id, video_job_id, platform, format, title, status, scheduled_utc,
    local (the slot's wall clock in ``tz``), weekday (0 = Monday), hour, snapshots, metric_at,
    the counts of :data:`COUNT_COLUMNS`, watch_time_seconds, engagements, and one column per
    metric of :data:`METRICS` (``m_<name>``, see :attr:`Metric.column`). ``extra`` is appended to the outer SELECT list.
    """
    from calcli.store.duckdb.kpi import ensure_latest

    ensure_latest(con)
    # What follows reads one row per post. With one thread its floating-point sums add up in one
    # order, so the same store gives the same figures to the last digit (with two, a join's output
    # order, and with it a sum's last bits, varied from run to run).
    con.execute("SET threads = 1")
    where = ["i.user_id = $user"]
    params: dict = {"user": f.user, "tz": tz}
    if f.calendar:
        where.append("i.calendar_id = $calendar")
        params["calendar"] = f.calendar
    if f.platform:
        where.append("i.platform = $platform")
        params["platform"] = f.platform
    if f.since:
        where.append("CAST(timezone($tz, i.scheduled_utc AT TIME ZONE 'UTC') AS DATE) >= $since")
        params["since"] = f.since
    if f.until:
        where.append("CAST(timezone($tz, i.scheduled_utc AT TIME ZONE 'UTC') AS DATE) <= $until")
        params["until"] = f.until
    if f.items is not None:
        where.append("list_contains($items, i.id)")
        params["items"] = list(f.items)
    counts = ", ".join(f"s.{c}" for c in (*COUNT_COLUMNS, "watch_time_seconds"))
    metrics = ", ".join(f"{m.sql} AS {m.column}" for m in METRICS.values())
    sql = f"""
        WITH p AS (
            SELECT i.id AS item_id, i.calendar_id, i.video_job_id, i.platform, i.format, i.title, i.status,
                   i.scheduled_utc, timezone($tz, i.scheduled_utc AT TIME ZONE 'UTC') AS local,
                   s.snapshots, s.metric_at, {counts}
            FROM kpi_latest s JOIN content_schedule_items i ON i.id = s.item_id
            WHERE s.user_id = $user AND {" AND ".join(where)})
        SELECT *, isodow(local) - 1 AS weekday, hour(local) AS hour, {_ENG} AS engagements,
               {metrics}{", " + extra if extra else ""}
        FROM p"""
    return sql, params


def unlinked_events(con, user: str) -> int:
    """KPI events of ``user`` that name no schedule item (imported before their post was known)."""
    return con.execute(
        "SELECT count(*) FROM performance_kpi_events WHERE user_id = $user AND item_id IS NULL", {"user": user}
    ).fetchone()[0]
