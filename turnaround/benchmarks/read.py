"""Read one DfE table into long-format rows, checking it on the way.

The DfE publishes one row per geography and year with one column per figure. Each figure becomes
one row of ``benchmark_values``: (source, metric, year, geography, category, value).

Suppression. The DfE writes a marker instead of a number where a figure is withheld or does not
exist. Every marker below is read as a missing value (NULL), never as zero, so a suppressed
council simply does not count towards a median:

    c    confidential: suppressed to protect individuals
    k    rounds to zero but is not zero (older tables)
    low  rounds to zero but is not zero (the workforce tables)
    u    low reliability
    x    not available
    z    not applicable
    :    not available (older tables)
    ..   not available
    .    not applicable

Anything else that is not a number is a validation failure naming the file, row and field.

Years. ``time_period`` is the year of the 31 March the collection year ends on (a six-digit
``201314`` is read as 2014). ONS mid-year estimates are moved on by one: the mid-2013 estimate is
the denominator for 2013-14, so it is stored under 2014, as the DfE itself does (Birmingham's
mid-2013 estimate of 281,019 children is the one behind its 2014 rates).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.benchmarks.tables import (
    GEOGRAPHY,
    LOCAL_AUTHORITY,
    NATIONAL,
    NEIGHBOUR_CODE_COLUMNS,
    NEIGHBOUR_COLUMNS,
    NEIGHBOURS_SOURCE,
    POPULATION_SOURCE,
    DfeTable,
    is_neighbour_groupings,
    recognise,
)
from turnaround.errors import InputError
from turnaround.returns.model import Failure

SUPPRESSION_MARKERS = frozenset({"c", "k", "low", "u", "x", "z", ":", "..", "."})

VALUE_COLUMNS = [
    "source",
    "metric",
    "year",
    "geographic_level",
    "region_code",
    "region_name",
    "la_code",
    "new_la_code",
    "la_name",
    "category",
    "value",
]
NEIGHBOUR_TABLE_COLUMNS = ["la_code", "neighbour_code", "rank", "closeness"]
POPULATION_COLUMNS = ["year", "la_code", "children", "source"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEAR = re.compile(r"^(\d{4})(\d{2})?$")


@dataclass
class BenchmarkFile:
    """One DfE file, read: the rows for each store table, and what was wrong with it."""

    path: Path
    source: str
    title: str
    values: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=VALUE_COLUMNS))
    neighbours: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=NEIGHBOUR_TABLE_COLUMNS)
    )
    population: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=POPULATION_COLUMNS)
    )
    failures: list[Failure] = field(default_factory=list)

    @property
    def published(self) -> bool:
        """Whether this is a national publication (it has an England row), not a local file."""
        if self.source == NEIGHBOURS_SOURCE:
            return True
        return bool((self.values["geographic_level"] == NATIONAL).any())


def read_benchmark_file(path: Path) -> BenchmarkFile:
    """Read and check one DfE CSV; raise InputError if it is not a table turnaround knows."""
    path = Path(path)
    header, rows = _read_csv(path)
    if is_neighbour_groupings(header):
        return _read_neighbours(path, header, rows)
    table, missing = recognise(header)
    if table is None:
        raise InputError(
            "is not a DfE table turnaround knows (columns: " + ", ".join(header[:12]) + ")",
            path=path,
        )
    if missing:
        raise InputError(
            f"looks like {table.title} but lacks columns: {', '.join(missing)}", path=path
        )
    return _read_table(path, table, header, rows)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise InputError("no such file", path=path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows = list(reader)
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text; save it as CSV (UTF-8)", path=path) from None
    except csv.Error as exc:
        raise InputError(f"cannot be read as CSV: {exc}", path=path) from None
    if not header:
        raise InputError("is empty", path=path)
    return [h.strip() for h in header], rows


def _read_table(
    path: Path, table: DfeTable, header: list[str], rows: list[list[str]]
) -> BenchmarkFile:
    result = BenchmarkFile(path=path, source=table.source, title=table.title)
    width = len(header)
    frame = pd.DataFrame(
        [(r + [""] * width)[:width] for r in rows if any(c.strip() for c in r)],
        columns=header,
        dtype=object,
    )
    # CSV line numbers: the header is line 1.
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    metrics = [c for c in header if c and c not in GEOGRAPHY and c not in table.category]

    parsed_years: list[int | None] = []
    for line, period in zip(frame.index, frame["time_period"], strict=True):
        match = _YEAR.match(str(period))
        if match is None:
            result.failures.append(
                _failure(
                    path,
                    int(line),
                    table.source,
                    "time_period",
                    "B-YEAR",
                    f"'{period}' is not a year such as 2014 or 201314",
                )
            )
            parsed_years.append(None)
            continue
        parsed_years.append(int(match[1]) + (1 if match[2] else 0))
    years = pd.Series(parsed_years, index=frame.index, dtype="Int64")
    if table.source == POPULATION_SOURCE:
        years = years + 1

    values: dict[str, pd.Series] = {}
    for metric in metrics:
        parsed, bad = _numbers(frame[metric])
        values[metric] = parsed
        for line in bad:
            result.failures.append(
                _failure(
                    path,
                    line,
                    table.source,
                    metric,
                    "B-NUMBER",
                    f"'{frame[metric][line]!s}' is neither a number nor a DfE "
                    "suppression marker (c, k, low, u, x, z, :)",
                )
            )
    if result.failures:
        return result

    def text(column: str) -> pd.Series:
        return (
            frame[column].replace("", None)
            if column in frame
            else pd.Series(None, index=frame.index)
        )

    category = (
        frame[list(table.category)].agg(" | ".join, axis=1)
        if table.category
        else pd.Series(None, index=frame.index, dtype=object)
    )
    la_code = text("old_la_code").fillna(text("new_la_code"))
    base = pd.DataFrame(
        {
            "year": years.astype("int64"),
            "geographic_level": frame["geographic_level"],
            "region_code": text("region_code"),
            "region_name": text("region_name"),
            "la_code": la_code,
            "new_la_code": text("new_la_code"),
            "la_name": text("la_name"),
            "category": category,
        }
    )
    long = [
        base.assign(source=table.source, metric=metric, value=values[metric]) for metric in metrics
    ]
    result.values = pd.concat(long, ignore_index=True)[VALUE_COLUMNS] if long else result.values

    if table.source == POPULATION_SOURCE:
        result.population = _population(path, base, values[metrics[0]] if metrics else None, result)
    return result


def _population(
    path: Path, base: pd.DataFrame, counts: pd.Series | None, result: BenchmarkFile
) -> pd.DataFrame:
    """The ONS file's council rows as the ``population`` table."""
    counts = counts if counts is not None else pd.Series(np.nan, index=base.index)
    councils = base["geographic_level"].eq(LOCAL_AUTHORITY) & base["la_code"].notna()
    rows = pd.DataFrame(
        {
            "year": base.loc[councils, "year"],
            "la_code": base.loc[councils, "la_code"],
            "children": counts[councils],
        }
    ).dropna(subset=["children"])
    duplicated = rows.duplicated(["year", "la_code"], keep="first")
    for line in rows.index[duplicated]:
        result.failures.append(
            _failure(
                path,
                int(line),
                POPULATION_SOURCE,
                "old_la_code",
                "B-DUPLICATE",
                f"council {rows['la_code'][line]!s} appears twice for "
                f"{int(rows['year'][line]) - 1}",
            )
        )
    rows = rows[~duplicated]
    rows["children"] = rows["children"].round().astype("int64")
    rows["source"] = "ons" if base["geographic_level"].eq(NATIONAL).any() else "local"
    return rows[POPULATION_COLUMNS].reset_index(drop=True)


