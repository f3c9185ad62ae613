"""``turnaround validate`` and ``turnaround load``: check returns, and bring them (and the
workforce) into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import Actor
from turnaround.cli.app import app, settings_from
from turnaround.errors import ValidationFailed
from turnaround.present.format import count
from turnaround.returns.load import validate_returns
from turnaround.returns.model import ValidationReport
from turnaround.returns.present import collection_year, loaded_lines, rule_lines, table_lines
from turnaround.returns.report import summary_by_rule, write_failures
from turnaround.returns.rules.registry import not_run
from turnaround.store import open_store
from turnaround.workforce.intake import load_files
from turnaround.workforce.present import workforce_load_line

PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Return files or folders (SSDA903 CSVs or XML, CIN XML, Annex A); for load, also "
        "the workforce export's folder or files, or a CSWW file."
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        help="Collection year (the year of its 31 March: 2018 is 2017-18); overrides the year "
        "read from the dates and names."
    ),
]
CompleteOption = Annotated[
    bool,
    typer.Option(
        "--complete",
        help="Refuse a return missing a table its year requires (ready to submit to the DfE).",
    ),
]


def _print_not_run(console: Console, report: ValidationReport) -> None:
    """One line per missing table: the rules that could not run without it."""
    by_need: dict[str, list[str]] = {}
    for code, need in not_run(report.failures).items():
        by_need.setdefault(need, []).append(code)
    for need, codes in by_need.items():
        console.print(f"Not run ({need}): {len(codes)} rules, {', '.join(sorted(codes))}")


def _summary_table(report: ValidationReport, limit: int = 30) -> Table:
    table = Table(title="Failures by rule")
    for column in ("File", "Rule", "Severity", "Message", "Rows", "Example"):
        table.add_column(column, justify="right" if column == "Rows" else "left")
    summary = summary_by_rule(report)
    for line in rule_lines(summary.head(limit)):
        table.add_row(line.where, line.rule, line.severity, line.message, line.rows, line.example)
    if len(summary) > limit:
        table.caption = f"and {count(len(summary) - limit)} more rules: see the CSV or Excel report"
    return table


@app.command("validate")
def validate(
    ctx: typer.Context,
    paths: PathsArgument,
    year: YearOption = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the CSV and Excel report.")] = None,
    complete: CompleteOption = False,
) -> None:
    """Check returns against their year's layout, code lists and DfE rules; load nothing.

    Example: turnaround validate workspace/city/returns/ssda903/2014 --year 2014
    """
    settings = settings_from(ctx)
    console = Console()
    report = validate_returns(paths, year=year, complete=complete)
    folder = out or settings.workspace / "validation"
    written = write_failures(report, folder)
    for data in report.returns:
        rows = sum(len(t) for t in data.tables.values())
        console.print(f"{data.kind} {collection_year(data.year)}: {count(rows)} rows read")
    if report.failures:
        console.print(_summary_table(report))
    _print_not_run(console, report)
    errors = len(report.errors)
    queries = len(report.failures) - errors
    console.print(
        f"{count(errors)} errors, {count(queries)} queries. Report: {written[0]} and {written[1]}"
    )
    if errors:
        raise typer.Exit(1)


@app.command("load")
def load(
    ctx: typer.Context,
    paths: PathsArgument,
    year: YearOption = None,
    lenient: Annotated[
        bool, typer.Option("--lenient", help="Load the rows that pass; quarantine the rest.")
    ] = False,
    user: Annotated[str | None, typer.Option(help="Who is loading. Env: TURNAROUND_USER.")] = None,
    complete: CompleteOption = False,
) -> None:
    """Validate returns and the workforce export, and load them into the workspace store.

    Example: turnaround load workspace/city/returns workspace/city/workforce --lenient
    """
    settings = settings_from(ctx)
    console = Console()
    store = open_store(settings.store_path)
    try:
        result = load_files(
            store,
            paths,
            actor=Actor.cli(user or settings.user),
            year=year,
            mode="lenient" if lenient else "strict",
            complete=complete,
        )
    except ValidationFailed as exc:
        report = ValidationReport(returns=[], failures=exc.failures)
        written = write_failures(report, settings.workspace / "validation")
        console.print(_summary_table(report))
        _print_not_run(console, report)
        raise ValidationFailed(f"{exc} Report: {written[0]}") from None
    finally:
        store.close()
    table = Table(title="Loaded")
    for column in ("Return", "Year", "Rows loaded", "Quarantined", "Errors", "Queries"):
        table.add_column(column, justify="left" if column == "Return" else "right")
    lines = loaded_lines(result.returns) if result.returns else ()
    if result.workforce is not None:
        lines = (*lines, workforce_load_line(result.workforce))
    for line in lines:
        table.add_row(line.kind, line.year, line.rows, line.quarantined, line.errors, line.queries)
    console.print(table)
    if result.returns is None:
        return
    by_table = Table(title="By table: in the store, and set aside in quarantine")
    for column in ("Return", "Year", "Table", "Loaded", "Quarantined"):
        by_table.add_column(
            column, justify="right" if column in ("Loaded", "Quarantined") else "left"
        )
    for item in table_lines(result.returns):
        by_table.add_row(item.kind, item.year, item.table, item.loaded, item.quarantined)
    console.print(by_table)
    report = result.returns.report
    _print_not_run(console, report)
    if report.errors or any(f.severity == "query" for f in report.failures):
        written = write_failures(report, settings.workspace / "validation")
        errors = len(report.errors)
        console.print(
            f"{errors:,} errors and {len(report.failures) - errors:,} queries: every one, "
            f"with its file, row, place and field, is in {written[0]} and {written[1]}. "
            "The web app lists the records set aside at /data/quarantine.",
            soft_wrap=True,
            markup=False,
        )
