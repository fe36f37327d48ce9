"""A damaged store file moved aside, and a new store holding what of its store-owned data can still be read.

The files own the mirror, so ``calcli db rebuild`` can always make it anew; what only the store owns
(history, KPI events, trials, dispatch attempts, the journal position) is copied table by table from
the damaged file where DuckDB can still read the table whole, and reported lost where it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from calcli.core.times import utc_stamp
from calcli.store.base import STORE_OWNED
from calcli.store.duckdb.connection import Connection, connect
from calcli.store.duckdb.kpi import LATEST_GUARD
from calcli.store.duckdb.schema import LATEST
from calcli.store.lock import lock_timeout, project_lock

DERIVED = ("kpi_latest",)  # rebuilt from the events by the next analysis, never copied
COPIED = [t for t in STORE_OWNED if t not in DERIVED]


@dataclass
class Recovery:
    """Where the damaged file went, and each store-owned table's fate: rows kept, or why it was lost."""

    moved_to: str
    kept: dict[str, int] = field(default_factory=dict)
    lost: dict[str, str] = field(default_factory=dict)


def _aside(path):
    """Rename the damaged file (and its write-ahead log) to ``NAME.damaged-UTCSTAMP[-N]``."""
    stamp = utc_stamp().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(target.with_name(target.name + ".wal"))
    return target


def _old_version(con) -> int | None:
    try:
        return con.execute("SELECT max(version) FROM old.schema_meta").fetchone()[0]
    except duckdb.Error:
        return None


def _salvage(con, recovery: Recovery) -> None:
    """Copy each store-owned table the damaged file (attached as ``old``) still yields whole."""
    wanted = COPIED
    version = _old_version(con)
    if version != LATEST:
        why = "the damaged file's schema cannot be read" if version is None else f"schema version {version}"
        recovery.lost.update({t: why for t in wanted})
        return
    for table in wanted:
        try:
            con.execute(f"INSERT INTO main.{table} SELECT * FROM old.main.{table}")
            recovery.kept[table] = con.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]
        except duckdb.Error as exc:
            con.execute(f"DELETE FROM main.{table}")
            recovery.lost[table] = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    con.execute("DELETE FROM main.store_meta WHERE key = $k", {"k": LATEST_GUARD})  # kpi_latest: rebuilt


def recover(project) -> Recovery:
    """Move the damaged store aside, make a new empty one (migrated) and copy into it what can be read."""
    timeout = lock_timeout(project.config.lock_timeout_seconds)
    path = project.store_path
    with project_lock(project.lock_path, timeout):
        moved = _aside(path)
        recovery = Recovery(project.rel(moved))
        store = Connection(connect(path, False, timeout), path, timeout)
        try:
            store.migrate(new=True)
            try:
                store.con.execute(f"ATTACH '{str(moved).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)")
            except duckdb.Error:
                recovery.lost.update(dict.fromkeys(COPIED, "the damaged file cannot be opened at all"))
                return recovery
            _salvage(store.con, recovery)
            store.con.execute("DETACH old")
        finally:
            store.close()
    return recovery
