"""Moving a store's own data between a local DuckDB file and a PostgreSQL server (``calcli db push``
and ``db pull``): history, KPI events, trials and their assignments, dispatch attempts. The files'
mirror is not moved (each side makes it from the files); the target's tables must be empty.

Each table is reported with its row count on both sides and a checksum of its rows on both sides
(sha256 over the rows, each written the same way whatever the engine, in sorted order): equal
checksums say the copy holds the same values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from calcli.core.errors import InvalidInput
from calcli.store.duckdb.store import open_duckdb
from calcli.store.postgres.store import open_store_url

MOVED = ("item_history", "performance_kpi_events", "optimization_trials", "trial_assignments", "dispatch_attempts")


@dataclass
class Moved:
    table: str
    rows_from: int
    rows_to: int
    checksum_from: str
    checksum_to: str

    @property
    def same(self) -> bool:
        return self.rows_from == self.rows_to and self.checksum_from == self.checksum_to


def _text(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return str(int(v))
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ",".join(_text(x) for x in v) + "]"
    return str(v)


def checksum(rows: list[tuple]) -> str:
    """sha256 over the rows (each as tab-joined canonical text), sorted."""
    h = hashlib.sha256()
    for line in sorted("\t".join(_text(v) for v in r) for r in rows):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


def _columns(duck, table: str) -> list[str]:
    return [d[0] for d in duck.con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def _rows(store, table: str, cols: list[str]) -> list[tuple]:
    return [tuple(r) for r in store.con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()]


def _refuse_filled(store, where: str) -> None:
    filled = [t for t in MOVED if store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
    if filled:
        raise InvalidInput(
            f"the {where} store already holds {', '.join(filled)}; nothing was copied.",
            "Move a store only into an empty one.",
        )


def push(project, url: str) -> list[Moved]:
    """Copy the project's DuckDB store's own data into the (empty) PostgreSQL store at ``url``."""
    out = []
    with open_duckdb(project) as duck:
        pg = open_store_url(url, project, duck.timeout)
        try:
            pg.migrate()
            _refuse_filled(pg, "PostgreSQL")
            with pg.atomic():
                for table in MOVED:
                    cols = _columns(duck, table)
                    rows = _rows(duck, table, cols)
                    pg.append(table, rows, tuple(cols))
                    back = _rows(pg, table, cols)
                    out.append(Moved(table, len(rows), len(back), checksum(rows), checksum(back)))
        finally:
            pg.close()
    return out


def pull(project, url: str) -> list[Moved]:
    """Copy the PostgreSQL store's own data at ``url`` (the rows this login may see) into the
    project's (empty) DuckDB store."""
    out = []
    with open_duckdb(project) as duck:
        pg = open_store_url(url, project, duck.timeout)
        try:
            _refuse_filled(duck, "local DuckDB")
            with duck.atomic():
                for table in MOVED:
                    cols = _columns(duck, table)
                    pg._copy_out(duck, table)
                    rows, back = _rows(pg, table, cols), _rows(duck, table, cols)
                    out.append(Moved(table, len(rows), len(back), checksum(rows), checksum(back)))
        finally:
            pg.close()
    return out
