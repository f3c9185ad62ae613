"""The forecast and budget as an Excel workbook that finance can audit.

Sheets: Assumptions (every figure with its source), Projections (P10/P50/P90 of children in
each state at the start of each month, with a fan chart), Budget (expected cost by year and
line with its totals as ``=SUM`` formulas, the bands, and a stacked chart) and Scenario
comparison (side by side, differences as formulas). Formulas are written with their computed
values, so the file reads correctly before Excel recalculates it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from turnaround.budget.budget import QUANTILES, Budget
from turnaround.budget.costs import LINE_LABELS, Assumption, CostConfig, year_label
from turnaround.budget.run import ForecastResult
from turnaround.budget.scenarios import Scenario, side_by_side
from turnaround.forecast.states import LOOKED_AFTER, STATES, Projection

MONEY = "£#,##0"
SHEETS = ("Assumptions", "Projections", "Budget", "Scenario comparison")
WORKBOOK_NAME = "five-year-budget.xlsx"
"""The workbook's file name in a workspace (``budget/``) and in the web app's download."""


def workbook_for(result: ForecastResult, path: Path | str) -> Path:
    """Write the budget workbook for a forecast (with its capacity plan, when it had one)."""
    staffing = result.staffing
    return write_workbook(
        path,
        costs=result.costs,
        projection=result.projection,
        budget=result.budget,
        comparison=result.comparison,
        scenarios=result.scenarios,
        plan_costs=None if staffing is None else staffing.costs,
        plan_quarters=None if staffing is None else staffing.quarters,
        plan_assumptions=() if staffing is None else staffing.assumptions,
    )


def write_workbook(
    path: Path | str,
    *,
    costs: CostConfig,
    projection: Projection,
    budget: Budget,
    comparison: pd.DataFrame | None = None,
    scenarios: Sequence[Scenario] = (),
    plan_costs: pd.DataFrame | None = None,
    plan_quarters: pd.DataFrame | None = None,
    plan_assumptions: Sequence[Assumption] = (),
) -> Path:
    """Write the workbook to ``path`` and return it.

    With a capacity plan (``workforce.plan``: its ``costs_by_year()``, ``frame()`` and
    ``assumptions.assumptions()``), a "Capacity plan" sheet shows its cost per year and its
    quarters, and its assumptions join the Assumptions sheet.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    formats = _formats(book)
    _assumptions(
        book.add_worksheet("Assumptions"), costs, scenarios, formats, tuple(plan_assumptions)
    )
    _projections(book, book.add_worksheet("Projections"), projection, formats)
    _budget(book, book.add_worksheet("Budget"), budget, formats)
    if comparison is not None:
        _comparison(book.add_worksheet("Scenario comparison"), comparison, formats)
    if plan_costs is not None:
        _plan(book.add_worksheet("Capacity plan"), plan_costs, plan_quarters, formats)
    book.close()
    return path


def _plan(
    sheet: Worksheet,
    costs: pd.DataFrame,
    quarters: pd.DataFrame | None,
    f: Mapping[str, Any],
) -> None:
    """The capacity plan: its cost per financial year (the budget's social work line), then
    its quarters."""
    sheet.write(0, 0, "Capacity plan", f["title"])
    sheet.write(
        1,
        0,
        "Recruitment towards the posts needed, and its cost per financial year: the budget's "
        "social work line. Totals are formulas.",
        f["note"],
    )
    heads = list(costs.columns)
    for col, head in enumerate(heads):
        sheet.write(3, col, str(head).replace("_", " "), f["head"])
    for i, row in enumerate(costs.itertuples(index=False), start=4):
        for col, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(i, col, float(value), f["money"])
            else:
                sheet.write(i, col, str(value))
    end = 4 + len(costs)
    sheet.write(end, 0, "All years", f["bold"])
    for col, head in enumerate(heads):
        if col and pd.api.types.is_numeric_dtype(costs[head]):
            sheet.write_formula(
                end,
                col,
                f"=SUM({xl_range(4, col, end - 1, col)})",
                f["money_bold"],
                float(costs[head].sum()),
            )
    if quarters is not None:
        start = end + 3
        sheet.write(start - 1, 0, "Quarter by quarter (FTE and pounds)", f["bold"])
        for col, head in enumerate(quarters.columns):
            sheet.write(start, col, str(head).replace("_", " "), f["head"])
        for i, row in enumerate(quarters.itertuples(index=False), start=start + 1):
            for col, value in enumerate(row):
                if isinstance(value, int | float):
                    sheet.write_number(i, col, float(value), f["general"])
                else:
                    sheet.write(i, col, str(value))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 20, 14)


