"""Connection, locking, migrations and the store's read/write methods."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import re
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path

from calcli.core.errors import BusyError, CalcliError, InvalidInput, UsageError
from calcli.core.model import (
    ContentCalendar,
    ContentScheduleItem,
    Platform,
    ScheduleException,
    ScheduleStatus,
)
from calcli.core.times import utc_stamp
from calcli.store.duckdb.schema import FILE_OWNED, LATEST, MIGRATIONS, STORE_OWNED

READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}


def _lock_timeout(default: float) -> float:
    env = os.environ.get("CALCLI_LOCK_TIMEOUT")
    return float(env) if env else default


@contextmanager
def project_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``; BusyError after ``timeout`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = _time.monotonic() + timeout
    delay = 0.01
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if _time.monotonic() >= deadline:
                    raise BusyError(
                        f"another calcli holds the project (lock {path}) for more than {timeout:g} s; "
                        "nothing was written.",
                        "Try again when it has finished.",
                    ) from None
                _time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.25)
        yield
    finally:
        os.close(fd)


def _connect(path: Path, read_only: bool, timeout: float):
    import duckdb

    deadline = _time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # No progress bar: DuckDB draws one on stdout for a long statement (a big KPI import),
            # where it would corrupt the command's output.
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise CalcliError(f"cannot open the store {path}: {exc}") from None
            if _time.monotonic() >= deadline:
                raise BusyError(
                    f"the store {path} is held by another program for more than {timeout:g} s; nothing was written.",
                    "Close the other program (a duckdb shell?) and try again.",
                ) from None
            _time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


@contextmanager
def open_store(project, read_only: bool = False) -> Iterator[Store]:
    """The project's store, locked, migrated, and closed at the end of the block."""
    timeout = _lock_timeout(project.config.lock_timeout_seconds)
    path = project.store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with project_lock(project.lock_path, timeout):
        new = not path.exists()  # DuckDB makes an empty database (and drops a stray .wal without its file)
        if read_only and new:
            read_only = False
        store = Store(_connect(path, read_only, timeout), path, timeout, read_only)
        try:
            if not read_only:
                store.migrate(new=new)
            yield store
        finally:
            store.con.close()


def _utc_param(dt: datetime | None) -> datetime | None:
    """A time filter's value as the store keeps instants: naive UTC (a naive input is taken as UTC)."""
    if dt is None or dt.tzinfo is None:
        return dt
    return _utc_naive(dt)


def _utc_naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


