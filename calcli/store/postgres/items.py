"""Schedule items in PostgreSQL: filtered reads, the planner's light view of a calendar, what is due."""

from __future__ import annotations

from datetime import datetime

from calcli.core.model import ContentScheduleItem
from calcli.store.duckdb.rows import ITEM_COLUMNS, item_from_row, utc_param


class Items:
    """Reads of content_schedule_items."""

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
        """Items matching every filter given (see the DuckDB backend)."""
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
                where.append(f"{column} {op} %s")
                params.append(value)
        for column, op, values in (("id", "= ANY", ids), ("status", "= ANY", statuses)):
            if values is not None:
                where.append(f"{column} {op}(%s)")
                params.append(list(values))
        if exclude_statuses:
            where.append("status <> ALL(%s)")
            params.append(list(exclude_statuses))
        if assigned:
            where.append("assignee IS NOT NULL")
        order = "src_order" if file_order else "scheduled_utc, platform, id"
        rows = self.con.execute(
            f"SELECT {ITEM_COLUMNS} FROM content_schedule_items WHERE {' AND '.join(where)} ORDER BY {order}", params
        ).fetchall()
        return [item_from_row(r) for r in rows]

    def calendar_items(self, calendar_id: str) -> list[ContentScheduleItem]:
        return self.items(calendar=calendar_id, file_order=True)

    def item_facts(self, calendar_id: str) -> list[tuple]:
        return self.con.execute(
            "SELECT idempotency_key, calendar_id, video_job_id, bulk_job_id, platform, format, status, "
            "(extract(epoch FROM scheduled_utc) * 1000000)::bigint, timezone FROM content_schedule_items "
            "WHERE calendar_id = %s ORDER BY src_order",
            [calendar_id],
        ).fetchall()

    def keys_elsewhere(self, calendar_id: str, keys: list[str], user: str) -> dict[str, str]:
        if not keys:
            return {}
        rows = self.con.execute(
            "SELECT idempotency_key, calendar_id FROM content_schedule_items "
            "WHERE calendar_id <> %s AND user_id = %s AND idempotency_key = ANY(%s)",
            [calendar_id, user, keys],
        ).fetchall()
        return dict(rows)

    def user_items_outside(
        self, user_id: str, calendar_id: str, start: datetime, end: datetime
    ) -> list[ContentScheduleItem]:
        return self.items(
            user=user_id, exclude_calendar=calendar_id, exclude_statuses=("canceled",), utc_from=start, utc_before=end
        )

    def due_candidates(self, limit_utc: datetime, user: str | None, platform: str | None) -> list[str]:
        """Ids of live items whose time has come, with no attempt in flight, unconfirmed or posted on
        any host (a claim is a row here: see :mod:`calcli.store.postgres.dispatch`)."""
        where = [
            "i.status IN ('scheduled', 'failed')",
            "i.scheduled_utc <= %s",
            "NOT EXISTS (SELECT 1 FROM dispatch_attempts d WHERE d.item_id = i.id "
            "AND d.outcome IN ('running', 'unconfirmed'))",
        ]
        params: list = [limit_utc]
        if user is not None:
            where.append("i.user_id = %s")
            params.append(user)
        if platform is not None:
            where.append("i.platform = %s")
            params.append(platform)
        rows = self.con.execute(
            f"SELECT i.id FROM content_schedule_items i WHERE {' AND '.join(where)} "
            "ORDER BY i.scheduled_utc, i.platform, i.id",
            params,
        ).fetchall()
        return [r[0] for r in rows]