def _formats(book: Workbook) -> dict[str, Any]:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
        "note": book.add_format({"italic": True, "font_color": "#505a5f"}),
        "money": book.add_format({"num_format": MONEY}),
        "money_bold": book.add_format({"num_format": MONEY, "bold": True, "top": 1}),
        "bold": book.add_format({"bold": True, "top": 1}),
        "number": book.add_format({"num_format": "#,##0.0"}),
        "general": book.add_format({"num_format": "General"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "date": book.add_format({"num_format": "mmm yyyy"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _assumptions(
    sheet: Worksheet,
    costs: CostConfig,
    scenarios: Sequence[Scenario],
    f: Mapping[str, Any],
    plan: tuple[Assumption, ...] = (),
) -> None:
    sheet.write(0, 0, "Assumptions", f["title"])
    sheet.write(
        1,
        0,
        "Every figure the budget uses, its unit, the financial year of its prices, and "
        "where it came from. 'Assumption' marks a figure to replace with the council's own.",
        f["note"],
    )
    rows: list[tuple[str, Assumption]] = [("All", a) for a in costs.assumptions()]
    for scenario in scenarios:
        rows += [(scenario.name, a) for a in scenario_assumptions(scenario)]
    rows += [("Capacity plan", a) for a in plan]
    heads = ("Applies to", "Group", "Item", "Value", "Unit", "Price year", "Source")
    for col, head in enumerate(heads):
        sheet.write(3, col, head, f["head"])
    for i, (where, a) in enumerate(rows, start=4):
        sheet.write(i, 0, where)
        sheet.write(i, 1, a.group)
        sheet.write(i, 2, a.item)
        sheet.write_number(i, 3, a.value, f["general"])
        sheet.write(i, 4, a.unit)
        sheet.write(i, 5, year_label(a.price_year) if a.price_year is not None else "")
        sheet.write(i, 6, a.source, f["wrap"])
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 28)
    sheet.set_column(3, 3, 12)
    sheet.set_column(4, 4, 22)
    sheet.set_column(5, 5, 10)
    sheet.set_column(6, 6, 100)
    sheet.freeze_panes(4, 0)


def scenario_assumptions(scenario: Scenario) -> list[Assumption]:
    """What a scenario changes, one row per change, with its reason or source."""
    rows = []
    for change in scenario.demand.entry_multipliers:
        bands = (
            "all ages"
            if change.bands is None
            else ", ".join(f"aged {a}-{b}" for a, b in change.bands)
        )
        rows.append(
            Assumption(
                "Demand: entry rate multiplier",
                f"{', '.join(change.states)} ({bands})",
                change.multiplier,
                "multiplier",
                None,
                change.why,
            )
        )
    for shift in scenario.demand.mix_shifts:
        rows.append(
            Assumption(
                "Demand: placement mix shift",
                f"{shift.from_state} to {shift.to_state}",
                shift.fraction,
                "share of flow",
                None,
                shift.why,
            )
        )
    for key, value in _flatten(scenario.costs):
        if key.endswith(".source") or not isinstance(value, int | float):
            continue
        source = _lookup(scenario.costs, key.rsplit(".", 1)[0] + ".source")
        rows.append(Assumption("Costs changed", key, float(value), "", None, str(source or "")))
    if scenario.trust is not None:
        rows += scenario.trust.assumptions()
    return rows


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += _flatten(value, f"{name}.")
        else:
            out.append((name, value))
    return out


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def projection_frame(projection: Projection) -> pd.DataFrame:
    """P10/P50/P90 across runs of children in each state, and all looked after, each month."""
    months = projection.month_starts()
    data: dict[str, Any] = {"month": months}
    groups: list[tuple[str, tuple[str, ...]]] = [("looked_after", LOOKED_AFTER)]
    groups += [(s, (s,)) for s in STATES]
    for name, states in groups:
        q = projection.quantiles(states, QUANTILES)
        for qi, label in enumerate(("p10", "p50", "p90")):
            data[f"{name}_{label}"] = q[qi]
    return pd.DataFrame(data)


def _projections(
    book: Workbook, sheet: Worksheet, projection: Projection, f: Mapping[str, Any]
) -> None:
    frame = projection_frame(projection)
    sheet.write(0, 0, "Projections", f["title"])
    sheet.write(
        1,
        0,
        f"Children at the start of each month: P10, P50 and P90 across "
        f"{projection.runs:,} simulation runs. Bands of a total come from each run's total.",
        f["note"],
    )
    head = 3
    sheet.write(head, 0, "Month", f["head"])
    columns = [c for c in frame.columns if c != "month"]
    for col, name in enumerate(columns, start=1):
        state, _, q = name.rpartition("_")
        sheet.write(head, col, f"{state.replace('_', ' ')} {q.upper()}", f["head"])
    band_col = len(columns) + 1
    sheet.write(head, band_col, "looked after P90 - P10 (chart band)", f["head"])
    for i, row in enumerate(_records(frame), start=head + 1):
        sheet.write_datetime(i, 0, pd.Timestamp(row["month"]).to_pydatetime(), f["date"])
        for col, name in enumerate(columns, start=1):
            sheet.write_number(i, col, float(row[name]), f["number"])
        sheet.write_number(
            i, band_col, float(row["looked_after_p90"] - row["looked_after_p10"]), f["number"]
        )
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, band_col, 12)
    sheet.set_row(head, 45)
    sheet.freeze_panes(head + 1, 1)

    first, last = head + 1, head + len(frame)
    name = "Projections"
    months = [name, first, 0, last, 0]
    area = book.add_chart({"type": "area", "subtype": "stacked"})
    area.add_series(
        {
            "name": "P10",
            "categories": months,
            "values": [name, first, 1, last, 1],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    area.add_series(
        {
            "name": "P10 to P90",
            "categories": months,
            "values": [name, first, band_col, last, band_col],
            "fill": {"color": "#9fc5e8", "transparency": 30},
            "border": {"none": True},
        }
    )
    line = book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": "P50",
            "categories": months,
            "values": [name, first, 2, last, 2],
            "line": {"color": "#1d70b8", "width": 2.25},
        }
    )
    area.combine(line)
    area.set_title({"name": "Children looked after: P50 with the P10 to P90 band"})
    area.set_x_axis({"date_axis": True, "num_format": "mmm yy"})
    area.set_y_axis({"name": "children", "num_format": "#,##0"})
    area.set_legend({"position": "bottom", "delete_series": [0]})
    area.set_size({"width": 720, "height": 360})
    sheet.insert_chart(head + 1, band_col + 2, area)


def _budget(book: Workbook, sheet: Worksheet, budget: Budget, f: Mapping[str, Any]) -> None:
    sheet.write(0, 0, "Budget", f["title"])
    sheet.write(
        1,
        0,
        f"Expected cost (the mean of {budget.runs:,} simulation runs), pounds at each "
        "year's prices. Totals are formulas; means add up, so they match the sum of the lines.",
        f["note"],
    )
    head = 3
    mean = budget.cost.mean(axis=0)
    sheet.write(head, 0, "Financial year", f["head"])
    for col, line in enumerate(budget.lines, start=1):
        sheet.write(head, col, LINE_LABELS.get(line, line), f["head"])
    total_col = len(budget.lines) + 1
    sheet.write(head, total_col, "Total", f["head"])
    for yi, year in enumerate(budget.years):
        row = head + 1 + yi
        sheet.write(row, 0, year_label(year))
        for li in range(len(budget.lines)):
            sheet.write_number(row, li + 1, float(mean[yi, li]), f["money"])
        sheet.write_formula(
            row,
            total_col,
            f"=SUM({xl_range(row, 1, row, total_col - 1)})",
            f["money"],
            float(mean[yi].sum()),
        )
    total_row = head + 1 + len(budget.years)
    sheet.write(total_row, 0, budget.period_label(), f["bold"])
    for col in range(1, total_col + 1):
        value = float(mean.sum()) if col == total_col else float(mean[:, col - 1].sum())
        sheet.write_formula(
            total_row,
            col,
            f"=SUM({xl_range(head + 1, col, total_row - 1, col)})",
            f["money_bold"],
            value,
        )
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, total_col, 16)
    sheet.set_row(head, 45)

    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    for li in range(len(budget.lines)):
        chart.add_series(
            {
                "name": ["Budget", head, li + 1],
                "categories": ["Budget", head + 1, 0, total_row - 1, 0],
                "values": ["Budget", head + 1, li + 1, total_row - 1, li + 1],
                "gap": 60,
            }
        )
    chart.set_title({"name": "Expected cost by service line"})
    chart.set_y_axis({"num_format": '£#,##0,,"m"'})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 760, "height": 380})
    sheet.insert_chart(total_row + 3, 0, chart)

    bands = total_row + 24
    sheet.write(bands, 0, "Bands", f["title"])
    sheet.write(
        bands + 1,
        0,
        "P10, P50 and P90 across the runs. Bands do not add up: a total's P90 is "
        "the 90th percentile of each run's total, not the sum of the lines' P90s.",
        f["note"],
    )
    heads = ("Financial year", "Line", "Mean", "P10", "P50", "P90")
    for col, text in enumerate(heads):
        sheet.write(bands + 3, col, text, f["head"])
    row = bands + 4
    frame = budget.frame()
    for record in _records(frame):
        sheet.write(row, 0, record["financial_year"])
        sheet.write(row, 1, record["label"])
        for col, value in enumerate(
            (record["mean"], record["p10"], record["p50"], record["p90"]), start=2
        ):
            sheet.write_number(row, col, float(value), f["money"])
        row += 1
    for record in _records(budget.totals()):
        sheet.write(row, 0, record["period"], f["bold"])
        sheet.write(row, 1, "Total", f["bold"])
        for col, value in enumerate(
            (record["mean"], record["p10"], record["p50"], record["p90"]), start=2
        ):
            sheet.write_number(row, col, float(value), f["money_bold"])
        row += 1


