"""Who may do what, checked in one place, and the append-only audit log.

Actions are named; the role-to-action map below is the only place that grants them. Every
library function that changes state, or shows or exports identifiable data, runs inside
``use_case``: it checks the role with ``require``, does its work in one transaction and leaves
one ``audit`` record: who, when, what, why and from where. The CLI and the web app call those
functions and check nothing themselves. The other rules about people live here too: the password
policy, the team manager's one team, and managing users. Nothing identifiable is written to
logs; the audit records the target (a measure, a year, a file), never a child's details.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from turnaround.errors import ConfigError, InputError, NotFound, PermissionDenied
from turnaround.store import Store

Role = Literal[
    "administrator", "board_member", "analyst", "safeguarding_reviewer", "team_manager", "viewer"
]
ROLES: tuple[str, ...] = (
    "administrator", "board_member", "analyst", "safeguarding_reviewer", "team_manager", "viewer",
)  # fmt: skip

ACTIONS: dict[str, str] = {
    "view-aggregates": "see counts, rates and charts with no child-level detail",
    "view-plan": "see the improvement plan: the route map, team views, board report and history",
    "view-team": "see a team's caseloads, worker by worker",
    "view-identifiable": "see child-level records (ids, dates) behind a figure",
    "view-worklist": "see the names and records of the children on the unknown-children worklist",
    "export-worklist": "export the unknown-children worklist",
    "review-worklist": "record a decision on a child on the worklist",
    "load-data": "load returns and extracts into the store",
    "edit-plan": "check in a new version of the improvement plan",
    "manage-users": "add users and change roles",
    "view-audit": "read the audit log",
}

# Names on the worklist are for the safeguarding hub alone (and administrators): an analyst may
# drill into a measure's child ids, but not see who the unknown children are.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset(ACTIONS),
    "board_member": frozenset({"view-aggregates", "view-plan"}),
    "analyst": frozenset(
        {"view-aggregates", "view-plan", "view-team", "view-identifiable", "load-data", "edit-plan"}
    ),
    "safeguarding_reviewer": frozenset(
        {
            "view-aggregates",
            "view-plan",
            "view-identifiable",
            "view-worklist",
            "export-worklist",
            "review-worklist",
        }
    ),
    "team_manager": frozenset({"view-plan", "view-team"}),
    "viewer": frozenset({"view-aggregates", "view-plan"}),
}


@dataclass(frozen=True)
class User:
    """A person known to the store, with their role."""

    username: str
    role: str
    team: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where: the audit's "who" and "from where" for one use case.

    The CLI acts as ``Actor.cli(name)``; the web app as ``Actor.web(name, address)``, so a
    record always says where the action truly came from.
    """

    username: str | None
    origin: str = "cli"

    @classmethod
    def cli(cls, username: str | None) -> Actor:
        """The person running a command on this machine."""
        return cls(username, "cli")

    @classmethod
    def web(cls, username: str | None, address: str) -> Actor:
        """A signed-in user of the web app, from their address."""
        return cls(username, f"web {address}")


@dataclass
class Acting:
    """An action under way: the checked user, and the audit record it will leave.

    The block may sharpen ``target`` or ``reason`` once it knows more (how many rows, which
    version); the record is written when the block ends without error.
    """

    user: User
    action: str
    target: str
    reason: str | None = None


@contextmanager
def use_case(
    store: Store,
    actor: Actor,
    action: str,
    target: str,
    *,
    reason: str | None = None,
    step: str | None = None,
) -> Iterator[Acting]:
    """Check the actor may ``action``, run the block as one transaction, and audit it once.

    Refused, it raises ``PermissionDenied`` having written nothing. Otherwise the block's work
    and its one audit record land together, or (on any error) neither does.
    """
    user = require(store, actor.username, action)
    acting = Acting(user=user, action=action, target=target, reason=reason)
    with store.transaction(step or ACTIONS[action]):
        yield acting
        audit(
            store,
            user.username,
            action,
            acting.target,
            reason=acting.reason,
            origin=actor.origin,
        )


