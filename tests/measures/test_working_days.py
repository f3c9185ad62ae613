"""Working days: weekends, English bank holidays, substitute days and year ends."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.measures.working_days import (
    bank_holidays,
    is_working_day,
    working_calendar,
    working_days,
)

CASES = [
    ("2014-03-03", "2014-03-04", 1, "Monday to Tuesday"),
    ("2014-03-03", "2014-03-03", 0, "the same day"),
    ("2014-03-07", "2014-03-10", 1, "Friday to Monday"),
    ("2014-03-08", "2014-03-10", 1, "Saturday to Monday: Monday is the first working day"),
    ("2014-03-08", "2014-03-09", 0, "Saturday to Sunday"),
    ("2013-12-24", "2013-12-27", 1, "Christmas Day and Boxing Day"),
    ("2013-12-31", "2014-01-02", 1, "New Year's Day, across the calendar year end"),
    ("2014-03-31", "2014-04-01", 1, "across the end of the collection year"),
    ("2014-04-17", "2014-04-22", 1, "Good Friday and Easter Monday 2014"),
    ("2015-12-24", "2015-12-29", 1, "Boxing Day on a Saturday: substitute Monday 28th"),
    ("2020-05-07", "2020-05-11", 1, "the early May holiday moved to Friday 8 May in 2020"),
    ("2022-09-16", "2022-09-20", 1, "the Queen's state funeral, Monday 19 September 2022"),
    ("2014-01-06", "2014-03-10", 45, "nine whole weeks"),
    ("2014-03-10", "2014-03-03", -5, "an end before the start counts backwards"),
]


@pytest.mark.parametrize(("start", "end", "expected", "why"), CASES)
def test_working_days(start: str, end: str, expected: int, why: str) -> None:
    assert working_days([start], [end])[0] == expected, why


def test_vectorised_over_many_pairs() -> None:
    starts = [c[0] for c in CASES]
    ends = [c[1] for c in CASES]
    assert list(working_days(starts, ends)) == [c[2] for c in CASES]


def test_bank_holidays_are_englands() -> None:
    days = set(bank_holidays())
    assert date(2014, 8, 25) in days  # English summer bank holiday (late August)
    assert date(2014, 8, 4) not in days  # Scotland's is early August
    assert date(2014, 3, 17) not in days  # St Patrick's Day is Northern Ireland's
    assert date(2023, 5, 8) in days  # the coronation


def test_weekends_are_not_working_days() -> None:
    assert list(is_working_day(["2014-03-08", "2014-03-09", "2014-03-10"])) == [
        False,
        False,
        True,
    ]


def _sql_working_days(pairs: list[tuple[date, date]]) -> list[int]:
    con = duckdb.connect()
    con.register("working_calendar", working_calendar())
    con.execute("create table pairs (i integer, s date, e date)")
    con.executemany("insert into pairs values (?, ?, ?)", [(i, s, e) for i, (s, e) in
                                                           enumerate(pairs)])  # fmt: skip
    rows = con.execute(
        "select b.working_day_number - a.working_day_number from pairs"
        " join working_calendar as a on a.day = pairs.s"
        " join working_calendar as b on b.day = pairs.e order by i"
    ).fetchall()
    return [int(r[0]) for r in rows]


def test_sql_calendar_agrees_on_the_edge_cases() -> None:
    pairs = [(date.fromisoformat(c[0]), date.fromisoformat(c[1])) for c in CASES]
    assert _sql_working_days(pairs) == [c[2] for c in CASES]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31)),
            st.integers(min_value=-60, max_value=400),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_sql_calendar_agrees_with_numpy(pairs: list[tuple[date, int]]) -> None:
    dated = [(s, s + timedelta(days=n)) for s, n in pairs]
    expected = working_days(
        np.array([s for s, _ in dated], dtype="datetime64[D]"),
        np.array([e for _, e in dated], dtype="datetime64[D]"),
    )
    assert _sql_working_days(dated) == list(expected)
