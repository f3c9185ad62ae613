"""Compute the measures from the store, for every year at once, and explain any figure.

Each measure's query returns one row per subject and year (see ``model.py``). The figure for a
year and its drill-down are the same rows: ``compute_measures`` sums them, ``explain`` lists
them. Before either runs, three small lookup tables are registered on the connection, so
the SQL stays plain and portable:

    working_calendar    day, working_day_number   (see working_days.py)
    postcode_districts  district, lat, lon, la_code  (see distance.py)
    district_miles      from_district, to_district, miles
    measure_council     la_code: the council whose measures these are

Figures by unit:
    per10k   10,000 x (sum of numerators) / children 0-17 in ``population`` for the council
    percent  100 x sum(numerator) / sum(denominator)
    days, ratio   sum(numerator) / sum(denominator)   (so 'days' is an average)
    count    sum(numerator); the denominator is the number of rows

A year appears when any of the measure's source tables holds that collection year, so a year
with nothing to count shows zero rather than vanishing from the trend. A year whose loaded
return lacked a table the measure reads (``absent_tables``: an episodes-only SSDA903 extract,
say) is not counted as zero: its value is None and ``not_computed`` says which table it needs.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from turnaround.errors import ConfigError, NotFound
from turnaround.measures.distance import district_miles_table, districts_table
from turnaround.measures.model import Measure, MeasureValue
from turnaround.measures.registry import get_measure, select
from turnaround.measures.working_days import working_calendar
from turnaround.returns.absent import gaps
from turnaround.store.backend import DuckDBBackend

EXPLAIN_COLUMNS = ["subject_id", "numerator", "denominator", "record"]


def council_code(store: DuckDBBackend, la_code: str | None = None) -> str | None:
    """Which council the measures are for: given, else the ``council`` table, else the only
    council in ``population``; None when none of these says."""
    if la_code:
        return la_code
    if store.table_exists("council"):
        rows = store.fetch_arrow("select distinct la_code from council").column(0).to_pylist()
        if len(rows) == 1:
            return str(rows[0])
    if store.table_exists("population"):
        rows = store.fetch_arrow("select distinct la_code from population").column(0).to_pylist()
        if len(rows) == 1:
            return str(rows[0])
    return None


def prepare(store: DuckDBBackend, la_code: str | None) -> None:
    """Register the lookup tables the measures' SQL joins to."""
    store.register("working_calendar", working_calendar())
    store.register("postcode_districts", districts_table())
    store.register("district_miles", district_miles_table())
    store.register("measure_council", pa.table({"la_code": pa.array([la_code], pa.string())}))


def rows_sql(measure: Measure) -> str:
    """The measure's query, wrapped so its columns have the contract's names and types."""
    return (
        "select cast(year as integer) as year, cast(subject_id as varchar) as subject_id,"
        " cast(numerator as double) as numerator, cast(denominator as double) as denominator,"
        f" cast(record as varchar) as record from (\n{measure.sql}\n) as measure_rows"
    )


def totals_sql(measure: Measure) -> str:
    """Sum a measure's rows by year."""
    return (
        "select year, sum(numerator) as numerator, sum(denominator) as denominator,"
        f" count(*) as n from ({rows_sql(measure)}) as r group by year"
    )


def source_tables(measure: Measure) -> list[str]:
    """The store tables a measure reads, from its ``sources`` header."""
    return sorted({source.split(".")[0] for source in measure.sources})


def _available(store: DuckDBBackend, measure: Measure) -> bool:
    return all(store.table_exists(table) for table in source_tables(measure))


def _years(store: DuckDBBackend, measure: Measure) -> set[int]:
    years: set[int] = set()
    for table in source_tables(measure):
        has_year = store.fetch_arrow(
            "select count(*) from information_schema.columns"
            " where table_name = ? and column_name = 'year'",
            [table],
        ).column(0)[0]
        if has_year.as_py():
            found = store.fetch_arrow(f"select distinct year from {table} where year is not null")
            years.update(int(y) for y in found.column(0).to_pylist())
    return years


def _not_computed(measure: Measure, year: int, missing: dict[tuple[str, int], str]) -> str:
    reasons = dict.fromkeys(
        missing[(t, year)] for t in source_tables(measure) if (t, year) in missing
    )
    return f"not computed: {'; '.join(reasons)}" if reasons else ""


