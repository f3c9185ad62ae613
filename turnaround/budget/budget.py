"""Turn a projection of children into a five-year budget, per financial year and service line.

Each simulation run is costed on its own, then the runs give the bands: a P90 is the 90th
percentile of what the runs cost, never a sum of P90s (which would be far too wide). Totals are
per-run sums, so they add up exactly; the mean (expected cost) is additive too, which is why the
workbook's audited table uses it.

How a placement line is costed, for run ``r``, financial year ``y`` and placement ``s``::

    child_weeks = mean(children in s at the start of each of y's 12 months) * 52.18
    cost        = child_weeks * weekly unit cost of s at y's prices

52.18 is the average number of weeks in a year (365.25 / 7): the count at the start of a month
stands for that month, so a year's average count times 52.18 is its child-weeks. Social work is
FTE * cost per FTE (see ``Staffing``); overheads a share of basic pay; safeguarding and early
help fixed sums (plus any per-child amount). Everything is inflated from its price year, and a
trust's contract adds a client-side team, a fee on the contract value and a one-off set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.budget.costs import (
    CASE_STATES,
    CONTRACT_LINES,
    LINE_LABELS,
    PLACEMENT_LINE,
    SERVICE_LINES,
    CostConfig,
    ServiceLine,
    TrustTerms,
    year_label,
)
from turnaround.errors import ConfigError
from turnaround.forecast.states import STATES, Projection, state_index

WEEKS_PER_YEAR = 52.18
"""365.25 / 7, rounded as finance usually writes it."""

QUANTILES: tuple[float, ...] = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Budget:
    """What each run costs, per financial year and line: ``cost[run, year, line]`` in pounds.

    ``years`` are financial years by their starting calendar year (2015 is 2015-16).
    """

    years: tuple[int, ...]
    lines: tuple[str, ...]
    cost: np.ndarray
    name: str = "baseline"
    label: str = "Council runs the service"

    @property
    def runs(self) -> int:
        """How many simulation runs were costed."""
        return int(self.cost.shape[0])

    def line(self, line: str) -> np.ndarray:
        """One line's cost per run and year, (runs, years); zeros for a line this budget lacks."""
        if line not in self.lines:
            return np.zeros(self.cost.shape[:2])
        return np.asarray(self.cost[:, :, self.lines.index(line)])

    def total(self, *, year: int | None = None, line: str | None = None) -> np.ndarray:
        """Each run's total, over every year and line or just the one ``year`` / ``line``."""
        cost = self.cost
        if year is not None:
            cost = cost[:, [self.years.index(year)], :]
        if line is not None:
            cost = cost[:, :, [self.lines.index(line)]] if line in self.lines else cost[:, :, :0]
        return np.asarray(cost.sum(axis=(1, 2)))

    def frame(self) -> pd.DataFrame:
        """One row per year and line: mean, P10, P50 and P90 over the runs."""
        q = np.quantile(self.cost, QUANTILES, axis=0)
        rows = []
        for yi, year in enumerate(self.years):
            for li, line in enumerate(self.lines):
                rows.append(
                    {
                        "year": year,
                        "financial_year": year_label(year),
                        "line": line,
                        "label": LINE_LABELS.get(line, line),
                        "mean": float(self.cost[:, yi, li].mean()),
                        "p10": float(q[0, yi, li]),
                        "p50": float(q[1, yi, li]),
                        "p90": float(q[2, yi, li]),
                    }
                )
        return pd.DataFrame(rows)

    def totals(self) -> pd.DataFrame:
        """One row per year and one for all years: mean, P10, P50, P90 of the runs' totals."""
        rows = []
        for year in (*self.years, None):
            runs = self.total(year=year)
            p10, p50, p90 = np.quantile(runs, QUANTILES)
            rows.append(
                {
                    "year": year,
                    "period": year_label(year) if year is not None else self.period_label(),
                    "mean": float(runs.mean()),
                    "p10": float(p10),
                    "p50": float(p50),
                    "p90": float(p90),
                }
            )
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """Expected cost (mean of runs), years down and lines across, with totals that add up."""
        mean = self.cost.mean(axis=0)
        frame = pd.DataFrame(
            mean, index=[year_label(y) for y in self.years], columns=list(self.lines)
        )
        frame["total"] = frame.sum(axis=1)
        frame.loc[self.period_label()] = frame.sum(axis=0)
        return frame

    def period_label(self) -> str:
        """'2015-16 to 2019-20'."""
        return f"{year_label(self.years[0])} to {year_label(self.years[-1])}"


