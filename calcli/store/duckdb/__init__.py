"""The DuckDB backend of the store: its schema and migrations, and one module per part of the
interface (``calcli.store.base``), composed in :class:`calcli.store.duckdb.store.DuckDBStore`."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
