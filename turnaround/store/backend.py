"""The small interface every engine implements, and the DuckDB engine behind a workspace.

A stage asks the backend to run SQL, fetch rows, Arrow or a data frame, register a table and
check one exists, and to run a block as one transaction. Every statement is wrapped, so a
failure reaches the caller as a ``BackendError`` that names the step and carries the SQL, never
as a raw engine error. The connection itself is private to ``turnaround.store``.

DuckDB is the embedded default. Spark (an optional extra) implements the same core methods, so
stages written against ``Backend`` run on either.

Times: every connection runs with ``TimeZone`` set to UTC, so a ``timestamptz`` reads back as
an aware UTC ``datetime`` whatever the machine's zone, and casts to text the same everywhere.
DuckDB's own conversion of ``timestamptz`` to Python needs pytz, which turnaround does not
depend on, so rows holding one are fetched through Arrow (which uses ``zoneinfo``) instead.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

import duckdb

from turnaround.errors import BackendError, ConfigError

if TYPE_CHECKING:
    # Annotations only: pyarrow costs more to import than the CLI takes to start.
    import pandas as pd
    import pyarrow as pa

Params = Sequence[Any] | dict[str, Any] | None

_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]*")

# The zone every connection reads and writes times in; people see Europe/London at the edges.
STORE_TIME_ZONE = "UTC"


def _has_zoned_times(cursor: duckdb.DuckDBPyConnection) -> bool:
    """Whether a result has a ``timestamptz`` column (alone or inside a list or struct)."""
    return any("WITH TIME ZONE" in str(column[1]) for column in cursor.description or ())


def _arrow_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """The rows of an Arrow table as tuples, as DuckDB's ``fetchall`` would give them."""
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


