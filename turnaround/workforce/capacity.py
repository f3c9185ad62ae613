"""The capacity the children's social work service has, and the capacity it needs.

Pure functions over the workforce tables in the store (see ``workforce/load.py``) and the SSDA903
social worker episodes, each as at one date, each returning a small frozen dataclass whose tables
are pandas DataFrames:

    caseloads         cases per case-holding worker and per team; unallocated cases and waits
    spans             spans of control; teams with no permanent manager; broken manager chains
    staffing_rates    agency rate, vacancy rate and turnover, in the DfE's definitions
    stability         share of looked-after children with three or more social workers
    senior_structure  does one director hold children's services alone; over-broad portfolios
    posts_needed      social workers and team managers needed for target caseloads and spans

Conventions
-----------
- A date ``at`` defaults to the latest date in the workforce data (:func:`latest_date`).
- Intervals share their boundary day, as the export does: a worker is in post on ``at`` when
  ``start_date <= at < leave_date`` (or no leaving date), and an allocation is open on ``at``
  when ``start_date <= at < end_date`` (or no end date). On a hand-over day the case counts
  against the worker who takes it.
- An allocation with no worker (``staff_id`` NULL or blank) is an unallocated case.
- Nothing here writes to the store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from turnaround.core.years import collection_period, workforce_census_day
from turnaround.errors import ConfigError, InputError
from turnaround.store import Store

CASE_HOLDING_ROLES = ("social_worker", "senior_practitioner")
# The front-line social work posts the rates are computed over by default. The DfE's own counts
# take in every registered children's social worker, managers included: pass ``roles`` to match.
SOCIAL_WORK_ROLES = CASE_HOLDING_ROLES
DEFAULT_THRESHOLD = 20
# Assumptions for "posts needed" (the CLI's --target-caseload and --target-span): England's
# average caseload in 2017 was 17.7 (CALIBRATION.md), well under the 20 that counts as too
# many; a span of six lets a team manager supervise each worker.
DEFAULT_TARGET_CASELOAD = 18.0
DEFAULT_TARGET_SPAN = 6.0
# A portfolio item is a children's service when its name holds one of these words.
CHILDREN_SERVICE_WORDS = (
    "child",
    "education",
    "school",
    "safeguarding",
    "early help",
    "front door",
    "famil",
    "youth",
    "young people",
    "fostering",
    "adoption",
    "care leavers",
)


# --- dates ------------------------------------------------------------------------------------


def latest_date(store: Store) -> date:
    """The latest date anywhere in the workforce data: a start, an end, or a snapshot."""
    row = store.fetch_arrow(latest_date_sql(), step="finding the latest workforce date")
    value = row.column(0)[0].as_py()
    if value is None:
        raise InputError("there is no workforce data in the store; load an export first")
    return _as_date(value)


def latest_date_sql() -> str:
    """SQL for the latest date across staff, allocations and vacancy snapshots."""
    return """
        select greatest(
            (select max(greatest(start_date, coalesce(leave_date, start_date)))
               from workforce_staff),
            (select max(greatest(start_date, coalesce(end_date, start_date)))
               from workforce_allocations),
            (select max(at_date) from workforce_vacancies)
        )
    """


def census_day(at: date) -> date:
    """The DfE's census day for ``at``: 30 September on or before it."""
    return workforce_census_day(at)


def _as_date(value: Any) -> date:
    return pd.Timestamp(value).date()


def _at(store: Store, at: date | None) -> date:
    return at if at is not None else latest_date(store)


def _frame(store: Store, sql: str, params: Sequence[Any], step: str) -> pd.DataFrame:
    return store.fetch_arrow(sql, params, step=step).to_pandas()


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


