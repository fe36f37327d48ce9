"""The PostgreSQL store: every part of the interface on one server connection, and opening it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from calcli.store.base import Store
from calcli.store.lock import lock_timeout, project_lock
from calcli.store.postgres.admin import Admin
from calcli.store.postgres.analytics import Analytics
from calcli.store.postgres.connection import Connection, connect
from calcli.store.postgres.dispatch import Dispatch
from calcli.store.postgres.history import History
from calcli.store.postgres.items import Items
from calcli.store.postgres.mirror import Mirror
from calcli.store.postgres.trials import Trials


class PostgresStore(Connection, Mirror, Items, History, Dispatch, Admin, Analytics, Trials, Store):
    """calcli's store on a PostgreSQL server shared by a team."""

    def close(self) -> None:
        self.drop_scratch()
        super().close()


def clone_id(project) -> str:
    """This clone of the project: host and folder (each mirrors its own files and reads its own journal)."""
    return f"{socket.gethostname()}:{project.root}"


def open_store_url(url: str, project=None, timeout: float = 10.0) -> PostgresStore:
    """A store on ``url`` as this clone of ``project`` sees it (its mirror schema first on the path)."""
    clone = clone_id(project) if project is not None else ""
    store = PostgresStore(connect(url, timeout), url, timeout, clone)
    return store


@contextmanager
def open_postgres(project, read_only: bool = False) -> Iterator[PostgresStore]:  # noqa: ARG001 (the interface)
    """The project's PostgreSQL store, migrated, closed at the end of the block. The project lock is
    still taken: this clone's calendar files, journal and mirror are written by one calcli at a time."""
    timeout = lock_timeout(project.config.lock_timeout_seconds)
    with project_lock(project.lock_path, timeout):
        store = open_store_url(project.config.store, project, timeout)
        try:
            store.migrate()  # read-only or not: at least this clone's mirror schema must exist
            yield store
        finally:
            store.close()
