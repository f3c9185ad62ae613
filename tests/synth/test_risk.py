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
    assert len(table) == 1 << len(risk.FACTORS)
    assert table[0] == 0
    assert table[neglect] == pytest.approx(0.50)
    assert table[neglect | abuse] == pytest.approx(1 - 0.5 * 0.75)
    assert (np.diff(np.sort(table)) >= 0).all() and table.max() < 1


def _mask(*factors: str) -> int:
    return sum(1 << risk.FACTORS.index(f) for f in factors)


def test_high_risk_domestic_abuse_alone_can_make_a_child_a_target() -> None:
    # By hand: 1 - (1 - 0.25) * (1 - 0.47) = 0.6025; standard-risk abuse alone is 0.25.
    table = risk.household_risk_table()
    high = table[_mask("domestic_abuse", "high_risk_domestic_abuse")]
    assert high == pytest.approx(0.6025)
    assert table[_mask("domestic_abuse")] == pytest.approx(0.25)
    ages = np.array([1.0, 3.0, 7.0, 14.0])
    at_risk = high * risk.age_multiplier(ages) >= risk.AT_RISK_FROM
    # A child up to ten is at risk of significant harm from high-risk abuse alone; a teenager
    # (0.6025 * 0.92 = 0.554) only with something more.
    assert at_risk.tolist() == [True, True, True, False]


def test_the_toxic_trio_makes_a_child_of_five_to_ten_a_target() -> None:
    # By hand: 1 - 0.75 * 0.75 * 0.86 * (1 - 0.20) = 0.613, against 0.516 for the three apart.
    table = risk.household_risk_table()
    trio = table[_mask(*risk.TRIO)]
    assert trio == pytest.approx(1 - 0.75 * 0.75 * 0.86 * 0.8)
    assert trio * risk.age_multiplier(np.array([7.0]))[0] >= risk.AT_RISK_FROM
    # Any two of the three are not the trio and get no extra harm.
    pair = table[_mask("domestic_abuse", "substance_misuse")]
    assert pair == pytest.approx(1 - 0.75 * 0.75)
    assert pair < risk.AT_RISK_FROM


def test_high_risk_spells_are_spells_of_domestic_abuse(city_risk) -> None:
    _, _, spells = city_risk
    high = spells.loc[spells["factor"] == "high_risk_domestic_abuse"]
    abuse = spells.loc[spells["factor"] == "domestic_abuse"]
    both = high.merge(abuse, on="household_id", suffixes=("", "_abuse"))
    ends_within = both["end_abuse"].isna() | (
        both["end"].notna() & (both["end"] <= both["end_abuse"])
    )
    inside = (both["start"] >= both["start_abuse"]) & ends_within
    # Every high-risk spell lies within one of the household's spells of domestic abuse.
    assert len(high) > 0
    assert inside.groupby([both["household_id"], both["start"]]).any().all()
    assert inside.groupby([both["household_id"], both["start"]]).any().size == len(high)
    # A minority of spells are high-risk (SafeLives: about one child in six living with abuse).
    assert 0.08 < len(high) / len(abuse) < 0.35


def test_the_trio_clusters_as_the_childrens_commissioner_estimates(city_risk) -> None:
    _, pop, spells = city_risk
    on = spells.loc[
        (spells["start"] <= pd.Timestamp("2013-10-15"))
        & (spells["end"].isna() | (spells["end"] > pd.Timestamp("2013-10-15")))
    ]
    has = {f: set(on.loc[on["factor"] == f, "household_id"]) for f in risk.TRIO}
    kids = pop.children["household_id"].value_counts()
    da = kids.reindex(list(has["domestic_abuse"])).sum()
    all_three = kids.reindex(list(set.intersection(*has.values()))).sum()
    # 100,000 of the 825,000 children living with domestic abuse live with all three (12%);
    # independent factors would give under 1%.
    assert 0.06 < all_three / da < 0.25


def test_risk_levels_cut_where_documented() -> None:
    levels = risk.risk_level(np.array([0.0, 0.19, 0.2, 0.39, 0.4, 0.59, 0.6, 1.0]))
    assert levels.tolist() == ["low", "low", "medium", "medium", "high", "high", "severe", "severe"]
