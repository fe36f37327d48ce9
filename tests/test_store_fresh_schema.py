"""A new store gets its schema in one go (every migration in one transaction); it must be exactly
the schema that the migrations make step by step, and a store made before must still migrate step
by step."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from calcli.store.duckdb.schema import LATEST, MIGRATIONS
from calcli.store.duckdb.store import DuckDBStore as Store

# Each catalog view without what differs between two files by nature: the database's name, the oids
# and the estimated size.
CATALOG = {
    "tables": "SELECT * EXCLUDE (database_name, database_oid, schema_oid, table_oid, estimated_size) "
    "FROM duckdb_tables()",
    "columns": "SELECT * EXCLUDE (database_name, database_oid, schema_oid, table_oid) FROM duckdb_columns() "
    "WHERE NOT internal",
    "indexes": "SELECT * EXCLUDE (database_name, database_oid, schema_oid, index_oid, table_oid) FROM duckdb_indexes()",
    "constraints": "SELECT * EXCLUDE (database_name, database_oid, schema_oid, table_oid) FROM duckdb_constraints()",
    "views": "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal",
    "versions": "SELECT version, duckdb_version FROM schema_meta",
}


def schema(con) -> dict[str, list[tuple]]:
    """The catalog as the store's users can see it, each view sorted (and its natural order kept apart)."""
    out = {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in CATALOG.items()}
    out["table order"] = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    return out


def made(path: Path, new: bool, before: int | None = None):
    """A store at ``path``: in one go (``new``), or step by step (up to ``before`` alone when given)."""
    con = duckdb.connect(str(path))
    if before is None:
        Store(con).migrate(new=new)
    else:
        for version, sql in MIGRATIONS:
            if version < before:
                con.execute(sql)
                con.execute("INSERT INTO schema_meta VALUES (?, ?, now())", [version, duckdb.__version__])
    return con


def test_a_new_store_in_one_go_equals_one_migrated_step_by_step(tmp_path):
    fresh = made(tmp_path / "fresh.duckdb", new=True)
    steps = made(tmp_path / "steps.duckdb", new=False)
    got, want = schema(fresh), schema(steps)
    assert got["versions"] == [(v, duckdb.__version__) for v in range(1, LATEST + 1)]
    for name in want:
        assert got[name] == want[name], name
    assert len(want["tables"]) == 15 and len(want["indexes"]) == 6


@pytest.mark.parametrize("before", range(2, LATEST + 1))
def test_an_older_store_still_migrates_step_by_step(tmp_path, before):
    old = made(tmp_path / "old.duckdb", new=False, before=before)
    assert Store(old).version() == before - 1
    Store(old).migrate()
    steps = made(tmp_path / "steps.duckdb", new=False)
    assert schema(old) == schema(steps)


def test_the_migrations_are_numbered_one_to_latest():
    assert [v for v, _ in MIGRATIONS] == list(range(1, LATEST + 1))


def test_the_first_command_of_a_project_makes_its_store_in_one_go(project, run, tmp_path):
    """Through the CLI: the first command makes the store, with every version and the whole schema."""
    r = run("sql", "SELECT version FROM schema_meta ORDER BY version", "--format", "csv")
    assert r.exit_code == 0, r
    assert r.stdout.split() == ["version", *(str(v) for v in range(1, LATEST + 1))]
    con = duckdb.connect(str(project / ".calcli" / "calcli.duckdb"), read_only=True)
    assert schema(con) == schema(made(tmp_path / "steps.duckdb", new=False))
