"""The plan's history in the store: each check-in with its diff, and each progress report.

A check-in stores the whole YAML text, who checked it in and when, and a unified diff against
the version before, so "who changed what, and when" is one query. Checking in the same text
again makes no version. Each progress report is kept as JSON, so the next one can say what
changed since: ratings that moved, values that changed, actions newly done or newly overdue.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from turnaround.access import Actor, use_case
from turnaround.errors import NotFound, ValidationFailed
from turnaround.plan.check import check_plan
from turnaround.plan.model import PlanFile, parse_plan
from turnaround.plan.progress import Progress
from turnaround.store import Store


@dataclass(frozen=True)
class Version:
    """One checked-in version of the plan."""

    version: int
    title: str
    checked_in_at: datetime
    checked_in_by: str
    sha256: str
    text: str
    diff: str
    note: str | None
    new: bool = True  # False when a check-in found the text unchanged and made no version

    @property
    def message(self) -> str:
        """What a check-in did, in one line."""
        if self.new:
            return f"checked in plan version {self.version}"
        return f"the plan is unchanged since version {self.version}; no new version was made"

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON (the text is left out; ask for it by version)."""
        out = asdict(self)
        out.pop("text")
        out["checked_in_at"] = self.checked_in_at.isoformat()
        return out


@dataclass(frozen=True)
class Change:
    """One thing that moved between two progress reports."""

    kind: str  # 'rating', 'value', 'done' or 'overdue'
    subject: str  # e.g. 'measure rereferrals_12m (P1.1)', 'priority P2', 'action A4'
    was: str | None
    now: str | None
    text: str  # the change in one plain sentence

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class SavedReport:
    """A progress report kept in the store, with what changed since the one before."""

    report_id: int
    plan_version: int | None
    changes: tuple[Change, ...]
    previous_id: int | None


_VERSION_COLUMNS = "version, title, checked_in_at, checked_in_by, sha256, text, diff, note"


def _version(row: tuple[Any, ...]) -> Version:
    return Version(
        int(row[0]), str(row[1]), row[2], str(row[3]), str(row[4]), str(row[5]), str(row[6]), row[7]
    )


