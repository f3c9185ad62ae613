"""One exception tree for turnaround.

    TurnaroundError
     ├── ConfigError          settings or a config file are wrong
     ├── InputError           a file we were given cannot be read as what it claims to be
     │    └── ValidationFailed   it was read, but broke one or more rules (carries the report)
     ├── BackendError         the store or an engine failed running a step
     ├── PermissionDenied     the user's role does not allow the action
     └── NotFound             something asked for does not exist

Every error carries a one-line message fit to show a person. The CLI prints that line and exits 1;
the web app renders it with a status code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class TurnaroundError(Exception):
    """Base class for every error turnaround expects and explains."""


class ConfigError(TurnaroundError):
    """A setting or a configuration file is missing or wrong."""


class InputError(TurnaroundError):
    """A file cannot be read as what it claims to be.

    The message names the file and, where known, the row and the field.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.row = row
        self.field = field
        where = []
        if self.path is not None:
            where.append(self.path.name)
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ValidationFailed(InputError):
    """Input was read but broke one or more rules; ``failures`` holds every one of them."""

    def __init__(self, message: str, failures: Sequence[Any] = (), **kwargs: Any) -> None:
        self.failures = list(failures)
        super().__init__(message, **kwargs)


class BackendError(TurnaroundError):
    """The store or an engine failed while running a named step."""

    def __init__(self, step: str, cause: BaseException, sql: str | None = None) -> None:
        self.step = step
        self.sql = sql
        self.cause = cause
        first_line = (
            str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        )
        super().__init__(f"{step} failed: {first_line}")


class PermissionDenied(TurnaroundError):
    """The acting user's role does not permit the action."""


class NotFound(TurnaroundError):
    """A named thing (table, measure, user, file) does not exist."""


def describe_invalid(exc: Exception) -> str:
    """One line for a pydantic ValidationError: 'field: message; field: message'."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc).splitlines()[0]
    parts = []
    for error in errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "value"
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
