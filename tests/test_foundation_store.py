"""The DuckDB store mirrors the files: sync, hand edits in the audit trail, rebuild, read-only SQL, locking."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calcli.files.calendar import load_calendar
from calcli.files.project import find_project
from calcli.operations.sync import sync_project
from calcli.store import open_store
from calcli.store.lock import project_lock

CAL = "calendars/Q3.yaml"
OLD_AT = 'at: "2026-07-01T18:00:00-04:00"'
NEW_AT = 'at: "2026-07-02T18:30:00-04:00"'


def sql_json(run, statement: str) -> list[dict]:
    result = run("sql", statement, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def count(run, table: str, where: str = "TRUE") -> int:
    return sql_json(run, f"SELECT count(*) AS n FROM {table} WHERE {where}")[0]["n"]


def history_rows() -> list[tuple]:
    with open_store(find_project()) as store:
        return store.query(
            "SELECT item_id, actor, action, field, old_value, new_value FROM item_history "
            "ORDER BY changed_at, item_id, action, field"
        )[1]


def edit_at(root: Path) -> None:
    path = root / CAL
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_AT) == 1
    path.write_text(text.replace(OLD_AT, NEW_AT), encoding="utf-8")


def test_sync_mirrors_the_example_calendar(example_project, run):
    result = run("db", "sync")
    assert result.exit_code == 0, result
    assert "Synced:" in result.stderr

    cal = load_calendar(example_project / CAL).calendar
    assert count(run, "content_schedule_items") == len(cal.items) == 2
    rows = sql_json(
        run,
        "SELECT id, platform, status, scheduled_utc, utc_offset_minutes, timezone, src_line "
        "FROM content_schedule_items ORDER BY src_order",
    )
    assert [r["id"] for r in rows] == [i.id for i in cal.items]
    assert [r["platform"] for r in rows] == [i.platform.value for i in cal.items]
    assert [r["status"] for r in rows] == [i.status.value for i in cal.items]
    assert [r["src_line"] for r in rows] == [i.line for i in cal.items] == [13, 22]
    for row, item in zip(rows, cal.items, strict=True):
        utc = datetime.fromisoformat(row["scheduled_utc"]).replace(tzinfo=UTC)
        assert utc == item.scheduled_at
        assert row["utc_offset_minutes"] == -240
        assert row["timezone"] == "America/New_York"
    assert count(run, "content_calendars", "id = 'Q3'") == 1
    assert count(run, "schedule_exceptions", "calendar_id = 'Q3'") == 2
    assert sql_json(run, "SELECT item_id, worker FROM schedule_assignments") == [
        {"item_id": "it_teaser_tt", "worker": "sam"}
    ]

    with open_store(find_project()) as store:
        mirrored = store.calendar_items("Q3")
    assert [(i.id, i.scheduled_at, i.status) for i in mirrored] == [(i.id, i.scheduled_at, i.status) for i in cal.items]


def test_second_sync_reads_no_file(example_project, run):
    assert run("db", "sync").exit_code == 0
    result = run("db", "sync")
    assert result.exit_code == 0, result
    assert "Synced: 0 file(s) read" in result.stderr
    assert "0 history row(s)" in result.stderr

    project = find_project()
    with open_store(project) as store:
        report = sync_project(project, store)
    assert report.read == [] and report.removed == [] and report.history_rows == 0


def test_a_touched_but_unchanged_file_is_not_reparsed(example_project, run):
    assert run("db", "sync").exit_code == 0
    path = example_project / CAL
    path.write_bytes(path.read_bytes())  # new mtime, same content
    project = find_project()
    with open_store(project) as store:
        report = sync_project(project, store)
    assert report.read == [] and report.history_rows == 0


def test_hand_edit_is_picked_up_and_recorded_in_history(example_project, run):
    assert run("db", "sync").exit_code == 0
    edit_at(example_project)

    rows = sql_json(run, "SELECT scheduled_utc FROM content_schedule_items WHERE id = 'it_teaser_tt'")
    assert rows == [{"scheduled_utc": "2026-07-02T22:30:00"}]

    edited = sql_json(
        run,
        "SELECT item_id, calendar_id, user_id, actor, action, field, old_value, new_value "
        "FROM item_history WHERE action = 'edited'",
    )
    assert edited == [
        {
            "item_id": "it_teaser_tt",
            "calendar_id": "Q3",
            "user_id": "user_123",
            "actor": "file",
            "action": "edited",
            "field": "at",
            "old_value": "2026-07-01T18:00:00-04:00",
            "new_value": "2026-07-02T18:30:00-04:00",
        }
    ]
    with open_store(find_project()) as store:
        history = store.history("it_teaser_tt")
    assert [h[1:] for h in history] == [
        ("file", "created", None, None, "tiktok 2026-07-01T18:00:00-04:00"),
        ("file", "edited", "at", "2026-07-01T18:00:00-04:00", "2026-07-02T18:30:00-04:00"),
    ]


def test_history_stamps_follow_calcli_now(example_project, run):
    assert run("db", "sync").exit_code == 0
    stamps = sql_json(run, "SELECT DISTINCT changed_at FROM item_history")
    assert stamps == [{"changed_at": "2026-06-15T12:00:00"}]


def test_removing_an_item_by_hand_is_recorded(example_project, run):
    assert run("db", "sync").exit_code == 0
    path = example_project / CAL
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: it_teaser_tt")], encoding="utf-8")
    assert count(run, "content_schedule_items") == 1
    assert sql_json(run, "SELECT item_id, actor, action FROM item_history WHERE action = 'deleted'") == [
        {"item_id": "it_teaser_tt", "actor": "file", "action": "deleted"}
    ]


def test_deleting_a_calendar_file_removes_its_rows(example_project, run):
    assert run("db", "sync").exit_code == 0
    (example_project / CAL).unlink()
    result = run("db", "sync")
    assert result.exit_code == 0, result
    assert "1 removed" in result.stderr
    for table in ("content_schedule_items", "content_calendars", "schedule_exceptions", "schedule_assignments"):
        assert count(run, table) == 0, table
    assert count(run, "source_files", "kind = 'calendar'") == 0


def test_deleting_a_calendar_file_is_recorded_in_history(example_project, run):
    assert run("db", "sync").exit_code == 0
    (example_project / CAL).unlink()
    assert run("db", "sync").exit_code == 0
    deleted = sql_json(run, "SELECT item_id FROM item_history WHERE action = 'deleted' ORDER BY item_id")
    assert deleted == [{"item_id": "it_teaser_tt"}, {"item_id": "it_teaser_yt"}]


def test_rebuild_keeps_history_and_mirrors_items_again(example_project, run):
    assert run("db", "sync").exit_code == 0
    edit_at(example_project)
    assert run("db", "sync").exit_code == 0
    before = history_rows()
    assert len(before) == 3

    result = run("db", "rebuild")
    assert result.exit_code == 0, result
    assert "history kept" in result.stderr

    after = history_rows()
    for row in before:
        assert row in after, row
    assert count(run, "content_schedule_items") == 2
    assert sql_json(run, "SELECT scheduled_utc FROM content_schedule_items WHERE id = 'it_teaser_tt'") == [
        {"scheduled_utc": "2026-07-02T22:30:00"}
    ]
    assert count(run, "platform_timing_data") > 0
    assert count(run, "user_scheduling_preferences") > 0


def test_rebuild_adds_no_history(example_project, run):
    assert run("db", "sync").exit_code == 0
    before = history_rows()
    assert run("db", "rebuild").exit_code == 0
    assert history_rows() == before


def test_sql_refuses_writes_and_deletes_nothing(example_project, run):
    assert run("db", "sync").exit_code == 0
    n = count(run, "item_history")
    assert n == 2
    result = run("sql", "DELETE FROM item_history")
    assert result.exit_code == 2, result
    assert "read-only" in result.stderr and "DELETE" in result.stderr
    assert count(run, "item_history") == n


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 1; DELETE FROM item_history",
        "INSERT INTO item_history SELECT * FROM item_history",
        "UPDATE content_schedule_items SET status = 'posted'",
        "DROP TABLE item_history",
        "CREATE TABLE t AS SELECT 1",
    ],
)
def test_sql_refuses_every_writing_statement(example_project, run, statement):
    assert run("db", "sync").exit_code == 0
    before = (count(run, "item_history"), count(run, "content_schedule_items"))
    result = run("sql", statement)
    assert result.exit_code == 2, result
    assert (count(run, "item_history"), count(run, "content_schedule_items")) == before
    assert sql_json(run, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 't'") == [{"n": 0}]


def test_sql_explain_analyze_cannot_write(example_project, run):
    assert run("db", "sync").exit_code == 0
    n = count(run, "item_history")
    result = run("sql", "EXPLAIN ANALYZE DELETE FROM item_history")
    assert count(run, "item_history") == n
    assert result.exit_code == 2, result


def test_sql_syntax_error_exits_3(example_project, run):
    result = run("sql", "SELEC")
    assert result.exit_code == 3, result
    assert "SQL:" in result.stderr and "syntax error" in result.stderr
    assert result.stdout == ""


def test_sql_unknown_table_exits_3(example_project, run):
    result = run("sql", "SELECT * FROM no_such_table")
    assert result.exit_code == 3, result
    assert "no_such_table" in result.stderr


def _store_files(project) -> dict[str, bytes]:
    folder = project.store_path.parent
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p != project.lock_path}


def test_busy_project_exits_4_and_writes_nothing(example_project, run, run_process):
    assert run("db", "sync").exit_code == 0
    project = find_project()
    edit_at(example_project)  # a sync would have something to write
    before = _store_files(project)

    with project_lock(project.lock_path, 5):
        result = run_process("db", "sync", cwd=example_project, env={"CALCLI_LOCK_TIMEOUT": "0.5"})

    assert result.exit_code == 4, result
    assert "another calcli holds the project" in result.stderr
    assert "nothing was written" in result.stderr
    assert _store_files(project) == before
    with open_store(project, read_only=True) as store:
        items = {i.id: i for i in store.calendar_items("Q3")}
        assert store.query("SELECT count(*) FROM item_history WHERE action = 'edited'")[1] == [(0,)]
    assert items["it_teaser_tt"].scheduled_at.isoformat() == "2026-07-01T18:00:00-04:00"

    # once the lock is free, the same command goes through
    assert run("db", "sync").exit_code == 0


def test_busy_sql_exits_4(example_project, run, run_process):
    assert run("db", "sync").exit_code == 0
    project = find_project()
    with project_lock(project.lock_path, 5):
        result = run_process("sql", "SELECT 1", cwd=example_project, env={"CALCLI_LOCK_TIMEOUT": "0.3"})
    assert result.exit_code == 4, result
    assert result.stdout == ""
    assert "another calcli holds the project" in result.stderr
