"""What a measure is, and what computing one gives back.

Each measure lives in ``sql/<id>.sql``: a header of ``-- key: value`` lines an analyst can read
(id, title, definition, numerator, denominator, better, unit, sources, benchmark), then one
query. The query returns one row per subject (a child, an episode, a referral, a worker) per
year, with its contribution to the numerator and to the denominator::

    year INTEGER, subject_id VARCHAR, numerator DOUBLE, denominator DOUBLE, record VARCHAR

The figure for a year is ``scale * sum(numerator) / sum(denominator)``, so the figure and its
drill-down (``explain``) are always the same rows. Rate-per-10,000 measures take their
denominator from the ``population`` table instead (children aged 0-17 in the area that year),
and their rows carry ``denominator = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["higher", "lower", "neither"]
Unit = Literal["per10k", "percent", "count", "days", "ratio"]


@dataclass(frozen=True)
class Measure:
    """One measure's definition, as read from its SQL file."""

    id: str
    title: str
    definition: str  # plain English, for a social worker
    numerator: str
    denominator: str
    better: Better
    unit: Unit
    sources: tuple[str, ...]  # store table.column names it reads
    benchmark: str | None  # DfE table and column it compares with, or None
    sql: str

    @property
    def scale(self) -> float:
        """What the ratio is multiplied by: 10,000 for rates per 10k, 100 for percentages."""
        return {"per10k": 10_000.0, "percent": 100.0}.get(self.unit, 1.0)


@dataclass(frozen=True)
class MeasureValue:
    """A measure's figure for one year, with what it was computed from."""

    measure_id: str
    year: int
    value: float | None  # None when the denominator is zero or missing, or not computed
    numerator: float
    denominator: float
    # Why the figure could not be computed that year ("" when it was): a table it reads was
    # absent from the return loaded for the year, e.g. an episodes-only SSDA903 extract.
    not_computed: str = ""
