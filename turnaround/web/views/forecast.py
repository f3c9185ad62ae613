"""The forecast and budget page: the fan chart, the budget by year and line, and the scenarios.

The forecast is a simulation of a thousand runs and takes seconds, so the web app computes one
``BudgetRun`` behind its cache and hands it to this page, the overview and the workforce page.
"""

from __future__ import annotations

from typing import Any

from turnaround.budget.present import budget_view
from turnaround.budget.report import budget_chart, fan_chart
from turnaround.budget.run import ForecastResult
from turnaround.budget.scenarios import SHIPPED
from turnaround.forecast.run import RUNS
from turnaround.store import Store
from turnaround.workforce.assess import WorkforceAssessment, forecast_with_plan

BudgetRun = tuple[ForecastResult, WorkforceAssessment | None]
"""The forecast with every shipped scenario, and the capacity plan that is its social work line."""


def run_forecast(store: Store, *, runs: int = RUNS, seed: int = 0) -> BudgetRun:
    """The forecast the pages share, built exactly as the demo builds it."""
    return forecast_with_plan(store, scenarios=SHIPPED, runs=runs, seed=seed)


def forecast_context(store: Store, *, run: BudgetRun | None = None) -> dict[str, Any]:
    """Everything the forecast and budget page shows; pass the cached ``run`` to skip the model."""
    result, planned = run if run is not None else run_forecast(store)
    view = budget_view(result.projection, result.budget, result.comparison)
    return {
        "view": view,
        "runs": view.runs,
        "headline": view.headline,
        "fan_chart": fan_chart(result.projection),
        "budget_chart": budget_chart(result.budget),
        "social_work_from_plan": planned is not None,
    }
