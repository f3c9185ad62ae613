"""The demo: every stage that exists, run on a freshly generated synthetic city."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from turnaround.access import Actor, add_user, create_demo_users
from turnaround.benchmarks import load_benchmarks
from turnaround.forecast.backtest import backtest
from turnaround.forecast.report import forecast_section
from turnaround.forecast.run import ForecastResult
from turnaround.forecast.scenarios import SHIPPED
from turnaround.forecast.workbook import write_workbook
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.sources import city_sources
from turnaround.measures.report import measures_section
from turnaround.measures.summary import set_council, summarise
from turnaround.plan.history import check_in
from turnaround.plan.model import read_plan
from turnaround.plan.publish import Published, publish
from turnaround.plan.render import plan_section
from turnaround.plan.rules import demo_plan_path
from turnaround.report import Section, write_report
from turnaround.returns.load import LoadResult, load_returns
from turnaround.returns.report import data_quality_section
from turnaround.risk.indicators import score_people
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.synth.city import GeneratedCity, generate_city
from turnaround.synth.config import SynthConfig
from turnaround.synth.report import city_section
from turnaround.workforce.assess import WorkforceAssessment, forecast_with_plan
from turnaround.workforce.load import load_workforce
from turnaround.workforce.report import workforce_section
from turnaround.worklist.build import build_worklist
from turnaround.worklist.entries import DEFAULT_TOP, export_worklist
from turnaround.worklist.report import Evaluation, evaluate_worklist, unknown_section


def benchmark_folder(settings: Settings) -> Path | None:
    """The DfE tables to compare with: from settings, or ../shared/data/dfe beside the repo."""
    if settings.benchmarks is not None:
        return settings.benchmarks
    beside = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe"
    return beside if beside.is_dir() else None


@dataclass
class DemoResult:
    """What the demo produced and where."""

    config: SynthConfig
    city: GeneratedCity
    load: LoadResult
    report_path: Path
    evaluation: Evaluation
    worklist_files: list[Path]
    forecast: ForecastResult
    workforce: WorkforceAssessment
    backtest: pd.DataFrame
    workbook: Path
    plan: Published
    web_users: dict[str, str]  # demo username -> password, to print once


def run_demo(
    settings: Settings,
    *,
    children: int,
    seed: int,
    progress: Callable[[str, int, int], None],
) -> DemoResult:
    """Generate the city and write the report with one section per stage."""
    config = SynthConfig(children=children, seed=seed)

    def city_progress(step: str, done: int, total: int) -> None:
        progress(f"city: {step}", done, total + 1)

    generated = generate_city(config, settings.city_dir, city_progress)
    sections: list[Section] = [city_section(generated, config)]
    progress("loading the returns", 0, 1)
    user = settings.user or "demo"
    store = open_store(settings.store_path)
    try:
        _ensure_reviewer(store, user)
        actor = Actor.cli(user)
        loaded = load_returns(store, [settings.city_dir / "returns"], actor=actor, mode="strict")
        load_workforce(store, settings.city_dir / "workforce", actor=actor)
        benchmarks = benchmark_folder(settings)
        if benchmarks is not None:
            progress("loading DfE benchmarks", 0, 1)
            load_benchmarks(store, [benchmarks], actor=actor)
        # The city's own population last, so it is the denominator for its rates.
        load_benchmarks(store, [settings.city_dir / "population"], actor=actor)
        set_council(store, config.la_code, config.la_name)
        sections.append(data_quality_section(store))
        progress("measures", 0, 1)
        sections.append(measures_section(summarise(store, config.la_code)))
        progress("linking partner records", 0, 1)
        load_sources(store, city_sources(settings.city_dir, config.end_year), actor=actor)
        run_linkage(store, actor=actor)
        progress("the unknown-children worklist", 0, 1)
        score_people(store, actor=actor)
        build_worklist(store, actor=actor)
        evaluation = evaluate_worklist(store, settings.city_dir, k=DEFAULT_TOP)
        folder = settings.workspace / "worklist"
        worklist_files = [
            export_worklist(store, actor, folder / f"unknown-children.{suffix}", reason="demo")
            for suffix in ("csv", "xlsx")
        ]
        sections.append(unknown_section(store, evaluation))
        progress("forecast and five-year budget", 0, 1)
        forecast, planned = forecast_with_plan(store, scenarios=SHIPPED)
        assert planned is not None  # the demo loads the city's workforce
        workforce = planned
        sections.append(workforce_section(workforce))
        workbook = write_workbook(
            settings.workspace / "budget" / "five-year-budget.xlsx",
            costs=forecast.costs,
            projection=forecast.projection,
            budget=forecast.budget,
            comparison=forecast.comparison,
            scenarios=forecast.scenarios,
            plan_costs=workforce.plan.costs_by_year(),
            plan_quarters=workforce.plan.frame(),
            plan_assumptions=workforce.plan.assumptions.assumptions(),
        )
        progress("back-testing the forecast", 0, 1)
        scores = backtest(store)
        sections.append(
            forecast_section(forecast.projection, forecast.budget, forecast.comparison, scores)
        )
        progress("the improvement plan", 0, 1)
        # Checking in an unchanged plan makes no new version, so re-running the demo is safe.
        check_in(store, actor, read_plan(demo_plan_path()), note="the demo plan")
        plan = publish(store, actor, settings.workspace / "plan")
        sections.append(plan_section(plan.plan.plan, plan.progress))
        # Fresh passwords each run: they are printed once and only their hashes are kept.
        web_users = create_demo_users(store)
    finally:
        store.close()
    progress("report", 1, 1)
    path = write_report(sections, settings.report_dir, title="turnaround: demo city")
    return DemoResult(
        config=config,
        city=generated,
        load=loaded,
        report_path=path,
        evaluation=evaluation,
        worklist_files=worklist_files,
        forecast=forecast,
        workforce=workforce,
        backtest=scores,
        workbook=workbook,
        plan=plan,
        web_users=web_users,
    )


def _ensure_reviewer(store: Store, user: str) -> None:
    """The demo acts as one user: in a fresh workspace, they are made an administrator.

    An existing user keeps their role; if it may not export the worklist, the demo stops with
    that permission error rather than quietly granting more.
    """
    if store.con.execute("select 1 from users where username = ?", [user]).fetchone() is None:
        add_user(store, user, "administrator")