# --- caseloads --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Caseloads:
    """Cases per case-holding worker on one day.

    ``workers``: staff_id, team_id, role, agency, fte, cases, cases_per_fte; one row per
    case-holding worker in post (with zero cases if they hold none) and per anyone else still
    holding an open case.
    ``teams``: team_id, name, service, workers, fte, cases, median, p25, p75, max,
    share_above, cases_per_fte.
    ``unallocated``: child_id, since, waited_days; one row per case open with nobody allocated.
    """

    at: date
    threshold: int
    workers: pd.DataFrame
    teams: pd.DataFrame
    unallocated: pd.DataFrame
    allocated_cases: int
    unallocated_cases: int
    worker_count: int
    worker_fte: float
    median: float  # cases per worker
    mean: float
    share_above: float  # share of workers with more than ``threshold`` cases
    cases_per_fte: float  # allocated cases per FTE of the workers holding them
    median_wait_days: float  # of the unallocated cases
    longest_wait_days: int

    @property
    def open_cases(self) -> int:
        """Every case open on the day, allocated or not."""
        return self.allocated_cases + self.unallocated_cases


def caseloads_sql() -> str:
    """SQL for each case-holding worker's open cases on a day (the one parameter)."""
    return """
        with day as (select ?::date as at),
        open_cases as (
            select a.staff_id, count(distinct a.child_id) as cases
            from workforce_allocations a, day
            where a.start_date <= day.at and (a.end_date is null or a.end_date > day.at)
              and coalesce(a.staff_id, '') <> ''
            group by a.staff_id
        ),
        holders as (
            select s.staff_id from workforce_staff s, day
            where s.holds_cases and s.start_date <= day.at
              and (s.leave_date is null or s.leave_date > day.at)
            union
            select staff_id from open_cases
        )
        select h.staff_id, s.team_id, s.role, s.agency, s.fte,
               coalesce(o.cases, 0)::integer as cases
        from holders h
        left join workforce_staff s using (staff_id)
        left join open_cases o using (staff_id)
        order by s.team_id, h.staff_id
    """


def unallocated_sql() -> str:
    """SQL for the cases open on a day with nobody allocated, and since when."""
    return """
        with day as (select ?::date as at)
        select a.child_id, min(a.start_date) as since,
               date_diff('day', min(a.start_date), any_value(day.at))::integer as waited_days
        from workforce_allocations a, day
        where a.start_date <= day.at and (a.end_date is null or a.end_date > day.at)
          and coalesce(a.staff_id, '') = ''
        group by a.child_id
        order by waited_days desc, a.child_id
    """


def caseloads(
    store: Store, at: date | None = None, threshold: int = DEFAULT_THRESHOLD
) -> Caseloads:
    """Cases per case-holding worker, per team and overall, and the unallocated cases, on ``at``.

    A worker's caseload is the number of children whose case is allocated to them on the day;
    ``cases_per_fte`` divides it by their FTE. "Above the threshold" means strictly more than
    ``threshold`` cases. An unallocated case has waited from the start of its unallocated spell.
    """
    day = _at(store, at)
    workers = _frame(store, caseloads_sql(), [day], "computing caseloads")
    workers["fte"] = workers["fte"].astype(float)
    workers["cases_per_fte"] = workers["cases"] / workers["fte"].where(workers["fte"] > 0)
    waiting = _frame(store, unallocated_sql(), [day], "finding unallocated cases")

    cases = workers["cases"]
    fte = float(workers["fte"].sum())
    return Caseloads(
        at=day,
        threshold=threshold,
        workers=workers,
        teams=_team_caseloads(store, workers, threshold),
        unallocated=waiting,
        allocated_cases=int(cases.sum()),
        unallocated_cases=len(waiting),
        worker_count=len(workers),
        worker_fte=fte,
        median=float(cases.median()) if len(cases) else math.nan,
        mean=float(cases.mean()) if len(cases) else math.nan,
        share_above=float((cases > threshold).mean()) if len(cases) else math.nan,
        cases_per_fte=_share(float(cases.sum()), fte),
        median_wait_days=float(waiting["waited_days"].median()) if len(waiting) else math.nan,
        longest_wait_days=int(waiting["waited_days"].max()) if len(waiting) else 0,
    )


