"""The board's overview against the store it summarises."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from turnaround.store import Store
from turnaround.web.views.forecast import BudgetRun
from turnaround.web.views.overview import PlanStatus, overview_context, rag_class

from .conftest import identifiers_in


def test_the_unknown_count_is_the_worklist_count(city_store: Store, budget_run: BudgetRun) -> None:
    context = overview_context(city_store, run=budget_run)
    row = city_store.fetchone("select count(*) from unknown_worklist")
    assert row is not None and row[0] > 0
    assert context["unknown_children"] == row[0]
    assert context["unknown_children_text"] == f"{row[0]:,}"


def test_the_budget_is_the_sum_of_its_years(city_store: Store, budget_run: BudgetRun) -> None:
    budget = budget_run[0].budget
    headline = overview_context(city_store, run=budget_run)["budget"]
    frame = budget.frame()
    assert headline.total_pounds == pytest.approx(frame["mean"].sum())
    first = frame[frame["year"] == budget.years[0]]["mean"].sum()
    assert headline.first_year_pounds == pytest.approx(first)
    assert headline.period == budget.period_label()


def test_the_capacity_gap_is_posts_needed_less_those_in_post(
    city_store: Store, budget_run: BudgetRun
) -> None:
    planned = budget_run[1]
    assert planned is not None
    plan = planned.plan
    gap = overview_context(city_store, run=budget_run)["gap"]
    needed = plan.quarters[0].social_workers_needed
    assert gap["social_worker_gap_fte"] == pytest.approx(
        needed - plan.in_post.permanent - plan.in_post.agency
    )
    assert gap["manager_gap_fte"] == pytest.approx(
        plan.quarters[0].managers_needed - plan.in_post.managers
    )


def test_ratings_keep_their_word_and_get_a_tag_colour() -> None:
    assert rag_class("Red") == "govuk-tag--red"
    assert rag_class(" amber ") == "govuk-tag--orange"
    assert rag_class("GREEN") == "govuk-tag--green"
    assert rag_class("not rated") == "govuk-tag--grey"


def test_without_a_plan_the_page_says_so(
    city_store: Store,
    budget_run: BudgetRun,
    env: Environment,
    identities: tuple[set[str], set[str]],
) -> None:
    context = overview_context(city_store, run=budget_run)
    html = env.get_template("pages/overview.html").render(**context)
    assert "No plan checked in yet" in html
    assert context["budget"].total in html
    assert context["gap"]["social_worker_gap"] in html
    assert context["unknown_children_text"] in html
    assert identifiers_in(html, identities) == set()


def test_a_plans_priorities_show_with_their_rating_words(
    city_store: Store, budget_run: BudgetRun, env: Environment
) -> None:
    status = PlanStatus(
        priorities=[("Know every child at risk", "Red"), ("Stabilise the workforce", "Amber")],
        off_track=["Re-referrals within 12 months"],
    )
    context = overview_context(city_store, plan_status=status, run=budget_run)
    html = env.get_template("pages/overview.html").render(**context)
    assert "No plan checked in yet" not in html
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in html
    assert "Re-referrals within 12 months" in html
