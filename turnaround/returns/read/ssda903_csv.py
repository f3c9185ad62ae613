"""Read the SSDA903 return from the CSVs councils export: one file per table.

Tolerant of structure, strict about content. Each file is checked for size and encoding and
identified by its name (``aliases.yaml``) or its header row; then read as strings by Arrow's CSV
reader and handed to ``structural`` to check and type. Any subset of the year's tables is read:
a missing table is a query, and rules that need it are reported as not run. Column names match
in any case, with stray spaces, or by a known alias; extra columns are kept aside (``extras``)
and reported; a missing column is read as blank (an error if its values are required). Dates
may be dd/mm/yyyy or yyyy-mm-dd, decided per file. An empty file is an empty table. Row numbers
are file lines, the header being line 1.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from turnaround.errors import InputError
from turnaround.returns import canonical
from turnaround.returns.model import FILE_COLUMN, ROW_COLUMN, Failure, ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, read_bytes, utf8_text
from turnaround.returns.schema import (
    BASE_YEAR,
    LATEST_YEAR,
    Aliases,
    ReturnSchema,
    TableSchema,
    aliases_for,
    normal_name,
    schema_for,
)
from turnaround.returns.structural import (
    check_header,
    column_for,
    refuse_excel_file,
    to_canonical,
)

ACTIVITY_DATES = {"Episodes": ("DECOM", "DEC"), "Reviews": ("REVIEW",), "Missing": ("MIS_START",)}
_ISO = r"^\d{4}-\d{2}-\d{2}$"
_UK = r"^\d{2}/\d{2}/\d{4}$"
_NAME_SCORE = 0.25
"""A file named as a table is read as it when at least this share of the columns agree."""
_HEADER_SCORE = 0.5
"""Otherwise the header must share at least this share of a table's columns."""


@cache
def _every_table() -> dict[str, TableSchema]:
    """Each SSDA903 table any year has, with every column any year gives it."""
    out: dict[str, TableSchema] = {}
    for year in (BASE_YEAR, LATEST_YEAR):
        for name, table in schema_for("ssda903", year).tables.items():
            if name not in out or len(table.columns) > len(out[name].columns):
                out[name] = table
    return out


def _all_aliases() -> Aliases:
    return aliases_for("ssda903", LATEST_YEAR)


def table_from_name(path: Path) -> str | None:
    """The table a file's name says it holds: its usual name, or an alias ending the stem.

    'placed_for_adoption.csv', 'PrevPerm.csv' and 'SSDA903_2020_episodes.csv' all name a table;
    the longest name that ends the stem wins, so '2017-sw_episodes' is SWEpisodes.
    """
    stem = normal_name(path.stem)
    names: dict[str, str] = dict(_all_aliases().tables)
    for name, table in _every_table().items():
        names[normal_name(name)] = name
        if table.file:
            names[normal_name(Path(table.file).stem)] = name
    if stem in names:
        return names[stem]
    ending = [n for n in names if n and stem.endswith(n)]
    return names[max(ending, key=len)] if ending else None


def identify_table(header: list[str], path: Path) -> str:
    """The SSDA903 table a file holds (its DfE name), by its name or its header's columns."""
    tables = _every_table()
    aliases = _all_aliases()
    scores: dict[str, float] = {}
    for name, table in tables.items():
        matched = {column_for(h, table, aliases) for h in header} - {None}
        scores[name] = len(matched) / (len(header) + len(table.columns) - len(matched))
    named = table_from_name(path)
    if named is not None and scores.get(named, 0.0) >= _NAME_SCORE:
        return named
    best = max(scores, key=lambda n: scores[n])
    if scores[best] < _HEADER_SCORE:
        shown = ", ".join(h.strip() for h in header[:6])
        raise InputError(f"not an SSDA903 table (its columns are {shown}...)", path=path)
    return best


