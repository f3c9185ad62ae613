"""Who may do what, checked in one place, and the append-only audit log.

Actions are named; the role-to-action map below is the only place that grants them. The CLI and
the web app both call ``require`` before an action and ``audit`` records it, so every view or
export of identifiable data, every load and every plan change leaves a record: who, when, what,
why and from where. Nothing identifiable is written to logs; the audit records the target (a
measure, a year, a file), never a child's details.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from turnaround.errors import NotFound, PermissionDenied
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


def may(role: str, action: str) -> bool:
    """Whether ``role`` is granted ``action``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
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
    store.con.execute(
        "insert into audit_log (username, action, target, reason, origin) values (?, ?, ?, ?, ?)",
        [username, action, target, reason, origin],
    )


def add_user(
    store: Store,
    username: str,
    role: str,
    password_hash: str | None = None,
    *,
    team: str | None = None,
) -> User:
    """Add a user (or replace an existing user's role, password and team)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    store.con.execute(
        "insert or replace into users (username, role, password_hash, team) values (?, ?, ?, ?)",
        [username, role, password_hash, team],
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
    row = store.con.execute(
        "select username, role, team, password_hash from users where username = ?", [username]
    ).fetchone()
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
    row = store.con.execute(
        "select username, role, team from users where username = ?", [username]
    ).fetchone()
    if row is None:
        return None
    return User(str(row[0]), str(row[1]), None if row[2] is None else str(row[2]))


def create_demo_users(store: Store) -> dict[str, str]:
    """One demo user per role with a random password; returns each name and password once."""
    first_team = None
    if store.table_exists("workforce_teams"):
        found = store.con.execute(
            "select team_id from workforce_teams order by team_id limit 1"
        ).fetchone()
        first_team = None if found is None else str(found[0])
    passwords: dict[str, str] = {}
    for role in ROLES:
        username = f"demo_{role}"
        password = new_password()
        team = first_team if role == "team_manager" else None
        add_user(store, username, role, hash_password(password), team=team)
        passwords[username] = password
    return passwords
