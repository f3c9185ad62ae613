"""Read Ofsted's Annex A workbook (lists 1-11) into canonical tables.

Each list's sheet is found by its 'List N' prefix, so 'List 3 - Referrals' and 'List 3
Referrals' both match; a sheet renamed beyond that is refused, naming the sheet we expected.
Headings are matched ignoring case, spacing and punctuation. Dates may be real Excel dates,
serial numbers or dd/mm/yyyy text; all become dd/mm/yyyy strings before the structural checks.
"""

from __future__ import annotations

import functools
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from python_calamine import CalamineWorkbook

from turnaround.errors import InputError
from turnaround.returns.model import Failure, ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, read_bytes
from turnaround.returns.schema import TableSchema, schema_for
from turnaround.returns.structural import to_canonical

_EXCEL_EPOCH = datetime(1899, 12, 30)
_MAX_UNZIPPED = 20
"""A workbook may unzip to at most this many times its own size (a zip bomb guard)."""


def read_annex_a(
    path: Path, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One Annex A workbook as canonical tables and its structural failures."""
    data = read_bytes(path, max_bytes)
    _check_zip(path, len(data), max_bytes)
    try:
        # calamine (Rust) reads a Birmingham-scale workbook about twenty times faster than
        # openpyxl; it gives dates as datetime objects and empty cells as "".
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own error types for a broken workbook
        raise InputError(
            f"not a readable Excel workbook ({type(exc).__name__})", path=path
        ) from None
    claimed = year or detect.year_from_path(path)  # the layout to read by; read_year decides
    try:
        schema = schema_for("annex_a", claimed or 2014)
        sheets = {_list_number(name): name for name in sheet_names}
        raws: dict[str, tuple[TableSchema, list[list[Any]], list[int]]] = {}
        for name, table in schema.tables.items():
            number = _list_number(table.sheet or name)
            if number not in sheets:
                raise InputError(
                    f"no sheet {table.sheet!r} (the workbook has: {', '.join(sheet_names)})",
                    path=path,
                )
            sheet_name = sheets[number]
            cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            raws[name] = (table, *_sheet_rows(cells, table, path, sheet_name))
    finally:
        workbook.close()
    dates = _all_dates(raws)
    reading = detect.read_year(
        dates, names=detect.path_names(path), given=year, what="dates", path=path
    )
    if reading.year != claimed:
        claimed = reading.year
        schema = schema_for("annex_a", claimed)
    tables: dict[str, pd.DataFrame] = {}
    failures: list[Failure] = [
        reading.failure(path.name, next((t.canonical for t, _, _ in raws.values()), ""))
    ]
    for name, (table, rows, lines) in raws.items():
        raw = pa.table(
            {
                c.name: pa.array([_as_text(r[i], c.type) for r in rows], pa.string())
                for i, c in enumerate(table.columns)
            }
        )
        frame, found = to_canonical(
            raw,
            table,
            schema,
            file=path.name,
            rows=np.array(lines, dtype=np.int64),
            child_column="child_id" if "child_id" in raw.column_names else None,
            canonical_spec={c.canonical: c.type for c in table.columns},
        )
        tables[name] = frame
        failures.extend(found)
    return ReturnData(
        kind="annex_a", year=claimed, tables=tables, sources=[path], failures=failures
    )


def _sheet_rows(
    cells: list[list[Any]], table: TableSchema, path: Path, sheet_name: str
) -> tuple[list[list[Any]], list[int]]:
    rows = iter(cells)
    header = next(rows, None)
    if header is None:
        raise InputError(f"sheet {sheet_name!r} is empty (no headings)", path=path)
    found = [_key(h) for h in header]
    while found and found[-1] == "":
        found.pop()
    wanted = [_key(c.heading or c.name) for c in table.columns]
    missing = [
        c.heading or c.name for c, k in zip(table.columns, wanted, strict=True) if k not in found
    ]
    extra = [str(h) for h, k in zip(header, found, strict=False) if k and k not in wanted]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing columns {', '.join(repr(m) for m in missing)}")
        if extra:
            parts.append(f"unknown columns {', '.join(repr(x) for x in extra)}")
        raise InputError(f"sheet {sheet_name!r}: {' and '.join(parts)}", path=path)
    positions = [found.index(k) for k in wanted]
    out: list[list[Any]] = []
    lines: list[int] = []
    for number, row in enumerate(rows, start=2):
        if row is None or all(v is None or v == "" for v in row):
            continue
        values = [row[p] if p < len(row) else None for p in positions]
        out.append(values)
        lines.append(number)
    return out, lines


@functools.lru_cache(maxsize=65_536)
def _ddmmyyyy(value: date) -> str:
    # The same few thousand dates recur across a workbook's many rows.
    return value.strftime("%d/%m/%Y")


def _as_text(value: Any, col_type: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return _ddmmyyyy(value)
    if col_type == "date" and isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value < 2_958_466:  # Excel's last day, 31/12/9999
            return (_EXCEL_EPOCH + timedelta(days=int(value))).strftime("%d/%m/%Y")
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _all_dates(raws: dict[str, tuple[TableSchema, list[list[Any]], list[int]]]) -> pd.Series:
    """Every date in the workbook's date columns, parsed at once (for reading its year)."""
    texts = [
        _as_text(r[i], "date")
        for table, rows, _ in raws.values()
        for i, c in enumerate(table.columns)
        if c.type == "date"
        for r in rows
    ]
    return pd.to_datetime(
        pd.Series([t for t in texts if t], dtype=object), format="%d/%m/%Y", errors="coerce"
    )


def _list_number(name: str) -> int | None:
    match = re.match(r"\s*list\s*0*(\d+)\b", name, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _key(heading: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(heading or "").lower())


def _check_zip(path: Path, size: int, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError(
            "not an Excel workbook (.xlsx); save it as an Excel workbook", path=path
        ) from None
    if unpacked > max(_MAX_UNZIPPED * size, max_bytes):
        raise InputError("workbook unpacks to far more than its size; refused as unsafe", path=path)
