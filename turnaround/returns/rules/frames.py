"""Build small canonical tables by hand, for tests, examples and fixtures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from turnaround.errors import InputError
from turnaround.returns.canonical import SPECS
from turnaround.returns.model import (
    FILE_COLUMN,
    LOCATION_COLUMNS,
    RECORD_COLUMN,
    ROW_COLUMN,
    WHERE_COLUMN,
    ReturnData,
    ReturnKind,
)

_DTYPES = {"date": "datetime64[ns]", "int": "Int64", "bool": "boolean", "code": "string",
           "text": "string"}  # fmt: skip


def canonical_frame(kind: str, table: str, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A canonical table from row dicts; absent columns are NA, dates may be ISO strings.

    Each row gets ``_file`` ``<table>.csv``, ``_row`` its line (header is line 1), and that line
    as its ``_record`` and ``_where`` ('row 2'), as a CSV reader gives them.
    """
    spec = SPECS[kind][table]
    unknown = {c for row in rows for c in row} - set(spec) - set(LOCATION_COLUMNS)
    if unknown:
        raise InputError(f"{kind}.{table} has no column(s) {sorted(unknown)}")
    columns: dict[str, pd.Series] = {}
    for column, column_type in spec.items():
        values = [row.get(column) for row in rows]
        if column_type == "date":
            columns[column] = pd.Series(
                pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]"
            )
        else:
            columns[column] = pd.Series(values, dtype=_DTYPES[column_type])
    columns[FILE_COLUMN] = pd.Series(
        [row.get(FILE_COLUMN, f"{table}.csv") for row in rows], dtype="string"
    )
    lines = [row.get(ROW_COLUMN, i + 2) for i, row in enumerate(rows)]
    columns[ROW_COLUMN] = pd.Series(lines, dtype="Int64")
    columns[RECORD_COLUMN] = pd.Series(
        [row.get(RECORD_COLUMN, line) for row, line in zip(rows, lines, strict=True)],
        dtype="Int64",
    )
    columns[WHERE_COLUMN] = pd.Series(
        [row.get(WHERE_COLUMN, f"row {line}") for row, line in zip(rows, lines, strict=True)],
        dtype="string",
    )
    return pd.DataFrame(columns)


def canonical_return(
    kind: ReturnKind, year: int, tables: Mapping[str, Sequence[Mapping[str, Any]]]
) -> ReturnData:
    """A ReturnData from row dicts per table."""
    frames = {name: canonical_frame(kind, name, rows) for name, rows in tables.items()}
    return ReturnData(kind=kind, year=year, tables=frames, sources=[])
