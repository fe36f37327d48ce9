"""The store's interface: what the rest of calcli may ask of a store, whatever engine holds it.

A backend (``calcli.store.duckdb`` today) implements every method below; nothing outside
``calcli.store`` holds a connection or writes SQL. The interface is split by concept, each part
an abstract class, and :class:`Store` is all of them. Instants go in as aware datetimes (or naive
UTC) and come out aware; rows are tuples in the documented column order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from calcli.core.errors import UsageError
from calcli.core.model import ContentCalendar, ContentScheduleItem, OptimizationTrial, PostFilter


@dataclass
class ImportResult:
    """What one KPI file did: rows read, snapshots added and replaced, rows without a post, bad rows."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unlinked: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), the first ones
    rejected_count: int = 0


# The tables of every backend: those the files own (rebuilt from them) and those only the store owns.
FILE_OWNED = (
    "source_files",
    "content_calendars",
    "content_schedule_items",
    "schedule_exceptions",
    "schedule_assignments",
    "platform_timing_data",
    "user_scheduling_preferences",
)
STORE_OWNED = (
    "item_history",
    "performance_kpi_events",
    "kpi_latest",
    "optimization_trials",
    "trial_assignments",
    "dispatch_attempts",
    "store_meta",
)


class Transaction:
    """The open transaction of an ``atomic()`` block: ``discard()`` rolls it back at the block's end."""

    def __init__(self) -> None:
        self.discarded = False

    def discard(self) -> None:
        self.discarded = True


class Atomic:
    """``atomic()`` over a backend's connection ``self.con``, whose ``execute`` takes the transaction
    statements both engines read; each backend's Connection is one."""

    con: Any
    _depth: int = 0
    _tx: Transaction | None = None

    @contextmanager
    def atomic(self) -> Iterator[Transaction]:
        """One transaction; nested blocks join the outer one; ``discard()`` on it rolls back at its end."""
        if self._depth:
            self._depth += 1
            try:
                yield self._tx
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth, self._tx = 1, Transaction()
        try:
            yield self._tx
        except BaseException:
            self._depth = 0
            self.con.execute("ROLLBACK")
            raise
        self._depth = 0
        self.con.execute("ROLLBACK" if self._tx.discarded else "COMMIT")


class Transactions(Atomic, ABC):
    """Transactions, the schema, and raw reads (for tests and the store's own tools)."""

    @property
    @abstractmethod
    def can_release(self) -> bool:
        """Whether :meth:`released` may close the connection now (outside a transaction)."""

    @abstractmethod
    def released(self) -> AbstractContextManager[None]:
        """The connection closed for the block and opened again after it (for a fork)."""

    @abstractmethod
    def migrate(self, new: bool = False) -> None:
        """Apply the schema migrations the store has not had."""

    @abstractmethod
    def version(self) -> int:
        """The schema version the store has (0 when new)."""

    @abstractmethod
    def query(self, sql: str, params: list | tuple | dict | None = None) -> tuple[list[str], list[tuple]]:
        """Column names and rows of one statement in the engine's own SQL."""


class Mirror(ABC):
    """The tables the files own: which files are mirrored, calendars, items, preferences, timing."""

    @abstractmethod
    def file_states(self) -> dict[str, tuple[str, str, str, int, int]]:
        """path -> (kind, ref, sha256, mtime_ns, size) of every file mirrored."""

    @abstractmethod
    def set_file_state(self, path: str, kind: str, ref: str, sha: str, mtime_ns: int, size: int) -> None:
        """Remember a mirrored file's state."""

    @abstractmethod
    def forget_file(self, path: str) -> None:
        """Drop a file (and, for a calendar, its mirror) from the store."""

    @abstractmethod
    def clear_file_owned(self) -> None:
        """Empty every table the files own (a rebuild)."""

    @abstractmethod
    def replace_calendar(
        self, cal: ContentCalendar, items: list[ContentScheduleItem], lines: list | None = None, now=None
    ) -> None:
        """Mirror one calendar file: header, blackouts, items (file order), assignments."""

    @abstractmethod
    def replace_preferences(self, rows: list[tuple]) -> None:
        """The rows of user_scheduling_preferences, all of them."""

    @abstractmethod
    def replace_timing(self, rows: list[tuple]) -> None:
        """The rows of platform_timing_data, all of them."""

    @abstractmethod
    def calendar(self, calendar_id: str) -> ContentCalendar | None:
        """A calendar's header and blackouts (no items)."""

    @abstractmethod
    def calendar_summaries(self, user: str, all_users: bool) -> list[tuple]:
        """(id, user, title, timezone, start, end, status, items, posted) of the user's calendars."""


