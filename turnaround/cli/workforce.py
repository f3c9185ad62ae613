"""``turnaround workforce``: priority 2, management capacity and a costed plan to strengthen it."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from turnaround.cli.app import app, settings_from
from turnaround.errors import InputError
from turnaround.store import open_store
from turnaround.workforce.assess import (
    TARGET_CASELOAD,
    TARGET_SPAN,
    WorkforceAssessment,
    assess_with_forecast,
)
from turnaround.workforce.present import workforce_view


@app.command("workforce")
def workforce(
    ctx: typer.Context,
    at: Annotated[
        str | None,
        typer.Option(help="As at YYYY-MM-DD (default: the latest vacancy snapshot)."),
    ] = None,
    threshold: Annotated[int, typer.Option(help="Caseload above which a worker is flagged.")] = 20,
    target_caseload: Annotated[
        float, typer.Option(help="Cases per social worker FTE the plan aims for.")
    ] = TARGET_CASELOAD,
    target_span: Annotated[
        float, typer.Option(help="Social workers per team manager the plan aims for.")
    ] = TARGET_SPAN,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Caseloads, spans, agency, vacancy and turnover, the senior structure, posts needed, and
    a costed recruitment plan, from the workforce export in the store.

    Example: turnaround workforce --target-caseload 16
    """
    try:
        day = date.fromisoformat(at) if at else None
    except ValueError:
        raise InputError(f"--at {at!r} is not a date written YYYY-MM-DD") from None
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        result = assess_with_forecast(
            store,
            at=day,
            threshold=threshold,
            target_caseload=target_caseload,
            target_span=target_span,
        )
    finally:
        store.close()
    if as_json:
        json.dump(workforce_json(result), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return
    console = Console()
    for gap in result.gaps:
        console.print(f"Not computed: {gap}")
    for table in workforce_tables(result):
        console.print(table)


def workforce_json(result: WorkforceAssessment) -> dict[str, Any]:
    """The assessment as plain data."""
    loads, rates, span = result.caseloads, result.rates, result.spans
    return {
        "at": result.at,
        "not_computed": list(result.gaps),
        "caseloads": {
            "workers": loads.worker_count,
            "fte": loads.worker_fte,
            "open_cases": loads.open_cases,
            "unallocated": loads.unallocated_cases,
            "median": loads.median,
            "share_above_threshold": loads.share_above,
            "threshold": loads.threshold,
            "teams": loads.teams.to_dict("records"),
        },
        "rates": {
            "agency": rates.agency_rate,
            "vacancy": rates.vacancy_rate,
            "turnover": rates.turnover_rate,
        },
        "spans": {
            "median_team_manager_span": span.median_team_manager_span,
            "median_service_manager_span": span.median_service_manager_span,
            "teams_without_permanent_manager": span.teams_without_permanent_manager[
                "team_id"
            ].tolist(),
            "cycles": [list(c) for c in span.cycles],
            "missing_managers": [list(m) for m in span.missing_managers],
        },
        "stability": None if result.stability is None else result.stability.share_three_or_more,
        "senior_structure": {
            "sole_director": result.senior.sole_director,
            "flags": list(result.senior.flags),
        },
        "posts_needed": result.needed.years.astype(object)
        .where(result.needed.years.notna(), None)
        .to_dict("records"),
        "plan": result.plan.costs_by_year().to_dict("records"),
    }


def workforce_tables(result: WorkforceAssessment) -> list[Table]:
    """Where the service stands, the posts needed, and the plan's cost, for a terminal."""
    view = workforce_view(result)
    stands = Table(title=f"Management capacity at {view.at}")
    stands.add_column("Measure")
    stands.add_column("Value", justify="right")
    for label, value in view.headline:
        stands.add_row(label, value)
    stands.caption = f"Senior structure: {'; '.join(view.senior_flags) or 'none'}"
    needed = Table(
        title=f"Posts needed for {view.target_caseload} cases per worker "
        f"and spans of {view.target_span}"
    )
    for column in ("Year", "Open cases", "Social worker FTE", "Team managers"):
        needed.add_column(column, justify="right")
    for posts in view.needed:
        needed.add_row(posts.year, posts.cases, posts.workers, posts.managers)
    plan = Table(
        title="Capacity plan: cost by financial year (feeds the budget's social work line)"
    )
    for column in ("Year", "Permanent pay", "Agency", "Recruitment", "Total"):
        plan.add_column(column, justify="right")
    for cost in view.costs:
        plan.add_row(cost.year, cost.permanent, cost.agency, cost.recruitment, cost.total)
    return [stands, needed, plan]
