"""The report section and the evaluation on a real (small) synthetic city, end to end."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.worklist.report import evaluate_worklist, unknown_section


@pytest.fixture(scope="module")
def city_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store]:
    root = tmp_path_factory.mktemp("unknown")
    city = root / "city"
    generate_city(SynthConfig(children=2500, seed=21), city)
    store = open_store(root / "store.duckdb")
    # Returns and partner records only: the worklist needs no workforce, benchmarks or forecast.
    inputs = replace(PipelineInputs.from_folder(city), workforce=None, benchmarks=())
    run_pipeline(store, inputs, actor=admin(store), options=PipelineOptions(forecast_runs=None))
    return city, store


@pytest.mark.slow
def test_the_evaluation_of_a_small_city_is_plausible(city_store: tuple[Path, Store]) -> None:
    city, store = city_store
    evaluation = evaluate_worklist(store, city, k=50)
    assert evaluation.year == 2014
    assert evaluation.linkage.f1 > 0.95
    assert evaluation.known.wrongly_known_rate < 0.02
    assert evaluation.worklist.considered == 50
    assert 0 <= evaluation.worklist.hits <= evaluation.worklist.targets
    assert set(evaluation.fairness["dimension"]) >= {"ethnicity", "sex", "deprivation"}


@pytest.mark.slow
def test_the_report_section_shows_no_names_ids_or_postcodes(
    city_store: tuple[Path, Store],
) -> None:
    city, store = city_store
    html = str(unknown_section(store, evaluate_worklist(store, city, k=50)).body).upper()
    people = store.fetchall(
        "select distinct r.forename, r.surname, r.record_id, r.postcode "
        "from unknown_worklist w join linkage_clusters c using (cluster_id) "
        "join linkage_records r using (unique_id) where w.rank <= 50"
    )
    assert people
    for forename, surname, record_id, postcode in people:
        if forename and surname:
            assert f"{forename} {surname}" not in html
        assert not re.search(rf"\b{re.escape(record_id.upper())}\b", html)
        if postcode:
            assert postcode not in html


@pytest.mark.slow
def test_without_truth_the_section_has_counts_but_no_evaluation(
    city_store: tuple[Path, Store],
) -> None:
    _, store = city_store
    section = unknown_section(store)
    body = str(section.body)
    entries = store.fetchone("select count(*) from unknown_worklist")
    assert entries is not None and f"{entries[0]:,}" in body
    assert "ground truth" not in body
    assert "Fairness" not in body
    assert section.summary.startswith(f"{entries[0]:,} children on the worklist")