def sha256(text: str) -> str:
    """The hex SHA-256 of a plan's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff between two texts, as ``diff -u`` would print it."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
        )
    )


def versions(store: Store) -> list[Version]:
    """Every checked-in version, oldest first."""
    if not store.table_exists("plan_versions"):
        return []
    rows = store.fetchall(f"select {_VERSION_COLUMNS} from plan_versions order by version")
    return [_version(row) for row in rows]


def get_version(store: Store, version: int) -> Version:
    """One checked-in version, or NotFound naming the versions there are."""
    row = store.fetchone(
        f"select {_VERSION_COLUMNS} from plan_versions where version = ?", [version]
    )
    if row is None:
        have = [v.version for v in versions(store)]
        known = f"versions 1 to {have[-1]}" if have else "no versions yet"
        raise NotFound(f"no plan version {version}: the store holds {known}")
    return _version(row)


def _latest_version(store: Store) -> Version | None:
    row = store.fetchone(
        f"select {_VERSION_COLUMNS} from plan_versions order by version desc limit 1"
    )
    return _version(row) if row is not None else None


def latest(store: Store) -> PlanFile | None:
    """The newest checked-in plan, read back from its text; None before the first check-in."""
    found = _latest_version(store)
    if found is None:
        return None
    return parse_plan(found.text, f"plan version {found.version}")


def check_in(
    store: Store, actor: Actor, plan_file: PlanFile, *, note: str | None = None
) -> Version:
    """Keep a new version of the plan, with its diff; the same text again makes no version.

    Only a plan with no errors is checked in: a plan that fails its checks is refused with
    ``ValidationFailed`` naming every error (its ``failures`` hold every finding in file order,
    warnings too), and nothing is written.
    """
    with use_case(
        store, actor, "edit-plan", "plan", reason=note, step="checking in the plan"
    ) as acting:
        # Read the text again so what is stored is exactly what passed the schema.
        checked = parse_plan(plan_file.text, plan_file.source)
        report = check_plan(checked)
        if not report.ok:
            listed = "; ".join(str(f) for f in report.errors)
            raise ValidationFailed(
                f"has {len(report.errors)} errors; fix them before checking it in: {listed}",
                failures=list(report.findings),
                path=plan_file.source,
            )
        digest = sha256(checked.text)
        previous = _latest_version(store)
        if previous is not None and previous.sha256 == digest:
            acting.target = f"plan version {previous.version} (unchanged)"
            return replace(previous, new=False)
        number = previous.version + 1 if previous else 1
        old_text = previous.text if previous else ""
        old_name = f"plan version {previous.version}" if previous else "no plan"
        diff = unified_diff(old_text, checked.text, old_name, f"plan version {number}")
        store.execute(
            "insert into plan_versions (version, title, checked_in_by, sha256, text, diff, note)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [number, checked.plan.title, acting.user.username, digest, checked.text, diff, note],
            step=f"checking in plan version {number}",
        )
        acting.target = f"plan version {number}"
    return get_version(store, number)


def diff(store: Store, a: int, b: int) -> str:
    """A unified diff from plan version ``a`` to version ``b``."""
    old, new = get_version(store, a), get_version(store, b)
    return unified_diff(old.text, new.text, f"plan version {a}", f"plan version {b}")


def _latest_report(store: Store) -> tuple[int, dict[str, Any]] | None:
    row = store.fetchone(
        "select report_id, report from plan_progress_reports order by report_id desc limit 1"
    )
    if row is None:
        return None
    return int(row[0]), json.loads(row[1])["progress"]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".removesuffix(".0")
    return str(value)


def changes(previous: Mapping[str, Any], progress: Progress) -> list[Change]:
    """What moved between a saved report (its ``to_dict``) and this progress."""
    found: list[Change] = []
    was_priorities = {p["priority_id"]: p for p in previous.get("priorities", [])}
    for p in progress.priorities:
        old = was_priorities.get(p.priority_id)
        if old is not None and old["rating"] != p.rating:
            found.append(
                Change(
                    "rating",
                    f"priority {p.priority_id}",
                    old["rating"],
                    p.rating,
                    f"Priority {p.priority_id} moved from {old['rating']} to {p.rating}.",
                )
            )
    was_outcomes = {o["outcome_id"]: o for o in previous.get("outcomes", [])}
    for o in progress.outcomes:
        was = was_outcomes.get(o.outcome_id)
        if was is not None and was["rating"] != o.rating:
            found.append(
                Change(
                    "rating",
                    f"outcome {o.outcome_id}",
                    was["rating"],
                    o.rating,
                    f"Outcome {o.outcome_id} moved from {was['rating']} to {o.rating}.",
                )
            )
    was_measures = {(m["outcome_id"], m["measure_id"]): m for m in previous.get("measures", [])}
    for m in progress.measures:
        old_m = was_measures.get((m.outcome_id, m.measure_id))
        if old_m is None:
            continue
        subject = f"measure {m.measure_id} ({m.outcome_id})"
        if old_m["rating"] != m.rating:
            found.append(
                Change(
                    "rating",
                    subject,
                    old_m["rating"],
                    m.rating,
                    f"{m.title} moved from {old_m['rating']} to {m.rating}.",
                )
            )
        if old_m["current"] != m.current or old_m["current_year"] != m.current_year:
            was_text = (
                f"{_fmt(old_m['current'])} ({old_m['current_year']})"
                if old_m["current"] is not None
                else "no value"
            )
            now_text = (
                f"{_fmt(m.current)} ({m.current_year})" if m.current is not None else "no value"
            )
            found.append(
                Change(
                    "value",
                    subject,
                    was_text,
                    now_text,
                    f"{m.title} was {was_text} and is now {now_text}.",
                )
            )
    was_actions = {a["action_id"]: a for a in previous.get("actions", [])}
    for a in progress.actions:
        old_a = was_actions.get(a.action_id)
        if old_a is None:
            continue
        if a.status == "done" and old_a["status"] != "done":
            found.append(
                Change("done", f"action {a.action_id}", old_a["status"], a.status, f"Done: {a.do}")
            )
        if a.overdue and not old_a["overdue"]:
            due = f"{a.due.day} {a.due:%B %Y}" if a.due else "its due date"
            found.append(
                Change(
                    "overdue",
                    f"action {a.action_id}",
                    "on time",
                    "overdue",
                    f"Now overdue (due {due}): {a.do}",
                )
            )
    return found


def changes_since_last(store: Store, progress: Progress) -> list[Change]:
    """What moved since the last progress report kept in the store (nothing if none is)."""
    last = _latest_report(store)
    return changes(last[1], progress) if last is not None else []


def save_progress(
    store: Store, actor: Actor, progress: Progress, version: int | None
) -> SavedReport:
    """Keep a progress report in the store, with what changed since the one before it."""
    with use_case(
        store, actor, "view-plan", "plan progress report", step="saving a plan progress report"
    ) as acting:
        last = _latest_report(store)
        moved = changes(last[1], progress) if last is not None else []
        report = {"progress": progress.to_dict(), "changes": [c.to_dict() for c in moved]}
        report_id = int(
            store.scalar(
                "insert into plan_progress_reports (plan_version, as_at, made_by, report)"
                " values (?, ?, ?, ?) returning report_id",
                [version, progress.as_at, acting.user.username, json.dumps(report)],
            )
            or 0
        )
        acting.target = (
            f"plan progress report {report_id} (plan version {version}, as at {progress.as_at})"
        )
    return SavedReport(report_id, version, tuple(moved), last[0] if last else None)


def progress_reports(store: Store) -> list[dict[str, Any]]:
    """Every kept progress report's heading (id, version, as_at, made_at, made_by), oldest first."""
    rows = store.fetchall(
        "select report_id, plan_version, as_at, made_at, made_by from plan_progress_reports"
        " order by report_id"
    )
    keys = ("report_id", "plan_version", "as_at", "made_at", "made_by")
    return [dict(zip(keys, row, strict=True)) for row in rows]
