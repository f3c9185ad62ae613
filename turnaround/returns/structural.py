"""Structural checks: does each value have the shape and code its year's schema asks for?

Readers hand over each table as strings (an Arrow table, null where an XML element was
absent) with the line each row came from. ``to_canonical`` checks every value at once with
Arrow compute kernels and returns the canonical typed frame (``canonical.py``) together with a
``Failure`` for every broken value. Rows are never dropped here: a bad value becomes NA in its
field and gets a failure; the loader decides what to do with the row.

Structural rule codes:

    S-REQUIRED    a value the return requires is blank
    S-DATE        not a date in the return's format (dd/mm/yyyy; yyyy-mm-dd in CIN XML),
                  or not a real day (31/02/2014)
    S-DATE-EXCEL  a date re-saved by Excel: '2014-03-31 00:00:00', a serial number '41729',
                  or day and month without leading zeros or a two-digit year ('31/3/14')
    S-CODE        not in that collection year's code list for the field
    S-TYPE        not a whole number where one is expected, or not a yes/no answer
    S-RANGE       a whole number outside the field's allowed range
    S-DUP         the same row appears more than once in a table (every field equal)
    S-BOM         (query) the file began with a UTF-8 byte-order mark, which was removed
    S-ELEMENT     (query) an XML element the year's layout does not know was ignored
    S-LAYOUT      (query) a block of a later year's layout was read with that layout and stored
                  (``read/cin_blocks.py``: pre-proceedings in a file older than 2026-27)
    S-COLUMNS     a CSV lacks columns whose values the return requires (one error per file,
                  naming them all); its rows are read with those fields blank
    S-COLUMN      (query) a CSV lacks columns that may be blank (read as blank), or has
                  columns the year's layout does not know (kept aside, not checked)
    S-TABLE       (query) a table of the year's layout is not in the return, or a file holds a
                  table the year does not have, or a table file is empty
    S-DATE-ISO    (query) a CSV writes its dates yyyy-mm-dd, not dd/mm/yyyy; read as such

A whole file of Excel-mangled dates is not a row problem but a re-saved file: it is refused
with one InputError (see ``refuse_excel_file``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from turnaround.errors import InputError
from turnaround.returns.model import (
    FILE_COLUMN,
    RECORD_COLUMN,
    ROW_COLUMN,
    WHERE_COLUMN,
    Failure,
)
from turnaround.returns.schema import (
    Aliases,
    ColumnSchema,
    ReturnSchema,
    TableSchema,
    normal_name,
)

_ARROW_FORMATS = {"dd/mm/yyyy": "%d/%m/%Y", "yyyy-mm-dd": "%Y-%m-%d"}
_SHAPES = {"%d/%m/%Y": r"^\d{2}/\d{2}/\d{4}$", "%Y-%m-%d": r"^\d{4}-\d{2}-\d{2}$"}
_DAY_MONTH = {"%d/%m/%Y": (0, 3), "%Y-%m-%d": (8, 5)}  # where day and month sit in the text
EXCEL_DATE = (
    r"^(\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?"  # ISO, often with midnight
    r"|\d{5}(\.0+)?"  # an Excel serial day
    r"|\d{1,2}/\d{1,2}/\d{2}"  # two-digit year
    r"|(\d/\d{1,2}|\d{2}/\d)/\d{4}"  # no leading zeros
    r"|\d{2}/\d{2}/\d{4} 00:00(:00)?)$"  # with a time
)
_TRUE = ["1", "TRUE", "Y", "YES"]
_FALSE = ["0", "FALSE", "N", "NO"]
_UNKNOWN = ["UNKNOWN", "NOT KNOWN", "U", "N/A", "NA"]
_SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}
_PANDAS_TYPES = {
    pa.string(): pd.StringDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_ARROW_TYPES: dict[str, pa.DataType] = {
    "date": pa.timestamp("ns"),
    "code": pa.string(),
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
}


@dataclass(frozen=True)
class HeaderMatch:
    """How a file's header row lines up with its table's columns in one collection year."""

    columns: dict[str, str]  # header name as written -> the schema column it holds
    extra: list[str]  # header names the year's layout does not know, as written
    missing: list[str]  # schema columns the header lacks whose values may be blank
    missing_required: list[str]  # schema columns the header lacks whose values are required


def column_for(name: str, table: TableSchema, aliases: Aliases) -> str | None:
    """The schema column a header name stands for: by its own name or a known alias.

    Names match ignoring case, spaces and punctuation (``normal_name``): ' decom', 'Decom' and
    'DECOM' are all DECOM.
    """
    wanted = normal_name(name)
    for column in table.columns:
        if normal_name(column.name) == wanted:
            return column.name
    alias = aliases.column(table.name, name)
    return alias if alias in table.column_names else None


def check_header(
    header: Sequence[str], table: TableSchema, path: Path, aliases: Aliases | None = None
) -> HeaderMatch:
    """Match a header row to a table's columns, refusing only a column that appears twice.

    Extra and missing columns are not refused here: the reader keeps extra ones aside and reads
    missing ones as blank, reporting both (missing required columns as one error per file).
    """
    known = aliases or Aliases(tables={}, columns={})
    columns: dict[str, str] = {}
    extra: list[str] = []
    seen: dict[str, list[str]] = {}
    for name in header:
        column = column_for(name, table, known)
        if column is None:
            extra.append(name)
            seen.setdefault(normal_name(name) or name, []).append(name)
        else:
            columns[name] = column
            seen.setdefault(column, []).append(name)
    repeated = sorted(key for key, names in seen.items() if len(names) > 1)
    if repeated:
        raise InputError(f"columns appear more than once: {', '.join(repeated)}", path=path)
    present = set(columns.values())
    absent = [c for c in table.columns if c.name not in present]
    return HeaderMatch(
        columns=columns,
        extra=extra,
        missing=[c.name for c in absent if not c.required],
        missing_required=[c.name for c in absent if c.required],
    )


def to_canonical(
    raw: pa.Table,
    table: TableSchema,
    schema: ReturnSchema,
    *,
    file: str,
    rows: np.ndarray,
    child_column: str | None,
    canonical_spec: Mapping[str, str] | None = None,
    extra: dict[str, pa.Array] | None = None,
    records: np.ndarray | None = None,
    where: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[Failure]]:
    """Check one table's string columns and convert them to the canonical typed frame.

    ``raw`` holds a string column per schema column, named as ``column.name``; ``rows`` the
    line of each row; ``extra`` typed columns the reader made itself (CIN block numbers).
    ``records`` and ``where`` are each row's record key and place in its file (an XML
    reader's ordinals and element paths); a CSV's default to its line, and 'row N'.
    """
    fmt = _ARROW_FORMATS[schema.date_format]
    failures: list[Failure] = []
    children = _ChildIds(raw, child_column)
    keys = rows.astype("int64") if records is None else np.asarray(records, dtype="int64")
    places: _RowPlaces | list[str] = _RowPlaces(rows) if where is None else list(where)
    out: dict[str, pa.Array] = {}
    for column in table.columns:
        values = raw.column(column.name) if column.name in raw.column_names else None
        if values is None:
            values = pa.nulls(raw.num_rows, pa.string())
        values = pc.utf8_trim_whitespace(
            values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        )
        typed, problems = _convert(values, column, schema, fmt)
        out[column.canonical] = typed
        for rule, mask, message in problems:
            for i in np.flatnonzero(mask):
                failures.append(
                    Failure(
                        file=file,
                        row=int(rows[i]),
                        child_id=children[int(i)],
                        table=table.canonical,
                        field=column.dfe_name,
                        rule=rule,
                        message=message(values[i].as_py()),
                        where=places[int(i)],
                        record=int(keys[i]),
                    )
                )
    failures.extend(_duplicates(raw, table, file, rows, children, extra or {}, keys, places))
    if extra:
        out.update(extra)
    frame = pa.table(out).to_pandas(types_mapper=_PANDAS_TYPES.get)
    if canonical_spec is not None:
        for name, col_type in canonical_spec.items():
            if name not in frame.columns:
                frame[name] = pd.Series(
                    pa.nulls(len(frame), _ARROW_TYPES[col_type]).to_pandas(
                        types_mapper=_PANDAS_TYPES.get
                    )
                )
        frame = frame[[*canonical_spec, *[c for c in frame.columns if c not in canonical_spec]]]
    # the bookkeeping columns built by Arrow: a list of 60,000 Python strings is slow to convert
    n = len(frame)
    frame[FILE_COLUMN] = _strings(pc.fill_null(pa.nulls(n, pa.string()), file), frame.index)
    frame[ROW_COLUMN] = rows.astype("int64")
    frame[RECORD_COLUMN] = keys
    frame[WHERE_COLUMN] = _strings(
        places.arrow() if isinstance(places, _RowPlaces) else pa.array(places, pa.string()),
        frame.index,
    )
    return frame, failures


def _strings(values: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(values.to_pandas(types_mapper=_PANDAS_TYPES.get).array, index=index)


class _RowPlaces:
    """'row N' for each row of a CSV, made only when a failure or the frame asks."""

    def __init__(self, rows: np.ndarray) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> str:
        return f"row {int(self._rows[i])}"

    def arrow(self) -> pa.Array:
        numbers = pc.cast(pa.array(self._rows.astype("int64")), pa.string())
        return pc.binary_join_element_wise("row ", numbers, "")


class _ChildIds:
    """Each row's child id (trimmed; blank is None), looked up only for rows that fail."""

    def __init__(self, raw: pa.Table, column: str | None) -> None:
        if column is None or column not in raw.column_names:
            self._values: pa.Array | None = None
        else:
            self._values = pc.utf8_trim_whitespace(raw.column(column).combine_chunks())

    def __getitem__(self, i: int) -> str | None:
        if self._values is None:
            return None
        return self._values[int(i)].as_py() or None


