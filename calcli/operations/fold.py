"""Folding the journal: dispatch outcomes reach the calendar files, the attempts table and the history."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from calcli import operations  # operations.editing (the YAML writing code) loads only when there is something to fold
from calcli.core.model import ContentScheduleItem, ScheduleStatus
from calcli.operations.acting import Session
from calcli.operations.journal import OUTPUT_TAIL, append_journal, read_journal, run_alive, stamp


def fold(s: Session) -> int:
    """Apply journal lines not yet folded to the calendar files and the store; returns how many.

    Idempotent: a status already reached is not set again, an attempt row is replaced.
    A claim whose run is gone without an outcome is first marked ``unconfirmed`` in the journal; with a
    shared store, other hosts' claims whose run is gone are marked so in the store (the store judges
    their liveness: :meth:`calcli.store.base.Dispatch.expire_claims`).
    """
    project, store = s.project, s.store
    store.expire_claims()
    offset = int(store.meta("journal_offset") or 0)
    records, end = read_journal(project, offset)
    records = [r for r in records if r.get("e") in ("claim", "done")]  # `changed` lines are for running claimers
    done = {(r["item"], r["attempt"]) for r in records if r.get("e") == "done"}
    open_claims = store.open_claims()
    open_claims += [(r["item"], r["attempt"], r["run"]) for r in records if r.get("e") == "claim"]
    stale = [
        {
            "e": "done",
            "run": run_id,
            "item": item_id,
            "attempt": attempt,
            "at": stamp(),
            "outcome": "unconfirmed",
            "error": "the dispatch run that claimed this item ended without recording an outcome (killed?); check "
            "the platform, then confirm with `calcli item status ID posted|failed`",
        }
        for item_id, attempt, run_id in open_claims
        if (item_id, attempt) not in done and not run_alive(project, run_id)
    ]
    if stale:
        append_journal(project, stale)
        more, end = read_journal(project, end)
        records += [r for r in more if r.get("e") in ("claim", "done")]
    if end != offset:  # also past lines that were only `changed` notices: those are for runs already going
        with store.atomic():
            if records:
                _apply(s, records)
            store.set_meta("journal_offset", str(end))
    return len(records)


def _apply(s: Session, records: list[dict]) -> None:
    """Journal records → attempt rows, item statuses and history."""
    store = s.store
    ids = sorted({r["item"] for r in records})
    items = {i.id: i for i in store.items(ids=ids)}
    rows = {(a[0], a[1], a[2]): list(a) for a in store.attempts(ids)}
    changes: dict[str, operations.editing.Change] = {}
    current = dict(items)
    for r in records:
        key = (r["item"], r["attempt"], r["run"])
        at = datetime.fromisoformat(r["at"]).replace(tzinfo=None)
        row = rows.setdefault(key, [r["item"], r["attempt"], r["run"], at, None, "running", None, None, None])
        item = current.get(r["item"])
        if r["e"] == "claim":
            if item is not None and item.status == ScheduleStatus.FAILED:
                current[item.id] = _status(changes, item, ScheduleStatus.SCHEDULED, "retry", s.actor)
            continue
        if r["outcome"] == "unconfirmed" and row[5] != "running":
            continue  # the store knows more already: another host marked it, or a person settled it
        row[4:9] = [at, r["outcome"], r.get("ref"), r.get("error"), r.get("code")]
        target = {"posted": ScheduleStatus.POSTED, "failed": ScheduleStatus.FAILED}.get(r["outcome"])
        if item is None or target is None:
            continue  # unconfirmed: the status waits for a person; a removed item keeps only its attempt
        if item.status == ScheduleStatus.FAILED and target == ScheduleStatus.POSTED:
            item = current[item.id] = _status(changes, item, ScheduleStatus.SCHEDULED, "retry", s.actor)
        if item.status == ScheduleStatus.SCHEDULED:
            current[item.id] = _status(changes, item, target, "dispatch", s.actor, r.get("ref"), r.get("error"))
    by_calendar: dict[str, operations.editing.Change] = {}
    for item_id, change in changes.items():
        merged = by_calendar.setdefault(current[item_id].calendar, operations.editing.Change())
        merged.changed.update(change.changed)
        merged.history.extend(change.history)
    for cal, change in sorted(by_calendar.items()):
        operations.editing.apply_change(
            store, s.project, operations.editing.open_calendar(store, s.project, cal), change, notify=False
        )
    touched = {(r["item"], r["attempt"], r["run"]) for r in records}  # not other runs' rows of these items
    store.upsert_attempts(
        [
            (
                row[0],
                items[row[0]].calendar if row[0] in items else None,
                items[row[0]].user_id if row[0] in items else "",
                *row[1:],
            )
            for key, row in rows.items()
            if key in touched
        ]
    )


def _status(
    changes: dict[str, operations.editing.Change],
    item: ContentScheduleItem,
    status: ScheduleStatus,
    action: str,
    actor: str,
    ref: str | None = None,
    error: str | None = None,
) -> ContentScheduleItem:
    new = dataclasses.replace(item, status=status, post_ref=ref or item.post_ref)
    change = changes.setdefault(item.id, operations.editing.Change())
    change.changed[item.id] = new
    change.history.append(
        operations.editing.history_row(item, f"dispatch:{actor}", action, "status", item.status.value, status.value)
    )
    if ref:
        change.history.append(
            operations.editing.history_row(item, f"dispatch:{actor}", action, "post", item.post_ref, ref)
        )
    if error:
        change.history.append(
            operations.editing.history_row(item, f"dispatch:{actor}", "error", None, None, error[-OUTPUT_TAIL:])
        )
    return new
