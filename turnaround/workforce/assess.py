"""Priority 2 end to end: the capacity the service has, what it needs, and the plan to get there.

``assess_workforce`` reads the loaded workforce export (and the returns, for stability), as at
the latest vacancy snapshot. Posts needed follow forecast demand when a forecast is given:
open cases grow with the children in need, on plans and looked after that the forecast
projects at each 31 March. The capacity plan then recruits towards those posts; its cost is
what the five-year budget takes as its social work line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from turnaround.budget.run import ForecastResult, StaffingPlan, forecast_budget
from turnaround.core.years import collection_year
from turnaround.errors import NotFound, TurnaroundError
from turnaround.forecast.fit import fit_model
from turnaround.forecast.run import (
    RUNS,
    Progress,
    five_year_projection,
    no_progress,
    open_stock_by_year,
)
from turnaround.forecast.states import Projection
from turnaround.store import Store
from turnaround.workforce.capacity import (
    DEFAULT_TARGET_CASELOAD,
    DEFAULT_TARGET_SPAN,
    Caseloads,
    PostsNeeded,
    SeniorStructure,
    Spans,
    Stability,
    StaffingRates,
    caseloads,
    latest_date,
    posts_needed,
    senior_structure,
    spans,
    stability,
    staffing_rates,
)
from turnaround.workforce.plan import CapacityPlan, InPost, budget_staffing, build_plan
from turnaround.workforce.plan import PostsNeeded as PlanPosts

TARGET_CASELOAD = DEFAULT_TARGET_CASELOAD
"""Cases per social worker FTE the plan aims for: England's 2017 average was 17.7."""

TARGET_SPAN = DEFAULT_TARGET_SPAN
"""Social workers per team manager the plan aims for (an assumption)."""


@dataclass(frozen=True, eq=False)
class WorkforceAssessment:
    """Everything priority 2 reports, as at one date."""

    at: date
    caseloads: Caseloads
    spans: Spans
    rates: StaffingRates
    stability: Stability | None
    senior: SeniorStructure
    needed: PostsNeeded
    plan: CapacityPlan
    gaps: tuple[str, ...] = ()  # what the loaded source does not carry, so is not computed


def gaps_in(store: Store) -> tuple[str, ...]:
    """What cannot be computed from the workforce loaded (a CSWW census carries less)."""
    counts = store.fetchone(
        "select (select count(*) from workforce_allocations), "
        "(select count(*) from workforce_teams), "
        "(select count(*) from workforce_staff where manager_id is not null), "
        "(select count(*) from workforce_senior_roles), "
        "(select count(*) from workforce_vacancies)"
    )
    allocations, teams, managed, senior, vacancies = counts or (0, 0, 0, 0, 0)
    found = []
    if not allocations:
        found.append(
            "no case allocations by child: caseloads, unallocated cases, posts needed and the "
            "capacity plan are not computed (the budget costs staff from its costs file)"
        )
    if not teams:
        found.append("no teams: per-team figures and teams without a manager are not computed")
    if not managed:
        found.append("no line managers: spans of control are not computed")
    if not senior:
        found.append("no senior roles: the senior structure is not assessed")
    if not vacancies:
        found.append("no vacancies: the vacancy rate is not computed")
    return tuple(found)


def default_date(store: Store) -> date:
    """The latest vacancy snapshot: the date the export describes the establishment."""
    value = store.scalar(
        "select max(at_date) from workforce_vacancies", step="finding the vacancy snapshot date"
    )
    if value is None and store.scalar("select count(*) from workforce_staff"):
        return latest_date(store)  # a census without vacancies: its latest date
    if value is None:
        raise NotFound("no workforce loaded: run 'turnaround load' with the workforce export")
    assert isinstance(value, date)
    return value


def demand_from_forecast(cases_now: int, open_stock_by_year: dict[int, float]) -> dict[int, float]:
    """Open cases per financial year, growing as the forecast's open social care stock does.

    ``open_stock_by_year`` is the children in need, on plans or looked after expected at the
    start of each financial year (first year first); cases scale with it from ``cases_now``.
    """
    if not open_stock_by_year:
        return {}
    first = next(iter(open_stock_by_year.values()))
    if first <= 0:
        return {year: float(cases_now) for year in open_stock_by_year}
    return {year: cases_now * stock / first for year, stock in open_stock_by_year.items()}