def _team_caseloads(store: Store, workers: pd.DataFrame, threshold: int) -> pd.DataFrame:
    teams = _frame(store, "select team_id, name, service from workforce_teams", [], "teams")
    grouped = workers.assign(above=workers["cases"] > threshold).groupby(
        workers["team_id"].fillna(""), sort=True
    )
    table = pd.DataFrame(
        {
            "workers": grouped.size(),
            "fte": grouped["fte"].sum(),
            "cases": grouped["cases"].sum(),
            "median": grouped["cases"].median(),
            "p25": grouped["cases"].quantile(0.25),
            "p75": grouped["cases"].quantile(0.75),
            "max": grouped["cases"].max(),
            "share_above": grouped["above"].mean(),
        }
    )
    table.index.name = "team_id"
    table = table.reset_index()
    table["cases_per_fte"] = table["cases"] / table["fte"].where(table["fte"] > 0)
    table = table.merge(teams, on="team_id", how="left")
    front = ["team_id", "name", "service"]
    return table[front + [c for c in table.columns if c not in front]]


# --- spans of control -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Spans:
    """Who manages whom on one day, from ``manager_id``.

    ``team_managers``: staff_id, team_id, agency, reports (social workers and senior
    practitioners in post who name them as line manager).
    ``service_managers``: staff_id, reports (team managers in post who name them).
    ``teams_without_permanent_manager``: team_id, name, managers_in_post (agency ones).
    ``cycles``: each a tuple of staff ids that manage each other round in a loop.
    ``missing_managers``: (staff_id, manager_id) where the manager is not in the staff list.
    ``managers_not_in_post``: (staff_id, manager_id) for staff in post whose named manager
    exists but is not in post on the day.
    """

    at: date
    team_managers: pd.DataFrame
    service_managers: pd.DataFrame
    teams_without_permanent_manager: pd.DataFrame
    median_team_manager_span: float
    median_service_manager_span: float
    workers_per_team_manager: float  # case holders in post / team managers in post
    cycles: tuple[tuple[str, ...], ...]
    missing_managers: tuple[tuple[str, str], ...]
    managers_not_in_post: tuple[tuple[str, str], ...]


def in_post_sql() -> str:
    """SQL for the staff in post on a day (the one parameter)."""
    return """
        select s.staff_id, s.role, s.team_id, nullif(s.manager_id, '') as manager_id,
               s.fte, s.agency
        from workforce_staff s
        where s.start_date <= ?::date and (s.leave_date is null or s.leave_date > ?::date)
        order by s.staff_id
    """


