"""Each measure with its trend and its benchmarks: what the CLI, the report and the web show."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from turnaround.benchmarks.compare import Benchmark, benchmarks_for
from turnaround.errors import NotFound
from turnaround.measures.compute import compute_measures, require_council
from turnaround.measures.model import Measure, MeasureValue
from turnaround.measures.registry import measures
from turnaround.store import Store


@dataclass
class MeasureSummary:
    """One measure: its definition, its value each year, and the published comparators."""

    measure: Measure
    values: list[MeasureValue]
    benchmarks: list[Benchmark] = field(default_factory=list)

    @property
    def latest(self) -> MeasureValue | None:
        """The most recent year's value."""
        return self.values[-1] if self.values else None

    @property
    def latest_benchmark(self) -> Benchmark | None:
        """Comparators for the latest year, if any were published."""
        if self.latest is None:
            return None
        return next((b for b in self.benchmarks if b.year == self.latest.year), None)

    def to_dict(self) -> dict[str, object]:
        """A plain dict for --json and the web app (the SQL is left out)."""
        definition = asdict(self.measure)
        definition.pop("sql")
        return {
            **definition,
            "values": [asdict(v) for v in self.values],
            "trend": {v.year: v.value for v in self.values},
            "benchmarks": [asdict(b) for b in self.benchmarks],
        }


def set_council(store: Store, la_code: str, la_name: str | None = None) -> None:
    """Record which council this workspace is about."""
    with store.transaction("recording the council") as db:
        db.execute("delete from council", step="recording the council")
        db.execute(
            "insert into council values (?, ?)", [la_code, la_name], step="recording the council"
        )


def summarise(store: Store, la_code: str | None = None) -> list[MeasureSummary]:
    """Every measure the store can compute, with its trend and its benchmarks."""
    code = require_council(store, la_code)
    values = compute_measures(store, la_code=code)
    by_measure: dict[str, list[MeasureValue]] = {}
    for value in values:
        by_measure.setdefault(value.measure_id, []).append(value)
    try:
        published = benchmarks_for(store, code, list(by_measure))
    except NotFound:
        published = []
    by_bench: dict[str, list[Benchmark]] = {}
    for bench in published:
        by_bench.setdefault(bench.measure_id, []).append(bench)
    out = []
    for measure in measures():
        if measure.id not in by_measure:
            continue
        series = sorted(by_measure[measure.id], key=lambda v: v.year)
        comparators = sorted(by_bench.get(measure.id, []), key=lambda b: b.year)
        out.append(MeasureSummary(measure, series, comparators))
    return out