@contextmanager
def loading(
    store: Store,
    actor: Actor,
    target: str,
    *,
    reason: str | None = None,
    step: str | None = None,
) -> Iterator[Acting]:
    """``use_case`` for ``load-data`` that also records a refused file.

    A file that fails its checks (``InputError``) loads nothing, but the attempt is still one
    audit record, its reason starting "refused:", so the log shows who tried to load what.
    """
    try:
        with use_case(store, actor, "load-data", target, reason=reason, step=step) as acting:
            yield acting
    except InputError as exc:
        audit(
            store,
            actor.username,
            "load-data",
            target,
            reason=f"refused: {exc}",
            origin=actor.origin,
        )
        raise


def may(role: str, action: str) -> bool:
    """Whether ``role`` is granted ``action``."""
    if action not in ACTIONS:
        raise NotFound(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    return action in ROLE_ACTIONS.get(role, frozenset())


def find_user(store: Store, username: str | None) -> User:
    """The user with this name, or a clear error saying how to name one."""
    if not username:
        raise PermissionDenied("this needs a named user: pass --user NAME or set TURNAROUND_USER")
    user = find_web_user(store, username)
    if user is None:
        raise NotFound(
            f"no user {username!r}: an administrator adds one with 'turnaround users add'"
        )
    return user


def require(store: Store, username: str | None, action: str) -> User:
    """The acting user, if their role allows ``action``; PermissionDenied otherwise."""
    user = find_user(store, username)
    if not may(user.role, action):
        raise PermissionDenied(
            f"{user.username} ({user.role}) may not {ACTIONS[action]} ({action})"
        )
    return user


def audit(
    store: Store,
    username: str | None,
    action: str,
    target: str,
    *,
    reason: str | None = None,
    origin: str = "cli",
) -> None:
    """Append one record to the audit log (the log is never updated or deleted)."""
    store.execute(
        "insert into audit_log (username, action, target, reason, origin) values (?, ?, ?, ?, ?)",
        [username, action, target, reason, origin],
        step="writing the audit log",
    )


def add_user(
    store: Store,
    username: str,
    role: str,
    password_hash: str | None = None,
    *,
    team: str | None = None,
) -> User:
    """Write a user (or replace one's role, password and team), unchecked and unaudited.

    This is for a workspace's own setup code (the demo, test fixtures); a person adds users
    through ``create_user``, which checks and audits.
    """
    check_role(role)
    store.execute(
        "insert or replace into users (username, role, password_hash, team) values (?, ?, ?, ?)",
        [username, role, password_hash, team],
        step="writing a user",
    )
    return User(username, role, team)


_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``, fit to store."""
    return _HASHER.hash(password)


def new_password() -> str:
    """A random password to hand to a new user once."""
    return secrets.token_urlsafe(12)


def check_password(store: Store, username: str, password: str) -> User | None:
    """The user, if ``password`` is theirs; None for a wrong password or an unknown user."""
    row = store.fetchone(
        "select username, role, team, password_hash from users where username = ?",
        [username],
        step="checking a password",
    )
    if row is None or not row[3]:
        _HASHER.hash(password)  # spend the same time, so timing does not reveal who exists
        return None
    try:
        _HASHER.verify(str(row[3]), password)
    except (VerificationError, InvalidHashError):
        return None
    return User(str(row[0]), str(row[1]), None if row[2] is None else str(row[2]))


def find_web_user(store: Store, username: str) -> User | None:
    """The user with this name and their team, or None if there is none."""
    return next((user for user in _all_users(store) if user.username == username), None)


def _all_users(store: Store) -> list[User]:
    """Every user, in name order.

    Read whole and filtered here, with no bound parameter: DuckDB's Python client imports
    pandas at a query's first bound parameter (duckdb#18658), half a second that every CLI
    command checking its user would pay. A council has hundreds of users, not millions.
    """
    rows = store.fetchall(
        "select username, role, team from users order by username", step="reading the users"
    )
    return [User(str(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows]


def create_demo_users(store: Store) -> dict[str, str]:
    """One demo user per role with a random password; returns each name and password once."""
    first_team = None
    if store.table_exists("workforce_teams"):
        found = store.scalar("select team_id from workforce_teams order by team_id limit 1")
        first_team = None if found is None else str(found)
    passwords: dict[str, str] = {}
    for role in ROLES:
        username = f"demo_{role}"
        password = new_password()
        team = first_team if role == "team_manager" else None
        add_user(store, username, role, hash_password(password), team=team)
        passwords[username] = password
    return passwords


# --- the rules about people --------------------------------------------------------------------

MIN_PASSWORD = 10


def check_role(role: str) -> None:
    """Refuse a role that is not one of ``ROLES``."""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


def check_password_policy(password: str) -> None:
    """Refuse a password too weak to guard data about children (InputError saying why)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")
    if not password.strip():
        raise InputError("the password cannot be only spaces")


def require_team(user: User, team: str) -> None:
    """Refuse a team manager looking at a team other than their own.

    Other roles that may see a team (``view-team``) may see any team.
    """
    if user.role == "team_manager" and user.team != team:
        raise PermissionDenied(f"{user.username} manages another team, not {team}")


def _user_count(store: Store) -> int:
    return int(store.scalar("select count(*) from users", step="counting users") or 0)


def _describe(username: str, role: str, team: str | None) -> str:
    return f"user {username} as {role}" + (f" of team {team}" if team else "")


def create_user(
    store: Store,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    *,
    team: str | None = None,
) -> User:
    """Add a user with a role and a password (or replace one's), as an administrator.

    A fresh workspace has nobody to ask, so its first user may be added by anyone, but only as
    an administrator; that is audited like every other change.
    """
    check_role(role)
    check_password_policy(password)
    if not username.strip():
        raise InputError("a user needs a name")
    hashed = hash_password(password)
    with store.transaction("adding a user"):
        if _user_count(store) == 0:
            if role != "administrator":
                raise PermissionDenied(
                    "this workspace has no users yet: its first user must be an administrator"
                )
            user = add_user(store, username, role, hashed, team=team)
            audit(
                store,
                actor.username or username,
                "manage-users",
                _describe(username, role, team),
                reason="first administrator of a fresh workspace",
                origin=actor.origin,
            )
            return user
        with use_case(store, actor, "manage-users", _describe(username, role, team)):
            return add_user(store, username, role, hashed, team=team)


def set_role(
    store: Store, actor: Actor, username: str, role: str, *, team: str | None = None
) -> User:
    """Change a user's role (and team), keeping their password, as an administrator."""
    check_role(role)
    with use_case(store, actor, "manage-users", _describe(username, role, team)) as acting:
        found = store.fetchone(
            "select password_hash from users where username = ?", [username], step="finding a user"
        )
        if found is None:
            raise NotFound(f"no user {username!r}: add one with 'turnaround users add'")
        if acting.user.username == username and role != "administrator":
            others = store.scalar(
                "select count(*) from users where role = 'administrator' and username <> ?",
                [username],
            )
            if not others:
                raise PermissionDenied("the last administrator cannot give up the role")
        return add_user(store, username, role, found[0], team=team)


def list_users(store: Store, actor: Actor) -> list[User]:
    """Every user with their role and team, in name order, for an administrator.

    Checked (``manage-users``) but not audited: the list shows staff accounts, no child's data,
    and changes nothing; every change to an account is audited. It binds no parameter, so
    ``turnaround users list`` does not pay for pandas (see ``_all_users``).
    """
    require(store, actor.username, "manage-users")
    return _all_users(store)


def record_sign_in(store: Store, actor: Actor) -> None:
    """Audit a successful sign-in (the web checks the password with ``check_password``)."""
    audit(store, actor.username, "login", f"user {actor.username}", origin=actor.origin)
