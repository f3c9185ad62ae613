"""``turnaround forecast`` and ``turnaround budget``: priority 4, demand and a five-year budget."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from turnaround.budget.present import line_label, result_view, scores
from turnaround.budget.run import ForecastResult
from turnaround.budget.scenarios import SHIPPED, side_by_side
from turnaround.budget.workbook import workbook_for
from turnaround.cli.app import app, settings_from
from turnaround.cli.progress import stage_progress
from turnaround.forecast.backtest import backtest
from turnaround.forecast.run import RUNS
from turnaround.present.format import count, number
from turnaround.store import open_store
from turnaround.workforce.assess import WorkforceAssessment, forecast_with_plan

RunsOption = Annotated[int, typer.Option(help="Simulation runs (uncertainty bands).")]
SeedOption = Annotated[int, typer.Option(help="Random seed: the same seed, the same result.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _run(
    ctx: typer.Context,
    *,
    scenarios: list[str],
    runs: int,
    seed: int,
    costs: Path | None,
    quiet: bool,
) -> tuple[ForecastResult, WorkforceAssessment | None]:
    """The forecast and budget, with the capacity plan when a workforce is loaded."""
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        if quiet:
            return forecast_with_plan(
                store, scenarios=scenarios, runs=runs, seed=seed, costs_path=costs
            )
        with stage_progress(Console(stderr=True), "Forecasting") as progress:
            return forecast_with_plan(
                store, scenarios=scenarios, runs=runs, seed=seed, costs_path=costs,
                progress=progress,
            )  # fmt: skip
    finally:
        store.close()


@app.command("forecast")
def forecast(
    ctx: typer.Context,
    runs: RunsOption = RUNS,
    seed: SeedOption = 0,
    run_backtest: Annotated[
        bool,
        typer.Option("--backtest", help="Fit on earlier years, predict later ones, score it."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Project children in need, on plans and looked after over five financial years.

    The model is fitted on the returns in the store; each run redraws its rates and its
    month-to-month chance, and the bands are the 10th, 50th and 90th percentiles of the runs.

    Example: turnaround forecast --backtest
    """
    if run_backtest:
        settings = settings_from(ctx)
        store = open_store(settings.store_path)
        try:
            scores = backtest(store, runs=min(runs, 200), seed=seed)
        finally:
            store.close()
        if as_json:
            _print_json(scores.to_dict("records"))
        else:
            Console().print(backtest_table(scores))
        return
    result, _ = _run(ctx, scenarios=[], runs=runs, seed=seed, costs=None, quiet=as_json)
    frame = result.looked_after()
    if as_json:
        _print_json(
            {
                "population_source": result.model.population_source,
                "looked_after_31_march": frame.assign(at=frame["at"].astype(str)).to_dict(
                    "records"
                ),
            }
        )
        return
    Console().print(looked_after_table(result))


def looked_after_table(result: ForecastResult) -> Table:
    """Children looked after at each 31 March of the horizon: P10, P50, P90."""
    table = Table(
        title=f"Forecast: children looked after at 31 March ({count(result.projection.runs)} runs)"
    )
    for column in ("31 March", "P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for row in result.looked_after().to_dict("records"):
        table.add_row(str(row["at"].year), *(number(row[k]) for k in ("p10", "p50", "p90")))
    table.caption = f"Population: {result.model.population_source}"
    return table


@app.command("budget")
def budget(
    ctx: typer.Context,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help=f"A scenario to compare: a shipped one ({', '.join(SHIPPED)}) or a YAML file. "
            "Repeat for several; default: all shipped.",
        ),
    ] = None,
    costs: Annotated[
        Path | None, typer.Option(help="Your own costs file (default: the shipped one).")
    ] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write the workbook for finance here.")] = None,
    runs: RunsOption = RUNS,
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """The five-year budget by Section 251 line, with bands, and the scenarios side by side.

    Figures are the expected cost (the mean of the runs), so lines and years add up, as in
    the workbook; the P10-P90 band of each year's total is shown beside it.

    Example: turnaround budget --scenario trust --xlsx workspace/budget/budget.xlsx
    """
    chosen = list(scenario) if scenario else list(SHIPPED)
    result, _ = _run(ctx, scenarios=chosen, runs=runs, seed=seed, costs=costs, quiet=as_json)
    path = None
    if xlsx is not None:
        path = workbook_for(result, xlsx)
    if as_json:
        _print_json(budget_json(result))
        return
    console = Console()
    for table in budget_tables(result):
        console.print(table)
    if path is not None:
        console.print(f"Workbook: [bold]{path}[/]")


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def budget_json(result: ForecastResult) -> dict[str, Any]:
    """The budget and the comparison as plain data (pounds)."""
    table = result.budget.table()
    return {
        "budget": {
            str(period): {str(k): float(v) for k, v in row.items()}
            for period, row in table.iterrows()
        },
        "bands": result.budget.totals().to_dict("records"),
        "scenarios": side_by_side(result.comparison).reset_index().to_dict("records"),
    }


def budget_tables(result: ForecastResult) -> list[Table]:
    """The budget by year and line, and the scenario comparison, for a terminal."""
    view = result_view(result)
    table = Table(
        title="Budget: expected cost by Section 251 line (the mean of the runs)",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("Line", no_wrap=True)
    for row in view.rows:
        table.add_column("5 years" if row.whole else row.period, justify="right")
    for li, line in enumerate(result.budget.lines):
        label = line_label(line).removeprefix("Looked after: ").capitalize()
        table.add_row(label, *(row.cells[li] for row in view.rows))
    table.add_row("Total", *(row.total for row in view.rows), end_section=True)
    table.add_row("Total, P10", *(band.p10 for band in view.totals))
    table.add_row("Total, P90", *(band.p90 for band in view.totals))
    tables = [table]
    if view.scenarios:
        # Two tables, so each fits a terminal: the costs, then the differences from now.
        split = [i for i, h in enumerate(view.scenario_headings) if "difference" in h.lower()]
        costs_at = [i for i in range(len(view.scenario_headings)) if i not in split]
        by_year = []
        for title, columns in (
            ("Scenarios: expected cost per year", costs_at),
            ("Scenarios: each one's difference from the council running it now", split),
        ):
            if not columns:
                continue
            part = Table(title=title, box=box.SIMPLE_HEAD)
            part.add_column("Period", no_wrap=True)
            for i in columns:
                heading = view.scenario_headings[i].removesuffix(": difference")
                part.add_column(heading, justify="right")
            for period in view.scenario_rows:
                part.add_row(period.period, *(period.cells[i] for i in columns))
            by_year.append(part)
        whole = Table(title=f"Scenarios over {view.period}, against the council running it now")
        for column in ("Scenario", "Expected", "P10 to P90", "Difference", "Difference, %",
                       "Difference, P10 to P90"):  # fmt: skip
            whole.add_column(column, justify="left" if column == "Scenario" else "right")
        for s in view.scenarios:
            whole.add_row(
                s.label, s.mean, f"{s.p10} to {s.p90}", s.difference, s.pct, f"{s.d10} to {s.d90}"
            )
        tables += [*by_year, whole]
    return tables


def backtest_table(frame: pd.DataFrame) -> Table:
    """The back-test: MAPE and bias for each series and method."""
    table = Table(title="Back-test: fitted on earlier years, predicting 1 to 3 years ahead")
    for column in ("Series", "Method", "Forecasts", "MAPE", "Bias"):
        table.add_column(column, justify="left" if column in ("Series", "Method") else "right")
    for score in scores(frame):
        table.add_row(score.series, score.method, score.forecasts, score.mape, score.bias)
    return table
