"""Reviewers' decisions on children on the unknown-children worklist.

A safeguarding reviewer looks at a child on the worklist and records what happens next: refer
them to the front door, no further action, or that more information is needed, always with a
reason. The decision is kept (never changed or deleted) and the child leaves the worklist; the
decision and its audit record land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from turnaround.access import Actor, use_case
from turnaround.errors import InputError, NotFound
from turnaround.store import Store
from turnaround.worklist.entries import person_reference

DECISIONS: dict[str, str] = {
    "refer": "Refer to the front door",
    "no further action": "No further action",
    "more information": "Needs more information",
}
"""Each decision a reviewer may record, with how the web form words it."""

MAX_REASON = 2000


@dataclass(frozen=True)
class Decision:
    """One recorded decision on a person on the worklist."""

    decision_id: int
    person: str
    decision: str
    reason: str
    decided_by: str
    decided_at: datetime

    @property
    def label(self) -> str:
        """The decision as the form words it."""
        return DECISIONS.get(self.decision, self.decision)


def _on_worklist(store: Store, person: str) -> bool:
    rows = store.fetchall("select cluster_id from unknown_worklist")
    return any(person_reference(str(r[0])) == person for r in rows)


def record_decision(
    store: Store,
    actor: Actor,
    person: str,
    decision: str,
    reason: str,
) -> Decision:
    """Record a reviewer's decision on a person on the worklist (``review-worklist``); audited.

    The decision and its audit record are one transaction; a refusal writes nothing.
    """
    person = (person or "").strip()
    with use_case(
        store,
        actor,
        "review-worklist",
        f"worklist person {person}",
        step=f"recording a decision on worklist person {person}",
    ) as acting:
        choice = (decision or "").strip()
        if choice not in DECISIONS:
            raise InputError(
                f"the decision must be one of {', '.join(repr(d) for d in DECISIONS)}",
                field="decision",
            )
        why = (reason or "").strip()
        if not why:
            raise InputError("give a reason for the decision", field="reason")
        if len(why) > MAX_REASON:
            raise InputError(f"keep the reason under {MAX_REASON} characters", field="reason")
        if not _on_worklist(store, person):
            raise NotFound(f"no person {person!r} on the worklist")
        username = acting.user.username
        row = store.fetchone(
            "insert into worklist_decisions (person, decision, reason, decided_by)"
            " values (?, ?, ?, ?) returning decision_id, decided_at",
            [person, choice, why, username],
        )
        acting.reason = f"{choice}: {why}"
    assert row is not None
    return Decision(int(row[0]), person, choice, why, username, row[1])


def decisions(store: Store, person: str | None = None) -> list[Decision]:
    """Every recorded decision (or one person's), oldest first."""
    sql = (
        "select decision_id, person, decision, reason, decided_by, decided_at"
        " from worklist_decisions"
    )
    params: list[object] = []
    if person is not None:
        sql += " where person = ?"
        params.append(person)
    rows = store.fetchall(sql + " order by decided_at, decision_id", params)
    return [Decision(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5]) for r in rows]


def decision_counts(store: Store) -> dict[str, int]:
    """How many decisions of each kind have been recorded (counts only, no child detail)."""
    found = dict(
        store.fetchall("select decision, count(*) from worklist_decisions group by decision")
    )
    return {kind: int(found.get(kind, 0)) for kind in DECISIONS}
