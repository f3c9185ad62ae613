"""Reviewers' decisions on the worklist: who may record one, what is refused, and what follows.

The same two children as tests/worklist/test_entries.py: Jane Smith (rank 1) and Tom Jones
(rank 2). A decided child leaves the worklist, its counts and its exports; nothing is written
when a decision is refused.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acting import admin
from tests.worklist.test_entries import ANALYST, AS_OF, BOARD, REVIEWER, _people, audit_rows
from turnaround.access import Actor, add_user
from turnaround.errors import InputError, NotFound, PermissionDenied
from turnaround.risk.indicators import load_indicators, score_people
from turnaround.store import Store, open_store
from turnaround.worklist.build import build_worklist
from turnaround.worklist.decisions import DECISIONS, decision_counts, decisions, record_decision
from turnaround.worklist.entries import export_worklist, view_worklist, worklist_entries


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.duckdb")
    _people(opened)
    score_people(opened, load_indicators(), as_of=AS_OF, actor=admin(opened))
    build_worklist(opened, actor=admin(opened))
    add_user(opened, REVIEWER, "safeguarding_reviewer")
    add_user(opened, BOARD, "board_member")
    add_user(opened, ANALYST, "analyst")
    yield opened
    opened.close()


def _decision_rows(store: Store) -> int:
    row = store.fetchone("select count(*) from worklist_decisions")
    return int(row[0]) if row else 0


def _jane(store: Store) -> str:
    return worklist_entries(store)[0].person


def test_a_reviewer_records_a_decision_and_it_is_audited(store: Store) -> None:
    person = _jane(store)

    made = record_decision(store, Actor(REVIEWER, "web x"), person, "refer", "  DA High twice  ")

    assert (made.person, made.decision, made.reason, made.decided_by) == (
        person,
        "refer",
        "DA High twice",
        REVIEWER,
    )
    assert made.label == "Refer to the front door"
    assert decisions(store) == [made]
    assert decisions(store, person) == [made]
    assert decisions(store, "P-FFFFFFFFFF") == []
    assert audit_rows(store) == [
        (REVIEWER, "review-worklist", f"worklist person {person}", "refer: DA High twice", "web x")
    ]
    assert decision_counts(store) == {"refer": 1, "no further action": 0, "more information": 0}


def test_the_decided_child_leaves_the_worklist_and_the_export(
    store: Store,
    tmp_path: Path,
) -> None:
    person = _jane(store)
    record_decision(store, Actor.cli(REVIEWER), person, "no further action", "known to early help")

    shown = view_worklist(store, Actor.cli(REVIEWER))
    assert [(e.rank, e.forename) for e in shown] == [(2, "TOM")]
    assert person not in {e.person for e in shown}
    assert len(worklist_entries(store, top=None, include_decided=True)) == 2
    assert [e.person for e in worklist_entries(store, person=person, include_decided=True)] == [
        person
    ]
    assert worklist_entries(store, person=person) == []

    written = export_worklist(store, Actor.cli(REVIEWER), tmp_path / "out.csv")
    with written.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["forename"] for r in rows] == ["TOM"]
    assert person not in {r["person"] for r in rows}


def test_top_counts_only_the_children_still_waiting(store: Store) -> None:
    record_decision(store, Actor.cli(REVIEWER), _jane(store), "more information", "ask the school")

    assert [e.forename for e in worklist_entries(store, top=1)] == ["TOM"]


@pytest.mark.parametrize("who", [ANALYST, BOARD, None, "nobody"])
def test_only_a_reviewer_may_record_a_decision_and_a_refusal_writes_nothing(
    store: Store,
    who: str | None,
) -> None:
    with pytest.raises((PermissionDenied, NotFound)):
        record_decision(store, Actor.cli(who), _jane(store), "refer", "a reason")

    assert _decision_rows(store) == 0
    assert audit_rows(store) == []


@pytest.mark.parametrize("decision", ["", "close", "Refer", "refer it"])
def test_an_unknown_decision_is_refused(store: Store, decision: str) -> None:
    with pytest.raises(InputError, match="decision must be one of"):
        record_decision(store, Actor.cli(REVIEWER), _jane(store), decision, "a reason")

    assert _decision_rows(store) == 0
    assert audit_rows(store) == []


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_decision_needs_a_reason(store: Store, reason: str) -> None:
    with pytest.raises(InputError, match="reason"):
        record_decision(store, Actor.cli(REVIEWER), _jane(store), "refer", reason)

    assert _decision_rows(store) == 0
    assert audit_rows(store) == []


def test_a_person_not_on_the_worklist_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no person 'P-0000000000' on the worklist"):
        record_decision(store, Actor.cli(REVIEWER), "P-0000000000", "refer", "a reason")

    assert _decision_rows(store) == 0
    assert audit_rows(store) == []


def test_every_decision_the_table_allows_can_be_recorded(store: Store) -> None:
    person = _jane(store)
    for kind in DECISIONS:
        record_decision(store, Actor.cli(REVIEWER), person, kind, f"because {kind}")

    assert [d.decision for d in decisions(store, person)] == list(DECISIONS)
