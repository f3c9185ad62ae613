"""The route map, board report and team views: what they hold, and the route map's one page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdf
import pytest

from turnaround.errors import ValidationFailed
from turnaround.measures.registry import get_measure
from turnaround.plan.history import Change
from turnaround.plan.model import Plan, parse_plan, read_plan
from turnaround.plan.progress import Progress, assess
from turnaround.plan.render import (
    board_fragment,
    board_html,
    plan_section,
    route_map_fragment,
    route_map_html,
    team_fragment,
    team_view_html,
    write_pdf,
    write_route_map_pdf,
)

DEMO = Path(__file__).resolve().parents[2] / "turnaround" / "plan" / "examples" / "demo.yaml"
AS_AT = date(2015, 2, 1)

PRIORITIES = [
    (
        "Find the children at risk we do not know about.",
        [
            ("Children at risk are referred the first time.", "rereferrals_12m", 11),
            ("We see children quickly once they are referred.", "assessments_within_45_days", 95),
            ("Conferences happen on time.", "icpc_within_15_days", 85),
        ],
    ),
    (
        "Give every child a social worker who knows them.",
        [
            ("Social workers hold a caseload they can manage.", "workforce_caseload", 16),
            ("Fewer of our social workers come from agencies.", "workforce_agency_rate", 10),
        ],
    ),
    (
        "Keep children in care settled and safe.",
        [
            ("Children in care move home less often.", "lac_3_plus_placements", 3),
            ("Children stay in the same home for the long term.", "lac_long_term_stability", 75),
        ],
    ),
    (
        "Stop children coming back onto child protection plans.",
        [
            ("Fewer children need a second protection plan.", "cp_plans_second_or_subsequent", 12),
            ("Protection plans do not drag on for years.", "cp_plans_open_2_years_plus", 2),
        ],
    ),
]
TEAMS = ["Front door", "Assessment", "Children in care", "Workforce"]
STATUSES = ["done", "in progress", "not started", "blocked"]
VERBS = ["check", "train", "visit", "review", "agree", "publish", "recruit", "audit", "meet", "map"]


def plan_yaml(actions: int = 20, words: int = 0) -> str:
    """A plan the size of the demo's: 4 priorities, 9 outcomes and ``actions`` actions."""
    lines = [
        "title: Children's services improvement plan",
        "vision: Every child at risk in the city is known, safe and helped early.",
        "start: 2013-04-01",
        "end: 2017-03-31",
        "milestones:",
        "  - {id: M1, title: The minister agrees the plan is in place., date: 2014-12-31}",
        "  - {id: M2, title: Inspectors find the service is no longer inadequate., "
        "date: 2016-09-30}",
        "priorities:",
    ]
    outcome_ids = []
    for p, (title, outcomes) in enumerate(PRIORITIES, 1):
        lines += [f"  - id: P{p}", f"    title: {title}", "    outcomes:"]
        for o, (statement, measure, target) in enumerate(outcomes, 1):
            outcome_ids.append(f"P{p}.{o}")
            lines += [
                f"      - id: P{p}.{o}",
                f"        statement: {statement}",
                "        measures:",
                f"          - {{id: {measure}, baseline_year: 2012, target: {target}, "
                "by: 2016-03-31}",
            ]
    lines.append("actions:")
    extra = " and tell the family what happens next" * words
    for i in range(actions):
        depends = f"[A{i}]" if i % 5 == 4 else "[]"
        lines += [
            f"  - id: A{i + 1}",
            f"    do: We will {VERBS[i % 10]} the work of the team in step {i + 1}{extra}.",
            f"    owner: {{role: Head of {TEAMS[i % 4].lower()}, name: Person {i % 7}}}",
            f"    team: {TEAMS[i % 4]}",
            f"    start: 2014-{1 + i % 9:02d}-01",
            f"    due: 2015-{1 + i % 9:02d}-28",
            f"    serves: [{outcome_ids[i % len(outcome_ids)]}]",
            f"    depends_on: {depends}",
            f"    milestone: M{1 + i % 2}",
            f"    status: {STATUSES[i % 4]}",
        ]
    return "\n".join(lines) + "\n"


def values() -> dict[str, dict[int, float | None]]:
    """Hand-set values giving a mix of ratings."""
    return {
        "rereferrals_12m": {2012: 14.0, 2014: 14.5},  # worse than baseline: off track
        "assessments_within_45_days": {2012: 85.0, 2014: 91.0},  # on track
        "icpc_within_15_days": {2012: 75.0, 2014: 77.0},  # better than baseline: at risk
        "workforce_caseload": {2012: 20.0},  # no data
    }


@pytest.fixture
def plan() -> Plan:
    """The demo-sized plan."""
    return parse_plan(plan_yaml()).plan


