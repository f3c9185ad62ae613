"""The capacity plan: a recruitment timeline to the posts needed, and what it costs each year.

The plan runs quarter by quarter (April–June is Q1 of a financial year) from the staff in post
towards the posts needed in each financial year. Every quarter, in this order:

1. **Leavers.** ``permanent * turnover / 4`` permanent social workers leave (likewise managers);
   ``turnover`` is the annual rate, spread evenly.
2. **Starters.** Permanent recruits launched ``ceil(recruitment_months / 3)`` quarters ago arrive
   at the start of the quarter (a 4-month lag means recruiting in Q1 starts in Q3).
3. **Conversions.** Up to ``agency_conversion`` of last quarter's agency staff take permanent
   posts, never more than the posts still unfilled by permanent staff.
4. **Recruiting.** New recruitment is launched for the gap the quarter of arrival will have:
   that quarter's need less permanent staff now and those already on their way, at most
   ``starters_per_quarter`` (the recruitment capacity). Leavers are replaced as they go; leavers
   still to come are not anticipated. With a lag under one quarter they arrive at once.
5. **Agency.** Agency social workers cover exactly the posts permanent staff leave empty.
   Managers are not covered by agency; the unfilled manager posts are reported instead.

Nobody is made redundant: permanent staff above the need stay, and agency falls to nil.

Each quarter's staff are costed exactly as the budget's social work line costs them
(``turnaround.budget.costs.Staffing``), a quarter being a quarter of a year::

    permanent_pay    = permanent * salary * (1 + on_costs) * prices / 4
    agency_cost      = agency * salary * (1 + on_costs) * (1 + agency_premium) * prices / 4
    recruitment_cost = (starters + manager starters) * recruitment_cost * prices

``prices`` inflates from the figure's price year to the financial year (``Inflation.factor``).
Converting agency staff costs nothing beyond their pay. Managers' pay is not costed here: the
budget's overheads line (a share of basic pay) already holds management. A year's cost is the
sum of its quarters, so the yearly costs add up to the quarters exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from turnaround.budget.costs import (
    Assumption,
    CostConfig,
    FinancialYear,
    Sourced,
    load_costs,
    merge,
    year_label,
)
from turnaround.budget.run import StaffingPlan
from turnaround.errors import ConfigError, InputError, describe_invalid

QUARTERS_PER_YEAR = 4
MONTHS_PER_QUARTER = 3

COST_COLUMNS: tuple[str, ...] = ("permanent_pay", "agency_cost", "recruitment_cost")
"""The parts of a quarter's cost; ``total`` is their sum."""