def financial_years(projection: Projection) -> tuple[int, ...]:
    """The whole financial years a projection covers, by starting calendar year."""
    if projection.start.month != 4 or projection.start.day != 1:
        raise ConfigError(
            f"a projection for a budget starts on 1 April, not {projection.start:%d %B %Y}"
        )
    return tuple(projection.start.year + k for k in range(projection.months // 12))


def child_weeks(projection: Projection) -> np.ndarray:
    """Child-weeks per run, financial year and state: (runs, years, len(STATES))."""
    years = len(financial_years(projection))
    counts = np.asarray(projection.counts, dtype=float)[:, : 12 * years, :]
    runs, _, states = counts.shape
    return counts.reshape(runs, years, 12, states).mean(axis=2) * WEEKS_PER_YEAR


def build_budget(
    projection: Projection,
    costs: CostConfig,
    *,
    trust: TrustTerms | None = None,
    name: str = "baseline",
    label: str = "Council runs the service",
    staffing_by_year: Mapping[int, float] | None = None,
) -> Budget:
    """Cost every run of ``projection`` per financial year and line (see the module docstring).

    With ``trust``, the service lines are costed at the trust's delivery costs and the contract
    lines are added.

    With ``staffing_by_year`` (a capacity plan's cost, ``workforce.plan.plan_staffing_cost``),
    the social work line is that plan's cost in every run: the plan decides the staff, not
    the projection (scaled to the trust's staff terms under a trust). Overheads still follow
    the costs file's staffing.
    """
    years = financial_years(projection)
    if not years:
        raise ConfigError("a projection needs at least 12 months to make a budget")
    # A plan's staffing is costed at the council's terms; under a trust, the same staff cost
    # what the trust's terms (TUPE on-costs) make them cost.
    plan_scale = 1.0
    if trust is not None:
        council_per_fte = costs.staffing.cost_per_fte()
        costs = trust.delivery_costs(costs)
        plan_scale = costs.staffing.cost_per_fte() / council_per_fte if council_per_fte else 1.0
    weeks = child_weeks(projection)
    runs = weeks.shape[0]
    lines = SERVICE_LINES + (CONTRACT_LINES if trust is not None else ())
    cost = np.zeros((runs, len(years), len(lines)))
    at = {line: i for i, line in enumerate(lines)}

    for state, line in PLACEMENT_LINE.items():
        weekly = np.array([costs.weekly(state, y) for y in years])
        cost[:, :, at[line]] += weeks[:, :, state_index(state)] * weekly

    staffing = costs.staffing
    prices = np.array([costs.inflation.factor(staffing.price_year, y) for y in years])
    if staffing.caseload is None:
        fte = np.full((runs, len(years)), staffing.social_workers_fte.value)
    else:
        cases = weeks[:, :, [state_index(s) for s in CASE_STATES]].sum(axis=2) / WEEKS_PER_YEAR
        fte = cases / staffing.caseload.value
    cost[:, :, at["social_work"]] = fte * staffing.cost_per_fte() * prices
    if staffing_by_year is not None:
        missing = [year_label(y) for y in years if y not in staffing_by_year]
        if missing:
            raise ConfigError(f"the staffing plan does not cover {', '.join(missing)}")
        cost[:, :, at["social_work"]] = plan_scale * np.array([staffing_by_year[y] for y in years])
    basic_pay = fte * staffing.salary.value * prices
    cost[:, :, at["overheads"]] = basic_pay * costs.overheads.rate.value

    cost[:, :, at["safeguarding"]] = _service_line(costs.safeguarding, costs, years, weeks)
    cost[:, :, at["early_help"]] = _service_line(costs.early_help, costs, years, weeks)

    if trust is not None:
        in_scope = cost[:, :, [at[line] for line in trust.scope]].sum(axis=2)
        cost[:, :, at["trust_fee"]] = in_scope * trust.management_fee.value
        cost[:, :, at["commissioning"]] = trust.client_side.value * np.array(
            [costs.inflation.factor(trust.price_year, y) for y in years]
        )
        cost[:, 0, at["trust_set_up"]] = trust.set_up.value
    return Budget(years=years, lines=lines, cost=cost, name=name, label=label)


def _service_line(
    line: ServiceLine, costs: CostConfig, years: tuple[int, ...], weeks: np.ndarray
) -> np.ndarray:
    prices = np.array([costs.inflation.factor(line.price_year, y) for y in years])
    amount = np.broadcast_to(line.annual * prices, weeks.shape[:2]).copy()
    if line.states and line.weekly_per_child:
        idx = [STATES.index(s) for s in line.states]
        amount += weeks[:, :, idx].sum(axis=2) * line.weekly_per_child * prices
    return amount
