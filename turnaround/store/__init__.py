"""The workspace store: one DuckDB file holding every table, with numbered migrations."""

from turnaround.store.backend import Backend, DuckDBBackend
from turnaround.store.store import Store, open_store

__all__ = ["Backend", "DuckDBBackend", "Store", "open_store"]