def spans(store: Store, at: date | None = None) -> Spans:
    """Spans of control on ``at``, teams with no permanent manager, and broken manager chains.

    A team manager's span counts the social workers and senior practitioners in post who name
    them as line manager; a service manager's counts the team managers. A team has a permanent
    manager when a non-agency team manager of that team is in post. Loops in ``manager_id`` and
    managers missing from the staff list are reported, never followed.
    """
    day = _at(store, at)
    staff = _frame(store, in_post_sql(), [day, day], "finding staff in post")
    every = _frame(
        store,
        "select staff_id, nullif(manager_id, '') as manager_id from workforce_staff",
        [],
        "reading line managers",
    )

    def span(role: str, reports: Sequence[str]) -> pd.DataFrame:
        managers = staff[staff["role"] == role][["staff_id", "team_id", "agency"]]
        counts = staff[staff["role"].isin(reports)].groupby("manager_id").size()
        out = managers.assign(reports=managers["staff_id"].map(counts).fillna(0).astype(int))
        return out.reset_index(drop=True)

    team_managers = span("team_manager", CASE_HOLDING_ROLES)
    service_managers = span("service_manager", ("team_manager",)).drop(columns="team_id")

    teams = _frame(store, "select team_id, name from workforce_teams", [], "teams")
    tms = staff[staff["role"] == "team_manager"]
    permanent = set(tms.loc[~tms["agency"].astype(bool), "team_id"].dropna())
    agency_count = tms[tms["agency"].astype(bool)].groupby("team_id").size()
    lacking = teams[~teams["team_id"].isin(permanent)].copy()
    lacking["agency_managers_in_post"] = lacking["team_id"].map(agency_count).fillna(0).astype(int)

    known = set(every["staff_id"])
    in_post = set(staff["staff_id"])
    named = staff.dropna(subset=["manager_id"])
    missing = every.dropna(subset=["manager_id"])
    missing = missing[~missing["manager_id"].isin(known)]
    away = named[named["manager_id"].isin(known) & ~named["manager_id"].isin(in_post)]
    holders = int(staff["role"].isin(CASE_HOLDING_ROLES).sum())
    return Spans(
        at=day,
        team_managers=team_managers,
        service_managers=service_managers,
        teams_without_permanent_manager=lacking.reset_index(drop=True),
        median_team_manager_span=_median(team_managers["reports"]),
        median_service_manager_span=_median(service_managers["reports"]),
        workers_per_team_manager=_share(holders, len(team_managers)),
        cycles=manager_cycles(dict(zip(every["staff_id"], every["manager_id"], strict=True))),
        missing_managers=tuple(zip(missing["staff_id"], missing["manager_id"], strict=True)),
        managers_not_in_post=tuple(zip(away["staff_id"], away["manager_id"], strict=True)),
    )


def _median(values: pd.Series) -> float:
    return float(values.median()) if len(values) else math.nan


def manager_cycles(manager_of: Mapping[str, str | None]) -> tuple[tuple[str, ...], ...]:
    """Every loop in a who-manages-whom map, each starting from its smallest id.

    Each person has at most one manager, so following managers from anyone either stops (at the
    top, or at a manager not in the map) or enters exactly one loop. Each person is visited once.
    """
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[tuple[str, ...]] = []
    for first in manager_of:
        path: list[str] = []
        node: str | None = first
        while node is not None and node in manager_of and node not in state:
            state[node] = 1
            path.append(node)
            node = manager_of[node] or None
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node) :]
            low = loop.index(min(loop))
            found.append(tuple(loop[low:] + loop[:low]))
        for visited in path:
            state[visited] = 2
    return tuple(sorted(found))


# --- staffing rates ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StaffingRates:
    """Agency rate, vacancy rate and turnover, overall and per team, in the DfE's definitions.

    ``teams``: team_id, name, permanent_fte, agency_fte, leavers_fte, agency_rate,
    turnover_rate, establishment_fte, vacant_fte, agency_cover_fte, vacancy_rate.
    """

    census: date  # 30 September: agency and turnover
    vacancies_at: date | None  # the vacancy snapshot used
    roles: tuple[str, ...]
    permanent_fte: float
    agency_fte: float
    leavers_fte: float
    establishment_fte: float
    vacant_fte: float
    agency_cover_fte: float
    agency_rate: float
    vacancy_rate: float
    turnover_rate: float
    teams: pd.DataFrame


def workers_at_census_sql(roles: Sequence[str]) -> str:
    """SQL for permanent and agency FTE in post on a census day, and permanent leavers in the
    year to it, per team; parameters: the census day, the day a year before it, then ``roles``.
    """
    marks = ", ".join("?" for _ in roles)
    return f"""
        with day as (select ?::date as census, ?::date as year_before)
        select s.team_id,
            coalesce(sum(s.fte) filter (where not s.agency and s.start_date <= day.census
                and (s.leave_date is null or s.leave_date > day.census)), 0) as permanent_fte,
            coalesce(sum(s.fte) filter (where s.agency and s.start_date <= day.census
                and (s.leave_date is null or s.leave_date > day.census)), 0) as agency_fte,
            coalesce(sum(s.fte) filter (where not s.agency
                and s.leave_date > day.year_before and s.leave_date <= day.census), 0)
                as leavers_fte
        from workforce_staff s, day
        where s.role in ({marks})
        group by s.team_id
    """


