"""Read the SSDA903 return from the CSVs councils export: one file per table.

Each file is checked for size and encoding, identified by its header row, read as strings by
Arrow's CSV reader, and handed to ``structural`` to check and type. Row numbers are file
lines, the header being line 1.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from turnaround.errors import InputError
from turnaround.returns import canonical
from turnaround.returns.model import Failure, ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, read_bytes, utf8_text
from turnaround.returns.schema import schema_for
from turnaround.returns.structural import check_header, refuse_excel_file, to_canonical

ACTIVITY_DATES = {"Episodes": ("DECOM", "DEC"), "Reviews": ("REVIEW",), "Missing": ("MIS_START",)}


class _RawFile:
    """One CSV, decoded and identified but not yet read against a year's layout."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        data, self.had_bom = utf8_text(read_bytes(path, max_bytes), path, kind="CSV")
        self.data = data
        self.header = detect.csv_header(data, path)
        self.table = detect.ssda903_table(self.header, path)
        names = [h.strip().upper() for h in self.header]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(f"columns appear more than once: {', '.join(repeated)}", path=path)
        self.raw, self.rows = self._read(names)

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

    def dates(self) -> pd.Series:
        """The file's activity dates (episode starts and ends, reviews), for year checks."""
        wanted = ACTIVITY_DATES.get(self.table, ())
        if not wanted:
            return pd.Series([], dtype="datetime64[ns]")
        cols = [self.raw.column(c) for c in wanted if c in self.raw.column_names]
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


def read_ssda903_csv(
    paths: list[Path], *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One collection year's SSDA903 return from its CSV files."""
    files = [_RawFile(p, max_bytes) for p in paths]
    by_table: dict[str, _RawFile] = {}
    for f in files:
        if f.table in by_table:
            raise InputError(
                f"two files hold the {f.table} table ({by_table[f.table].path.name} and "
                f"{f.path.name})",
                path=f.path,
            )
        by_table[f.table] = f
    activity = pd.concat([f.dates() for f in files]) if files else pd.Series([], dtype=object)
    claimed = year or _path_year(paths)
    if claimed is None:
        claimed = detect.year_from_dates(activity)
        if claimed is None:
            raise InputError(
                "cannot tell the collection year (no year in the folder or file names and "
                "no dates); pass --year",
                path=paths[0],
            )
    elif year is None:
        episodes = by_table.get("Episodes")
        where = episodes.path if episodes is not None else paths[0]
        detect.check_year(activity, claimed, where, "episode and review dates")
    schema = schema_for("ssda903", claimed)
    missing = [
        t.file or t.name for t in schema.tables.values() if t.required and t.name not in by_table
    ]
    if missing:
        raise InputError(
            f"the {claimed - 1}-{claimed % 100:02d} SSDA903 return is missing tables: "
            f"{', '.join(missing)}",
            path=paths[0].parent if len(paths) > 1 else paths[0],
        )
    tables: dict[str, pd.DataFrame] = {}
    failures: list[Failure] = []
    for name, table in schema.tables.items():
        spec = canonical.SSDA903[table.canonical]
        source = by_table.get(name)
        if source is None:
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
            tables[table.canonical] = frame
            continue
        check_header(source.header, table, source.path, claimed)
        raw, rows = source.raw, source.rows
        refuse_excel_file(raw, table, schema, source.path, rows)
        frame, found = to_canonical(
            raw,
            table,
            schema,
            file=file_label(source.path),
            rows=rows,
            child_column="CHILD",
            canonical_spec=spec,
        )
        tables[table.canonical] = frame
        failures.extend(found)
        if source.had_bom:
            failures.append(bom_note(source.path, table.canonical))
    return ReturnData(
        kind="ssda903", year=claimed, tables=tables, sources=list(paths), failures=failures
    )


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


def _path_year(paths: list[Path]) -> int | None:
    years = {y for y in (detect.year_from_path(p) for p in paths) if y is not None}
    if len(years) > 1:
        raise InputError(
            f"the files name different years ({', '.join(map(str, sorted(years)))})", path=paths[0]
        )
    return years.pop() if years else None


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
