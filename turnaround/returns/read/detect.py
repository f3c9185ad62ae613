"""Which return a file is, and which collection year it belongs to.

A CSV is identified by its header row (as Data to Insight's 903 validator identifies tables by
their columns), XML by its root element, a workbook by its sheet names.

The year is read from the evidence, by ``read_year``. ``--year`` overrides everything. Else the
dates in the data decide: each activity date (episodes starting and ending, reviews, missing
episodes; CIN referrals, closures, assessments, plans, enquiries and reviews) falls in one
collection year (1 April-31 March, named by its 31 March), and the year holding most of them is
the dates' year. Open episodes and cases that began earlier spread over many years, so they
rarely outnumber a year's own starts, ends and reviews. Dates outside the years any schema
describes (1971 test dates, 2099 typos) are not evidence. Names (a folder or file name, the CIN
header's ``<Year>``) support that reading: a single year '2017' may name the year ending in
March 2017 (our convention and the DfE's) or the year starting in April 2017 (as some tools
name folders), while '2017-18', '2017_18' and '201718' name one year. When no name reads the
dates' year, a name still holds if the dates fit it (at least 10% fall in it and at most 10%
after it: a return holds older dates, not later ones); otherwise names and dates clash, and the
file is refused naming both readings. With fewer than ``MIN_DATES`` dates, the CIN header's
``ReferenceDate`` decides, else a name (the dates, if any, choose its convention), else the
dates there are. Every reading says what its evidence was, as an ``S-YEAR`` query.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.core.failure import Failure
from turnaround.core.years import collection_year, collection_years
from turnaround.errors import InputError
from turnaround.returns.schema import BASE_YEAR, EARLIEST_YEAR, LATEST_YEAR, schema_for

# '2017-18', '2017_18', '2017 18', '201718', '2017-2018': one collection year, ending 2018.
_YEAR_PAIR = re.compile(r"(?<!\d)(20\d{2})[-_ ]?(?:20)?(\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
MIN_DATES = 5
"""Fewer activity dates than this are too few to tell the year by."""
FIT_SHARE = 0.1
"""A named year fits the dates when at least this share fall in it, and at most this after it."""


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


@dataclass(frozen=True)
class YearName:
    """A year named by a folder, a file or a header, and the collection years it may mean."""

    where: str  # "folder name '2017'", "file name 'cin_2014.xml'", "header <Year> 2023"
    ends: int  # read as the year ending in its March (our convention and the DfE's)
    starts: int | None = None  # read as the year starting in its April, when that is possible

    @property
    def readings(self) -> tuple[int, ...]:
        """The collection years the name may mean, our convention's first."""
        return (self.ends,) if self.starts is None else (self.ends, self.starts)

    def read_as(self, year: int) -> str:
        """How the name was read, to say so: "folder name '2017' read as the year it starts"."""
        if self.starts is None:
            return f"{self.where} agrees"
        side = "ends" if year == self.ends else "starts"
        return f"{self.where} read as the year it {side}"


def name_in(text: str, where: str) -> YearName | None:
    """The year a name gives ('2017', '2017-18', '201718'), or None if it gives none."""
    for pair in _YEAR_PAIR.finditer(text):
        first, second = int(pair.group(1)), int(pair.group(2))
        if second == (first + 1) % 100:
            return YearName(where, first + 1)
    single = _YEAR.search(text)
    if single is None:
        return None
    year = int(single.group(1))
    return YearName(where, year, year + 1)


def file_name_year(path: Path) -> YearName | None:
    """The year a file's own name gives ('SSDA903_2020_episodes.csv'), or None."""
    return name_in(path.stem, f"file name {path.name!r}")


def folder_name_year(path: Path, levels: int = 3) -> YearName | None:
    """The year the nearest of a file's folders gives ('2017', 'returns_2017-18'), or None."""
    for folder in list(path.parents)[:levels]:
        found = name_in(folder.name, f"folder name {folder.name!r}")
        if found is not None:
            return found
    return None


def path_names(path: Path) -> list[YearName]:
    """The years a file's name and its folder give, the file's first."""
    return [n for n in (file_name_year(path), folder_name_year(path)) if n is not None]


@dataclass(frozen=True)
class YearReading:
    """The collection year a return was read as, and the evidence, in words."""

    year: int
    evidence: str

    def failure(self, file: str, table: str) -> Failure:
        """The ``S-YEAR`` query that says how the year was read."""
        return Failure.about_file(file, table, "S-YEAR", self.evidence)


