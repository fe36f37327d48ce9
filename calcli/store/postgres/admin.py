"""What ``calcli sql``, ``calcli db info`` and ``calcli db grant`` ask of the PostgreSQL store.

``calcli sql`` runs in a READ ONLY transaction as the login role: row-level security, not calcli,
decides which rows it sees; the server refuses any write.
"""

from __future__ import annotations

import re

from calcli.core.errors import InvalidInput, UsageError
from calcli.store.postgres.schema import USER_ROLE

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Admin:
    """One read-only query; each table's row count and owner; users' roles."""

    def read_only_query(self, sql: str, user: str | None = None) -> tuple[list[str], list[tuple]]:
        try:
            with self.atomic() as tx:
                tx.discard()
                self.con.execute("SET TRANSACTION READ ONLY")
                return self.query(sql)
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if "read-only transaction" in first:
                    raise UsageError(f"calcli sql runs read-only queries: {first}") from None
                raise InvalidInput(f"SQL: {first}") from None
            raise

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
