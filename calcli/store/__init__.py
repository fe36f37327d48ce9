"""The DuckDB store: every SQL statement of calcli lives in this package.

``open_store(project)`` is a context manager: it takes the project's lock (a
sidecar file locked with ``flock``, so calcli processes take turns), opens one
short-lived DuckDB connection (retrying while another program holds the file),
applies pending migrations, and closes everything on exit. When the lock or the
file stays busy past the timeout it raises BusyError (exit 4).
"""

from calcli.store.duckdb.store import Store, open_store

__all__ = ["Store", "open_store"]