class _RawFile:
    """One CSV, decoded and identified but not yet read against a year's layout."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        data, self.had_bom = utf8_text(_file_bytes(path, max_bytes), path, kind="CSV")
        self.data = data
        self.empty = not data.strip(b" \t\r\n")
        self.date_form = "dd/mm/yyyy"
        if self.empty:
            named = table_from_name(path)
            if named is None:
                raise InputError(
                    "the file is empty and its name does not say which SSDA903 table it is "
                    "(name it as the table, e.g. ad1.csv, or remove it)",
                    path=path,
                )
            self.header: list[str] = []
            self.table = named
            self.raw = pa.table({})
            self.rows = np.array([], dtype=np.int64)
            return
        self.header = [
            h.strip() or f"(column {i})"
            for i, h in enumerate(detect.csv_header(data, path), start=1)
        ]
        self.table = identify_table(self.header, path)
        # Refuse a repeated column now, whatever the year: Arrow needs unique names.
        check_header(self.header, _every_table()[self.table], path, _all_aliases())
        self.raw, self.rows = self._read(self.header)
        self._read_iso_dates()

    def _read(self, names: list[str]) -> tuple[pa.Table, np.ndarray]:
        """Every row as strings, and the line each came from."""
        try:
            table = pacsv.read_csv(
                io.BytesIO(self.data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            line = _bad_line(self.data, len(names))
            reason = str(exc).splitlines()[0].removeprefix("CSV parse error: ")
            raise InputError(f"cannot read as CSV ({reason})", path=self.path, row=line) from None
        return table, _line_numbers(self.data, table.num_rows)

    def _columns(self) -> dict[str, str]:
        """Schema column -> header name, for the columns of any year this file has."""
        table = _every_table()[self.table]
        aliases = _all_aliases()
        out: dict[str, str] = {}
        for name in self.header:
            column = column_for(name, table, aliases)
            if column is not None:
                out[column] = name
        return out

    def _read_iso_dates(self) -> None:
        """Read a file whose dates are mostly yyyy-mm-dd as that form (rewritten dd/mm/yyyy).

        Decided per file: in a dd/mm/yyyy file an ISO date is still an error (often Excel).
        """
        table = _every_table()[self.table]
        columns = self._columns()
        dates = [columns[c.name] for c in table.columns if c.type == "date" and c.name in columns]
        iso = uk = 0
        for name in dates:
            values = pc.utf8_trim_whitespace(self.raw.column(name).combine_chunks())
            iso += pc.sum(pc.match_substring_regex(values, _ISO)).as_py() or 0
            uk += pc.sum(pc.match_substring_regex(values, _UK)).as_py() or 0
        if iso == 0 or iso <= uk:
            return
        self.date_form = "yyyy-mm-dd"
        for name in dates:
            values = pc.utf8_trim_whitespace(self.raw.column(name).combine_chunks())
            rewritten = pc.replace_substring_regex(
                values, r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1"
            )
            index = self.raw.column_names.index(name)
            self.raw = self.raw.set_column(index, name, rewritten)

    def dates(self) -> pd.Series:
        """The file's activity dates (episode starts and ends, reviews), for year checks.

        Read in either form a file may use (see ``_read_iso_dates``).
        """
        wanted = ACTIVITY_DATES.get(self.table, ())
        columns = self._columns() if wanted and not self.empty else {}
        cols = [self.raw.column(columns[c]) for c in wanted if c in columns]
        if not cols:
            return pd.Series([], dtype="datetime64[ns]")
        # Seconds, not nanoseconds: a mistyped year 1066 must not overflow, only look odd.
        parsed = [
            pc.strptime(
                pc.cast(c.combine_chunks(), pa.string()),
                format="%d/%m/%Y",
                unit="s",
                error_is_null=True,
            )
            for c in cols
        ]
        return pd.Series(pa.concat_arrays(parsed).to_pandas())


def read_ssda903_folder(
    paths: list[Path], *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ReturnData]:
    """The SSDA903 returns in one folder's CSVs: one per year, split by file-name year or dates.

    Files naming different years ('2017-episodes.csv', '2018-episodes.csv') are different
    returns; so are files holding the same table whose dates fall in different years. A folder
    that splits names no year itself.
    """
    files = [_RawFile(p, max_bytes) for p in paths]
    groups = [g for named in _split_by_name(files) for g in _split_by_dates(named)]
    return [_read_return(group, year, split=len(groups) > 1) for group in groups]


def read_ssda903_csv(
    paths: list[Path], *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One collection year's SSDA903 return from its CSV files (any subset of its tables)."""
    return _read_return([_RawFile(p, max_bytes) for p in paths], year, split=False)


