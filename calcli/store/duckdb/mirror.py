"""The tables the files own, in DuckDB: which files are mirrored, calendars with their blackouts,
preferences and timing data."""

from __future__ import annotations

from datetime import datetime

from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform
from calcli.core.times import utc_stamp
from calcli.store.base import FILE_OWNED
from calcli.store.duckdb.rows import exception_from_row, exception_row, item_row


class Mirror:
    """The file-owned tables (``calcli db rebuild`` makes them anew from the files)."""

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

    def clear_file_owned(self) -> None:
        for table in FILE_OWNED:
            self.con.execute(f"DELETE FROM {table}")

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
        self.append("schedule_exceptions", [exception_row(cal, e) for e in cal.exceptions])
        tzname = cal.timezone
        if lines:
            rows = [item_row(item, tzname, order, lines[order], now, now) for order, item in enumerate(items)]
        else:
            rows = [item_row(item, tzname, order, item.line, now, now) for order, item in enumerate(items)]
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

    def replace_preferences(self, rows: list[tuple]) -> None:
        self.con.execute("DELETE FROM user_scheduling_preferences")
        self.append("user_scheduling_preferences", rows)

    def replace_timing(self, rows: list[tuple]) -> None:
        self.con.execute("DELETE FROM platform_timing_data")
        self.append("platform_timing_data", rows)

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
        cal.exceptions = [
            exception_from_row(r)
            for r in self.con.execute(
                "SELECT id, kind, start_local, end_local, all_day, platforms, yearly, reason, item_id "
                "FROM schedule_exceptions WHERE calendar_id = ? ORDER BY id",
                [calendar_id],
            ).fetchall()
        ]
        return cal

    def calendar_summaries(self, user: str, all_users: bool) -> list[tuple]:
        return self.con.execute(
            "SELECT c.id, c.user_id, c.title, c.timezone, c.period_start, c.period_end, c.status, "
            "count(i.id) AS items, count(i.id) FILTER (WHERE i.status = 'posted') AS posted "
            "FROM content_calendars c LEFT JOIN content_schedule_items i ON i.calendar_id = c.id "
            "WHERE ? OR c.user_id = ? GROUP BY ALL ORDER BY c.id",
            [all_users, user],
        ).fetchall()
