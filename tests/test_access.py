"""The one permission check and the audit writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnaround.access import ACTIONS, ROLE_ACTIONS, ROLES, add_user, audit, may, require
from turnaround.errors import NotFound, PermissionDenied
from turnaround.store import open_store


def test_every_role_has_an_entry_and_only_known_actions() -> None:
    assert set(ROLE_ACTIONS) == set(ROLES)
    for actions in ROLE_ACTIONS.values():
        assert actions <= set(ACTIONS)


def test_only_the_right_roles_see_identifiable_data() -> None:
    allowed = {role for role in ROLES if may(role, "view-identifiable")}
    assert allowed == {"administrator", "analyst", "safeguarding_reviewer"}
    assert {r for r in ROLES if may(r, "export-worklist")} == {
        "administrator",
        "safeguarding_reviewer",
    }


def test_require_names_the_user_the_role_and_the_action(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    add_user(store, "bea", "board_member")
    add_user(store, "ana", "analyst")
    assert require(store, "ana", "view-identifiable").role == "analyst"
    with pytest.raises(PermissionDenied, match=r"bea \(board_member\) may not .*view-identifiable"):
        require(store, "bea", "view-identifiable")
    with pytest.raises(PermissionDenied, match="--user"):
        require(store, None, "view-identifiable")
    with pytest.raises(NotFound, match="users add"):
        require(store, "nobody", "view-aggregates")


def test_audit_appends_who_what_and_why(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    audit(store, "ana", "view-identifiable", "measure cla_per_10k 2014", reason="board query")
    audit(store, "ana", "view-identifiable", "measure cla_per_10k 2013")
    rows = store.fetchall(
        "select username, action, target, reason, origin from audit_log order by audit_id"
    )
    assert rows == [
        ("ana", "view-identifiable", "measure cla_per_10k 2014", "board query", "cli"),
        ("ana", "view-identifiable", "measure cla_per_10k 2013", None, "cli"),
    ]


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValueError, match="unknown role"):
        add_user(store, "x", "superuser")
