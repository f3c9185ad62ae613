"""The forecast and budget as people see them: children looked after, the budget by year and
line with its bands, the scenarios against the baseline, and the back-test's scores.

``turnaround budget`` / ``turnaround forecast``, the report's forecast section and the web's
forecast and overview pages all render these, so a sum of money reads the same in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from turnaround.budget.budget import QUANTILES
from turnaround.budget.costs import LINE_LABELS
from turnaround.forecast.states import LOOKED_AFTER
from turnaround.present.format import count, day, millions, money, number, percent, percent_value

if TYPE_CHECKING:
    import pandas as pd

    from turnaround.budget.budget import Budget
    from turnaround.budget.run import ForecastResult
    from turnaround.forecast.states import Projection


@dataclass(frozen=True)
class LookedAfter:
    """Children looked after on one date: the P10, P50 and P90 of the runs."""

    date: str
    p10: str
    p50: str
    p90: str


@dataclass(frozen=True)
class BudgetRow:
    """One financial year (or the whole period): the expected cost of each line and the total."""

    period: str
    cells: tuple[str, ...]
    total: str
    whole: bool  # the row for all the years together


@dataclass(frozen=True)
class Band:
    """How sure one period's total is: the expected cost, and the P10, P50, P90 of the runs."""

    period: str
    mean: str
    p10: str
    p50: str
    p90: str


@dataclass(frozen=True)
class Headline:
    """The five-year budget with its band, and the first year's, for a summary."""

    period: str
    total: str
    total_pounds: float
    p10: str
    p90: str
    first_year: str
    first_year_total: str
    first_year_pounds: float
    first_year_p10: str
    first_year_p90: str


@dataclass(frozen=True)
class ScenarioPeriod:
    """One period across the scenarios: each one's expected cost, then each one's difference."""

    period: str
    cells: tuple[str, ...]
    whole: bool


@dataclass(frozen=True)
class ScenarioTotal:
    """One scenario over all the years, against the baseline (the council running the service)."""

    label: str
    mean: str
    p10: str
    p90: str
    difference: str
    pct: str
    d10: str
    d90: str


@dataclass(frozen=True)
class Score:
    """The back-test of one method on one series: how many forecasts, their MAPE and bias."""

    series: str
    method: str
    forecasts: str
    mape: str
    bias: str


@dataclass(frozen=True)
class BudgetView:
    """Everything any face shows of a forecast and its budget, every figure already written."""

    runs: int
    runs_text: str
    start: str
    end: str
    period: str
    population_source: str
    looked_after: tuple[LookedAfter, ...]
    looked_after_end: LookedAfter
    lines: tuple[str, ...]
    rows: tuple[BudgetRow, ...]
    totals: tuple[Band, ...]
    headline: Headline
    scenario_headings: tuple[str, ...]
    scenario_rows: tuple[ScenarioPeriod, ...]
    scenarios: tuple[ScenarioTotal, ...]
    backtest: tuple[Score, ...]


def _pounds(value: Any) -> float:
    return float(value)


def headline(budget: Budget) -> Headline:
    """The five-year budget (expected cost) with its P10 to P90 band, and the first year's."""
    totals = budget.totals()
    whole, first = totals.iloc[-1], totals.iloc[0]
    # The expected cost (mean of runs) is what adds up across years and lines, so it is the
    # central figure; the band comes from the runs' own totals, never from summed percentiles.
    return Headline(
        period=budget.period_label(),
        total=money(_pounds(whole["mean"])),
        total_pounds=_pounds(whole["mean"]),
        p10=money(_pounds(whole["p10"])),
        p90=money(_pounds(whole["p90"])),
        first_year=str(first["period"]),
        first_year_total=money(_pounds(first["mean"])),
        first_year_pounds=_pounds(first["mean"]),
        first_year_p10=money(_pounds(first["p10"])),
        first_year_p90=money(_pounds(first["p90"])),
    )


def line_label(line: str) -> str:
    """A Section 251 line's name as the tables head it."""
    return LINE_LABELS.get(line, line)


