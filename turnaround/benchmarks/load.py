"""Bring DfE published tables into the store, all files in one transaction.

Every file is read and checked before anything is written, so a bad file leaves the store
exactly as it was. Loading a table again replaces it, never duplicating it:

- ``benchmark_values``: the rows of the same table (source) for the years the file covers.
- ``statistical_neighbours``: the groupings of the councils the file lists.
- ``population``: the (year, council) pairs the file covers. A council's own estimate (a file in
  the ONS layout with no England row, such as the synthetic city's) wins over the national
  publication for its own area, whichever is loaded first, so the council's rates use its own
  denominator while the published comparisons keep the published one (from
  ``benchmark_values``, where a local file is not written).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from turnaround.access import Actor, loading
from turnaround.benchmarks.read import BenchmarkFile, read_benchmark_file
from turnaround.errors import InputError, ValidationFailed
from turnaround.returns.model import Failure
from turnaround.store import Store


@dataclass
class LoadedBenchmark:
    """What one DfE file contributed to the store."""

    path: Path
    source: str
    title: str
    load_id: str
    rows_loaded: dict[str, int] = field(default_factory=dict)  # store table -> rows


def benchmark_files(paths: Sequence[Path]) -> list[Path]:
    """The CSV files named, with folders expanded to the CSVs directly inside them."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
            if not found:
                raise InputError("holds no CSV files", path=path)
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    return files


def read_benchmarks(paths: Sequence[Path]) -> list[BenchmarkFile]:
    """Read and check every file; raise ValidationFailed listing every bad value in all of them."""
    read = [read_benchmark_file(p) for p in benchmark_files(paths)]
    failures: list[Failure] = [f for item in read for f in item.failures]
    if failures:
        files = len({f.file for f in failures})
        first = failures[0]
        raise ValidationFailed(
            f"{len(failures):,} bad values in {files} file(s), nothing was loaded; first: "
            f"{Path(first.file).name} row {first.row} field {first.field}: {first.message}",
            failures=failures,
        )
    return read


def load_benchmarks(store: Store, paths: Sequence[Path], *, actor: Actor) -> list[LoadedBenchmark]:
    """Load DfE tables (files or folders of them) into the store, in one transaction."""
    with loading(store, actor, "benchmarks", step="loading published benchmarks") as acting:
        read = read_benchmarks(paths)
        loaded = [_load_one(store, item, acting.user.username) for item in read]
        acting.target = ", ".join(sorted({i.source for i in loaded}))
        acting.reason = f"{len(loaded)} file(s): " + "; ".join(str(i.path) for i in loaded)
    return loaded


def _load_id(item: BenchmarkFile) -> str:
    digest = hashlib.sha256(str(item.path.resolve()).encode()).hexdigest()[:10]
    return f"benchmarks-{item.source}-{digest}"


def _load_one(store: Store, item: BenchmarkFile, user: str | None) -> LoadedBenchmark:
    result = LoadedBenchmark(item.path, item.source, item.title, _load_id(item))
    if not item.values.empty and item.published:
        years = sorted(int(y) for y in item.values["year"].unique())
        store.execute(
            "delete from benchmark_values where source = ? and list_contains(?, year)",
            [item.source, years],
        )
        _insert(store, "benchmark_values", item.values)
        result.rows_loaded["benchmark_values"] = len(item.values)
    if not item.neighbours.empty:
        councils = sorted(set(item.neighbours["la_code"]))
        store.execute(
            "delete from statistical_neighbours where list_contains(?, la_code)", [councils]
        )
        _insert(store, "statistical_neighbours", item.neighbours)
        result.rows_loaded["statistical_neighbours"] = len(item.neighbours)
    if not item.population.empty:
        result.rows_loaded["population"] = _load_population(store, item.population)
    store.execute("delete from loads where load_id = ?", [result.load_id])
    store.execute(
        "insert into loads (load_id, kind, year, source, rows_loaded, loaded_by) "
        "values (?, 'benchmarks', ?, ?, ?, ?)",
        [
            result.load_id,
            _latest_year(item),
            str(item.path),
            sum(result.rows_loaded.values()),
            user,
        ],
    )
    return result


def _load_population(store: Store, rows: pd.DataFrame) -> int:
    """Replace the (year, council) pairs given; a council's own estimate beats the published one."""
    with store.registered("_population", pa.Table.from_pandas(rows, preserve_index=False)):
        local = bool((rows["source"] == "local").all())
        if local:
            store.execute(
                "delete from population p using _population n "
                "where p.year = n.year and p.la_code = n.la_code"
            )
            store.execute(
                "insert into population select year, la_code, children, source from _population"
            )
            return len(rows)
        store.execute(
            "delete from population p using _population n "
            "where p.year = n.year and p.la_code = n.la_code and p.source <> 'local'"
        )
        before = _count(store, "population")
        store.execute(
            "insert into population select n.year, n.la_code, n.children, n.source "
            "from _population n anti join population p "
            "on p.year = n.year and p.la_code = n.la_code"
        )
        return _count(store, "population") - before


def _insert(store: Store, table: str, frame: pd.DataFrame) -> None:
    with store.registered("_incoming", pa.Table.from_pandas(frame, preserve_index=False)):
        columns = ", ".join(frame.columns)
        store.execute(f"insert into {table} ({columns}) select {columns} from _incoming")


def _count(store: Store, table: str) -> int:
    return int(store.scalar(f"select count(*) from {table}") or 0)


def _latest_year(item: BenchmarkFile) -> int | None:
    years = item.values["year"] if not item.values.empty else item.population["year"]
    return int(years.max()) if len(years) else None
