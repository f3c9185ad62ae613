"""Collection years and census days."""

from __future__ import annotations

from datetime import date

import pandas as pd

from turnaround.core.years import (
    cin_reference_date,
    collection_period,
    collection_year,
    collection_years,
    school_census_day,
    workforce_census_day,
    year_end,
)


def test_the_year_runs_from_1_april_to_31_march() -> None:
    assert collection_year(date(2013, 4, 1)) == 2014
    assert collection_year(date(2014, 3, 31)) == 2014
    assert collection_year(date(2014, 4, 1)) == 2015
    assert collection_year(date(2014, 1, 1)) == 2014
    assert collection_period(2024) == (date(2023, 4, 1), date(2024, 3, 31))


def test_census_days() -> None:
    assert year_end(2014) == cin_reference_date(2014) == date(2014, 3, 31)
    assert school_census_day(2014) == date(2014, 1, 16)  # the third Thursday
    assert school_census_day(2015) == date(2015, 1, 15)
    assert workforce_census_day(date(2014, 3, 31)) == date(2013, 9, 30)
    assert workforce_census_day(date(2014, 9, 30)) == date(2014, 9, 30)


def test_collection_years_of_a_column() -> None:
    days = pd.Series(["2013-04-01", "2014-03-31", "not a date", "2014-04-01"])
    assert collection_years(days).tolist() == [2014, 2014, 2015]
