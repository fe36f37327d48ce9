"""The DuckDB store: every part of the interface on one connection, and opening the project's store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from calcli.core.errors import StoreDamaged, StoreTooNew
from calcli.store.base import Store
from calcli.store.duckdb.admin import Admin
from calcli.store.duckdb.analysis import Analysis
from calcli.store.duckdb.connection import Connection, connect, damage
from calcli.store.duckdb.dispatch import Dispatch
from calcli.store.duckdb.history import History
from calcli.store.duckdb.items import Items
from calcli.store.duckdb.kpi import Kpi
from calcli.store.duckdb.mirror import Mirror
from calcli.store.duckdb.trials import Trials
from calcli.store.lock import lock_timeout, project_lock


class DuckDBStore(Connection, Mirror, Items, History, Dispatch, Admin, Kpi, Analysis, Trials, Store):
    """calcli's store in one DuckDB file (``.calcli/calcli.duckdb``)."""


@contextmanager
def open_duckdb(project, read_only: bool = False) -> Iterator[DuckDBStore]:
    """The project's DuckDB store, locked, migrated, and closed at the end of the block."""
    timeout = lock_timeout(project.config.lock_timeout_seconds)
    path = project.store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with project_lock(project.lock_path, timeout):
        new = not path.exists()  # DuckDB makes an empty database (and drops a stray .wal without its file)
        if read_only and new:
            read_only = False
        try:
            con = connect(path, read_only, timeout)
        except StoreDamaged as exc:
            raise StoreDamaged(project.rel(path), exc.detail) from None
        store = DuckDBStore(con, path, timeout, read_only)
        try:
            if not read_only:
                store.migrate(new=new)
            yield store
        except StoreTooNew:
            raise
        except duckdb.Error as exc:  # a bad block is found when it is read, by whatever statement reads it
            if damage(exc):
                raise StoreDamaged(project.rel(path), damage(exc)) from None
            raise
        finally:
            store.close()
