"""Finding what a command names, as the acting user: an item, its calendar, a calendar of one's own."""

from __future__ import annotations

from calcli.core.errors import UsageError
from calcli.core.model import (
    ContentScheduleItem,
)
from calcli.operations.acting import Session
from calcli.operations.editing import Target, open_calendar


def find_item(s: Session, item_id: str, all_users: bool = False) -> ContentScheduleItem:
    found = s.store.items(ids=[item_id])
    if not found or (found[0].user_id != s.user and not all_users):
        raise UsageError(
            f"no item {item_id!r} for user {s.user}.", "List items with `calcli agenda` or `calcli calendar show`."
        )
    return found[0]


def calendar_of(s: Session, item: ContentScheduleItem) -> Target:
    return open_calendar(s.store, s.project, item.calendar)


def own_calendar(s: Session, name: str) -> Target:
    """The acting user's calendar ``name``; another user's is as good as missing (and not named)."""
    return open_calendar(s.store, s.project, name, s.user)
