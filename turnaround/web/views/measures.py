"""The measures pages: the list with trends and benchmarks, one measure, and its drill-down.

The list and a measure's page are aggregates. The drill-down lists the children and records
behind a figure, so it checks ``view-identifiable`` and writes an audit record, as the CLI's
``turnaround measures explain`` does.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from turnaround.access import User, audit, may, require
from turnaround.benchmarks import Benchmark, benchmarks_for
from turnaround.errors import NotFound
from turnaround.measures.compute import (
    compute_measures,
    council_code,
    explain,
    require_council,
)
from turnaround.measures.model import Measure
from turnaround.measures.registry import get_measure
from turnaround.measures.report import trend_chart
from turnaround.measures.summary import MeasureSummary, summarise
from turnaround.present.measures import measure_detail, measure_rows
from turnaround.store import Store
from turnaround.web.views import NO_DATA, number

DRILL_DOWN_ROWS = 500
"""Rows shown on the drill-down page; the count of all of them is shown beside."""


def measures_context(store: Store, *, la_code: str | None = None) -> dict[str, Any]:
    """Every measure's latest figure, its recent trend and England, region and neighbours."""
    if council_code(store, la_code) is None:
        return {"measures": [], "no_data": NO_DATA}
    summaries = summarise(store, la_code)
    return {"measures": measure_rows(summaries), "no_data": None if summaries else NO_DATA}


def measure_summary(store: Store, measure_id: str, *, la_code: str | None = None) -> MeasureSummary:
    """One measure's trend and benchmarks, without computing every other measure; no values
    when the data it needs is not loaded (``NotFound`` only for an unknown measure)."""
    measure = get_measure(measure_id)  # NotFound for an unknown id
    code = council_code(store, la_code)
    if code is None:  # nothing loaded yet: the measure exists, with no values
        return MeasureSummary(measure, [], [])
    values = sorted(compute_measures(store, [measure_id], la_code=code), key=lambda v: v.year)
    if not values:  # the data it needs is not loaded
        return MeasureSummary(measure, [], [])
    try:
        published: list[Benchmark] = benchmarks_for(store, code, [measure_id])
    except NotFound:
        published = []
    return MeasureSummary(measure, values, sorted(published, key=lambda b: b.year))


def _definition(measure: Measure) -> list[tuple[str, str]]:
    rows = [
        ("Definition", measure.definition),
        ("Numerator", measure.numerator),
        ("Denominator", measure.denominator),
        ("Better when", {"higher": "Higher", "lower": "Lower"}.get(measure.better, "Neither")),
        ("Sources", ", ".join(measure.sources)),
    ]
    if measure.benchmark:
        rows.append(("Compared with", measure.benchmark))
    return rows


def measure_context(
    store: Store, measure_id: str, *, la_code: str | None = None, user: User | None = None
) -> dict[str, Any]:
    """One measure: its definition, trend chart with figures, benchmarks, and drill-down years."""
    summary = measure_summary(store, measure_id, la_code=la_code)
    detail = measure_detail(summary)
    drawn = [v for v in summary.values if v.value is not None]
    return {
        "measure": detail.row,
        "definition": _definition(summary.measure),
        "chart": trend_chart(summary) if len(drawn) > 1 else Markup(""),
        "figures": detail.figures,
        "benchmarks": detail.benchmarks,
        "no_data": None if summary.values else NO_DATA,
        "drill_down_years": [v.year for v in reversed(drawn)],
        "can_drill_down": user is not None and may(user.role, "view-identifiable"),
    }


def latest_year(store: Store, measure_id: str, code: str) -> int:
    """The latest year with a value for a measure; NotFound when none has one."""
    years = [
        v.year for v in compute_measures(store, [measure_id], la_code=code) if v.value is not None
    ]
    if not years:
        raise NotFound(f"{measure_id}: no year has data to explain")
    return max(years)


def measure_records_context(
    store: Store,
    measure_id: str,
    *,
    username: str | None,
    year: int | None = None,
    reason: str | None = None,
    origin: str = "web",
    la_code: str | None = None,
    limit: int = DRILL_DOWN_ROWS,
) -> dict[str, Any]:
    """The children and records behind one figure, for a user who may see them; audited."""
    acting = require(store, username, "view-identifiable")
    measure = get_measure(measure_id)
    code = council_code(store, la_code)
    if code is None and year is not None:  # nothing loaded yet: no records behind the figure
        rows = pd.DataFrame(columns=["subject_id", "numerator", "denominator", "record"])
    else:
        code = require_council(store, la_code)
        if year is None:
            year = latest_year(store, measure_id, code)
        rows = explain(store, measure_id, year, la_code=code)
    # The record names the measure and year only: the audit log holds no child's details.
    audit(
        store,
        acting.username,
        "view-identifiable",
        f"measure {measure_id} {year}",
        reason=reason,
        origin=origin,
    )
    return {
        "measure": {"id": measure.id, "title": measure.title, "definition": measure.definition},
        "year": year,
        "numerator": number(float(rows["numerator"].sum()), 1 if measure.unit == "days" else 0),
        "numerator_label": measure.numerator,
        "denominator": number(float(rows["denominator"].sum()))
        if measure.unit not in ("per10k", "count")
        else "–",
        "denominator_label": measure.denominator,
        "no_data": None if code is not None else NO_DATA,
        "total_rows": len(rows),
        "shown_rows": min(len(rows), limit),
        "rows": [
            {
                "subject_id": str(r.subject_id),
                "numerator": f"{r.numerator:g}",
                "denominator": f"{r.denominator:g}",
                "record": str(r.record),
            }
            for r in rows.head(limit).itertuples(index=False)
        ],
    }
