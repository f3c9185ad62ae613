"""The report's forecast section: children looked after, the five-year budget and the scenarios.

Charts are readable without colour: the fan chart is a band with a solid median line, and the
budget's stacked bars carry a hatch pattern per line as well as a colour.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from turnaround.budget.budget import QUANTILES, Budget
from turnaround.budget.costs import LINE_LABELS, year_label
from turnaround.budget.scenarios import side_by_side
from turnaround.forecast.states import LOOKED_AFTER, Projection
from turnaround.report.charts import svg_figure
from turnaround.report.html import Section, render_fragment

HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++", "oo", "||", "**")
COLOURS = (
    "#1d70b8",
    "#f47738",
    "#00703c",
    "#4c2c92",
    "#d4351c",
    "#5694ca",
    "#85994b",
    "#912b88",
    "#b58840",
    "#505a5f",
)


def money(value: float) -> str:
    """Pounds for people: '£12.3m', '-£450k' below a million, '£0' for nothing."""
    if value is None or not math.isfinite(value):
        return "–"
    if round(value) == 0:
        return "£0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}£{value / 1e6:,.1f}m"
    return f"{sign}£{value / 1e3:,.0f}k"


def fan_chart(projection: Projection) -> Markup:
    """Children looked after: the P10 to P90 band shaded, the P50 a solid line."""
    q = projection.quantiles(LOOKED_AFTER, QUANTILES)
    months = np.array(projection.month_starts(), dtype="datetime64[D]")
    fig = Figure(figsize=(7.0, 3.0), dpi=100)
    ax = fig.add_subplot()
    ax.fill_between(months, q[0], q[2], color="#9fc5e8", alpha=0.7, label="P10 to P90", linewidth=0)
    ax.plot(months, q[1], color="#1d70b8", linewidth=2, label="P50 (median)")
    ax.set_ylabel("children looked after", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.tight_layout(pad=0.3)
    return Markup(
        '<figure role="img" aria-label="Children looked after: median projection with the '
        f'P10 to P90 band">{svg_figure(fig)}</figure>'
    )


def budget_chart(budget: Budget) -> Markup:
    """Expected cost per financial year, stacked by service line."""
    mean = budget.cost.mean(axis=0) / 1e6
    labels = [year_label(y) for y in budget.years]
    fig = Figure(figsize=(7.0, 3.4), dpi=100)
    ax = fig.add_subplot()
    bottom = np.zeros(len(labels))
    for li, line in enumerate(budget.lines):
        ax.bar(
            labels,
            mean[:, li],
            bottom=bottom,
            label=LINE_LABELS.get(line, line),
            color=COLOURS[li % len(COLOURS)],
            hatch=HATCHES[li % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += mean[:, li]
    ax.set_ylabel("£m, expected", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout(pad=0.3)
    return Markup(
        '<figure role="img" aria-label="Expected cost per financial year, stacked by service '
        f'line">{svg_figure(fig)}</figure>'
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "–" if not math.isfinite(value) else f"{value:,.2f}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)


def forecast_section(
    projection: Projection,
    budget: Budget,
    comparison: pd.DataFrame | None,
    backtest_table: pd.DataFrame | None = None,
) -> Section:
    """The forecast section: fan chart, budget by year and line with bands, scenarios, back-test."""
    q = projection.quantiles(LOOKED_AFTER, QUANTILES)
    starts = projection.month_starts()
    looked_after = [
        {
            "date": f"{starts[m].day} {starts[m]:%B %Y}",
            "p10": f"{q[0, m]:,.0f}",
            "p50": f"{q[1, m]:,.0f}",
            "p90": f"{q[2, m]:,.0f}",
        }
        for m in range(0, projection.months + 1, 12)
    ]
    table = budget.table()
    lines = [LINE_LABELS.get(line, line) for line in budget.lines]
    budget_rows = [
        {
            "period": period,
            "cells": [money(v) for v in table.loc[period, list(budget.lines)]],
            "total": money(float(table.loc[period, "total"])),
        }
        for period in table.index
    ]
    totals = [
        {
            "period": r["period"],
            "p10": money(r["p10"]),
            "p50": money(r["p50"]),
            "p90": money(r["p90"]),
        }
        for r in _records(budget.totals())
    ]
    scenarios: dict[str, object] = {}
    if comparison is not None and len(comparison):
        wide = side_by_side(comparison)
        scenarios = {
            "headings": list(wide.columns),
            "rows": [
                {"period": period, "cells": [money(float(v)) for v in wide.loc[period]]}
                for period in wide.index
            ],
            "whole": [
                {
                    "label": r["label"],
                    "mean": money(r["mean"]),
                    "p10": money(r["p10"]),
                    "p90": money(r["p90"]),
                    "difference": money(r["difference"]),
                    "pct": "–"
                    if not math.isfinite(r["difference_pct"])
                    else f"{100 * r['difference_pct']:+.1f}%",
                    "d10": money(r["difference_p10"]),
                    "d90": money(r["difference_p90"]),
                }
                for r in _records(comparison[comparison["year"].isna()])
            ],
        }
    backtest = None
    if backtest_table is not None:
        backtest = {
            "headings": [str(c) for c in backtest_table.columns],
            "rows": [
                [_cell(v) for v in row] for row in backtest_table.itertuples(index=False, name=None)
            ],
        }
    end = q[:, -1]
    body = render_fragment(
        "forecast_section.html.j2",
        runs=projection.runs,
        start=starts[0],
        end=starts[-1],
        period=budget.period_label(),
        looked_after=looked_after,
        fan=fan_chart(projection),
        lines=lines,
        budget_rows=budget_rows,
        totals=totals,
        stacked=budget_chart(budget),
        scenarios=scenarios,
        backtest=backtest,
    )
    five_year = budget.totals().iloc[-1]
    return Section(
        id="forecast",
        title="Demand forecast and five-year budget",
        body=body,
        summary=(
            f"{end[1]:,.0f} children looked after by {starts[-1]:%B %Y} (P10 {end[0]:,.0f}, "
            f"P90 {end[2]:,.0f}); {money(float(five_year['p50']))} over {budget.period_label()}"
        ),
    )
