"""The store's schema as numbered migrations, each applied in one transaction.

DuckDB has no ``PRAGMA user_version``; ``schema_meta`` records each applied
version with the DuckDB version that applied it.
"""

from __future__ import annotations

from calcli.store.duckdb.kpi import event_key_sql

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
CREATE TABLE IF NOT EXISTS schema_meta (
    version INTEGER PRIMARY KEY, duckdb_version VARCHAR, applied_at TIMESTAMP);

-- Owned by the files (a mirror; `calcli db rebuild` makes it anew from them).
CREATE TABLE source_files (
    path VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, ref VARCHAR, sha256 VARCHAR NOT NULL,
    mtime_ns BIGINT, size BIGINT, synced_at TIMESTAMP);
CREATE TABLE content_calendars (
    id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, title VARCHAR, timezone VARCHAR NOT NULL,
    period_start DATE, period_end DATE, platforms VARCHAR[], status VARCHAR NOT NULL,
    path VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP);
CREATE TABLE content_schedule_items (
    id VARCHAR NOT NULL, idempotency_key VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL, bulk_job_id VARCHAR, video_job_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL, format VARCHAR, scheduled_utc TIMESTAMP NOT NULL,
    scheduled_local TIMESTAMP NOT NULL, utc_offset_minutes INTEGER NOT NULL, timezone VARCHAR NOT NULL,
    status VARCHAR NOT NULL, score DOUBLE, title VARCHAR, assignee VARCHAR, notes VARCHAR,
    src_order INTEGER NOT NULL, src_line INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP);
CREATE INDEX items_calendar ON content_schedule_items (calendar_id);
CREATE INDEX items_due ON content_schedule_items (status, scheduled_utc);
CREATE INDEX items_key ON content_schedule_items (idempotency_key);
CREATE TABLE schedule_exceptions (
    id VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    start_local TIMESTAMP NOT NULL, end_local TIMESTAMP NOT NULL, all_day BOOLEAN NOT NULL,
    platforms VARCHAR[], yearly BOOLEAN NOT NULL, reason VARCHAR);
CREATE TABLE schedule_assignments (
    item_id VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL,
    worker VARCHAR NOT NULL, assigned_at TIMESTAMP);
CREATE TABLE platform_timing_data (
    platform VARCHAR NOT NULL, format VARCHAR NOT NULL, weekday INTEGER NOT NULL,
    start_minute INTEGER NOT NULL, end_minute INTEGER NOT NULL, score DOUBLE NOT NULL,
    source VARCHAR, min_per_week INTEGER, max_per_week INTEGER, max_per_day INTEGER,
    min_duration DOUBLE, max_duration DOUBLE, origin VARCHAR NOT NULL, checked VARCHAR);
CREATE TABLE user_scheduling_preferences (
    user_id VARCHAR NOT NULL, platform VARCHAR NOT NULL, timezone VARCHAR,
    posting_frequency_min INTEGER, posting_frequency_max INTEGER, max_per_day INTEGER,
    min_spacing_minutes INTEGER, preferred_days VARCHAR, avoided_days VARCHAR,
    preferred_hours VARCHAR, avoided_hours VARCHAR, enabled BOOLEAN);

-- Owned by the store (kept by `calcli db rebuild`).
CREATE TABLE item_history (
    changed_at TIMESTAMP NOT NULL, item_id VARCHAR NOT NULL, calendar_id VARCHAR, user_id VARCHAR NOT NULL,
    actor VARCHAR NOT NULL, action VARCHAR NOT NULL, field VARCHAR, old_value VARCHAR, new_value VARCHAR);
CREATE INDEX history_item ON item_history (item_id);
CREATE TABLE performance_kpi_events (
    event_key VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, item_id VARCHAR, platform VARCHAR NOT NULL,
    post_id VARCHAR, metric_at TIMESTAMP NOT NULL, impressions BIGINT, reach BIGINT, views BIGINT,
    likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT, clicks BIGINT,
    watch_time_seconds DOUBLE, source_file VARCHAR, imported_at TIMESTAMP);
CREATE INDEX kpi_item ON performance_kpi_events (item_id);
CREATE TABLE optimization_trials (
    id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, name VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    arm_a VARCHAR NOT NULL, arm_b VARCHAR NOT NULL, assignment VARCHAR NOT NULL, status VARCHAR NOT NULL,
    started_at TIMESTAMP, concluded_at TIMESTAMP, decision VARCHAR,
    created_at TIMESTAMP, updated_at TIMESTAMP);
""",
    ),
]

MIGRATIONS.append(
    (
        2,
        """