def _comparison(sheet: Worksheet, comparison: pd.DataFrame, f: Mapping[str, Any]) -> None:
    table = side_by_side(comparison)
    names = list(dict.fromkeys(comparison["label"]))
    sheet.write(0, 0, "Scenario comparison", f["title"])
    sheet.write(
        1,
        0,
        "Expected total cost (mean of runs) per financial year, each scenario beside the "
        "baseline. Differences and the all-years row are formulas.",
        f["note"],
    )
    head = 3
    sheet.write(head, 0, "Period", f["head"])
    for col, name in enumerate(table.columns, start=1):
        sheet.write(head, col, name, f["head"])
    periods = list(table.index)
    first = head + 1
    last_year = first + len(periods) - 2  # the last row is the all-years total
    for pi, period in enumerate(periods):
        row = first + pi
        is_total = pi == len(periods) - 1
        money = f["money_bold"] if is_total else f["money"]
        sheet.write(row, 0, period, f["bold"] if is_total else None)
        for col, name in enumerate(table.columns, start=1):
            value = float(table.loc[period, name])
            if is_total:
                formula = f"=SUM({xl_range(first, col, last_year, col)})"
            elif col > len(names):
                scenario_col = col - len(names) + 1
                formula = f"={xl_rowcol_to_cell(row, scenario_col)}-{xl_rowcol_to_cell(row, 1)}"
            else:
                sheet.write_number(row, col, value, money)
                continue
            sheet.write_formula(row, col, formula, money, value)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, len(table.columns), 22)
    sheet.set_row(head, 45)

    row = first + len(periods) + 2
    sheet.write(row, 0, "Bands of each total (P10, P50, P90 across runs)", f["title"])
    heads = (
        "Scenario",
        "Period",
        "Mean",
        "P10",
        "P50",
        "P90",
        "Difference",
        "Difference P10",
        "Difference P90",
        "Difference %",
    )
    for col, text in enumerate(heads):
        sheet.write(row + 1, col, text, f["head"])
    for ri, record in enumerate(_records(comparison), start=row + 2):
        sheet.write(ri, 0, record["label"])
        sheet.write(ri, 1, record["period"])
        values = (
            record["mean"],
            record["p10"],
            record["p50"],
            record["p90"],
            record["difference"],
            record["difference_p10"],
            record["difference_p90"],
        )
        for col, value in enumerate(values, start=2):
            if np.isfinite(value):
                sheet.write_number(ri, col, float(value), f["money"])
        if np.isfinite(record["difference_pct"]):
            sheet.write_number(ri, 9, float(record["difference_pct"]), f["percent"])
