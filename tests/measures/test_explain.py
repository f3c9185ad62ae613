"""On a synthetic city: every figure and its drill-down agree, for every measure and year."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.measures.compute import compute_measures, explain
from turnaround.measures.model import MeasureValue
from turnaround.measures.registry import get_measure, measures
from turnaround.returns.load import load_returns
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce.load import load_workforce

pytestmark = pytest.mark.slow
CHILDREN = 3000


@pytest.fixture(scope="module")
def city_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root: Path = tmp_path_factory.mktemp("city")
    config = SynthConfig(children=CHILDREN, seed=2)
    generate_city(config, root / "city")
    store = open_store(root / "w.duckdb")
    load_returns(store, [root / "city" / "returns"], actor=admin(store))
    load_workforce(store, root / "city" / "workforce", actor=admin(store))
    for year in config.collection_years:
        store.execute(
            "insert or replace into population values (?, ?, ?, 'local')",
            [year, config.la_code, CHILDREN],
        )
    return store


@pytest.fixture(scope="module")
def values(city_store: Store) -> list[MeasureValue]:
    return compute_measures(city_store)


def test_every_measure_has_a_figure_for_every_year_it_has_children_for(
    city_store: Store, values: list[MeasureValue]
) -> None:
    # A small city can have nobody in a measure's cohort in a year (no care leavers aged 19 to
    # 21 in the first year of a 3,000-child city): then, and only then, there is no figure.
    years = {(v.measure_id, v.year) for v in values}
    for measure in measures():
        have = {y for m, y in years if m == measure.id}
        assert 2014 in have, measure.id
        for year in set(range(2010, 2015)) - have:
            assert explain(city_store, measure.id, year).empty, (measure.id, year)


def test_figure_and_drill_down_agree(city_store: Store, values: list[MeasureValue]) -> None:
    for value in values:
        measure = get_measure(value.measure_id)
        rows = explain(city_store, value.measure_id, value.year)
        assert rows["numerator"].sum() == pytest.approx(value.numerator), value
        if measure.unit == "count":
            assert len(rows) == value.denominator, value
        elif measure.unit == "per10k":
            assert (rows["denominator"] == 0).all(), value
            assert value.denominator == CHILDREN
        else:
            assert rows["denominator"].sum() == pytest.approx(value.denominator), value
        if value.value is not None and measure.unit != "count":
            assert value.value == pytest.approx(measure.scale * value.numerator / value.denominator)


def test_each_subject_is_listed_once_and_inside_its_denominator(city_store: Store) -> None:
    for measure in measures():
        rows = explain(city_store, measure.id, 2014)
        assert rows["subject_id"].is_unique, measure.id
        assert rows["record"].notna().all(), measure.id
        if measure.unit == "percent":
            assert (rows["numerator"] >= 0).all(), measure.id
            assert (rows["numerator"] <= rows["denominator"]).all(), measure.id


def test_figures_are_plausible(values: list[MeasureValue]) -> None:
    by_id = {(v.measure_id, v.year): v.value for v in values}
    assert 20 < (by_id[("lac_per_10k", 2014)] or 0) < 200
    assert 100 < (by_id[("cin_per_10k", 2014)] or 0) < 1000
    assert 0 <= (by_id[("lac_3_plus_placements", 2014)] or 0) <= 40