class Store:
    """calcli's queries over one DuckDB connection."""

    def __init__(self, con, path: Path | None = None, timeout: float = 0.0, read_only: bool = False):
        self.con = con
        self.path, self.timeout, self.read_only = path, timeout, read_only  # to connect again after `released`
        self._depth = 0

    # ------------------------------------------------------------ plumbing
    def query(self, sql: str, params: list | tuple | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.con.execute("ROLLBACK")
            raise
        self._depth = 0
        self.con.execute("COMMIT")

    @property
    def can_release(self) -> bool:
        """Whether :meth:`released` may close the connection now (outside a transaction)."""
        return not self._depth and self.path is not None

    @contextmanager
    def released(self) -> Iterator[None]:
        """The connection closed for the block and opened again after it (the project lock stays
        held). For a fork: a DuckDB connection keeps threads (its scheduler's and its allocator's)
        and a process with threads must not fork; closing the connection ends them."""
        if not self.can_release:
            raise RuntimeError("the store can be released only outside a transaction, when opened by open_store")
        self.con.close()
        try:
            yield
        finally:
            self.con = _connect(self.path, self.read_only, self.timeout)

    def append(self, table: str, rows: list[tuple]) -> None:
        """Bulk insert through DuckDB's appender (never row by row)."""
        if rows:
            with self.con.appender(table) as ap:
                ap.append_rows(rows)

    def version(self) -> int:
        try:
            row = self.con.execute("SELECT max(version) FROM schema_meta").fetchone()
        except Exception:  # noqa: BLE001 - table missing on a new file
            return 0
        return row[0] or 0

    def migrate(self, new: bool = False) -> None:
        """Apply the migrations the store has not had, each in its own transaction.

        ``new``: the database was just made (empty), so every migration runs in one transaction and
        their versions are recorded in one INSERT. (On an empty database, asking for the version costs
        DuckDB ~6 ms, and seven transactions cost more than one: 0.046 -> 0.022 s.)
        """
        import duckdb

        current = 0 if new else self.version()
        if current > LATEST:
            raise CalcliError(
                f"the store has schema version {current}, newer than this calcli ({LATEST}).",
                "Upgrade calcli, or run `calcli db rebuild`.",
            )
        pending = [(version, sql) for version, sql in MIGRATIONS if version > current]
        for group in [pending] if new else [[step] for step in pending]:
            with self.atomic():
                for _, sql in group:
                    self.con.execute(sql)
                self.con.execute(
                    "INSERT INTO schema_meta VALUES " + ", ".join(f"({v}, $duckdb, $at)" for v, _ in group),
                    {"duckdb": duckdb.__version__, "at": utc_stamp()},
                )

    # ------------------------------------------------------------ calendar files
    def file_states(self) -> dict[str, tuple[str, str, str, int, int]]:
        """path → (kind, ref, sha256, mtime_ns, size) of every file mirrored in the store."""
        rows = self.con.execute("SELECT path, kind, ref, sha256, mtime_ns, size FROM source_files").fetchall()
        return {r[0]: tuple(r[1:]) for r in rows}

    def set_file_state(self, path: str, kind: str, ref: str, sha: str, mtime_ns: int, size: int) -> None:
        self.con.execute("DELETE FROM source_files WHERE path = ?", [path])
        self.con.execute(
            "INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [path, kind, ref, sha, mtime_ns, size, utc_stamp()],
        )

    def forget_file(self, path: str) -> None:
        row = self.con.execute("SELECT kind, ref FROM source_files WHERE path = ?", [path]).fetchone()
        if row and row[0] == "calendar":
            self.delete_calendar(row[1])
        self.con.execute("DELETE FROM source_files WHERE path = ?", [path])

    def delete_calendar(self, calendar_id: str) -> None:
        for table, col in (
            ("content_schedule_items", "calendar_id"),
            ("schedule_exceptions", "calendar_id"),
            ("schedule_assignments", "calendar_id"),
            ("content_calendars", "id"),
        ):
            self.con.execute(f"DELETE FROM {table} WHERE {col} = ?", [calendar_id])

    # ------------------------------------------------------------ calendars and items
    def replace_calendar(
        self,
        cal: ContentCalendar,
        items: list[ContentScheduleItem],
        lines: list[int | None] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Mirror one calendar file: header, exceptions, items (in file order), assignments.

        Items' ``created_at``/``updated_at`` come from their history, joined in SQL (a calendar
        of 30,000 items need not bring its history into Python)."""
        self.delete_calendar(cal.name)
        now = now or utc_stamp()
        created, _ = self.con.execute(
            "SELECT min(changed_at), max(changed_at) FROM item_history WHERE calendar_id = ?", [cal.name]
        ).fetchone()
        self.con.execute(
            "INSERT INTO content_calendars VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                cal.name,
                cal.user_id,
                cal.title,
                cal.timezone,
                cal.period_start,
                cal.period_end,
                [p.value for p in cal.platforms],
                cal.status,
                cal.path,
                created or now,
                now,
            ],
        )
        self.append("schedule_exceptions", [_exception_row(cal, e) for e in cal.exceptions])
        tzname = cal.timezone
        if lines:
            rows = [_item_row(item, tzname, order, lines[order], now, now) for order, item in enumerate(items)]
        else:
            rows = [_item_row(item, tzname, order, item.line, now, now) for order, item in enumerate(items)]
        self.append("content_schedule_items", rows)
        if created is not None:  # the calendar has history: its items' stamps come from it
            self.con.execute(
                "UPDATE content_schedule_items i SET created_at = h.c, updated_at = h.u "
                "FROM (SELECT item_id, min(changed_at) AS c, max(changed_at) AS u FROM item_history "
                "WHERE calendar_id = $cal GROUP BY item_id) h WHERE i.calendar_id = $cal AND i.id = h.item_id",
                {"cal": cal.name},
            )
        self.append(
            "schedule_assignments", [(i.id, cal.name, i.user_id, i.assignee, None) for i in items if i.assignee]
        )

    def _stamps(self, calendar_id: str) -> dict[str, tuple[datetime, datetime]]:
        rows = self.con.execute(
            "SELECT item_id, min(changed_at), max(changed_at) FROM item_history WHERE calendar_id = ? GROUP BY item_id",
            [calendar_id],
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def calendar(self, calendar_id: str) -> ContentCalendar | None:
        row = self.con.execute(
            "SELECT id, user_id, title, timezone, period_start, period_end, platforms, status, path "
            "FROM content_calendars WHERE id = ?",
            [calendar_id],
        ).fetchone()
        if row is None:
            return None
        cal = ContentCalendar(
            name=row[0],
            user_id=row[1],
            title=row[2] or "",
            timezone=row[3],
            period_start=row[4],
            period_end=row[5],
            platforms=[Platform(p) for p in row[6] or []],
            status=row[7],
            path=row[8],
        )
        for r in self.con.execute(
            "SELECT id, kind, start_local, end_local, all_day, platforms, yearly, reason, item_id "
            "FROM schedule_exceptions WHERE calendar_id = ? ORDER BY id",
            [calendar_id],
        ).fetchall():
            start, end = r[2], r[3]
            if r[4]:
                start, end = start.date(), end.date()
            cal.exceptions.append(
                ScheduleException(
                    id=r[0],
                    kind=r[1],
                    start=start,
                    end=end,
                    platforms=tuple(Platform(p) for p in r[5] or []),
                    yearly=r[6],
                    reason=r[7] or "",
                    item_id=r[8],
                )
            )
        return cal

    ITEM_COLUMNS = (
        "id, idempotency_key, calendar_id, user_id, video_job_id, platform, format, "
        "scheduled_utc, timezone, status, bulk_job_id, score, title, assignee, notes, "
        "src_line, created_at, updated_at, post_ref, caption, hashtags"
    )

    def items(
        self,
        *,
        ids: list[str] | None = None,
        user: str | None = None,
        calendar: str | None = None,
        exclude_calendar: str | None = None,
        statuses: tuple[str, ...] | None = None,
        exclude_statuses: tuple[str, ...] = (),
        exclude_id: str | None = None,
        video: str | None = None,
        assignee: str | None = None,
        assigned: bool = False,
        utc_from: datetime | None = None,
        utc_before: datetime | None = None,
        utc_through: datetime | None = None,
        local_before: datetime | None = None,
        file_order: bool = False,
    ) -> list[ContentScheduleItem]:
        """Items matching every filter given; time filters take aware datetimes (or naive UTC).
        In time order, or in the calendar file's order with ``file_order``."""
        where, params = ["TRUE"], []
        for column, op, value in (
            ("user_id", "=", user),
            ("calendar_id", "=", calendar),
            ("calendar_id", "<>", exclude_calendar),
            ("id", "<>", exclude_id),
            ("video_job_id", "=", video),
            ("assignee", "=", assignee),
            ("scheduled_utc", ">=", _utc_param(utc_from)),
            ("scheduled_utc", "<", _utc_param(utc_before)),
            ("scheduled_utc", "<=", _utc_param(utc_through)),
            ("scheduled_local", "<", local_before),
        ):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        if ids is not None:
            where.append("id IN (SELECT unnest(?))")
            params.append(list(ids))
        if statuses is not None:
            where.append("status IN (SELECT unnest(?))")
            params.append(list(statuses))
        if exclude_statuses:
            where.append("status NOT IN (SELECT unnest(?))")
            params.append(list(exclude_statuses))
        if assigned:
            where.append("assignee IS NOT NULL")
        order = "src_order" if file_order else "scheduled_utc, platform, id"
        return self._items(" AND ".join(where), params, order)

    def _items(self, where: str, params: list, order: str) -> list[ContentScheduleItem]:
        from calcli.core.times import zone

        rows = self.con.execute(
            f"SELECT {self.ITEM_COLUMNS} FROM content_schedule_items WHERE {where} ORDER BY {order}", params or []
        ).fetchall()
        platforms = {p.value: p for p in Platform}
        statuses = {s.value: s for s in ScheduleStatus}
        out = []
        for r in rows:
            tz = zone(r[8])
            out.append(
                ContentScheduleItem(
                    id=r[0],
                    idempotency_key=r[1],
                    calendar=r[2],
                    user_id=r[3],
                    video_job_id=r[4],
                    platform=platforms[r[5]],
                    format=r[6] or "",
                    scheduled_at=r[7].replace(tzinfo=UTC).astimezone(tz),
                    status=statuses[r[9]],
                    bulk_job_id=r[10],
                    score=r[11],
                    title=r[12] or "",
                    assignee=r[13],
                    notes=r[14] or "",
                    line=r[15],
                    created_at=r[16].replace(tzinfo=UTC) if r[16] else None,
                    updated_at=r[17].replace(tzinfo=UTC) if r[17] else None,
                    post_ref=r[18],
                    caption=r[19] or "",
                    hashtags=list(r[20] or []),
                )
            )
        return out

    def calendar_items(self, calendar_id: str) -> list[ContentScheduleItem]:
        """The calendar's items in file order."""
        return self.items(calendar=calendar_id, file_order=True)

    def item_facts(self, calendar_id: str) -> list[tuple]:
        """(idempotency_key, calendar_id, video_job_id, bulk_job_id, platform, format, status,
        scheduled_utc as epoch microseconds, timezone) of the calendar's items, in file order: what
        the planner needs of the items already there, without building full items."""
        return self.con.execute(
            "SELECT idempotency_key, calendar_id, video_job_id, bulk_job_id, platform, format, status, "
            "epoch_us(scheduled_utc), timezone FROM content_schedule_items WHERE calendar_id = ? ORDER BY src_order",
            [calendar_id],
        ).fetchall()

    def keys_elsewhere(self, calendar_id: str, keys: list[str], user: str) -> dict[str, str]:
        """Idempotency keys among ``keys`` already used by the user's other calendars → their calendar."""
        if not keys:
            return {}
        other = self.con.execute(
            "SELECT 1 FROM content_schedule_items WHERE calendar_id <> ? AND user_id = ? LIMIT 1", [calendar_id, user]
        ).fetchone()
        if other is None:  # no other calendar of the user's has items: no need to send the keys to DuckDB
            return {}
        rows = self.con.execute(
            "SELECT idempotency_key, calendar_id FROM content_schedule_items "
            "WHERE calendar_id <> ? AND user_id = ? AND idempotency_key IN (SELECT unnest(?))",
            [calendar_id, user, keys],
        ).fetchall()
        return dict(rows)

    def user_items_outside(
        self, user_id: str, calendar_id: str, start: datetime, end: datetime
    ) -> list[ContentScheduleItem]:
        """The user's live items in other calendars in [start, end): they count against caps too."""
        return self.items(
            user=user_id, exclude_calendar=calendar_id, exclude_statuses=("canceled",), utc_from=start, utc_before=end
        )

    def add_history(self, rows: list[tuple]) -> None:
        """Rows of (at, item_id, calendar_id, user_id, actor, action, field, old, new)."""
        self.append("item_history", rows)

    def add_planned_history(self, calendar_id: str, ids: list[str] | None, actor: str, at: datetime) -> None:
        """A ``planned`` audit entry for each of the calendar's items ``ids`` (None: all of them),
        made from their rows here: "PLATFORM LOCAL-TIME-WITH-OFFSET score SCORE", as Python writes
        ``f"{platform} {scheduled_at.isoformat()} score {score}"`` (a test holds the two equal)."""
        where = "calendar_id = $cal" + ("" if ids is None else " AND id IN (SELECT unnest($ids))")
        params = {"cal": calendar_id, "at": at, "actor": actor} | ({} if ids is None else {"ids": ids})
        self.con.execute(
            "INSERT INTO item_history SELECT $at, id, calendar_id, user_id, $actor, 'planned', NULL, NULL, "
            f"platform || ' ' || {_ISO_LOCAL} || ' score ' || coalesce(CAST(score AS VARCHAR), 'None') "
            f"FROM content_schedule_items WHERE {where} ORDER BY src_order",
            params,
        )

    def history_owner(self, item_id: str) -> str | None:
        row = self.con.execute("SELECT any_value(user_id) FROM item_history WHERE item_id = ?", [item_id]).fetchone()
        return row[0] if row else None

    def history(self, item_id: str) -> list[tuple]:
        """(changed_at as an aware UTC datetime, actor, action, field, old, new), oldest first."""
        rows = self.con.execute(
            "SELECT changed_at, actor, action, field, old_value, new_value FROM item_history "
            "WHERE item_id = ? ORDER BY changed_at, rowid",
            [item_id],
        ).fetchall()
        return [(r[0].replace(tzinfo=UTC), *r[1:]) for r in rows]

    # ------------------------------------------------------------ preferences and timing
    def replace_preferences(self, rows: list[tuple]) -> None:
        self.con.execute("DELETE FROM user_scheduling_preferences")
        self.append("user_scheduling_preferences", rows)

    def replace_timing(self, rows: list[tuple]) -> None:
        self.con.execute("DELETE FROM platform_timing_data")
        self.append("platform_timing_data", rows)

    def read_only_query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Run one read-only statement; anything that could write is refused (UsageError)."""
        import duckdb

        try:
            types = [str(st.type).rsplit(".", 1)[-1].upper() for st in self.con.extract_statements(sql)]
        except duckdb.Error as exc:
            raise InvalidInput(f"SQL: {str(exc).splitlines()[0]}") from None
        if len(types) != 1:
            raise UsageError(f"expected one SQL statement, found {len(types)}.")
        analyze = re.match(r"\s*explain\s+analy[sz]e\s+(.*)", sql, re.I | re.S)
        if analyze:  # EXPLAIN ANALYZE runs its statement: judge that statement
            types = [str(st.type).rsplit(".", 1)[-1].upper() for st in self.con.extract_statements(analyze[1])]
        if types[0] not in READ_ONLY_TYPES:
            raise UsageError(
                f"calcli sql runs read-only queries; a {types[0]} statement is refused.",
                "Use SELECT, WITH … SELECT, DESCRIBE or EXPLAIN.",
            )
        try:
            return self.query(sql)
        except duckdb.Error as exc:
            raise InvalidInput(f"SQL: {str(exc).splitlines()[0]}") from None

    def table_counts(self) -> list[dict]:
        rows = []
        for table in (*FILE_OWNED, *STORE_OWNED):
            n = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            rows.append({"table": table, "rows": n, "owner": "files" if table in FILE_OWNED else "store"})
        return rows

    # ------------------------------------------------------------ calendars overview
    def calendar_summaries(self, user: str, all_users: bool) -> list[tuple]:
        return self.con.execute(
            "SELECT c.id, c.user_id, c.title, c.timezone, c.period_start, c.period_end, c.status, "
            "count(i.id) AS items, count(i.id) FILTER (WHERE i.status = 'posted') AS posted "
            "FROM content_calendars c LEFT JOIN content_schedule_items i ON i.calendar_id = c.id "
            "WHERE ? OR c.user_id = ? GROUP BY ALL ORDER BY c.id",
            [all_users, user],
        ).fetchall()

    # ------------------------------------------------------------ dispatch
    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("DELETE FROM store_meta WHERE key = ?", [key])
        self.con.execute("INSERT INTO store_meta VALUES (?, ?)", [key, value])

    def upsert_attempts(self, rows: list[tuple]) -> None:
        """Rows of dispatch_attempts; an (item, attempt, run) already there is replaced."""
        if not rows:
            return
        self.con.execute("CREATE TEMP TABLE IF NOT EXISTS _attempts AS SELECT * FROM dispatch_attempts LIMIT 0")
        self.con.execute("DELETE FROM _attempts")
        self.append("_attempts", rows)
        self.con.execute(
            "DELETE FROM dispatch_attempts d USING _attempts t "
            "WHERE d.item_id = t.item_id AND d.attempt = t.attempt AND d.run_id = t.run_id"
        )
        self.con.execute("INSERT INTO dispatch_attempts SELECT * FROM _attempts")

    def attempts(self, item_ids: list[str] | None = None, outcome: str | None = None) -> list[tuple]:
        """(item_id, attempt, run_id, claimed_at, finished_at, outcome, post_ref, error, exit_code)."""
        where, params = ["TRUE"], []
        if item_ids is not None:
            where.append("item_id IN (SELECT unnest(?))")
            params.append(item_ids)
        if outcome is not None:
            where.append("outcome = ?")
            params.append(outcome)
        return self.con.execute(
            "SELECT item_id, attempt, run_id, claimed_at, finished_at, outcome, post_ref, error, exit_code "
            f"FROM dispatch_attempts WHERE {' AND '.join(where)} ORDER BY item_id, attempt",
            params,
        ).fetchall()

    def resolve_attempts(self, item_id: str, outcome: str) -> None:
        """A person confirmed what happened to an unconfirmed attempt."""
        self.con.execute(
            "UPDATE dispatch_attempts SET outcome = ? WHERE item_id = ? AND outcome = 'unconfirmed'", [outcome, item_id]
        )

    def due_candidates(self, limit_utc: datetime, user: str | None, platform: str | None) -> list[str]:
        """Ids of live items whose time has come (scheduled or failed), with no attempt in flight
        or unconfirmed; the caller applies the retry rules to failed ones."""
        where = [
            "i.status IN ('scheduled', 'failed')",
            "i.scheduled_utc <= ?",
            "NOT EXISTS (SELECT 1 FROM dispatch_attempts d WHERE d.item_id = i.id "
            "AND d.outcome IN ('running', 'unconfirmed'))",
        ]
        params: list = [limit_utc]
        if user is not None:
            where.append("i.user_id = ?")
            params.append(user)
        if platform is not None:
            where.append("i.platform = ?")
            params.append(platform)
        rows = self.con.execute(
            f"SELECT i.id FROM content_schedule_items i WHERE {' AND '.join(where)} "
            "ORDER BY i.scheduled_utc, i.platform, i.id",
            params,
        ).fetchall()
        return [r[0] for r in rows]

    def clear_file_owned(self) -> None:
        for table in FILE_OWNED:
            self.con.execute(f"DELETE FROM {table}")


# An item's local time with its UTC offset, as datetime.isoformat() writes it (whole minutes).
_ISO_LOCAL = (
    "strftime(scheduled_local, '%Y-%m-%dT%H:%M:%S') || CASE WHEN utc_offset_minutes < 0 THEN '-' ELSE '+' END "
    "|| lpad(CAST(abs(utc_offset_minutes) // 60 AS VARCHAR), 2, '0') || ':' "
    "|| lpad(CAST(abs(utc_offset_minutes) % 60 AS VARCHAR), 2, '0')"
)


def _item_row(
    item: ContentScheduleItem, tzname: str, order: int, line: int | None, created: datetime, updated: datetime
) -> tuple:
    at = item.scheduled_at
    offset = at.utcoffset()
    local = at.replace(tzinfo=None)
    return (
        item.id,
        item.idempotency_key,
        item.calendar,
        item.user_id,
        item.bulk_job_id,
        item.video_job_id,
        item.platform._value_,  # hot path: .value is a slow property in 3.11
        item.format,
        local - offset if offset is not None else local,  # the instant as naive UTC
        local,
        (offset.days * 86400 + offset.seconds) // 60 if offset is not None else 0,
        tzname,
        item.status._value_,
        item.score,
        item.title,
        item.assignee,
        item.notes,
        order,
        line,
        created,
        updated,
        item.post_ref,
        item.caption or None,
        list(item.hashtags) or None,
    )


def _exception_row(cal: ContentCalendar, e: ScheduleException) -> tuple:
    all_day = not isinstance(e.start, datetime)
    start = datetime.combine(e.start, time(0)) if all_day else e.start
    end = datetime.combine(e.end, time(0)) if all_day else e.end
    return (
        e.id,
        cal.name,
        cal.user_id,
        e.kind,
        start,
        end,
        all_day,
        [p.value for p in e.platforms],
        e.yearly,
        e.reason,
        e.item_id,
    )
