"""The measures as people see them: one row per measure, and one measure's years and benchmarks.

``turnaround measures``, the report's measures section and the web's measures pages all render
these, so a measure's figure, trend and comparators read the same in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from turnaround.present.format import MISSING, count, number, percent_value

if TYPE_CHECKING:
    from turnaround.measures.model import MeasureValue
    from turnaround.measures.summary import MeasureSummary

TREND_YEARS = 5
"""How many recent years a measure's trend shows beside its latest figure."""

NO_BENCHMARK = "No published benchmark."


def figure(value: float | None, unit: str) -> str:
    """A measure's value: '12.3%' for percentages, '1,234' for counts, '45.6' otherwise."""
    if unit == "percent":
        return percent_value(value)
    if unit == "count":
        return count(value)
    return number(value, 1)  # per 10,000 children, days, ratios


NOT_COMPUTED = "not computed"


def shown(value: MeasureValue, unit: str) -> str:
    """One year's figure as shown: the figure, or 'not computed' when a table was absent."""
    return NOT_COMPUTED if value.not_computed else figure(value.value, unit)


def _part(value: float) -> str:
    """A numerator or denominator: whole when it is whole, else to one decimal place."""
    return number(value, 1 if value % 1 else 0)


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


@dataclass(frozen=True)
class TrendPoint:
    """One year of a measure's recent trend."""

    year: int
    value: str


@dataclass(frozen=True)
class MeasureRow:
    """One measure's line: its latest figure, recent trend and the latest year's comparators."""

    id: str
    title: str
    definition: str
    better: str
    year: str
    value: str
    trend: tuple[TrendPoint, ...]
    direction: str
    england: str
    region: str
    neighbours: str
    benchmark_note: str  # why there is no comparator, or ""
    not_computed: str = ""  # why the latest year's figure could not be computed, or ""

    @property
    def trend_text(self) -> str:
        """The trend on one line, oldest first: '12.0% → 12.5% → 13.1%'."""
        return " → ".join(point.value for point in self.trend)


@dataclass(frozen=True)
class YearFigure:
    """A measure's figure for one year with what it was computed from, and England's."""

    year: int
    value: str
    numerator: str
    denominator: str
    england: str
    not_computed: str = ""  # why this year's figure could not be computed, or ""


@dataclass(frozen=True)
class BenchmarkRow:
    """The published comparators for one year."""

    year: int
    council: str
    england: str
    region: str
    region_name: str
    neighbours: str
    neighbour_count: int
    note: str


@dataclass(frozen=True)
class MeasureDetail:
    """One measure's page: its line, every year's figure, and every year's comparators."""

    row: MeasureRow
    figures: tuple[YearFigure, ...]
    benchmarks: tuple[BenchmarkRow, ...]


def measure_row(summary: MeasureSummary, trend_years: int = TREND_YEARS) -> MeasureRow:
    """The line every face shows for one measure."""
    unit = summary.measure.unit
    latest = summary.latest
    bench = summary.latest_benchmark
    # A published note says why England's figure is missing, where one is.
    missing_england = bench is not None and bench.england is None
    note = NO_BENCHMARK if bench is None else (bench.note or "") if missing_england else ""
    return MeasureRow(
        id=summary.measure.id,
        title=summary.measure.title,
        definition=summary.measure.definition,
        better=summary.measure.better,
        year=str(latest.year) if latest else MISSING,
        value=shown(latest, unit) if latest else figure(None, unit),
        trend=tuple(TrendPoint(v.year, shown(v, unit)) for v in summary.values[-trend_years:]),
        direction=direction(summary),
        england=figure(bench.england if bench else None, unit),
        region=figure(bench.region if bench else None, unit),
        neighbours=figure(bench.neighbours_median if bench else None, unit),
        benchmark_note=note,
        not_computed=latest.not_computed if latest else "",
    )


def measure_rows(summaries: list[MeasureSummary]) -> tuple[MeasureRow, ...]:
    """Every measure's line, in the registry's order."""
    return tuple(measure_row(s) for s in summaries)


def measure_detail(summary: MeasureSummary) -> MeasureDetail:
    """One measure's line, its figure each year, and the comparators each year."""
    unit = summary.measure.unit
    england = {b.year: b.england for b in summary.benchmarks}
    figures = tuple(
        YearFigure(
            year=v.year,
            value=shown(v, unit),
            numerator=_part(v.numerator),
            # A count has no denominator: its rows carry 0.
            denominator=_part(v.denominator) if unit != "count" else MISSING,
            england=figure(england.get(v.year), unit),
            not_computed=v.not_computed,
        )
        for v in summary.values
    )
    benchmarks = tuple(
        BenchmarkRow(
            year=b.year,
            council=figure(b.council, unit),
            england=figure(b.england, unit),
            region=figure(b.region, unit),
            region_name=b.region_name or "Region",
            neighbours=figure(b.neighbours_median, unit),
            neighbour_count=b.neighbours,
            note=b.note or "",
        )
        for b in summary.benchmarks
    )
    return MeasureDetail(measure_row(summary), figures, benchmarks)