class Items(ABC):
    """Schedule items: filtered reads, and what the planner and dispatch ask of them."""

    @abstractmethod
    def items(self, **filters) -> list[ContentScheduleItem]:
        """Items matching every filter given, in time order (or file order with ``file_order``)."""

    @abstractmethod
    def calendar_items(self, calendar_id: str) -> list[ContentScheduleItem]:
        """The calendar's items in file order."""

    @abstractmethod
    def item_facts(self, calendar_id: str) -> list[tuple]:
        """What the planner needs of a calendar's items, without full items (see the backend)."""

    @abstractmethod
    def keys_elsewhere(self, calendar_id: str, keys: list[str], user: str) -> dict[str, str]:
        """Idempotency keys among ``keys`` that the user's other calendars hold -> their calendar."""

    @abstractmethod
    def user_items_outside(self, user_id: str, calendar_id: str, start: datetime, end: datetime) -> list:
        """The user's live items in other calendars in [start, end)."""

    @abstractmethod
    def due_candidates(self, limit_utc: datetime, user: str | None, platform: str | None) -> list[str]:
        """Ids of live items whose time has come, with no attempt in flight or unconfirmed."""


class History(ABC):
    """The audit trail of every item change (store-owned)."""

    @abstractmethod
    def add_history(self, rows: list[tuple]) -> None:
        """Rows of (at, item_id, calendar_id, user_id, actor, action, field, old, new)."""

    @abstractmethod
    def add_planned_history(self, calendar_id: str, ids: list[str] | None, actor: str, at: datetime) -> None:
        """A ``planned`` entry for each of the calendar's items ``ids`` (None: all of them)."""

    @abstractmethod
    def history_owner(self, item_id: str) -> str | None:
        """The user an item's history belongs to (the item may be gone)."""

    @abstractmethod
    def history(self, item_id: str) -> list[tuple]:
        """(changed_at aware UTC, actor, action, field, old, new), oldest first."""

    def change_counts(self, item_ids: list[str], fields: tuple[str, ...]) -> dict[str, int]:
        """How many history rows of each item changed one of ``fields`` (edited, moved, status…); a
        backend may answer in one query."""
        return {i: sum(1 for h in self.history(i) if h[3] in fields) for i in item_ids}


