"""The one permission check and the audit writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnaround.access import (
    ACTIONS,
    MIN_PASSWORD,
    ROLE_ACTIONS,
    ROLES,
    Actor,
    User,
    add_user,
    audit,
    check_password,
    check_password_policy,
    create_user,
    list_users,
    may,
    require,
    require_team,
    set_role,
)
from turnaround.errors import ConfigError, InputError, NotFound, PermissionDenied
from turnaround.store import Store, open_store


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
    with pytest.raises(ConfigError, match="unknown role"):
        add_user(store, "x", "superuser")
    with pytest.raises(NotFound, match="unknown action"):
        may("analyst", "drop-tables")


def _audit(store: Store) -> list[tuple[str | None, str, str, str | None, str]]:
    rows = store.fetchall(
        "select username, action, target, reason, origin from audit_log order by audit_id"
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_the_password_policy_refuses_short_and_blank_passwords() -> None:
    check_password_policy("x" * MIN_PASSWORD)
    with pytest.raises(InputError, match=f"at least {MIN_PASSWORD} characters"):
        check_password_policy("x" * (MIN_PASSWORD - 1))
    with pytest.raises(InputError, match="only spaces"):
        check_password_policy(" " * (MIN_PASSWORD + 2))


def test_a_team_manager_sees_only_their_own_team() -> None:
    require_team(User("tam", "team_manager", "T07"), "T07")
    require_team(User("ana", "analyst"), "T07")  # other roles with view-team see any team
    with pytest.raises(PermissionDenied, match="tam manages another team, not T08"):
        require_team(User("tam", "team_manager", "T07"), "T08")
    with pytest.raises(PermissionDenied):
        require_team(User("tom", "team_manager", None), "T07")


def test_the_first_user_of_a_fresh_store_must_be_an_administrator(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(PermissionDenied, match="first user must be an administrator"):
        create_user(store, Actor.cli(None), "ana", "analyst", "a long password")
    assert _audit(store) == []
    first = create_user(store, Actor.cli(None), "root", "administrator", "a long password")
    assert first == User("root", "administrator")
    assert check_password(store, "root", "a long password") == first
    assert _audit(store) == [
        (
            "root",
            "manage-users",
            "user root as administrator",
            "first administrator of a fresh workspace",
            "cli",
        )
    ]
    # Once there is a user, adding another needs manage-users.
    with pytest.raises(PermissionDenied, match="needs a named user"):
        create_user(store, Actor.cli(None), "eve", "administrator", "a long password")
    assert len(_audit(store)) == 1


def test_managing_users_needs_an_administrator_and_is_audited(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    add_user(store, "root", "administrator")
    add_user(store, "ana", "analyst")
    for act in (
        lambda: create_user(store, Actor.cli("ana"), "eve", "administrator", "a long password"),
        lambda: set_role(store, Actor.cli("ana"), "ana", "administrator"),
        lambda: list_users(store, Actor.cli("ana")),
    ):
        with pytest.raises(PermissionDenied, match=r"ana \(analyst\) may not .*manage-users"):
            act()
    assert _audit(store) == []

    admin = Actor.web("root", "10.1.2.3")
    with pytest.raises(InputError, match="at least"):
        create_user(store, admin, "tam", "team_manager", "short")
    tam = create_user(store, admin, "tam", "team_manager", "a long password", team="T07")
    assert tam == User("tam", "team_manager", "T07")
    moved = set_role(store, admin, "tam", "team_manager", team="T08")
    assert moved.team == "T08" and check_password(store, "tam", "a long password") == moved
    with pytest.raises(NotFound, match="no user 'zed'"):
        set_role(store, admin, "zed", "viewer")
    with pytest.raises(PermissionDenied, match="last administrator"):
        set_role(store, Actor.cli("root"), "root", "viewer")
    listed = list_users(store, admin)
    assert [(u.username, u.role, u.team) for u in listed] == [
        ("ana", "analyst", None),
        ("root", "administrator", None),
        ("tam", "team_manager", "T08"),
    ]
    assert _audit(store) == [
        ("root", "manage-users", "user tam as team_manager of team T07", None, "web 10.1.2.3"),
        ("root", "manage-users", "user tam as team_manager of team T08", None, "web 10.1.2.3"),
    ]
