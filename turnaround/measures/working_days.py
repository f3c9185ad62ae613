"""Working days between dates: weekdays that are not English bank holidays.

Statutory timescales count working days: an assessment within 45 working days of the referral,
an initial child protection conference within 15 working days of the strategy discussion that
started the Section 47 enquiry. We count the working days *after* the start date, up to and
including the end date. A referral on Monday with its assessment authorised on Tuesday took
one working day; a referral on a Saturday with its assessment done the next Monday also took
one. Ending on the start date gives zero; ending before it gives minus the working days in
(end, start], so swapping the dates only flips the sign.

Bank holidays come from the ``holidays`` package (country GB, subdivision ENG), which keeps
the substitute days when a holiday falls at a weekend and the one-off days (royal weddings,
jubilees, the 2022 state funeral). We do not write the rules by hand.

How SQL counts working days: rather than a Python function registered with DuckDB, the
measures join to a small ``working_calendar`` table (one row per day, with the number of
working days up to and including it). The working days in (start, end] are then
``end.working_day_number - start.working_day_number``. It is plain SQL, so Spark can run it
too, and a join is far faster than calling back into Python per row.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
import numpy as np
import numpy.typing as npt
import pyarrow as pa

CALENDAR_FIRST_YEAR = 1990
CALENDAR_LAST_YEAR = 2050


@cache
def bank_holidays(
    first_year: int = CALENDAR_FIRST_YEAR, last_year: int = CALENDAR_LAST_YEAR
) -> tuple[date, ...]:
    """English bank holidays (with substitute days) from ``first_year`` to ``last_year``."""
    england = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return tuple(sorted(england.keys()))


def _holiday_array() -> npt.NDArray[np.datetime64]:
    return np.array(bank_holidays(), dtype="datetime64[D]")


def working_days(starts: npt.ArrayLike, ends: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Working days after each start, up to and including each end (vectorised).

    ``starts`` and ``ends`` are dates (anything numpy reads as ``datetime64[D]``) of the same
    length; missing dates (NaT) are not allowed, so filter them out first.
    """
    start = np.asarray(starts, dtype="datetime64[D]")
    end = np.asarray(ends, dtype="datetime64[D]")
    # numpy counts a backwards range asymmetrically, so count forwards and flip the sign
    low, high = np.minimum(start, end), np.maximum(start, end)
    one = np.timedelta64(1, "D")
    count = np.busday_count(low + one, high + one, holidays=_holiday_array()).astype(np.int64)
    return np.where(end >= start, count, -count)


def is_working_day(days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether each day is a weekday and not an English bank holiday."""
    return np.is_busday(np.asarray(days, dtype="datetime64[D]"), holidays=_holiday_array())


@cache
def working_calendar() -> pa.Table:
    """One row per day with ``working_day_number``: working days up to and including that day.

    Subtract the number of the start from that of the end to count the working days between.
    """
    days = np.arange(
        np.datetime64(f"{CALENDAR_FIRST_YEAR}-01-01"),
        np.datetime64(f"{CALENDAR_LAST_YEAR + 1}-01-01"),
        dtype="datetime64[D]",
    )
    numbers = np.cumsum(is_working_day(days), dtype=np.int64)
    return pa.table(
        {
            "day": pa.array(days, type=pa.date32()),
            "working_day_number": pa.array(numbers, type=pa.int64()),
            "working_day": pa.array(is_working_day(days)),
        }
    )
