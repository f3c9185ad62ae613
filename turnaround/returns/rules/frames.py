"""Build small canonical tables by hand, for tests, examples and fixtures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from turnaround.errors import InputError
from turnaround.returns.canonical import SPECS
from turnaround.returns.model import FILE_COLUMN, ROW_COLUMN, ReturnData, ReturnKind

_DTYPES = {"date": "datetime64[ns]", "int": "Int64", "bool": "boolean", "code": "string",
           "text": "string"}  # fmt: skip


def canonical_frame(kind: str, table: str, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A canonical table from row dicts; absent columns are NA, dates may be ISO strings.

    Each row gets ``_file`` ``<table>.csv`` and ``_row`` its line (header is line 1).
    """
    spec = SPECS[kind][table]
    unknown = {c for row in rows for c in row} - set(spec) - {FILE_COLUMN, ROW_COLUMN}
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
    columns[ROW_COLUMN] = pd.Series(
        [row.get(ROW_COLUMN, i + 2) for i, row in enumerate(rows)], dtype="Int64"
    )
    return pd.DataFrame(columns)


def canonical_return(
    kind: ReturnKind, year: int, tables: Mapping[str, Sequence[Mapping[str, Any]]]
) -> ReturnData:
    """A ReturnData from row dicts per table."""
    frames = {name: canonical_frame(kind, name, rows) for name, rows in tables.items()}
    return ReturnData(kind=kind, year=year, tables=frames, sources=[])