def vacancies_sql(roles: Sequence[str]) -> str:
    """SQL for establishment, vacant and agency-cover FTE per team in the latest snapshot on or
    before a day; parameters: the day, then ``roles``.
    """
    marks = ", ".join("?" for _ in roles)
    return f"""
        with snap as (select max(at_date) as at_date from workforce_vacancies where at_date <= ?)
        select v.team_id, any_value(v.at_date) as at_date,
               sum(v.establishment_fte) as establishment_fte,
               sum(v.vacant_fte) as vacant_fte,
               sum(v.agency_cover_fte) as agency_cover_fte
        from workforce_vacancies v join snap using (at_date)
        where v.role in ({marks})
        group by v.team_id
    """


def staffing_rates(
    store: Store, at: date | None = None, *, roles: Sequence[str] = SOCIAL_WORK_ROLES
) -> StaffingRates:
    """Agency rate, vacancy rate and turnover of social workers, per team and overall.

    The DfE's children's social work workforce statistics count social workers on a census day,
    30 September, and they define the rates like this (in our words):

    - **Agency rate**: the FTE of agency workers in post on 30 September, as a share of all
      social workers in post then, agency and permanent (agency / (agency + permanent)).
    - **Vacancy rate**: the FTE of vacant posts as a share of the establishment, where the
      establishment is the posts filled by permanent staff plus those vacant (vacant /
      establishment). Vacancies covered by agency staff still count as vacancies. Here it comes
      from the vacancy snapshot in the export nearest on or before ``at``.
    - **Turnover rate**: the FTE of permanent social workers who left in the year to
      30 September, as a share of the permanent FTE in post on 30 September. Agency workers
      leaving do not count.

    The census day is the 30 September on or before ``at`` (default: the latest date in the
    data). ``roles`` picks the posts counted: front-line social workers by default; the DfE
    counts managers who are social workers too, so pass them to match its scope.
    """
    day = _at(store, at)
    census = census_day(day)
    chosen = tuple(roles)
    people = _frame(
        store,
        workers_at_census_sql(chosen),
        [census, date(census.year - 1, 9, 30), *chosen],
        "counting staff at the census",
    )
    posts = _frame(store, vacancies_sql(chosen), [day, *chosen], "reading vacancies")
    dates = posts["at_date"].dropna()
    snapshot = _as_date(dates.max()) if len(dates) else None

    names = _frame(store, "select team_id, name from workforce_teams", [], "teams")
    teams = people.merge(posts.drop(columns="at_date"), on="team_id", how="outer").fillna(
        {c: 0.0 for c in ("permanent_fte", "agency_fte", "leavers_fte")}
    )
    teams = names.merge(teams, on="team_id", how="right").sort_values("team_id")
    teams["agency_rate"] = teams["agency_fte"] / (teams["agency_fte"] + teams["permanent_fte"])
    teams["turnover_rate"] = teams["leavers_fte"] / teams["permanent_fte"]
    teams["vacancy_rate"] = teams["vacant_fte"] / teams["establishment_fte"]
    teams = teams.replace([float("inf"), -float("inf")], math.nan).reset_index(drop=True)

    total = {c: float(teams[c].sum()) for c in teams.columns if c.endswith("_fte")}
    return StaffingRates(
        census=census,
        vacancies_at=snapshot,
        roles=chosen,
        permanent_fte=total["permanent_fte"],
        agency_fte=total["agency_fte"],
        leavers_fte=total["leavers_fte"],
        establishment_fte=total["establishment_fte"],
        vacant_fte=total["vacant_fte"],
        agency_cover_fte=total["agency_cover_fte"],
        agency_rate=_share(total["agency_fte"], total["agency_fte"] + total["permanent_fte"]),
        vacancy_rate=_share(total["vacant_fte"], total["establishment_fte"]),
        turnover_rate=_share(total["leavers_fte"], total["permanent_fte"]),
        teams=teams,
    )