@runtime_checkable
class Backend(Protocol):
    """What a stage may ask of an engine."""

    def execute(self, sql: str, params: Params = None, *, step: str = "") -> None:
        """Run a statement for its effect."""

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table (or data frame) queryable under ``name`` (a view, not a copy)."""

    def table_exists(self, name: str) -> bool:
        """Say whether a table or view called ``name`` exists."""

    def fetch_arrow(self, sql: str, params: Params = None, *, step: str = "") -> pa.Table:
        """Run a query and return its result as Arrow."""


class DuckDBBackend:
    """Backend over one DuckDB connection; every statement's errors carry the step and the SQL."""

    def __init__(self, path: Path | str = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        self._depth = 0
        try:
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise BackendError(f"opening the store {self.path}", exc) from None
        # DuckDB starts in the machine's zone, the one naive times were written in before
        # migration 0010; the store then reads and writes in UTC.
        self.machine_time_zone = str(
            self.scalar("select current_setting('TimeZone')", step="reading the time zone")
        )
        self._set_time_zone(STORE_TIME_ZONE)

    def _set_time_zone(self, zone: str) -> None:
        # A session setting: each cursor starts from the machine's zone, so each sets it again.
        # Written into the statement, not bound: a zone is a name checked against the shape
        # of one, and a bound parameter would make DuckDB's client import pandas (duckdb#18658)
        # whenever a store opens, which every CLI command would pay for.
        if not _ZONE_NAME.fullmatch(zone):
            raise ConfigError(f"{zone!r} is not a time zone name such as UTC or Europe/London")
        self._run(f"set TimeZone = '{zone}'", None, f"setting the time zone to {zone}", "")

    @contextmanager
    def in_time_zone(self, zone: str) -> Iterator[None]:
        """Run a block with this connection's times read and written in ``zone``, then UTC."""
        self._set_time_zone(zone)
        try:
            yield
        finally:
            self._set_time_zone(STORE_TIME_ZONE)

    # --- statements -------------------------------------------------------------------------

    def _run(self, sql: str, params: Params, step: str, default: str) -> duckdb.DuckDBPyConnection:
        try:
            return self._con.execute(sql, params)
        except duckdb.Error as exc:
            raise BackendError(step or default, exc, sql) from None

    def execute(self, sql: str, params: Params = None, *, step: str = "") -> None:
        """Run a statement for its effect."""
        self._run(sql, params, step, "running SQL")

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], *, step: str = "") -> None:
        """Run one statement once for each row of parameters."""
        if not rows:
            return
        try:
            self._con.executemany(sql, rows)
        except duckdb.Error as exc:
            raise BackendError(step or "running SQL", exc, sql) from None

    def fetchall(self, sql: str, params: Params = None, *, step: str = "") -> list[tuple[Any, ...]]:
        """Run a query and return every row as a tuple."""
        cursor = self._run(sql, params, step, "running a query")
        try:
            if _has_zoned_times(cursor):
                return _arrow_rows(cursor.to_arrow_table())
            return cursor.fetchall()
        except duckdb.Error as exc:
            raise BackendError(step or "running a query", exc, sql) from None

    def fetchone(
        self, sql: str, params: Params = None, *, step: str = ""
    ) -> tuple[Any, ...] | None:
        """Run a query and return its first row, or None when it has none."""
        cursor = self._run(sql, params, step, "running a query")
        try:
            if _has_zoned_times(cursor):
                import pyarrow as pa  # only here: the CLI's start-up does not pay for it

                for batch in cursor.to_arrow_reader(1):
                    if batch.num_rows:
                        return _arrow_rows(pa.Table.from_batches([batch]))[0]
                return None
            return cursor.fetchone()
        except duckdb.Error as exc:
            raise BackendError(step or "running a query", exc, sql) from None

    def scalar(self, sql: str, params: Params = None, *, step: str = "") -> Any:
        """Run a query and return the first column of its first row (None when it has no row)."""
        row = self.fetchone(sql, params, step=step)
        return None if row is None else row[0]

    def fetch_arrow(self, sql: str, params: Params = None, *, step: str = "") -> pa.Table:
        """Run a query and return its result as Arrow."""
        cursor = self._run(sql, params, step, "running a query")
        try:
            return cursor.to_arrow_table()
        except duckdb.Error as exc:
            raise BackendError(step or "running a query", exc, sql) from None

    def fetch_df(self, sql: str, params: Params = None, *, step: str = "") -> pd.DataFrame:
        """Run a query and return its result as a pandas data frame."""
        cursor = self._run(sql, params, step, "running a query")
        try:
            if _has_zoned_times(cursor):
                # DuckDB's own path for zoned times warns under pandas 3; Arrow's does not.
                return cursor.to_arrow_table().to_pandas()
            return cursor.df()
        except duckdb.Error as exc:
            raise BackendError(step or "running a query", exc, sql) from None

    # --- tables -----------------------------------------------------------------------------

    def register(self, name: str, table: Any) -> None:
        """Make an Arrow table or a data frame queryable under ``name``."""
        try:
            self._con.register(name, table)
        except duckdb.Error as exc:
            raise BackendError(f"registering {name}", exc) from None

    def unregister(self, name: str) -> None:
        """Forget a table made queryable with ``register``."""
        try:
            self._con.unregister(name)
        except duckdb.Error as exc:
            raise BackendError(f"unregistering {name}", exc) from None

    @contextmanager
    def registered(self, name: str, table: Any) -> Iterator[str]:
        """Make ``table`` queryable as ``name`` for the length of a block."""
        self.register(name, table)
        try:
            yield name
        finally:
            self.unregister(name)

    def table_exists(self, name: str) -> bool:
        """Say whether a table or view called ``name`` exists."""
        # No bound parameter: binding one makes DuckDB's Python client import pandas (upstream
        # duckdb#18658), and this runs whenever a store opens, so every command would pay for it.
        rows = self.fetchall(
            "select table_name from information_schema.tables", step=f"looking for table {name}"
        )
        return any(row[0] == name for row in rows)

    # --- transactions and sessions ----------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """Whether a ``transaction`` block is open on this connection."""
        return self._depth > 0

    @contextmanager
    def transaction(self, step: str) -> Iterator[DuckDBBackend]:
        """Run a block as one transaction: all of it lands, or none of it does.

        A transaction opened inside another joins it (DuckDB has no savepoints): the outer
        block decides whether everything commits, and an error anywhere rolls back the lot.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._run("begin transaction", None, step, "starting a transaction")
        self._depth = 1
        try:
            yield self
        except BaseException as exc:
            self._depth = 0
            self._con.execute("rollback")
            if isinstance(exc, duckdb.Error):
                raise BackendError(step, exc) from None
            raise
        else:
            self._depth = 0
            self._run("commit", None, step, "committing")

    def cursor(self) -> Self:
        """The same database over a connection of its own, for one thread or request."""
        scoped = copy.copy(self)
        scoped._con = self._con.cursor()
        scoped._depth = 0
        scoped._set_time_zone(STORE_TIME_ZONE)
        return scoped

    def duckdb_connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection itself, for a library that needs it (Splink's DuckDB API)."""
        return self._con

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
