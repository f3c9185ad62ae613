"""One workforce file as read: its text, its typed store columns, and every failure found in it.

Both layouts (the council's export and the DfE's CSWW) read into these, so checking, lenient
quarantine and writing are the same for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from turnaround.core.failure import Failure, Severity

FLAGS = {"Y": True, "YES": True, "TRUE": True, "N": False, "NO": False, "FALSE": False}


@dataclass
class WorkforceFile:
    """One table of a workforce source: rows as read and as typed, indexed by line or record."""

    name: str  # the store table it feeds: 'staff', 'vacancies', ...
    path: Path
    raw: pd.DataFrame  # as read, text, indexed by CSV line number (XML: the record's line)
    clean: pd.DataFrame  # typed store columns, same index
    failures: list[Failure] = field(default_factory=list)
    person: str | None = None  # the column whose value names the row's child, if any

    def fail(
        self,
        lines: pd.Index,
        header: str,
        rule: str,
        message: str,
        severity: Severity = "error",
    ) -> None:
        """One failure per line; ``{value}`` in the message is the field's value as read."""
        for line in lines:
            value = self.raw[header][line] if header in self.raw.columns else ""
            self.failures.append(
                Failure(
                    file=str(self.path),
                    row=int(line),
                    child_id=str(self.raw.at[line, self.person]) if self.person else None,
                    table=self.name,
                    field=header,
                    rule=rule,
                    message=message.format(value=value),
                    severity=severity,
                )
            )

    def note(self, header: str | None, rule: str, message: str, severity: Severity) -> None:
        """A failure about the whole file (a missing or extra column), with no row."""
        self.failures.append(
            Failure.about_file(
                str(self.path), self.name, rule, message, field=header, severity=severity
            )
        )

    @property
    def error_lines(self) -> list[int]:
        """Lines with at least one error: the rows a lenient load sets aside."""
        return sorted(
            {int(f.row) for f in self.failures if f.row is not None and f.severity == "error"}
        )


def dates(text: pd.Series) -> pd.Series:
    """Dates written dd/mm/yyyy or yyyy-mm-dd; anything else is NaT."""
    british = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return british.fillna(iso)