def read_year(
    dates: pd.Series,
    *,
    names: Sequence[YearName] = (),
    given: int | None = None,
    reference: pd.Timestamp | None = None,
    what: str = "activity dates",
    path: Path | None = None,
) -> YearReading:
    """The collection year of a return, from ``--year``, its dates and its names (module doc).

    ``dates`` are the return's activity dates; ``names`` the years its folder, file or header
    name, strongest first; ``reference`` the CIN header's ReferenceDate. Raises ``InputError``
    when names and dates clash, or when nothing tells the year.
    """
    counts = date_counts(dates)
    total = int(counts.sum())
    few = _too_few(total, len(collection_years(dates)), what)
    if given is not None:
        return YearReading(given, _given(given, counts, names, what))
    if total >= MIN_DATES:
        return _from_dates(counts, names, reference, what, path)
    if reference is not None and not pd.isna(reference):
        year = collection_year(reference.date())
        text = f"collection year {label(year)} from the header's ReferenceDate " + (
            f"{reference:%Y-%m-%d}, as the file has {few}"
        )
        return YearReading(year, text + _other_names(names, year))
    if names:
        name = names[0]
        year = max(name.readings, key=lambda y: (int(counts.get(y, 0)), -name.readings.index(y)))
        text = f"collection year {label(year)}: {name.read_as(year)}"
        if len(name.readings) > 1 and not counts.get(year, 0):
            text += " (the DfE's convention)"
        text += f"; the file has {few}"
        return YearReading(year, text + _other_names(names[1:], year))
    if total:
        year = commonest(counts)
        return YearReading(
            year,
            f"collection year {label(year)} from {int(counts[year])} of {total} {what}, "
            "which are few; no year in the names",
        )
    raise InputError(
        f"cannot tell the collection year (no year in the names and {few}); pass --year",
        path=path,
    )


def date_counts(dates: pd.Series) -> pd.Series:
    """How many dates fall in each collection year any schema describes, by year."""
    years = collection_years(dates)
    years = years[(years >= EARLIEST_YEAR) & (years <= LATEST_YEAR)]
    return years.value_counts().sort_index()


def _from_dates(
    counts: pd.Series,
    names: Sequence[YearName],
    reference: pd.Timestamp | None,
    what: str,
    path: Path | None,
) -> YearReading:
    total = int(counts.sum())
    found = commonest(counts)
    share = f"{int(counts[found]):,} of {total:,} {what}"
    supporting = [n for n in names if found in n.readings]
    if supporting or not names:
        text = f"collection year {label(found)} from {share}"
        text += "; " + supporting[0].read_as(found) if supporting else "; no year in the names"
        text += _other_names([n for n in names if n not in supporting], found)
        return YearReading(found, text + _reference_note(reference, found))
    for name in names:
        for year in name.readings:
            if _fits(counts, year):
                inside = int(counts.get(year, 0))
                text = (
                    f"collection year {label(year)}: {name.read_as(year)}, and {inside:,} of "
                    f"{total:,} {what} fall in it and few after it (most, {int(counts[found]):,}, "
                    f"are in {label(found)}: cases that began earlier)"
                )
                return YearReading(year, text + _other_names(names, year))
    said = names[0]
    readings = " or ".join(label(y) for y in said.readings)
    raise InputError(
        f"names and dates disagree on the year: the {said.where} says {readings}, but "
        f"{share} fall in {label(found)}; pass --year {said.ends} or --year {found} "
        "(a year is named by its 31 March)",
        path=path,
    )


def _fits(counts: pd.Series, year: int) -> bool:
    """Whether dates fit a year: enough fall in it, and few after it (a return holds no later)."""
    total = counts.sum()
    inside = counts.get(year, 0) / total
    after = counts[counts.index > year].sum() / total
    return bool(inside >= FIT_SHARE and after <= FIT_SHARE)


def commonest(counts: pd.Series) -> int:
    """The year with most dates; a tie goes to the later year (older dates are open cases)."""
    values = counts.to_numpy()
    latest = np.flatnonzero(values == values.max())[-1]
    return int(counts.index.to_numpy()[latest])


def _given(given: int, counts: pd.Series, names: Sequence[YearName], what: str) -> str:
    text = f"collection year {label(given)} as given by --year"
    total = int(counts.sum())
    if total >= MIN_DATES:
        found = commonest(counts)
        if found != given:
            text += (
                f"; most of its {what} ({int(counts[found]):,} of {total:,}) are in {label(found)}"
            )
    return text + _other_names(names, given)


def _other_names(names: Sequence[YearName], year: int) -> str:
    """Names that read another year, said so, as they did not decide."""
    other = [n for n in names if year not in n.readings]
    return "".join(
        f"; the {n.where} says {' or '.join(label(y) for y in n.readings)}" for n in other
    )


def _reference_note(reference: pd.Timestamp | None, year: int) -> str:
    if reference is None or pd.isna(reference) or collection_year(reference.date()) == year:
        return ""
    return f"; the header's ReferenceDate {reference:%Y-%m-%d} is not {label(year)}'s"


def _too_few(total: int, read: int, what: str) -> str:
    """Too few dates, in words: none, none in a year any schema describes, or only a few."""
    if read == 0:
        return f"no {what}"
    span = f"{label(EARLIEST_YEAR)} to {label(LATEST_YEAR)}"
    if total == 0:
        return f"{read} {what}, none of them in {span}"
    return f"only {total} {what} in {span}"


def label(year: int) -> str:
    """A collection year as the year it covers: 2018 is '2017-18'."""
    return f"{year - 1}-{year % 100:02d}"


def year_from_path(path: Path) -> int | None:
    """A collection year named by the file or one of its folders, in our convention."""
    names = path_names(path)
    return names[0].ends if names else None
