"""The tables the files own, in PostgreSQL: in the clone's own schema (calcli.store.postgres.schema).
A login mirrors only the calendars and preferences it may write (its own, or everyone's for the
service role): row-level security would refuse the rest."""

from __future__ import annotations

from datetime import datetime

from calcli.core.model import ContentCalendar, ContentScheduleItem, Platform
from calcli.core.times import utc_stamp
from calcli.store.base import FILE_OWNED
from calcli.store.duckdb.rows import exception_from_row, exception_row, item_row

ITEM_TABLE_COLUMNS = (
    "id, idempotency_key, calendar_id, user_id, bulk_job_id, video_job_id, platform, format, scheduled_utc, "
    "scheduled_local, utc_offset_minutes, timezone, status, score, title, assignee, notes, src_order, src_line, "
    "created_at, updated_at, post_ref, caption, hashtags"
).split(", ")


class Mirror:
    """The file-owned tables (``calcli db rebuild`` makes them anew from the files)."""

    clone: str = ""

    def file_states(self) -> dict[str, tuple[str, str, str, int, int]]:
        rows = self.con.execute(
            "SELECT path, kind, ref, sha256, mtime_ns, size FROM source_files WHERE clone = %s", [self.clone]
        ).fetchall()
        return {r[0]: tuple(r[1:]) for r in rows}

    def set_file_state(self, path: str, kind: str, ref: str, sha: str, mtime_ns: int, size: int) -> None:
        with self.atomic():
            self.con.execute("DELETE FROM source_files WHERE clone = %s AND path = %s", [self.clone, path])
            self.con.execute(
                "INSERT INTO source_files (clone, path, kind, ref, sha256, mtime_ns, size, synced_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [self.clone, path, kind, ref, sha, mtime_ns, size, utc_stamp()],
            )

    def forget_file(self, path: str) -> None:
        row = self.con.execute(
            "SELECT kind, ref FROM source_files WHERE clone = %s AND path = %s", [self.clone, path]
        ).fetchone()
        if row and row[0] == "calendar":
            self.delete_calendar(row[1])
        self.con.execute("DELETE FROM source_files WHERE clone = %s AND path = %s", [self.clone, path])

    def delete_calendar(self, calendar_id: str) -> None:
        for table, col in (
            ("content_schedule_items", "calendar_id"),
            ("schedule_exceptions", "calendar_id"),
            ("schedule_assignments", "calendar_id"),
            ("content_calendars", "id"),
        ):
            self.con.execute(f"DELETE FROM {table} WHERE {col} = %s", [calendar_id])

    def clear_file_owned(self) -> None:
        self.con.execute("DELETE FROM source_files WHERE clone = %s", [self.clone])
        for table in FILE_OWNED[1:]:
            self.con.execute(f"DELETE FROM {table}")

    def replace_calendar(
        self,
        cal: ContentCalendar,
        items: list[ContentScheduleItem],
        lines: list[int | None] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Mirror one calendar file (one the login may write; another user's is left to them)."""
        if not self.acts_for(cal.user_id):
            return
        now = now or utc_stamp()
        with self.atomic():
            self.delete_calendar(cal.name)
            created = self.con.execute(
                "SELECT min(changed_at) FROM item_history WHERE calendar_id = %s", [cal.name]
            ).fetchone()[0]
            self.con.execute(
                "INSERT INTO content_calendars VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    cal.name, cal.user_id, cal.title, cal.timezone, cal.period_start, cal.period_end,
                    [p.value for p in cal.platforms], cal.status, cal.path, created or now, now,
                ],
            )  # fmt: skip
            self.append("schedule_exceptions", [exception_row(cal, e) for e in cal.exceptions])
            rows = [
                item_row(item, cal.timezone, order, lines[order] if lines else item.line, now, now)
                for order, item in enumerate(items)
            ]
            self.append("content_schedule_items", rows, tuple(ITEM_TABLE_COLUMNS))
            if created is not None:
                self.con.execute(
                    "UPDATE content_schedule_items i SET created_at = h.c, updated_at = h.u "
                    "FROM (SELECT item_id, min(changed_at) AS c, max(changed_at) AS u FROM item_history "
                    "WHERE calendar_id = %(cal)s GROUP BY item_id) h "
                    "WHERE i.calendar_id = %(cal)s AND i.id = h.item_id",
                    {"cal": cal.name},
                )
            self.append(
                "schedule_assignments", [(i.id, cal.name, i.user_id, i.assignee, None) for i in items if i.assignee]
            )

    def replace_preferences(self, rows: list[tuple]) -> None:
        with self.atomic():
            self.con.execute("DELETE FROM user_scheduling_preferences")
            self.append("user_scheduling_preferences", [r for r in rows if self.acts_for(r[0])])

    def replace_timing(self, rows: list[tuple]) -> None:
        with self.atomic():
            self.con.execute("DELETE FROM platform_timing_data")
            self.append("platform_timing_data", rows)

    def calendar(self, calendar_id: str) -> ContentCalendar | None:
        row = self.con.execute(
            "SELECT id, user_id, title, timezone, period_start, period_end, platforms, status, path "
            "FROM content_calendars WHERE id = %s",
            [calendar_id],
        ).fetchone()
        if row is None:
            return None
        cal = ContentCalendar(
            name=row[0], user_id=row[1], title=row[2] or "", timezone=row[3], period_start=row[4],
            period_end=row[5], platforms=[Platform(p) for p in row[6] or []], status=row[7], path=row[8],
        )  # fmt: skip
        cal.exceptions = [
            exception_from_row(r)
            for r in self.con.execute(
                "SELECT id, kind, start_local, end_local, all_day, platforms, yearly, reason, item_id "
                "FROM schedule_exceptions WHERE calendar_id = %s ORDER BY id",
                [calendar_id],
            ).fetchall()
        ]
        return cal

    def calendar_summaries(self, user: str, all_users: bool) -> list[tuple]:
        return self.con.execute(
            "SELECT c.id, c.user_id, c.title, c.timezone, c.period_start, c.period_end, c.status, "
            "count(i.id) AS items, count(i.id) FILTER (WHERE i.status = 'posted') AS posted "
            "FROM content_calendars c LEFT JOIN content_schedule_items i ON i.calendar_id = c.id "
            "WHERE %s OR c.user_id = %s GROUP BY c.id, c.user_id, c.title, c.timezone, c.period_start, "
            "c.period_end, c.status ORDER BY c.id",
            [all_users, user],
        ).fetchall()
