"""The PostgreSQL connection: psycopg 3 (an optional extra), transactions, COPY, migrations.

The URL comes from calcli.toml's ``store`` (``postgresql://host/db``; ``postgresql://`` alone takes
everything from libpq's ``PG*`` variables or a service file). Passwords never come from calcli.toml:
libpq reads ``PGPASSWORD``, ``~/.pgpass`` or the service file itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from calcli.core.errors import BusyError, CalcliError, StoreUnreachable
from calcli.core.times import utc_stamp
from calcli.store.base import Atomic, Transaction
from calcli.store.postgres.schema import LATEST, MIGRATIONS, mirror_schema_name, mirror_schema_sql

INSTALL_HINT = "pip install 'calcli[postgres]'"
MIGRATION_LOCK = 0x63616C63  # the advisory lock migrations take ("calc")


def is_url(store: str) -> bool:
    """Whether calcli.toml's ``store`` names a PostgreSQL server rather than a DuckDB file."""
    return store.startswith(("postgresql:", "postgres:"))


def psycopg():
    """The psycopg module, or a one-line error naming the extra to install."""
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise CalcliError(
            "the store is a PostgreSQL server but psycopg (3) is not installed.", f"Install it: {INSTALL_HINT}"
        ) from None


def connect(url: str, timeout: float):
    """An autocommit connection (calcli opens its own transactions) in UTC."""
    pg = psycopg()
    try:
        con = pg.connect(url, autocommit=True, connect_timeout=max(int(timeout), 2))
    except pg.OperationalError as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        if "too many" in text or "starting up" in text:
            raise BusyError(f"the PostgreSQL store is busy: {text}", "Try again later.") from None
        raise StoreUnreachable(
            f"cannot connect to the PostgreSQL store: {text.rstrip('.')}.",
            "Nothing was written; check the server and calcli.toml's store (or PG* variables), then try again.",
        ) from None
    con.execute("SET TimeZone = 'UTC'")
    return con


class Connection(Atomic):
    """One psycopg connection and what every part of the store does with it."""

    def __init__(self, con, url: str, timeout: float = 10.0, clone: str = ""):
        self.con, self.url, self.timeout, self.clone = con, url, timeout, clone
        self.mirror_schema = mirror_schema_name(clone)
        self._use_mirror()
        self._depth = 0
        self._tx: Transaction | None = None
        self.role, self.bypass = con.execute(
            "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()

    def _use_mirror(self) -> None:
        self.con.execute(f'SET search_path = "{self.mirror_schema}", public')

    def acts_for(self, user_id: str) -> bool:
        """Whether this login may write ``user_id``'s rows (row-level security decides; this saves asking)."""
        return self.bypass or user_id == self.role

    def query(self, sql: str, params: list | tuple | dict | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or None)
        cols = [d.name for d in cur.description] if cur.description else []
        return cols, cur.fetchall() if cur.description else []

    @property
    def can_release(self) -> bool:
        return not self._depth

    @contextmanager
    def released(self) -> Iterator[None]:
        """The connection closed for the block (a fork must not share a server connection)."""
        if not self.can_release:
            raise RuntimeError("the store can be released only outside a transaction")
        self.con.close()
        try:
            yield
        finally:
            self.con = connect(self.url, self.timeout)
            self._use_mirror()

    def close(self) -> None:
        self.con.close()

    def append(self, table: str, rows: list[tuple], columns: tuple[str, ...] | None = None) -> None:
        """Bulk insert with COPY (never row by row). PostgreSQL refuses COPY FROM into a table under
        row-level security for a role the policies bind, so such a role copies into a temporary table
        and inserts from it (the policies' WITH CHECK then judges every row)."""
        if not rows:
            return
        cols = f" ({', '.join(columns)})" if columns else ""
        names = ", ".join(columns) if columns else "*"
        with self.atomic(), self.con.cursor() as cur:
            target = table
            if not self.bypass:
                target = f"_copy_{table}_{len(columns or ())}"
                cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} AS SELECT {names} FROM {table} WITH NO DATA")
                cur.execute(f"TRUNCATE pg_temp.{target}")
                target = f"pg_temp.{target}"
            with cur.copy(f"COPY {target}{cols} FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            if target != table:
                cur.execute(f"INSERT INTO {table}{cols} SELECT {names} FROM {target}")

    def version(self) -> int:
        row = self.con.execute("SELECT to_regclass('public.schema_meta') IS NOT NULL").fetchone()
        if not row[0]:
            return 0
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_meta").fetchone()[0]

    def migrate(self, new: bool = False) -> None:
        """Apply the migrations the store has not had, in one transaction, one migrating host at a time
        (an advisory lock); a user role that may not migrate gets a one-line error."""
        if self.version() >= LATEST:
            self.ensure_mirror()
            return
        with self.atomic():
            self.con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            current = self.version()
            if current > LATEST:
                raise CalcliError(f"the store has schema version {current}, newer than this calcli ({LATEST}).")
            for version, sql in MIGRATIONS:
                if version > current:
                    self.con.execute(sql)
                    self.con.execute(
                        "INSERT INTO schema_meta VALUES (%s, current_setting('server_version'), %s)",
                        [version, utc_stamp()],
                    )
        self.ensure_mirror()

    def ensure_mirror(self) -> None:
        """This clone's mirror schema, made the first time the clone opens the store."""
        if self.con.execute("SELECT to_regnamespace(%s) IS NOT NULL", [self.mirror_schema]).fetchone()[0]:
            return
        with self.atomic():
            self.con.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            if not self.con.execute("SELECT to_regnamespace(%s) IS NOT NULL", [self.mirror_schema]).fetchone()[0]:
                self.con.execute(mirror_schema_sql(self.mirror_schema))
