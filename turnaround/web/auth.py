"""Signing in and out: who the session belongs to, and since when.

The session is Starlette's signed cookie (itsdangerous), HttpOnly and SameSite=Lax, secure in
production, and expiring after ``Settings.session_hours``. It holds only the username, the
CSRF token and the time of sign-in; never a password or anything about a child. The time comes
from the app's clock (``app.state.clock``, wall-clock seconds), so tests can move it on.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from turnaround.access import User
from turnaround.web.security import rotate_csrf

_USER_KEY = "user"


def session_username(
    session: MutableMapping[str, Any], max_hours: float, *, now: float
) -> str | None:
    """The signed-in username, or None; a session older than ``max_hours`` at ``now`` is ended.

    The cookie is re-signed on every response, so its own expiry only measures idleness; the
    sign-in time kept inside it bounds the whole session too.
    """
    name = session.get(_USER_KEY)
    if not isinstance(name, str) or not name:
        return None
    since = session.get("since")
    if not isinstance(since, int) or now - since > max_hours * 3600:
        session.clear()
        return None
    return name


def sign_in(session: MutableMapping[str, Any], user: User, *, now: float) -> None:
    """Start a fresh session for ``user`` at ``now`` (dropping anything from before sign-in)."""
    session.clear()
    session[_USER_KEY] = user.username
    session["since"] = int(now)
    rotate_csrf(session)


def sign_out(session: MutableMapping[str, Any]) -> None:
    """End the session."""
    session.clear()


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
