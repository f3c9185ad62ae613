"""Each CIN census rule fires on a tiny return that breaks it and stays quiet on one that doesn't."""
# ruff: noqa: E501  (the cases read best as one table row each)

from __future__ import annotations

from typing import Any

import pytest

from tests.returns.test_cin_pre_proceedings import CODES as PRE_PROCEEDINGS_CODES
from turnaround.returns.rules import RULES, run_rules
from turnaround.returns.rules.frames import canonical_return

YEAR = 2023  # 1 April 2022 to 31 March 2023

Rows = dict[str, list[dict[str, Any]]]


def child(child_id: str = "1", **values: Any) -> dict[str, Any]:
    return {"child_id": child_id, "upn": "Q938200012345", "dob": "2015-01-01", "sex": "M", **values}


def episode(
    referral: str = "2022-05-01",
    closure: str | None = None,
    n: int = 1,
    child_id: str = "1",
    **values: Any,
) -> dict[str, Any]:
    return {
        "child_id": child_id,
        "episode": n,
        "referral_date": referral,
        "closure_date": closure,
        "closure_reason": "RC1" if closure else None,
        "referral_nfa": False,
        **values,
    }


def case(*episodes: dict[str, Any], **tables: list[dict[str, Any]]) -> Rows:
    return {"children": [child()], "episodes": list(episodes) or [episode()], **tables}


def item(**values: Any) -> dict[str, Any]:
    return {"child_id": "1", "episode": 1, **values}


