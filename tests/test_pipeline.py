"""``run_pipeline``: the stages in order on a folder of files, and its inputs read from a folder."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from turnaround.access import Actor, add_user
from turnaround.errors import InputError
from turnaround.pipeline import STAGES, PipelineInputs, PipelineOptions, run_pipeline
from turnaround.plan.rules import demo_plan_path
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


def _folder(root: Path, config: object) -> Path:
    for name in ("returns", "workforce", "population", "extracts", "social_care"):
        (root / name).mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({"config": config}))
    return root


def test_the_inputs_come_from_the_folders_layout(tmp_path: Path) -> None:
    root = _folder(tmp_path / "city", {"la_code": 330, "la_name": "Test", "end_year": 2014})
    dfe = tmp_path / "dfe"
    inputs = PipelineInputs.from_folder(root, benchmarks=[dfe], returns_mode="lenient")
    assert inputs.la_code == "330" and inputs.la_name == "Test"
    assert inputs.returns == root / "returns" and inputs.workforce == root / "workforce"
    # The DfE tables first, the council's own population last: it sets the denominators.
    assert inputs.benchmarks == (dfe, root / "population")
    assert inputs.returns_mode == "lenient"
    paths = [path for path, _, _ in inputs.sources]
    assert paths[-1] == root / "social_care" / "people.csv"
    assert all(p.parent == root / "extracts" for p in paths[:-1])


def test_a_folder_without_a_workforce_or_population_skips_them(tmp_path: Path) -> None:
    root = tmp_path / "city"
    (root / "returns").mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({"config": {"la_code": "1", "end_year": 2014}}))
    inputs = PipelineInputs.from_folder(root)
    assert inputs.workforce is None and inputs.benchmarks == () and inputs.la_name is None


def test_a_folder_without_a_manifest_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"manifest\.json") as raised:
        PipelineInputs.from_folder(tmp_path)
    assert raised.value.path == tmp_path


@pytest.mark.parametrize(
    "config", [{"la_name": "no code", "end_year": 2014}, {"la_code": "1", "end_year": "soon"}]
)
def test_a_manifest_without_the_council_or_year_is_refused(tmp_path: Path, config: object) -> None:
    root = _folder(tmp_path / "city", config)
    with pytest.raises(InputError, match=r"la_code and config\.end_year"):
        PipelineInputs.from_folder(root)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthConfig]:
    config = SynthConfig(children=2000, seed=3)
    root = tmp_path_factory.mktemp("pipeline") / "city"
    generate_city(config, root)
    return root, config


@pytest.mark.slow
def test_every_stage_runs_in_order_and_again_changes_nothing(
    city: tuple[Path, SynthConfig], tmp_path: Path
) -> None:
    folder, config = city
    inputs = PipelineInputs.from_folder(folder)
    options = PipelineOptions(
        worklist_exports=(tmp_path / "out" / "worklist.csv",),
        export_reason="test",
        forecast_runs=20,
        scenarios=("trust",),
        workbook=tmp_path / "out" / "budget.xlsx",
        backtest=True,
        plan=demo_plan_path(),
    )
    steps: list[tuple[str, int, int]] = []
    store = open_store(tmp_path / "turnaround.duckdb")
    try:
        add_user(store, "ana", "administrator")
        first = run_pipeline(
            store,
            inputs,
            actor=Actor.cli("ana"),
            options=options,
            progress=lambda *a: steps.append(a),
        )
        council = store.fetchone("select la_code, la_name from council")
        again = run_pipeline(store, inputs, actor=Actor.cli("ana"), options=options)
    finally:
        store.close()
    assert steps == [(s, i, len(STAGES)) for i, s in enumerate(STAGES)] + [
        ("done", len(STAGES), len(STAGES))
    ]
    assert council == (config.la_code, config.la_name)
    assert first.loaded.loaded and first.workforce_loaded is not None
    assert first.linkage is not None and first.worklist is not None and first.worklist.entries
    assert first.worklist_files == [tmp_path / "out" / "worklist.csv"]
    assert first.worklist_files[0].read_text().count("\n") > 1
    assert first.forecast is not None and first.workforce is not None
    assert first.forecast.staffing is not None  # the capacity plan is the social work line
    assert [s.name for s in first.forecast.scenarios] == ["trust"]
    assert first.workbook is not None and first.workbook.is_file()
    assert first.backtest is not None and len(first.backtest)
    assert set(first.seconds) == {"returns", "linkage", "worklist", "forecast", "backtest", "plan"}
    # Loading the same files replaces them, and an unchanged plan makes no new version.
    assert first.plan_version is not None and again.plan_version is not None
    assert again.plan_version.version == first.plan_version.version
    assert again.worklist is not None and again.worklist.entries == first.worklist.entries


@pytest.mark.slow
def test_without_sources_or_a_forecast_only_the_loads_run(
    city: tuple[Path, SynthConfig], tmp_path: Path
) -> None:
    inputs = replace(PipelineInputs.from_folder(city[0]), sources=())
    steps: list[str] = []
    store = open_store(tmp_path / "turnaround.duckdb")
    add_user(store, "ana", "analyst")
    try:
        ran = run_pipeline(
            store,
            inputs,
            actor=Actor.cli("ana"),
            options=PipelineOptions(forecast_runs=None),
            progress=lambda step, done, total: steps.append(step),
        )
        linked = store.table_exists("linkage_clusters") and store.scalar(
            "select count(*) from linkage_clusters"
        )
    finally:
        store.close()
    assert steps == [STAGES[0], "done"]
    assert ran.loaded.loaded and ran.linkage is None and ran.forecast is None
    assert not linked
    assert set(ran.seconds) == {"returns"}
