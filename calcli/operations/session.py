"""A command's session: the project's store, open and locked, brought up to date with the
files, acting as one user. Kept apart from :mod:`calcli.operations.items` so that commands that only
read (``due``, ``agenda``, ``analyze``) do not import the writing machinery (YAML emission,
calendar splicing) at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from calcli.operations.acting import Session
from calcli.operations.fold import fold
from calcli.operations.sync import sync_project
from calcli.store import open_store


@contextmanager
def session(project, user: str | None = None) -> Iterator[Session]:
    """Open the store (locked), bring it up to date with the files, act as ``user``."""

    acting = user or project.config.user
    with open_store(project) as store:
        sync_project(project, store)
        s = Session(project, store, acting, acting)
        fold(s)  # outcomes recorded by dispatch runs reach the files before anyone reads them
        yield s
