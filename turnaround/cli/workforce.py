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
    for table in workforce_tables(result):
        console.print(table)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def workforce_json(result: WorkforceAssessment) -> dict[str, Any]:
    """The assessment as plain data."""
    loads, rates, span = result.caseloads, result.rates, result.spans
    return {
        "at": result.at,
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
    loads, rates, span = result.caseloads, result.rates, result.spans
    stands = Table(title=f"Management capacity at {result.at:%d %B %Y}")
    stands.add_column("Measure")
    stands.add_column("Value", justify="right")
    rows = [
        ("Case-holding workers (FTE)", f"{loads.worker_count:,} ({loads.worker_fte:,.1f})"),
        ("Open cases (unallocated)", f"{loads.open_cases:,} ({loads.unallocated_cases:,})"),
        ("Median caseload", f"{loads.median:g}"),
        (f"Workers above {loads.threshold} cases", _pct(loads.share_above)),
        ("Vacancy rate", _pct(rates.vacancy_rate)),
        ("Agency rate", _pct(rates.agency_rate)),
        ("Turnover", _pct(rates.turnover_rate)),
        ("Median span, team managers", f"{span.median_team_manager_span:g}"),
        ("Teams with no permanent manager", f"{len(span.teams_without_permanent_manager):,}"),
    ]
    if result.stability is not None:
        rows.append(("Children with 3+ social workers", _pct(result.stability.share_three_or_more)))
    for label, value in rows:
        stands.add_row(label, value)
    flags = "; ".join(result.senior.flags) or "none"
    stands.caption = f"Senior structure: {flags}"
    needed = Table(
        title=f"Posts needed for {result.needed.target_caseload:g} cases per worker "
        f"and spans of {result.needed.target_span:g}"
    )
    for column in ("Year", "Open cases", "Social worker FTE", "Team managers"):
        needed.add_column(column, justify="right")
    for r in result.needed.years.to_dict("records"):
        try:
            year = f"{int(str(r['year']))}-{(int(str(r['year'])) + 1) % 100:02d}"
        except ValueError:
            year = "now"
        needed.add_row(
            year,
            f"{float(r['cases']):,.0f}",
            f"{float(r['social_worker_fte']):,.1f}",
            f"{int(r['team_managers']):,}",
        )
    plan = Table(
        title="Capacity plan: cost by financial year (feeds the budget's social work line)"
    )
    for column in ("Year", "Permanent pay", "Agency", "Recruitment", "Total"):
        plan.add_column(column, justify="right")
    for r in result.plan.costs_by_year().to_dict("records"):
        plan.add_row(
            str(r["financial_year"]),
            *(f"£{float(r[k]) / 1e6:,.2f}m" for k in ("permanent_pay", "agency_cost")),
            f"£{float(r['recruitment_cost']) / 1e3:,.0f}k",
            f"£{float(r['total']) / 1e6:,.2f}m",
        )
    return [stands, needed, plan]