def _split_by_name(files: list[_RawFile]) -> list[list[_RawFile]]:
    """Files grouped by the year their names give, when they name more than one."""
    named = [detect.file_name_year(f.path) for f in files]
    keys = list(dict.fromkeys(n.readings for n in named if n is not None))
    if len(keys) < 2:
        return [files]
    for f, name in zip(files, named, strict=True):
        if name is None:
            shown = ", ".join(g.path.name for g, n in zip(files, named, strict=True) if n)
            raise InputError(
                f"the folder holds files named for several years ({shown}), and this one's "
                "name gives none, so its year is unclear: name it by its year too, or put each "
                "year in its own folder",
                path=f.path,
            )
    return [[f for f, n in zip(files, named, strict=True) if n and n.readings == k] for k in keys]


def _split_by_dates(files: list[_RawFile]) -> list[list[_RawFile]]:
    """Files holding the same table twice, grouped by the year their dates fall in."""
    tables = [f.table for f in files]
    if len(set(tables)) == len(tables):
        return [files]
    years: list[int | None] = []
    for f in files:
        counts = detect.date_counts(f.dates())
        enough = counts.sum() >= detect.MIN_DATES
        years.append(detect.commonest(counts) if enough else None)
    found = sorted({y for y in years if y is not None})
    if len(found) < 2:
        return [files]
    for f, y in zip(files, years, strict=True):
        if y is None:
            raise InputError(
                f"the folder holds several years ({', '.join(map(detect.label, found))}) by "
                "their dates, and this file has too few dates to tell which it belongs to: "
                "put each year in its own folder, or name the files by year",
                path=f.path,
            )
    return [[f for f, y in zip(files, years, strict=True) if y == year] for year in found]


def _table_of(path: Path, files: list[_RawFile]) -> str:
    return next(f.table for f in files if f.path == path)


def _names(files: list[_RawFile], split: bool) -> list[detect.YearName]:
    """The years the files' names give, then their folder's (unless the folder splits)."""
    names = [n for n in (detect.file_name_year(f.path) for f in files) if n is not None]
    folder = detect.folder_name_year(files[0].path) if files and not split else None
    found = {n.readings: n for n in [*names, *([folder] if folder else [])]}
    return list(found.values())


def _activity(files: list[_RawFile]) -> tuple[pd.Series, str]:
    """The files' activity dates, and what they are in words ('episode and review dates')."""
    series = [f.dates() for f in files]
    kinds = [
        {"Episodes": "episode", "Reviews": "review", "Missing": "missing"}[f.table]
        for f, s in zip(files, series, strict=True)
        if len(s) and f.table in ACTIVITY_DATES
    ]
    kinds = list(dict.fromkeys(kinds)) or ["activity"]
    what = (", ".join(kinds[:-1]) + " and " if len(kinds) > 1 else "") + kinds[-1] + " dates"
    return (pd.concat(series) if series else pd.Series([], dtype=object)), what


