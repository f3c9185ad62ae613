"""The city's rates drift from year to year, anchored on the calibrated last year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from turnaround.core.years import year_end
from turnaround.synth.calendar import day_number
from turnaround.synth.drift import (
    LEVER_NAMES,
    LEVERS,
    REGIME_COLUMNS,
    Drift,
    build_drift,
    panel_steps,
    steady,
)
from turnaround.synth.variability import Band

BAND = Band(low=0, high=318, q25=0.025, median=0.061, q75=0.111, councils=39, changes=152)
LEVELS = {"looked_after": 160.0, "in_need": 812.0, "cp_plans": 75.0, "referrals": 1229.0}


def _days(year: int) -> np.ndarray:
    """Every day of collection year ``year`` (1 April to 31 March)."""
    return np.arange(day_number(year_end(year - 1)) + 1, day_number(year_end(year)) + 1)


@pytest.mark.parametrize("seed", range(30))
def test_four_panel_steps_have_their_middle_two_between_the_quartiles(seed: int) -> None:
    steps = np.sort(panel_steps(np.random.default_rng(seed), 4, BAND))
    assert BAND.q25 <= steps[1] <= BAND.median <= steps[2] <= BAND.q75
    assert steps[0] >= 0 and steps[3] <= 2 * BAND.q75


@pytest.mark.parametrize("seed", range(10))
def test_the_last_year_keeps_the_calibrated_rates(seed: int) -> None:
    drift = build_drift(np.random.default_rng(seed), 2007, 2014, 2010, LEVELS)
    end = np.array([day_number(year_end(2014))])
    for lever in LEVERS:
        if lever.flow:
            assert np.mean(drift.multiplier(lever.name, _days(2014))) == pytest.approx(1.0)
        else:
            assert drift.multiplier(lever.name, end)[0] == pytest.approx(1.0)


def test_the_rates_really_move_before_the_last_year() -> None:
    drift = build_drift(np.random.default_rng(1), 2007, 2014, 2010, LEVELS)
    table = drift.table()
    earlier = table[table["year"] < 2014]
    assert set(table["lever"]) == set(LEVER_NAMES)
    for lever in ("looked_after", "in_need", "cp_plans", "referrals"):
        values = earlier[earlier["lever"] == lever]["multiplier"]
        assert (values - 1).abs().max() > 0.02, f"{lever} never moved"


def test_a_regime_steps_its_lever_after_its_date_over_its_ramp() -> None:
    # A calm walk with one regime: referrals fall by 20% from 1 July 2011, reached over
    # 3 months. Anchored on the last year (2014), referrals before it ran at 1 / 0.8.
    effect = math.log(0.8)
    start = day_number(pd.Timestamp("2011-07-01").date())
    regimes = pd.DataFrame(
        [[start, "new_front_door", "test", "referrals", effect, 3]], columns=list(REGIME_COLUMNS)
    )
    drift = steady(2010, 2014)
    drift = Drift(years=drift.years, walk=drift.walk, regimes=regimes)
    drift.anchor = {"referrals": effect}  # the mean over 2014 is the full effect
    before = drift.multiplier("referrals", np.array([start - 1]))[0]
    halfway = drift.multiplier("referrals", np.array([start + round(3 * 365.25 / 24)]))[0]
    after = drift.multiplier("referrals", np.array([start + 200]))[0]
    assert before == pytest.approx(1 / 0.8)
    assert halfway == pytest.approx(math.exp(-effect / 2), rel=1e-3)
    assert after == pytest.approx(1.0)
    # Other levers are untouched.
    assert drift.multiplier("cp_plans", np.array([start + 200]))[0] == pytest.approx(1.0)


def test_regimes_are_recorded_with_their_date_and_size() -> None:
    years_with_regimes = 0
    for seed in range(20):
        drift = build_drift(np.random.default_rng(seed), 2007, 2025, 2010, LEVELS)
        table = drift.regime_table()
        assert list(table.columns) == [
            "date",
            "kind",
            "description",
            "lever",
            "multiplier",
            "ramp_months",
        ]
        assert (table["date"] >= pd.Timestamp("2009-04-01")).all()
        assert (table["date"] <= pd.Timestamp("2025-03-31")).all()
        assert (table["multiplier"] > 0).all()
        years_with_regimes += len(table) > 0
    assert years_with_regimes >= 15  # about 3 regimes in 16 years: seldom none


def test_a_steady_drift_never_moves() -> None:
    drift = steady(2010, 2014)
    for name in LEVER_NAMES:
        assert np.allclose(drift.multiplier(name, _days(2012)), 1.0)