def refuse_excel_file(
    raw: pa.Table, table: TableSchema, schema: ReturnSchema, path: Path, rows: np.ndarray
) -> None:
    """Refuse a file whose dates were mostly re-saved by Excel, naming the first one."""
    if schema.date_format != "dd/mm/yyyy":
        return
    mangled = 0
    total = 0
    first: tuple[int, str, str] | None = None
    for column in table.columns:
        if column.type != "date" or column.name not in raw.column_names:
            continue
        values = pc.utf8_trim_whitespace(raw.column(column.name).combine_chunks())
        filled = pc.fill_null(pc.not_equal(values, ""), False)
        proper = pc.fill_null(pc.match_substring_regex(values, r"^\d{2}/\d{2}/\d{4}$"), False)
        total += pc.sum(filled).as_py() or 0
        odd = pc.and_(filled, pc.invert(proper))
        if not pc.any(odd).as_py():
            continue  # every date has the right shape: nothing can be Excel's doing
        excel = pc.and_(odd, pc.fill_null(pc.match_substring_regex(values, EXCEL_DATE), False))
        hits = np.flatnonzero(excel.to_numpy(zero_copy_only=False))
        mangled += len(hits)
        if len(hits) and first is None:
            first = (int(rows[hits[0]]), column.name, values[int(hits[0])].as_py())
    if first is not None and total and mangled * 2 >= total:
        row, field, value = first
        raise InputError(
            f"dates look re-saved by Excel ({mangled} of {total}, first {value!r}); "
            "export the return again as CSV with dates as dd/mm/yyyy",
            path=path,
            row=row,
            field=field,
        )


