"""The PostgreSQL schema: the DuckDB store's tables (calcli.store.duckdb.schema, at its latest version)
in PostgreSQL's types, with row-level security enabled and forced on every table.

The tables the files own live in a schema of each clone of the project (``mirror_<hash of host and
folder>``, first on the connection's search_path): two clones' files differ until git brings them
together, and each clone's commands must see its own files. What only the store owns (history, KPI
events, trials, dispatch attempts) is in ``public``, one copy for the team.

Every table that holds a user's rows has the policy ``user_id = current_user`` (the seed's
``auth.uid()``): a calcli user is a database role. The role that runs the migrations owns the tables
(the service role); it must have BYPASSRLS (or be a superuser) to administer every user's rows, since
FORCE ROW LEVEL SECURITY binds the owner too. ``calcli_user`` is the group role ``calcli db grant``
puts users in: exactly the privileges calcli needs.
"""

from __future__ import annotations

import hashlib

from calcli.store.base import FILE_OWNED, STORE_OWNED

USER_ROLE = "calcli_user"

# Tables with a user_id column: each user sees and writes only their own rows. In a mirror, all the
# file-owned tables but the research baselines (shared); in public, everything the store owns.
MIRROR_USER_TABLES = tuple(t for t in FILE_OWNED if t != "platform_timing_data")
USER_TABLES = STORE_OWNED
# Shared tables: the schema's version; in each mirror, the research baselines.
SHARED_TABLES = ("schema_meta",)

TABLES = """
SET LOCAL search_path = public;
CREATE TABLE IF NOT EXISTS schema_meta (
    version INTEGER PRIMARY KEY, server_version VARCHAR, applied_at TIMESTAMP);
-- Owned by the store.
CREATE TABLE item_history (
    changed_at TIMESTAMP NOT NULL, item_id VARCHAR NOT NULL, calendar_id VARCHAR, user_id VARCHAR NOT NULL,
    actor VARCHAR NOT NULL, action VARCHAR NOT NULL, field VARCHAR, old_value VARCHAR, new_value VARCHAR,
    seq BIGINT GENERATED ALWAYS AS IDENTITY);
CREATE INDEX history_item ON item_history (item_id);
CREATE TABLE performance_kpi_events (
    event_key NUMERIC(39, 0) NOT NULL, user_id VARCHAR NOT NULL, item_id VARCHAR, platform VARCHAR NOT NULL,
    post_id VARCHAR, metric_at TIMESTAMP NOT NULL, impressions BIGINT, reach BIGINT, views BIGINT,
    likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT, clicks BIGINT,
    watch_time_seconds DOUBLE PRECISION, source_file VARCHAR, imported_at TIMESTAMP,
    PRIMARY KEY (user_id, event_key));
CREATE INDEX kpi_item ON performance_kpi_events (item_id);
CREATE TABLE kpi_latest (
    user_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, snapshots BIGINT NOT NULL, metric_at TIMESTAMP NOT NULL,
    impressions BIGINT, reach BIGINT, views BIGINT, likes BIGINT, comments BIGINT, shares BIGINT, saves BIGINT,
    clicks BIGINT, watch_time_seconds DOUBLE PRECISION);
CREATE TABLE optimization_trials (
    id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, name VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    arm_a VARCHAR NOT NULL, arm_b VARCHAR NOT NULL, assignment VARCHAR NOT NULL, status VARCHAR NOT NULL,
    started_at TIMESTAMP, concluded_at TIMESTAMP, decision VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP,
    calendar_id VARCHAR, platform VARCHAR, unit VARCHAR, seed BIGINT, min_effect DOUBLE PRECISION,
    alpha DOUBLE PRECISION, period_start DATE, period_end DATE, planned_per_arm INTEGER,
    sigma DOUBLE PRECISION, sigma_source VARCHAR, note VARCHAR);
CREATE TABLE trial_assignments (
    trial_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, unit VARCHAR NOT NULL, arm VARCHAR NOT NULL,
    method VARCHAR NOT NULL, assigned_at TIMESTAMP NOT NULL);
CREATE INDEX trial_assignments_trial ON trial_assignments (trial_id);
CREATE TABLE dispatch_attempts (
    item_id VARCHAR NOT NULL, calendar_id VARCHAR, user_id VARCHAR NOT NULL, attempt INTEGER NOT NULL,
    run_id VARCHAR NOT NULL, claimed_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    outcome VARCHAR NOT NULL, post_ref VARCHAR, error VARCHAR, exit_code INTEGER,
    clone VARCHAR NOT NULL DEFAULT '');  -- the clone of the project whose run made it
CREATE INDEX attempts_item ON dispatch_attempts (item_id);
-- The claim: at most one attempt of an item in flight, posted or unconfirmed, whichever host made it.
CREATE UNIQUE INDEX attempts_one_live ON dispatch_attempts (item_id)
    WHERE outcome IN ('running', 'posted', 'unconfirmed');
CREATE TABLE store_meta (
    user_id VARCHAR NOT NULL DEFAULT current_user, key VARCHAR NOT NULL, value VARCHAR,
    PRIMARY KEY (user_id, key));
"""