# --- stability --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Stability:
    """How many social workers looked-after children had in one collection year.

    ``children``: child, episodes, workers; one row per child with an episode in the year.
    """

    year: int  # collection year, to 31 March
    start: date
    end: date
    looked_after: int  # children with a social worker episode in the year
    three_or_more: int  # of them, children with three or more episodes
    share_three_or_more: float
    share_three_or_more_workers: float  # counting distinct workers instead of episodes
    children: pd.DataFrame


def stability_sql() -> str:
    """SQL for each child's social worker episodes that start in, or are open during, a year.

    Parameters: the year's first and last day. The same episode in two years' returns counts
    once: episodes are told apart by worker and start date.
    """
    return """
        with episodes as (
            select distinct child, coalesce(sw_id, '') as sw_id, sw_decom
            from ssda903_sw_episodes
            where child is not null and sw_decom is not null and sw_decom <= ?::date
              and (sw_dec is null or sw_dec >= ?::date)
        )
        select child, count(*)::integer as episodes,
               count(distinct nullif(sw_id, ''))::integer as workers
        from episodes group by child order by child
    """


def stability(store: Store, year: int) -> Stability:
    """The share of looked-after children who had three or more social workers in the year.

    The year is the SSDA903 collection year: 1 April ``year - 1`` to 31 March ``year``. A child
    counts when they have a social worker episode (SWEpisodes) that starts in the year or is
    open at any point in it; a child with three or more such episodes had three or more social
    workers. Since SWEpisodes are only kept for looked-after children, so is the measure.
    """
    start, end = collection_period(year)
    children = _frame(store, stability_sql(), [end, start], "counting social worker episodes")
    many = int((children["episodes"] >= 3).sum())
    return Stability(
        year=year,
        start=start,
        end=end,
        looked_after=len(children),
        three_or_more=many,
        share_three_or_more=_share(many, len(children)),
        share_three_or_more_workers=_share(int((children["workers"] >= 3).sum()), len(children)),
        children=children,
    )


# --- senior structure -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SeniorStructure:
    """The senior managers in post and the services each carries.

    ``seniors``: staff_id, role, portfolio, services (how many), children_services (how many of
    them are children's services), over_broad (more than ``max_services``).
    """

    at: date
    max_services: int
    seniors: pd.DataFrame
    directors_of_children: tuple[str, ...]  # directors with a children's service in portfolio
    sole_director: bool  # one of them carries nothing but children's services
    flagged: tuple[str, ...]  # staff ids whose portfolio spans more than max_services

    @property
    def flags(self) -> tuple[str, ...]:
        """The findings, in words."""
        out = []
        if not self.sole_director:
            out.append("no director holds children's services alone")
        out.extend(f"{who}'s portfolio spans more than {self.max_services}" for who in self.flagged)
        return tuple(out)


def is_childrens_service(service: str) -> bool:
    """Say whether a portfolio item is one of children's services, from its name."""
    name = service.lower()
    return any(word in name for word in CHILDREN_SERVICE_WORDS)


def senior_structure(
    store: Store, max_services: int = 3, *, at: date | None = None
) -> SeniorStructure:
    """Does one director hold children's services alone, and who carries too many services?

    The directors are the senior roles titled director. One "holds children's services alone"
    when their portfolio has a children's service in it (by name, see
    ``CHILDREN_SERVICE_WORDS``; education counts) and nothing else. Any senior manager whose
    portfolio lists more than ``max_services`` services is flagged. Only staff in post on
    ``at`` (default: the latest date in the data) count.
    """
    day = _at(store, at)
    seniors = _frame(
        store,
        """
        select r.staff_id, r.role, r.portfolio
        from workforce_senior_roles r join workforce_staff s using (staff_id)
        where s.start_date <= ?::date and (s.leave_date is null or s.leave_date > ?::date)
        order by r.staff_id
        """,
        [day, day],
        "reading senior roles",
    )
    items = seniors["portfolio"].map(lambda text: [p.strip() for p in text.split(";") if p.strip()])
    seniors["services"] = items.map(len).astype(int)
    seniors["children_services"] = items.map(lambda ps: sum(map(is_childrens_service, ps)))
    seniors["over_broad"] = seniors["services"] > max_services
    directors = seniors[(seniors["role"] == "director") & (seniors["children_services"] > 0)]
    sole = directors["children_services"] == directors["services"]
    return SeniorStructure(
        at=day,
        max_services=max_services,
        seniors=seniors,
        directors_of_children=tuple(directors["staff_id"]),
        sole_director=bool(sole.any()),
        flagged=tuple(seniors.loc[seniors["over_broad"], "staff_id"]),
    )