def _numbers(column: pd.Series) -> tuple[pd.Series, list[int]]:
    """Parse a column of DfE figures: markers and blanks are NaN; returns the bad lines too."""
    text = column.astype(str).str.replace(",", "", regex=False)
    missing = text.eq("") | text.str.lower().isin(SUPPRESSION_MARKERS)
    numeric = text.str.match(_NUMBER.pattern) & ~missing
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    out[numeric] = text[numeric].astype("float64")
    bad = column.index[~numeric & ~missing]
    return out, [int(line) for line in bad]


def _read_neighbours(path: Path, header: list[str], rows: list[list[str]]) -> BenchmarkFile:
    """The statistical neighbour groupings: a council, then ten (code, closeness) pairs."""
    code_at = next((header.index(c) for c in NEIGHBOUR_CODE_COLUMNS if c in header), None)
    missing = [c for c in NEIGHBOUR_COLUMNS if c not in header]
    if code_at is None:
        missing.insert(0, NEIGHBOUR_CODE_COLUMNS[0])
    if missing:
        raise InputError(
            "looks like the statistical neighbour groupings but lacks columns: "
            + ", ".join(missing),
            path=path,
        )
    assert code_at is not None
    result = BenchmarkFile(path=path, source=NEIGHBOURS_SOURCE, title="Statistical neighbours")
    records = []
    for line, row in enumerate(rows, start=2):
        cells = [c.strip() for c in row] + [""] * len(header)
        council = cells[code_at]
        if not council and not any(cells[header.index(n)] for n in NEIGHBOUR_COLUMNS):
            continue  # a blank line or a note such as 'Old SNs:'
        if not council:
            result.failures.append(
                _failure(
                    path,
                    line,
                    NEIGHBOURS_SOURCE,
                    header[code_at],
                    "B-REQUIRED",
                    "the council's code is blank",
                )
            )
            continue
        for rank, name in enumerate(NEIGHBOUR_COLUMNS, start=1):
            at = header.index(name)
            neighbour = cells[at]
            closeness = cells[at + 1] if at + 1 < len(header) and header[at + 1] == "SNP" else ""
            if not neighbour:
                result.failures.append(
                    _failure(
                        path,
                        line,
                        NEIGHBOURS_SOURCE,
                        name,
                        "B-REQUIRED",
                        f"neighbour {rank} of {council} is blank",
                    )
                )
                continue
            records.append((council, neighbour, rank, closeness or None))
    result.neighbours = pd.DataFrame(records, columns=NEIGHBOUR_TABLE_COLUMNS)
    duplicated = result.neighbours.duplicated(["la_code", "rank"])
    if duplicated.any():
        for council in sorted(set(result.neighbours.loc[duplicated, "la_code"])):
            result.failures.append(
                _failure(
                    path,
                    None,
                    NEIGHBOURS_SOURCE,
                    header[code_at],
                    "B-DUPLICATE",
                    f"council {council} appears twice",
                )
            )
    return result


def _failure(
    path: Path, line: int | None, table: str, column: str, rule: str, message: str
) -> Failure:
    return Failure(
        file=str(path),
        row=line,
        child_id=None,
        table=table,
        field=column,
        rule=rule,
        message=message,
    )
