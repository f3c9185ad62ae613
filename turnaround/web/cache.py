"""A small thread-safe cache of heavy results, keyed by name and the store's data version.

The data version changes whenever a load, a plan check-in or a worklist decision lands, so a
cached summary is never older than the data it was computed from; the web app can also ``bump``
it after a change of its own. Each name is computed once at a time: concurrent requests for the
same missing entry wait for the first one instead of all computing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from turnaround.store import Store

T = TypeVar("T")

# Tables whose changes make cached results stale; those that do not exist yet are skipped.
_VERSION_TABLES: tuple[tuple[str, str], ...] = (
    ("loads", "loaded_at"),
    ("worklist_decisions", "decided_at"),
    ("plan_versions", "checked_in_at"),
    ("plan_progress_reports", "made_at"),
    ("linkage_runs", "started_at"),
)


def data_version_sql(tables: list[tuple[str, str]]) -> str:
    """One query giving, for each (table, timestamp column), its row count and latest time."""
    parts = [
        f"(select count(*) || '@' || coalesce(cast(max({col}) as varchar), '') from {table})"
        for table, col in tables
    ]
    return "select " + (" || '|' || ".join(parts) if parts else "''")


class DataCache:
    """Results by (name, data version); entries of older versions are dropped."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._values: dict[tuple[Hashable, str], Any] = {}
        self._computing: dict[tuple[Hashable, str], threading.Lock] = {}
        self._bumps = 0
        self.computed = 0  # how many times a compute ran (the rest were served from the cache)
        self._tables: list[tuple[str, str]] | None = None

    def data_version(self) -> str:
        """A string that changes whenever loads, plan check-ins or decisions change."""
        db = self._store.cursor()
        try:
            if self._tables is None:  # the schema is fixed once the store is open and migrated
                self._tables = [
                    (table, col)
                    for table, col in _VERSION_TABLES
                    if db.scalar(
                        "select count(*) from information_schema.columns "
                        "where table_name = ? and column_name = ?",
                        [table, col],
                        step="finding the tables that date the data",
                    )
                    == 1
                ]
            version = db.scalar(data_version_sql(self._tables), step="reading the data version")
        finally:
            db.close()
        return f"{version or ''}#{self._bumps}"

    def bump(self) -> None:
        """Mark every cached result stale (after a change the version query cannot see)."""
        with self._lock:
            self._bumps += 1
            self._values.clear()

    def get(self, name: Hashable, compute: Callable[[], T]) -> T:
        """The cached result for ``name`` at the current data version, computing it if need be."""
        key = (name, self.data_version())
        with self._lock:
            if key in self._values:
                return self._values[key]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            except BaseException:
                # Not cached: the next request tries again (and an unknown name leaves no gate).
                with self._lock:
                    if self._computing.get(key) is gate:
                        del self._computing[key]
                raise
            with self._lock:
                stale = [k for k in self._values if k[1] != key[1]]
                for old in stale:
                    del self._values[old]
                self._values[key] = value
                self._computing.pop(key, None)
                self.computed += 1
        return value
