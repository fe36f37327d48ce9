"""Dispatch attempts in DuckDB, and the store's small settings (store_meta)."""

from __future__ import annotations


class Dispatch:
    """dispatch_attempts and store_meta (store-owned)."""

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
