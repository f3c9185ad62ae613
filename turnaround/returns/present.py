"""The returns' data quality as people see it: each load's rows, quarantine, errors and queries,
the failures by rule, and the rows set aside.

``turnaround validate`` / ``turnaround load``, the report's data-quality section and the web's
``/data`` page all render these, so a load's counts read the same in each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from turnaround.present.format import MISSING, count, financial_year
from turnaround.returns.schema import schema_for

if TYPE_CHECKING:
    import pandas as pd

    from turnaround.returns.load import LoadResult


def collection_year(year: int | None) -> str:
    """A collection year (the year of its 31 March) as the year it covers: 2014 is '2013-14'."""
    if year is None or year != year:  # None, or NaN from a frame of loads without a year
        return MISSING
    return financial_year(int(year) - 1)


@dataclass(frozen=True)
class LoadLine:
    """One return-year as loaded: rows in the store, rows set aside, errors and queries."""

    kind: str
    year: str
    rows: str
    quarantined: str
    errors: str
    queries: str


@dataclass(frozen=True)
class StoredLoad:
    """One load as the store records it: its counts, where it came from, when and by whom."""

    line: LoadLine
    source: str
    when: Any  # the load's timestamp; the web writes it in local time
    by: str


@dataclass(frozen=True)
class OtherLoad:
    """Data that is not a return (workforce, population, partner extracts): kind, source, rows."""

    kind: str
    source: str
    rows: str


@dataclass(frozen=True)
class RuleLine:
    """Failures of one rule, counted: where, which rule, how bad, what it says, how many rows."""

    where: str  # a file, or a return and its year
    rule: str
    severity: str
    message: str
    rows: str
    example: str = ""  # the values of one failing row: 'DEC 01/05/2022, DECOM 03/06/2022'


@dataclass(frozen=True)
class QuarantineLine:
    """Rows of one table of one return-year set aside by a lenient load."""

    kind: str
    year: str
    table: str
    rows: str


@dataclass(frozen=True)
class DataQualityView:
    """The store's data quality: the loads, the other data, failures by rule and quarantine."""

    loads: tuple[LoadLine, ...]
    other: tuple[OtherLoad, ...]
    failures: tuple[RuleLine, ...]
    quarantined: tuple[QuarantineLine, ...]
    return_years: str
    errors: str
    quarantined_total: str

    @property
    def summary(self) -> str:
        """The section's one line: '2 return-years loaded; 2 errors'."""
        return f"{self.return_years} return-years loaded; {self.errors} errors"


def load_line(
    kind: str, year: int | None, rows: int, quarantined: int, errors: int, queries: int
) -> LoadLine:
    """One return-year's counts, written for people."""
    return LoadLine(
        kind=kind,
        year=collection_year(year),
        rows=count(rows),
        quarantined=count(quarantined),
        errors=count(int(errors)),
        queries=count(queries),
    )


def loaded_lines(result: LoadResult) -> tuple[LoadLine, ...]:
    """What one ``load_returns`` call did, a line per return-year."""
    lines = []
    for item in result.loaded:
        errors = sum(f.severity == "error" for f in item.failures)
        lines.append(
            load_line(
                item.kind,
                item.year,
                sum(item.rows_loaded.values()),
                item.rows_quarantined,
                errors,
                len(item.failures) - errors,
            )
        )
    return tuple(lines)


# A CIN table's records are elements of the census: named by the element each record is.
CIN_RECORDS = {
    "children": "Child", "disabilities": "Disability", "episodes": "CINdetails",
    "assessments": "Assessments", "assessment_factors": "AssessmentFactors",
    "cin_plans": "CINPlanDates", "s47": "Section47", "cp_plans": "ChildProtectionPlans",
    "cp_reviews": "CPPreviewDate", "pre_proceedings": "PreProceedingsandFGDM",
}  # fmt: skip


@dataclass(frozen=True)
class TableLine:
    """One table of one return-year as loaded: records in the store and records set aside."""

    kind: str
    year: str
    table: str  # the DfE's name for the table (Episodes, CINdetails's table, List 4 ...)
    loaded: str
    quarantined: str


def table_lines(result: LoadResult) -> tuple[TableLine, ...]:
    """Per table, exactly what a load left in the store and in quarantine (tables with none
    of either are left out)."""
    lines = []
    for item in result.loaded:
        layout = schema_for(item.kind, item.year).tables.values()
        names = {t.canonical: t.sheet or t.name for t in layout}
        if item.kind == "cin":
            names = {**names, **CIN_RECORDS}
        for table, rows in item.rows_loaded.items():
            held = item.quarantined.get(table, 0)
            if rows or held:
                lines.append(
                    TableLine(item.kind, collection_year(item.year), names.get(table, table),
                              count(rows), count(held))
                )  # fmt: skip
    return tuple(lines)


def stored_loads(rows: Iterable[tuple[Any, ...]]) -> tuple[StoredLoad, ...]:
    """Loads from ``loads_sql`` rows: kind, year, source name, rows, quarantined, errors,
    queries, when, by."""
    return tuple(
        StoredLoad(
            line=load_line(str(kind), year, int(rows), int(quarantined), int(errors), int(queries)),
            source=str(source),
            when=when,
            by=str(by or ""),
        )
        for kind, year, source, rows, quarantined, errors, queries, when, by in rows
    )


def rule_lines(summary: pd.DataFrame) -> tuple[RuleLine, ...]:
    """``summary_by_rule``'s rows (File, Rule, Severity, Message, Rows, Example), for people."""
    return tuple(
        RuleLine(str(where), str(rule), str(severity), str(message), count(int(rows)), str(ex))
        for where, rule, severity, message, rows, ex in summary[
            ["File", "Rule", "Severity", "Message", "Rows", "Example"]
        ].itertuples(index=False, name=None)
    )


def data_quality_view(tables: dict[str, pd.DataFrame]) -> DataQualityView:
    """``returns.report.data_quality``'s tables as every face shows them."""
    loads, failures = tables["loads"], tables["failures"]
    quarantined = tables["quarantined"]
    errors = failures.loc[failures["severity"] == "error", "rows"].sum() if len(failures) else 0
    return DataQualityView(
        loads=tuple(
            load_line(
                str(r["kind"]),
                int(r["year"]),
                int(r["rows_loaded"]),
                int(r["quarantined"]),
                int(r["errors"]),
                int(r["queries"]),
            )
            for r in loads.to_dict("records")
        ),
        other=tuple(
            OtherLoad(str(r["kind"]), str(r["source"]), count(int(r["rows_loaded"])))
            for r in tables["other"].to_dict("records")
        ),
        failures=tuple(
            RuleLine(
                f"{r['kind']} {collection_year(r['year'])}",
                str(r["rule"]),
                str(r["severity"]),
                str(r["message"]),
                count(int(r["rows"])),
                str(r.get("example") or ""),
            )
            for r in failures.to_dict("records")
        ),
        quarantined=tuple(
            QuarantineLine(
                str(r["kind"]), collection_year(r["year"]), str(r["table_name"]), count(r["rows"])
            )
            for r in quarantined.to_dict("records")
        ),
        return_years=count(len(loads)),
        errors=count(int(errors)),
        quarantined_total=count(int(quarantined["rows"].sum()) if len(quarantined) else 0),
    )
