"""Instants as people read them: the Europe/London wall clock, with its zone (GMT or BST).

The store keeps every audit and load time as an instant in UTC. People in an English council
read local time, and the zone's name keeps the hour the clocks go back in October unambiguous
(01:30 BST comes before 01:30 GMT).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


def as_local(instant: datetime) -> datetime:
    """The instant on the Europe/London clock (a naive time is taken to be UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(LOCAL_ZONE)


def local_time(instant: datetime | None, *, seconds: bool = False) -> str:
    """'25 Oct 2026 01:30 BST': an instant as a person in England reads it; '' for none."""
    if instant is None:
        return ""
    local = as_local(instant)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return f"{local.day} {local.strftime(f'%b %Y {clock} %Z')}"
