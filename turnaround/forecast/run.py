"""Priority 4 end to end: fit the demand model, project five years, cost it, run scenarios.

``forecast_budget`` is what the CLI, the demo and (later) the web app call. It fits the model on
the store's returns, projects five financial years from the 1 April after the data, builds the
baseline budget and one budget per scenario, and compares them. Every scenario is projected
with the same seed as the baseline, so runs pair up and the differences are not noise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from turnaround.forecast.budget import Budget, build_budget
from turnaround.forecast.costs import CostConfig, load_costs
from turnaround.forecast.fit import fit_model
from turnaround.forecast.model import Adjustment, DemandModel, EntryChange, Redirect, project
from turnaround.forecast.scenarios import DemandAdjustment, Scenario, compare, load_scenario
from turnaround.forecast.states import AGE_BANDS, LOOKED_AFTER, STATES, Projection
from turnaround.store import Store

Progress = Callable[[str, int, int], None]

YEARS = 5
RUNS = 1000


def no_progress(step: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


def model_adjustment(demand: DemandAdjustment) -> Adjustment | None:
    """A scenario's demand changes as the model's ``Adjustment`` (None if it changes nothing).

    Entry multipliers apply in every band, then band-specific ones on top; a mix shift sends
    its fraction of the inflows into one state to another.
    """
    if demand.is_identity:
        return None
    entries = [
        EntryChange(factor, states=(state,))
        for state, factor in demand.entry_multipliers.items()
        if factor != 1.0
    ]
    entries += [
        EntryChange(factor, states=(state,), bands=(AGE_BANDS.index(band),))
        for (state, band), factor in demand.band_entry_multipliers.items()
        if factor != 1.0
    ]
    redirects = [Redirect(src, dst, fraction) for src, dst, fraction in demand.mix_shifts]
    return Adjustment(entries=tuple(entries), redirects=tuple(redirects))


@dataclass(frozen=True)
class ForecastResult:
    """The fitted model, the baseline projection and budget, and every scenario's."""

    model: DemandModel
    costs: CostConfig
    projection: Projection
    budget: Budget
    scenarios: tuple[Scenario, ...]
    scenario_budgets: tuple[Budget, ...]
    comparison: pd.DataFrame

    def looked_after(self) -> pd.DataFrame:
        """Children looked after at each 31 March of the horizon: P10, P50 and P90."""
        months = self.projection.month_starts()
        bands = self.projection.quantiles(LOOKED_AFTER)
        rows = []
        for m, day in enumerate(months):
            if day.month == 4 and m > 0:  # the stock on 1 April is the 31 March figure
                rows.append(
                    {
                        "at": date(day.year, 3, 31),
                        "p10": float(bands[0, m]),
                        "p50": float(bands[1, m]),
                        "p90": float(bands[2, m]),
                    }
                )
        return pd.DataFrame(rows)


def open_stock_by_year(projection: Projection) -> dict[int, float]:
    """Children in need, on plans or looked after (P50) at the start of each financial year."""
    open_states = tuple(s for s in STATES if s != "not_in_care")
    middle = projection.quantiles(open_states, (0.5,))[0]
    return {
        day.year: float(middle[m])
        for m, day in enumerate(projection.month_starts())
        if day.month == 4 and m < projection.months
    }


def next_april(day: date) -> date:
    """The first 1 April on or after ``day``."""
    april = date(day.year, 4, 1)
    return april if april >= day else date(day.year + 1, 4, 1)


def forecast_budget(
    store: Store,
    *,
    scenarios: Sequence[str | Path] = (),
    runs: int = RUNS,
    seed: int = 0,
    costs_path: Path | str | None = None,
    staffing_by_year: Mapping[int, float] | None = None,
    staffing_plan: Callable[[Projection], Mapping[int, float]] | None = None,
    progress: Progress = no_progress,
) -> ForecastResult:
    """Fit, project five financial years, cost the baseline and each scenario, compare them.

    ``staffing_by_year`` (a capacity plan's cost by financial year) replaces the social work
    line of the baseline and of every scenario that does not change staffing itself.
    ``staffing_plan`` does the same with a plan made from the baseline projection, so that the
    posts it recruits for follow the forecast demand.
    """
    chosen = [load_scenario(s) for s in scenarios]
    total = 3 + len(chosen)
    progress("fitting the demand model", 0, total)
    model = fit_model(store)
    start = next_april(model.stock_date)
    months = 12 * YEARS
    progress("projecting five years", 1, total)
    projection = project(model, start=start, months=months, runs=runs, seed=seed)
    costs = load_costs(costs_path, store=store)
    if staffing_plan is not None:
        staffing_by_year = staffing_plan(projection)
    progress("costing the baseline", 2, total)
    baseline = build_budget(projection, costs, staffing_by_year=staffing_by_year)
    budgets = []
    for i, scenario in enumerate(chosen):
        progress(f"scenario: {scenario.label}", 3 + i, total)
        adjustment = model_adjustment(scenario.adjustment())
        scenario_projection = (
            projection
            if adjustment is None
            else project(model, start=start, months=months, runs=runs, seed=seed, adjust=adjustment)
        )
        budgets.append(
            scenario.budget(scenario_projection, costs, staffing_by_year=staffing_by_year)
        )
    progress("comparing", total, total)
    return ForecastResult(
        model=model,
        costs=costs,
        projection=projection,
        budget=baseline,
        scenarios=tuple(chosen),
        scenario_budgets=tuple(budgets),
        comparison=compare(baseline, budgets),
    )