-- Manual overrides name their item; a publisher's post URL or id is kept with the item.
ALTER TABLE schedule_exceptions ADD COLUMN item_id VARCHAR;
ALTER TABLE content_schedule_items ADD COLUMN post_ref VARCHAR;
-- Owned by the store: every dispatch attempt (the cron side of the lifecycle).
CREATE TABLE dispatch_attempts (
    item_id VARCHAR NOT NULL, calendar_id VARCHAR, user_id VARCHAR NOT NULL, attempt INTEGER NOT NULL,
    run_id VARCHAR NOT NULL, claimed_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    outcome VARCHAR NOT NULL, post_ref VARCHAR, error VARCHAR, exit_code INTEGER);
CREATE INDEX attempts_item ON dispatch_attempts (item_id);
CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
""",
    )
)

MIGRATIONS.append(
    (
        3,
        """
-- Each item's own text for its platform (calcli.planning.variants), as the calendar file holds it.
ALTER TABLE content_schedule_items ADD COLUMN caption VARCHAR;
ALTER TABLE content_schedule_items ADD COLUMN hashtags VARCHAR[];
""",
    )
)

MIGRATIONS.append(
    (
        4,
        """
-- KPI events without a primary-key index: imports stay bulk appends (an index on a million
-- keys made them 5x slower); idempotency is the import's anti-join on event_key.
CREATE TABLE performance_kpi_events_v4 AS SELECT * FROM performance_kpi_events;
DROP TABLE performance_kpi_events;
ALTER TABLE performance_kpi_events_v4 RENAME TO performance_kpi_events;
""",
    )
)

MIGRATIONS.append(
    (
        5,
        """
-- A/B trials (calcli.analytics.trials): the design declared before any data is seen, and every assignment.
ALTER TABLE optimization_trials ADD COLUMN calendar_id VARCHAR;
ALTER TABLE optimization_trials ADD COLUMN platform VARCHAR;
ALTER TABLE optimization_trials ADD COLUMN unit VARCHAR;
ALTER TABLE optimization_trials ADD COLUMN seed BIGINT;
ALTER TABLE optimization_trials ADD COLUMN min_effect DOUBLE;
ALTER TABLE optimization_trials ADD COLUMN alpha DOUBLE;
ALTER TABLE optimization_trials ADD COLUMN period_start DATE;
ALTER TABLE optimization_trials ADD COLUMN period_end DATE;
ALTER TABLE optimization_trials ADD COLUMN planned_per_arm INTEGER;
ALTER TABLE optimization_trials ADD COLUMN sigma DOUBLE;
ALTER TABLE optimization_trials ADD COLUMN sigma_source VARCHAR;
ALTER TABLE optimization_trials ADD COLUMN note VARCHAR;
CREATE TABLE trial_assignments (
    trial_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, unit VARCHAR NOT NULL, arm VARCHAR NOT NULL,
    method VARCHAR NOT NULL, assigned_at TIMESTAMP NOT NULL);
CREATE INDEX trial_assignments_trial ON trial_assignments (trial_id);
""",
    )
)

MIGRATIONS.append(
    (
        6,
        """
-- KPI event keys as 128-bit numbers (the same md5, read as a big-endian integer) instead of 32 hex
-- characters: random strings do not compress, and writing them was a quarter of a 1M-row import.
CREATE TABLE performance_kpi_events_v6 AS
    SELECT CAST('0x' || event_key AS UHUGEINT) AS event_key, user_id, item_id, platform, post_id, metric_at,
           impressions, reach, views, likes, comments, shares, saves, clicks, watch_time_seconds,
           source_file, imported_at
    FROM performance_kpi_events;
DROP TABLE performance_kpi_events;
ALTER TABLE performance_kpi_events_v6 RENAME TO performance_kpi_events;
""",
    )
)

MIGRATIONS.append(
    (
        7,
        """
-- KPI event keys as calcli.store.duckdb.kpi.event_key_sql makes them (md5 of platform|post XOR the metric
-- time, instead of an md5 over the time's text: a quarter of a 1M-row import), recomputed from each
-- event's own columns: its platform, its item (else post id or URL) and its time are what the key
-- was made of.
UPDATE performance_kpi_events SET event_key = {event_key};
-- Each post's latest snapshot, kept by the KPI import (calcli.store.duckdb.kpi.refresh_latest) so that
-- analysis reads one row per post instead of every event. store_meta's kpi_latest_events says how
-- many events it summarises; when that is not the count of events, the next reader rebuilds it.
CREATE TABLE kpi_latest (
    user_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, snapshots BIGINT NOT NULL, metric_at TIMESTAMP NOT NULL,
    impressions BIGINT, reach BIGINT, views BIGINT, likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT,
    clicks BIGINT, watch_time_seconds DOUBLE);
""".replace("{event_key}", event_key_sql("platform", "coalesce(item_id, post_id)", "metric_at")),
    )
)

LATEST = MIGRATIONS[-1][0]
