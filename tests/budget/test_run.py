"""Priority 4 end to end: the scenario adapter, forecast_budget on a real city, and the CLI.

The CLI's budget must match the workbook it writes, cell for cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from tests.acting import admin
from turnaround.budget.run import forecast_budget, model_adjustment
from turnaround.budget.scenarios import DemandAdjustment
from turnaround.cli import app
from turnaround.forecast.model import Adjustment, EntryChange, Redirect
from turnaround.forecast.run import next_april
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


def test_no_demand_change_projects_nothing_again() -> None:
    assert model_adjustment(DemandAdjustment()) is None


def test_a_scenarios_demand_changes_become_the_models_adjustment() -> None:
    demand = DemandAdjustment(
        entry_multipliers={"in_need": 0.9, "child_protection": 1.0},
        band_entry_multipliers={("fostering_agency", (10, 16)): 0.5},
        mix_shifts=(("residential_external", "fostering_in_house", 0.25),),
    )
    assert model_adjustment(demand) == Adjustment(
        entries=(
            EntryChange(0.9, states=("in_need",)),
            EntryChange(0.5, states=("fostering_agency",), bands=(3,)),
        ),
        redirects=(Redirect("residential_external", "fostering_in_house", 0.25),),
    )


def test_the_projection_starts_on_the_next_1_april() -> None:
    from datetime import date

    assert next_april(date(2014, 4, 1)) == date(2014, 4, 1)
    assert next_april(date(2014, 3, 31)) == date(2014, 4, 1)
    assert next_april(date(2014, 4, 2)) == date(2015, 4, 1)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forecast")
    generate_city(SynthConfig(children=3000, seed=4), root / "city")
    store = open_store(root / "turnaround.duckdb")
    try:
        load_returns(store, [root / "city" / "returns"], mode="strict", actor=admin(store))
    finally:
        store.close()
    return root


@pytest.mark.slow
def test_scenarios_change_only_what_they_say(workspace: Path) -> None:
    store = open_store(workspace / "turnaround.duckdb")
    try:
        result = forecast_budget(
            store, scenarios=["permanent_staff", "early_help", "trust"], runs=100, seed=3
        )
    finally:
        store.close()
    base = result.budget
    staff, early, trust = result.scenario_budgets
    lines = list(base.lines)
    placements = [lines.index(x) for x in ("residential", "fostering", "other_placements")]
    # Swapping agency for permanent staff moves no children: placements are identical, run
    # for run, and only the social work line changes.
    np.testing.assert_array_equal(staff.cost[:, :, placements], base.cost[:, :, placements])
    changed = {
        line
        for i, line in enumerate(lines)
        if not np.allclose(staff.cost[:, :, i], base.cost[:, :, i])
    }
    assert changed == {"social_work"}
    # Early help changes demand, so placements differ; the trust costs more in its first year.
    assert not np.array_equal(early.cost[:, :, placements], base.cost[:, :, placements])
    assert trust.total(year=trust.years[0]).mean() > base.total(year=base.years[0]).mean()
    assert result.looked_after()["p10"].le(result.looked_after()["p50"]).all()


@pytest.mark.slow
def test_the_cli_budget_matches_the_workbook_it_writes(workspace: Path) -> None:
    book_path = workspace / "budget.xlsx"
    outcome = CliRunner().invoke(
        app,
        ["--workspace", str(workspace), "budget", "-s", "trust", "--runs", "50",
         "--xlsx", str(book_path), "--json"],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(outcome.stdout)["budget"]
    sheet = openpyxl.load_workbook(book_path, data_only=True)["Budget"]
    rows: dict[str, list[object]] = {}
    for row in sheet.iter_rows(min_row=5):  # the first table: years down, lines across
        if row[0].value is not None:
            rows.setdefault(str(row[0].value), [cell.value for cell in row[1:]])
    for period, lines in printed.items():
        assert rows[period][: len(lines)] == pytest.approx(list(lines.values()), rel=1e-9)
