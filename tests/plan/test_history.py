"""The plan's history in a real store: check-ins, diffs, permissions, audit and progress reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from turnaround.access import Actor, add_user
from turnaround.errors import NotFound, PermissionDenied, ValidationFailed
from turnaround.plan.check import check_plan
from turnaround.plan.history import (
    changes_since_last,
    check_in,
    diff,
    get_version,
    latest,
    progress_reports,
    save_progress,
    versions,
)
from turnaround.plan.model import PlanFile, parse_plan
from turnaround.plan.progress import assess
from turnaround.store import Store, open_store

PLAN = """\
title: Test plan
vision: Every child is safe.
start: 2013-04-01
end: 2017-03-31
priorities:
  - id: P1
    title: See children quickly.
    outcomes:
      - id: P1.1
        statement: Assessments are on time.
        measures:
          - {id: assessments_within_45_days, baseline_year: 2012, target: 90, by: 2016-03-31}
actions:
  - id: A1
    do: We will fix the rota.
    owner: {role: Head of the front door}
    due: 2015-01-31
    serves: [P1.1]
  - id: A2
    do: We will train the team.
    owner: {role: Team manager}
    due: 2015-06-30
    serves: [P1.1]
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store with an analyst (may edit the plan) and a board member (may not)."""
    found = open_store(tmp_path / "plan.duckdb")
    add_user(found, "ana", "analyst")
    add_user(found, "bo", "board_member")
    yield found
    found.close()


def audit_rows(store: Store) -> list[tuple[str, str, str, str | None]]:
    """The audit log's plan rows: who, what, target, reason."""
    return store.fetchall(
        "select username, action, target, reason from audit_log where action = 'edit-plan'"
        " order by audit_id"
    )


def test_check_in_keeps_versions_with_diffs(store: Store) -> None:
    first = check_in(store, Actor.cli("ana"), parse_plan(PLAN), note="first draft")
    assert (first.version, first.new, first.title, first.checked_in_by) == (
        1,
        True,
        "Test plan",
        "ana",
    )
    assert first.text == PLAN
    assert "+title: Test plan" in first.diff
    edited = PLAN.replace("We will train the team.", "We will train every team.")
    second = check_in(store, Actor.cli("ana"), parse_plan(edited))
    assert second.version == 2
    assert "-    do: We will train the team.\n+    do: We will train every team." in second.diff
    assert [v.version for v in versions(store)] == [1, 2]
    assert diff(store, 1, 2) == second.diff
    back = diff(store, 2, 1)
    assert "+    do: We will train the team." in back
    found = latest(store)
    assert found is not None and found.text == edited
    assert found.plan.actions[1].do == "We will train every team."
    assert audit_rows(store) == [
        ("ana", "edit-plan", "plan version 1", "first draft"),
        ("ana", "edit-plan", "plan version 2", None),
    ]


def test_unchanged_text_makes_no_version(store: Store) -> None:
    check_in(store, Actor.cli("ana"), parse_plan(PLAN))
    again = check_in(store, Actor.cli("ana"), parse_plan(PLAN))
    assert (again.version, again.new) == (1, False)
    assert "unchanged" in again.message
    assert len(versions(store)) == 1
    assert audit_rows(store) == [
        ("ana", "edit-plan", "plan version 1", None),
        ("ana", "edit-plan", "plan version 1 (unchanged)", None),
    ]


def test_a_role_without_edit_plan_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(PermissionDenied, match="edit-plan"):
        check_in(store, Actor.cli("bo"), parse_plan(PLAN))
    with pytest.raises(NotFound):
        check_in(store, Actor.cli("nobody"), parse_plan(PLAN))
    assert versions(store) == []
    assert audit_rows(store) == []
    assert latest(store) is None


def test_a_plan_that_fails_the_schema_is_refused(store: Store) -> None:
    good = parse_plan(PLAN)
    broken = PlanFile(good.plan, "plan.yaml", PLAN.replace("title: Test plan", "titel: x"))
    with pytest.raises(ValidationFailed):
        check_in(store, Actor.cli("ana"), broken)
    assert versions(store) == []


def test_a_plan_with_errors_is_refused_naming_them_and_nothing_is_written(store: Store) -> None:
    # An action with no owner is an error, whoever checks it in.
    bad = PLAN.replace("    owner: {role: Team manager}\n", "")
    assert bad != PLAN
    report = check_plan(parse_plan(bad))
    assert report.errors
    with pytest.raises(ValidationFailed, match="fix them before checking it in") as refused:
        check_in(store, Actor.cli("ana"), parse_plan(bad), note="broken")
    assert str(report.errors[0]) in str(refused.value)
    assert [f for f in refused.value.failures if f.severity == "error"] == report.errors
    assert versions(store) == []
    assert audit_rows(store) == []


def test_unknown_version_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no versions yet"):
        get_version(store, 3)


def test_progress_reports_are_kept_and_compared(store: Store) -> None:
    plan = check_in(store, Actor.cli("ana"), parse_plan(PLAN))
    first = assess(
        parse_plan(PLAN).plan,
        {"assessments_within_45_days": {2012: 80.0, 2014: 80.0}},
        date(2015, 1, 1),
    )
    assert changes_since_last(store, first) == []
    saved = save_progress(store, Actor.cli("bo"), first, plan.version)
    assert (saved.report_id, saved.previous_id, saved.changes) == (1, None, ())

    done = PLAN.replace("    due: 2015-01-31\n", "    due: 2015-01-31\n    status: done\n")
    second = assess(
        parse_plan(done).plan,
        {"assessments_within_45_days": {2012: 80.0, 2014: 80.0, 2015: 88.0}},
        date(2015, 8, 1),
    )
    moved = changes_since_last(store, second)
    kinds = {(c.kind, c.subject) for c in moved}
    assert ("rating", "measure assessments_within_45_days (P1.1)") in kinds
    assert ("rating", "outcome P1.1") in kinds and ("rating", "priority P1") in kinds
    assert ("value", "measure assessments_within_45_days (P1.1)") in kinds
    assert ("done", "action A1") in kinds
    assert ("overdue", "action A2") in kinds  # due 30 June, not done by 1 August
    rating = next(c for c in moved if c.subject.startswith("measure") and c.kind == "rating")
    assert (rating.was, rating.now) == ("off track", "on track")
    value = next(c for c in moved if c.kind == "value")
    assert (value.was, value.now) == ("80 (2014)", "88 (2015)")

    saved_again = save_progress(store, Actor.cli("bo"), second, plan.version)
    assert saved_again.previous_id == 1 and len(saved_again.changes) == len(moved)
    assert changes_since_last(store, second) == []
    rows = progress_reports(store)
    assert [(r["report_id"], r["plan_version"], r["as_at"]) for r in rows] == [
        (1, 1, date(2015, 1, 1)),
        (2, 1, date(2015, 8, 1)),
    ]
    kept = store.scalar("select report from plan_progress_reports where report_id = 2")
    report = json.loads(kept)
    assert report["progress"]["as_at"] == "2015-08-01"
    assert len(report["changes"]) == len(moved)


def test_saving_progress_needs_a_known_user(store: Store) -> None:
    progress = assess(parse_plan(PLAN).plan, {}, date(2015, 1, 1))
    with pytest.raises(NotFound):
        save_progress(store, Actor.cli("nobody"), progress, None)
    assert progress_reports(store) == []
