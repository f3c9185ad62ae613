"""Validation reports for people: a table on screen, CSV and Excel files, and the HTML section."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from turnaround.report.html import Section, render_fragment
from turnaround.returns.model import FAILURE_COLUMNS, ValidationReport, failures_frame
from turnaround.returns.present import data_quality_view
from turnaround.returns.rules.registry import split_message
from turnaround.store import Store

HEADINGS = {
    "file": "File",
    "row": "Row",
    "where": "Where",
    "child_id": "Child ID",
    "table": "Table",
    "field": "Field",
    "rule": "Rule",
    "message": "Message",
    "severity": "Severity",
}


def write_failures(report: ValidationReport, out_dir: Path, stem: str = "validation") -> list[Path]:
    """Every failure as CSV and as an Excel workbook (failures, and a summary by rule)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = failures_frame(report.failures)[FAILURE_COLUMNS].rename(columns=HEADINGS)
    csv_path = out_dir / f"{stem}.csv"
    frame.to_csv(csv_path, index=False)
    xlsx_path = out_dir / f"{stem}.xlsx"
    summary = summary_by_rule(report)
    with pd.ExcelWriter(xlsx_path, engine="xlsxwriter") as writer:
        summary.to_excel(writer, sheet_name="Summary by rule", index=False)
        frame.to_excel(writer, sheet_name="Failures", index=False)
        for sheet, data in (("Summary by rule", summary), ("Failures", frame)):
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, max(len(data), 1), max(len(data.columns) - 1, 0))
            for i, column in enumerate(data.columns):
                # A column of nothing but blanks (no child ids, say) has no length at all.
                longest = data[column].astype(str).str.len().fillna(0).max() if len(data) else 0
                width = min(80, max(10, len(str(column)), int(longest) + 2))
                worksheet.set_column(i, i, width)
    return [csv_path, xlsx_path]


SUMMARY_COLUMNS = ["File", "Rule", "Severity", "Message", "Rows", "Example"]


def summary_by_rule(report: ValidationReport) -> pd.DataFrame:
    """Failures counted by file, rule and the rule's message, most common first, each with the
    values of its first failing row as an example ('DEC 01/05/2022, DECOM 03/06/2022')."""
    frame = failures_frame(report.failures)
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    parts = [split_message(r, m) for r, m in zip(frame["rule"], frame["message"], strict=True)]
    frame["message"] = [base for base, _ in parts]
    frame["example"] = [values for _, values in parts]
    summary = (
        frame.groupby(["file", "rule", "severity", "message"], dropna=False, sort=True)
        .agg(rows=("rule", "size"), example=("example", "first"))
        .reset_index()
        .sort_values(["rows", "rule"], ascending=[False, True], kind="stable")
    )
    return summary.rename(
        columns={
            "file": "File",
            "rule": "Rule",
            "severity": "Severity",
            "message": "Message",
            "rows": "Rows",
            "example": "Example",
        }
    )[SUMMARY_COLUMNS]


def data_quality(store: Store) -> dict[str, pd.DataFrame]:
    """Per return and year: rows loaded, set aside, errors and queries; failures by rule; and
    rows quarantined by table."""
    loads = store.fetch_df(
        "select l.kind, l.year, l.rows_loaded, l.loaded_at,"
        " (select count(*) from quarantine q where q.load_id = l.load_id) as quarantined,"
        " (select count(*) from validation_failures f"
        "   where f.load_id = l.load_id and f.severity = 'error') as errors,"
        " (select count(*) from validation_failures f"
        "   where f.load_id = l.load_id and f.severity <> 'error') as queries"
        " from loads l where l.kind in ('ssda903', 'cin', 'annex_a') order by l.kind, l.year",
        step="reading the returns loaded",
    )
    other = store.fetch_df(
        "select kind, source, rows_loaded from loads "
        "where kind not in ('ssda903', 'cin', 'annex_a') order by kind, source",
        step="reading the other loads",
    )
    failures = store.fetch_df(
        "select kind, year, rule, severity, min(message) as message, count(*) as rows "
        "from validation_failures group by all order by kind, year, rows desc, rule",
        step="counting validation failures",
    )
    parts = [
        split_message(r, m) for r, m in zip(failures["rule"], failures["message"], strict=True)
    ]
    failures["message"] = [base for base, _ in parts]
    failures["example"] = [values for _, values in parts]
    quarantined = store.fetch_df(
        "select kind, year, table_name, count(*) as rows from quarantine group by all "
        "order by kind, year, table_name",
        step="counting quarantined rows",
    )
    return {"loads": loads, "other": other, "failures": failures, "quarantined": quarantined}


def data_quality_section(store: Store) -> Section:
    """The report's data-quality section."""
    view = data_quality_view(data_quality(store))
    body = render_fragment("data_quality_section.html.j2", view=view)
    return Section(id="data-quality", title="Data quality", body=body, summary=view.summary)
