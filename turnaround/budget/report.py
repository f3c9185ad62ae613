"""The report's forecast section: children looked after, the five-year budget and the scenarios.

Charts are readable without colour: the fan chart is a band with a solid median line, and the
budget's stacked bars carry a hatch pattern per line as well as a colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from turnaround.budget.budget import QUANTILES, Budget
from turnaround.budget.costs import LINE_LABELS, year_label
from turnaround.budget.present import budget_view
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


def forecast_section(
    projection: Projection,
    budget: Budget,
    comparison: pd.DataFrame | None,
    backtest_table: pd.DataFrame | None = None,
) -> Section:
    """The forecast section: fan chart, budget by year and line with bands, scenarios, back-test."""
    view = budget_view(projection, budget, comparison, backtest_table)
    body = render_fragment(
        "forecast_section.html.j2",
        view=view,
        fan=fan_chart(projection),
        stacked=budget_chart(budget),
    )
    end = view.looked_after_end
    return Section(
        id="forecast",
        title="Demand forecast and five-year budget",
        body=body,
        summary=(
            f"{end.p50} children looked after by {view.end} (P10 {end.p10}, P90 {end.p90}); "
            f"{view.headline.total} expected over {view.period}"
        ),
    )