def assess_workforce(
    store: Store,
    *,
    at: date | None = None,
    threshold: int = 20,
    target_caseload: float = TARGET_CASELOAD,
    target_span: float = TARGET_SPAN,
    open_stock_by_year: dict[int, float] | None = None,
    plan_years: tuple[int, ...] | None = None,
) -> WorkforceAssessment:
    """Caseloads, spans, rates, stability, senior structure, posts needed and the plan."""
    day = at or default_date(store)
    loads = caseloads(store, day, threshold)
    span = spans(store, day)
    year = collection_year(day)
    try:
        stable: Stability | None = stability(store, year)
    except (NotFound, ValueError):
        stable = None
    demand = demand_from_forecast(loads.open_cases, open_stock_by_year or {})
    needed = posts_needed(loads, target_caseload, target_span, demand or None, spans_result=span)
    rates = staffing_rates(store, day)
    # The plan starts the April after ``at``; each year needs what the forecast says, or what
    # is needed now, held flat.
    first_year = collection_year(day)
    years = plan_years or tuple(range(first_year, first_year + 5))
    future = needed.years.dropna(subset=["year"])
    workers: dict[int, float] = dict(
        zip(future["year"].astype(int), future["social_worker_fte"].astype(float), strict=True)
    )
    managers: dict[int, float] = dict(
        zip(future["year"].astype(int), future["team_managers"].astype(float), strict=True)
    )
    posts = [
        PlanPosts(
            y,
            workers.get(y, needed.social_worker_fte),
            managers.get(y, float(needed.team_managers)),
        )
        for y in years
    ]
    in_post = InPost(
        permanent=rates.permanent_fte,
        agency=rates.agency_fte,
        managers=float(len(span.team_managers)),
    )
    plan = build_plan(in_post, posts)
    return WorkforceAssessment(
        at=day,
        caseloads=loads,
        spans=span,
        rates=rates,
        stability=stable,
        senior=senior_structure(store, at=day),
        needed=needed,
        plan=plan,
        gaps=gaps_in(store),
    )


def has_workforce(store: Store) -> bool:
    """Whether a workforce the plan can use is loaded: vacancies, and cases by child."""
    return bool(
        store.scalar(
            "select least((select count(*) from workforce_vacancies), "
            "(select count(*) from workforce_allocations))",
            step="looking for a workforce",
        )
    )


def forecast_with_plan(
    store: Store,
    *,
    scenarios: Sequence[str | Path] = (),
    runs: int = RUNS,
    seed: int = 0,
    costs_path: Path | str | None = None,
    progress: Progress | None = None,
) -> tuple[ForecastResult, WorkforceAssessment | None]:
    """The five-year budget with the capacity plan as its social work line, when it can be.

    With a workforce loaded, the posts needed follow the baseline forecast and the plan's cost
    replaces the social work line; without one, the budget costs staff from the costs file.
    """
    made: list[WorkforceAssessment] = []

    def plan(projection: Projection) -> StaffingPlan:
        stock = open_stock_by_year(projection)
        made.append(assess_workforce(store, open_stock_by_year=stock, plan_years=tuple(stock)))
        return budget_staffing(made[-1].plan)

    result = forecast_budget(
        store,
        scenarios=scenarios,
        runs=runs,
        seed=seed,
        costs_path=costs_path,
        staffing_plan=plan if has_workforce(store) else None,
        progress=progress or no_progress,
    )
    return result, (made[-1] if made else None)


def forecast_open_stock(store: Store, *, runs: int = RUNS, seed: int = 0) -> dict[int, float]:
    """Open social care stock per financial year, projected as the budget projects it.

    The same model, horizon, runs and seed as ``forecast_with_plan``, so the posts needed agree
    with the budget's. With no returns loaded there is no forecast ({}): posts needed then hold
    today's cases flat.
    """
    try:
        model = fit_model(store)
    except TurnaroundError:
        return {}
    return open_stock_by_year(five_year_projection(model, runs=runs, seed=seed))


def assess_with_forecast(
    store: Store,
    *,
    at: date | None = None,
    threshold: int = 20,
    target_caseload: float = TARGET_CASELOAD,
    target_span: float = TARGET_SPAN,
    runs: int = RUNS,
    seed: int = 0,
) -> WorkforceAssessment:
    """The workforce assessment with posts needed following the budget's demand forecast."""
    stock = forecast_open_stock(store, runs=runs, seed=seed)
    return assess_workforce(
        store,
        at=at,
        threshold=threshold,
        target_caseload=target_caseload,
        target_span=target_span,
        open_stock_by_year=stock,
        plan_years=tuple(stock) if stock else None,
    )