# The tables the files own, in a schema of each clone's own (its search_path puts it first).
MIRROR_TABLES_SQL = """
-- Owned by the files: each clone of the project (clone = host:path) mirrors its own files.
CREATE TABLE IF NOT EXISTS source_files (
    clone VARCHAR NOT NULL, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, ref VARCHAR, sha256 VARCHAR NOT NULL,
    mtime_ns BIGINT, size BIGINT, synced_at TIMESTAMP, user_id VARCHAR NOT NULL DEFAULT current_user,
    PRIMARY KEY (clone, path));
CREATE TABLE IF NOT EXISTS content_calendars (
    id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, title VARCHAR, timezone VARCHAR NOT NULL,
    period_start DATE, period_end DATE, platforms VARCHAR[], status VARCHAR NOT NULL,
    path VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS content_schedule_items (
    id VARCHAR NOT NULL, idempotency_key VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL, bulk_job_id VARCHAR, video_job_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL, format VARCHAR, scheduled_utc TIMESTAMP NOT NULL,
    scheduled_local TIMESTAMP NOT NULL, utc_offset_minutes INTEGER NOT NULL, timezone VARCHAR NOT NULL,
    status VARCHAR NOT NULL, score DOUBLE PRECISION, title VARCHAR, assignee VARCHAR, notes VARCHAR,
    src_order INTEGER NOT NULL, src_line INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP,
    post_ref VARCHAR, caption VARCHAR, hashtags VARCHAR[]);
CREATE INDEX IF NOT EXISTS items_id ON content_schedule_items (id);
CREATE INDEX IF NOT EXISTS items_calendar ON content_schedule_items (calendar_id);
CREATE INDEX IF NOT EXISTS items_due ON content_schedule_items (status, scheduled_utc);
CREATE INDEX IF NOT EXISTS items_key ON content_schedule_items (idempotency_key);
CREATE TABLE IF NOT EXISTS schedule_exceptions (
    id VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    start_local TIMESTAMP NOT NULL, end_local TIMESTAMP NOT NULL, all_day BOOLEAN NOT NULL,
    platforms VARCHAR[], yearly BOOLEAN NOT NULL, reason VARCHAR, item_id VARCHAR);
CREATE TABLE IF NOT EXISTS schedule_assignments (
    item_id VARCHAR NOT NULL, calendar_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL,
    worker VARCHAR NOT NULL, assigned_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS platform_timing_data (
    platform VARCHAR NOT NULL, format VARCHAR NOT NULL, weekday INTEGER NOT NULL,
    start_minute INTEGER NOT NULL, end_minute INTEGER NOT NULL, score DOUBLE PRECISION NOT NULL,
    source VARCHAR, min_per_week INTEGER, max_per_week INTEGER, max_per_day INTEGER,
    min_duration DOUBLE PRECISION, max_duration DOUBLE PRECISION, origin VARCHAR NOT NULL, checked VARCHAR);
CREATE TABLE IF NOT EXISTS user_scheduling_preferences (
    user_id VARCHAR NOT NULL, platform VARCHAR NOT NULL, timezone VARCHAR,
    posting_frequency_min INTEGER, posting_frequency_max INTEGER, max_per_day INTEGER,
    min_spacing_minutes INTEGER, preferred_days VARCHAR, avoided_days VARCHAR,
    preferred_hours VARCHAR, avoided_hours VARCHAR, enabled BOOLEAN);
"""


