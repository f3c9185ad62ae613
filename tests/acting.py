"""Who the tests act as: an administrator of the store under test, from the command line."""

from __future__ import annotations

from turnaround.access import Actor, add_user, find_web_user
from turnaround.store import Store

ADMIN = "admin"


def admin(store: Store) -> Actor:
    """An administrator of ``store`` (added the first time), acting from the CLI."""
    if find_web_user(store, ADMIN) is None:
        add_user(store, ADMIN, "administrator")
    return Actor.cli(ADMIN)