def _read_return(files: list[_RawFile], year: int | None, *, split: bool) -> ReturnData:
    """One collection year's return from its files, its year read from the evidence."""
    paths = [f.path for f in files]
    if files and all(f.empty for f in files):
        # One empty file beside others is an empty table; a return of nothing is not a return.
        names = ", ".join(f.path.name for f in files)
        raise InputError(
            f"every file is empty ({names}): there are no records to read", path=files[0].path
        )
    activity, what = _activity(files)
    by_table: dict[str, _RawFile] = {}
    for f in files:
        by_table.setdefault(f.table, f)
    where = by_table["Episodes"].path if "Episodes" in by_table else paths[0]
    reading = detect.read_year(
        activity, names=_names(files, split), given=year, what=what, path=where
    )
    claimed = reading.year
    for f in files:
        first = by_table[f.table]
        if first is not f:
            raise InputError(
                f"two files hold the {detect.label(claimed)} {f.table} table "
                f"({first.path.name} and {f.path.name}); load them separately",
                path=f.path,
            )
    schema = schema_for("ssda903", claimed)
    label = f"{claimed - 1}-{claimed % 100:02d}"
    aliases = aliases_for("ssda903", claimed)
    tables: dict[str, pd.DataFrame] = {}
    extras: dict[str, pd.DataFrame] = {}
    absent: list[str] = []
    failures: list[Failure] = [
        reading.failure(file_label(where), _every_table()[_table_of(where, files)].canonical)
    ]
    for f in files:
        if f.table not in schema.tables:
            failures.append(_not_this_year(f, label))
    for name, table in schema.tables.items():
        source = by_table.get(name)
        spec = canonical.SSDA903[table.canonical]
        if source is None:
            if table.required:
                failures.append(_missing_table(table, label, paths))
                absent.append(table.canonical)
            tables[table.canonical] = _empty_table(table, schema, spec)
            continue
        file = file_label(source.path)
        raw, found = _fit_columns(source, table, label, aliases, file)
        failures.extend(found)
        refuse_excel_file(raw, table, schema, source.path, source.rows)
        frame, found = to_canonical(
            raw,
            table,
            schema,
            file=file,
            rows=source.rows,
            child_column="CHILD",
            canonical_spec=spec,
        )
        tables[table.canonical] = frame
        failures.extend(found)
        extra = _kept_aside(source, table, aliases, file)
        if extra is not None:
            extras[table.canonical] = extra
        if source.had_bom:
            failures.append(bom_note(source.path, table.canonical))
    return ReturnData(
        kind="ssda903",
        year=claimed,
        tables=tables,
        sources=list(paths),
        failures=failures,
        extras=extras,
        absent=absent,
    )


def refuse_incomplete(data: ReturnData) -> None:
    """Refuse a return that is not ready to submit to the DfE: a required table is missing."""
    if not data.absent:
        return
    schema = schema_for(data.kind, data.year)
    missing = [schema.table(name) for name in data.absent]
    year = f"{data.year - 1}-{data.year % 100:02d}"
    names = ", ".join(f"{t.name} ({t.file})" if t.file else t.name for t in missing)
    where = data.sources[0] if data.sources else None
    if where is not None and len(data.sources) > 1:
        where = where.parent
    raise InputError(
        f"the {year} {data.kind.upper()} return is missing tables: {names}; it is not complete "
        "(load without --complete to read the tables it has)",
        path=where,
    )


def _empty_table(
    table: TableSchema, schema: ReturnSchema, spec: canonical.TableSpec
) -> pd.DataFrame:
    empty = pa.table({c: pa.array([], pa.string()) for c in table.column_names})
    frame, _ = to_canonical(
        empty,
        table,
        schema,
        file="",
        rows=np.array([], dtype=np.int64),
        child_column="CHILD",
        canonical_spec=spec,
    )
    return frame


def _fit_columns(
    source: _RawFile, table: TableSchema, label: str, aliases: Aliases, file: str
) -> tuple[pa.Table, list[Failure]]:
    """The file's columns renamed to the year's, with a failure for each structural gap."""
    failures: list[Failure] = []
    if source.empty:
        # A file with a header and no rows is a table with nothing this year: no query. A file
        # with no header at all may be a failed export, so it is read as empty but said so.
        failures.append(
            _note(
                file,
                table.canonical,
                "S-TABLE",
                f"{source.path.name}{_in_folder(source.path)} is empty; read as an empty "
                f"{table.name} table",
            )
        )
        empty = pa.table({c: pa.array([], pa.string()) for c in table.column_names})
        return empty, failures
    match = check_header(source.header, table, source.path, aliases)
    raw = source.raw.select(list(match.columns)).rename_columns(list(match.columns.values()))
    if match.missing_required:
        failures.append(
            Failure(
                file=file,
                row=None,
                child_id=None,
                table=table.canonical,
                field=match.missing_required[0],
                rule="S-COLUMNS",
                message=(
                    f"missing columns {', '.join(match.missing_required)}, which the {label} "
                    f"{table.name} table requires; every row is read with them blank"
                ),
            )
        )
    if match.missing:
        failures.append(
            _note(
                file,
                table.canonical,
                "S-COLUMN",
                f"no column {', '.join(match.missing)} (the {label} {table.name} table has "
                "it); read as blank",
            )
        )
    if match.extra:
        failures.append(
            _note(
                file,
                table.canonical,
                "S-COLUMN",
                f"columns {', '.join(match.extra)} are not in the {label} {table.name} table; "
                "kept aside as read, not checked",
            )
        )
    if source.date_form != "dd/mm/yyyy":
        failures.append(
            _note(
                file,
                table.canonical,
                "S-DATE-ISO",
                f"dates are written {source.date_form}, not dd/mm/yyyy; read as {source.date_form}",
            )
        )
    return raw, failures


