"""Day numbers for the workforce model: days since 1970, with a sentinel for "still open"."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

YEAR_DAYS = 365.25
OPEN = np.iinfo(np.int64).max // 4  # a day number that stands for "still open"
ALWAYS = -OPEN  # the first day of a post that existed before the window opened


def to_day(when: date) -> int:
    """The day number of ``when``."""

    return int(np.datetime64(when, "D").astype(np.int64))


def to_days(values: pd.Series) -> np.ndarray:
    """Day numbers of a column of dates, with ``OPEN`` where there is no date."""

    raw = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    days = raw.astype(np.int64)
    return np.where(np.isnat(raw), OPEN, days)


def to_dates(days: np.ndarray) -> pd.Series:
    """Day numbers back to dates, with ``NaT`` for ``OPEN``."""

    days = np.asarray(days, dtype=np.int64)
    out = np.where(days == OPEN, np.datetime64("NaT"), days.astype("datetime64[D]"))
    return pd.Series(out.astype("datetime64[ns]"))
