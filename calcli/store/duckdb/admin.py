"""What ``calcli sql`` and ``calcli db info`` ask of the DuckDB store.

``calcli sql`` is read-only by construction, not by reading the SQL's text: the statement runs on a
connection of its own to an in-memory database holding copies of the store's tables (only the acting
user's rows, unless every user's are asked for), with DuckDB's ``enable_external_access`` off (no file,
extension or network access) and ``lock_configuration`` on (no statement can turn it back on). The
store file itself is attached read-only, and only for ``--all-users``. What the statement type check
below refuses is refused for a clear message; it is not the guarantee.
"""

from __future__ import annotations

import duckdb

from calcli.core.errors import InvalidInput, UsageError

READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}
# Tables without a user_id column that every user may read; any other such table is left out of a
# user's copy (a table added later stays hidden until someone decides who may see it).
SHARED = {"schema_meta", "store_meta", "platform_timing_data"}
SANDBOX_SETTINGS = (
    "SET temp_directory = ''",  # nothing spills into the user's tree
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def statement_type(con, sql: str) -> str:
    """The type of the one statement ``sql`` holds (of the statement it explains, for EXPLAIN ANALYZE)."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise InvalidInput(f"SQL: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UsageError(f"expected one SQL statement, found {len(statements)}.")
    kind = str(statements[0].type).rsplit(".", 1)[-1].upper()
    if kind != "EXPLAIN":
        return kind
    starts = [at for at, t in duckdb.tokenize(sql) if not str(t).endswith("comment")]
    words = [sql[at:].split(None, 1)[0].upper() for at in starts[:2]]
    if len(starts) > 2 and words[1] in ("ANALYZE", "ANALYSE"):
        return statement_type(con, sql[starts[2] :])  # EXPLAIN ANALYZE runs its statement: judge that
    return kind


def sandbox(path, user: str | None):
    """An in-memory connection that can read the store's rows (``user``'s only, unless None) and nothing
    else: no file, no extension, no setting can be changed. When every row is ``user``'s anyway (a
    project of one user, the common case) the store is attached read-only, as for every user: there
    is nothing to hide, and nothing to copy."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{_quoted(path)}' AS store (READ_ONLY)")
        scopes = _scopes(con)
        if user is None or _all_theirs(con, user, scopes):
            con.execute("USE store")
        else:
            for table, where in sorted((t, w) for t, w in scopes.items() if w is not None):
                params = {"user": user} if "$user" in where else {}
                con.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM store.main."{table}" WHERE {where}', params)
            con.execute("DETACH store")
        for setting in SANDBOX_SETTINGS:
            con.execute(setting)
    except BaseException:
        con.close()
        raise
    return con


def _quoted(path) -> str:
    return str(path).replace("'", "''")


def _scopes(con) -> dict[str, str | None]:
    """Each store table and the condition on its rows that a user may see (source files: other users'
    calendar files left out); None for a table no user may see."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'store' AND schema_name = 'main'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    scopes: dict[str, str | None] = {}
    for table, cols in columns.items():
        if "user_id" in cols:
            scopes[table] = "user_id = $user"
        elif table == "source_files":
            mine = "SELECT id FROM store.content_calendars WHERE user_id = $user"
            scopes[table] = f"kind <> 'calendar' OR ref IN ({mine})"
        else:
            scopes[table] = "true" if table in SHARED else None
    return scopes


def _all_theirs(con, user: str, scopes: dict[str, str | None]) -> bool:
    """Whether ``user`` may see every row of every table (no table hidden, no row of anyone else)."""
    if any(where is None for where in scopes.values()):
        return False
    owned = [t for t, where in scopes.items() if where == "user_id = $user"]
    others = " UNION ALL ".join(
        f'SELECT count(*) FILTER (WHERE user_id IS DISTINCT FROM $user) FROM store.main."{t}"' for t in owned
    )
    return not owned or not any(n for (n,) in con.execute(others, {"user": user}).fetchall())


class Admin:
    """One read-only query; each table's row count and owner."""

    def read_only_query(self, sql: str, user: str | None = None) -> tuple[list[str], list[tuple]]:
        """Run one read-only statement over ``user``'s rows (every user's when None); anything that
        could write is refused (UsageError), and nothing outside the store can be read or written."""
        kind = statement_type(self.con, sql)
        if kind not in READ_ONLY_TYPES:
            raise UsageError(
                f"calcli sql runs read-only queries; a {kind} statement is refused.",
                "Use SELECT, WITH … SELECT, DESCRIBE or EXPLAIN.",
            )
        with self.released():  # DuckDB lets one process attach a file once: the sandbox attaches it
            con = sandbox(self.path, user)
            try:
                cur = con.execute(sql)
                cols = [d[0] for d in cur.description] if cur.description else []
                return cols, cur.fetchall()
            except duckdb.PermissionException as exc:
                raise UsageError(
                    f"calcli sql reads only the store: {str(exc).splitlines()[0]}",
                    "Files, extensions and settings are out of its reach; load data with `calcli kpi import`.",
                ) from None
            except duckdb.Error as exc:
                raise InvalidInput(f"SQL: {str(exc).splitlines()[0]}") from None
            finally:
                con.close()
