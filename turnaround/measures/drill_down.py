"""A measure's drill-down: the children and records behind one figure, for those who may see them.

This is the one way an adapter reaches child ids behind a measure. ``measure_records`` is a use
case: it checks ``view-identifiable`` and writes one audit record naming the measure and the
year (never a child), with the actor's origin. The CLI's ``turnaround measures explain`` and
the web's drill-down page both call it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from turnaround.access import Actor, use_case
from turnaround.errors import NotFound
from turnaround.measures.compute import compute_measures, council_code, explain, require_council
from turnaround.measures.model import Measure
from turnaround.measures.registry import get_measure
from turnaround.store import Store

ROW_COLUMNS = ("subject_id", "numerator", "denominator", "record")


@dataclass(frozen=True)
class MeasureRecords:
    """The rows behind one year's figure: subject_id, numerator, denominator, record.

    ``la_code`` is None when no council's data is loaded yet; the rows are then empty.
    """

    measure: Measure
    year: int
    la_code: str | None
    rows: pd.DataFrame

    @property
    def numerator(self) -> float:
        """The figure's numerator, summed from the rows."""
        return float(self.rows["numerator"].sum())

    @property
    def denominator(self) -> float:
        """The figure's denominator, summed from the rows."""
        return float(self.rows["denominator"].sum())


def latest_year(store: Store, measure_id: str, code: str) -> int:
    """The latest year with a value for a measure; NotFound when none has one."""
    years = [
        v.year for v in compute_measures(store, [measure_id], la_code=code) if v.value is not None
    ]
    if not years:
        raise NotFound(f"{measure_id}: no year has data to explain")
    return max(years)


def measure_records(
    store: Store,
    actor: Actor,
    measure_id: str,
    *,
    year: int | None = None,
    la_code: str | None = None,
    reason: str | None = None,
) -> MeasureRecords:
    """The children and records behind a measure's figure (``view-identifiable``); audited.

    Without ``year`` it explains the latest year that has a value.
    """
    measure = get_measure(measure_id)  # NotFound for an unknown id, before anything is written
    with use_case(
        store,
        actor,
        "view-identifiable",
        f"measure {measure_id} {year}",
        reason=reason,
        step=f"explaining measure {measure_id}",
    ) as acting:
        code = council_code(store, la_code)
        if code is None and year is not None:  # nothing loaded yet: no records behind it
            rows = pd.DataFrame(columns=list(ROW_COLUMNS))
        else:
            code = require_council(store, la_code)
            if year is None:
                year = latest_year(store, measure_id, code)
            rows = explain(store, measure_id, year, la_code=code)
        # The record names the measure and year only: the audit log holds no child's details.
        acting.target = f"measure {measure_id} {year}"
    assert year is not None
    return MeasureRecords(measure, year, code, rows)
