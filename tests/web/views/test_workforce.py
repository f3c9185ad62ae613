"""The workforce page and one team's caseloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment
from markupsafe import escape

from turnaround.access import Actor
from turnaround.errors import NotFound, PermissionDenied
from turnaround.store import Store, open_store
from turnaround.web.views.forecast import BudgetRun
from turnaround.web.views.workforce import team_context, workforce_context
from turnaround.workforce.capacity import caseloads

from .conftest import identifiers_in


def test_the_gap_is_posts_needed_less_those_in_post(
    city_store: Store, budget_run: BudgetRun
) -> None:
    assessment = budget_run[1]
    assert assessment is not None
    context = workforce_context(city_store, assessment=assessment)
    plan = assessment.plan
    in_post = plan.in_post.permanent + plan.in_post.agency
    assert context["gap"]["social_worker_gap_fte"] == pytest.approx(
        plan.quarters[0].social_workers_needed - in_post
    )
    assert len(context["teams"]) == len(assessment.caseloads.teams)
    assert len(context["plan_costs"]) == len(plan.years)


def test_a_teams_rows_are_its_own_workers(city_store: Store, budget_run: BudgetRun) -> None:
    assessment = budget_run[1]
    assert assessment is not None
    teams = assessment.caseloads.teams
    team_id = str(teams.sort_values("cases").iloc[-1]["team_id"])
    context = team_context(city_store, Actor.cli("ana"), team_id, at=assessment.at)
    assert context["workers"]
    assert {w["team_id"] for w in context["workers"]} == {team_id}
    loads = caseloads(city_store, assessment.at)
    expected = int(loads.workers.loc[loads.workers["team_id"] == team_id, "cases"].sum())
    assert sum(w["cases"] for w in context["workers"]) == expected
    assert all(w["above"] == (w["cases"] > context["threshold"]) for w in context["workers"])


def test_an_unknown_team_is_not_found(city_store: Store) -> None:
    with pytest.raises(NotFound):
        team_context(city_store, Actor.cli("ana"), "no-such-team")


def test_a_team_manager_sees_only_their_own_team(city_store: Store) -> None:
    team_id = "T01"  # refused before the team is looked up
    with pytest.raises(PermissionDenied, match="manages another team"):
        team_context(city_store, Actor.cli("tom"), team_id)  # tom manages no team here
    with pytest.raises(PermissionDenied, match="may not"):
        team_context(city_store, Actor.cli("bea"), team_id)  # a board member sees no team


def test_without_a_workforce_export_the_page_says_so(tmp_path: Path, env: Environment) -> None:
    store = open_store(tmp_path / "empty.duckdb")
    try:
        context = workforce_context(store)
    finally:
        store.close()
    assert context == {"loaded": False}
    html = env.get_template("pages/workforce.html").render(**context)
    assert "No workforce export loaded yet" in html


def test_the_pages_render_their_figures_and_no_children(
    city_store: Store,
    budget_run: BudgetRun,
    env: Environment,
    identities: tuple[set[str], set[str]],
) -> None:
    context = workforce_context(city_store, assessment=budget_run[1])
    html = env.get_template("pages/workforce.html").render(**context, may_view_team=True)
    assert 'aria-label="Open cases per worker' in html
    assert context["gap"]["social_worker_gap"] in html
    assert context["plan_total"] in html
    for team in context["teams"]:
        assert str(escape(team.name)) in html
    assert identifiers_in(html, identities) == set()

    team = context["teams"][1]
    page = team_context(city_store, Actor.cli("ana"), team.team_id)
    html = env.get_template("pages/team.html").render(**page)
    assert str(escape(page["name"])) in html
    for worker in page["workers"]:
        assert worker["staff_id"] in html
    assert identifiers_in(html, identities) == set()
