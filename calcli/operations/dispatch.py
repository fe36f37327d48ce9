"""Cron: what is due, and handing each due item to the user's publisher exactly once.

Exactly once under overlapping runs rests on three things:

* **Claims are durable and serialised.** Before running the publisher for an
  item, a run appends a ``claim`` line to ``.calcli/dispatch.jsonl`` (fsync'd)
  while holding the project lock, after reading every line appended since it
  last looked; an item somebody else claimed is skipped. Claiming costs a lock
  and an append, not a database open, so many runs can share the work.
* **Outcomes are durable too.** The publisher's result is appended as a
  ``done`` line the moment it is known. Journal lines are folded into the
  calendar files (status, post URL) and the store (``dispatch_attempts``,
  ``item_history``) at the start and end of each run and by ``calcli due``.
* **A claim without an outcome is never retried.** Each run holds an
  ``flock`` on its own file under ``.calcli/runs/``; a claim whose run is gone
  (killed) is marked ``unconfirmed`` — the publisher may or may not have
  posted — and waits for a person: ``calcli item status ID posted|failed``.
  A publisher that outlives ``--timeout`` is killed and its item marked
  unconfirmed the same way.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import signal
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from calcli.core.model import ContentScheduleItem, ScheduleStatus
from calcli.operations.session import Session, session

if TYPE_CHECKING:
    from calcli.operations.editing import Change
from calcli.core.times import iso
from calcli.core.times import now as current_time
from calcli.store.duckdb.store import _lock_timeout, project_lock

OUTPUT_TAIL = 2000  # characters of a publisher's stderr kept with a failed attempt


def journal_path(project) -> Path:
    return project.store_path.parent / "dispatch.jsonl"


def runs_dir(project) -> Path:
    return project.store_path.parent / "runs"


def _stamp() -> str:
    return current_time().astimezone(UTC).isoformat(timespec="microseconds")


def append_journal(project, records: list[dict]) -> None:
    """Append records as whole lines and fsync; call with the project lock held."""
    path = journal_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def announce_changes(project, item_ids: list[str]) -> None:
    """Tell running dispatches these items changed (status, time, removal): they skip them.
    Called with the project lock held; nothing is written when dispatch has never run."""
    if item_ids and journal_path(project).exists():
        append_journal(project, [{"e": "changed", "item": i, "at": _stamp()} for i in item_ids])


def read_journal(project, offset: int) -> tuple[list[dict], int]:
    """Complete records after byte ``offset``, and the offset after the last complete line."""
    path = journal_path(project)
    if not path.exists():
        return [], 0
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1
    records = []
    for line in data[:end].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a line torn by a crash mid-write: nothing can be made of it
    return records, offset + end


class Run:
    """One dispatch run: its id and the lock that says it is alive."""

    def __init__(self, project):
        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        folder = runs_dir(project)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{self.id}.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def close(self) -> None:
        os.close(self.fd)
        self.path.unlink(missing_ok=True)


def run_alive(project, run_id: str) -> bool:
    """True while the run that wrote ``run_id`` still holds its lock."""
    path = runs_dir(project) / f"{run_id}.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return False


# ---------------------------------------------------------------- folding the journal


def fold(s: Session) -> int:
    """Apply journal lines not yet folded to the calendar files and the store; returns how many.

    Idempotent: a status already reached is not set again, an attempt row is replaced.
    A claim whose run is gone without an outcome is first marked ``unconfirmed`` in the journal.
    """
    project, store = s.project, s.store
    offset = int(store.meta("journal_offset") or 0)
    records, end = read_journal(project, offset)
    records = [r for r in records if r.get("e") in ("claim", "done")]  # `changed` lines are for running claimers
    done = {(r["item"], r["attempt"]) for r in records if r.get("e") == "done"}
    open_claims = [(a[0], a[1], a[2]) for a in store.attempts(outcome="running")]
    open_claims += [(r["item"], r["attempt"], r["run"]) for r in records if r.get("e") == "claim"]
    stale = [
        {
            "e": "done",
            "run": run_id,
            "item": item_id,
            "attempt": attempt,
            "at": _stamp(),
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
    from calcli.operations.editing import Change, apply_change, open_calendar  # only when there is something to fold

    store = s.store
    ids = sorted({r["item"] for r in records})
    items = {i.id: i for i in store.items(ids=ids)}
    rows = {(a[0], a[1], a[2]): list(a) for a in store.attempts(ids)}
    changes: dict[str, Change] = {}
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
        row[4:9] = [at, r["outcome"], r.get("ref"), r.get("error"), r.get("code")]
        target = {"posted": ScheduleStatus.POSTED, "failed": ScheduleStatus.FAILED}.get(r["outcome"])
        if item is None or target is None:
            continue  # unconfirmed: the status waits for a person; a removed item keeps only its attempt
        if item.status == ScheduleStatus.FAILED and target == ScheduleStatus.POSTED:
            item = current[item.id] = _status(changes, item, ScheduleStatus.SCHEDULED, "retry", s.actor)
        if item.status == ScheduleStatus.SCHEDULED:
            current[item.id] = _status(changes, item, target, "dispatch", s.actor, r.get("ref"), r.get("error"))
    by_calendar: dict[str, Change] = {}
    for item_id, change in changes.items():
        merged = by_calendar.setdefault(current[item_id].calendar, Change())
        merged.changed.update(change.changed)
        merged.history.extend(change.history)
    for cal, change in sorted(by_calendar.items()):
        apply_change(store, s.project, open_calendar(store, s.project, cal), change, notify=False)
    store.upsert_attempts(
        [
            (
                row[0],
                items[row[0]].calendar if row[0] in items else None,
                items[row[0]].user_id if row[0] in items else "",
                *row[1:],
            )
            for row in rows.values()
        ]
    )


def _status(
    changes: dict[str, Change],
    item: ContentScheduleItem,
    status: ScheduleStatus,
    action: str,
    actor: str,
    ref: str | None = None,
    error: str | None = None,
) -> ContentScheduleItem:
    from calcli.operations.editing import Change, history_row

    new = dataclasses.replace(item, status=status, post_ref=ref or item.post_ref)
    change = changes.setdefault(item.id, Change())
    change.changed[item.id] = new
    change.history.append(history_row(item, f"dispatch:{actor}", action, "status", item.status.value, status.value))
    if ref:
        change.history.append(history_row(item, f"dispatch:{actor}", action, "post", item.post_ref, ref))
    if error:
        change.history.append(history_row(item, f"dispatch:{actor}", "error", None, None, error[-OUTPUT_TAIL:]))
    return new


# ---------------------------------------------------------------- due


@dataclass
class Due:
    item: ContentScheduleItem
    attempt: int  # the attempt this run would make (1 = first)
    retry: bool = False


def due_items(
    s: Session,
    within: timedelta,
    platform: str | None = None,
    all_users: bool = False,
    max_attempts: int = 3,
    backoff: timedelta = timedelta(minutes=5),
    held: list[tuple[ContentScheduleItem, str]] | None = None,
) -> list[Due]:
    """Items whose time has come (or comes within ``within``), oldest first.

    Scheduled items with no attempt in flight; failed ones again after a backoff
    that doubles each attempt, until ``max_attempts``. Items that must not go out
    although their file says so — inside a blackout, or already posted by an
    earlier attempt (a reverted calendar file) — are held, with the reason, in ``held``."""
    fold(s)
    now = current_time()
    limit = (now + within).astimezone(UTC).replace(tzinfo=None)
    ids = s.store.due_candidates(limit, None if all_users else s.user, platform)
    if not ids:
        return []
    from calcli.core.blackouts import blackout_hits

    items = {i.id: i for i in s.store.items(ids=ids)}
    history: dict[str, list[tuple]] = {}
    for a in s.store.attempts(ids):
        history.setdefault(a[0], []).append(a)
    out = []
    calendars: dict = {}
    for item_id in ids:
        item = items[item_id]
        tries = [a for a in history.get(item_id, []) if a[5] in ("posted", "failed", "unconfirmed")]
        n = len(tries)
        posted = [a for a in tries if a[5] == "posted"]
        if posted:
            if held is not None:
                held.append(
                    (
                        item,
                        f"already posted by dispatch at {posted[-1][4]:%Y-%m-%d %H:%M} UTC although its "
                        "calendar file says it is not (a reverted file?); settle it with `calcli item status`",
                    )
                )
            continue
        if item.calendar not in calendars:
            calendars[item.calendar] = s.store.calendar(item.calendar)
        cal = calendars[item.calendar]
        blackout = next(
            (e for e in (cal.exceptions if cal else []) if blackout_hits(e, item.platform, item.scheduled_at)), None
        )
        if blackout is not None:
            if held is not None:
                held.append(
                    (item, f"inside blackout {blackout.id}; move it (`calcli item move`) or remove the blackout")
                )
            continue
        if item.status == ScheduleStatus.FAILED:
            if n >= max_attempts:
                continue
            last = max((a[4] for a in tries if a[4] is not None), default=None)
            if last is not None and last.replace(tzinfo=UTC) + backoff * (2 ** max(n - 1, 0)) > now:
                continue
        out.append(Due(item, n + 1, retry=item.status == ScheduleStatus.FAILED))
    return out


# ---------------------------------------------------------------- dispatch


@dataclass
class Outcome:
    item: ContentScheduleItem
    attempt: int
    outcome: str  # posted | failed | unconfirmed | skipped
    ref: str | None = None
    error: str | None = None
    code: int | None = None


@dataclass
class DispatchReport:
    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    unconfirmed: list[ContentScheduleItem] = field(default_factory=list)  # waiting for a person, from any run
    held: list[tuple[ContentScheduleItem, str]] = field(default_factory=list)  # due by the file, not sent

    @property
    def trouble(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.outcome in ("failed", "unconfirmed")]


def unconfirmed_items(s: Session, all_users: bool = False) -> list[ContentScheduleItem]:
    """Items whose last dispatch attempt is unconfirmed: a person must say what happened."""
    ids = sorted({a[0] for a in s.store.attempts(outcome="unconfirmed")})
    items = s.store.items(ids=ids) if ids else []
    return [i for i in items if all_users or i.user_id == s.user]


def dispatch(
    project,
    command: str,
    within: timedelta,
    platform: str | None = None,
    user: str | None = None,
    max_attempts: int = 3,
    timeout: float = 300.0,
    backoff: timedelta = timedelta(minutes=5),
    limit: int | None = None,
) -> DispatchReport:
    """Run ``command`` once for each due item, recording each outcome durably."""
    run = Run(project)
    report = DispatchReport(run.id)
    try:
        with session(project, user) as s:
            due = due_items(s, within, platform, False, max_attempts, backoff, held=report.held)
            offset = int(s.store.meta("journal_offset") or 0)
            cal_zones = {}
            for d in due:
                cal = s.store.calendar(d.item.calendar)
                cal_zones[d.item.calendar] = cal.timezone if cal else "UTC"
        # Claims by other runs, and items changed since our due list was made (canceled, moved,
        # blacked out), are read from the journal as we go; either is skipped.
        taken: set[str] = set()
        wait = _lock_timeout(project.config.lock_timeout_seconds)
        for d in due[:limit] if limit else due:
            with project_lock(project.lock_path, wait):
                records, offset = read_journal(project, offset)
                taken |= {
                    r["item"]
                    for r in records
                    if r.get("e") == "changed" or (r.get("e") == "claim" and r["run"] != run.id)
                }
                if d.item.id in taken:
                    continue
                append_journal(
                    project, [{"e": "claim", "run": run.id, "item": d.item.id, "attempt": d.attempt, "at": _stamp()}]
                )
            result = publish(command, d, cal_zones[d.item.calendar], timeout)
            # The outcome must not be lost to a busy lock: it may wait much longer than a claim.
            with project_lock(project.lock_path, max(wait * 10, 120.0)):
                append_journal(
                    project,
                    [
                        {
                            "e": "done",
                            "run": run.id,
                            "item": d.item.id,
                            "attempt": d.attempt,
                            "at": _stamp(),
                            "outcome": result.outcome,
                            "ref": result.ref,
                            "error": result.error,
                            "code": result.code,
                        }
                    ],
                )
            report.outcomes.append(result)
        with session(project, user) as s:
            fold(s)
            report.unconfirmed = unconfirmed_items(s)
    finally:
        run.close()
    return report


def publish(command: str, due: Due, tzname: str, timeout: float) -> Outcome:
    """Run the user's publisher for one item: JSON on stdin, CALCLI_* in the environment."""
    item = due.item
    doc = {
        "id": item.id,
        "calendar": item.calendar,
        "user": item.user_id,
        "video_job_id": item.video_job_id,
        "platform": item.platform.value,
        "format": item.format,
        "scheduled_at": iso(item.scheduled_at),
        "timezone": tzname,
        "title": item.title,
        "caption": item.caption or item.title,
        "hashtags": list(item.hashtags),
        "attempt": due.attempt,
        "key": item.idempotency_key,
    }
    env = {
        **os.environ,
        "CALCLI_ITEM_ID": item.id,
        "CALCLI_PLATFORM": item.platform.value,
        "CALCLI_VIDEO_ID": item.video_job_id,
        "CALCLI_TITLE": item.title,
        "CALCLI_CAPTION": item.caption or item.title,
        "CALCLI_SCHEDULED_AT": iso(item.scheduled_at),
        "CALCLI_FORMAT": item.format,
        "CALCLI_CALENDAR": item.calendar,
        "CALCLI_ATTEMPT": str(due.attempt),
    }
    proc = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(json.dumps(doc).encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return Outcome(
            item,
            due.attempt,
            "unconfirmed",
            error=f"the publisher ran longer than {timeout:g} s and "
            "was killed; it may have posted: check, then confirm with `calcli item status ID "
            "posted|failed`",
        )
    except BrokenPipeError:
        out, err = b"", b""
        proc.wait()
    text_out = out.decode("utf-8", "replace").strip()
    text_err = err.decode("utf-8", "replace").strip()
    if proc.returncode == 0:
        ref = text_out.splitlines()[-1].strip() if text_out else None
        return Outcome(item, due.attempt, "posted", ref=ref[:500] if ref else None, code=0)
    return Outcome(
        item, due.attempt, "failed", error=(text_err or text_out)[-OUTPUT_TAIL:] or None, code=proc.returncode
    )
