"""CSRF tokens for forms and the login rate limit.

Every session (even before login) carries a random CSRF token; each POST form sends it back in
the hidden ``csrf_token`` field, and a missing or wrong token is refused with 400. Failed logins
are counted per username and client address in memory: five within fifteen minutes block that
pair until the oldest failure ages out.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

from turnaround.errors import InputError

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"


class TooManyAttempts(Exception):
    """Too many failed logins for one username from one address."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many failed sign-in attempts. Try again in about {minutes} minute(s)."
        )


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def rotate_csrf(session: MutableMapping[str, Any]) -> str:
    """A fresh CSRF token (after login, so a token seen before login is no use after it)."""
    session.pop(_SESSION_KEY, None)
    return csrf_token(session)


def check_csrf(session: MutableMapping[str, Any], sent: object) -> None:
    """Refuse a form whose token is missing or is not the session's."""
    expected = session.get(_SESSION_KEY)
    if not isinstance(expected, str) or not isinstance(sent, str) or not sent:
        raise InputError("the form has expired or was not sent from this site; please try again")
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise InputError("the form has expired or was not sent from this site; please try again")


class LoginLimiter:
    """Counts failed logins per (username, address) in a sliding window; thread-safe."""

    def __init__(
        self,
        attempts: int = 5,
        window_seconds: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def check(self, username: str, address: str) -> None:
        """Raise TooManyAttempts if this pair has used up its failures."""
        key = (username.casefold(), address)
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) >= self.attempts:
                raise TooManyAttempts(int(self.window - (now - times[0])) + 1)

    def failed(self, username: str, address: str) -> None:
        """Record one failed login."""
        key = (username.casefold(), address)
        with self._lock:
            self._recent(key, self._clock()).append(self._clock())

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of a pair that has now signed in."""
        with self._lock:
            self._failures.pop((username.casefold(), address), None)
