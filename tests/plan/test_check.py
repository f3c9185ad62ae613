"""The plan checker: every coherence rule on small plans, the demo plan, and the poor plan."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.errors import ConfigError
from turnaround.plan.check import CheckReport, check_plan, find_cycles
from turnaround.plan.model import parse_plan, read_plan
from turnaround.plan.rules import Rules, demo_plan_path, load_rules

POOR = Path(__file__).parent / "fixtures" / "poor.yaml"

# Line numbers in the tests below count from this text: the first action starts on line 21.
BASE = """\
title: Small plan
vision: We help every child early.
start: 2013-04-01
end: 2017-03-31
milestones:
  - id: M1
    title: The minister agrees the plan.
    date: 2014-12-31
priorities:
  - id: P1
    title: Find the children at risk.
    outcomes:
      - id: P1.1
        statement: We act the first time.
        measures:
          - id: rereferrals_12m
            baseline_year: 2013
            target: 11
            by: 2016-03-31
actions:
"""


def action(ident: str, *extra: str, **fields: str) -> str:
    """One action in YAML; a field set to "" is left out."""
    values = {
        "do": "We check each case.",
        "owner": "{role: Head of service, name: Sam Patel}",
        "due": "2014-06-30",
        "serves": "[P1.1]",
        **fields,
    }
    lines = [f"  - id: {ident}"] + [f"    {k}: {v}" for k, v in values.items() if v]
    return "\n".join(lines + [f"    {e}" for e in extra]) + "\n"


def check(text: str, rules: Rules | None = None) -> CheckReport:
    return check_plan(parse_plan(text, "plan.yaml"), rules)


def found(report: CheckReport) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.where, f.line) for f in report.findings]


def test_a_small_coherent_plan_has_no_findings() -> None:
    report = check(BASE + action("A1"))
    assert report.findings == ()
    assert report.ok


def test_action_without_owner() -> None:
    report = check(BASE + action("A1", owner=""))
    assert found(report) == [("C-OWNER", "action A1", 21)]
    assert "name the role and the person" in report.findings[0].message
    assert not report.ok


def test_action_without_due_date_says_the_horizon() -> None:
    report = check(BASE + action("A1", due=""))
    assert found(report) == [("C-DUE", "action A1", 21)]
    assert report.findings[0].message == (
        "has no due date: give it one within the plan's horizon (2013-04-01 to 2017-03-31)"
    )


def test_action_serving_nothing_leaves_the_outcome_unserved_and_measure_orphaned() -> None:
    report = check(BASE + action("A1", serves=""))
    assert found(report) == [
        ("C-UNSERVED", "outcome P1.1", 13),
        ("C-ORPHAN", "measure rereferrals_12m in outcome P1.1", 16),
        ("C-SERVES", "action A1", 21),
    ]


def test_action_serving_an_unknown_outcome() -> None:
    report = check(BASE + action("A1") + action("A2", serves="[P9.9]"))
    assert found(report) == [("C-SERVES-UNKNOWN", "action A2", 30)]


def test_measure_moved_through_another_outcome_is_not_orphaned() -> None:
    text = BASE.replace(
        "actions:\n",
        "      - id: P1.2\n"
        "        statement: We act fast.\n"
        "        measures:\n"
        "          - {id: rereferrals_12m, baseline_year: 2013, target: 11, by: 2016-03-31}\n"
        "actions:\n",
    )
    assert found(check(text + action("A1"))) == [("C-UNSERVED", "outcome P1.2", 20)]


def test_outcome_without_measure() -> None:
    text = BASE.replace(
        "actions:\n", "      - id: P1.2\n        statement: We act fast.\nactions:\n"
    )
    report = check(text + action("A1", serves="[P1.1, P1.2]"))
    assert found(report) == [("C-MEASURE", "outcome P1.2", 20)]


@pytest.mark.parametrize(
    ("key", "code"), [("target", "C-TARGET"), ("by", "C-BY"), ("baseline_year", "C-BASELINE")]
)
def test_measure_missing_a_part(key: str, code: str) -> None:
    text = re.sub(rf"\n +{key}: [^\n]+", "", BASE)
    report = check(text + action("A1"))
    assert found(report) == [(code, "measure rereferrals_12m in outcome P1.1", 16)]


def test_ids_are_unique_across_the_plan() -> None:
    report = check(BASE + action("A1") + action("A1") + action("P1"))
    assert found(report) == [
        ("C-DUPLICATE-ID", "action A1", 26),
        ("C-DUPLICATE-ID", "action P1", 31),
    ]
    assert "priority P1" in report.findings[1].message


def test_measure_listed_twice_in_one_outcome() -> None:
    text = BASE.replace(
        "actions:\n",
        "          - {id: rereferrals_12m, baseline_year: 2013, target: 11, by: 2016-03-31}\n"
        "actions:\n",
    )
    report = check(text + action("A1"))
    assert found(report) == [("C-DUPLICATE-ID", "measure rereferrals_12m in outcome P1.1", 20)]


def test_dependency_on_an_unknown_action() -> None:
    report = check(BASE + action("A1", "depends_on: [A9]"))
    assert found(report) == [("C-DEPENDS-UNKNOWN", "action A1", 26)]


def test_dependency_cycle_is_reported_once_with_its_path() -> None:
    text = (
        BASE
        + action("A1")
        + action("A2", "depends_on: [A3]")
        + action("A3", "depends_on: [A2]")
        + action("A4", "depends_on: [A4]")
    )
    report = check(text)
    assert found(report) == [("C-CYCLE", "action A2", 31), ("C-CYCLE", "action A4", 43)]
    assert "A2 → A3 → A2" in report.findings[0].message
    assert "A4 → A4" in report.findings[1].message


def test_find_cycles_on_a_longer_loop_starts_at_the_first_action() -> None:
    graph = {"A1": ["A3"], "A2": ["A1"], "A3": ["A2"], "A4": ["A1"]}
    assert find_cycles(graph) == [["A1", "A3", "A2", "A1"]]
    assert find_cycles({"A1": [], "A2": ["A1"]}) == []


def test_action_due_before_what_it_depends_on() -> None:
    text = BASE + action("A1", due="2014-09-30") + action("A2", "depends_on: [A1]")
    report = check(text)
    assert found(report) == [("C-DEP-ORDER", "action A2", 29)]
    assert "make it due on 2014-09-30 or later" in report.findings[0].message


def test_start_after_due() -> None:
    report = check(BASE + action("A1", start="2014-09-01"))
    assert found(report) == [("C-START-DUE", "action A1", 26)]


@pytest.mark.parametrize(
    ("old", "new", "where", "line"),
    [
        ("due: 2014-06-30", "due: 2017-06-30", "action A1", 24),
        ("date: 2014-12-31", "date: 2012-12-31", "milestone M1", 8),
        ("by: 2016-03-31", "by: 2018-03-31", "measure rereferrals_12m in outcome P1.1", 19),
    ],
)
def test_dates_outside_the_horizon(old: str, new: str, where: str, line: int) -> None:
    report = check((BASE + action("A1")).replace(old, new))
    assert ("C-HORIZON", where, line) in found(report)


def test_plan_ending_before_it_starts() -> None:
    report = check(BASE.replace("end: 2017-03-31", "end: 2012-03-31") + action("A1"))
    assert ("C-HORIZON", "plan", 3) in found(report)


def test_action_due_after_its_milestone() -> None:
    report = check(BASE + action("A1", "milestone: M1", due="2015-01-31"))
    assert found(report) == [("C-MILESTONE-LATE", "action A1", 24)]
    assert "bring it forward to 2014-12-31" in report.findings[0].message


def test_action_on_or_before_its_milestone_is_fine() -> None:
    assert check(BASE + action("A1", "milestone: M1", due="2014-12-31")).findings == ()


def test_action_serving_an_unknown_milestone() -> None:
    report = check(BASE + action("A1", "milestone: M7"))
    assert found(report) == [("C-MILESTONE-UNKNOWN", "action A1", 26)]


def test_owner_with_more_actions_than_the_limit() -> None:
    six = "".join(action(f"A{i}") for i in range(1, 7))
    assert check(BASE + six).findings == ()
    report = check(BASE + six + action("A7"))
    assert found(report) == [("C-OWNER-LOAD", "owner Sam Patel", 23)]


def test_owner_load_counts_by_role_when_there_is_no_name() -> None:
    rules = load_rules().model_copy(update={"max_actions_per_owner": 1})
    text = BASE + action("A1", owner="{role: Head of finance}") * 1
    text += action("A2", owner="{role: Head of finance}")
    assert found(check(text, rules)) == [("C-OWNER-LOAD", "owner Head of finance", 23)]


def test_too_many_priorities() -> None:
    extra = "".join(f"  - id: P{i}\n    title: Priority {i}.\n" for i in range(2, 7))
    report = check(BASE.replace("actions:\n", extra + "actions:\n") + action("A1"))
    assert found(report) == [("C-PRIORITIES", "plan", 9)]
    five = "".join(f"  - id: P{i}\n    title: Priority {i}.\n" for i in range(2, 6))
    assert check(BASE.replace("actions:\n", five + "actions:\n") + action("A1")).ok


def test_vision_of_two_sentences() -> None:
    text = BASE.replace("We help every child early.", "We help. We care.")
    assert found(check(text + action("A1"))) == [("C-VISION", "vision", 2)]


def test_action_of_two_sentences() -> None:
    report = check(BASE + action("A1", do="We check. We call."))
    assert found(report) == [("P-ONE-SENTENCE", "action A1", 22)]


def test_acronym_spelt_out_earlier_in_reading_order_is_fine() -> None:
    text = BASE.replace("We help every child early.", "A Multi-Agency Hub (MAH) helps.")
    assert check(text + action("A1", do="The MAH checks each case.")).findings == ()


def test_acronym_used_before_it_is_spelt_out_is_flagged_once() -> None:
    text = BASE.replace("Find the children at risk.", "The MAH finds children.")
    text += action("A1", do="A Multi-Agency Hub (MAH) opens.")
    text += action("A2", do="The LA and the LA act.") + action("A3", do="The NHS helps.")
    assert found(check(text)) == [
        ("P-ACRONYM", "priority P1", 11),
        ("P-ACRONYM", "action A2", 27),
    ]


def test_plain_english_findings_name_the_text() -> None:
    text = BASE + action("A1", do="Robust thresholds will be embedded going forward.")
    codes = {(f.code, f.where) for f in check(text).findings}
    assert codes == {("P-PASSIVE", "action A1"), ("P-JARGON", "action A1")}


def test_long_sentence_and_hard_reading() -> None:
    long = (
        "Organisational restructuring necessitates comprehensive reconfiguration of "
        "multidisciplinary safeguarding arrangements across every partnership, locality, "
        "directorate, commissioning structure, governance board and operational team."
    )
    report = check(BASE + action("A1", do=long))
    assert {f.code for f in report.findings} == {"P-LONG", "P-EASE"}
    assert report.ok  # wording is a warning


def test_size_limits_for_overview_and_priority_screen() -> None:
    rules = load_rules().model_copy(
        update={
            "overview": load_rules().overview.model_copy(update={"words": 10}),
            "priority_screen": load_rules().priority_screen.model_copy(update={"lines": 3}),
        }
    )
    report = check(BASE + action("A1"), rules)
    # Overview: vision 5 + priority title 5 + outcome 5 + measure title 4 = 19 words.
    # Screen: title, outcome, measure title and action, a line each = 4 lines.
    assert found(report) == [("S-OVERVIEW", "plan", 9), ("S-PRIORITY", "priority P1", 10)]
    assert "19 words" in report.findings[0].message
    assert "4 lines" in report.findings[1].message


def test_report_as_data() -> None:
    data = check(BASE + action("A1", owner="", do="We check. We call.")).to_dict()
    assert data["ok"] is False
    assert (data["errors"], data["warnings"]) == (1, 1)
    assert data["findings"][0]["code"] == "C-OWNER"


def test_demo_plan_passes_its_own_checks() -> None:
    report = check_plan(read_plan(demo_plan_path()))
    assert [str(f) for f in report.findings] == []
    plan = read_plan(demo_plan_path()).plan
    assert len(plan.priorities) == 4
    assert any(m.title == "The minister agrees the plan is in place." for m in plan.milestones)


POOR_FAULTS = [
    ("C-VISION", "vision"),  # two sentences
    ("P-JARGON", "vision"),
    ("P-JARGON", "priority P1"),
    ("P-LONG", "priority P1"),
    ("P-LONG", "action A1"),
    ("P-EASE", "action A8"),
    ("P-PASSIVE", "vision"),
    ("P-PASSIVE", "action A2"),
    ("P-ACRONYM", "outcome P1.1"),  # LSCB and MASH
    ("P-ACRONYM", "action A1"),  # DCS
    ("P-ACRONYM", "action A7"),  # IRO
    ("P-ONE-SENTENCE", "action A5"),
    ("C-OWNER", "action A2"),
    ("C-DUE", "action A3"),
    ("C-SERVES", "action A4"),
    ("C-CYCLE", "action A1"),
    ("C-DEP-ORDER", "action A5"),
    ("C-HORIZON", "action A6"),
    ("C-HORIZON", "measure workforce_caseload in outcome P2.1"),
    ("C-MILESTONE-LATE", "action A7"),
    ("C-MEASURE", "outcome P1.2"),
    ("C-TARGET", "measure rereferrals_12m in outcome P1.1"),
    ("C-UNSERVED", "outcome P3.1"),
    ("C-ORPHAN", "measure cin_per_10k in outcome P3.1"),
    ("C-OWNER-LOAD", "owner Pat Jones"),
    ("C-PRIORITIES", "plan"),
    ("S-PRIORITY", "priority P1"),
]


@pytest.mark.parametrize(("code", "where"), POOR_FAULTS)
def test_poor_plan_fault_is_flagged(code: str, where: str) -> None:
    report = check_plan(read_plan(POOR))
    assert (code, where) in {(f.code, f.where) for f in report.findings}


def test_poor_plan_names_the_cycle_and_is_not_ok() -> None:
    report = check_plan(read_plan(POOR))
    assert not report.ok
    cycle = next(f for f in report.findings if f.code == "C-CYCLE")
    assert "A1 → A3 → A1" in cycle.message
    assert all(f.line is not None for f in report.findings)


def test_rules_file_changes_only_what_it_gives(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("max_priorities: 3\noverview: {words: 100}\n")
    rules = load_rules(path)
    assert rules.max_priorities == 3
    assert (rules.overview.words, rules.overview.lines) == (100, load_rules().overview.lines)
    assert rules.max_sentence_words == 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_priorites: 3\n", "max_priorites is not a rule"),
        ("overview: {pages: 1}\n", "overview.pages is not a rule"),
        ("max_priorities: many\n", "max_priorities input should be a valid integer"),
        ("- one\n", "a rules file is a YAML mapping"),
        ("max_priorities: [\n", "not readable as YAML"),
    ],
)
def test_bad_rules_file_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(1, 12)))
def test_renumbering_actions_keeps_the_findings(numbers: list[int]) -> None:
    text = POOR.read_text()
    renumbered = re.sub(r"\bA(\d+)\b", lambda m: f"B{numbers[int(m.group(1)) - 1]}", text)
    before = Counter(f.code for f in check_plan(read_plan(POOR)).findings)
    after = Counter(f.code for f in check_plan(parse_plan(renumbered, "poor.yaml")).findings)
    assert after == before
