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

# ``Failure`` is every validator's, so it lives in the core; it is re-exported here because
# the returns were its first home and callers still import it from this module.
from turnaround.core.failure import Failure, Severity

__all__ = [
    "FAILURE_COLUMNS",
    "FILE_COLUMN",
    "LOCATION_COLUMNS",
    "RECORD_COLUMN",
    "ROW_COLUMN",
    "WHERE_COLUMN",
    "Failure",
    "ReturnData",
    "ReturnKind",
    "Severity",
    "ValidationReport",
    "failures_frame",
]

ReturnKind = Literal["ssda903", "cin", "annex_a"]

# Every canonical table carries where each row came from: its file, its line, its record and
# that record's place. A record is one row of one table: a header, an episode, a review, an
# assessment, a factor... ``_record`` is unique to each record within its file (a CSV's line, an
# XML record's ordinal), so lenient loading sets aside exactly the records that failed, even
# when an XML file is on one line. ``_where`` says where it is for people: an XML element path
# with indexes ('Message/Children/Child[12]/CINdetails[1]/Assessments[2]'), or 'row 17'.
FILE_COLUMN = "_file"
ROW_COLUMN = "_row"
RECORD_COLUMN = "_record"
WHERE_COLUMN = "_where"
LOCATION_COLUMNS = (FILE_COLUMN, ROW_COLUMN, RECORD_COLUMN, WHERE_COLUMN)
"""The bookkeeping columns of a canonical table, dropped before its values are stored."""


@dataclass
class ReturnData:
    """One collection year of one return, as canonical tables."""

    kind: ReturnKind
    year: int  # the collection year, named by the year of its 31 March
    tables: dict[str, pd.DataFrame]  # canonical name -> frame with the LOCATION_COLUMNS
    sources: list[Path]
    failures: list[Failure] = field(default_factory=list)  # structural failures from reading
    # Columns a file carried that its year's layout does not know (LA, YEAR, ...), as read,
    # per canonical table, with _file and _row: kept aside, never checked or loaded as data.
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    # Tables of the year's layout the files did not supply (canonical names): read as empty,
    # and rules that need them are reported as not run.
    absent: list[str] = field(default_factory=list)


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


FAILURE_COLUMNS = [
    "file", "row", "where", "child_id", "table", "field", "rule", "message", "severity",
]  # fmt: skip


def failures_frame(failures: Sequence[Failure]) -> pd.DataFrame:
    """Failures as a table with one row each, in a stable order."""
    frame = pd.DataFrame(
        [
            (f.file, f.row, f.where, f.child_id, f.table, f.field, f.rule, f.message, f.severity)
            for f in failures
        ],
        columns=FAILURE_COLUMNS,
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["file", "row", "rule"], kind="stable", ignore_index=True)