class Dispatch(ABC):
    """Dispatch attempts and the store's own small settings."""

    @abstractmethod
    def meta(self, key: str) -> str | None:
        """A value of store_meta."""

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Set a value of store_meta."""

    @abstractmethod
    def upsert_attempts(self, rows: list[tuple]) -> None:
        """Rows of dispatch_attempts; an (item, attempt, run) already there is replaced."""

    @abstractmethod
    def attempts(self, item_ids: list[str] | None = None, outcome: str | None = None) -> list[tuple]:
        """(item_id, attempt, run_id, claimed_at, finished_at, outcome, post_ref, error, exit_code)."""

    def open_claims(self) -> list[tuple]:
        """(item_id, attempt, run_id) of the running attempts this clone of the project made (a shared
        store also holds other hosts' runs, which only their host can judge alive or gone)."""
        return [(a[0], a[1], a[2]) for a in self.attempts(outcome="running")]

    def expire_claims(self) -> list[str]:
        """Mark unconfirmed the running claims other hosts made whose run is gone (a shared store only:
        a local store's claims are all this clone's, judged by its journal); the items marked."""
        return []

    def posted_elsewhere(self, item_ids: list[str]) -> dict[str, str]:
        """item -> the other clone of the project that posted it (a shared store only; else empty)."""
        return {}

    @abstractmethod
    def resolve_attempts(self, item_id: str, outcome: str) -> None:
        """A person confirmed what happened to an unconfirmed attempt."""


class Admin(ABC):
    """What ``calcli sql`` and ``calcli db info`` ask."""

    @abstractmethod
    def read_only_query(self, sql: str, user: str | None = None) -> tuple[list[str], list[tuple]]:
        """One statement that can neither write nor reach anything outside the store, over ``user``'s
        rows only (every user's when None); UsageError for anything else."""

    def table_counts(self) -> list[dict]:
        """Each table's row count and owner (files or store)."""
        rows = []
        for table in (*FILE_OWNED, *STORE_OWNED):
            n = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            rows.append({"table": table, "rows": n, "owner": "files" if table in FILE_OWNED else "store"})
        return rows

    def grant(self, role: str) -> bool:
        """Make ``role`` a calcli user of a shared store; True when the role was created."""
        raise UsageError(
            "calcli db grant needs a PostgreSQL store; this project's store is a DuckDB file.",
            'Point calcli.toml at the server first: store = "postgresql://HOST/DB".',
        )


class Kpi(ABC):
    """Performance numbers: imports and what analysis reads of them."""

    @abstractmethod
    def kpi_columns(self, path: str, kind: str) -> list[str]:
        """The column names of an export file (csv, json or ndjson)."""

    @abstractmethod
    def import_kpi_file(self, path: str, kind: str, mapping: dict, user: str, source: str, **options) -> ImportResult:
        """Import one export file's snapshots (see the backend for the options)."""

    @abstractmethod
    def posts(self, f: PostFilter, tz: str) -> PostSet:
        """One row per post with its latest numbers, for analysis (see :class:`PostSet`)."""

    @abstractmethod
    def metric_values(self, f: PostFilter, tz: str, metric: str) -> list[tuple[str, datetime, float | None]]:
        """(item id, local time, value of the metric or None) of each post with numbers."""

    @abstractmethod
    def unlinked_events(self, user: str) -> int:
        """KPI events of the user that name no schedule item."""

    @abstractmethod
    def week_counts(self, user: str, calendar: str | None, tz: str, first: date) -> list[tuple]:
        """(platform, Monday, posted, pending) per ISO week from ``first`` on, canceled items left out."""


class PostSet(ABC):
    """The posts of one analysis (see the backend for the figures' columns)."""

    @abstractmethod
    def totals(self) -> dict:
        """posts, posts_with_rate, snapshots, first and last local time."""

    @abstractmethod
    def groups(self, keys: list[str]) -> list[dict]:
        """The group figures per value of ``keys`` (platform, format, weekday, hour)."""

    @abstractmethod
    def residuals(self, metric: str) -> tuple[list[tuple], list[tuple]]:
        """Per platform (platform, posts, sum of squares, formats), and per slot (platform, weekday,
        hour, posts, mean residual, engagements, exposure) of the metric on the log scale."""

    @abstractmethod
    def slot_lifts(self) -> list[tuple]:
        """(weekday, hour, mean residual) over every platform (after :meth:`residuals`)."""

    @abstractmethod
    def videos(self) -> tuple[list[tuple], list[tuple], list[tuple], int]:
        """The same video across platforms: pairs, best platform counts, examples, videos compared."""


class Trials(ABC):
    """A/B trials and their assignments (store-owned)."""

    @abstractmethod
    def trials(self, user: str, status: str | None = None, ref: str | None = None) -> list[OptimizationTrial]:
        """The user's trials, oldest first (by status; or the one whose id or name is ``ref``)."""

    @abstractmethod
    def trial(self, trial_id: str) -> OptimizationTrial | None:
        """The trial with this id, whoever's it is."""

    @abstractmethod
    def trial_taken(self, trial_id: str, user: str, name: str) -> bool:
        """Whether a trial has this id, or the user has a trial of this name."""

    @abstractmethod
    def add_trial(self, t: OptimizationTrial, arms: dict[str, str], method: str | dict[str, str]) -> None:
        """Record a new trial and its units' arms (``method``: one for all, or unit -> method)."""

    @abstractmethod
    def add_trial_assignments(self, t: OptimizationTrial, arms: dict[str, str], method: str, at=None) -> None:
        """Record more units' arms."""

    @abstractmethod
    def trial_assignments(self, trial_id: str) -> dict[str, str]:
        """unit -> arm, as recorded."""

    @abstractmethod
    def trial_methods(self, trial_id: str) -> dict[str, str]:
        """unit -> how its arm was given (``blocked:<block>``, ``random``, ``hash``…), as recorded."""

    @abstractmethod
    def conclude_trial(self, trial_id: str, decision: str, note: str | None, at: datetime) -> None:
        """Record a trial's decision."""


class Store(Transactions, Mirror, Items, History, Dispatch, Admin, Kpi, Trials, ABC):
    """Everything calcli asks of a store; ``calcli.store.open_store`` gives the project's."""
