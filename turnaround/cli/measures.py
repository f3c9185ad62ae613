"""``turnaround measures``: the standard measures, their trends and benchmarks, and drill-down."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import Actor
from turnaround.cli.app import app, settings_from
from turnaround.measures.drill_down import measure_records
from turnaround.measures.present import measure_rows
from turnaround.measures.summary import summarise
from turnaround.store import open_store

measures_app = typer.Typer(
    help="The standard performance measures, trended and benchmarked.",
    invoke_without_command=True,
)
app.add_typer(measures_app, name="measures")

LaCodeOption = Annotated[
    str | None, typer.Option("--la-code", help="The council's 3-digit DfE code, e.g. 330.")
]


@measures_app.callback()
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print every measure as JSON.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print one row per measure and year.")
    ] = False,
    la_code: LaCodeOption = None,
) -> None:
    """Show each measure's latest value, its trend, and England, region and neighbours.

    Example: turnaround measures --json
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        summaries = summarise(store, la_code or settings.la_code)
    finally:
        store.close()
    if as_json:
        json.dump([s.to_dict() for s in summaries], sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(
            [
                "measure_id",
                "title",
                "year",
                "value",
                "numerator",
                "denominator",
                "england",
                "region",
                "neighbours_median",
                "better",
                "unit",
                "not_computed",
            ]
        )
        for s in summaries:
            bench = {b.year: b for b in s.benchmarks}
            for v in s.values:
                b = bench.get(v.year)
                writer.writerow(
                    [
                        s.measure.id,
                        s.measure.title,
                        v.year,
                        v.value,
                        v.numerator,
                        v.denominator,
                        b.england if b else None,
                        b.region if b else None,
                        b.neighbours_median if b else None,
                        s.measure.better,
                        s.measure.unit,
                        v.not_computed,
                    ]
                )
        return
    table = Table(title="Performance measures (latest year)")
    for column in (
        "Measure",
        "Year",
        "Value",
        "Trend",
        "England",
        "Region",
        "Neighbours",
        "Better",
    ):
        table.add_column(column, justify="left" if column in ("Measure", "Trend") else "right")
    rows = measure_rows(summaries)
    for row in rows:
        table.add_row(
            row.title,
            row.year,
            row.value,
            row.trend_text,
            row.england,
            row.region,
            row.neighbours,
            row.better,
        )
    console = Console()
    console.print(table)
    for row in rows:
        if row.not_computed:
            console.print(
                f"{row.title}, {row.year}: {row.not_computed}.", markup=False, soft_wrap=True
            )


@measures_app.command("explain")
def explain_measure(
    ctx: typer.Context,
    measure_id: Annotated[str, typer.Argument(help="The measure's id, as in docs/measures.md.")],
    year: Annotated[
        int | None, typer.Option(help="Collection year; the latest if omitted.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Who is asking. Env: TURNAROUND_USER.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why, for the audit log.")] = None,
    la_code: LaCodeOption = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the rows as CSV.")] = False,
) -> None:
    """List the children and records behind a measure's figure (authorised users; audited).

    Example: turnaround measures explain lac_per_10k --year 2014 --user ana
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        found = measure_records(
            store,
            Actor.cli(user or settings.user),
            measure_id,
            year=year,
            la_code=la_code or settings.la_code,
            reason=reason,
        )
    finally:
        store.close()
    measure, year, rows = found.measure, found.year, found.rows
    if as_csv:
        rows.to_csv(sys.stdout, index=False)
        return
    numerator, denominator = found.numerator, found.denominator
    console = Console()
    console.print(f"[bold]{measure.title}[/], {year}: {measure.definition}")
    console.print(
        f"Numerator {numerator:,.0f} ({measure.numerator}); denominator "
        f"{denominator:,.0f} ({measure.denominator}); {len(rows):,} rows."
    )
    table = Table()
    for column in ("Subject", "Numerator", "Denominator", "Record"):
        table.add_column(
            column, justify="right" if column in ("Numerator", "Denominator") else "left"
        )
    for row in rows.head(200).itertuples(index=False):
        table.add_row(
            str(row.subject_id), f"{row.numerator:g}", f"{row.denominator:g}", str(row.record)
        )
    if len(rows) > 200:
        table.caption = f"first 200 of {len(rows):,} rows: use --csv for all"
    console.print(table)
