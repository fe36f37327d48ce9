"""The audit trail in PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

# An item's local time with its UTC offset, as datetime.isoformat() writes it (calcli.store.duckdb.rows).
ISO_LOCAL = (
    "to_char(scheduled_local, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN utc_offset_minutes < 0 THEN '-' ELSE '+' END "
    "|| lpad((abs(utc_offset_minutes) / 60)::text, 2, '0') || ':' "
    "|| lpad(mod(abs(utc_offset_minutes), 60)::text, 2, '0')"
)
# A score as Python's repr writes a float (1.0, not PostgreSQL's 1).
SCORE_TEXT = (
    "CASE WHEN score IS NULL THEN 'None' WHEN score = trunc(score) AND abs(score) < 1e15 "
    "THEN trunc(score)::bigint::text || '.0' ELSE score::text END"
)
HISTORY_COLUMNS = (
    "changed_at",
    "item_id",
    "calendar_id",
    "user_id",
    "actor",
    "action",
    "field",
    "old_value",
    "new_value",
)


class History:
    """item_history (store-owned)."""

    def add_history(self, rows: list[tuple]) -> None:
        self.append("item_history", rows, HISTORY_COLUMNS)

    def add_planned_history(self, calendar_id: str, ids: list[str] | None, actor: str, at: datetime) -> None:
        where = "calendar_id = %(cal)s" + ("" if ids is None else " AND id = ANY(%(ids)s)")
        params = {"cal": calendar_id, "at": at, "actor": actor} | ({} if ids is None else {"ids": ids})
        self.con.execute(
            f"INSERT INTO item_history ({', '.join(HISTORY_COLUMNS)}) "
            "SELECT %(at)s, id, calendar_id, user_id, %(actor)s, 'planned', NULL, NULL, "
            f"platform || ' ' || {ISO_LOCAL} || ' score ' || {SCORE_TEXT} "
            f"FROM content_schedule_items WHERE {where} ORDER BY src_order",
            params,
        )

    def history_owner(self, item_id: str) -> str | None:
        row = self.con.execute("SELECT user_id FROM item_history WHERE item_id = %s LIMIT 1", [item_id]).fetchone()
        return row[0] if row else None

    def history(self, item_id: str) -> list[tuple]:
        rows = self.con.execute(
            "SELECT changed_at, actor, action, field, old_value, new_value FROM item_history "
            "WHERE item_id = %s ORDER BY changed_at, seq",
            [item_id],
        ).fetchall()
        return [(r[0].replace(tzinfo=UTC), *r[1:]) for r in rows]

    def change_counts(self, item_ids: list[str], fields: tuple[str, ...]) -> dict[str, int]:
        rows = self.con.execute(
            "SELECT item_id, count(*) FROM item_history WHERE field = ANY(%s) AND item_id = ANY(%s) GROUP BY item_id",
            [list(fields), item_ids],
        ).fetchall()
        return {i: 0 for i in item_ids} | dict(rows)
