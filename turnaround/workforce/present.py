"""Management capacity as people see it: where the service stands, its teams, the posts needed
and what the capacity plan costs.

``turnaround workforce``, the report's workforce section and the web's workforce page all render
:class:`WorkforceView`, so a caseload, a rate or a cost reads the same in each. The web page
shows more (spans, senior managers, quarters), formatted with the same formatters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from turnaround.present.format import MISSING, count, day, financial_year, money, number, percent
from turnaround.returns.present import LoadLine, load_line

if TYPE_CHECKING:
    from turnaround.workforce.assess import WorkforceAssessment
    from turnaround.workforce.load import LoadedWorkforce


class Figure(NamedTuple):
    """One labelled figure, as a summary list or a two-column table shows it."""

    label: str
    value: str


@dataclass(frozen=True)
class TeamRow:
    """One team's caseloads."""

    team_id: str
    name: str
    service: str
    workers: str
    fte: str
    cases: str
    median: str
    max: str
    share_above: str
    cases_per_fte: str


@dataclass(frozen=True)
class PostsRow:
    """The posts needed in one year ('now' for today) to reach the target caseload and span."""

    year: str
    cases: str
    workers: str
    managers: str
    worker_gap: str


@dataclass(frozen=True)
class CostRow:
    """The capacity plan's cost in one financial year."""

    year: str
    permanent: str
    agency: str
    recruitment: str
    total: str


@dataclass(frozen=True)
class WorkforceView:
    """What every face shows of a workforce assessment."""

    at: str
    threshold: int
    target_caseload: str
    target_span: str
    headline: tuple[Figure, ...]
    teams: tuple[TeamRow, ...]
    needed: tuple[PostsRow, ...]
    costs: tuple[CostRow, ...]
    plan_total: str
    senior_flags: tuple[str, ...]
    summary: str  # one line for the report's contents


def _text(value: object, missing: str = MISSING) -> str:
    """A team's name or service, which the export may leave blank (NaN)."""
    return value if isinstance(value, str) else missing


def posts_year(value: object) -> str:
    """'now' for the posts-needed row about today, else the financial year: '2014-15'."""
    try:
        year = int(str(value))  # None, NaN and <NA> are the row for now
    except ValueError:
        return "now"
    return financial_year(year)


def _headline(assessment: WorkforceAssessment) -> tuple[Figure, ...]:
    loads, rates, span = assessment.caseloads, assessment.rates, assessment.spans
    rows = [
        Figure(
            "Case-holding workers in post",
            f"{count(loads.worker_count)} ({number(loads.worker_fte, 1)} FTE)",
        ),
        Figure("Open cases", count(loads.open_cases)),
        Figure("Median caseload", number(loads.median, 1)),
        Figure("Cases per FTE", number(loads.cases_per_fte, 1)),
        Figure(f"Workers with more than {loads.threshold} cases", percent(loads.share_above)),
        Figure("Unallocated cases", count(loads.unallocated_cases)),
        Figure("Longest wait for allocation", f"{count(loads.longest_wait_days)} days"),
        Figure("Vacancy rate (social workers)", percent(rates.vacancy_rate)),
        Figure("Agency rate (social workers)", percent(rates.agency_rate)),
        Figure("Turnover (permanent social workers)", percent(rates.turnover_rate)),
        Figure("Team managers' median span", number(span.median_team_manager_span, 1)),
        Figure("Teams with no permanent manager", count(len(span.teams_without_permanent_manager))),
    ]
    if assessment.stability is not None:
        rows.append(
            Figure(
                "Looked-after children with 3 or more social workers in the year",
                percent(assessment.stability.share_three_or_more),
            )
        )
    return tuple(rows)


def workforce_view(assessment: WorkforceAssessment) -> WorkforceView:
    """The figures every face shows of one workforce assessment."""
    loads = assessment.caseloads
    teams = tuple(
        TeamRow(
            team_id=str(t["team_id"]),
            name=_text(t["name"], "No team recorded"),
            service=_text(t["service"]),
            workers=count(int(t["workers"])),
            fte=number(float(t["fte"]), 1),
            cases=count(int(t["cases"])),
            median=number(float(t["median"]), 1),
            max=count(int(t["max"])),
            share_above=percent(float(t["share_above"])),
            cases_per_fte=number(float(t["cases_per_fte"]), 1),
        )
        for t in loads.teams.to_dict("records")
    )
    needed = tuple(
        PostsRow(
            year=posts_year(r["year"]),
            cases=count(float(r["cases"])),
            workers=number(float(r["social_worker_fte"]), 1),
            managers=count(int(r["team_managers"])),
            worker_gap=number(float(r["social_worker_gap_fte"]), 1),
        )
        for r in assessment.needed.years.to_dict("records")
    )
    costs = tuple(
        CostRow(
            year=str(r["financial_year"]),
            permanent=money(float(r["permanent_pay"])),
            agency=money(float(r["agency_cost"])),
            recruitment=money(float(r["recruitment_cost"])),
            total=money(float(r["total"])),
        )
        for r in assessment.plan.costs_by_year().to_dict("records")
    )
    flags = tuple(assessment.senior.flags)
    return WorkforceView(
        at=day(assessment.at),
        threshold=loads.threshold,
        target_caseload=number(assessment.needed.target_caseload, 1),
        target_span=number(assessment.needed.target_span, 1),
        headline=_headline(assessment),
        teams=teams,
        needed=needed,
        costs=costs,
        plan_total=money(assessment.plan.total()),
        senior_flags=flags,
        summary=(
            f"median caseload {number(loads.median, 1)}; "
            f"vacancy {percent(assessment.rates.vacancy_rate)}; "
            f"{len(flags)} senior structure flag(s)"
        ),
    )


def workforce_load_line(loaded: LoadedWorkforce) -> LoadLine:
    """What a workforce load did, as the returns' load summary lines read."""
    kind = "workforce (CSWW)" if loaded.layout == "csww" else "workforce"
    return load_line(
        kind,
        loaded.year or None,
        sum(loaded.rows_loaded.values()),
        loaded.rows_set_aside,
        loaded.errors,
        loaded.queries,
    )
