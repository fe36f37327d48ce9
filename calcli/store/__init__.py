"""The store: a mirror of the project's files for SQL, and what only it owns (history, KPI events,
trials, dispatch attempts). Every SQL statement of calcli lives in this package.

``open_store(project)`` is a context manager: it takes the project's lock (calcli processes take
turns), opens the project's store, applies pending migrations, and closes everything on exit; when
the lock or the store stays busy past the timeout it raises BusyError (exit 4). What a store can be
asked is :class:`calcli.store.base.Store`; the engine behind it is DuckDB (``calcli.store.duckdb``,
loaded only when a store is opened), or a PostgreSQL server for a team (``calcli.store.postgres``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from calcli.core import lazy
from calcli.store import duckdb as backend
from calcli.store import postgres
from calcli.store.base import Store

__getattr__, __dir__ = lazy.submodules(__name__, __path__)


@contextmanager
def open_store(project, read_only: bool = False) -> Iterator[Store]:
    """The project's store, locked, migrated, and closed at the end of the block."""
    if project.store_is_server:
        with postgres.store.open_postgres(project, read_only) as store:
            yield store
        return
    with backend.store.open_duckdb(project, read_only) as store:
        yield store


def claimer(project):
    """A store that takes dispatch claims as rows shared by every host (a PostgreSQL store), or None
    when claims are this machine's journal alone (DuckDB). The caller closes it."""
    if not project.store_is_server:
        return None
    from_config = project.config.store
    return postgres.store.open_store_url(from_config, project)


def recover_store(project):
    """Move a damaged store file aside and make a new store with what of its store-owned data can be
    read (a :class:`calcli.store.duckdb.recover.Recovery`); then ``sync.rebuild_project`` fills the mirror."""
    return backend.recover.recover(project)


__all__ = ["Store", "claimer", "open_store", "recover_store"]
