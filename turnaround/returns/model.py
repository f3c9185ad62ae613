"""What passes between reading, validating and loading a return.

Reading turns files into canonical tables (``canonical.py``) and the structural failures it
found; the DfE rules add their own failures; loading writes the tables (or, in lenient mode,
the rows that passed) and quarantines the rest. A failure always names the file, the row,
the child, the field, the rule code and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

ReturnKind = Literal["ssda903", "cin", "annex_a"]
Severity = Literal["error", "query"]

# Every canonical table carries where each row came from.
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"


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


@dataclass
class ReturnData:
    """One collection year of one return, as canonical tables."""

    kind: ReturnKind
    year: int  # the collection year, named by the year of its 31 March
    tables: dict[str, pd.DataFrame]  # canonical name -> frame with _file and _row columns
    sources: list[Path]
    failures: list[Failure] = field(default_factory=list)  # structural failures from reading


@dataclass
class ValidationReport:
    """Every failure across every return validated together."""

    returns: list[ReturnData]
    failures: list[Failure]

    @property
    def errors(self) -> list[Failure]:
        """Failures that block a strict load."""
        return [f for f in self.failures if f.severity == "error"]

    def by_rule(self) -> pd.DataFrame:
        """Counts of failures per return, year, rule and message."""
        return (
            failures_frame(self.failures)
            .groupby(["rule", "message", "severity"], as_index=False)
            .size()
        )


FAILURE_COLUMNS = ["file", "row", "child_id", "table", "field", "rule", "message", "severity"]


def failures_frame(failures: Sequence[Failure]) -> pd.DataFrame:
    """Failures as a table with one row each, in a stable order."""
    frame = pd.DataFrame(
        [
            (f.file, f.row, f.child_id, f.table, f.field, f.rule, f.message, f.severity)
            for f in failures
        ],
        columns=FAILURE_COLUMNS,
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["file", "row", "rule"], kind="stable", ignore_index=True)
