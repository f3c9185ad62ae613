"""Priority 2 end to end on a real (small) synthetic city: the assessment, the CLI, the plan
feeding the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.acting import admin
from turnaround.cli import app
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce.assess import demand_from_forecast, forecast_with_plan
from turnaround.workforce.load import load_workforce
from turnaround.workforce.plan import plan_staffing_cost


def test_cases_grow_with_the_forecast_stock() -> None:
    assert demand_from_forecast(100, {2014: 50.0, 2015: 60.0, 2016: 45.0}) == {
        2014: 100.0,
        2015: 120.0,
        2016: 90.0,
    }
    assert demand_from_forecast(100, {}) == {}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workforce")
    generate_city(SynthConfig(children=4000, seed=6), root / "city")
    store = open_store(root / "turnaround.duckdb")
    try:
        load_returns(store, [root / "city" / "returns"], mode="strict", actor=admin(store))
        load_workforce(store, root / "city" / "workforce", actor=admin(store))
    finally:
        store.close()
    return root


@pytest.mark.slow
def test_the_plan_is_the_budgets_social_work_line(workspace: Path) -> None:
    store = open_store(workspace / "turnaround.duckdb")
    try:
        result, planned = forecast_with_plan(store, scenarios=["trust"], runs=50)
    finally:
        store.close()
    assert planned is not None
    made = [planned]
    cost = plan_staffing_cost(made[0].plan)
    line = result.budget.line("social_work")
    assert list(result.budget.years) == sorted(cost)
    for i, year in enumerate(result.budget.years):
        assert line[:, i] == pytest.approx(cost[year])
    assessment = made[0]
    assert 0.15 < (assessment.rates.vacancy_rate or 0) < 0.40
    assert assessment.caseloads.open_cases > 0
    assert assessment.senior.flags  # the city's director carries several portfolios


@pytest.mark.slow
def test_the_cli_reports_capacity_as_json(workspace: Path) -> None:
    outcome = CliRunner().invoke(app, ["--workspace", str(workspace), "workforce", "--json"])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.stdout)
    assert data["caseloads"]["open_cases"] > 0
    assert len(data["plan"]) == 5
    assert data["senior_structure"]["sole_director"] is False
    assert sum(r["total"] for r in data["plan"]) > 0


@pytest.mark.slow
def test_the_workbook_carries_the_plan_with_totals_that_add_up(
    workspace: Path, tmp_path: Path
) -> None:
    import openpyxl

    from turnaround.budget.workbook import workbook_for

    store = open_store(workspace / "turnaround.duckdb")
    try:
        result, planned = forecast_with_plan(store, runs=20)
    finally:
        store.close()
    assert planned is not None and result.staffing is not None
    capacity = planned.plan
    # The budget keeps the plan it costed: its social work line is the plan's cost.
    assert dict(result.staffing.cost_by_year) == pytest.approx(
        capacity.costs_by_year()["total"].to_dict()
    )
    path = workbook_for(result, tmp_path / "budget.xlsx")
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book["Capacity plan"]
    heads = [c.value for c in sheet[4]]
    total = heads.index("total")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=10)]
    assert rows[-1][0] == "All years"
    assert rows[-1][total] == pytest.approx(capacity.total())
    expected = list(capacity.costs_by_year()["total"])
    assert [r[total] for r in rows[:-1]] == pytest.approx(expected)
    applies = {row[0].value for row in book["Assumptions"].iter_rows(min_row=5)}
    assert "Capacity plan" in applies


@pytest.mark.slow
def test_the_cli_needs_the_posts_the_budget_and_the_web_plan_for(workspace: Path) -> None:
    # The web and the demo take posts needed from forecast_with_plan at its default runs and
    # seed; `turnaround workforce` must give the same numbers, not a forecast of its own.
    store = open_store(workspace / "turnaround.duckdb")
    try:
        _, planned = forecast_with_plan(store)
    finally:
        store.close()
    assert planned is not None
    outcome = CliRunner().invoke(app, ["--workspace", str(workspace), "workforce", "--json"])
    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(outcome.stdout)
    library = planned.needed.years.astype(object).where(planned.needed.years.notna(), None)
    expected = json.loads(json.dumps(library.to_dict("records"), default=str))
    assert printed["posts_needed"] == expected
    assert len([r for r in expected if r["year"] is not None]) == 5  # it followed the forecast
    assert sum(r["total"] for r in printed["plan"]) == pytest.approx(planned.plan.total())
