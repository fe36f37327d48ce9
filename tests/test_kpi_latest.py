"""Each post's latest snapshot, kept at import in ``kpi_latest``: it always equals the same thing
computed from the events (an independent query in this file), whatever order snapshots arrive
in, after a correction, a ``db rebuild``, an upgrade from a store made before it, or an event
inserted by hand; plus the event key's bytes."""

from __future__ import annotations

import json

import duckdb
import pytest
from test_kpi_import import store_before


@pytest.fixture(autouse=True)
def _exported_after_the_posts(monkeypatch):
    """The exports here were made after their posts and snapshots (a snapshot after now is a bad row)."""
    monkeypatch.setenv("CALCLI_NOW", "2026-08-01T12:00:00+00:00")


HEADER = "item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares\n"
TEASER = "it_teaser_yt,youtube,,{at},{impressions},800,900,{likes},5,3\n"

# The latest snapshot per (user, item) from the events, written independently of calcli.store.duckdb.kpi.
EXPECTED = """
    SELECT user_id, item_id, count(*) AS snapshots, max(metric_at) AS metric_at,
           max_by(impressions, metric_at) AS impressions, max_by(likes, metric_at) AS likes
    FROM performance_kpi_events WHERE item_id IS NOT NULL GROUP BY ALL ORDER BY ALL"""
KEPT = "SELECT user_id, item_id, snapshots, metric_at, impressions, likes FROM kpi_latest ORDER BY ALL"


@pytest.fixture
def synced(example_project, run):
    assert run("db", "sync").exit_code == 0
    return example_project


def sql(run, query: str) -> list[dict]:
    r = run("sql", query, "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def load(synced, run, *snapshots: tuple[str, int, int], code: int = 0) -> dict:
    (synced / "k.csv").write_text(
        HEADER + "".join(TEASER.format(at=at, impressions=i, likes=likes) for at, i, likes in snapshots)
    )
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == code, r
    return json.loads(r.stdout)[0]


def latest(run) -> list[dict]:
    kept = sql(run, KEPT)
    assert kept == sql(run, EXPECTED)
    return kept


def teaser_figures(run) -> dict:
    r = run("analyze", "--format", "json")
    assert r.exit_code == 0, r
    doc = json.loads(r.stdout)
    return {"posts": doc["totals"]["posts"], "snapshots": doc["totals"]["snapshots"],
            "youtube": [(p["impressions"], p["engagements"]) for p in doc["platforms"] if p["platform"] == "youtube"]}


def test_a_later_snapshot_then_an_older_one_arriving_late(synced, run):
    load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(1, 1000)]
    load(synced, run, ("2026-07-09T12:00:00Z", 3000, 90))
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(2, 3000)]
    load(synced, run, ("2026-07-05T12:00:00Z", 2000, 70))  # older than the latest: counted, not shown
    assert [(r["snapshots"], r["impressions"], r["likes"]) for r in latest(run)] == [(3, 3000, 90)]
    assert teaser_figures(run) == {"posts": 1, "snapshots": 3, "youtube": [(3000, 90 + 5 + 3)]}


def test_a_reimport_adds_nothing_and_a_correction_replaces(synced, run):
    assert load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))["added"] == 1
    assert load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))["added"] == 0
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(1, 1000)]
    assert load(synced, run, ("2026-07-02T12:00:00Z", 1200, 60))["updated"] == 1
    assert [(r["snapshots"], r["impressions"], r["likes"]) for r in latest(run)] == [(1, 1200, 60)]


def test_rejected_and_dry_run_imports_leave_it_as_it_was(synced, run):
    load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))
    (synced / "bad.csv").write_text(HEADER + TEASER.format(at="2026-07-09T12:00:00Z", impressions=5, likes=5)
                                    + TEASER.format(at="not-a-time", impressions=1, likes=1))
    assert run("kpi", "import", "bad.csv", "--strict").exit_code == 3
    assert run("kpi", "import", "bad.csv", "--dry-run").exit_code == 5  # as the import itself would
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(1, 1000)]
    assert run("kpi", "import", "bad.csv").exit_code == 5  # the good row loads
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(2, 5)]


def test_db_rebuild_keeps_it(synced, run):
    load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50), ("2026-07-09T12:00:00Z", 3000, 90))
    before = teaser_figures(run)
    assert run("db", "rebuild").exit_code == 0
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(2, 3000)]
    assert teaser_figures(run) == before


def test_an_event_inserted_by_hand_is_seen_by_the_next_analysis(synced, run):
    load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))
    con = duckdb.connect(str(synced / ".calcli" / "calcli.duckdb"))
    con.execute(
        "INSERT INTO performance_kpi_events (event_key, user_id, item_id, platform, metric_at, impressions, likes) "
        "VALUES (1, 'user_123', 'it_teaser_yt', 'youtube', TIMESTAMP '2026-07-20 00:00:00', 7000, 700)"
    )
    con.close()
    assert teaser_figures(run) == {"posts": 1, "snapshots": 2, "youtube": [(7000, 700)]}
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(2, 7000)]


def test_a_store_made_before_migration_7_is_converted(synced, run):
    """Its event keys are made anew from its events (importing the same export again adds nothing) and the
    table of latest snapshots is built from its events on first use."""
    # The key as calcli wrote it from migration 6 on: md5(platform|item|time) read big-endian.
    store_before(synced, 7, "(CAST('0x' || md5('youtube|it_teaser_yt|2026-07-02 12:00:00+00') AS UHUGEINT), "
                            "'user_123', 'it_teaser_yt', 'youtube', TIMESTAMP '2026-07-02 12:00:00', 1000, 800, 900, "
                            "50, 5, 3)")
    assert teaser_figures(run) == {"posts": 1, "snapshots": 1, "youtube": [(1000, 58)]}
    report = load(synced, run, ("2026-07-02T12:00:00Z", 1000, 50))
    assert (report["added"], report["updated"]) == (0, 0)
    assert [(r["snapshots"], r["impressions"]) for r in latest(run)] == [(1, 1000)]


def test_the_event_key_is_md5_of_the_post_xor_the_time():
    """The key's bytes are pinned: md5_number reads the digest little-endian, XOR the metric time in
    microseconds + 2**63. A DuckDB that changed either would make re-imports count snapshots twice."""
    import hashlib
    from datetime import UTC, datetime

    from calcli.store.duckdb.kpi import event_key_sql

    con = duckdb.connect()
    sql = event_key_sql("'youtube'", "'it_teaser_yt'", "TIMESTAMPTZ '2026-07-02 12:00:00+00'")
    at = datetime(2026, 7, 2, 12, tzinfo=UTC)
    digest = hashlib.md5(b"youtube|it_teaser_yt").digest()
    expected = int.from_bytes(digest, "little") ^ (int(at.timestamp()) * 1_000_000 + 2**63)
    assert con.execute(f"SELECT {sql}").fetchone()[0] == expected
    # The stored form of the same event (a naive UTC TIMESTAMP) gives the same key (migration 7).
    stored = event_key_sql("'youtube'", "'it_teaser_yt'", "TIMESTAMP '2026-07-02 12:00:00'")
    assert con.execute(f"SELECT {stored}").fetchone()[0] == expected
    before_1970 = event_key_sql("'x'", "'p'", "TIMESTAMP '1960-01-01 00:00:00'")
    assert con.execute(f"SELECT {before_1970}").fetchone()[0] > 0
