"""Read Ofsted's Annex A workbook (lists 1-11) into canonical tables.

Tolerant of structure, strict about content:

- Each list's sheet is found by its 'List N' prefix, so 'List 3 - Referrals', 'List 3' and
  'list 03 referrals' all match. Its headings are the row, of its first few, that names the
  most of the list's columns, so a title or a note above them is passed over.
- Headings match ignoring case, spacing and punctuation (``schema.normal_name``), or by a known
  alias kept as data (``schema/data/annex_a/aliases.yaml``: 'Age' for 'Age of Child (Years)').
- A missing column whose values may be blank is read as blank, with a query (S-COLUMN) naming
  every such column of the sheet. Headings the template does not know are kept aside as read
  (``ReturnData.extras``), with a query; they never refuse the workbook.
- Ages Excel computed as fractions of a year (7.5) are read as whole years, rounded down, with
  one query per list (S-AGE) saying how many were.
- A workbook is refused only for what makes a list unreadable: a missing sheet, a missing column
  whose values are required (Child Unique ID), or a heading that appears twice. Every such
  problem in the workbook is gathered into one InputError, each naming its sheet and column.
- Dates may be real Excel dates, serial numbers or dd/mm/yyyy text; all become dd/mm/yyyy
  strings before the structural checks. Failures name fields by the template's headings.

The year is ``--year``, else read from the workbook's activity dates (every date but dates of
birth) by ``detect.read_year``, with a year in the file or folder name in support.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from python_calamine import CalamineWorkbook

from turnaround.errors import InputError
from turnaround.returns.model import FILE_COLUMN, ROW_COLUMN, Failure, ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, read_bytes
from turnaround.returns.schema import (
    BASE_YEAR,
    Aliases,
    ColumnSchema,
    ReturnSchema,
    TableSchema,
    aliases_for,
    normal_name,
    schema_for,
)
from turnaround.returns.structural import to_canonical

_EXCEL_EPOCH = datetime(1899, 12, 30)
_MAX_UNZIPPED = 20
"""A workbook may unzip to at most this many times its own size (a zip bomb guard)."""
_AGE = "age"
"""The canonical column holding a child's age in whole years."""
_HEADER_ROWS = 10
"""Headings are looked for in this many of a sheet's first rows with anything in them."""
_FRACTION = re.compile(r"^\s*\d+\.\d+\s*$")


