"""The population: exact size at the end, households, siblings, moves, valid identifiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turnaround.synth.config import SynthConfig
from turnaround.synth.identity import is_valid_nhs_number, is_valid_upn
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.rng import rng_for


@pytest.fixture(scope="module")
def population():
    config = SynthConfig(children=3_000, seed=11)
    return config, build_population(config, rng_for(11, "population"), simulation_start(config))


def _resident_children(children: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (
        (children["arrived"] <= day)
        & (children["left"].isna() | (children["left"] > day))
        & (children["dob"] <= day)
        & (children["dob"] > day - pd.DateOffset(years=18))
    )


def test_exactly_the_requested_children_live_in_the_city_at_the_end(population) -> None:
    config, pop = population
    end = pd.Timestamp(config.window_end)
    assert int(_resident_children(pop.children, end).sum()) == config.children


def test_the_population_changes_over_the_window(population) -> None:
    config, pop = population
    ch = pop.children
    start = pd.Timestamp(config.window_start)
    end = pd.Timestamp(config.window_end)
    born = ((ch["dob"] > start) & (ch["dob"] <= end)).sum()
    moved_in = ((ch["arrived"] > ch["dob"]) & (ch["arrived"] > start)).sum()
    moved_out = ch["left"].notna().sum()
    aged_out = (ch["dob"] + pd.DateOffset(years=18) <= end).sum()
    # About a year's births per year: roughly N/18 a year over five years.
    assert 0.18 < born / config.children < 0.40
    assert moved_in > 0.03 * config.children
    assert moved_out > 0.03 * config.children
    assert aged_out > 0.15 * config.children


def test_identifiers_are_valid_and_unique(population) -> None:
    _, pop = population
    ch = pop.children
    assert ch["person_id"].is_unique
    assert ch["nhs_number"].is_unique
    assert all(is_valid_nhs_number(v) for v in ch["nhs_number"])
    upns = ch.loc[ch["upn"] != "", "upn"]
    assert upns.is_unique
    assert all(is_valid_upn(v) for v in upns)
    assert len(upns) > 0.5 * len(ch)


def test_siblings_usually_share_a_surname_and_an_address(population) -> None:
    _, pop = population
    ch = pop.children
    big = ch.groupby("household_id").filter(lambda g: len(g) >= 2)
    base = big["surname"].str.split("-").str[0]
    shared = big.assign(base=base).groupby("household_id")["base"].nunique().eq(1).mean()
    assert 0.75 < shared < 1.0  # usually, but not always
    # Every household has exactly one current address at any time: no overlapping spells.
    addr = pop.addresses.sort_values(["household_id", "start"])
    nxt = addr.groupby("household_id")["start"].shift(-1)
    overlaps = addr["end"].notna() & nxt.notna() & (addr["end"] > nxt)
    assert not overlaps.any()
    assert addr.groupby("household_id")["end"].apply(lambda s: s.isna().sum()).eq(1).all()


def test_postcodes_are_birmingham_b_postcodes(population) -> None:
    _, pop = population
    assert pop.addresses["postcode"].str.match(r"^B\d{1,2} \d[A-Z]{2}$").all()


def test_same_seed_same_population_and_different_seed_differs() -> None:
    config = SynthConfig(children=600, seed=3)
    a = build_population(config, rng_for(3, "population"), simulation_start(config))
    b = build_population(config, rng_for(3, "population"), simulation_start(config))
    c = build_population(config, rng_for(4, "population"), simulation_start(config))
    pd.testing.assert_frame_equal(a.children, b.children)
    assert not a.children["forename"].equals(c.children["forename"])


def test_names_come_from_several_groups_with_realistic_mix(population) -> None:
    _, pop = population
    shares = pop.children["name_group"].value_counts(normalize=True)
    assert shares["white_british"] == pytest.approx(0.42, abs=0.08)
    assert shares["pakistani"] == pytest.approx(0.20, abs=0.06)
    assert np.isin(pop.children["ethnicity"].unique(), ["WBRI", "APKN", "AIND"]).sum() == 3
