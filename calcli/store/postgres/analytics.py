"""Analytics on the PostgreSQL store: DuckDB stays the engine.

The columns analysis needs (the login's items and KPI events, which row-level security picks) are
copied out with ``COPY … TO STDOUT`` into an in-memory DuckDB store, and the DuckDB backend's own
queries answer there, so both backends give the same figures by construction. A KPI import runs the
DuckDB import on such a copy too, then writes the events it added or replaced back with COPY.
"""

from __future__ import annotations

import tempfile

import duckdb

from calcli.store.duckdb.analysis import Analysis as DuckAnalysis
from calcli.store.duckdb.connection import Connection as DuckConnection
from calcli.store.duckdb.kpi import Kpi as DuckKpi

COPIED = ("content_schedule_items", "performance_kpi_events")
SKIPPED = {"hashtags", "caption"}  # not read by analysis (arrays need no round trip)


class Scratch(DuckConnection, DuckKpi, DuckAnalysis):
    """An in-memory DuckDB store holding copies of the PostgreSQL store's rows for analysis."""


class Analytics:
    """Kpi and analysis, through a scratch DuckDB filled from the server."""

    _scratch: Scratch | None = None

    def scratch(self) -> Scratch:
        if self._scratch is None:
            con = duckdb.connect(":memory:")
            con.execute("SET enable_progress_bar = false")
            s = Scratch(con)
            s.migrate(new=True)
            for table in COPIED:
                self._copy_out(s, table)
            self._scratch = s
        return self._scratch

    def _copy_out(self, s: Scratch, table: str) -> None:
        """One table's rows, as CSV through a temporary file (DuckDB reads a CSV far faster than rows)."""
        cols = [d[0] for d in s.con.execute(f"SELECT * FROM {table} LIMIT 0").description]
        select = ", ".join("NULL" if c in SKIPPED else c for c in cols)
        with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
            with (
                self.con.cursor() as cur,
                cur.copy(f"COPY (SELECT {select} FROM {table}) TO STDOUT (FORMAT csv)") as cp,
            ):
                for chunk in cp:
                    tmp.write(chunk)
            tmp.flush()
            if tmp.tell():
                s.con.execute(f"COPY {table} FROM '{tmp.name}' (FORMAT csv, HEADER false)")

    def drop_scratch(self) -> None:
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None

    def kpi_columns(self, path: str, kind: str) -> list[str]:
        return self.scratch().kpi_columns(path, kind)

    def import_kpi_file(self, path: str, kind: str, mapping: dict, user: str, source: str, **options):
        s = self.scratch()
        result = s.import_kpi_file(path, kind, mapping, user, source, **options)
        stamp = options["imported_at"]
        cols = [d[0] for d in s.con.execute("SELECT * FROM performance_kpi_events LIMIT 0").description]
        rows = s.con.execute(
            f"SELECT {', '.join(cols)} FROM performance_kpi_events WHERE imported_at = ? AND source_file = ?",
            [stamp, source],
        ).fetchall()
        if rows:
            with self.atomic():
                self.con.execute(
                    "DELETE FROM performance_kpi_events WHERE user_id = %s AND event_key = ANY(%s::numeric[])",
                    [user, [r[0] for r in rows]],
                )
                self.append("performance_kpi_events", rows, tuple(cols))
        return result

    def posts(self, f, tz: str):
        return self.scratch().posts(f, tz)

    def metric_values(self, f, tz: str, metric: str):
        return self.scratch().metric_values(f, tz, metric)

    def unlinked_events(self, user: str) -> int:
        return self.scratch().unlinked_events(user)

    def week_counts(self, user: str, calendar, tz: str, first):
        return self.scratch().week_counts(user, calendar, tz, first)
