"""The PostgreSQL backend of the store, for teams: the same interface as ``calcli.store.duckdb`` on a
shared server, with row-level security per user, dispatch claims as row locks, and DuckDB (in memory)
as the engine of the heavy analytics. Loaded only when ``store`` in calcli.toml is a
``postgresql://`` URL."""

from calcli.core import lazy

__getattr__, __dir__ = lazy.submodules(__name__, __path__)