class PlanAssumptions(BaseModel):
    """How fast the council can recruit, and what keeps or loses staff; each with its source.

    Pay, on-costs and the agency premium are not here: they come from the cost config
    (``costs.yaml``'s ``staffing``), so the plan and the budget cost a worker alike.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    recruitment_months: Sourced = Sourced(
        value=4,
        source="Assumption: about 4 months from advertising a post to the recruit starting.",
    )
    starters_per_quarter: Sourced = Sourced(
        value=15,
        source="Assumption: the council can bring in at most 15 FTE permanent social workers "
        "a quarter (advertising, interviewing and induction capacity).",
    )
    manager_starters_per_quarter: Sourced = Sourced(
        value=3,
        source="Assumption: at most 3 FTE team managers recruited a quarter.",
    )
    agency_conversion: Sourced = Sourced(
        value=0.05,
        source="Assumption: 5% of agency social workers take a permanent post each quarter.",
    )
    turnover: Sourced = Sourced(
        value=0.15,
        source="Assumption: 15% of permanent staff leave a year; Birmingham's published "
        "turnover was 9.7% (2017), 14.7% (2019) and 16.1% (2022) (CALIBRATION.md), none for "
        "2014.",
    )
    recruitment_cost: Sourced = Sourced(
        value=5000,
        source="Assumption: £5,000 a permanent hire (advertising, interviews, vetting and "
        "induction); not in CALIBRATION.md.",
    )
    price_year: FinancialYear = 2013

    @model_validator(mode="after")
    def _shares(self) -> PlanAssumptions:
        problems = [
            f"{name} is a share, between 0 and 1"
            for name in ("agency_conversion", "turnover")
            if getattr(self, name).value > 1
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def lag_quarters(self) -> int:
        """Whole quarters from launching recruitment to the recruit starting (rounded up)."""
        return math.ceil(self.recruitment_months.value / MONTHS_PER_QUARTER - 1e-9)

    def merged(self, changes: Mapping[str, Any], *, label: str = "plan") -> PlanAssumptions:
        """A copy with ``changes`` laid over it; a bad figure raises ConfigError."""
        return plan_assumptions(merge(self.model_dump(), changes), label=label)

    def assumptions(self) -> list[Assumption]:
        """The plan's figures with units and sources, for the workbook's Assumptions sheet."""
        units = {
            "recruitment_months": ("months", None),
            "starters_per_quarter": ("FTE a quarter", None),
            "manager_starters_per_quarter": ("FTE a quarter", None),
            "agency_conversion": ("share of agency FTE a quarter", None),
            "turnover": ("share of permanent FTE a year", None),
            "recruitment_cost": ("£ a hire", self.price_year),
        }
        rows = []
        for name, (unit, price_year) in units.items():
            figure: Sourced = getattr(self, name)
            rows.append(
                Assumption("Capacity plan", name, figure.value, unit, price_year, figure.source)
            )
        return rows


def plan_assumptions(
    data: Mapping[str, Any] | None = None, *, label: str = "plan"
) -> PlanAssumptions:
    """Plan assumptions from a mapping (e.g. a YAML section); defaults for what it leaves out.

    Every bad figure is named in one ConfigError.
    """
    try:
        return PlanAssumptions.model_validate(dict(data or {}))
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe_invalid(exc)}") from None


@dataclass(frozen=True)
class InPost:
    """Who is in post when the plan starts (FTE)."""

    permanent: float
    agency: float
    managers: float


class PostsNeeded(NamedTuple):
    """The posts a financial year needs (FTE); a plain ``(2014, 485.0, 70.0)`` tuple will do."""

    year: int
    social_workers: float
    managers: float


@dataclass(frozen=True)
class PlanQuarter:
    """One quarter of the plan: movements at its start, then the staff in post and the cost."""

    year: int
    quarter: int
    social_workers_needed: float
    managers_needed: float
    leavers: float
    starters: float
    converted: float
    recruiting: float
    permanent: float
    agency: float
    manager_leavers: float
    manager_starters: float
    manager_recruiting: float
    managers: float
    managers_unfilled: float
    permanent_pay: float
    agency_cost: float
    recruitment_cost: float

    @property
    def start(self) -> date:
        """The quarter's first day: Q1 of 2014-15 starts on 1 April 2014."""
        month = 4 + MONTHS_PER_QUARTER * (self.quarter - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def label(self) -> str:
        """'2014-15 Q1'."""
        return f"{year_label(self.year)} Q{self.quarter}"

    @property
    def total(self) -> float:
        """The quarter's cost in pounds."""
        return self.permanent_pay + self.agency_cost + self.recruitment_cost


@dataclass(frozen=True)
class CapacityPlan:
    """A quarter-by-quarter recruitment timeline and its cost."""

    quarters: tuple[PlanQuarter, ...]
    in_post: InPost
    assumptions: PlanAssumptions = field(default_factory=PlanAssumptions)

    @property
    def years(self) -> tuple[int, ...]:
        """The financial years planned, by starting calendar year."""
        return tuple(dict.fromkeys(q.year for q in self.quarters))

    def frame(self) -> pd.DataFrame:
        """One row per quarter: need, movements, staff in post and cost."""
        rows = [
            {
                "label": q.label,
                "start": q.start,
                **{name: getattr(q, name) for name in PlanQuarter.__dataclass_fields__},
                "total": q.total,
            }
            for q in self.quarters
        ]
        return pd.DataFrame(rows)

    def costs_by_year(self) -> pd.DataFrame:
        """Per financial year (index), pounds: permanent pay, agency, recruitment and total."""
        rows = []
        for year in self.years:
            quarters = [q for q in self.quarters if q.year == year]
            parts = {name: _add(getattr(q, name) for q in quarters) for name in COST_COLUMNS}
            rows.append(
                {
                    "year": year,
                    "financial_year": year_label(year),
                    **parts,
                    "total": _add(q.total for q in quarters),
                }
            )
        return pd.DataFrame(rows).set_index("year")

    def total(self) -> float:
        """The whole plan's cost in pounds."""
        return _add(q.total for q in self.quarters)


def build_plan(
    in_post: InPost,
    needs: Iterable[PostsNeeded | tuple[int, float, float]],
    *,
    assumptions: PlanAssumptions | None = None,
    costs: CostConfig | None = None,
) -> CapacityPlan:
    """Plan recruitment from ``in_post`` to the posts ``needs`` gives per financial year.

    ``needs`` are consecutive financial years; see the module docstring for each quarter's steps.
    ``costs`` (default: the shipped ``costs.yaml``) gives pay, on-costs, the agency premium and
    inflation, exactly as the budget uses them.
    """
    plan = assumptions if assumptions is not None else PlanAssumptions()
    plan = plan_assumptions(plan.model_dump())  # a model_copy(update=...) skips validation
    costs = costs if costs is not None else load_costs()
    need = _check(in_post, [PostsNeeded(*n) for n in needs])

    staffing = costs.staffing
    per_fte = staffing.salary.value * (1 + staffing.on_costs.value)
    per_agency_fte = per_fte * (1 + staffing.agency_premium.value)
    lag = plan.lag_quarters
    leave_rate = plan.turnover.value / QUARTERS_PER_YEAR
    horizon = [n for n in need for _ in range(QUARTERS_PER_YEAR)]

    def needed(index: int) -> PostsNeeded:
        return horizon[min(index, len(horizon) - 1)]

    launched: list[float] = []
    launched_managers: list[float] = []
    permanent, agency, managers = in_post.permanent, in_post.agency, in_post.managers
    quarters = []
    for i, now in enumerate(horizon):
        pay_prices = costs.inflation.factor(staffing.price_year, now.year)
        hire_prices = costs.inflation.factor(plan.price_year, now.year)

        leavers = permanent * leave_rate
        arriving = launched[i - lag] if 0 <= i - lag < len(launched) else 0.0
        permanent = permanent - leavers + arriving
        converted = min(agency * plan.agency_conversion.value, _gap(now.social_workers, permanent))
        permanent += converted
        on_the_way = sum(launched[max(i - lag + 1, 0) :])
        recruiting = min(
            plan.starters_per_quarter.value,
            _gap(needed(i + lag).social_workers, permanent + on_the_way),
        )
        launched.append(recruiting)
        if lag == 0:
            arriving += recruiting
            permanent += recruiting
        agency = _gap(now.social_workers, permanent)

        manager_leavers = managers * leave_rate
        manager_arriving = (
            launched_managers[i - lag] if 0 <= i - lag < len(launched_managers) else 0.0
        )
        managers = managers - manager_leavers + manager_arriving
        manager_recruiting = min(
            plan.manager_starters_per_quarter.value,
            _gap(
                needed(i + lag).managers,
                managers + sum(launched_managers[max(i - lag + 1, 0) :]),
            ),
        )
        launched_managers.append(manager_recruiting)
        if lag == 0:
            manager_arriving += manager_recruiting
            managers += manager_recruiting

        quarters.append(
            PlanQuarter(
                year=now.year,
                quarter=i % QUARTERS_PER_YEAR + 1,
                social_workers_needed=now.social_workers,
                managers_needed=now.managers,
                leavers=leavers,
                starters=arriving,
                converted=converted,
                recruiting=recruiting,
                permanent=permanent,
                agency=agency,
                manager_leavers=manager_leavers,
                manager_starters=manager_arriving,
                manager_recruiting=manager_recruiting,
                managers=managers,
                managers_unfilled=_gap(now.managers, managers),
                permanent_pay=permanent * per_fte * pay_prices / QUARTERS_PER_YEAR,
                agency_cost=agency * per_agency_fte * pay_prices / QUARTERS_PER_YEAR,
                recruitment_cost=(arriving + manager_arriving)
                * plan.recruitment_cost.value
                * hire_prices,
            )
        )
    return CapacityPlan(quarters=tuple(quarters), in_post=in_post, assumptions=plan)


def plan_staffing_cost(plan: CapacityPlan) -> dict[int, float]:
    """Financial year -> pounds: the plan's cost, for the budget's social work line."""
    return {year: _add(q.total for q in plan.quarters if q.year == year) for year in plan.years}


def budget_staffing(plan: CapacityPlan) -> StaffingPlan:
    """The plan as the budget takes it: its cost by year, and the workings the workbook shows."""
    return StaffingPlan(
        cost_by_year=plan_staffing_cost(plan),
        costs=plan.costs_by_year(),
        quarters=plan.frame(),
        assumptions=tuple(plan.assumptions.assumptions()),
    )


def _gap(needed: float, have: float) -> float:
    return max(needed - have, 0.0)


def _add(values: Iterable[float]) -> float:
    return math.fsum(values)


def _check(in_post: InPost, needs: Sequence[PostsNeeded]) -> list[PostsNeeded]:
    problems = [
        f"{name} in post is {value}, below 0"
        for name, value in (
            ("permanent social workers", in_post.permanent),
            ("agency social workers", in_post.agency),
            ("managers", in_post.managers),
        )
        if not value >= 0
    ]
    if not needs:
        problems.append("no posts needed: give at least one financial year")
    for n in needs:
        if not (n.social_workers >= 0 and n.managers >= 0):
            problems.append(f"{year_label(n.year)}: posts needed must be 0 or more")
    years = [n.year for n in needs]
    if years and years != list(range(years[0], years[0] + len(years))):
        problems.append(f"posts needed must be for consecutive financial years, not {years}")
    if problems:
        raise InputError("capacity plan: " + "; ".join(problems))
    return list(needs)