def _convert(
    values: pa.Array, column: ColumnSchema, schema: ReturnSchema, fmt: str
) -> tuple[pa.Array, list[tuple[str, np.ndarray, Callable[[object], str]]]]:
    blank = _mask(pc.or_kleene(pc.is_null(values), pc.equal(values, "")))
    problems: list[tuple[str, np.ndarray, Callable[[object], str]]] = []
    if column.required and blank.any():
        problems.append(("S-REQUIRED", blank, lambda _v: f"{column.dfe_name} is required"))
    filled = ~blank
    if column.type == "date":
        parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
        # Arrow's strptime rolls 31/02 over to 03/03, so keep only values of the exact shape
        # whose day and month read back unchanged (cheaper than formatting every date again).
        day_at, month_at = _DAY_MONTH[fmt]
        shaped = pc.and_kleene(pc.equal(pc.utf8_length(values), 10), pc.is_valid(parsed))
        text = pc.if_else(shaped, values, "01/01/2000" if fmt == "%d/%m/%Y" else "2000-01-01")
        day = pc.cast(pc.utf8_slice_codeunits(text, day_at, day_at + 2), pa.int64())
        month = pc.cast(pc.utf8_slice_codeunits(text, month_at, month_at + 2), pa.int64())
        same = _mask(
            pc.and_kleene(
                shaped,
                pc.and_kleene(pc.equal(pc.day(parsed), day), pc.equal(pc.month(parsed), month)),
            )
        )
        bad = filled & ~same
        if bad.any():
            # A value already in the return's own form (2013-02-30 in a CIN census) is an
            # impossible date, not one Excel rewrote.
            own_form = _mask(pc.match_substring_regex(values, _SHAPES[fmt]))
            excel = bad & _mask(pc.match_substring_regex(values, EXCEL_DATE)) & ~own_form
            other = bad & ~excel
            shown = schema.date_format
            if excel.any():
                problems.append(
                    (
                        "S-DATE-EXCEL",
                        excel,
                        lambda v: (
                            f"{column.dfe_name} {v!r} looks re-saved by Excel; write it as {shown}"
                        ),
                    )
                )
            if other.any():
                problems.append(
                    ("S-DATE", other, lambda v: f"{column.dfe_name} {v!r} is not a date ({shown})")
                )
        # A real date far outside the years children's services records cover (a typed year of
        # 1066) is reported, not loaded: it also lies outside what nanosecond dates can hold.
        year = pc.fill_null(pc.year(parsed), 2000).to_numpy(zero_copy_only=False)
        implausible = filled & same & ((year < 1900) | (year > 2100))
        if implausible.any():
            problems.append(
                (
                    "S-DATE",
                    implausible,
                    lambda v: f"{column.dfe_name} {v!r} is outside 1900-2100; check the year",
                )
            )
        typed = pc.if_else(pa.array(filled & same & ~implausible), parsed, None).cast(
            pa.timestamp("ns")
        )
        return typed, problems
    if column.type in ("code", "text"):
        text = pc.utf8_upper(values) if column.type == "code" else values
        keep = filled
        codes = schema.code_list(column)
        if codes is not None:
            known = _mask(pc.is_in(text, value_set=pa.array(sorted(codes), pa.string())))
            bad = filled & ~known
            if bad.any():
                year = f"{schema.year - 1}-{schema.year % 100:02d}"
                problems.append(
                    (
                        "S-CODE",
                        bad,
                        lambda v: f"{column.dfe_name} {v!r} is not a {year} code for this field",
                    )
                )
            keep = filled & known
        if column.canonical == "sex":
            text = pa.array([_SEX.get(v) if v else None for v in text.to_pylist()], pa.string())
        return pc.if_else(pa.array(keep), text, None), problems
    if column.type == "int":
        whole = _mask(pc.match_substring_regex(values, r"^[+-]?\d{1,15}$"))
        bad = filled & ~whole
        if bad.any():
            problems.append(
                ("S-TYPE", bad, lambda v: f"{column.dfe_name} {v!r} is not a whole number")
            )
        ok = filled & whole
        numbers = pc.if_else(pa.array(ok), values, None).cast(pa.int64())
        if column.min is not None or column.max is not None:
            low = column.min if column.min is not None else -(2**62)
            high = column.max if column.max is not None else 2**62
            inside = _mask(pc.and_(pc.greater_equal(numbers, low), pc.less_equal(numbers, high)))
            out = ok & ~inside
            if out.any():
                problems.append(
                    ("S-RANGE", out, lambda v: f"{column.dfe_name} {v!r} is outside {low}-{high}")
                )
            numbers = pc.if_else(pa.array(ok & inside), numbers, None)
        return numbers, problems
    # bool: '1'/'0', true/false, Y/N, and Annex A's labelled 'a) Yes' / 'b) No'.
    answer = pc.replace_substring_regex(pc.utf8_upper(values), r"^[A-Z]\)\s*", "")
    yes = _mask(pc.is_in(answer, value_set=pa.array(_TRUE)))
    no = _mask(pc.is_in(answer, value_set=pa.array(_FALSE)))
    unknown = _mask(pc.is_in(answer, value_set=pa.array(_UNKNOWN)))
    bad = filled & ~yes & ~no & ~unknown
    if bad.any():
        problems.append(
            ("S-TYPE", bad, lambda v: f"{column.dfe_name} {v!r} is not a yes/no answer")
        )
    flags = pa.array(np.where(yes | no, yes, False), pa.bool_())
    return pc.if_else(pa.array(yes | no), flags, None), problems


