"""The demo: every stage that exists, run on a freshly generated synthetic city."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from turnaround.access import Actor, add_user, create_demo_users
from turnaround.budget.report import forecast_section
from turnaround.budget.run import ForecastResult
from turnaround.budget.scenarios import SHIPPED
from turnaround.budget.workbook import WORKBOOK_NAME
from turnaround.measures.report import measures_section
from turnaround.measures.summary import summarise
from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
from turnaround.plan.publish import Published, publish
from turnaround.plan.render import plan_section
from turnaround.plan.rules import demo_plan_path
from turnaround.report import Section, write_report
from turnaround.returns.load import LoadResult
from turnaround.returns.report import data_quality_section
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.synth.city import GeneratedCity, generate_city
from turnaround.synth.config import SynthConfig
from turnaround.synth.report import city_section
from turnaround.workforce.assess import WorkforceAssessment
from turnaround.workforce.report import workforce_section
from turnaround.worklist.entries import DEFAULT_TOP
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
    user = settings.user or "demo"
    benchmarks = benchmark_folder(settings)
    inputs = PipelineInputs.from_folder(
        settings.city_dir, benchmarks=() if benchmarks is None else (benchmarks,)
    )
    folder = settings.workspace / "worklist"
    options = PipelineOptions(
        worklist_exports=tuple(folder / f"unknown-children.{suffix}" for suffix in ("csv", "xlsx")),
        export_reason="demo",
        scenarios=SHIPPED,
        workbook=settings.workspace / "budget" / WORKBOOK_NAME,
        backtest=True,
        plan=demo_plan_path(),
        plan_note="the demo plan",
    )
    store = open_store(settings.store_path)
    try:
        _ensure_reviewer(store, user)
        actor = Actor.cli(user)
        ran = run_pipeline(store, inputs, actor=actor, options=options, progress=progress)
        assert ran.forecast is not None and ran.backtest is not None and ran.workbook is not None
        assert ran.workforce is not None  # the demo loads the city's workforce
        progress("evaluating against the city's truth", 0, 1)
        evaluation = evaluate_worklist(store, settings.city_dir, k=DEFAULT_TOP)
        forecast, workforce, scores = ran.forecast, ran.workforce, ran.backtest
        sections.append(data_quality_section(store))
        sections.append(measures_section(summarise(store, config.la_code)))
        sections.append(unknown_section(store, evaluation))
        sections.append(workforce_section(workforce))
        sections.append(
            forecast_section(forecast.projection, forecast.budget, forecast.comparison, scores)
        )
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
        load=ran.loaded,
        report_path=path,
        evaluation=evaluation,
        worklist_files=ran.worklist_files,
        forecast=forecast,
        workforce=workforce,
        backtest=scores,
        workbook=ran.workbook,
        plan=plan,
        web_users=web_users,
    )


def _ensure_reviewer(store: Store, user: str) -> None:
    """The demo acts as one user: in a fresh workspace, they are made an administrator.

    An existing user keeps their role; if it may not export the worklist, the demo stops with
    that permission error rather than quietly granting more.
    """
    if store.fetchone("select 1 from users where username = ?", [user]) is None:
        add_user(store, user, "administrator")
