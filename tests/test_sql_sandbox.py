"""`calcli sql` is read-only by construction and sees the acting user's rows: every attack that wrote
files or read other users' rows is refused (or harmless), with its exact exit code, and nothing changes."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from test_ops_kit import copy_project, make_template

from calcli.files.project import find_project
from calcli.store.duckdb.admin import sandbox

PWNED_SCHEMA = "COPY (SELECT 'pwned' AS a) TO 'calendars/Q3.yaml' (HEADER false);\n"


@pytest.fixture(scope="module")
def two_users_template(tmp_path_factory):
    root = make_template(tmp_path_factory.mktemp("sandbox"), ["Q3.yaml", "OTHER.yaml"])
    (root / "dump").mkdir()  # what IMPORT DATABASE would run: a schema.sql that overwrites a calendar
    (root / "dump" / "schema.sql").write_text(PWNED_SCHEMA)
    (root / "dump" / "load.sql").write_text("")
    return root


@pytest.fixture
def two_users(two_users_template, tmp_path, monkeypatch):
    return copy_project(two_users_template, tmp_path / "project", monkeypatch)


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the project (the lock file aside), by path."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock" and not p.name.endswith(".lock")
    }


def rows(run, statement: str, *extra: str) -> list[dict]:
    r = run("sql", statement, "--format", "json", *extra)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


ATTACKS = {
    "explain analyze copy, behind a comment": "/**/ EXPLAIN ANALYZE COPY (SELECT 'x' AS a) TO 'calendars/Q3.yaml' "
    "(HEADER false)",
    "explain analyse copy": "explain analyse copy (select 'x' as a) to 'calendars/Q3.yaml'",
    "copy to": "COPY (SELECT 'x' AS a) TO 'calendars/Q3.yaml' (HEADER false)",
    "copy from": "COPY content_schedule_items FROM 'calendars/Q3.yaml'",
    "import database": "IMPORT DATABASE 'dump'",
    "pragma import_database": "PRAGMA import_database('dump')",
    "attach": "ATTACH 'other.duckdb' AS other",
    "attach the store read-write": "ATTACH '.calcli/calcli.duckdb' AS rw",
    "detach": "DETACH store",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text of another user's file": "SELECT content FROM read_text('calendars/OTHER.yaml')",
    "glob": "SELECT * FROM glob('calendars/*')",
    "a file named as a table": "SELECT * FROM 'calendars/export.csv'",
    "read_blob": "SELECT * FROM read_blob('calcli.toml')",
    "the network": "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    "a pragma that sets": "PRAGMA threads = 1",
    "set external access": "SET enable_external_access = true",
    "reset the lock": "RESET lock_configuration",
    "set a path": "SET temp_directory = 'calendars'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "export": "EXPORT DATABASE 'out'",
    "checkpoint": "CHECKPOINT",
    "two statements": "SELECT 1; COPY (SELECT 1) TO 'x.csv'",
    "a statement after a comment": "SELECT 1; /* */ DELETE FROM item_history",
    "write": "DELETE FROM item_history",
    "explain analyze write": "/* hi */\nEXPLAIN ANALYZE DELETE FROM item_history",
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_every_attack_exits_2_and_changes_no_file(two_users, run, name):
    history = rows(run, "SELECT count(*) AS n FROM item_history", "--all-users")  # synced before the snapshot
    before = tree(two_users)
    r = run("sql", ATTACKS[name])
    assert r.exit_code == 2, r
    assert r.stdout == ""
    assert r.stderr.startswith("Error: "), r
    assert len(r.stderr.splitlines()) == 1, r
    assert tree(two_users) == before
    assert rows(run, "SELECT count(*) AS n FROM item_history", "--all-users") == history


@pytest.mark.parametrize(
    "statement, message",
    [
        (ATTACKS["read_csv"], "Error: calcli sql reads only the store: Permission Error: Cannot access file "
                              '"/etc/passwd" - file system operations are disabled by configuration'),
        (ATTACKS["import database"], "Error: calcli sql reads only the store: Permission Error: Cannot access file"),
        (ATTACKS["set external access"], "Error: calcli sql runs read-only queries; a SET statement is refused."),
        (ATTACKS["explain analyze copy, behind a comment"],
         "Error: calcli sql runs read-only queries; a COPY statement is refused."),
        (ATTACKS["two statements"], "Error: expected one SQL statement, found 2."),
    ],
    ids=["read_csv", "import", "set", "explain-analyze-copy", "two"],
)
def test_the_messages_say_what_was_refused(two_users, run, statement, message):
    r = run("sql", statement)
    assert r.stderr.startswith(message), r


def test_a_trailing_comment_or_semicolon_is_one_statement(two_users, run):
    assert rows(run, "SELECT 1 AS a; -- the end") == [{"a": 1}]
    assert rows(run, "/* first */ SELECT 2 AS a;;") == [{"a": 2}]


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 'x' AS a) TO 'calendars/Q3.yaml' (HEADER false)",
        "IMPORT DATABASE 'dump'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '.calcli/calcli.duckdb' AS rw",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "INSTALL httpfs",
    ],
)
@pytest.mark.parametrize("user", ["user_123", None], ids=["scoped", "all-users"])
def test_the_sandbox_itself_refuses_what_the_type_check_would(two_users, statement, user):
    """The guarantee is DuckDB's, not the statement check's: run each attack on the sandbox directly."""
    before = tree(two_users)
    con = sandbox(find_project(two_users).store_path, user)
    try:
        with pytest.raises(duckdb.Error) as refused:
            con.execute(statement)
        assert refused.type in (duckdb.PermissionException, duckdb.InvalidInputException, duckdb.ResourceInUseException)
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone() == (False,)
    finally:
        con.close()
    assert tree(two_users) == before


def test_with_all_users_the_store_is_attached_read_only(two_users):
    con = sandbox(find_project(two_users).store_path, None)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM item_history")
    finally:
        con.close()


# ---------------------------------------------------------------- scoped to the acting user

ITEMS = "SELECT user_id, count(*) AS n FROM content_schedule_items GROUP BY 1 ORDER BY 1"


def test_by_default_sql_sees_the_acting_users_rows_only(two_users, run):
    assert rows(run, ITEMS) == [{"user_id": "user_123", "n": 11}]
    assert rows(run, ITEMS, "--user", "other_user") == [{"user_id": "other_user", "n": 2}]
    assert rows(run, ITEMS, "--all-users") == [{"user_id": "other_user", "n": 2}, {"user_id": "user_123", "n": 11}]


@pytest.mark.parametrize("table", ["content_calendars", "schedule_exceptions", "content_schedule_items"])
def test_no_table_shows_another_users_rows(two_users, run, table):
    assert rows(run, f"SELECT count(*) AS n FROM {table} WHERE user_id <> 'user_123'") == [{"n": 0}]
    assert rows(run, f"SELECT count(*) AS n FROM {table} WHERE user_id = 'other_user'", "--all-users") != [{"n": 0}]


def test_source_files_leave_out_another_users_calendar(two_users, run):
    paths = [r["path"] for r in rows(run, "SELECT path FROM source_files WHERE kind = 'calendar' ORDER BY 1")]
    assert paths == ["calendars/Q3.yaml"]
    everyone = rows(run, "SELECT path FROM source_files WHERE kind = 'calendar' ORDER BY 1", "--all-users")
    assert [r["path"] for r in everyone] == ["calendars/OTHER.yaml", "calendars/Q3.yaml"]


def test_the_store_cannot_be_named_past_the_copies(two_users, run):
    r = run("sql", "SELECT count(*) FROM store.main.content_schedule_items")
    assert r.exit_code == 3, r
    assert rows(run, "SELECT database_name FROM duckdb_databases() WHERE NOT internal") == [
        {"database_name": "memory"}
    ]


def test_a_project_of_one_user_reads_the_store_itself_read_only(project, run):
    """Nothing to hide: no copy, the store attached read-only, and the attacks fail as they do on copies."""
    assert rows(run, "SELECT count(*) AS n FROM content_calendars") == [{"n": 0}]
    assert rows(run, "SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1") == [
        {"database_name": "memory"}, {"database_name": "store"}
    ]
    before = tree(project)
    for name in ("copy to", "import database", "read_csv", "attach the store read-write", "write",
                 "set external access"):
        assert run("sql", ATTACKS[name]).exit_code == 2, name
    r = run("sql", "SELECT 1 FROM (SELECT 1) WHERE (SELECT count(*) FROM read_text('calcli.toml')) > 0")
    assert r.exit_code == 2, r
    assert tree(project) == before


def test_shared_tables_are_whole(two_users, run):
    mine = rows(run, "SELECT count(*) AS n FROM platform_timing_data")
    assert mine == rows(run, "SELECT count(*) AS n FROM platform_timing_data", "--all-users")
    assert mine[0]["n"] > 0


# ---------------------------------------------------------------- another user's calendar is as good as missing


@pytest.mark.parametrize("command", ["analyze", "optimize"])
def test_another_users_calendar_answers_like_a_missing_one(two_users, run, command):
    theirs, missing = run(command, "--calendar", "OTHER"), run(command, "--calendar", "NOPE")
    assert (theirs.exit_code, missing.exit_code) == (2, 2)
    assert theirs.stdout == missing.stdout == ""
    assert theirs.stderr.replace("'OTHER'", "'X'") == missing.stderr.replace("'NOPE'", "'X'")
    assert theirs.stderr == (
        "Error: no calendar 'OTHER' for user user_123. List calendars with `calcli calendar list`.\n"
    )


@pytest.mark.parametrize("command", ["analyze", "optimize"])
def test_the_owner_still_reaches_the_calendar(two_users, run, command):
    r = run(command, "--calendar", "OTHER", "--user", "other_user", "--format", "json")
    assert r.exit_code == 0, r