CLOSED = episode("2022-05-01", "2022-09-01")
CASES: list[tuple[str, Rows, Rows]] = [
    ("1510", {"children": [child(upn="A938200012345")], "episodes": [episode()]}, case()),
    (
        "1520",
        {"children": [child(), child("2")], "episodes": [episode(), episode(child_id="2")]},
        {
            "children": [child(), child("2", upn="V93820001234A")],
            "episodes": [episode(), episode(child_id="2")],
        },
    ),
    ("8520", {"children": [child(dob="2023-06-01")], "episodes": [episode()]}, case()),
    (
        "8535Q",
        {"children": [child(death_date="2014-01-01")], "episodes": [episode()]},
        {"children": [child(death_date="2022-01-01")], "episodes": [episode()]},
    ),
    ("8590", {"children": [child(), child("2")], "episodes": [episode()]}, case()),
    (
        "8606",
        {"children": [child(dob="2023-06-01")], "episodes": [episode("2022-05-01")]},
        {"children": [child(dob="2023-01-01")], "episodes": [episode("2022-05-01")]},
    ),
    ("8630", case(episode("2022-05-01", "2022-04-20")), case(CLOSED)),
    ("8805", case(episode("2022-05-01", "2022-09-01", closure_reason=None)), case(CLOSED)),
    ("8810", case(episode("2022-05-01", closure_reason="RC1")), case(CLOSED)),
    (
        "8815",
        case(episode("2022-05-01"), episode("2022-07-01", n=2)),
        case(episode("2022-05-01", referral_nfa=True), episode("2022-07-01", n=2)),
    ),
    (
        "8816",
        case(episode("2022-05-01"), episode("2022-07-01", "2022-08-01", n=2)),
        case(CLOSED, episode("2022-10-01", n=2)),
    ),
    (
        "8820",
        case(episode("2022-05-01", "2022-09-01"), episode("2022-08-01", "2022-10-01", n=2)),
        case(episode("2022-05-01", "2022-09-01"), episode("2022-09-01", "2022-10-01", n=2)),
    ),
    (  # an open episode runs to the end of the census year, not for ever
        "8820",
        case(episode("2022-05-01"), episode("2023-03-01", n=2)),
        case(episode("2022-05-01"), episode("2023-04-01", n=2)),
    ),
    (
        "2990",
        case(
            episode("2022-05-01", "2022-09-01", closure_reason="RC8"),
            s47=[item(start_date="2022-06-01")],
        ),
        case(
            episode("2022-05-01", "2022-09-01", closure_reason="RC8"),
            assessments=[item(assessment=1, start_date="2022-05-02", authorised_date="2022-06-01")],
        ),
    ),
    (
        "4000",
        case(episode(referral_nfa=True), cin_plans=[item(plan=1, start_date="2022-06-01")]),
        case(cin_plans=[item(plan=1, start_date="2022-06-01")]),
    ),
    (
        "8831",
        case(episode(referral_nfa=True), assessments=[item(assessment=1, start_date="2022-05-02")]),
        case(assessments=[item(assessment=1, start_date="2022-05-02")]),
    ),
    (
        "8832",
        case(episode(referral_nfa=True), cp_plans=[item(cp_plan=1, start_date="2022-06-01")]),
        case(cp_plans=[item(cp_plan=1, start_date="2022-06-01")]),
    ),
    (
        "1103",
        case(assessments=[item(assessment=1, start_date="2022-04-20")]),
        case(assessments=[item(assessment=1, start_date="2022-05-01")]),
    ),
    (
        "1104",
        case(s47=[item(s47=1, start_date="2022-05-02", icpc_date="2022-04-20")]),
        case(s47=[item(s47=1, start_date="2022-05-02", icpc_date="2022-05-20")]),
    ),
    (
        "1105",
        case(cp_plans=[item(cp_plan=1, start_date="2022-04-20")]),
        case(cp_plans=[item(cp_plan=1, start_date="2022-05-20")]),
    ),
    (
        "2889",
        case(s47=[item(s47=1, start_date="2022-04-20")]),
        case(s47=[item(s47=1, start_date="2022-05-20")]),
    ),
    (
        "4015",
        case(cin_plans=[item(plan=1, start_date="2022-04-20")]),
        case(cin_plans=[item(plan=1, start_date="2022-05-20")]),
    ),
    (
        "8608",
        case(
            assessments=[item(assessment=1, start_date="2022-06-01", authorised_date="2022-05-20")]
        ),
        case(
            assessments=[item(assessment=1, start_date="2022-05-20", authorised_date="2022-06-01")]
        ),
    ),
    (
        "8896",
        case(
            assessments=[
                item(assessment=1, start_date="2022-05-20"),
                item(assessment=2, start_date="2022-06-20"),
            ]
        ),
        case(
            assessments=[
                item(assessment=1, start_date="2022-05-20", authorised_date="2022-06-01"),
                item(assessment=2, start_date="2022-06-20"),
            ]
        ),
    ),
    (
        "8867",
        case(CLOSED, assessments=[item(assessment=1, start_date="2022-05-20")]),
        case(
            CLOSED,
            assessments=[item(assessment=1, start_date="2022-05-20", authorised_date="2022-06-01")],
        ),
    ),
    (
        "8868",
        case(CLOSED, s47=[item(s47=1, start_date="2022-05-20")]),
        case(CLOSED, s47=[item(s47=1, start_date="2022-05-20", icpc_not_required=True)]),
    ),
    (
        "8875",
        case(s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-04")]),  # a Saturday
        case(s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-06")]),
    ),
    (  # the rule belongs to the Section 47 module: the CIN episode's own ICPC date is not checked
        "8875",
        case(s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-05")]),  # a Sunday
        case(episode(icpc_date="2022-06-04")),
    ),
    (  # an enquiry without a conference date is ongoing unless no conference was needed
        "8890",
        case(
            s47=[
                item(s47=1, start_date="2022-05-20"),
                item(s47=2, start_date="2022-06-15"),
            ]
        ),
        case(
            s47=[
                item(s47=1, start_date="2022-05-20", icpc_not_required=True),
                item(s47=2, start_date="2022-06-15"),
            ]
        ),
    ),
    (
        "8890",
        case(
            s47=[
                item(s47=1, start_date="2022-05-20", icpc_date="2022-06-10"),
                item(s47=2, start_date="2022-06-01"),
            ]
        ),
        case(
            s47=[
                item(s47=1, start_date="2022-05-20", icpc_date="2022-06-10"),
                item(s47=2, start_date="2022-06-15"),
            ]
        ),
    ),
    (
        "2885",
        case(
            s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-06")],
            cp_plans=[item(cp_plan=1, start_date="2022-06-08")],
        ),
        case(
            s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-06")],
            cp_plans=[item(cp_plan=1, start_date="2022-06-06")],
        ),
    ),
    (  # with no Section 47 in the episode, the plan must start on the episode's own ICPC
        "2885",
        case(episode(icpc_date="2022-06-06"), cp_plans=[item(cp_plan=1, start_date="2022-06-08")]),
        case(episode(icpc_date="2022-06-06"), cp_plans=[item(cp_plan=1, start_date="2022-06-06")]),
    ),
    (  # with a Section 47 that needed a conference, only its ICPC date counts
        "2885",
        case(
            episode(icpc_date="2022-06-08"),
            s47=[item(s47=1, start_date="2022-05-20", icpc_date="2022-06-06")],
            cp_plans=[item(cp_plan=1, start_date="2022-06-08")],
        ),
        case(
            episode(icpc_date="2022-06-08"),
            s47=[item(s47=1, start_date="2022-05-20", icpc_not_required=True)],
            cp_plans=[item(cp_plan=1, start_date="2022-06-08")],
        ),
    ),
    (
        "4001",
        case(
            cin_plans=[item(plan=1, start_date="2022-05-20")],
            cp_plans=[item(cp_plan=1, start_date="2022-06-06")],
        ),
        case(
            cin_plans=[item(plan=1, start_date="2022-05-20", end_date="2022-06-06")],
            cp_plans=[item(cp_plan=1, start_date="2022-06-06")],
        ),
    ),
    (
        "4011",
        case(cin_plans=[item(plan=1, start_date="2022-06-20", end_date="2022-06-06")]),
        case(cin_plans=[item(plan=1, start_date="2022-05-20", end_date="2022-06-06")]),
    ),
    (
        "4014",
        case(
            cin_plans=[
                item(plan=1, start_date="2022-05-20", end_date="2022-07-01"),
                item(plan=2, start_date="2022-06-01"),
            ]
        ),
        case(
            cin_plans=[
                item(plan=1, start_date="2022-05-20", end_date="2022-06-01"),
                item(plan=2, start_date="2022-06-02"),
            ]
        ),
    ),
    (  # a plan starting on the day the last one ended overlaps it, as for 8940
        "4014",
        case(
            cin_plans=[
                item(plan=1, start_date="2022-05-20", end_date="2022-06-01"),
                item(plan=2, start_date="2022-06-01"),
            ]
        ),
        case(
            cin_plans=[
                item(plan=1, start_date="2022-05-20"),
                item(plan=2, start_date="2023-04-01"),  # an open plan runs to 31 March
            ]
        ),
    ),
    (
        "8840",
        case(cp_plans=[item(cp_plan=1, start_date="2022-06-06", end_date="2022-06-06")]),
        case(cp_plans=[item(cp_plan=1, start_date="2022-06-06", end_date="2022-09-06")]),
    ),
    (
        "8841",
        case(
            cp_plans=[item(cp_plan=1, start_date="2022-06-06")],
            cp_reviews=[item(cp_plan=1, review_date="2022-06-06")],
        ),
        case(
            cp_plans=[item(cp_plan=1, start_date="2022-06-06")],
            cp_reviews=[item(cp_plan=1, review_date="2022-08-06")],
        ),
    ),
    (
        "8915",
        {
            "children": [child(death_date="2022-06-01")],
            "episodes": [episode()],
            "cp_plans": [item(cp_plan=1, start_date="2022-06-06")],
        },
        {
            "children": [child(death_date="2022-07-01")],
            "episodes": [episode()],
            "cp_plans": [item(cp_plan=1, start_date="2022-06-06")],
        },
    ),
    (
        "8925",
        case(cp_plans=[item(cp_plan=1, start_date="2022-06-06", end_date="2022-06-01")]),
        case(cp_plans=[item(cp_plan=1, start_date="2022-06-06", end_date="2022-07-01")]),
    ),
    (
        "8935",
        case(
            cp_plans=[
                item(cp_plan=1, start_date="2022-06-06"),
                item(cp_plan=2, start_date="2022-08-06"),
            ]
        ),
        case(
            cp_plans=[
                item(cp_plan=1, start_date="2022-06-06", end_date="2022-07-06"),
                item(cp_plan=2, start_date="2022-08-06"),
            ]
        ),
    ),
    (
        "8940",
        case(
            cp_plans=[
                item(cp_plan=1, start_date="2022-06-06", end_date="2022-08-06"),
                item(cp_plan=2, start_date="2022-08-06"),
            ]
        ),
        case(
            cp_plans=[
                item(cp_plan=1, start_date="2022-06-06", end_date="2022-08-05"),
                item(cp_plan=2, start_date="2022-08-06"),
            ]
        ),
    ),
]


def fired(rows: Rows, code: str) -> bool:
    failures = run_rules(canonical_return("cin", YEAR, rows), only=[code])
    return any(f.rule == code for f in failures)


@pytest.mark.parametrize(("code", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_rule(code: str, bad: Rows, good: Rows) -> None:
    assert fired(bad, code)
    assert not fired(good, code)


def test_every_rule_has_a_test() -> None:
    # The pre-proceedings rules (2026-27) are tested on census files of their own.
    tested = {c[0] for c in CASES} | PRE_PROCEEDINGS_CODES
    assert {code for kind, code in RULES if kind == "cin"} == tested


def test_every_failure_is_reported_with_file_row_and_child() -> None:
    rows = {
        "children": [child("1"), child("2"), child("3")],
        "episodes": [
            episode("2022-05-01", "2022-04-01", child_id="1", _file="cin.xml", _row=10),
            episode("2022-05-01", "2022-06-01", child_id="2", _file="cin.xml", _row=30),
            episode("2022-05-01", "2022-04-02", child_id="3", _file="cin.xml", _row=50),
        ],
    }
    failures = [f for f in run_rules(canonical_return("cin", YEAR, rows)) if f.rule == "8630"]
    assert [(f.file, f.row, f.child_id, f.table, f.field) for f in failures] == [
        ("cin.xml", 10, "1", "episodes", "CINreferralDate"),
        ("cin.xml", 50, "3", "episodes", "CINreferralDate"),
    ]
