"""Read returns from files into canonical tables, refusing bad files with one clear line.

``read_returns`` takes files and folders, works out which return and year each file is,
groups them (a folder of SSDA903 CSVs is one return) and reads each group. A file that cannot
be read as what it claims to be raises ``InputError``; problems with single values become
``Failure``s in the ``ReturnData``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from turnaround.errors import InputError
from turnaround.returns.model import ReturnData
from turnaround.returns.read import detect
from turnaround.returns.read.annex_a import read_annex_a
from turnaround.returns.read.cin_xml import read_cin_xml
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES
from turnaround.returns.read.ssda903_csv import read_ssda903_csv
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
    returns = [
        read_ssda903_csv(group, year=year, max_bytes=max_bytes) for group in csv_groups.values()
    ]
    for kind, path in others:
        if kind == "cin":
            returns.append(read_cin_xml(path, year=year, max_bytes=max_bytes))
        elif kind == "ssda903_xml":
            returns.append(read_ssda903_xml(path, year=year, max_bytes=max_bytes))
        else:
            returns.append(read_annex_a(path, year=year, max_bytes=max_bytes))
    return returns


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
