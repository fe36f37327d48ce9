"""calcli kpi import: bad rows by line, idempotency, snapshots, --strict, layouts, linking."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(autouse=True)
def _exported_after_the_posts(monkeypatch):
    """The exports here were made after their posts and snapshots (a snapshot after now is a bad row)."""
    monkeypatch.setenv("CALCLI_NOW", "2026-08-01T12:00:00+00:00")


HEADER = "item_id,platform,post_id,metric_at,impressions,reach,views,likes,comments,shares\n"


@pytest.fixture
def synced(example_project, run):
    assert run("db", "sync").exit_code == 0
    return example_project


def events(run) -> list[dict]:
    r = run("sql", "SELECT item_id, platform, post_id, metric_at, impressions, likes, source_file "
            "FROM performance_kpi_events ORDER BY item_id, post_id, metric_at", "--format", "json")
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_good_rows_load_and_bad_rows_are_reported_by_line(synced, run):
    (synced / "k.csv").write_text(
        HEADER
        + "it_teaser_yt,,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n"  # platform taken from the item
        + "it_nope,youtube,,2026-07-02T12:00:00Z,1,1,1,1,1,1\n"
        + ",tiktok,abc,yesterday,1,1,1,1,1,1\n"
        + ",tiktok,abc,2026-07-02T12:00:00Z,-3,1,1,1,1,1\n"
        + ",tiktok,abc,2026-07-02T12:00:00Z,1.5,1,1,1,1,1\n"
        + ",,,2026-07-02T12:00:00Z,1,1,1,1,1,1\n"
        # Spaces (unicode ones too) around text and numbers, a thousands separator, a name to lower.
        + "it_teaser_yt, YouTube ,,\u00a02026-07-03T12:00:00Z ,\" 1,000 \",800,900,50,5,3\n"
        + ",Twitter,\u2003abc\u00a0,2026-07-02T12:00:00Z,7,,,1,,\n"
        + ",tiktok,abc,2026-07-03T12:00:00Z,1.0,1,1,1,1,1\n"
        + ",tiktok,abc,2026-07-03T12:00:00Z,\"1,5.0\",1,1,1,1,1\n"
        + ",\ttiktok,abc,2026-07-04T12:00:00Z,1,1,1,1,1,1\n"  # trim takes spaces, not tabs
    )
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 5, r
    assert json.loads(r.stdout) == [{"file": "k.csv", "layout": "canonical", "rows": 11, "added": 3, "updated": 0,
                                     "unlinked": 1, "rejected": 8}]
    assert "Error: k.csv:3: item_id: no item it_nope of this user" in r.stderr
    assert "Error: k.csv:4: metric_at: yesterday is not a date-time" in r.stderr
    assert "Error: k.csv:5: impressions: -3 is not a whole number >= 0" in r.stderr
    assert "Error: k.csv:6: impressions: 1.5 is not a whole number >= 0" in r.stderr
    assert "Error: k.csv:7: platform: missing (and no item_id to take it from)" in r.stderr
    assert "Error: k.csv:10: impressions: 1.0 is not a whole number >= 0" in r.stderr
    assert "Error: k.csv:11: impressions: 1,5.0 is not a whole number >= 0" in r.stderr
    assert "Error: k.csv:12: platform: unknown \ttiktok" in r.stderr
    rows = events(run)
    assert [(e["item_id"], e["platform"], e["post_id"], e["metric_at"], e["impressions"]) for e in rows] == [
        ("it_teaser_yt", "youtube", None, "2026-07-02T12:00:00", 1000),
        ("it_teaser_yt", "youtube", None, "2026-07-03T12:00:00", 1000),
        (None, "x", "abc", "2026-07-02T12:00:00", 7),
    ]


def test_importing_the_same_file_again_adds_nothing_and_a_corrected_one_replaces(synced, run):
    path = synced / "k.csv"
    path.write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n")
    assert run("kpi", "import", "k.csv").exit_code == 0
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0] | {} == {
        "file": "k.csv", "layout": "canonical", "rows": 1, "added": 0, "updated": 0, "unlinked": 0, "rejected": 0}
    path.write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1200,800,900,60,5,3\n")
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert json.loads(r.stdout)[0]["updated"] == 1
    assert [(e["impressions"], e["likes"]) for e in events(run)] == [(1200, 60)]


def test_a_later_snapshot_is_a_new_event(synced, run):
    (synced / "a.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n")
    (synced / "b.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-09T12:00:00Z,3000,800,900,90,5,3\n")
    assert run("kpi", "import", "a.csv", "b.csv").exit_code == 0
    assert [e["impressions"] for e in events(run)] == [1000, 3000]


def test_the_same_snapshot_twice_in_one_file_loads_once_the_later_line_winning(synced, run):
    (synced / "k.csv").write_text(
        HEADER
        + ",tiktok,abc,2026-07-02T12:00:00Z,1,1,1,1,1,1\n"
        + ",tiktok,abc,yesterday,1,1,1,1,1,1\n"  # a bad row among them has no event key
        + ",tiktok,abc,2026-07-02T12:00:00Z,2,1,1,7,1,1\n"
    )
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 5, r
    assert json.loads(r.stdout)[0]["added"] == 1
    assert [(e["impressions"], e["likes"]) for e in events(run)] == [(2, 7)]


def test_a_count_too_large_for_the_store_is_a_bad_row_not_a_crash(synced, run):
    (synced / "k.csv").write_text(
        HEADER
        + ",tiktok,a,2026-07-02T12:00:00Z,9223372036854775807,1,1,1,1,1\n"  # the largest that fits
        + ",tiktok,b,2026-07-02T12:00:00Z,9223372036854775808,1,1,1,1,1\n"  # 2**63: fits no BIGINT
        + ",tiktok,c,2026-07-02T12:00:00Z,1,1,1,\"99,999,999,999,999,999,999\",1,1\n"
    )
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 5, r
    assert json.loads(r.stdout)[0]["added"] == 1 and json.loads(r.stdout)[0]["rejected"] == 2
    assert "Error: k.csv:3: impressions: 9223372036854775808 is too large (at most 9223372036854775807)" in r.stderr
    assert "Error: k.csv:4: likes: 99,999,999,999,999,999,999 is too large (at most 9223372036854775807)" in r.stderr
    assert [e["impressions"] for e in events(run)] == [9223372036854775807]


def test_strict_loads_nothing_when_a_row_is_bad(synced, run):
    (synced / "k.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n"
                                  + "it_teaser_yt,youtube,,not-a-time,1,1,1,1,1,1\n")
    r = run("kpi", "import", "k.csv", "--strict")
    assert r.exit_code == 3, r
    assert "k.csv:3: metric_at: not-a-time is not a date-time" in r.stderr
    assert "nothing was written" in r.stderr
    assert events(run) == []


def test_dry_run_writes_nothing(synced, run):
    (synced / "k.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n")
    r = run("kpi", "import", "k.csv", "--dry-run")
    assert r.exit_code == 0 and "Dry run" in r.stderr
    assert events(run) == []


def test_a_dry_run_exits_as_the_import_would_and_an_unknown_item_is_named(synced, run):
    (synced / "k.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n"
                                  + "it_nope,,,2026-07-02T12:00:00Z,1,1,1,1,1,1\n")
    dry = run("kpi", "import", "k.csv", "--dry-run")
    assert dry.exit_code == 5, dry
    assert "k.csv:3: item_id: no item it_nope of this user" in dry.stderr
    assert "platform: missing" not in dry.stderr
    assert events(run) == []
    assert run("kpi", "import", "k.csv", "--dry-run", "--strict").exit_code == 3
    assert run("kpi", "import", "k.csv").exit_code == 5


def test_ndjson_and_a_post_url_recorded_by_dispatch_link_to_the_item(synced, run):
    q3 = synced / "calendars" / "Q3.yaml"
    q3.write_text(q3.read_text().replace('    assignee: sam\n', '    assignee: sam\n    post: "https://tt.example/v/1"\n'))
    (synced / "k.ndjson").write_text(
        json.dumps({"platform": "tiktok", "post_url": "https://tt.example/v/1", "metric_at": "2026-07-02T12:00:00Z",
                    "views": 500, "likes": 40}) + "\n"
        + json.dumps({"platform": "tiktok", "post_url": "https://tt.example/v/unknown",
                      "metric_at": "2026-07-02T12:00:00Z", "views": 5}) + "\n"
    )
    r = run("kpi", "import", "k.ndjson", "--format", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)[0] | {} == {"file": "k.ndjson", "layout": "canonical", "rows": 2, "added": 2,
                                          "updated": 0, "unlinked": 1, "rejected": 0}
    assert "1 row(s) match no schedule item" in r.stderr
    linked = {e["post_id"]: e["item_id"] for e in events(run)}
    assert linked == {"https://tt.example/v/1": "it_teaser_tt", "https://tt.example/v/unknown": None}


def test_a_platform_export_layout_is_detected_from_its_header(synced, run):
    (synced / "tiktok.csv").write_text("Video link,Date,Video views,Likes,Comments,Shares\n"
                                       "https://tt.example/v/9,2026-07-03,1200,80,4,2\n")
    r = run("kpi", "import", "tiktok.csv", "--format", "json")
    assert r.exit_code == 0, r
    report = json.loads(r.stdout)[0]
    assert report["layout"] == "tiktok-studio" and report["added"] == 1
    r = run("sql", "SELECT platform, post_id, views, likes FROM performance_kpi_events", "--format", "json")
    assert json.loads(r.stdout) == [{"platform": "tiktok", "post_id": "https://tt.example/v/9", "views": 1200,
                                     "likes": 80}]


def test_an_unknown_header_is_invalid_input(synced, run):
    (synced / "odd.csv").write_text("a,b\n1,2\n")
    r = run("kpi", "import", "odd.csv")
    assert r.exit_code == 3
    assert "odd.csv:1: the header matches no known layout" in r.stderr


def store_before(project, version: int, event: str) -> None:
    """Point ``project`` at a new store made by the migrations before ``version`` alone, holding
    one KPI event: ``event`` is the VALUES list of (event_key, user_id, item_id, platform,
    metric_at, impressions, reach, views, likes, comments, shares)."""
    import duckdb

    from calcli.store.duckdb.schema import MIGRATIONS

    con = duckdb.connect(str(project / ".calcli" / "old.duckdb"))
    for v, sql in MIGRATIONS:
        if v < version:
            con.execute(sql)
            con.execute("INSERT INTO schema_meta VALUES (?, ?, now())", [v, duckdb.__version__])
    con.execute(
        "INSERT INTO performance_kpi_events (event_key, user_id, item_id, platform, metric_at, impressions, reach, "
        f"views, likes, comments, shares) VALUES {event}"
    )
    con.close()
    (project / "calcli.toml").write_text((project / "calcli.toml").read_text().replace("calcli.duckdb", "old.duckdb"))


def test_events_imported_before_migration_6_keep_their_keys(synced, run):
    """A store made before event keys became numbers: its events are converted, so importing the
    same export again still adds nothing."""
    (synced / "k.csv").write_text(HEADER + "it_teaser_yt,youtube,,2026-07-02T12:00:00Z,1000,800,900,50,5,3\n")
    # The key as calcli wrote it before migration 6: 32 hex characters of md5(platform|item|time).
    store_before(synced, 6, "(md5('youtube|it_teaser_yt|2026-07-02 12:00:00+00'), 'user_123', 'it_teaser_yt', "
                            "'youtube', TIMESTAMP '2026-07-02 12:00:00', 1000, 800, 900, 50, 5, 3)")
    r = run("kpi", "import", "k.csv", "--format", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)[0]["added"] == 0 and json.loads(r.stdout)[0]["rows"] == 1
    assert len(events(run)) == 1
