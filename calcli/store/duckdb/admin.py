"""What ``calcli sql`` and ``calcli db info`` ask of the DuckDB store."""

from __future__ import annotations

import re

import duckdb

from calcli.core.errors import InvalidInput, UsageError
from calcli.store.duckdb.schema import FILE_OWNED, STORE_OWNED

READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}


class Admin:
    """One read-only query; each table's row count and owner."""

    def read_only_query(self, sql: str) -> tuple[list[str], list[tuple]]:
        """Run one read-only statement; anything that could write is refused (UsageError)."""
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
