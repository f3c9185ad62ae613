"""A council's measures beside England, its region and the median of its statistical neighbours.

For each measure and year, ``benchmarks_for`` gives the published figure for England, for the
council's region (the ``region_name`` on the council's own rows: Inner or Outer London for a
London borough), the median of the ten statistical neighbours that have a figure (and how many
did), and the council's own published figure. A comparator that does not exist is None, and the
``note`` says why: suppressed, not published that year, no neighbours loaded, or no DfE table
covers the measure at all.

Benchmarks are published inputs keyed by measure id; they know nothing of how a measure is
computed. The measures' summary (``measures.summary``) sets them beside the council's figures,
so the dependency runs measures -> benchmarks and never back.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from turnaround.benchmarks.mapping import (
    BenchmarkMapping,
    known_measures,
    mapping_for,
    no_benchmark_reason,
)
from turnaround.benchmarks.tables import (
    LOCAL_AUTHORITY,
    NATIONAL,
    POPULATION_METRIC,
    POPULATION_SOURCE,
    REGIONAL,
)
from turnaround.errors import NotFound
from turnaround.store import Store

NEIGHBOURS = 10


@dataclass(frozen=True)
class Benchmark:
    """A published comparator for one measure and year."""

    measure_id: str
    year: int
    england: float | None
    region: float | None
    region_name: str | None
    neighbours_median: float | None
    neighbours: int  # how many of the ten statistical neighbours had a value
    council: float | None  # the council's own published figure, for checking
    note: str | None = None  # why a comparator is missing, where one is


# Which geography a row is, the same way in every table: England, a region, or a council.
_GEOGRAPHY_KEY = (
    "case geographic_level when 'National' then 'England' "
    "when 'Regional' then coalesce(region_code, region_name) "
    "else coalesce(la_code, new_la_code) end"
)


def published_values_sql(mapping: BenchmarkMapping) -> str:
    """Query for a mapped figure at every geography and year: year, level, region, la, value.

    Parameters, in order: source, metric, then category if the mapping names one.
    """
    category = " and category = ?" if mapping.category is not None else ""
    figures = (
        "select year, geographic_level, region_name, la_code, "
        f"{_GEOGRAPHY_KEY} as geography, value from benchmark_values "
        f"where source = ? and metric = ?{category}"
    )
    if mapping.transform == "as_published":
        return f"select year, geographic_level, region_name, la_code, value from ({figures})"
    children = (
        f"select year, {_GEOGRAPHY_KEY} as geography, geographic_level, value as children "
        f"from benchmark_values where source = '{POPULATION_SOURCE}' "
        f"and metric = '{POPULATION_METRIC}'"
    )
    return (
        "select f.year, f.geographic_level, f.region_name, f.la_code, "
        "case when p.children > 0 then f.value / p.children * 10000 end as value "
        f"from ({figures}) f left join ({children}) p "
        "on p.year = f.year and p.geography = f.geography "
        "and p.geographic_level = f.geographic_level"
    )


def _params(mapping: BenchmarkMapping) -> list[str]:
    params = [mapping.source, mapping.metric]
    if mapping.category is not None:
        params.append(mapping.category)
    return params


def benchmarks_for(
    store: Store,
    la_code: str,
    measure_ids: Iterable[str] | None = None,
    *,
    years: Sequence[int] | None = None,
) -> list[Benchmark]:
    """Published comparators for a council's measures, per measure and year.

    Without ``years``, a mapped measure gets every year its DfE table covers, and a measure no
    DfE table covers gets one entry, for the latest year loaded, saying why.
    """
    loaded = _loaded_years(store)
    if not loaded:
        raise NotFound(
            "no published benchmarks are loaded: run turnaround benchmarks load ../shared/data/dfe"
        )
    ids = list(measure_ids) if measure_ids is not None else known_measures()
    neighbours = _neighbours(store, la_code)
    home_region = _home_region(store, la_code)
    out: list[Benchmark] = []
    for measure_id in ids:
        mapping = mapping_for(measure_id)
        if mapping is None:
            reason = no_benchmark_reason(measure_id)
            for year in years if years is not None else [max(loaded)]:
                out.append(_nothing(measure_id, year, reason))
            continue
        figures = store.fetch_arrow(
            published_values_sql(mapping), _params(mapping), step=f"benchmarks for {measure_id}"
        ).to_pandas()
        wanted = years if years is not None else sorted(int(y) for y in figures["year"].unique())
        if not wanted:
            reason = f"table {mapping.source} is not loaded (run turnaround benchmarks load)"
            out.append(_nothing(measure_id, max(loaded), reason))
            continue
        by_year = {int(y): rows for y, rows in figures.groupby("year")}
        for year in wanted:
            rows = by_year.get(int(year), figures.iloc[0:0])
            out.append(_compare(mapping, int(year), rows, la_code, neighbours, home_region))
    return out


def _compare(
    mapping: BenchmarkMapping,
    year: int,
    rows: pd.DataFrame,
    la_code: str,
    neighbours: list[str],
    home_region: str | None,
) -> Benchmark:
    notes: list[str] = []
    if rows.empty:
        notes.append(f"table {mapping.source} has no figures for {year}")
    councils = rows[rows["geographic_level"] == LOCAL_AUTHORITY]
    own = councils[councils["la_code"] == la_code]
    region_name = _first_text(own["region_name"]) or home_region

    england = _first_value(rows.loc[rows["geographic_level"] == NATIONAL, "value"])
    if england is None and not rows.empty:
        notes.append("England: not published")
    region = None
    if region_name is None:
        notes.append(f"region: council {la_code} is not in the published tables")
    else:
        regional = rows[
            (rows["geographic_level"] == REGIONAL) & (rows["region_name"] == region_name)
        ]
        region = _first_value(regional["value"])
        if region is None and not rows.empty:
            notes.append(f"{region_name}: not published")

    published = councils.dropna(subset=["value"]).drop_duplicates("la_code")
    by_council = dict(zip(published["la_code"], published["value"].astype(float), strict=True))
    found = [by_council[code] for code in neighbours if code in by_council]
    median = statistics.median(found) if found else None
    if not neighbours:
        notes.append(f"statistical neighbours: none loaded for council {la_code}")
    elif len(found) < len(neighbours) and not rows.empty:
        notes.append(f"statistical neighbours: {len(found)} of {len(neighbours)} had a figure")

    council = _first_value(own["value"])
    if council is None and not rows.empty:
        notes.append(f"council {la_code}: suppressed or not published")
    return Benchmark(
        measure_id=mapping.measure_id,
        year=year,
        england=england,
        region=region,
        region_name=region_name,
        neighbours_median=median,
        neighbours=len(found),
        council=council,
        note="; ".join(notes) or None,
    )


def _nothing(measure_id: str, year: int, reason: str) -> Benchmark:
    return Benchmark(
        measure_id=measure_id,
        year=year,
        england=None,
        region=None,
        region_name=None,
        neighbours_median=None,
        neighbours=0,
        council=None,
        note=reason,
    )


def _first_value(values: pd.Series) -> float | None:
    present = values.dropna()
    return None if present.empty else float(present.iloc[0])


def _first_text(values: pd.Series) -> str | None:
    present = values.dropna()
    return None if present.empty else str(present.iloc[0])


def _loaded_years(store: Store) -> list[int]:
    rows = store.fetchall(
        "select distinct year from benchmark_values order by 1", step="listing benchmark years"
    )
    return [int(r[0]) for r in rows]


def _neighbours(store: Store, la_code: str) -> list[str]:
    rows = store.fetchall(
        "select neighbour_code from statistical_neighbours where la_code = ? order by rank",
        [la_code],
        step="reading statistical neighbours",
    )
    return [str(r[0]) for r in rows][:NEIGHBOURS]


def _home_region(store: Store, la_code: str) -> str | None:
    """The council's region on its most recent published row, whatever the table."""
    row = store.fetchone(
        "select region_name from benchmark_values where geographic_level = ? and la_code = ? "
        "and region_name is not null order by year desc limit 1",
        [LOCAL_AUTHORITY, la_code],
        step="finding the council's region",
    )
    return str(row[0]) if row else None
