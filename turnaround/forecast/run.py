"""The five-year demand projection from the store: the horizon, the runs, and open stock by year.

The budget (``turnaround.budget.run``) and the workforce plan (``turnaround.workforce.assess``)
both project demand through ``five_year_projection``, so with the same runs and seed they see the
same children.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from turnaround.forecast.model import Adjustment, DemandModel, project
from turnaround.forecast.states import STATES, Projection

Progress = Callable[[str, int, int], None]

YEARS = 5
RUNS = 1000


def no_progress(step: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


def next_april(day: date) -> date:
    """The first 1 April on or after ``day``."""
    april = date(day.year, 4, 1)
    return april if april >= day else date(day.year + 1, 4, 1)


def five_year_projection(
    model: DemandModel,
    *,
    runs: int = RUNS,
    seed: int = 0,
    adjust: Adjustment | None = None,
) -> Projection:
    """Five financial years of demand from the 1 April after the model's data."""
    return project(
        model,
        start=next_april(model.stock_date),
        months=12 * YEARS,
        runs=runs,
        seed=seed,
        adjust=adjust,
    )


def open_stock_by_year(projection: Projection) -> dict[int, float]:
    """Children in need, on plans or looked after (P50) at the start of each financial year."""
    open_states = tuple(s for s in STATES if s != "not_in_care")
    middle = projection.quantiles(open_states, (0.5,))[0]
    return {
        day.year: float(middle[m])
        for m, day in enumerate(projection.month_starts())
        if day.month == 4 and m < projection.months
    }