@pytest.fixture
def progress(plan: Plan) -> Progress:
    """Its progress at 1 February 2015."""
    return assess(plan, values(), AS_AT)


def test_route_map_holds_every_priority_action_and_measure(plan: Plan, progress: Progress) -> None:
    html = route_map_html(plan, progress)
    assert html.startswith("<!doctype html>") and "@page" in html
    for heading in ("Our priorities", "What we will do", "How we will know"):
        assert heading in html
    for priority in plan.priorities:
        assert priority.title in html
    for action in plan.actions:
        assert action.do in html
        assert action.owner is not None and action.owner.name is not None
        assert action.owner.name in html
    for _, _, _, outcome in plan.outcomes():
        for measure in outcome.measures:
            assert get_measure(measure.id).title in html
    for word, symbol in [("on track", "✓"), ("at risk", "!"), ("off track", "✗"), ("no data", "?")]:
        assert f"{symbol}&nbsp;{word}" in html
    assert "due 28 January 2015" in html and "overdue" in html


def test_route_map_pdf_is_one_page(plan: Plan, progress: Progress, tmp_path: Path) -> None:
    path = write_route_map_pdf(route_map_html(plan, progress), tmp_path / "route-map.pdf")
    assert len(pypdf.PdfReader(path).pages) == 1


def test_a_plan_too_big_for_one_page_is_refused(tmp_path: Path) -> None:
    big = parse_plan(plan_yaml(actions=70, words=3)).plan
    html = route_map_html(big, assess(big, {}, AS_AT))
    with pytest.raises(ValidationFailed, match="must fit on one page"):
        write_route_map_pdf(html, tmp_path / "big.pdf")
    assert not (tmp_path / "big.pdf").exists()


def test_demo_plan_route_map_is_one_page(tmp_path: Path) -> None:
    if not DEMO.exists():
        pytest.skip("the demo plan (turnaround/plan/examples/demo.yaml) is not written yet")
    demo = read_plan(DEMO).plan
    path = write_route_map_pdf(route_map_html(demo, assess(demo, {}, AS_AT)), tmp_path / "d.pdf")
    assert len(pypdf.PdfReader(path).pages) == 1


def test_text_is_escaped(progress: Progress) -> None:
    plan = parse_plan(plan_yaml().replace("in step 1.", "in step <b>1</b>.", 1)).plan
    html = route_map_html(plan, assess(plan, {}, AS_AT))
    assert "in step &lt;b&gt;1&lt;/b&gt;." in html and "<b>1</b>" not in html


def test_board_report(plan: Plan, progress: Progress, tmp_path: Path) -> None:
    moved = [Change("done", "action A1", "in progress", "done", "Done: We will check the work.")]
    html = board_html(plan, progress, moved)
    assert plan.vision in html
    for priority in plan.priorities:
        assert priority.title in html
    assert html.count("<svg") == len(progress.measures)
    assert "Planned path" in html and "Actual" in html
    overdue = [a for a in progress.actions if a.overdue]
    assert overdue and all(a.do in html for a in overdue)
    assert "The minister agrees the plan is in place." in html and "missed" in html
    assert "Done: We will check the work." in html
    assert "Of 9 measures: 1 on track, 1 at risk, 1 off track, 6 no data." in html
    assert "first progress report kept" in board_html(plan, progress, None)
    assert "Nothing has changed" in board_html(plan, progress, [])
    path = write_pdf(html, tmp_path / "board.pdf")
    assert len(pypdf.PdfReader(path).pages) >= 1


def test_team_view_holds_only_its_own_actions(plan: Plan, progress: Progress) -> None:
    html = team_view_html(plan, progress, "Workforce")
    mine = [a for a in plan.actions if a.team == "Workforce"]
    others = [a for a in plan.actions if a.team != "Workforce"]
    assert mine and all(a.do in html for a in mine)
    assert not any(a.do in html for a in others)
    served = {o for a in mine for o in a.serves}
    for outcome_id in served:
        for measure in plan.outcome_ids()[outcome_id].measures:
            assert get_measure(measure.id).title in html
    assert "Workforce: our part of the plan" in html
    assert "has no actions" in team_view_html(plan, progress, "Nobody")


def test_fragments_have_no_document_wrapper(plan: Plan, progress: Progress) -> None:
    for fragment in (
        route_map_fragment(plan, progress),
        board_fragment(plan, progress),
        team_fragment(plan, progress, "Front door"),
    ):
        assert "<html" not in fragment and "<body" not in fragment
        assert 'class="plan-view' in fragment


def test_plan_section(plan: Plan, progress: Progress) -> None:
    section = plan_section(plan, progress)
    assert section.id == "plan" and section.title == "Improvement plan"
    assert "off track" in section.summary
    assert "<h1>" not in section.body and plan.priorities[0].title in section.body
