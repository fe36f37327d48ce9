"""One path for every change calcli makes to a calendar: file and store together.

A command builds a :class:`Change` (new, changed and removed items, blackouts
added or removed, header keys, history rows) and calls :func:`apply_change`
inside an open store. The calendar file is rewritten surgically (see
``calcli.files.calendar``) and atomically; the store mirrors the result in the same
transaction, with the file's new content hash, so the next sync need not parse
it again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from calcli.core.errors import UsageError
from calcli.core.model import ContentCalendar, ContentScheduleItem, ScheduleException
from calcli.core.times import utc_stamp
from calcli.files.calendar import load_calendar
from calcli.files.calendar_edits import add_blackouts, remove_blackouts, set_header
from calcli.files.calendar_emit import emit_new_calendar
from calcli.files.calendar_splice import Written, scan_layout, splice_items
from calcli.files.forked import ForkedWrite
from calcli.files.text import write_atomic
from calcli.operations.journal import announce_changes
from calcli.store import Store


@dataclass
class Change:
    new: list[ContentScheduleItem] = field(default_factory=list)
    changed: dict[str, ContentScheduleItem] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    add_blackouts: list[ScheduleException] = field(default_factory=list)
    remove_blackouts: set[str] = field(default_factory=set)
    header: dict[str, object] = field(default_factory=dict)  # top-level scalar keys to set
    history: list[tuple] = field(default_factory=list)
    planned_by: str | None = None  # a plan's actor: each new item gets a `planned` audit entry

    @property
    def empty(self) -> bool:
        return not (
            self.new or self.changed or self.removed or self.add_blackouts or self.remove_blackouts or self.header
        )


@dataclass
class Target:
    """A calendar opened for editing: its header and its items in file order."""

    calendar: ContentCalendar
    items: list[ContentScheduleItem]
    path: Path
    created: bool = False


def open_calendar(store: Store, project, name: str, user: str | None = None) -> Target:
    """The calendar ``name`` as the (synced) store has it; UsageError when there is none
    (or, with ``user``, when it is another user's: whose, is not said)."""
    path = project.calendar_path(name)
    cal = store.calendar(name) if path.exists() else None
    if cal is None or (user is not None and cal.user_id != user):
        mine = [c[0] for c in store.calendar_summaries(user or "", user is None)] if user else []
        known = f" (yours: {', '.join(mine)})" if mine else ""
        raise UsageError(
            f"no calendar {name!r}{known}" + ("" if user is None else f" for user {user}") + ".",
            "Make one with `calcli calendar new`.",
        )
    cal.path = str(path)
    return Target(cal, store.calendar_items(name), path)


def history_row(
    item: ContentScheduleItem, actor: str, action: str, field: str | None = None, old: object = None, new: object = None
) -> tuple:
    return (
        utc_stamp(),
        item.id,
        item.calendar,
        item.user_id,
        actor,
        action,
        field,
        None if old is None else str(old),
        None if new is None else str(new),
    )


def apply_change(
    store: Store,
    project,
    target: Target,
    change: Change,
    notify: bool = True,
    alongside: Callable[[], str] | None = None,
) -> str | None:
    """Write ``change`` to the calendar file and the store, all or nothing.

    With ``notify`` the changed and removed items are announced in the dispatch journal,
    so that a dispatch run working from an older due list skips them (calcli.operations.dispatch).
    A change that adds many items has the calendar text rendered by a forked child while the
    store is written (see ``RENDER_ELSEWHERE_MIN``); ``alongside()``, another text the caller
    wants (a command's output), is then rendered there too and returned. Else None is returned.
    """
    cal, path = target.calendar, target.path
    existing, written = _splice(target, change)
    edits_text = bool(change.header or change.add_blackouts or change.remove_blackouts)
    forked = None
    try:
        if not edits_text and len(change.new) >= RENDER_ELSEWHERE_MIN:
            forked = _render_elsewhere(store, path, written, alongside)
        text = _edited_text(written.text, change) if forked is None else None
        _edit_header(cal, change)
        by_id = {i.id: i for i in (*existing, *change.new)}
        by_id.update(change.changed)
        items = [by_id[i] for i in written.order]
        lines = [n + 1 for n in scan_layout(text).item_lines] if edits_text else written.lines
        if len(lines) != len(items):
            lines = [None] * len(items)
        with store.atomic():
            now = utc_stamp()  # a new item's created_at is its audit entry's time
            store.add_history(change.history)
            store.replace_calendar(cal, items, lines, now)
            if change.planned_by is not None and change.new:
                ids = None if len(change.new) == len(items) else [i.id for i in change.new]
                store.add_planned_history(cal.name, ids, change.planned_by, now)
            sha = forked.finish() if forked is not None else None
            if sha is None:  # rendered here (or the child failed: then here too, and its error is raised here)
                sha = _write_here(path, written.text if forked is not None else text)
            st = path.stat()
            store.set_file_state(project.rel(path), "calendar", cal.name, sha, st.st_mtime_ns, st.st_size)
        rendered = forked.then_text() if forked is not None and alongside is not None else None
    finally:
        if forked is not None:
            forked.abandon()  # a no-op once the child has left; else the file stays as it was
    target.items = items
    if notify and (change.changed or change.removed):
        announce_changes(project, sorted({*change.changed, *change.removed}))
    return rendered


def _splice(target: Target, change: Change) -> tuple[list[ContentScheduleItem], Written]:
    """The calendar's items as its file has them, and the file's items block with the change spliced in."""
    existing = target.items
    if target.created:
        text = emit_new_calendar(target.calendar)
        existing = []
    else:
        text = target.path.read_text(encoding="utf-8")
    layout = scan_layout(text)
    if existing and (not layout.block or len(layout.item_lines) != len(existing)):
        cf = load_calendar(target.path, text)  # the scan disagrees with the store: trust a full parse
        existing, layout = cf.calendar.items, cf.layout
    return existing, splice_items(text, layout, existing, change.new, change.changed, change.removed)


def _edited_text(text: str, change: Change) -> str:
    """The text with the change's header keys and blackouts edited in."""
    for key, value in change.header.items():
        text = set_header(text, key, value)
    if change.remove_blackouts:
        text = remove_blackouts(text, change.remove_blackouts)
    if change.add_blackouts:
        text = add_blackouts(text, change.add_blackouts)
    return text


def _edit_header(cal: ContentCalendar, change: Change) -> None:
    """The change's blackouts and header keys, on the calendar object (what the store mirrors)."""
    if change.remove_blackouts:
        cal.exceptions = [e for e in cal.exceptions if e.id not in change.remove_blackouts]
    if change.add_blackouts:
        cal.exceptions = [*cal.exceptions, *change.add_blackouts]
    for key, value in change.header.items():
        setattr(cal, key, value)


def _write_here(path: Path, text: str) -> str:
    """Write the calendar text atomically; its SHA-256 (hex)."""
    write_atomic(path, text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A change adding this many items renders the calendar text in a forked process while this one
# writes the store (~10 µs an item; the store must be closed and opened again around the fork,
# ~50 ms). Below it the text is rendered here.
RENDER_ELSEWHERE_MIN = 5000


def _render_elsewhere(
    store: Store, path: Path, written: Written, alongside: Callable[[], str] | None
) -> ForkedWrite | None:
    """``written``'s text (and ``alongside``'s) rendered by a forked child (see ``ForkedWrite``);
    None where this system cannot fork."""
    if not hasattr(os, "fork") or not store.can_release:
        return None
    forked = None
    try:
        with store.released():  # no DuckDB threads at the fork
            forked = ForkedWrite(path, lambda: written.text, alongside)
    except BaseException as exc:
        if forked is not None:  # the store could not be opened again
            forked.abandon()
            raise
        if isinstance(exc, OSError):  # no fork (a process limit) or no temp file: here, then
            return None
        raise
    return forked


# ---------------------------------------------------------------- header edits