def _duplicates(
    raw: pa.Table,
    table: TableSchema,
    file: str,
    rows: np.ndarray,
    children: _ChildIds,
    keys: dict[str, pa.Array],
    records: np.ndarray,
    places: _RowPlaces | list[str],
) -> list[Failure]:
    if raw.num_rows < 2:
        return []
    names = [c for c in table.column_names if c in raw.column_names]
    # One key per row (fields joined by a separator no value contains), hashed once: much
    # faster than comparing every column of a wide frame.
    parts = [pc.fill_null(_as_string(raw.column(n)), "\x00") for n in names]
    parts += [pc.fill_null(_as_string(v), "\x00") for v in keys.values()]
    joined = pc.binary_join_element_wise(*parts, "\x1f")
    # hashed by Arrow: each row's key as a code, and a row repeats if its code came before
    codes = joined.dictionary_encode().indices.to_numpy()
    _, first = np.unique(codes, return_index=True)
    seen = np.ones(len(codes), dtype=bool)
    seen[first] = False
    repeated = np.flatnonzero(seen)
    return [
        Failure(
            file=file,
            row=int(rows[i]),
            child_id=children[int(i)],
            table=table.canonical,
            field=None,
            rule="S-DUP",
            message="this row repeats an earlier row exactly",
            where=places[int(i)],
            record=int(records[i]),
        )
        for i in repeated
    ]


def _as_string(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return array if pa.types.is_string(array.type) else pc.cast(array, pa.string())


def _mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)
