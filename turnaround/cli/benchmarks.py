"""``turnaround benchmarks``: bring the DfE's published tables into the workspace store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import Actor
from turnaround.benchmarks.load import load_benchmarks
from turnaround.cli.app import app, settings_from
from turnaround.store import open_store

benchmarks_app = typer.Typer(
    help=(
        "Published benchmarks: the DfE's local-authority tables, for comparison with England, "
        "the region and statistical neighbours.\n\n"
        "Example: turnaround benchmarks load ../shared/data/dfe"
    ),
    no_args_is_help=True,
)
app.add_typer(benchmarks_app, name="benchmarks")


@benchmarks_app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="DfE table CSVs, or folders of them.", show_default=False)
    ],
    user: Annotated[str | None, typer.Option(help="Who is loading. Env: TURNAROUND_USER.")] = None,
) -> None:
    """Load DfE local-authority tables (and the ONS child population) in one transaction.

    Each table is recognised by its columns. Suppressed figures ('c', 'x', 'z', 'low' ...) are
    stored as missing. Loading a table again replaces the years it covers.

    Example: turnaround benchmarks load ../shared/data/dfe
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        loaded = load_benchmarks(store, paths, actor=Actor.cli(user or settings.user))
    finally:
        store.close()
    table = Table(title="Published benchmarks loaded")
    for column in ("File", "Table", "Store table", "Rows"):
        table.add_column(column, justify="right" if column == "Rows" else "left")
    for item in loaded:
        for target, rows in item.rows_loaded.items():
            table.add_row(item.path.name, item.source, target, f"{rows:,}")
    Console().print(table)
