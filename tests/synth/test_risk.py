"""Latent risk: spells that do not overlap, cluster within households and with deprivation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turnaround.synth import risk
from turnaround.synth.calendar import day_number
from turnaround.synth.config import SynthConfig
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.rng import rng_for


@pytest.fixture(scope="module")
def city_risk():
    config = SynthConfig(children=4_000, seed=5)
    start = simulation_start(config)
    pop = build_population(config, rng_for(5, "population"), start)
    spells = risk.build_risk_spells(pop, rng_for(5, "risk"), start, day_number(config.window_end))
    return config, pop, spells


def test_spells_of_one_factor_never_overlap_in_a_household(city_risk) -> None:
    _, _, spells = city_risk
    s = spells.sort_values(["household_id", "factor", "start"])
    nxt = s.groupby(["household_id", "factor"])["start"].shift(-1)
    assert not (s["end"].notna() & nxt.notna() & (s["end"] > nxt)).any()
    assert (s["end"].isna() | (s["end"] > s["start"])).all()
    assert set(s["factor"]) <= set(risk.FACTORS)


def test_factors_cluster_within_households(city_risk) -> None:
    _, pop, spells = city_risk
    n = len(pop.households)
    has = {f: np.zeros(n + 1, bool) for f in risk.FACTORS}
    for f, ids in spells.groupby("factor")["household_id"]:
        has[str(f)][ids.to_numpy()] = True
    da, sm = has["domestic_abuse"][1:], has["substance_misuse"][1:]
    # The chance of substance misuse is higher where there was domestic abuse.
    assert sm[da].mean() > 2 * sm[~da].mean()


def test_deprivation_raises_risk(city_risk) -> None:
    _, pop, spells = city_risk
    hh = pop.households.set_index("household_id")
    affected = hh.index.isin(spells.loc[spells["factor"] == "neglect", "household_id"])
    deprived = hh["deprivation"] > hh["deprivation"].median()
    assert affected[deprived.to_numpy()].mean() > 1.5 * affected[~deprived.to_numpy()].mean()


def test_factor_masks_match_the_spells_by_hand() -> None:
    spells = pd.DataFrame(
        {
            "household_id": [1, 1, 2],
            "factor": ["neglect", "poverty", "domestic_abuse"],
            "start": pd.to_datetime(["2013-01-10", "2013-02-20", "2013-01-01"]),
            "end": pd.to_datetime(["2013-03-01", None, "2013-01-05"]),
        }
    )
    months = np.array([day_number(pd.Timestamp(f"2013-0{m}-01").date()) for m in (1, 2, 3)])
    masks = risk.factor_masks(spells, 2, months)
    neglect, poverty = 1 << risk.FACTORS.index("neglect"), 1 << risk.FACTORS.index("poverty")
    # Mid-month is the 15th: neglect covers Jan 15 and Feb 15; poverty starts after Feb 15.
    assert masks[:, 1].tolist() == [neglect, neglect, poverty]
    assert masks[:, 2].tolist() == [0, 0, 0]  # domestic abuse ended before the 15th


def test_risk_table_combines_factors_as_independent_harms() -> None:
    table = risk.household_risk_table()
    neglect = 1 << risk.FACTORS.index("neglect")
    abuse = 1 << risk.FACTORS.index("domestic_abuse")
    assert table[0] == 0
    assert table[neglect] == pytest.approx(0.50)
    assert table[neglect | abuse] == pytest.approx(1 - 0.5 * (1 - 0.33))
    assert (np.diff(np.sort(table)) >= 0).all() and table.max() < 1


def test_risk_levels_cut_where_documented() -> None:
    levels = risk.risk_level(np.array([0.0, 0.19, 0.2, 0.39, 0.4, 0.59, 0.6, 1.0]))
    assert levels.tolist() == ["low", "low", "medium", "medium", "high", "high", "severe", "severe"]