@dataclass(frozen=True)
class _Sheet:
    """One list's sheet as read: its name, its headings and its non-blank rows with their lines."""

    name: str
    header: list[str]
    rows: list[list[Any]]
    lines: list[int]
    _texts: dict[tuple[int, str], list[str | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @functools.cached_property
    def _columns(self) -> list[tuple[Any, ...]]:
        # Transposed once: reading a list column by column is far cheaper than row by row.
        return list(itertools.zip_longest(*self.rows, fillvalue=None))

    def column(self, at: int | None) -> Sequence[Any]:
        """Column ``at``'s cells, one a row (None where a row is too short, or no column)."""
        if at is None or at >= len(self._columns):
            return [None] * len(self.rows)
        return self._columns[at]

    def texts(self, at: int | None, col_type: str) -> list[str | None]:
        """Column ``at``'s cells as text (``_as_text``), read once per column and type."""
        key = (-1 if at is None else at, col_type)
        if key not in self._texts:
            self._texts[key] = _texts(self.column(at), col_type)
        return self._texts[key]


@dataclass(frozen=True)
class _Fit:
    """How one sheet's headings meet its list's columns."""

    positions: dict[str, int]  # column name -> the index of its heading in the sheet
    missing: list[ColumnSchema]  # absent, and its values may be blank
    missing_required: list[ColumnSchema]  # absent, and its values are required
    extra: list[tuple[int, str]]  # (index, heading) of headings the template does not know
    repeated: list[str]  # headings found more than once for one column


def read_annex_a(
    path: Path, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One Annex A workbook as canonical tables and its structural failures."""
    data = read_bytes(path, max_bytes)
    _check_zip(path, len(data), max_bytes)
    sheet_names, cells = _read_workbook(path)
    # The layout to read by, first: the given year, a year in the name, or the base layout;
    # then the dates decide the year (read_year), and the workbook is refitted if its layout
    # or aliases differ.
    provisional = year or detect.year_from_path(path) or BASE_YEAR
    schema = schema_for("annex_a", provisional)
    aliases = aliases_for("annex_a", schema.year)
    fits = _fit_workbook(path, sheet_names, cells, schema, aliases)
    reading = detect.read_year(
        _activity_dates(schema, fits),
        names=detect.path_names(path),
        given=year,
        what="dates (all but dates of birth)",
        path=path,
    )
    claimed = reading.year
    if claimed != provisional:
        later, later_aliases = schema_for("annex_a", claimed), aliases_for("annex_a", claimed)
        if later.tables != schema.tables or later_aliases != aliases:
            fits = _fit_workbook(path, sheet_names, cells, later, later_aliases)
        schema = later
    label = f"{claimed - 1}-{claimed % 100:02d}"
    tables: dict[str, pd.DataFrame] = {}
    extras: dict[str, pd.DataFrame] = {}
    first = next(iter(schema.tables.values())).canonical
    failures: list[Failure] = [reading.failure(path.name, first)]
    for name, table in schema.tables.items():
        sheet, fit = fits[name]
        frame, found = _read_list(path, table, schema, sheet, fit, label)
        tables[table.canonical] = frame
        failures.extend(found)
        extra = _kept_aside(path, sheet, fit)
        if extra is not None:
            extras[table.canonical] = extra
    return ReturnData(
        kind="annex_a",
        year=claimed,
        tables=tables,
        sources=[path],
        failures=failures,
        extras=extras,
    )


def _read_workbook(path: Path) -> tuple[list[str], dict[int, tuple[str, list[list[Any]]]]]:
    """The workbook's sheet names and, for each list number, its sheet's name and cells."""
    try:
        # calamine (Rust) reads a Birmingham-scale workbook about twenty times faster than
        # openpyxl; it gives dates as datetime objects and empty cells as "".
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own error types for a broken workbook
        raise InputError(
            f"not a readable Excel workbook ({type(exc).__name__})", path=path
        ) from None
    cells: dict[int, tuple[str, list[list[Any]]]] = {}
    try:
        for name in sheet_names:
            number = _list_number(name)
            if number is not None and number not in cells:
                sheet = workbook.get_sheet_by_name(name)
                cells[number] = (name, sheet.to_python(skip_empty_area=False))
    finally:
        workbook.close()
    return sheet_names, cells


def _fit_workbook(
    path: Path,
    sheet_names: list[str],
    cells: dict[int, tuple[str, list[list[Any]]]],
    schema: ReturnSchema,
    aliases: Aliases,
) -> dict[str, tuple[_Sheet, _Fit]]:
    """Each list's sheet and how its headings fit, refusing every unreadable list at once."""
    problems: list[str] = []
    fits: dict[str, tuple[_Sheet, _Fit]] = {}
    for name, table in schema.tables.items():
        number = _list_number(table.sheet or name)
        if number not in cells:
            problems.append(
                f"no sheet {table.sheet!r} (the workbook has: {', '.join(sheet_names)})"
            )
            continue
        sheet = _sheet(*cells[number], table, aliases)
        fit = _fit(sheet.header, table, aliases)
        problems.extend(_fit_problems(sheet, fit))
        fits[name] = (sheet, fit)
    if problems:
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        raise InputError(count + "; ".join(problems), path=path)
    return fits


def _sheet(name: str, cells: list[list[Any]], table: TableSchema, aliases: Aliases) -> _Sheet:
    """A sheet's headings and the rows below them.

    The headings are the row, of the first few with anything in them, that names the most of
    the list's columns: a title or a note above them is passed over.
    """
    filled = [i for i, row in enumerate(cells) if not _blank(row)]
    start = max(
        filled[:_HEADER_ROWS],
        key=lambda i: (len(_fit(_headings(cells[i]), table, aliases).positions), -i),
        default=len(cells),
    )
    header = _headings(cells[start]) if start < len(cells) else []
    rows: list[list[Any]] = []
    lines: list[int] = []
    for index in filled:
        if index > start:
            rows.append(cells[index])
            lines.append(index + 1)  # calamine's cells start at A1: lines are Excel's rows
    return _Sheet(name=name, header=header, rows=rows, lines=lines)


def _headings(row: list[Any]) -> list[str]:
    header = [_heading(h) for h in row]
    while header and header[-1] == "":
        header.pop()
    return header


def _fit(header: list[str], table: TableSchema, aliases: Aliases) -> _Fit:
    """Match a sheet's headings to its list's columns, by heading, canonical name or alias."""
    names: dict[str, str] = {}
    for column in table.columns:
        names[normal_name(column.name)] = column.name
        names[normal_name(column.heading or column.name)] = column.name
    found: dict[str, list[int]] = {}
    extra: list[tuple[int, str]] = []
    for index, heading in enumerate(header):
        if heading == "":
            continue
        name = names.get(normal_name(heading)) or aliases.column(table.name, heading)
        if name is None or name not in names.values():
            extra.append((index, heading))
        else:
            found.setdefault(name, []).append(index)
    absent = [c for c in table.columns if c.name not in found]
    return _Fit(
        positions={c: at[0] for c, at in found.items()},
        missing=[c for c in absent if not c.required],
        missing_required=[c for c in absent if c.required],
        extra=extra,
        repeated=[
            " and ".join(repr(header[i]) for i in at) for at in found.values() if len(at) > 1
        ],
    )


def _fit_problems(sheet: _Sheet, fit: _Fit) -> list[str]:
    """What makes a sheet unreadable, one line each, naming the sheet and the column."""
    if not sheet.header:
        return []  # an empty sheet is an empty list (a query), not a broken one
    problems = [
        f"sheet {sheet.name!r}: no column {_heading_of(c)!r}, whose values are required"
        for c in fit.missing_required
    ]
    problems += [f"sheet {sheet.name!r}: columns {r} are the same column" for r in fit.repeated]
    return problems


def _read_list(
    path: Path,
    table: TableSchema,
    schema: ReturnSchema,
    sheet: _Sheet,
    fit: _Fit,
    label: str,
) -> tuple[pd.DataFrame, list[Failure]]:
    """One list as its canonical frame, with its structural failures and queries."""
    failures = _layout_notes(path, table, sheet, fit, label)
    columns: dict[str, list[str | None]] = {}
    floored: list[Any] = []
    for column in table.columns:
        at = fit.positions.get(column.name)
        if column.canonical == _AGE:
            raw, floored = _floor_ages(sheet.column(at))
            columns[_heading_of(column)] = _texts(raw, column.type)
        else:
            columns[_heading_of(column)] = sheet.texts(at, column.type)
    if floored:
        failures.append(_ages_note(path, table, sheet, fit, floored))
    # Checked under the template's headings, so failures name fields as the workbook does.
    named = replace(table, columns=tuple(replace(c, name=_heading_of(c)) for c in table.columns))
    child = next((_heading_of(c) for c in table.columns if c.canonical == "child_id"), None)
    frame, found = to_canonical(
        pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()}),
        named,
        schema,
        file=path.name,
        rows=np.array(sheet.lines, dtype=np.int64),
        child_column=child,
        canonical_spec={c.canonical: c.type for c in table.columns},
    )
    return frame, failures + found


def _floor_ages(values: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """Ages with fractions of a year rounded down to whole years, and the values that had them."""
    out: list[Any] = []
    floored: list[Any] = []
    for value in values:
        number = _fraction(value)
        if number is None:
            out.append(value)
        else:
            out.append(math.floor(number))
            floored.append(value)
    return out, floored


def _fraction(value: Any) -> float | None:
    """A non-negative number with a fractional part (7.5, '7.5'), else None."""
    if isinstance(value, float) and math.isfinite(value) and not value.is_integer() and value >= 0:
        return value
    if isinstance(value, str) and _FRACTION.match(value):
        number = float(value)
        return None if number.is_integer() else number
    return None


def _layout_notes(
    path: Path, table: TableSchema, sheet: _Sheet, fit: _Fit, label: str
) -> list[Failure]:
    """Queries for an empty sheet, columns read as blank and headings kept aside."""
    list_name = (table.sheet or table.name).split(" - ")[0]
    if not sheet.header:
        message = f"sheet {sheet.name!r} is empty; read as an empty {list_name}"
        return [_note(path, table, None, "S-TABLE", message)]
    notes = []
    if fit.missing:
        headings = ", ".join(repr(_heading_of(c)) for c in fit.missing)
        plural = "s" if len(fit.missing) > 1 else ""
        notes.append(
            _note(
                path,
                table,
                _heading_of(fit.missing[0]),
                "S-COLUMN",
                f"sheet {sheet.name!r} has no column{plural} {headings} (the {label} "
                f"{list_name} has {'them' if plural else 'it'}); read as blank",
            )
        )
    if fit.extra:
        headings = ", ".join(repr(h) for _, h in fit.extra)
        notes.append(
            _note(
                path,
                table,
                None,
                "S-COLUMN",
                f"sheet {sheet.name!r}: columns {headings} are not in the {label} {list_name}; "
                "kept aside as read, not checked",
            )
        )
    return notes


def _ages_note(
    path: Path, table: TableSchema, sheet: _Sheet, fit: _Fit, floored: list[Any]
) -> Failure:
    column = table.column(_AGE)
    heading = sheet.header[fit.positions[column.name]]
    example = float(floored[0])
    return _note(
        path,
        table,
        _heading_of(column),
        "S-AGE",
        f"sheet {sheet.name!r}: {len(floored)} of {len(sheet.rows)} ages in {heading!r} were "
        f"fractions of a year (such as {example:.2f}); read as whole years, rounded down",
    )


def _note(path: Path, table: TableSchema, field: str | None, rule: str, message: str) -> Failure:
    return Failure.about_file(path.name, table.canonical, rule, message, field=field)


def _kept_aside(path: Path, sheet: _Sheet, fit: _Fit) -> pd.DataFrame | None:
    """The sheet's unknown columns as read, with each row's file and line, or None if none.

    A column with no heading is kept too if anything is written in it, named by its letter.
    """
    named = dict(fit.extra)
    used = set(fit.positions.values()) | set(named)
    width = max((len(row) for row in sheet.rows), default=0)
    for index in range(width):
        if index not in used and any(v not in (None, "") for v in sheet.column(index)):
            named[index] = f"(column {_letter(index)})"
    if not named:
        return None
    frame = pd.DataFrame(
        {
            heading: pd.Series(sheet.texts(i, "text"), dtype="string")
            for i, heading in sorted(named.items())
        }
    )
    frame[FILE_COLUMN] = pd.Series([path.name] * len(frame), dtype="string")
    frame[ROW_COLUMN] = np.array(sheet.lines, dtype=np.int64)
    return frame


def _activity_dates(schema: ReturnSchema, fits: dict[str, tuple[_Sheet, _Fit]]) -> pd.Series:
    """Every date in the workbook but dates of birth: the evidence for its collection year."""
    found: list[datetime] = []
    parsed: dict[str | None, datetime | None] = {}  # the same dates recur down a column
    for name, (sheet, fit) in fits.items():
        for column in schema.tables[name].columns:
            at = fit.positions.get(column.name)
            if column.type != "date" or column.canonical == "dob" or at is None:
                continue
            for text in sheet.texts(at, "date"):
                if text not in parsed:
                    parsed[text] = _parse_date(text)
                day = parsed[text]
                if day is not None:
                    found.append(day)
    return pd.Series(found, dtype="datetime64[ns]")


def _parse_date(text: str | None) -> datetime | None:
    """A dd/mm/yyyy date within 1900-2100 (what a nanosecond date holds), else None."""
    try:
        parsed = datetime.strptime(text or "", "%d/%m/%Y")
    except ValueError:
        return None
    return parsed if 1900 <= parsed.year <= 2100 else None


@functools.lru_cache(maxsize=65_536)
def _ddmmyyyy(value: date) -> str:
    # The same few thousand dates recur across a workbook's many rows.
    return value.strftime("%d/%m/%Y")


def _texts(values: Iterable[Any], col_type: str) -> list[str | None]:
    """Each cell as ``_as_text`` reads it, a column at a time.

    Text is read as it is; other cells are read once per distinct (type, value), so True, 1
    and 1.0 stay apart. A float zero is read each time, as -0.0 and 0.0 are equal but read
    differently as dates.
    """
    seen: dict[tuple[type, Any], str | None] = {}
    out: list[str | None] = []
    for value in values:
        kind = value.__class__
        if kind is str:
            out.append(value or None)
        elif kind is float and value == 0:
            out.append(_as_text(value, col_type))
        else:
            key = (kind, value)
            if key not in seen:
                seen[key] = _as_text(value, col_type)
            out.append(seen[key])
    return out


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


def _heading_of(column: ColumnSchema) -> str:
    return column.heading or column.name


def _heading(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _blank(row: list[Any] | None) -> bool:
    return row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _list_number(name: str) -> int | None:
    match = re.match(r"\s*list\s*0*(\d+)\b", name, re.IGNORECASE)
    return int(match.group(1)) if match else None


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
