"""Read returns from files into canonical tables, refusing bad files with one clear line.

``read_returns`` takes files and folders, works out which return and year each file is,
groups them (a folder of SSDA903 CSVs is one return a year: several years in one folder are
split by the years the file names give, or by their dates) and reads each group. Two returns
of the same kind and year in one batch are refused, naming both, as one would silently
replace the other. A file that cannot
be read as what it claims to be raises ``InputError``; problems with single values become
``Failure``s in the ``ReturnData``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from turnaround.errors import InputError
from turnaround.returns.model import ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.annex_a import read_annex_a
from turnaround.returns.read.cin_xml import read_cin_xml
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES
from turnaround.returns.read.ssda903_csv import read_ssda903_folder
from turnaround.returns.read.ssda903_xml import read_ssda903_xml

__all__ = ["DEFAULT_MAX_BYTES", "read_returns"]

_SUFFIXES = {".csv", ".xml", ".xlsx", ".xlsm"}


def read_returns(
    paths: Sequence[Path], *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ReturnData]:
    """Every return in ``paths`` (files or folders), read and structurally checked."""
    files = _expand(paths)
    if not files:
        raise InputError("no return files found in " + ", ".join(str(p) for p in paths))
    csv_groups: dict[Path, list[Path]] = defaultdict(list)
    others: list[tuple[str, Path]] = []
    for path in files:
        with path.open("rb") as handle:
            head = handle.read(4096)
        kind = detect.file_kind(path, head)
        if kind == "ssda903_csv":
            csv_groups[path.parent].append(path)
        else:
            others.append((kind, path))
    jobs: list[tuple[str, list[Path], int | None, int]] = [
        ("ssda903_csv", group, year, max_bytes) for group in csv_groups.values()
    ]
    jobs += [(kind, [path], year, max_bytes) for kind, path in others]
    returns = [data for found in _run(jobs) for data in found]
    refuse_duplicates(returns)
    return returns


def refuse_duplicates(returns: Sequence[ReturnData]) -> None:
    """Refuse two returns of the same kind and year in one batch, naming both."""
    seen: dict[tuple[str, int], ReturnData] = {}
    for data in returns:
        first = seen.setdefault((data.kind, data.year), data)
        if first is not data:
            raise InputError(
                f"two {data.kind.upper()} returns for {detect.label(data.year)} in one batch: "
                f"{_where(first)} and {_where(data)}; load them separately"
            )


def _where(data: ReturnData) -> str:
    """A return's files, each with its folder, as every year may have an episodes.csv."""
    shown = [f"{p.parent.name}/{p.name}" if p.parent.name else p.name for p in data.sources]
    return shown[0] if len(shown) == 1 else f"{shown[0]} (and {len(shown) - 1} more)"


def _read(job: tuple[str, list[Path], int | None, int]) -> list[ReturnData]:
    kind, paths, year, max_bytes = job
    if kind == "ssda903_csv":
        return read_ssda903_folder(paths, year=year, max_bytes=max_bytes)
    if kind == "cin":
        return [read_cin_xml(paths[0], year=year, max_bytes=max_bytes)]
    if kind == "ssda903_xml":
        return [read_ssda903_xml(paths[0], year=year, max_bytes=max_bytes)]
    return [read_annex_a(paths[0], year=year, max_bytes=max_bytes)]


def _run(jobs: list[tuple[str, list[Path], int | None, int]]) -> list[list[ReturnData]]:
    """Read each file (or SSDA903 folder) in turn, or in parallel when there are several.

    Files are independent, so several are read by worker processes, one per core. Workers are
    spawned, not forked: the caller may hold an open DuckDB store, and forking a process that
    runs native threads can crash the child. The largest files go first, so that no worker is
    left reading a big file alone at the end. Results come back in the same order either way;
    an InputError in a worker is raised here.
    """
    workers = min(len(jobs), os.cpu_count() or 1)
    heavy = sum(kind != "ssda903_csv" for kind, *_ in jobs)
    if workers <= 1 or heavy < 2:
        return [_read(job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i][1]))
    with mp.get_context("spawn").Pool(workers) as pool:
        done = pool.map(_read, [jobs[i] for i in order], chunksize=1)
    results: list[list[ReturnData]] = [[] for _ in jobs]
    for i, found in zip(order, done, strict=True):
        results[i] = found
    return results


def _size(paths: list[Path]) -> int:
    """Bytes in a job's files: how long it will take to read, roughly."""
    return sum(p.stat().st_size for p in paths)


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
            )
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or folder", path=path)
    return files
