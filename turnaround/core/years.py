"""Collection years and census days.

The DfE's collection year runs from 1 April to 31 March and is named by the year of its
31 March: SSDA903 and CIN census year 2024 is 1 April 2023 to 31 March 2024. The CIN census
reference date is that 31 March. The school census (spring) is dated by its census day in
January, and the children's social work workforce census by 30 September.
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def collection_year(day: date) -> int:
    """The collection year ``day`` falls in, named by the year of its 31 March."""
    return day.year + (1 if day.month >= 4 else 0)


def year_start(year: int) -> date:
    """The 1 April a collection year starts on."""
    return date(year - 1, 4, 1)


def year_end(year: int) -> date:
    """The 31 March a collection year ends on (the SSDA903 year end)."""
    return date(year, 3, 31)


def collection_period(year: int) -> tuple[date, date]:
    """The first and last day of a collection year, both inclusive."""
    return year_start(year), year_end(year)


def cin_reference_date(year: int) -> date:
    """The CIN census ``ReferenceDate`` of a collection year: its 31 March."""
    return year_end(year)


def school_census_day(year: int) -> date:
    """The spring school census day of calendar ``year``: the third Thursday of January."""
    first = date(year, 1, 1)
    return date(year, 1, 1 + (3 - first.weekday()) % 7 + 14)


def workforce_census_day(at: date) -> date:
    """The workforce census day for ``at``: the 30 September on or before it."""
    year = at.year if (at.month, at.day) >= (9, 30) else at.year - 1
    return date(year, 9, 30)


def collection_years(dates: pd.Series) -> pd.Series:
    """The collection year of each date in a column (unreadable dates dropped)."""
    d = pd.to_datetime(dates, errors="coerce").dropna()
    return pd.Series(d.dt.year + (d.dt.month >= 4).astype(int), dtype="int64")
