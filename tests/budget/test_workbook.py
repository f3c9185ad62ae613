"""The workbook round-trips through openpyxl with its formulas, and the report section renders."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from turnaround.budget.budget import Budget, build_budget
from turnaround.budget.costs import LINE_LABELS, CostConfig, load_costs
from turnaround.budget.report import forecast_section
from turnaround.budget.scenarios import Scenario, compare, shipped_scenarios
from turnaround.budget.workbook import SHEETS, projection_frame, write_workbook
from turnaround.forecast.states import LOOKED_AFTER, STATES, Projection
from turnaround.present.format import MINUS, money
from turnaround.report import write_report


def random_projection(runs: int = 40) -> Projection:
    rng = np.random.default_rng(7)
    counts = rng.poisson(50, size=(runs, 61, len(STATES))).astype(float)
    return Projection(
        start=date(2015, 4, 1),
        months=60,
        counts=counts,
        entries=np.zeros((runs, 60, len(STATES))),
        exits=np.zeros((runs, 60, len(STATES))),
    )


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Projection, Budget, pd.DataFrame, CostConfig, list[Scenario]]:
    projection = random_projection()
    costs = load_costs()
    scenarios = shipped_scenarios()
    baseline = build_budget(projection, costs)
    comparison = compare(baseline, [s.budget(projection, costs) for s in scenarios])
    path = write_workbook(
        tmp_path_factory.mktemp("book") / "budget.xlsx",
        costs=costs,
        projection=projection,
        budget=baseline,
        comparison=comparison,
        scenarios=scenarios,
    )
    return path, projection, baseline, comparison, costs, scenarios


def test_the_workbook_has_its_sheets_and_charts(made: tuple) -> None:
    path = made[0]
    book = load_workbook(path)
    assert tuple(book.sheetnames) == SHEETS
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # the fan chart and the stacked budget


def test_budget_totals_are_sum_formulas_whose_values_match_python(made: tuple) -> None:
    path, _, budget, *_ = made
    formulas = load_workbook(path)["Budget"]
    values = load_workbook(path, data_only=True)["Budget"]
    table = budget.table()
    head = 4  # 1-based row of the headings
    headings = [formulas.cell(head, c).value for c in range(1, len(budget.lines) + 3)]
    assert headings == ["Financial year", *(LINE_LABELS[line] for line in budget.lines), "Total"]
    total_col = len(budget.lines) + 2
    for i, period in enumerate(table.index):
        row = head + 1 + i
        assert values.cell(row, 1).value == period
        formula = formulas.cell(row, total_col).value
        assert isinstance(formula, str) and formula.startswith("=SUM(")
        assert values.cell(row, total_col).value == pytest.approx(table.loc[period, "total"])
        for li, line in enumerate(budget.lines):
            assert values.cell(row, li + 2).value == pytest.approx(table.loc[period, line])
    last = head + len(table.index)
    for col in range(2, total_col + 1):
        assert formulas.cell(last, col).value.startswith("=SUM(")
    assert values.cell(last, total_col).value == pytest.approx(float(budget.total().mean()))


def test_every_assumption_is_in_the_workbook_with_its_source(made: tuple) -> None:
    path, *_, costs, scenarios = made
    sheet = load_workbook(path, data_only=True)["Assumptions"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5) if row[0].value]
    sources = {r[6] for r in rows}
    assert all(r[6] for r in rows)
    for unit in costs.unit_costs.values():
        assert any(unit.source in s for s in sources)
    assert {r[0] for r in rows} == {"All", *(s.name for s in scenarios)}
    trust = [r for r in rows if r[0] == "trust"]
    assert any(r[2].startswith("set-up") and r[3] == 3_000_000 for r in trust)


def test_projections_sheet_holds_the_bands_for_every_state(made: tuple) -> None:
    path, projection, *_ = made
    sheet = load_workbook(path, data_only=True)["Projections"]
    frame = projection_frame(projection)
    assert len(frame) == 61
    headings = [c.value for c in sheet[4]]
    assert headings[1:4] == ["looked after P10", "looked after P50", "looked after P90"]
    q = projection.quantiles(LOOKED_AFTER)
    assert [sheet.cell(5 + m, 3).value for m in range(61)] == pytest.approx(q[1].tolist())
    assert len(headings) == 1 + 3 * (1 + len(STATES)) + 1


def test_the_scenario_sheet_differences_are_formulas(made: tuple) -> None:
    path, _, _, comparison, *_ = made
    formulas = load_workbook(path)["Scenario comparison"]
    values = load_workbook(path, data_only=True)["Scenario comparison"]
    names = list(dict.fromkeys(comparison["label"]))
    first_difference = 2 + len(names)  # 1-based column of the first difference
    assert formulas.cell(5, first_difference).value == "=C5-B5"
    whole = comparison[comparison["year"].isna()].set_index("scenario")
    last = 5 + 5
    assert values.cell(last, 1).value == "All years"
    assert formulas.cell(last, 2).value == "=SUM(B5:B9)"
    assert values.cell(last, 2).value == pytest.approx(whole.loc["baseline", "mean"])
    assert values.cell(last, first_difference).value == pytest.approx(
        whole.loc["early_help", "difference"]
    )


def test_the_report_section_renders_charts_and_tables(made: tuple, tmp_path: Path) -> None:
    _, projection, budget, comparison, *_ = made
    # The shape ``forecast.backtest.score`` returns: MAPE and bias already out of 100.
    backtest = pd.DataFrame(
        {
            "series": ["looked_after"],
            "method": ["model"],
            "forecasts": [1234],
            "mape": [4.05],
            "bias": [-1.04],
        }
    )
    section = forecast_section(projection, budget, comparison, backtest_table=backtest)
    assert section.id == "forecast"
    body = str(section.body)
    assert body.count("<svg") == 2
    assert "Trust runs the service under contract" in body
    assert "Back-test" in body
    assert "<td>looked after</td><td>model</td>" in body
    assert ">1,234<" in body and ">4.1%<" in body and f">{MINUS}1.0%<" in body
    five = budget.table().iloc[-1]["total"]
    assert money(five) in body and money(five) in section.summary
    assert not re.search(r"£[\d.]+k\b|-£", body + section.summary)
    assert "children looked after" in section.summary
    page = write_report([section], tmp_path / "report").read_text(encoding="utf-8")
    assert 'id="forecast"' in page
    plain = forecast_section(projection, budget, None)
    assert "Scenarios" not in str(plain.body) and "Back-test" not in str(plain.body)
