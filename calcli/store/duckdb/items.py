"""Schedule items in DuckDB: filtered reads, the planner's light view of a calendar, what is due."""

from __future__ import annotations

from datetime import datetime

from calcli.core.model import ContentScheduleItem
from calcli.store.duckdb.rows import ITEM_COLUMNS, item_from_row, utc_param


class Items:
    """Reads of content_schedule_items. The SQL is written once for both backends; what differs
    between DuckDB and PostgreSQL (the parameter mark, a list parameter, epoch microseconds) is
    named here and overridden by :class:`calcli.store.postgres.items.Items`."""

    P = "?"  # the parameter mark
    EPOCH_US = "epoch_us(scheduled_utc)"

    @staticmethod
    def member(column: str, negate: bool = False) -> str:
        """``column`` in (or not in) one list parameter."""
        return f"{column} {'NOT IN' if negate else 'IN'} (SELECT unnest(?))"

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
            ("scheduled_utc", ">=", utc_param(utc_from)),
            ("scheduled_utc", "<", utc_param(utc_before)),
            ("scheduled_utc", "<=", utc_param(utc_through)),
            ("scheduled_local", "<", local_before),
        ):
            if value is not None:
                where.append(f"{column} {op} {self.P}")
                params.append(value)
        for column, negate, values in (
            ("id", False, ids),
            ("status", False, statuses),
            ("status", True, exclude_statuses),
        ):
            if values is not None and (not negate or values):
                where.append(self.member(column, negate))
                params.append(list(values))
        if assigned:
            where.append("assignee IS NOT NULL")
        order = "src_order" if file_order else "scheduled_utc, platform, id"
        rows = self.con.execute(
            f"SELECT {ITEM_COLUMNS} FROM content_schedule_items WHERE {' AND '.join(where)} ORDER BY {order}", params
        ).fetchall()
        return [item_from_row(r) for r in rows]

    def calendar_items(self, calendar_id: str) -> list[ContentScheduleItem]:
        """The calendar's items in file order."""
        return self.items(calendar=calendar_id, file_order=True)

    def item_facts(self, calendar_id: str) -> list[tuple]:
        """(idempotency_key, calendar_id, video_job_id, bulk_job_id, platform, format, status,
        scheduled_utc as epoch microseconds, timezone) of the calendar's items, in file order: what
        the planner needs of the items already there, without building full items."""
        return self.con.execute(
            "SELECT idempotency_key, calendar_id, video_job_id, bulk_job_id, platform, format, status, "
            f"{self.EPOCH_US}, timezone FROM content_schedule_items WHERE calendar_id = {self.P} ORDER BY src_order",
            [calendar_id],
        ).fetchall()

    def keys_elsewhere(self, calendar_id: str, keys: list[str], user: str) -> dict[str, str]:
        """Idempotency keys among ``keys`` already used by the user's other calendars → their calendar."""
        if not keys:
            return {}
        p = self.P
        other = self.con.execute(
            f"SELECT 1 FROM content_schedule_items WHERE calendar_id <> {p} AND user_id = {p} LIMIT 1",
            [calendar_id, user],
        ).fetchone()
        if other is None:  # no other calendar of the user's has items: no need to send the keys over
            return {}
        rows = self.con.execute(
            "SELECT idempotency_key, calendar_id FROM content_schedule_items "
            f"WHERE calendar_id <> {p} AND user_id = {p} AND {self.member('idempotency_key')}",
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

    def due_candidates(self, limit_utc: datetime, user: str | None, platform: str | None) -> list[str]:
        """Ids of live items whose time has come (scheduled or failed), with no attempt in flight
        or unconfirmed; the caller applies the retry rules to failed ones. (On PostgreSQL a claim is
        a row of dispatch_attempts too, so this holds across hosts: see its dispatch module.)"""
        where = [
            "i.status IN ('scheduled', 'failed')",
            f"i.scheduled_utc <= {self.P}",
            "NOT EXISTS (SELECT 1 FROM dispatch_attempts d WHERE d.item_id = i.id "
            "AND d.outcome IN ('running', 'unconfirmed'))",
        ]
        params: list = [limit_utc]
        if user is not None:
            where.append(f"i.user_id = {self.P}")
            params.append(user)
        if platform is not None:
            where.append(f"i.platform = {self.P}")
            params.append(platform)
        rows = self.con.execute(
            f"SELECT i.id FROM content_schedule_items i WHERE {' AND '.join(where)} "
            "ORDER BY i.scheduled_utc, i.platform, i.id",
            params,
        ).fetchall()
        return [r[0] for r in rows]
