"""One broken rule on one row: what every validator (returns, workforce, linkage) reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "query"]


@dataclass(frozen=True)
class Failure:
    """One broken rule on one row (or one file, when ``row`` is None)."""

    file: str
    row: int | None  # CSV: line number in the file (header is line 1); XML: line of the element
    child_id: str | None
    table: str
    field: str | None
    rule: str  # DfE rule code ('103', '8500'), or a structural code ('S-DATE', 'S-CODE', ...)
    message: str
    severity: Severity = "error"
    # Where the record is in its file: an XML element path with indexes
    # ('Message/Children/Child[12]/CINdetails[1]'), or 'row 17' in a CSV; None for a file.
    where: str | None = None
    record: int | None = None  # the record's key within its file (its ``_record``), if any

    @classmethod
    def about_file(
        cls,
        file: str,
        table: str,
        rule: str,
        message: str,
        *,
        field: str | None = None,
        severity: Severity = "query",
    ) -> Failure:
        """A failure about a whole file or table, with no row or child: a query by default."""
        return cls(file, None, None, table, field, rule, message, severity)
