"""What ``calcli sql``, ``calcli db info`` and ``calcli db grant`` ask of the PostgreSQL store.

``calcli sql`` runs in a READ ONLY transaction as the login role: row-level security decides which
rows it can see at all; the server refuses any write. ``--user X`` (default: the project's user) is
honoured as on DuckDB: a login that sees every user's rows (the service role) reads X's alone, through
temporary views of X's rows under the tables' names, made in the query's own transaction and gone
with it; a user's login sees only its own rows, so asking for another user's is refused (exit 2).
``--all-users`` shows whatever the login may see.
"""

from __future__ import annotations

import re

from calcli.core.errors import InvalidInput, UsageError
from calcli.store.postgres.schema import MIRROR_USER_TABLES, USER_ROLE, USER_TABLES

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Admin:
    """One read-only query; each table's row count and owner; users' roles."""

    def read_only_query(self, sql: str, user: str | None = None) -> tuple[list[str], list[tuple]]:
        if user is not None and not self.bypass and user != self.role:
            raise UsageError(
                f"calcli sql --user {user}: this login ({self.role}) sees only its own rows in the PostgreSQL "
                f"store (row-level security); use --user {self.role}, or connect as {user} or as the service role."
            )
        try:
            with self.atomic() as tx:
                tx.discard()  # rolled back: the views below go with it
                if user is not None and self.bypass:
                    self._only_rows_of(user)
                self.con.execute("SET TRANSACTION READ ONLY")
                return self.query(sql)
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if "read-only transaction" in first:
                    raise UsageError(f"calcli sql runs read-only queries: {first}") from None
                raise InvalidInput(f"SQL: {first}") from None
            raise

    def _only_rows_of(self, user: str) -> None:
        """Temporary views named as the user tables, each of ``user``'s rows (pg_temp is searched first)."""
        literal = "'" + user.replace("'", "''") + "'"
        for schema, tables in (("public", USER_TABLES), (self.mirror_schema, MIRROR_USER_TABLES)):
            for table in tables:
                self.con.execute(
                    f'CREATE TEMP VIEW {table} AS SELECT * FROM "{schema}".{table} WHERE user_id = {literal}'
                )

    def grant(self, role: str) -> bool:
        """Make ``role`` a calcli user (a login role in calcli_user); True when the role was created."""
        if not ROLE_NAME.match(role):
            raise UsageError(f"{role!r} is not a role name calcli makes (lower-case letters, digits, _).")
        with self.atomic():
            exists = self.con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if not exists:
                self.con.execute(f'CREATE ROLE "{role}" LOGIN')
            self.con.execute(f'GRANT {USER_ROLE} TO "{role}"')
            self.con.execute(f'ALTER ROLE "{role}" INHERIT')
        return not exists
