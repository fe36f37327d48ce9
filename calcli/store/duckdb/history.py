"""The audit trail in DuckDB: every item change, with its actor and the old and new values."""

from __future__ import annotations

from datetime import UTC, datetime

from calcli.store.duckdb.rows import ISO_LOCAL


class History:
    """item_history (store-owned: ``calcli db rebuild`` keeps it)."""

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
            f"platform || ' ' || {ISO_LOCAL} || ' score ' || coalesce(CAST(score AS VARCHAR), 'None') "
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

    def change_counts(self, item_ids: list[str], fields: tuple[str, ...]) -> dict[str, int]:
        rows = self.con.execute(
            "SELECT item_id, count(*) FROM item_history WHERE field IN (SELECT unnest($fields)) "
            "AND item_id IN (SELECT unnest($ids)) GROUP BY item_id",
            {"fields": list(fields), "ids": item_ids},
        ).fetchall()
        return {i: 0 for i in item_ids} | dict(rows)
