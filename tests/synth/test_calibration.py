"""The stability figures of the calibration table, on records small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from turnaround.synth.calibration import (
    CP_TWO_YEARS_PUBLISHED,
    _small_group_tolerance,
    cp_two_years,
    placements_3plus,
    stability_figures,
)
from turnaround.synth.journeys.plans import CP_MEDIAN_DAYS, CP_SIGMA
from turnaround.synth.model import City

START, END = pd.Timestamp("2013-04-01"), pd.Timestamp("2014-03-31")


def _episodes(rows: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    """Episodes from (child, start, end or None, RNE)."""
    return pd.DataFrame(
        {
            "la_child_id": [r[0] for r in rows],
            "decom": pd.to_datetime([r[1] for r in rows]),
            "dec": pd.to_datetime(pd.Series([r[2] for r in rows])),
            "rne": [r[3] for r in rows],
        }
    )


EPISODES = _episodes(
    [
        # A: in care all year, two moves: 1 April's placement + 2 = 3 placements.
        ("A", "2012-01-10", "2013-06-01", "S"),
        ("A", "2013-06-01", "2013-11-20", "P"),
        ("A", "2013-11-20", None, "P"),
        # B: one move, and a change of legal status that is not a move: 2 placements.
        ("B", "2012-05-05", "2013-07-01", "S"),
        ("B", "2013-07-01", "2013-09-01", "P"),
        ("B", "2013-09-01", None, "L"),
        # C: came into care in the year and moved twice (T and B are moves too): 3.
        ("C", "2013-05-01", "2013-05-04", "S"),
        ("C", "2013-05-04", "2013-05-09", "T"),
        ("C", "2013-05-09", None, "B"),
        # D: four placements, but left care before 31 March: not counted at all.
        ("D", "2013-04-02", "2013-05-01", "S"),
        ("D", "2013-05-01", "2013-06-01", "P"),
        ("D", "2013-06-01", "2013-07-01", "P"),
        ("D", "2013-07-01", "2014-01-01", "P"),
        # E: a new period of care starting on 1 April itself, then one move: 2.
        ("E", "2013-04-01", "2013-08-08", "S"),
        ("E", "2013-08-08", None, "P"),
    ]
)


def test_three_or_more_placements_counts_1_april_and_every_move() -> None:
    assert placements_3plus(EPISODES, START, END) == (4, 2)  # A and C, of A, B, C and E


def test_a_child_in_care_all_year_without_moving_has_one_placement() -> None:
    still = _episodes([("F", "2010-01-01", None, "S")])
    assert placements_3plus(still, START, END) == (1, 0)


def test_a_plan_counts_as_two_years_from_its_second_anniversary() -> None:
    plans = pd.DataFrame(
        {
            "start_date": pd.to_datetime(
                ["2012-03-31", "2012-04-01", "2011-01-01", "2014-01-01", "2013-03-31"]
            ),
            "end_date": pd.to_datetime(pd.Series([None, None, "2014-02-01", None, "2014-03-31"])),
        }
    )
    # Open on 31 March: the first, second and fourth (the third ended, the fifth ended that
    # day). Only the first had lasted two years.
    assert cp_two_years(plans, END) == (3, 1)


def test_the_england_share_is_the_dfes_percentage_and_agrees_with_its_counts() -> None:
    assert CP_TWO_YEARS_PUBLISHED == 0.026
    assert abs(1_230 / 48_300 - CP_TWO_YEARS_PUBLISHED) < 0.0006  # counts rounded to 10


def _phi(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_the_plan_length_puts_about_2_6_percent_of_open_plans_past_two_years() -> None:
    # Plans open on a day have lasted t or more in the share E[(L - t)+] / E[L]; for a
    # lognormal L that is Phi(d1) - t / E[L] * Phi(d2), with d2 = (mu - ln t) / sigma and
    # d1 = d2 + sigma. With median 220 days and sigma 0.65: 0.116 - 730 / 272 * 0.0325.
    mu, sigma, t = math.log(CP_MEDIAN_DAYS), CP_SIGMA, 730
    mean = math.exp(mu + sigma**2 / 2)
    d2 = (mu - math.log(t)) / sigma
    share = _phi(d2 + sigma) - t / mean * _phi(d2)
    assert 0.020 <= share <= 0.032


class _SocialCare:
    def __init__(self, episodes: pd.DataFrame, cp_plans: pd.DataFrame) -> None:
        self.episodes = episodes
        self.cp_plans = cp_plans


class _City:
    def __init__(self, episodes: pd.DataFrame, cp_plans: pd.DataFrame) -> None:
        self.social_care = _SocialCare(episodes, cp_plans)


def test_the_figures_come_from_the_citys_records() -> None:
    plans = pd.DataFrame(
        {"start_date": pd.to_datetime(["2011-06-01", "2013-06-01"]), "end_date": [pd.NaT] * 2}
    )
    city: City = _City(EPISODES, plans)  # type: ignore[assignment]
    moves, cp = stability_figures(city, None, END)  # type: ignore[arg-type]
    assert (moves.key, moves.generated, moves.published) == ("placement_moves_3plus", 0.5, 0.11)
    assert (cp.key, cp.generated) == ("cp_two_years", 0.5)
    # Four children: two binomial standard errors of 11% are 2 * 0.156 = 0.31, 2.84 times 11%;
    # 50% is 4.5 times 11%, so not within even so.
    assert moves.tolerance == pytest.approx(2 * np.sqrt(0.11 * 0.89 / 4) / 0.11)
    assert not moves.within


def test_small_groups_get_two_standard_errors_and_large_ones_the_councils_spread() -> None:
    # 160 children looked after (a city of 25,000): 2 * sqrt(0.11 * 0.89 / 160) = 0.049,
    # which is 0.45 of 11%. At Birmingham's 1,800 it would be 0.13, under the spread of 0.25.
    assert _small_group_tolerance(0.25, 0.11, 160) == pytest.approx(0.4498, abs=0.001)
    assert _small_group_tolerance(0.25, 0.11, 1_800) == 0.25
    assert _small_group_tolerance(0.25, 0.11, 0) == 0.25
