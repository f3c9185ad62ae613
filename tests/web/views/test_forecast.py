"""The forecast and budget page, and the workbook it offers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from jinja2 import Environment

from turnaround.budget.scenarios import SHIPPED
from turnaround.budget.workbook import workbook_for
from turnaround.present.format import millions, money
from turnaround.store import Store
from turnaround.web.views.forecast import BudgetRun, forecast_context

from .conftest import RUNS, identifiers_in


def test_the_budget_adds_up_by_year_and_line(city_store: Store, budget_run: BudgetRun) -> None:
    context = forecast_context(city_store, run=budget_run)
    budget = budget_run[0].budget
    assert context["runs"] == RUNS
    view = context["view"]
    assert view.headline.total_pounds == pytest.approx(budget.frame()["mean"].sum())
    # One row per year, then the whole period, whose total is the headline.
    assert len(view.rows) == len(budget.years) + 1
    assert view.rows[-1].whole and not any(r.whole for r in view.rows[:-1])
    assert view.rows[-1].total == view.headline.total == money(budget.frame()["mean"].sum())
    assert all(len(r.cells) == len(budget.lines) for r in view.rows)


def test_every_shipped_scenario_sits_beside_the_baseline(
    city_store: Store, budget_run: BudgetRun
) -> None:
    view = forecast_context(city_store, run=budget_run)["view"]
    # The baseline and each scenario's total, then each scenario's difference.
    assert len(view.scenario_headings) == 1 + 2 * len(SHIPPED)
    assert len(view.scenarios) == 1 + len(SHIPPED)
    baseline = view.scenarios[0]
    assert baseline.difference == millions(0.0) == "£0.0m"  # the table reads in £m
    assert baseline.mean == view.headline.total


def test_the_page_shows_the_fan_chart_with_its_figures(
    city_store: Store,
    budget_run: BudgetRun,
    env: Environment,
    identities: tuple[set[str], set[str]],
) -> None:
    context = forecast_context(city_store, run=budget_run)
    html = env.get_template("pages/forecast.html").render(**context)
    assert 'aria-label="Children looked after: median projection' in html
    assert "Show the figures" in html
    assert context["headline"].total in html
    assert context["view"].looked_after_end.p50 in html
    assert 'class="govuk-button"' in html and "/forecast/workbook.xlsx" in html
    for heading in context["view"].scenario_headings:
        assert heading in html
    assert identifiers_in(html, identities) == set()


def test_the_workbook_carries_the_budget_and_the_capacity_plan(
    budget_run: BudgetRun, tmp_path: Path
) -> None:
    path = workbook_for(budget_run[0], tmp_path / "budget.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"Assumptions", "Projections", "Budget", "Scenario comparison", "Capacity plan"} <= set(
        book.sheetnames
    )
    book.close()
