"""Priority 4 end to end: fit the demand model, project five years, cost it, run scenarios.

``forecast_budget`` is what the CLI, the demo and the web app call (through
``workforce.assess.forecast_with_plan`` when a workforce is loaded). It fits the model on the
store's returns, projects five financial years from the 1 April after the data, builds the
baseline budget and one budget per scenario, and compares them. Every scenario is projected
with the same seed as the baseline, so runs pair up and the differences are not noise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from turnaround.budget.budget import Budget, build_budget
from turnaround.budget.costs import Assumption, CostConfig, load_costs
from turnaround.budget.scenarios import DemandAdjustment, Scenario, compare, load_scenario
from turnaround.forecast.fit import fit_model
from turnaround.forecast.model import Adjustment, DemandModel, EntryChange, Redirect
from turnaround.forecast.run import RUNS, Progress, five_year_projection, no_progress
from turnaround.forecast.states import AGE_BANDS, LOOKED_AFTER, Projection
from turnaround.store import Store


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


@dataclass(frozen=True, eq=False)
class StaffingPlan:
    """A capacity plan as the budget takes it: the social work line and the plan's workings.

    ``cost_by_year`` (financial year -> pounds) replaces the social work line; ``costs`` (per
    year), ``quarters`` and ``assumptions`` are what the workbook's Capacity plan sheet and
    Assumptions sheet show of it.
    """

    cost_by_year: Mapping[int, float]
    costs: pd.DataFrame
    quarters: pd.DataFrame
    assumptions: tuple[Assumption, ...]


@dataclass(frozen=True)
class ForecastResult:
    """The fitted model, the baseline projection and budget, every scenario's, and the plan
    that was the social work line (None when staff were costed from the costs file)."""

    model: DemandModel
    costs: CostConfig
    projection: Projection
    budget: Budget
    scenarios: tuple[Scenario, ...]
    scenario_budgets: tuple[Budget, ...]
    comparison: pd.DataFrame
    staffing: StaffingPlan | None = None

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


def forecast_budget(
    store: Store,
    *,
    scenarios: Sequence[str | Path] = (),
    runs: int = RUNS,
    seed: int = 0,
    costs_path: Path | str | None = None,
    staffing_by_year: Mapping[int, float] | None = None,
    staffing_plan: Callable[[Projection], StaffingPlan] | None = None,
    progress: Progress = no_progress,
) -> ForecastResult:
    """Fit, project five financial years, cost the baseline and each scenario, compare them.

    ``staffing_by_year`` (a capacity plan's cost by financial year) replaces the social work
    line of the baseline and of every scenario that does not change staffing itself.
    ``staffing_plan`` does the same with a plan made from the baseline projection, so that the
    posts it recruits for follow the forecast demand; the result keeps that plan.
    """
    chosen = [load_scenario(s) for s in scenarios]
    total = 3 + len(chosen)
    progress("fitting the demand model", 0, total)
    model = fit_model(store)
    progress("projecting five years", 1, total)
    projection = five_year_projection(model, runs=runs, seed=seed)
    costs = load_costs(costs_path, store=store)
    staffing = None
    if staffing_plan is not None:
        staffing = staffing_plan(projection)
        staffing_by_year = staffing.cost_by_year
    progress("costing the baseline", 2, total)
    baseline = build_budget(projection, costs, staffing_by_year=staffing_by_year)
    budgets = []
    for i, scenario in enumerate(chosen):
        progress(f"scenario: {scenario.label}", 3 + i, total)
        adjustment = model_adjustment(scenario.adjustment())
        scenario_projection = (
            projection
            if adjustment is None
            else five_year_projection(model, runs=runs, seed=seed, adjust=adjustment)
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
        staffing=staffing,
    )
