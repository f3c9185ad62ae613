"""The measures pages: the list with trends and benchmarks, one measure, and its drill-down.

The list and a measure's page are aggregates. The drill-down lists the children and records
behind a figure, so it checks ``view-identifiable`` and writes an audit record, as the CLI's
``turnaround measures explain`` does.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from turnaround.access import Actor, User, may
from turnaround.benchmarks import Benchmark, benchmarks_for
from turnaround.errors import NotFound
from turnaround.measures.compute import (
    compute_measures,
    council_code,
)
from turnaround.measures.drill_down import measure_records
from turnaround.measures.model import Measure
from turnaround.measures.present import measure_detail, measure_rows
from turnaround.measures.registry import get_measure
from turnaround.measures.report import trend_chart
from turnaround.measures.summary import MeasureSummary, summarise
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


def measure_records_context(
    store: Store,
    actor: Actor,
    measure_id: str,
    *,
    year: int | None = None,
    reason: str | None = None,
    la_code: str | None = None,
    limit: int = DRILL_DOWN_ROWS,
) -> dict[str, Any]:
    """The children and records behind one figure, for an actor who may see them; audited."""
    found = measure_records(store, actor, measure_id, year=year, la_code=la_code, reason=reason)
    measure, rows, code = found.measure, found.rows, found.la_code
    return {
        "measure": {"id": measure.id, "title": measure.title, "definition": measure.definition},
        "year": found.year,
        "numerator": number(found.numerator, 1 if measure.unit == "days" else 0),
        "numerator_label": measure.numerator,
        "denominator": number(found.denominator)
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
