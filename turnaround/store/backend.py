"""The small interface every engine implements: run SQL, register a table, check, fetch Arrow.

DuckDB is the embedded default. Spark (an optional extra) implements the same four methods, so
stages written against ``Backend`` run on either.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import duckdb
import pyarrow as pa

from turnaround.errors import BackendError


@runtime_checkable
class Backend(Protocol):
    """What a stage may ask of an engine."""

    def execute(self, sql: str, params: Sequence[Any] | None = None, *, step: str = "") -> None:
        """Run a statement for its effect."""

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under ``name`` (a view, not a copy)."""

    def table_exists(self, name: str) -> bool:
        """Say whether a table or view called ``name`` exists."""

    def fetch_arrow(
        self, sql: str, params: Sequence[Any] | None = None, *, step: str = ""
    ) -> pa.Table:
        """Run a query and return its result as Arrow."""


class DuckDBBackend:
    """Backend over one DuckDB connection; errors are wrapped with the step and the SQL."""

    def __init__(self, path: Path | str = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise BackendError(f"opening the store {self.path}", exc) from None

    def execute(self, sql: str, params: Sequence[Any] | None = None, *, step: str = "") -> None:
        """Run a statement for its effect."""
        try:
            self.con.execute(sql, params)
        except duckdb.Error as exc:
            raise BackendError(step or "running SQL", exc, sql) from None

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable under ``name``."""
        self.con.register(name, table)

    def table_exists(self, name: str) -> bool:
        """Say whether a table or view called ``name`` exists."""
        row = self.con.execute(
            "select count(*) from information_schema.tables where table_name = ?", [name]
        ).fetchone()
        return bool(row and row[0])

    def fetch_arrow(
        self, sql: str, params: Sequence[Any] | None = None, *, step: str = ""
    ) -> pa.Table:
        """Run a query and return its result as Arrow."""
        try:
            return self.con.execute(sql, params).to_arrow_table()
        except duckdb.Error as exc:
            raise BackendError(step or "running a query", exc, sql) from None

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
