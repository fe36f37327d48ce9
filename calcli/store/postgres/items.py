"""Schedule items in PostgreSQL: the DuckDB backend's reads (one SQL text for both), in
PostgreSQL's dialect."""

from __future__ import annotations

from calcli.store.duckdb import items


class Items(items.Items):
    """Reads of content_schedule_items (see :class:`calcli.store.duckdb.items.Items`)."""

    P = "%s"
    EPOCH_US = "(extract(epoch FROM scheduled_utc) * 1000000)::bigint"

    @staticmethod
    def member(column: str, negate: bool = False) -> str:
        return f"{column} <> ALL(%s)" if negate else f"{column} = ANY(%s)"
