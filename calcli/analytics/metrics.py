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
post's latest snapshot in ``kpi_latest``. Events not linked to a schedule item have no slot and
are left out (the store counts them apart). The SQL of every metric is the store's
(``calcli.store.duckdb.analysis.METRIC_SQL``), by the same names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str  # "rate" (a share of a denominator) or "count"
    help: str


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "er_impressions",
            "engagement rate per impression",
            "rate",
            "(likes + comments + shares + saves) / impressions (views where no impressions are reported)",
        ),
        Metric("er_reach", "engagement rate per reach", "rate", "(likes + comments + shares + saves) / reach"),
        Metric("engagements", "engagements", "count", "likes + comments + shares + saves"),
        Metric("views", "views", "count", "views of the post"),
        Metric("impressions", "impressions", "count", "impressions of the post"),
        Metric("clicks", "clicks", "count", "link clicks"),
        Metric("watch_time", "watch time (s)", "count", "watch time in seconds"),
    )
}
DEFAULT_METRIC = "er_impressions"


def metric(name: str) -> Metric:
    """The metric called ``name``; ValueError naming the choices otherwise."""
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; choose one of {', '.join(METRICS)}") from None
