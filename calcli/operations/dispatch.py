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

import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from calcli.core.model import ContentScheduleItem, ScheduleStatus
from calcli.operations.acting import Session
from calcli.operations.fold import fold
from calcli.operations.journal import OUTPUT_TAIL, Run, append_journal, read_journal, stamp
from calcli.operations.lateness import posting_holds
from calcli.operations.session import session

if TYPE_CHECKING:
    pass
from calcli import store as stores
from calcli.core.blackouts import blackout_hits
from calcli.core.times import iso
from calcli.core.times import now as current_time
from calcli.store.lock import lock_timeout, project_lock

# ---------------------------------------------------------------- folding the journal


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
    earlier attempt (a reverted calendar file), more than ``max_late`` late, or where posting now would
    break a cap or the spacing (:mod:`calcli.operations.lateness`) — are held, with the reason, in ``held``."""
    fold(s)
    now = current_time()
    limit = (now + within).astimezone(UTC).replace(tzinfo=None)
    ids = s.store.due_candidates(limit, None if all_users else s.user, platform)
    if not ids:
        return []

    items = {i.id: i for i in s.store.items(ids=ids)}
    history: dict[str, list[tuple]] = {}
    for a in s.store.attempts(ids):
        history.setdefault(a[0], []).append(a)
    out = []
    calendars: dict = {}
    elsewhere = s.store.posted_elsewhere(ids)
    for item_id in ids:
        item = items[item_id]
        tries = [a for a in history.get(item_id, []) if a[5] in ("posted", "failed", "unconfirmed")]
        if item.calendar not in calendars:
            calendars[item.calendar] = s.store.calendar(item.calendar)
        why = _held(item, tries, calendars[item.calendar], elsewhere.get(item_id))
        if why is not None:
            if held is not None:
                held.append((item, why))
            continue
        if item.status == ScheduleStatus.FAILED and not _retry_now(tries, now, max_attempts, backoff):
            continue
        out.append(Due(item, len(tries) + 1, retry=item.status == ScheduleStatus.FAILED))
    holds = posting_holds(s, out, now) if out else {}
    if held is not None:
        held += [(d.item, holds[d.item.id]) for d in out if d.item.id in holds]
    return [d for d in out if d.item.id not in holds]


def _held(item: ContentScheduleItem, tries: list[tuple], cal, elsewhere: str | None = None) -> str | None:
    """Why an item whose file says it is due must not go out, or None: posted already (here, or by
    another clone of the project sharing the store: this clone's file waits for its change), or
    blacked out."""
    posted = [a for a in tries if a[5] == "posted"]
    if posted and elsewhere:
        return f"posted by another clone of the project ({elsewhere}); pull its calendar change (git pull)"
    if posted:
        return (
            f"already posted by dispatch at {posted[-1][4]:%Y-%m-%d %H:%M} UTC although its "
            "calendar file says it is not (a reverted file?); settle it with `calcli item status`"
        )
    blackout = next(
        (e for e in (cal.exceptions if cal else []) if blackout_hits(e, item.platform, item.scheduled_at)), None
    )
    if blackout is not None:
        return f"inside blackout {blackout.id}; move it (`calcli item move`) or remove the blackout"
    return None


def _retry_now(tries: list[tuple], now: datetime, max_attempts: int, backoff: timedelta) -> bool:
    """Whether a failed item is retried now: attempts left, and its backoff (doubling each attempt) over."""
    n = len(tries)
    if n >= max_attempts:
        return False
    last = max((a[4] for a in tries if a[4] is not None), default=None)
    return last is None or last.replace(tzinfo=UTC) + backoff * (2 ** max(n - 1, 0)) <= now


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
        claims = Claims(project, run.id, offset)
        try:
            for d in due[:limit] if limit else due:
                if not claims.claim(d):
                    continue
                result = publish(command, d, cal_zones[d.item.calendar], timeout)
                claims.settle(d, result)
                report.outcomes.append(result)
        finally:
            claims.close()
        with session(project, user) as s:
            fold(s)
            report.unconfirmed = unconfirmed_items(s)
    finally:
        run.close()
    return report


class Claims:
    """One run's claims in the journal: taken under the project lock, each outcome appended at once.
    With a shared store (PostgreSQL) a claim is also a row there, taken first: other hosts see it."""

    def __init__(self, project, run_id: str, offset: int):
        self.project, self.run_id, self.offset = project, run_id, offset
        self.taken: set[str] = set()
        self.wait = lock_timeout(project.config.lock_timeout_seconds)
        self.shared = stores.claimer(project)

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()

    def claim(self, d: Due) -> bool:
        """Claim ``d`` for this run; False when another run claimed it or anything changed it since."""
        with project_lock(self.project.lock_path, self.wait):
            records, self.offset = read_journal(self.project, self.offset)
            self.taken |= {
                r["item"]
                for r in records
                if r.get("e") == "changed" or (r.get("e") == "claim" and r["run"] != self.run_id)
            }
            if d.item.id in self.taken:
                return False
            if self.shared is not None and not self.shared.claim(d.item.id, d.attempt, self.run_id):
                return False
            append_journal(
                self.project,
                [{"e": "claim", "run": self.run_id, "item": d.item.id, "attempt": d.attempt, "at": stamp()}],
            )
        return True

    def settle(self, d: Due, result: Outcome) -> None:
        """Append the outcome; it must not be lost to a busy lock, so it may wait much longer than a claim."""
        record = {"e": "done", "run": self.run_id, "item": d.item.id, "attempt": d.attempt, "at": stamp()}
        record |= {"outcome": result.outcome, "ref": result.ref, "error": result.error, "code": result.code}
        with project_lock(self.project.lock_path, max(self.wait * 10, 120.0)):
            append_journal(self.project, [record])
        if self.shared is not None:  # after the journal: this clone's files learn of it first
            self.shared.settle(d.item.id, d.attempt, self.run_id, result.outcome, result.ref, result.error, result.code)


def publisher_input(due: Due, tzname: str) -> tuple[dict, dict]:
    """The item as the publisher gets it: a JSON document on stdin, and CALCLI_* in its environment."""
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
    return doc, env


def publish(command: str, due: Due, tzname: str, timeout: float) -> Outcome:
    """Run the user's publisher for one item: JSON on stdin, CALCLI_* in the environment."""
    item = due.item
    doc, env = publisher_input(due, tzname)
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