# --- posts needed -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PostsNeeded:
    """Front-line posts needed for target caseloads and spans, now and per future year.

    ``years``: year, cases, social_worker_fte, team_managers, social_worker_gap_fte,
    team_manager_gap; the first row (year ``None``) is now.
    """

    target_caseload: float
    target_span: float
    cases: int  # open cases now, allocated or not
    social_worker_fte: float  # needed now
    team_managers: int  # needed now
    social_worker_fte_in_post: float
    team_managers_in_post: int | None  # known when a Spans result is given
    social_worker_gap_fte: float
    team_manager_gap: int | None
    years: pd.DataFrame


def posts_needed(
    caseloads_result: Caseloads,
    target_caseload: float = DEFAULT_TARGET_CASELOAD,
    target_span: float = DEFAULT_TARGET_SPAN,
    demand_growth: Mapping[int, float] | Sequence[float] | None = None,
    *,
    spans_result: Spans | None = None,
) -> PostsNeeded:
    """Social worker FTE and team managers needed to reach target caseloads and spans.

    Every open case needs a worker, so the cases counted are the allocated plus the unallocated.
    Social worker FTE needed = cases / ``target_caseload``; team managers needed = that FTE /
    ``target_span``, rounded up to whole managers. The gap is what is needed less what is in
    post (case holders' FTE from ``caseloads_result``; team managers from ``spans_result``,
    if given).

    ``demand_growth``, when given, is the open cases expected in each future year, e.g. from the
    forecast: a mapping of year to cases, or a sequence for the years after ``at``.
    """
    if target_caseload <= 0 or target_span <= 0:
        raise ConfigError("target caseload and span must be positive")
    have_sw = caseloads_result.worker_fte
    have_tm = len(spans_result.team_managers) if spans_result is not None else None

    def row(year: int | None, cases: float) -> dict[str, Any]:
        sw = cases / target_caseload
        tm = math.ceil(round(sw / target_span, 9))
        return {
            "year": year,
            "cases": cases,
            "social_worker_fte": sw,
            "team_managers": tm,
            "social_worker_gap_fte": sw - have_sw,
            "team_manager_gap": None if have_tm is None else tm - have_tm,
        }

    now = row(None, caseloads_result.open_cases)
    future: Mapping[int, float]
    if demand_growth is None:
        future = {}
    elif isinstance(demand_growth, Mapping):
        future = demand_growth
    else:
        first = caseloads_result.at.year + 1
        future = {first + i: cases for i, cases in enumerate(demand_growth)}
    years = pd.DataFrame([now] + [row(y, float(c)) for y, c in sorted(future.items())])
    years["year"] = years["year"].astype("Int64")
    return PostsNeeded(
        target_caseload=target_caseload,
        target_span=target_span,
        cases=caseloads_result.open_cases,
        social_worker_fte=now["social_worker_fte"],
        team_managers=now["team_managers"],
        social_worker_fte_in_post=have_sw,
        team_managers_in_post=have_tm,
        social_worker_gap_fte=now["social_worker_gap_fte"],
        team_manager_gap=now["team_manager_gap"],
        years=years,
    )
