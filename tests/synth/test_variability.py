"""Real councils' year-on-year changes by size band, and the city's, side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from turnaround.synth import variability
from turnaround.synth.calibration import Figure

DFE = Path(__file__).resolve().parents[3] / "shared" / "data" / "dfe"


def test_median_absolute_change_by_hand() -> None:
    # 100 -> 110 (+10%), 110 -> 99 (-10%), 99 -> 99 (0%): median 10%.
    assert variability.median_absolute_change([100, 110, 99, 99]) == pytest.approx(0.10)
    assert np.isnan(variability.median_absolute_change([100]))


def test_absolute_changes_skip_gaps_and_missing_years() -> None:
    levels = pd.DataFrame(
        {2013: [100.0, 50.0], 2014: [120.0, np.nan], 2016: [90.0, 60.0], 2017: [99.0, 30.0]},
        index=["A", "B"],
    )
    changes = variability.absolute_changes(levels)
    got = {(r.la_code, r.year): round(r.change, 4) for r in changes.itertuples()}
    # 2014->2016 is not a year-on-year change; B has no 2014.
    assert got == {("A", 2014): 0.2, ("A", 2017): 0.1, ("B", 2017): 0.5}


def test_a_city_falls_in_the_band_of_its_size() -> None:
    bands = variability.stored_panel()["looked_after"]["bands"]
    first, last = bands[0], bands[-1]
    assert variability.band_for("looked_after", 165).high == first["high"]
    assert variability.band_for("looked_after", 1_800).low == last["low"]
    for key in ("looked_after", "in_need", "cp_plans", "referrals"):
        for band in variability.stored_panel()[key]["bands"]:
            assert 0 < band["q25"] < band["median"] < band["q75"] < 1


def test_a_range_figure_is_within_only_between_its_quartiles() -> None:
    def fig(value: float) -> Figure:
        return Figure("x", "x", value, 0.06, "share", low=0.025, high=0.111)

    assert fig(0.025).within and fig(0.111).within and fig(0.06).within
    assert not fig(0.02).within and not fig(0.12).within
    assert fig(0.06).allowed == "2.5% to 11.1%"


@pytest.mark.skipif(not DFE.is_dir(), reason="the DfE tables (../shared/data/dfe) are absent")
def test_the_stored_quartiles_are_those_of_the_dfe_tables() -> None:
    assert variability.panel_summary(DFE) == variability.stored_panel()


@pytest.mark.skipif(not DFE.is_dir(), reason="the DfE tables (../shared/data/dfe) are absent")
def test_small_councils_move_more_than_large_ones() -> None:
    # The issue's own reading of the panel: up to 250 looked after miss by 8.4% a year on
    # average, over 1,000 by 4.7%. The smallest quarter moves more than the largest.
    summary = variability.panel_summary(DFE)
    for key in ("looked_after", "referrals", "cp_plans"):
        bands = summary[key]["bands"]
        assert bands[0]["median"] > bands[-1]["median"], key
