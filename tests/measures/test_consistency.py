"""Measures from the loaded returns agree with the generator's own ground truth."""

from __future__ import annotations

import pytest

from tests.acting import admin
from turnaround.benchmarks import load_benchmarks
from turnaround.measures.compute import compute_measures
from turnaround.measures.summary import set_council
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import GeneratedCity, generate_city
from turnaround.synth.config import SynthConfig


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratedCity, dict[str, float]]:
    out = tmp_path_factory.mktemp("city")
    config = SynthConfig(children=6_000, seed=12)
    city = generate_city(config, out)
    store = open_store(out / "w.duckdb")
    load_returns(store, [out / "returns"], actor=admin(store))
    load_benchmarks(store, [out / "population"], actor=admin(store))
    set_council(store, config.la_code)
    values = {
        v.measure_id: v for v in compute_measures(store, la_code=config.la_code) if v.year == 2014
    }
    return city, {k: v.value for k, v in values.items() if v.value is not None} | {
        f"{k}.n": v.numerator for k, v in values.items()
    }


def test_stocks_at_31_march_equal_the_generators_counts(loaded) -> None:
    city, measures = loaded
    truth = city.city.figures
    assert measures["lac_per_10k.n"] == truth["looked_after"]
    assert measures["cin_per_10k.n"] == truth["in_need"]
    assert measures["cp_plans_per_10k.n"] == truth["cp_plans"]
    assert measures["referrals_per_10k.n"] == truth["referrals"]


def test_rates_use_the_citys_population(loaded) -> None:
    city, measures = loaded
    children = city.city.figures["children"]
    assert measures["lac_per_10k"] == pytest.approx(
        city.city.figures["looked_after"] / children * 10_000, rel=0.02
    )


def test_rereferrals_match_the_generators_definition(loaded) -> None:
    city, measures = loaded
    assert measures["rereferrals_12m"] == pytest.approx(
        100 * city.city.figures["rereferral"], abs=0.5
    )


def test_placement_moves_and_long_plans_match_the_calibration_table(loaded) -> None:
    city, measures = loaded
    figures = city.city.figures
    assert measures["lac_3_plus_placements"] == pytest.approx(
        100 * figures["placement_moves_3plus"], abs=0.01
    )
    assert measures["cp_plans_open_2_years_plus"] == pytest.approx(
        100 * figures["cp_two_years"], abs=0.01
    )
