"""The plan schema: every problem reported, each with its line and a readable place."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnaround.errors import NotFound, ValidationFailed
from turnaround.plan.model import SchemaProblem, parse_plan, read_plan

HEAD = """\
title: A plan
vision: We help children early.
start: 2013-04-01
end: 2017-03-31
"""


def failures(text: str) -> list[SchemaProblem]:
    with pytest.raises(ValidationFailed) as caught:
        parse_plan(text, "plan.yaml")
    return caught.value.failures


def test_a_small_plan_reads_with_lines() -> None:
    found = parse_plan(
        HEAD
        + """\
actions:
  - id: A1
    do: We act.
    due: 2014-01-31
""",
        "plan.yaml",
    )
    assert found.plan.actions[0].due is not None
    assert found.line("actions", 0, "due") == 8
    # A place the file does not have falls back to the part that holds it.
    assert found.line("actions", 0, "owner") == 6


def test_unknown_key_names_the_action_the_key_and_its_line() -> None:
    problems = failures(HEAD + "actions:\n  - id: A1\n    do: We act.\n    colour: red\n")
    assert [(p.line, p.where) for p in problems] == [(8, "action A1, colour")]
    assert "check its spelling" in problems[0].message


def test_bad_date_is_reported_on_its_line() -> None:
    problems = failures(HEAD + "actions:\n  - id: A1\n    do: We act.\n    due: 2014-02-30\n")
    assert [(p.line, p.where) for p in problems] == [(8, "action A1, due")]
    assert "date" in problems[0].message


def test_unknown_measure_id_says_where_to_find_the_ids() -> None:
    text = HEAD + (
        "priorities:\n"
        "  - id: P1\n"
        "    title: Find the children.\n"
        "    outcomes:\n"
        "      - id: P1.1\n"
        "        statement: We act.\n"
        "        measures:\n"
        "          - id: happiness_index\n"
    )
    problems = failures(text)
    assert [(p.line, p.where) for p in problems] == [
        (12, "priority P1, outcome P1.1, measure happiness_index, id")
    ]
    assert "'turnaround measures' lists the ids" in problems[0].message


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = HEAD + (
        "actions:\n"
        "  - id: A1\n"
        "    do: We act.\n"
        "    colour: red\n"
        "  - id: A2\n"
        "    do: We act.\n"
        "    status: finished\n"
    )
    problems = failures(text)
    assert [(p.line, p.where) for p in problems] == [
        (8, "action A1, colour"),
        (11, "action A2, status"),
    ]


def test_missing_required_key_names_it() -> None:
    problems = failures("title: A plan\nvision: We help.\nstart: 2013-04-01\n")
    assert [(p.where, p.message) for p in problems] == [("end", "Field required")]


def test_duplicate_yaml_key_gives_its_line() -> None:
    with pytest.raises(ValidationFailed, match="line 2: 'title' is given twice"):
        parse_plan("title: A\ntitle: B\n", "plan.yaml")


def test_a_list_is_not_a_plan() -> None:
    with pytest.raises(ValidationFailed, match="a plan is a YAML mapping"):
        parse_plan("- one\n- two\n", "plan.yaml")


def test_yaml_syntax_error_gives_a_line() -> None:
    with pytest.raises(ValidationFailed, match=r"plan.yaml: line \d+: not readable as YAML"):
        parse_plan("title: [unclosed\nvision: x\n", "plan.yaml")


def test_incomplete_action_still_loads_for_the_checker() -> None:
    found = parse_plan(HEAD + "actions:\n  - id: A1\n    do: We act.\n", "plan.yaml")
    action = found.plan.actions[0]
    assert (action.owner, action.due, action.serves) == (None, None, [])


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no plan file"):
        read_plan(tmp_path / "absent.yaml")