def _kept_aside(
    source: _RawFile, table: TableSchema, aliases: Aliases, file: str
) -> pd.DataFrame | None:
    """The file's extra columns as read, with each row's file and line, or None if none."""
    if source.empty:
        return None
    names = [h for h in source.header if column_for(h, table, aliases) is None]
    if not names:
        return None
    frame = source.raw.select(names).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame[FILE_COLUMN] = pd.Series([file] * len(frame), dtype="string")
    frame[ROW_COLUMN] = source.rows.astype("int64")
    return frame


def _not_this_year(source: _RawFile, label: str) -> Failure:
    joins = next(
        (
            y
            for y in range(BASE_YEAR, LATEST_YEAR + 1)
            if source.table in schema_for("ssda903", y).tables
        ),
        LATEST_YEAR,
    )
    later = schema_for("ssda903", joins).tables.get(source.table)
    return _note(
        file_label(source.path),
        later.canonical if later is not None else source.table,
        "S-TABLE",
        f"{source.path.name} holds the {source.table} table, which is not part of the {label} "
        f"return (it joins in {joins - 1}-{joins % 100:02d}); it was not read",
    )


def _missing_table(table: TableSchema, label: str, paths: list[Path]) -> Failure:
    usual = table.file or f"{table.name}.csv"
    folder = paths[0].parent if paths else Path()
    where = f" in {folder.name}/" if folder.name else ""
    return _note(
        file_label(folder / usual),
        table.canonical,
        "S-TABLE",
        f"no {table.name} table ({usual}){where}; the {label} return is read without it, and "
        "rules that need it are not run",
    )


def _note(file: str, table: str, rule: str, message: str) -> Failure:
    return Failure.about_file(file, table, rule, message)


def _in_folder(path: Path) -> str:
    return f" (in folder {path.parent.name})" if path.parent.name else ""


def _file_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a file of nothing but blank lines is read, not refused, as empty."""
    try:
        if path.stat().st_size <= 16:
            data = path.read_bytes()
            if not data.strip(b" \t\r\n\xef\xbb\xbf"):
                return data
    except OSError:
        pass
    return read_bytes(path, max_bytes)


def file_label(path: Path) -> str:
    """How a failure names the file: with its year folder, as every year has an episodes.csv."""
    parent = path.parent.name
    return f"{parent}/{path.name}" if parent and any(c.isdigit() for c in parent) else path.name


def bom_note(path: Path, table: str) -> Failure:
    """A query-level note that a byte-order mark was removed from the file."""
    return Failure(
        file=file_label(path),
        row=None,
        child_id=None,
        table=table,
        field=None,
        rule="S-BOM",
        message="the file began with a byte-order mark; it was removed",
        severity="query",
    )


def _line_numbers(data: bytes, count: int) -> np.ndarray:
    # Blank lines are skipped by the reader, so number the non-blank ones.
    starts = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
    starts = starts[starts < len(data)]
    lines = np.arange(2, len(starts) + 2)
    first = np.frombuffer(data, dtype=np.uint8)[starts]
    nonblank = (first != 10) & (first != 13)
    numbered = lines[nonblank] if len(starts) else lines
    if len(numbered) == count:
        return numbered.astype(np.int64)
    return np.arange(2, count + 2, dtype=np.int64)


def _bad_line(data: bytes, width: int) -> int | None:
    import csv

    text = data.decode("utf-8", errors="replace").splitlines()
    for number, row in enumerate(csv.reader(text), start=1):
        if row and len(row) != width:
            return number
    return None
