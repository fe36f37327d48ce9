"""Who acts and on what: an open, synced store and the acting user (a command's session), and an item as a row."""

from __future__ import annotations

import dataclasses

from calcli.core.model import ContentScheduleItem
from calcli.store import Store


@dataclasses.dataclass
class Session:
    """An open, synced store and the acting user."""

    project: object
    store: Store
    user: str
    actor: str


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
