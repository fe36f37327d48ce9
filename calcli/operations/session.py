"""A command's session: the project's store, open and locked, brought up to date with the
files, acting as one user. Kept apart from :mod:`calcli.operations.items` so that commands that only
read (``due``, ``agenda``, ``analyze``) do not import the writing machinery (YAML emission,
calendar splicing) at start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from calcli.core.model import ContentScheduleItem
from calcli.store import Store, open_store
from calcli.store.sync import sync_project


@dataclasses.dataclass
class Session:
    """An open, synced store and the acting user."""

    project: object
    store: Store
    user: str
    actor: str


@contextmanager
def session(project, user: str | None = None) -> Iterator[Session]:
    """Open the store (locked), bring it up to date with the files, act as ``user``."""
    from calcli.operations.fold import fold

    acting = user or project.config.user
    with open_store(project) as store:
        sync_project(project, store)
        s = Session(project, store, acting, acting)
        fold(s)  # outcomes recorded by dispatch runs reach the files before anyone reads them
        yield s


def item_row(i: ContentScheduleItem) -> dict:
    return {
        "id": i.id,
        "calendar": i.calendar,
        "user": i.user_id,
        "video_job_id": i.video_job_id,
        "platform": i.platform.value,
        "format": i.format,
        "scheduled_at": i.scheduled_at,
        "status": i.status.value,
        "assignee": i.assignee,
        "title": i.title,
        "post": i.post_ref,
    }
