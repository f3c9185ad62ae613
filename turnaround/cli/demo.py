"""``turnaround demo``: run every stage on the synthetic city and write the report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.cli.app import app, settings_from
from turnaround.cli.progress import stage_progress
from turnaround.demo import run_demo
from turnaround.synth.config import DEMO_CHILDREN


@app.command("demo")
def demo(
    ctx: typer.Context,
    children: Annotated[int, typer.Option(help="Size of the synthetic city.")] = DEMO_CHILDREN,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic city.")] = 1,
) -> None:
    """Generate the synthetic city, run every stage on it, and write the HTML report.

    Example: turnaround demo --children 25000
    """
    settings = settings_from(ctx)
    console = Console()
    with stage_progress(console, "Demo") as progress:
        result = run_demo(settings, children=children, seed=seed, progress=progress)
    from turnaround.cli.synth import calibration_table

    console.print(calibration_table(result.city.figures, result.config.end_year))
    from turnaround.cli.unknown import evaluation_tables

    for table in evaluation_tables(result.evaluation):
        console.print(table)
    from turnaround.cli.forecast import backtest_table, budget_tables, looked_after_table
    from turnaround.cli.workforce import workforce_tables

    for table in workforce_tables(result.workforce):
        console.print(table)
    console.print(looked_after_table(result.forecast))
    headline = result.backtest[result.backtest["series"] == "looked_after"]
    console.print(backtest_table(headline))
    for table in budget_tables(result.forecast):
        console.print(table)
    plan = result.plan
    counts = ", ".join(f"{n} {rating}" for rating, n in plan.progress.rating_counts().items())
    console.print(
        f"Improvement plan version {plan.version}, as at {plan.progress.as_at:%d %B %Y}: {counts}"
    )
    for label in ("route map", "route map (PDF)", "board report", "board report (PDF)"):
        if label in plan.files:
            console.print(f"Plan {label}: [bold]{plan.files[label]}[/]")
    console.print(f"Five-year budget workbook: [bold]{result.workbook}[/]")
    for path in result.worklist_files:
        console.print(f"Worklist (identifiable, audited): [bold]{path}[/]")
    console.print(f"Report: [bold]{result.report_path}[/]  (open it in a browser)")
    console.print(web_users_table(result.web_users))
    workspace = settings.workspace
    console.print(
        "Start the web app with [bold].venv/bin/turnaround --workspace "
        f"{workspace} serve[/], then open http://127.0.0.1:8000/ and sign in as one of the "
        "users above. The passwords are shown only now; 'turnaround users add NAME --role "
        "ROLE' sets a new one."
    )


def web_users_table(users: dict[str, str]) -> Table:
    """The demo's web users, one per role, with the passwords shown this once."""
    table = Table(title="Web app users (passwords shown once)")
    for column in ("Role", "Username", "Password"):
        table.add_column(column)
    for username, password in users.items():
        table.add_row(username.removeprefix("demo_").replace("_", " "), username, password)
    return table
