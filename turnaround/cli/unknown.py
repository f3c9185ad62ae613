"""``turnaround link`` and ``turnaround unknown``: priority 1, children unknown to social care."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from turnaround.access import Actor
from turnaround.cli.app import app, settings_from
from turnaround.cli.progress import stage_progress
from turnaround.errors import InputError
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.settings import MATCH_THRESHOLD
from turnaround.linkage.sources import folder_sources
from turnaround.risk.indicators import load_indicators, score_people
from turnaround.store import Store, open_store
from turnaround.worklist.build import WorklistSummary, build_worklist, worklist_summary
from turnaround.worklist.entries import DEFAULT_TOP, Entry, export_worklist, view_worklist
from turnaround.worklist.present import (
    FAIRNESS_SHORT,
    TARGET_SHORT,
    evaluation_view,
    worklist_view,
)
from turnaround.worklist.report import Evaluation, evaluate_worklist

UserOption = Annotated[
    str | None,
    typer.Option("--user", help="Act as this user (role held in the store). Env: TURNAROUND_USER."),
]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why you are viewing or exporting (audited).")
]


def _census_year(store: Store, given: int | None) -> int:
    if given is not None:
        return given
    year = store.scalar("select max(year) from loads where year is not null")
    if year is None:
        raise InputError("no returns loaded to date the school census: pass --census-year")
    return int(year)


@app.command("link")
def link(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(help="Folder of partner extracts (CSV), or an export with extracts/."),
    ],
    people: Annotated[
        Path | None,
        typer.Option(help="The case system's person export (default: social_care/people.csv)."),
    ] = None,
    mappings: Annotated[
        Path | None, typer.Option(help="Folder of your own mapping files (<source>.yaml).")
    ] = None,
    census_year: Annotated[
        int | None,
        typer.Option(help="Year of the January school census (default: latest return loaded)."),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Linkage engine: duckdb or spark (turnaround[spark]). Env: TURNAROUND_ENGINE.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Match probability at which records are one person.")
    ] = MATCH_THRESHOLD,
    user: UserOption = None,
) -> None:
    """Load partner extracts and the council's person records, and link them into people.

    Each extract is read with its mapping and standardised; a model is trained without labels
    and every record is clustered into a person, matched to social care records where it can be.

    Example: turnaround link workspace/city --user analyst
    """
    settings = settings_from(ctx)
    chosen = backend or settings.engine
    if chosen not in ("duckdb", "spark"):
        raise InputError(f"unknown backend {chosen!r}: duckdb or spark")
    engine: Literal["duckdb", "spark"] = "spark" if chosen == "spark" else "duckdb"
    actor = Actor.cli(user or settings.user)
    console = Console()
    store = open_store(settings.store_path)
    try:
        sources = folder_sources(
            folder, _census_year(store, census_year), people=people, mappings=mappings
        )
        with stage_progress(console, "Linking") as progress:
            loaded = load_sources(store, sources, actor=actor, progress=progress)
            run = run_linkage(
                store, backend=engine, threshold=threshold, actor=actor, progress=progress
            )
    finally:
        store.close()
    table = Table(title="Records loaded")
    table.add_column("Source")
    table.add_column("Records", justify="right")
    for name, count in sorted(loaded.counts.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(
        f"{run.records:,} records linked into {run.clusters:,} people; "
        f"{run.known:,} matched to social care records. Next: turnaround unknown"
    )


@app.command("unknown")
def unknown(
    ctx: typer.Context,
    top: Annotated[
        int, typer.Option(help="How many to show or export (about a month of MASH reviews).")
    ] = DEFAULT_TOP,
    as_of: Annotated[
        str | None, typer.Option(help="Worklist date YYYY-MM-DD (default: newest record).")
    ] = None,
    indicators: Annotated[
        Path | None, typer.Option(help="Your own indicator file (default: the shipped one).")
    ] = None,
    show: Annotated[
        bool, typer.Option("--show", help="List the top entries with names (audited).")
    ] = False,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Export the top entries as CSV (audited).")
    ] = None,
    xlsx_path: Annotated[
        Path | None, typer.Option("--xlsx", help="Export the top entries as Excel (audited).")
    ] = None,
    evaluate: Annotated[
        Path | None,
        typer.Option(
            "--evaluate",
            help="Score against a synthetic city's ground truth (its folder, e.g. workspace/city).",
        ),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            help="Score and rebuild the worklist first (load-data); --no-rebuild shows or "
            "exports the worklist as last built."
        ),
    ] = True,
    user: UserOption = None,
    reason: ReasonOption = None,
) -> None:
    """Score the linked people on the risk indicators and build the worklist of unknown children.

    Without options it prints counts only. --show and the exports need a role allowed to see
    identifiable data, and each is written to the audit log with --reason.

    Example: turnaround unknown --no-rebuild --show --user reviewer --reason "MASH review"
    """
    settings = settings_from(ctx)
    actor = Actor.cli(user or settings.user)
    day = _parse_day(as_of)
    console = Console()
    store = open_store(settings.store_path)
    try:
        if rebuild:
            config = load_indicators(indicators)
            scored = score_people(store, config, actor=actor, as_of=day)
            summary = build_worklist(store, actor=actor)
            console.print(summary_table(summary, scored.skipped))
        else:
            console.print(summary_table(worklist_summary(store)))
        if show:
            print_entries(console, view_worklist(store, actor, top=top, reason=reason))
        for path in (csv_path, xlsx_path):
            if path is not None:
                written = export_worklist(store, actor, path, top=top, reason=reason)
                console.print(
                    f"Worklist written: [bold]{written}[/] (export recorded in the audit log)"
                )
        if evaluate is not None:
            for table in evaluation_tables(evaluate_worklist(store, evaluate, k=top)):
                console.print(table)
    finally:
        store.close()


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date written YYYY-MM-DD") from None


def summary_table(summary: WorklistSummary, skipped: dict[str, str] | None = None) -> Table:
    """Counts only: safe for anyone to see."""
    view = worklist_view(summary)
    table = Table(title=f"Unknown children: worklist as at {view.as_of}")
    table.add_column("")
    table.add_column("People", justify="right")
    for line in view.counts:
        table.add_row(f"  {line.label}" if line.part else line.label, line.value)
    if skipped:
        table.caption = "Skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items())
    return table


def print_entries(console: Console, entries: list[Entry]) -> None:
    """The worklist with names and reasons, one block per child, for an authorised reviewer."""
    console.rule("Worklist: identifiable, do not share")
    for e in entries:
        name = " ".join(part for part in (e.forename, e.surname) if part) or "(no name)"
        born = f"born {e.dob:%d/%m/%Y}" if e.dob else "date of birth unknown"
        care = e.involvement if e.child_id is None else f"{e.involvement} ({e.child_id})"
        console.print(
            f"[bold]{e.rank}. {name}[/], {born}, {e.postcode or 'no postcode'}  "
            f"score {e.score:g} · identity {e.identity_confidence:.2f} · social care: {care} · "
            f"{e.person}",
            highlight=False,
        )
        for fired in e.fired:
            records = ", ".join(f"{ev.source} {ev.record_id}" for ev in fired.evidence[:3])
            more = f" and {len(fired.evidence) - 3} more" if len(fired.evidence) > 3 else ""
            console.print(f"    +{fired.weight:g} {fired.label}: {records}{more}", highlight=False)


def evaluation_tables(evaluation: Evaluation) -> list[Table]:
    """The evaluation as tables: linkage, matching to social care, the worklist, fairness."""
    view = evaluation_view(evaluation)
    tables = []
    for title, rows in (
        ("Linkage against the truth", view.linkage),
        ("Matching to social care records (wrongly known is the dangerous error)", view.known),
        (f"The worklist's top {view.k} ({view.year})", view.worklist),
    ):
        table = Table(title=title)
        table.add_column("Measure")
        table.add_column("Value", justify="right")
        for line in rows:
            table.add_row(line.label, line.value)
        tables.append(table)
    if len(view.targets) > 1:
        compared = Table(
            title=f"The top {view.k} against each definition of a target",
            caption="At the date: 0.6+ (or 0.4+) in the last 3 months, under 18, in the city. "
            "Ceiling: the recall if the same list were ranked by true latent risk.",
        )
        for key, heading in TARGET_SHORT.items():
            left = key == "target"
            compared.add_column(heading, justify="left" if left else "right", no_wrap=left)
        for row in view.targets:
            compared.add_row(*(row[key] for key in TARGET_SHORT))
        tables.append(compared)
    fair = Table(
        title="Fairness: linkage and flag rates by group",
        caption="Children: with 2+ records. The report has the full table.",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    fair.add_column("Group", no_wrap=True)
    for heading in FAIRNESS_SHORT.values():
        fair.add_column(heading, justify="right")
    shown = view.fairness
    for i, group in enumerate(shown):
        if i == 0 or group["dimension"] != shown[i - 1]["dimension"]:
            fair.add_row(f"[bold]{group['dimension']}[/]")
        fair.add_row(f"  {group['group']}", *(group[key] for key in FAIRNESS_SHORT))
    tables.append(fair)
    return tables
