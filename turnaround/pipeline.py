"""Every stage in order on a council's files: returns to worklist, forecast, budget and plan.

``run_pipeline`` is the one place the stages are composed. The demo, the test fixtures and the
benches call it, so they build their stores the same way. It reads a folder of files (as a
council exports them, or as the synthetic city writes them) and never the generator's code:
evaluation against the city's ground truth stays with the demo.

The stages, each skipped when its input is not given:

1. load the returns, the workforce export and the published benchmarks (the council's own
   population last, so that it is the denominator for its rates); record the council;
2. load the partner extracts and link them into people;
3. score the people and build the unknown-children worklist, and export it;
4. forecast demand and cost the five-year budget with the capacity plan, write the workbook,
   back-test the forecast;
5. check in the improvement plan.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from turnaround.access import Actor
from turnaround.benchmarks.load import LoadedBenchmark, load_benchmarks
from turnaround.budget.run import ForecastResult
from turnaround.budget.workbook import workbook_for
from turnaround.errors import InputError
from turnaround.forecast.backtest import backtest
from turnaround.forecast.run import RUNS
from turnaround.linkage.pipeline import LinkageRun, load_sources, run_linkage
from turnaround.linkage.sources import SourceMapping, city_sources
from turnaround.measures.summary import set_council
from turnaround.plan.history import Version, check_in
from turnaround.plan.model import read_plan
from turnaround.returns.load import LoadResult, Mode, load_returns
from turnaround.risk.indicators import ScoreResult, score_people
from turnaround.store import Store
from turnaround.workforce.assess import WorkforceAssessment, forecast_with_plan
from turnaround.workforce.load import LoadedWorkforce, load_workforce
from turnaround.worklist.build import WorklistSummary, build_worklist
from turnaround.worklist.entries import DEFAULT_TOP, export_worklist

Progress = Callable[[str, int, int], None]
Source = tuple[Path, SourceMapping, date | None]


def no_progress(step: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


@dataclass(frozen=True)
class PipelineInputs:
    """A council's files and who the council is.

    ``benchmarks`` are loaded in order, so put the council's own population last: it is then
    the denominator for the council's rates. ``sources`` are the partner extracts and the
    council's person export (``linkage.sources.city_sources`` or ``folder_sources``).
    """

    returns: Path
    la_code: str
    la_name: str | None = None
    workforce: Path | None = None
    benchmarks: tuple[Path, ...] = ()
    sources: tuple[Source, ...] = ()
    returns_mode: Mode = "strict"

    @classmethod
    def from_folder(
        cls,
        folder: Path | str,
        *,
        benchmarks: Sequence[Path] = (),
        returns_mode: Mode = "strict",
    ) -> PipelineInputs:
        """The inputs in a folder laid out as the synthetic city writes a council's files.

        ``returns/``, ``workforce/``, ``population/``, ``extracts/``, ``social_care/`` and a
        ``manifest.json`` naming the council and the last collection year. ``benchmarks`` (the
        DfE tables) are loaded before the folder's own population.
        """
        root = Path(folder)
        manifest = root / "manifest.json"
        if not manifest.is_file():
            raise InputError("no manifest.json naming the council and its last year", path=root)
        try:
            config = json.loads(manifest.read_text(encoding="utf-8"))["config"]
            la_code, end_year = str(config["la_code"]), int(config["end_year"])
            la_name = config.get("la_name")
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"manifest.json needs config.la_code and config.end_year ({exc})", path=manifest
            ) from None
        workforce = root / "workforce"
        population = root / "population"
        return cls(
            returns=root / "returns",
            la_code=la_code,
            la_name=la_name,
            workforce=workforce if workforce.is_dir() else None,
            benchmarks=(*benchmarks, *((population,) if population.is_dir() else ())),
            sources=tuple(city_sources(root, end_year)),
            returns_mode=returns_mode,
        )


@dataclass(frozen=True)
class PipelineOptions:
    """What to run after the worklist, and where to write the files.

    ``forecast_runs`` of None skips the forecast (and the workbook and back-test with it).
    """

    worklist_exports: tuple[Path, ...] = ()
    export_reason: str | None = None
    export_top: int | None = DEFAULT_TOP
    forecast_runs: int | None = RUNS
    scenarios: tuple[str | Path, ...] = ()
    workbook: Path | None = None
    backtest: bool = False
    plan: Path | None = None
    plan_note: str | None = None


@dataclass
class PipelineResult:
    """What each stage produced, and the seconds it took (for the benches)."""

    loaded: LoadResult
    workforce_loaded: LoadedWorkforce | None = None
    benchmarks: list[LoadedBenchmark] = field(default_factory=list)
    linkage: LinkageRun | None = None
    scores: ScoreResult | None = None
    worklist: WorklistSummary | None = None
    worklist_files: list[Path] = field(default_factory=list)
    forecast: ForecastResult | None = None
    workforce: WorkforceAssessment | None = None
    workbook: Path | None = None
    backtest: pd.DataFrame | None = None
    plan_version: Version | None = None
    seconds: dict[str, float] = field(default_factory=dict)


STAGES = (
    "loading the returns",
    "linking partner records",
    "the unknown-children worklist",
    "forecast and five-year budget",
    "back-testing the forecast",
    "the improvement plan",
)


def run_pipeline(
    store: Store,
    inputs: PipelineInputs,
    *,
    actor: Actor,
    options: PipelineOptions | None = None,
    progress: Progress = no_progress,
) -> PipelineResult:
    """Run every stage on ``inputs`` into ``store`` as ``actor``, reporting each stage begun.

    Each stage is the library's own use case, so each checks the actor's role and leaves its
    audit record.
    """
    options = options or PipelineOptions()
    total = len(STAGES)
    seconds: dict[str, float] = {}
    clock = time.perf_counter

    def stage(index: int) -> float:
        progress(STAGES[index], index, total)
        return clock()

    started = stage(0)
    loaded = load_returns(store, [inputs.returns], actor=actor, mode=inputs.returns_mode)
    result = PipelineResult(loaded=loaded, seconds=seconds)
    if inputs.workforce is not None:
        result.workforce_loaded = load_workforce(store, inputs.workforce, actor=actor)
    for folder in inputs.benchmarks:
        # One folder at a time, in order: the last one loaded sets the population.
        result.benchmarks += load_benchmarks(store, [folder], actor=actor)
    set_council(store, inputs.la_code, inputs.la_name)
    seconds["returns"] = clock() - started

    if inputs.sources:
        started = stage(1)
        load_sources(store, inputs.sources, actor=actor)
        result.linkage = run_linkage(store, actor=actor)
        seconds["linkage"] = clock() - started

        started = stage(2)
        result.scores = score_people(store, actor=actor)
        result.worklist = build_worklist(store, actor=actor)
        result.worklist_files = [
            export_worklist(
                store, actor, path, top=options.export_top, reason=options.export_reason
            )
            for path in options.worklist_exports
        ]
        seconds["worklist"] = clock() - started

    if options.forecast_runs is not None:
        started = stage(3)
        result.forecast, result.workforce = forecast_with_plan(
            store, scenarios=options.scenarios, runs=options.forecast_runs
        )
        if options.workbook is not None:
            result.workbook = workbook_for(result.forecast, options.workbook)
        seconds["forecast"] = clock() - started
        if options.backtest:
            started = stage(4)
            result.backtest = backtest(store)
            seconds["backtest"] = clock() - started

    if options.plan is not None:
        started = stage(5)
        # Checking in an unchanged plan makes no new version, so running again is safe.
        result.plan_version = check_in(
            store, actor, read_plan(options.plan), note=options.plan_note
        )
        seconds["plan"] = clock() - started
    progress("done", total, total)
    return result