def _population(store: DuckDBBackend, la_code: str | None) -> dict[int, float]:
    if la_code is None or not store.table_exists("population"):
        return {}
    table = store.fetch_arrow("select year, children from population where la_code = ?", [la_code])
    return dict(
        zip(table.column(0).to_pylist(), map(float, table.column(1).to_pylist()), strict=True)
    )


def _value(measure: Measure, numerator: float, denominator: float) -> float | None:
    if measure.unit == "count":
        return numerator
    if denominator == 0:
        return None
    return measure.scale * numerator / denominator


def compute_measure(
    store: DuckDBBackend, measure: Measure, *, la_code: str | None = None
) -> list[MeasureValue]:
    """One measure's figure for every year in the store (nothing if its tables are absent)."""
    if not _available(store, measure):
        return []
    code = council_code(store, la_code)
    prepare(store, code)
    return _compute(store, measure, _population(store, code), gaps(store))


def _compute(
    store: DuckDBBackend,
    measure: Measure,
    population: dict[int, float],
    missing: dict[tuple[str, int], str],
) -> list[MeasureValue]:
    totals = store.fetch_arrow(totals_sql(measure), step=f"computing measure {measure.id}")
    by_year = {int(row["year"]): row for row in totals.to_pylist() if row["year"] is not None}
    tables = set(source_tables(measure))
    absent_years = {year for table, year in missing if table in tables}
    values = []
    for year in sorted(set(by_year) | _years(store, measure) | absent_years):
        reason = _not_computed(measure, year, missing)
        if reason:
            values.append(MeasureValue(measure.id, year, None, 0.0, 0.0, reason))
            continue
        row = by_year.get(year)
        numerator = float(row["numerator"] or 0.0) if row else 0.0
        if measure.unit == "per10k":
            denominator = population.get(year, 0.0)
        elif measure.unit == "count":
            denominator = float(row["n"]) if row else 0.0
        else:
            denominator = float(row["denominator"] or 0.0) if row else 0.0
        values.append(
            MeasureValue(measure.id, year, _value(measure, numerator, denominator), numerator,
                         denominator)
        )  # fmt: skip
    return values


def compute_measures(
    store: DuckDBBackend, ids: Iterable[str] | None = None, *, la_code: str | None = None
) -> list[MeasureValue]:
    """Every (or the chosen) measure's figure for every year the store holds.

    Measures whose source tables are not in the store (say, no workforce loaded) are skipped.
    """
    code = council_code(store, la_code)
    prepare(store, code)
    population = _population(store, code)
    missing = gaps(store)
    values: list[MeasureValue] = []
    for measure in select(ids):
        if _available(store, measure):
            values.extend(_compute(store, measure, population, missing))
    return values


def explain(
    store: DuckDBBackend, measure_id: str, year: int, *, la_code: str | None = None
) -> pd.DataFrame:
    """The children and records behind one measure's figure for one year.

    Columns: subject_id, numerator, denominator, record. Summed as ``compute_measures`` sums
    them, they give the same figure.
    """
    measure = get_measure(measure_id)
    missing = [t for t in source_tables(measure) if not store.table_exists(t)]
    if missing:
        raise NotFound(f"measure {measure_id} needs {', '.join(missing)}, which is not loaded")
    prepare(store, council_code(store, la_code))
    table = store.fetch_arrow(
        f"select subject_id, numerator, denominator, record from ({rows_sql(measure)}) as r"
        " where year = ? order by subject_id, record",
        [year],
        step=f"explaining measure {measure_id}",
    )
    return table.to_pandas()


def measures_frame(values: Iterable[MeasureValue]) -> pd.DataFrame:
    """Measure values as a tidy table: measure_id, year, value, numerator, denominator."""
    return pd.DataFrame(
        [(v.measure_id, v.year, v.value, v.numerator, v.denominator) for v in values],
        columns=["measure_id", "year", "value", "numerator", "denominator"],
    )


def require_council(store: DuckDBBackend, la_code: str | None = None) -> str:
    """The council code, or a ConfigError saying how to give it."""
    code = council_code(store, la_code)
    if code is None:
        raise ConfigError(
            "cannot tell which council the measures are for: pass --la-code "
            "(for example 330 for Birmingham) or load population estimates for one council"
        )
    return code
