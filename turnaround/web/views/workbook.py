"""The five-year budget workbook for download, written exactly as the demo writes it."""

from __future__ import annotations

from pathlib import Path

from turnaround.forecast.workbook import write_workbook
from turnaround.store import Store
from turnaround.web.views.forecast import BudgetRun, run_forecast

WORKBOOK_NAME = "five-year-budget.xlsx"
"""The file name the download offers."""


def budget_workbook(store: Store, path: Path | str, *, run: BudgetRun | None = None) -> Path:
    """Write the five-year budget workbook (with the capacity plan, when there is one) to path."""
    result, planned = run if run is not None else run_forecast(store)
    plan = planned.plan if planned is not None else None
    return write_workbook(
        path,
        costs=result.costs,
        projection=result.projection,
        budget=result.budget,
        comparison=result.comparison,
        scenarios=result.scenarios,
        plan_costs=plan.costs_by_year() if plan is not None else None,
        plan_quarters=plan.frame() if plan is not None else None,
        plan_assumptions=plan.assumptions.assumptions() if plan is not None else (),
    )
