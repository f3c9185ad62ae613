"""The workforce page (caseloads, spans, senior structure, capacity plan) and one team's page.

The workforce page shows the same capacity plan the budget costs, so it takes the assessment
made with the cached forecast; a team's page needs only that day's caseloads, so it is cheap
enough to compute per request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup
from matplotlib.figure import Figure

from turnaround.access import Actor, require, require_team
from turnaround.budget.costs import year_label
from turnaround.errors import NotFound
from turnaround.report.charts import svg_figure
from turnaround.store import Store
from turnaround.web.views import day, number, percent
from turnaround.web.views.forecast import run_forecast
from turnaround.workforce.assess import WorkforceAssessment, default_date, has_workforce
from turnaround.workforce.capacity import DEFAULT_THRESHOLD, Caseloads, caseloads
from turnaround.workforce.plan import CapacityPlan
from turnaround.workforce.present import workforce_view


def caseload_chart(loads: Caseloads) -> Markup:
    """Each worker's caseload as a dot on their team's row, the threshold a labelled dashed line."""
    teams = loads.teams
    fig = Figure(figsize=(7.0, 0.45 * max(len(teams), 1) + 0.9), dpi=100)
    ax = fig.add_subplot()
    labels = []
    for row, team in enumerate(teams.itertuples(index=False)):
        cases = loads.workers.loc[loads.workers["team_id"] == team.team_id, "cases"]
        ax.plot(cases, [row] * len(cases), "o", color="#1d70b8", alpha=0.6, markersize=5)
        labels.append(str(team.name) if isinstance(team.name, str) else "No team recorded")
    ax.axvline(loads.threshold, color="#d4351c", linestyle="--", linewidth=1)
    # Labelled on the line itself so the threshold does not depend on seeing red.
    ax.text(loads.threshold, -0.9, f" {loads.threshold} cases", fontsize=7, va="bottom")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylim(len(labels) - 0.5, -1.0)
    ax.set_xlabel("open cases per worker", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout(pad=0.3)
    return Markup(
        '<figure role="img" aria-label="Open cases per worker, one row per team, with the '
        f'threshold of {loads.threshold} cases marked">{svg_figure(fig)}</figure>'
    )


def capacity_gap(plan: CapacityPlan) -> dict[str, Any]:
    """Posts needed in the plan's first year against those in post when it starts (FTE)."""
    first = plan.quarters[0]
    workers_in_post = plan.in_post.permanent + plan.in_post.agency
    worker_gap = first.social_workers_needed - workers_in_post
    manager_gap = first.managers_needed - plan.in_post.managers
    return {
        "year": year_label(first.year),
        "social_workers_needed": number(first.social_workers_needed, 1),
        "social_workers_in_post": number(workers_in_post, 1),
        "social_worker_gap": number(worker_gap, 1),
        "social_worker_gap_fte": worker_gap,
        "managers_needed": number(first.managers_needed, 1),
        "managers_in_post": number(plan.in_post.managers, 1),
        "manager_gap": number(manager_gap, 1),
        "manager_gap_fte": manager_gap,
    }


def workforce_context(
    store: Store, *, assessment: WorkforceAssessment | None = None
) -> dict[str, Any]:
    """Everything the workforce page shows; pass the cached forecast's assessment (``run[1]``)."""
    if assessment is None:
        if not has_workforce(store):
            return {"loaded": False}
        # The plan must be the one the budget costs, made from the forecast's demand.
        assessment = run_forecast(store)[1]
        if assessment is None:
            return {"loaded": False}
    loads, span, senior = assessment.caseloads, assessment.spans, assessment.senior
    names = dict(zip(loads.teams["team_id"], loads.teams["name"], strict=True))
    view = workforce_view(assessment)
    team_managers = [
        {
            "team": str(names.get(r["team_id"], r["team_id"])),
            "agency": bool(r["agency"]),
            "reports": int(r["reports"]),
        }
        for r in span.team_managers.sort_values(["team_id", "staff_id"]).to_dict("records")
    ]
    seniors = [
        {
            "staff_id": str(r["staff_id"]),
            "role": str(r["role"]).replace("_", " "),
            "services": [p.strip() for p in str(r["portfolio"]).split(";") if p.strip()],
            "flagged": bool(r["over_broad"]),
        }
        for r in senior.seniors.to_dict("records")
    ]
    plan = assessment.plan
    quarters = [
        {
            "label": q.label,
            "needed": number(q.social_workers_needed, 1),
            "permanent": number(q.permanent, 1),
            "agency": number(q.agency, 1),
            "starters": number(q.starters, 1),
            "leavers": number(q.leavers, 1),
            "managers": number(q.managers, 1),
        }
        for q in plan.quarters
    ]
    return {
        "loaded": True,
        "at": view.at,
        "threshold": view.threshold,
        "headline": view.headline,
        "chart": caseload_chart(loads),
        "teams": view.teams,
        "spans": {
            "median_team_manager": number(span.median_team_manager_span, 1),
            "median_service_manager": number(span.median_service_manager_span, 1),
            "workers_per_team_manager": number(span.workers_per_team_manager, 1),
            "team_managers": team_managers,
            "without_permanent_manager": [
                {"name": str(r["name"]), "agency_managers": int(r["agency_managers_in_post"])}
                for r in span.teams_without_permanent_manager.to_dict("records")
            ],
        },
        "seniors": seniors,
        "senior_flags": list(senior.flags),
        "targets": {"caseload": view.target_caseload, "span": view.target_span},
        "needed": view.needed,
        "gap": capacity_gap(plan),
        "plan_costs": view.costs,
        "plan_total": view.plan_total,
        "plan_quarters": quarters,
    }


def team_context(
    store: Store,
    actor: Actor,
    team_id: str,
    *,
    at: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """One team's caseloads, worker by worker: ``view-team``, and a team manager's own team only."""
    require_team(require(store, actor.username, "view-team"), team_id)
    loads = caseloads(store, at or default_date(store), threshold)
    found = loads.teams[loads.teams["team_id"] == team_id]
    if found.empty:
        raise NotFound(f"no team {team_id!r} holds cases on {day(loads.at)}")
    team = found.iloc[0]
    members = loads.workers[loads.workers["team_id"] == team_id].sort_values(
        ["cases", "staff_id"], ascending=[False, True]
    )
    workers = [
        {
            "team_id": str(r["team_id"]),
            "staff_id": str(r["staff_id"]),
            "role": str(r["role"]).replace("_", " ").capitalize(),
            "agency": bool(r["agency"]),
            "fte": number(float(r["fte"]), 1),
            "cases": int(r["cases"]),
            "cases_per_fte": number(float(r["cases_per_fte"]), 1),
            "above": int(r["cases"]) > threshold,
        }
        for r in members.to_dict("records")
    ]
    return {
        "team_id": team_id,
        "name": str(team["name"]) if isinstance(team["name"], str) else team_id,
        "service": str(team["service"]) if isinstance(team["service"], str) else "–",
        "at": day(loads.at),
        "threshold": threshold,
        "summary": [
            ("Case-holding workers", f"{int(team['workers']):,} ({number(team['fte'], 1)} FTE)"),
            ("Open cases allocated", f"{int(team['cases']):,}"),
            ("Median caseload", number(float(team["median"]), 1)),
            ("Cases per FTE", number(float(team["cases_per_fte"]), 1)),
            (f"Workers with more than {threshold} cases", percent(float(team["share_above"]))),
        ],
        "workers": workers,
    }
