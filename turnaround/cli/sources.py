"""``turnaround sources``: partner extracts and the mapping files that describe them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from turnaround.cli.app import app
from turnaround.linkage.sources import DEFAULT_THRESHOLD, check_source, load_mapping
from turnaround.returns.model import Failure, failures_frame

sources_app = typer.Typer(help="Partner extracts and their mapping files.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def check(
    mapping: Annotated[str, typer.Argument(help="A shipped mapping's name, or a YAML file.")],
    csv_path: Annotated[Path, typer.Argument(metavar="CSV", help="The extract to check.")],
    threshold: Annotated[
        float, typer.Option(help="Share of unreadable values in a column that is an error.")
    ] = DEFAULT_THRESHOLD,
    as_json: Annotated[bool, typer.Option("--json", help="Print every failure as JSON.")] = False,
) -> None:
    """Check a mapping against its extract: columns, record ids, dates, codes, identifiers.

    Exits 1 if there is any error; queries (single unreadable values) are listed but pass.

    Example: turnaround sources check police_domestic_abuse workspace/city/extracts/police_domestic_abuse.csv
    """  # noqa: E501
    failures = check_source(load_mapping(mapping), csv_path, threshold=threshold)
    errors = [f for f in failures if f.severity == "error"]
    if as_json:
        typer.echo(json.dumps([_as_dict(f) for f in failures], indent=2))
    else:
        console = Console()
        if failures:
            console.print(_summary(failures))
        console.print(
            f"{csv_path.name}: {len(errors):,} errors, {len(failures) - len(errors):,} queries"
        )
    if errors:
        raise typer.Exit(1)


def _summary(failures: list[Failure], limit: int = 30) -> Table:
    frame = failures_frame(failures)
    summary = (
        frame.groupby(["severity", "field", "rule", "message"], dropna=False)
        .agg(rows=("message", "size"), first=("row", "min"))
        .reset_index()
    )
    table = Table(title="Problems by field and rule")
    for column in ("Severity", "Field", "Rule", "Message", "Rows", "First line"):
        table.add_column(column, justify="right" if column in ("Rows", "First line") else "left")
    for row in summary.head(limit).to_dict("records"):
        first = "" if pd.isna(row["first"]) else f"{int(row['first']):,}"
        table.add_row(
            str(row["severity"]),
            str(row["field"]),
            str(row["rule"]),
            str(row["message"]),
            f"{int(row['rows']):,}",
            first,
        )
    if len(summary) > limit:
        table.caption = f"and {len(summary) - limit} more: see --json"
    return table


def _as_dict(failure: Failure) -> dict[str, object]:
    return {
        "file": failure.file,
        "row": failure.row,
        "record_id": failure.child_id,
        "source": failure.table,
        "field": failure.field,
        "rule": failure.rule,
        "message": failure.message,
        "severity": failure.severity,
    }
