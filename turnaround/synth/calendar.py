"""Dates for the simulation: months as integers and conversions to real dates.

The journey simulation steps a month at a time; months are counted from the simulation's start,
and days within a month are drawn so that events have real calendar dates.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")


def to_days(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as integer days since 1970-01-01 (NaT becomes the minimum int64)."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


def from_days(days: np.ndarray) -> np.ndarray:
    """Integer days since 1970-01-01 back to ``datetime64[ns]`` (for pandas)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")


def day_number(when: date) -> int:
    """One date as integer days since 1970-01-01."""
    return int(np.datetime64(when, "D").astype(np.int64))


NAT_DAYS = np.iinfo(np.int64).min
OPEN = np.iinfo(np.int64).max // 4  # an end date "after everything" for open spells


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Move integer-day dates by whole years (29 February becomes 28 February)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(int) + 1
    dd = np.where((m == 2) & (dd == 29), 28, dd)
    out = (
        (y + years - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (m - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (dd - 1).astype("timedelta64[D]")
    return out.astype(np.int64)


def next_weekday(day: int) -> int:
    """The same day if a weekday, otherwise the Monday after (1970-01-01 was a Thursday)."""
    weekday = (day + 3) % 7  # Monday is 0
    return day + (7 - weekday if weekday >= 5 else 0)
