"""Which return a file is, and which collection year it belongs to.

A CSV is identified by its header row (as Data to Insight's 903 validator identifies tables by
their columns), XML by its root element, a workbook by its sheet names. The year comes from
``--year``, else the CIN header's ``<Year>``, else a folder or file name ('2014', '2013-14'),
else the dates in the file: a return's activity dates (episodes starting and ending, reviews,
referrals) mostly fall in its own year, so the commonest collection year among them is its
year. A file claimed for one year whose dates hardly touch it is refused as the wrong year.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.core.years import collection_years
from turnaround.errors import InputError
from turnaround.returns.schema import BASE_YEAR, LATEST_YEAR, schema_for

_YEAR_PAIR = re.compile(r"(?<!\d)(20\d{2})[-_ ](\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
WRONG_YEAR_SHARE = 0.1
"""A file is the wrong year when fewer than this share of its activity dates fall in it."""


def file_kind(path: Path, head: bytes) -> str:
    """'ssda903_csv', 'ssda903_xml', 'cin' or 'annex_a', from the file's start and suffix."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return "annex_a"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xml" or text.startswith(b"<"):
        if re.search(rb"<(Message|CINCensus)\b", head) and b"<Children" in head:
            return "cin"
        if re.search(rb"<(CHILD|EXPSSDA903|LAC)\b", head, re.IGNORECASE):
            return "ssda903_xml"
        if b"<Message" in head:
            return "cin"
        raise InputError("XML is neither a CIN census nor an SSDA903 return", path=path)
    if suffix in (".csv", ".txt", ""):
        return "ssda903_csv"
    raise InputError(f"unknown file type {suffix!r} (expected .csv, .xml or .xlsx)", path=path)


def csv_header(text: bytes, path: Path) -> list[str]:
    """The first row of a CSV, as column names."""
    first = text.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        raise InputError("the first row is not a CSV header", path=path) from None
    if not any(h.strip() for h in header):
        raise InputError("the first row is not a CSV header", path=path)
    return header


def ssda903_table(header: list[str], path: Path) -> str:
    """The SSDA903 table a header row belongs to (its DfE name), by the best column overlap."""
    names = {h.strip().upper() for h in header}
    best, score = "", 0.0
    for year in (BASE_YEAR, LATEST_YEAR):
        for table in schema_for("ssda903", year).tables.values():
            cols = set(table.column_names)
            overlap = len(names & cols) / len(names | cols)
            if overlap > score:
                best, score = table.name, overlap
    if score < 0.5:
        shown = ", ".join(h.strip() for h in header[:6])
        raise InputError(f"not an SSDA903 table (its columns are {shown}...)", path=path)
    return best


def year_from_path(path: Path) -> int | None:
    """A collection year named by the file or one of its folders ('2014', '2013-14')."""
    for part in [path.name, *[p.name for p in path.parents][:3]]:
        pair = _YEAR_PAIR.search(part)
        if pair and int(pair.group(2)) == (int(pair.group(1)) + 1) % 100:
            return int(pair.group(1)) + 1
        single = _YEAR.search(part)
        if single:
            return int(single.group(1))
    return None


def year_from_dates(dates: pd.Series) -> int | None:
    """The commonest collection year among activity dates, or None if there are none."""
    years = collection_years(dates)
    if years.empty:
        return None
    counts = years.value_counts().sort_index(kind="stable")
    return int(counts.index.to_numpy()[int(np.argmax(counts.to_numpy()))])


def check_year(dates: pd.Series, year: int, path: Path, what: str) -> None:
    """Refuse a file whose activity dates hardly fall in the collection year it is read as."""
    years = collection_years(dates)
    if len(years) < 5:
        return
    share = float(np.mean(years.to_numpy() == year))
    if share < WRONG_YEAR_SHARE:
        found = year_from_dates(dates)
        raise InputError(
            f"wrong year: read as {_label(year)}, but its {what} are mostly in "
            f"{_label(found or year)} ({share:.0%} in {_label(year)}); pass --year or move it",
            path=path,
        )


def _label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"
