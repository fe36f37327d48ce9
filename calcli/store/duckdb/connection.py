"""The DuckDB connection: opening the file (waiting while another program holds it), transactions, the
appender, migrations, and closing and reopening around a fork."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from calcli.core.errors import BusyError, CalcliError, StoreDamaged, StoreTooNew
from calcli.core.times import utc_stamp
from calcli.store.base import Atomic, Transaction
from calcli.store.duckdb.schema import LATEST, MIGRATIONS

# What DuckDB says of a file it cannot read: not a database, cut short, a block that fails its checksum.
DAMAGE = ("not a valid DuckDB database file", "Corrupt database file", "Could not read enough bytes")


def damage(exc: BaseException) -> str | None:
    """The first line of a DuckDB error that says the store file is damaged; None for any other error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text if isinstance(exc, duckdb.Error) and any(d in text for d in DAMAGE) else None


def connect(path: Path, read_only: bool, timeout: float):
    """A connection to the store file, retried while another program holds its lock."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # No progress bar: DuckDB draws one on stdout for a long statement (a big KPI import),
            # where it would corrupt the command's output.
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if damage(exc):
                raise StoreDamaged(path, damage(exc)) from None
            if "lock" not in str(exc).lower():
                raise CalcliError(f"cannot open the store {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise BusyError(
                    f"the store {path} is held by another program for more than {timeout:g} s; nothing was written.",
                    "Close the other program (a duckdb shell?) and try again.",
                ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


class Connection(Atomic):
    """One DuckDB connection and what every part of the store does with it."""

    def __init__(self, con, path: Path | None = None, timeout: float = 0.0, read_only: bool = False):
        self.con = con
        self.path, self.timeout, self.read_only = path, timeout, read_only  # to connect again after `released`
        self._depth = 0
        self._tx: Transaction | None = None

    def query(self, sql: str, params: list | tuple | dict | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()

    @property
    def can_release(self) -> bool:
        """Whether :meth:`released` may close the connection now (outside a transaction)."""
        return not self._depth and self.path is not None

    @contextmanager
    def released(self) -> Iterator[None]:
        """The connection closed for the block and opened again after it (the project lock stays
        held). For a fork: a DuckDB connection keeps threads (its scheduler's and its allocator's)
        and a process with threads must not fork; closing the connection ends them."""
        if not self.can_release:
            raise RuntimeError("the store can be released only outside a transaction, when opened by open_store")
        self.con.close()
        try:
            yield
        finally:
            self.con = connect(self.path, self.read_only, self.timeout)

    def close(self) -> None:
        self.con.close()

    def append(self, table: str, rows: list[tuple]) -> None:
        """Bulk insert through DuckDB's appender (never row by row)."""
        if rows:
            with self.con.appender(table) as ap:
                ap.append_rows(rows)

    def _shown_path(self) -> str:
        """The store file as a person finds it: relative to the current folder when inside it."""
        if self.path is None:
            return "(in memory)"
        try:
            return str(Path(self.path).resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(self.path)

    def version(self) -> int:
        try:
            row = self.con.execute("SELECT max(version) FROM schema_meta").fetchone()
        except duckdb.Error:  # the table is missing on a new file
            return 0
        return row[0] or 0

    def migrate(self, new: bool = False) -> None:
        """Apply the migrations the store has not had, each in its own transaction.

        ``new``: the database was just made (empty), so every migration runs in one transaction and
        their versions are recorded in one INSERT. (On an empty database, asking for the version costs
        DuckDB ~6 ms, and seven transactions cost more than one: 0.046 -> 0.022 s.)
        """
        current = 0 if new else self.version()
        if current > LATEST:
            raise StoreTooNew(self._shown_path(), current, LATEST)
        pending = [(version, sql) for version, sql in MIGRATIONS if version > current]
        for group in [pending] if new else [[step] for step in pending]:
            with self.atomic():
                for _, sql in group:
                    self.con.execute(sql)
                self.con.execute(
                    "INSERT INTO schema_meta VALUES " + ", ".join(f"({v}, $duckdb, $at)" for v, _ in group),
                    {"duckdb": duckdb.__version__, "at": utc_stamp()},
                )
