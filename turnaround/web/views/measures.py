"""The measures pages: the list with trends and benchmarks, one measure, and its drill-down.

The list and a measure's page are aggregates. The drill-down lists the children and records
behind a figure, so it checks ``view-identifiable`` and writes an audit record, as the CLI's
``turnaround measures explain`` does.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from turnaround.access import Actor, User, may
from turnaround.benchmarks import benchmarks_for
from turnaround.errors import NotFound
from turnaround.measures.compute import compute_measures, council_code
from turnaround.measures.drill_down import measure_records
from turnaround.measures.model import Benchmark, Measure
from turnaround.measures.registry import get_measure
from turnaround.measures.report import trend_chart
from turnaround.measures.summary import MeasureSummary, summarise
from turnaround.store import Store
from turnaround.web.views import NO_DATA, number

TREND_YEARS = 5
DRILL_DOWN_ROWS = 500
"""Rows shown on the drill-down page; the count of all of them is shown beside."""


def figure(value: float | None, unit: str) -> str:
    """A measure's value as people read it: '12.3%', '1,234', '45.6' (per 10,000, days)."""
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return number(value)
    return number(value, 1)


def direction(summary: MeasureSummary) -> str:
    """Whether the latest year moved the right way: 'Improving', 'Worsening' or 'No change'."""
    known = [v.value for v in summary.values if v.value is not None]
    if len(known) < 2 or summary.measure.better == "neither":
        return "No judgement" if len(known) >= 2 else "Too few years"
    change = known[-1] - known[-2]
    if change == 0:
        return "No change"
    up_is_good = summary.measure.better == "higher"
    return "Improving" if (change > 0) == up_is_good else "Worsening"


def _row(summary: MeasureSummary) -> dict[str, Any]:
    unit = summary.measure.unit
    latest = summary.latest
    bench = summary.latest_benchmark
    return {
        "id": summary.measure.id,
        "title": summary.measure.title,
        "year": str(latest.year) if latest else "–",
        "value": figure(latest.value if latest else None, unit),
        "trend": [
            {"year": v.year, "value": figure(v.value, unit)} for v in summary.values[-TREND_YEARS:]
        ],
        "direction": direction(summary),
        "better": summary.measure.better,
        "england": figure(bench.england if bench else None, unit),
        "region": figure(bench.region if bench else None, unit),
        "neighbours": figure(bench.neighbours_median if bench else None, unit),
    }


def measures_context(store: Store, *, la_code: str | None = None) -> dict[str, Any]:
    """Every measure's latest figure, its recent trend and England, region and neighbours."""
    if council_code(store, la_code) is None:
        return {"measures": [], "no_data": NO_DATA}
    summaries = summarise(store, la_code)
    return {"measures": [_row(s) for s in summaries], "no_data": None if summaries else NO_DATA}


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
    unit = summary.measure.unit
    england = {b.year: b.england for b in summary.benchmarks}
    drawn = [v for v in summary.values if v.value is not None]
    return {
        "measure": _row(summary),
        "definition": _definition(summary.measure),
        "chart": trend_chart(summary) if len(drawn) > 1 else Markup(""),
        "figures": [
            {
                "year": v.year,
                "value": figure(v.value, unit),
                "numerator": number(v.numerator, 1 if v.numerator % 1 else 0),
                "denominator": number(v.denominator, 1 if v.denominator % 1 else 0)
                if unit != "count"
                else "–",
                "england": figure(england.get(v.year), unit),
            }
            for v in summary.values
        ],
        "benchmarks": [
            {
                "year": b.year,
                "council": figure(b.council, unit),
                "england": figure(b.england, unit),
                "region": figure(b.region, unit),
                "region_name": b.region_name or "Region",
                "neighbours": figure(b.neighbours_median, unit),
                "neighbour_count": b.neighbours,
                "note": b.note or "",
            }
            for b in summary.benchmarks
        ],
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
