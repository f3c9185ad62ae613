"""``turnaround synth``: generate a synthetic local authority."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.cli.app import app, settings_from
from turnaround.cli.progress import stage_progress
from turnaround.errors import ConfigError, describe_invalid
from turnaround.synth.calibration import Figure
from turnaround.synth.city import generate_city
from turnaround.synth.config import DEMO_CHILDREN, SynthConfig


@app.command("synth")
def synth(
    ctx: typer.Context,
    children: Annotated[int, typer.Option(help="Children aged 0-17 at the end.")] = DEMO_CHILDREN,
    seed: Annotated[int, typer.Option(help="The same seed gives the same city.")] = 1,
    end_year: Annotated[int, typer.Option(help="Last collection year (to 31 March).")] = 2014,
    years: Annotated[int, typer.Option(help="Collection years to write.")] = 5,
    threshold: Annotated[
        str, typer.Option(help="Referral thresholds: high, typical or low.")
    ] = "high",
    out: Annotated[
        Path | None, typer.Option(help="Folder to write (default: workspace/city).")
    ] = None,
    report: Annotated[
        bool, typer.Option("--report", help="Print generated beside published.")
    ] = False,
) -> None:
    """Generate a synthetic local authority: returns, partner extracts, workforce, ground truth.

    Example: turnaround synth --children 25000 --seed 7 --out workspace/city --report
    """
    settings = settings_from(ctx)
    try:
        config = SynthConfig(
            children=children,
            seed=seed,
            end_year=end_year,
            years=years,
            threshold=threshold,
        )
    except ValueError as exc:
        raise ConfigError(f"synth: {describe_invalid(exc)}") from None
    target = out or settings.city_dir
    console = Console()
    with stage_progress(console, "Generating the city") as progress:
        generated = generate_city(config, target, progress)
    console.print(f"Wrote the city to [bold]{target}[/]")
    if report:
        console.print(calibration_table(generated.figures, config.end_year))
        console.print(f"At-risk children unknown to social care: {generated.unknown_at_risk:,}")


def calibration_table(figures: list[Figure], year: int) -> Table:
    """The calibration figures as a Rich table."""
    table = Table(
        title=f"Calibration, year to 31 March {year}",
        caption="Published: Birmingham's figure scaled to the city's size; for a median change, "
        "the DfE panel's median for councils of the city's size, within its 25th to 75th "
        "percentiles.",
    )
    for col in ("Figure", "Generated", "Published (scaled)", "Ratio", "Within"):
        table.add_column(col, justify="right" if col not in ("Figure", "Within") else "left")
    for f in figures:
        fmt = (lambda v: f"{100 * v:.1f}%") if f.unit == "share" else (lambda v: f"{v:,.0f}")
        table.add_row(
            f.label,
            fmt(f.generated),
            fmt(f.published),
            f"{f.ratio:.2f}",
            f"yes ({f.allowed})" if f.within else f"NO ({f.allowed})",
        )
    return table
