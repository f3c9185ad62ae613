"""The formatters: hand-computed examples at the edges, and properties over many figures."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from turnaround.present.format import (
    MINUS,
    MISSING,
    count,
    day,
    financial_year,
    millions,
    money,
    number,
    percent,
    percent_value,
    table_day,
)


@pytest.mark.parametrize(
    ("pounds", "text"),
    [
        (0, "£0"),
        (0.4, "£0"),
        (-0.4, "£0"),  # rounds to nothing, so no sign
        (0.5, "£1"),
        (5_000, "£5,000"),
        (-450_000, f"{MINUS}£450,000"),
        (999_999.4, "£999,999"),
        (999_999.5, "£1.0m"),  # the rounded figure decides: never '£1,000,000'
        (-999_999.5, f"{MINUS}£1.0m"),
        (1_000_000, "£1.0m"),
        (1_250_000, "£1.3m"),  # half away from zero
        (-1_250_000, f"{MINUS}£1.3m"),
        (12_345_678, "£12.3m"),
        (1_234_567_890, "£1,234.6m"),
        (None, MISSING),
        (math.nan, MISSING),
        (math.inf, MISSING),
    ],
)
def test_money(pounds: float | None, text: str) -> None:
    assert money(pounds) == text


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0.25, "25.0%"),
        (0, "0.0%"),
        (1, "100.0%"),
        (0.995, "99.5%"),
        (0.9995, "100.0%"),  # 99.95 rounds up, though 100 * 0.9995 is 99.94999... in floats
        (0.00049, "0.0%"),
        (0.0005, "0.1%"),
        (-0.0004, "0.0%"),
        (-0.125, f"{MINUS}12.5%"),
        (12.5, "1,250.0%"),
        (None, MISSING),
        (math.nan, MISSING),
    ],
)
def test_percent_of_a_share(share: float | None, text: str) -> None:
    assert percent(share) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(25, "25.0%"), (12.35, "12.4%"), (0.05, "0.1%"), (99.95, "100.0%"), (None, MISSING)],
)
def test_percent_of_a_figure_out_of_100(value: float | None, text: str) -> None:
    assert percent_value(value) == text


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (0.995, 2, "1.00"),  # the float is 0.99499999..., but people wrote 0.995
        (2.675, 2, "2.68"),
        (1234.5, 0, "1,235"),
        (-2.5, 0, f"{MINUS}3"),
        (-0.04, 1, "0.0"),
        (40.75, 1, "40.8"),
        (1_000_000, 0, "1,000,000"),
        (None, 1, MISSING),
    ],
)
def test_number(value: float | None, places: int, text: str) -> None:
    assert number(value, places) == text


def test_count() -> None:
    assert count(1_234_567) == "1,234,567"
    assert count(0) == "0"
    assert count(None) == MISSING


def test_dates() -> None:
    assert day(date(2026, 12, 3)) == "3 December 2026"
    assert table_day(date(2026, 12, 3)) == "03/12/2026"
    assert day(None) == table_day(None) == MISSING
    assert financial_year(2014) == "2014-15"
    assert financial_year(2099) == "2099-00"
    assert financial_year(None) == MISSING


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


def _read_money(text: str) -> float:
    sign = -1 if text.startswith(MINUS) else 1
    body = text.removeprefix(MINUS).removeprefix("£")
    if body.endswith("m"):
        return sign * float(body[:-1].replace(",", "")) * 1e6
    return sign * float(body.replace(",", ""))


@given(finite)
def test_money_reads_back_within_its_rounding(pounds: float) -> None:
    text = money(pounds)
    assert re.fullmatch(rf"{MINUS}?£(\d{{1,3}}(,\d{{3}})*)(\.\d)?m?", text), text
    tolerance = 0.05e6 if text.endswith("m") else 0.5
    assert abs(_read_money(text) - pounds) <= tolerance * (1 + 1e-9)
    # Below a million in whole pounds, from a million in millions: the rule has no gap.
    assert text.endswith("m") == (abs(round(Decimal(repr(pounds)))) >= 1_000_000)


@given(finite)
def test_negating_a_figure_only_adds_the_minus(value: float) -> None:
    for show in (money, percent, lambda v: number(v, 1)):
        positive, negative = show(abs(value)), show(-abs(value))
        assert negative in (positive, MINUS + positive)
        assert "-" not in negative  # a true minus, never a hyphen


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_percent_has_one_decimal_place_and_reads_back(share: float) -> None:
    text = percent(share)
    assert re.fullmatch(r"\d{1,3}\.\d%", text), text
    assert abs(float(text[:-1]) - 100 * share) <= 0.05 + 1e-9


@given(st.integers(min_value=0, max_value=10**12))
def test_count_round_trips(value: int) -> None:
    assert int(count(value).replace(",", "")) == value


@pytest.mark.parametrize(
    ("pounds", "text"),
    [
        (12_400_000, "£12.4m"),
        (308_500, "£0.3m"),
        (49_999, "£0.0m"),
        (50_000, "£0.1m"),
        (-164_360, "−£0.2m"),
        (-40_000, "£0.0m"),
        (999_999_999, "£1,000.0m"),
        (None, "—"),
    ],
)
def test_millions_keep_a_table_in_one_unit(pounds: float | None, text: str) -> None:
    assert millions(pounds) == text
