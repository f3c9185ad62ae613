"""The forecast and budget page: the fan chart, the budget by year and line, and the scenarios.

The forecast is a simulation of a thousand runs and takes seconds, so the web app computes one
``BudgetRun`` behind its cache and hands it to this page, the overview and the workforce page.
"""

from __future__ import annotations

import math
from typing import Any

from turnaround.budget.budget import QUANTILES, Budget
from turnaround.budget.costs import LINE_LABELS, year_label
from turnaround.budget.report import budget_chart, fan_chart, money
from turnaround.budget.run import ForecastResult
from turnaround.budget.scenarios import SHIPPED, side_by_side
from turnaround.forecast.run import RUNS
from turnaround.forecast.states import LOOKED_AFTER
from turnaround.store import Store
from turnaround.web.views import day, number
from turnaround.workforce.assess import WorkforceAssessment, forecast_with_plan

BudgetRun = tuple[ForecastResult, WorkforceAssessment | None]
"""The forecast with every shipped scenario, and the capacity plan that is its social work line."""


def run_forecast(store: Store, *, runs: int = RUNS, seed: int = 0) -> BudgetRun:
    """The forecast the pages share, built exactly as the demo builds it."""
    return forecast_with_plan(store, scenarios=SHIPPED, runs=runs, seed=seed)


def budget_headline(budget: Budget) -> dict[str, Any]:
    """The five-year budget (expected cost) with its P10 to P90 band, and the first year's."""
    totals = budget.totals()
    whole = totals.iloc[-1]
    first = totals.iloc[0]
    # The expected cost (mean of runs) is what adds up across years and lines, so it is the
    # central figure; the band comes from the runs' own totals, never from summed percentiles.
    return {
        "period": budget.period_label(),
        "total": money(float(whole["mean"])),
        "total_pounds": float(whole["mean"]),
        "p10": money(float(whole["p10"])),
        "p90": money(float(whole["p90"])),
        "first_year": year_label(budget.years[0]),
        "first_year_total": money(float(first["mean"])),
        "first_year_pounds": float(first["mean"]),
        "first_year_p10": money(float(first["p10"])),
        "first_year_p90": money(float(first["p90"])),
    }


def _scenarios(result: ForecastResult) -> dict[str, Any]:
    comparison = result.comparison
    if comparison is None or not len(comparison):
        return {"headings": [], "rows": [], "whole": []}
    wide = side_by_side(comparison)
    whole = comparison[comparison["year"].isna()]
    return {
        "headings": [str(c) for c in wide.columns],
        "rows": [
            {"period": str(period), "cells": [money(float(v)) for v in wide.loc[period]]}
            for period in wide.index
        ],
        "whole": [
            {
                "label": str(r["label"]),
                "mean": money(float(r["mean"])),
                "p10": money(float(r["p10"])),
                "p90": money(float(r["p90"])),
                "difference": money(float(r["difference"])),
                "pct": "–"
                if not math.isfinite(float(r["difference_pct"]))
                else f"{100 * float(r['difference_pct']):+.1f}%",
                "d10": money(float(r["difference_p10"])),
                "d90": money(float(r["difference_p90"])),
            }
            for r in whole.to_dict("records")
        ],
    }


def forecast_context(store: Store, *, run: BudgetRun | None = None) -> dict[str, Any]:
    """Everything the forecast and budget page shows; pass the cached ``run`` to skip the model."""
    result, planned = run if run is not None else run_forecast(store)
    projection, budget = result.projection, result.budget
    q = projection.quantiles(LOOKED_AFTER, QUANTILES)
    starts = projection.month_starts()
    looked_after = [
        {
            "date": day(starts[m]),
            "p10": number(float(q[0, m])),
            "p50": number(float(q[1, m])),
            "p90": number(float(q[2, m])),
        }
        for m in range(0, projection.months + 1, 12)
    ]
    table = budget.table()
    budget_rows = [
        {
            "period": str(period),
            "cells": [money(float(v)) for v in table.loc[period, list(budget.lines)]],
            "total": money(float(table.loc[period, "total"])),
        }
        for period in table.index
    ]
    totals = [
        {
            "period": str(r["period"]),
            "mean": money(float(r["mean"])),
            "p10": money(float(r["p10"])),
            "p50": money(float(r["p50"])),
            "p90": money(float(r["p90"])),
        }
        for r in budget.totals().to_dict("records")
    ]
    return {
        "runs": projection.runs,
        "start": day(starts[0]),
        "end": day(starts[-1]),
        "looked_after_end": {
            "p10": number(float(q[0, -1])),
            "p50": number(float(q[1, -1])),
            "p90": number(float(q[2, -1])),
        },
        "fan_chart": fan_chart(projection),
        "looked_after": looked_after,
        "headline": budget_headline(budget),
        "lines": [LINE_LABELS.get(line, line) for line in budget.lines],
        "budget_rows": budget_rows,
        "budget_chart": budget_chart(budget),
        "totals": totals,
        "scenarios": _scenarios(result),
        "social_work_from_plan": planned is not None,
    }