def _budget_rows(budget: Budget) -> tuple[BudgetRow, ...]:
    table = budget.table()
    last = table.index[-1]
    return tuple(
        BudgetRow(
            period=str(period),
            cells=tuple(millions(_pounds(v)) for v in table.loc[period, list(budget.lines)]),
            total=millions(_pounds(table.loc[period, "total"])),
            whole=period == last,
        )
        for period in table.index
    )


def _bands(budget: Budget) -> tuple[Band, ...]:
    return tuple(
        Band(
            period=str(r["period"]),
            mean=millions(_pounds(r["mean"])),
            p10=millions(_pounds(r["p10"])),
            p50=millions(_pounds(r["p50"])),
            p90=millions(_pounds(r["p90"])),
        )
        for r in budget.totals().to_dict("records")
    )


def _scenarios(
    comparison: pd.DataFrame | None,
) -> tuple[tuple[str, ...], tuple[ScenarioPeriod, ...], tuple[ScenarioTotal, ...]]:
    if comparison is None or not len(comparison):
        return (), (), ()
    from turnaround.budget.scenarios import side_by_side

    wide = side_by_side(comparison)
    last = wide.index[-1]
    rows = tuple(
        ScenarioPeriod(
            period=str(period),
            cells=tuple(millions(_pounds(v)) for v in wide.loc[period]),
            whole=period == last,
        )
        for period in wide.index
    )
    whole = tuple(
        ScenarioTotal(
            label=str(r["label"]),
            mean=millions(_pounds(r["mean"])),
            p10=millions(_pounds(r["p10"])),
            p90=millions(_pounds(r["p90"])),
            difference=millions(_pounds(r["difference"])),
            pct=percent(_pounds(r["difference_pct"])),
            d10=millions(_pounds(r["difference_p10"])),
            d90=millions(_pounds(r["difference_p90"])),
        )
        for r in comparison[comparison["year"].isna()].to_dict("records")
    )
    return tuple(str(c) for c in wide.columns), rows, whole


def scores(backtest: pd.DataFrame | None) -> tuple[Score, ...]:
    """The back-test's MAPE and bias (already out of 100) per series and method."""
    if backtest is None:
        return ()
    return tuple(
        Score(
            series=str(r["series"]).replace("_", " "),
            method=str(r["method"]).replace("_", " "),
            forecasts=count(r["forecasts"]),
            mape=percent_value(r["mape"]),
            bias=percent_value(r["bias"]),
        )
        for r in backtest.to_dict("records")
    )


def budget_view(
    projection: Projection,
    budget: Budget,
    comparison: pd.DataFrame | None,
    backtest: pd.DataFrame | None = None,
    *,
    population_source: str = "",
) -> BudgetView:
    """The forecast, the budget, the scenarios and the back-test as every face shows them."""
    q = projection.quantiles(LOOKED_AFTER, QUANTILES)
    starts = projection.month_starts()

    def on(m: int) -> LookedAfter:
        return LookedAfter(
            day(starts[m]), number(float(q[0, m])), number(float(q[1, m])), number(float(q[2, m]))
        )

    headings, scenario_rows, whole = _scenarios(comparison)
    return BudgetView(
        runs=projection.runs,
        runs_text=count(projection.runs),
        start=day(starts[0]),
        end=day(starts[-1]),
        period=budget.period_label(),
        population_source=population_source,
        looked_after=tuple(on(m) for m in range(0, projection.months + 1, 12)),
        looked_after_end=on(-1),
        lines=tuple(line_label(line) for line in budget.lines),
        rows=_budget_rows(budget),
        totals=_bands(budget),
        headline=headline(budget),
        scenario_headings=headings,
        scenario_rows=scenario_rows,
        scenarios=whole,
        backtest=scores(backtest),
    )


def result_view(result: ForecastResult, backtest: pd.DataFrame | None = None) -> BudgetView:
    """``budget_view`` of one forecast run, with its scenarios."""
    return budget_view(
        result.projection,
        result.budget,
        result.comparison if result.scenario_budgets else None,
        backtest,
        population_source=result.model.population_source,
    )
