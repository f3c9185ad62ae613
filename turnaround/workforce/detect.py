"""Which of the files a person hands us are a workforce export, and which are returns.

``turnaround load`` and the web's upload take returns and workforce files together. A file is
told by what it holds, never by its name alone: a CSV by its header row (one of the five files
of the council's export, or the DfE's children's social work workforce census, CSWW, with one
row per worker), an XML file by its root element (CSWW's ``<Message>`` holding ``<CSWWWorker>``
records). Everything else is left for the returns' reader, exactly as it was given.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from turnaround.errors import InputError
from turnaround.workforce.csww import CSWW_CSV_MARKERS
from turnaround.workforce.load import LAYOUT

SourceKind = Literal["export", "csww"]

# The returns' reader looks at these when it walks a folder; a folder that also holds workforce
# files is handed over file by file, so its other files are picked the same way.
RETURN_SUFFIXES = (".csv", ".xml", ".xlsx", ".xlsm")
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class WorkforceSource:
    """One workforce export: the export's folder, or one CSWW file."""

    kind: SourceKind
    path: Path


@dataclass
class SortedPaths:
    """The paths of one load, sorted: workforce sources, and what is left for the returns."""

    workforce: list[WorkforceSource] = field(default_factory=list)
    returns: list[Path] = field(default_factory=list)


def file_kind(path: Path) -> SourceKind | Literal["export_file"] | None:
    """'csww' for a CSWW file, 'export_file' for one of the export's five, else None."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xml", ".txt", ""):
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        if re.search(rb"<(CSWWWorker|LALevelVacancies)\b", head) or re.search(
            rb"<Collection>\s*CSWW", head
        ):
            return "csww"
        return None
    names = {_normal(h) for h in _header(text)}
    if not names:
        return None
    for columns in LAYOUT.values():
        wanted = {_normal(c) for c in columns}
        # Most of one of the export's files' columns: a file missing one is still the export's,
        # and its loader names what is missing.
        if len(wanted & names) >= max(2, 0.6 * len(wanted)):
            return "export_file"
    if {_normal(c) for c in CSWW_CSV_MARKERS} <= names:
        return "csww"
    return None


def sort_paths(paths: Sequence[Path]) -> SortedPaths:
    """Split files and folders into workforce sources and the rest (returns), keeping order.

    A folder with no workforce file in it is passed on whole; a folder holding the export's
    files is that export (each folder once); a CSWW file is a source of its own.
    """
    found = SortedPaths()
    folders: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file())
            kinds = {p: file_kind(p) for p in candidates}
            if not any(kinds.values()):
                found.returns.append(path)
                continue
            for item, kind in kinds.items():
                _place(found, folders, item, kind)
        elif path.is_file():
            kind = file_kind(path)
            if kind is None:
                found.returns.append(path)
            else:
                _place(found, folders, path, kind)
        else:
            raise InputError("no such file or folder", path=path)
    # A file named as one of the export's, beside it, is the export's even if unreadable.
    names = {f"{name}.csv" for name in LAYOUT}
    found.returns = [p for p in found.returns if not (p.parent in folders and p.name in names)]
    return found


def one_workforce(found: SortedPaths) -> WorkforceSource | None:
    """The one workforce source of a load; two would replace each other, so they are refused."""
    if len(found.workforce) > 1:
        names = " and ".join(str(s.path) for s in found.workforce[:2])
        raise InputError(
            f"two workforce exports in one load ({names}): each load replaces the last, "
            "so load one at a time"
        )
    return found.workforce[0] if found.workforce else None


def _place(found: SortedPaths, folders: list[Path], path: Path, kind: str | None) -> None:
    if kind == "export_file":
        if path.parent not in folders:
            folders.append(path.parent)
            found.workforce.append(WorkforceSource("export", path.parent))
    elif kind == "csww":
        found.workforce.append(WorkforceSource("csww", path))
    elif path.suffix.lower() in RETURN_SUFFIXES:
        found.returns.append(path)


def _header(text: bytes) -> list[str]:
    first = text.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return next(csv.reader(io.StringIO(first.decode("utf-8", errors="replace"))))
    except (csv.Error, StopIteration):
        return []


def _normal(name: str) -> str:
    """A column name compared ignoring case, spaces and punctuation."""
    return re.sub(r"[^0-9a-z]", "", name.lower())