def security_sql(user_tables=USER_TABLES, shared_tables=SHARED_TABLES) -> str:
    """Row-level security on every table, enabled and forced, and the users' group role's privileges."""
    out = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{USER_ROLE}') "
        f"THEN CREATE ROLE {USER_ROLE} NOLOGIN; END IF; END $$;",
    ]
    for table in user_tables:
        out += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;",
            f"CREATE POLICY {table}_own ON {table} USING (user_id = current_user) WITH CHECK (user_id = current_user);",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {USER_ROLE};",
        ]
    for table in shared_tables:
        out += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;",
            f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (true);",
            f"GRANT SELECT ON {table} TO {USER_ROLE};",
        ]
    out += [
        # a clone's first open makes its mirror schema
        f"DO $$ BEGIN EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO {USER_ROLE}', current_database()); "
        "END $$;",
        f"GRANT USAGE ON SCHEMA public TO {USER_ROLE};",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {USER_ROLE};",
    ]
    return "\n".join(out)


def mirror_schema_name(clone: str) -> str:
    """The schema of one clone's mirror (``clone``: host and folder)."""
    return "mirror_" + hashlib.sha256(clone.encode()).hexdigest()[:16]


def mirror_schema_sql(schema: str) -> str:
    """One clone's mirror: its schema, the file-owned tables, their row-level security (the research
    baselines, which hold no user's rows, are any calcli user's to read and write)."""
    security = security_sql(MIRROR_USER_TABLES, ())
    security += (
        "\nALTER TABLE platform_timing_data ENABLE ROW LEVEL SECURITY;"
        "\nALTER TABLE platform_timing_data FORCE ROW LEVEL SECURITY;"
        "\nCREATE POLICY platform_timing_data_all ON platform_timing_data USING (true) WITH CHECK (true);"
        f"\nGRANT SELECT, INSERT, DELETE ON platform_timing_data TO {USER_ROLE};"
    )
    return (
        f'CREATE SCHEMA "{schema}";\nSET LOCAL search_path = "{schema}";\n'
        + MIRROR_TABLES_SQL
        + security.replace("ON SCHEMA public", f'ON SCHEMA "{schema}"').replace(
            "IN SCHEMA public", f'IN SCHEMA "{schema}"'
        )
    )


# A claim's liveness: each dispatch run holds the session-level advisory lock (CLAIM_LOCK, holder) for as
# long as it runs, and writes its holder number into the attempts it claims. A running attempt whose
# lock nobody holds belongs to a run that is gone (killed, or its host went down: the server ends its
# session), whichever host asks.
CLAIM_LOCK = 0x636C6D73  # the first key of the claim holders' advisory locks ("clms")
HOLDERS = f"""
SET LOCAL search_path = public;
CREATE SEQUENCE claim_holders AS integer CYCLE;
GRANT USAGE ON SEQUENCE claim_holders TO {USER_ROLE};
ALTER TABLE dispatch_attempts ADD COLUMN holder INTEGER;
"""

MIGRATIONS: list[tuple[int, str]] = [(1, TABLES + security_sql()), (2, HOLDERS)]
LATEST = MIGRATIONS[-1][0]
