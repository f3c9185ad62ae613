"""``turnaround plan``: priority 3, one coherent improvement plan, checked, measured, rendered."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from turnaround.access import Actor
from turnaround.cli.app import app, settings_from
from turnaround.errors import InputError, NotFound, ValidationFailed
from turnaround.plan.check import CheckReport, Finding, check_plan
from turnaround.plan.history import check_in, diff, get_version, versions
from turnaround.plan.model import PlanFile, read_plan
from turnaround.plan.progress import Progress
from turnaround.plan.publish import current_plan, plan_progress, publish
from turnaround.plan.rules import load_rules
from turnaround.store import open_store
from turnaround.times import local_time

plan_app = typer.Typer(
    help="The improvement plan: check it, check it in, rate its progress, render it.",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")

PlanArgument = Annotated[
    Path | None,
    typer.Argument(
        help="A plan file (default: the latest version checked in).", show_default=False
    ),
]
AsAtOption = Annotated[
    str | None,
    typer.Option("--as-at", help="Rate progress as at YYYY-MM-DD (default: the data's end)."),
]
UserOption = Annotated[
    str | None, typer.Option("--user", help="Act as this user (env: TURNAROUND_USER).")
]


def _as_at(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-at {value!r} is not a date written YYYY-MM-DD") from None


def _print_schema_problems(exc: ValidationFailed, console: Console) -> None:
    problems = exc.failures or [exc]
    name = exc.path.name if exc.path else "plan"
    console.print(f"[bold red]{name} does not fit the plan schema[/] ({len(problems)} problems):")
    for problem in problems:
        console.print(f"  {problem}", highlight=False, soft_wrap=True)


def _print_report(report: CheckReport, console: Console) -> None:
    for finding in report.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        where = f"line {finding.line}" if finding.line is not None else "plan"
        console.print(
            f"{report.source}:{where}: [{colour}]{finding.severity}[/] {finding.code} "
            f"{finding.where}: {finding.message}",
            highlight=False,
            soft_wrap=True,
        )
    errors, warnings = len(report.errors), len(report.warnings)
    if report.findings:
        console.print(f"{errors} errors, {warnings} warnings")
    else:
        console.print(f"{report.source}: no problems found")


def _load(settings_path: Path, plan: Path | None, console: Console) -> PlanFile:
    if plan is not None:
        return read_plan(plan)
    store = open_store(settings_path)
    try:
        found, version = current_plan(store)
    finally:
        store.close()
    console.print(f"checking plan version {version}, the latest checked in")
    return found


@plan_app.command("check")
def check(
    ctx: typer.Context,
    plan: PlanArgument = None,
    rules: Annotated[
        Path | None, typer.Option(help="A rules file overriding the shipped thresholds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check a plan: coherence, plain English and size. Exits 1 when it has errors.

    Example: turnaround plan check plan.yaml
    """
    settings = settings_from(ctx)
    console = Console()
    try:
        plan_file = _load(settings.store_path, plan, console)
    except ValidationFailed as exc:
        if as_json:
            problems = [str(p) for p in (exc.failures or [exc])]
            print(json.dumps({"ok": False, "schema": problems}, indent=2))
        else:
            _print_schema_problems(exc, Console(stderr=True))
        raise typer.Exit(1) from None
    report = check_plan(plan_file, load_rules(rules))
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_report(report, console)
    if not report.ok:
        raise typer.Exit(1)


@plan_app.command("commit")
def commit(
    ctx: typer.Context,
    plan: Annotated[Path, typer.Argument(help="The plan file to check in.")],
    note: Annotated[str | None, typer.Option(help="What changed and why.")] = None,
    user: UserOption = None,
) -> None:
    """Check in a new version of the plan (it must pass its checks; edit-plan; audited).

    Example: turnaround plan commit plan.yaml --note "Moved A4 after the new rota"
    """
    settings = settings_from(ctx)
    plan_file = read_plan(plan)
    store = open_store(settings.store_path)
    try:
        version = check_in(store, Actor.cli(user or settings.user), plan_file, note=note)
    except ValidationFailed as exc:
        findings = tuple(f for f in exc.failures if isinstance(f, Finding))
        if not findings:
            raise
        _print_report(CheckReport(plan_file.source, findings), Console(stderr=True))
        raise ValidationFailed(
            f"has {sum(f.severity == 'error' for f in findings)} errors; "
            "fix them before checking it in",
            path=plan,
        ) from None
    finally:
        store.close()
    Console().print(version.message)


@plan_app.command("history")
def history(
    ctx: typer.Context,
    show_diff: Annotated[
        int | None, typer.Option("--diff", help="Show what version N changed.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the versions as JSON.")] = False,
) -> None:
    """Every version of the plan: who checked it in, when, and what changed.

    Example: turnaround plan history --diff 2
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        found = versions(store)
        if show_diff is not None:
            version = get_version(store, show_diff)
            text = version.diff or (
                diff(store, show_diff - 1, show_diff) if show_diff > 1 else version.text
            )
            print(text, end="")
            return
    finally:
        store.close()
    if as_json:
        print(json.dumps([v.to_dict() for v in found], indent=2))
        return
    if not found:
        raise NotFound("no plan is checked in yet: 'turnaround plan commit PLAN.yaml'")
    table = Table(title="Plan versions")
    for column in ("Version", "Checked in", "By", "Lines changed", "Note"):
        table.add_column(column)
    for v in found:
        changed = sum(
            1
            for line in v.diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        )
        table.add_row(
            str(v.version),
            local_time(v.checked_in_at),
            v.checked_in_by,
            str(changed),
            v.note or "",
        )
    Console().print(table)


def _print_progress(progress: Progress, console: Console) -> None:
    console.print(f"[bold]{progress.plan_title}[/], as at {progress.as_at:%d %B %Y}")
    table = Table(title="Measures")
    for column in ("Priority", "Measure", "Baseline", "Now", "Path", "Target", "Rating"):
        table.add_column(column)

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:,.1f}"

    for m in progress.measures:
        table.add_row(
            m.priority_id,
            m.title,
            f"{fmt(m.baseline)} ({m.baseline_year})",
            f"{fmt(m.current)} ({m.current_year or '-'})",
            fmt(m.path),
            f"{fmt(m.target)} by {m.by:%b %Y}" if m.by else fmt(m.target),
            f"{m.symbol} {m.rating}",
        )
    console.print(table)
    counts = progress.rating_counts()
    console.print(", ".join(f"{n} {rating}" for rating, n in counts.items()))
    overdue = progress.overdue()
    console.print(f"Overdue actions: {len(overdue)}")
    for action in overdue:
        console.print(f"  {action.action_id} {action.do} (due {action.due}, {action.owner})")
    for action in progress.actions:
        for reason in action.slipped:
            console.print(f"  {action.action_id}: {reason}", highlight=False)


@plan_app.command("progress")
def progress(
    ctx: typer.Context,
    as_at: AsAtOption = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Keep this report in the store.")
    ] = True,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Rate the plan's measures from the data, list overdue and held-up actions, and say what
    changed since the last report (which is kept in the store).

    Example: turnaround plan progress --as-at 2015-03-31
    """
    settings = settings_from(ctx)
    store = open_store(settings.store_path)
    try:
        report = plan_progress(
            store, Actor.cli(user or settings.user), as_at=_as_at(as_at), save=save
        )
    finally:
        store.close()
    changes = list(report.saved.changes) if report.saved else []
    if as_json:
        print(
            json.dumps(
                {
                    "version": report.version,
                    "progress": report.progress.to_dict(),
                    "changes": [c.to_dict() for c in changes],
                },
                indent=2,
                default=str,
            )
        )
        return
    console = Console()
    _print_progress(report.progress, console)
    if report.saved is not None:
        if report.saved.previous_id is None:
            console.print("This is the first progress report kept.")
        else:
            console.print(f"Changed since report {report.saved.previous_id}: {len(changes)}")
            for change in changes:
                console.print(f"  {change.text}", highlight=False)


@plan_app.command("render")
def render(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Folder to write into (default: WORKSPACE/plan).")
    ] = None,
    as_at: AsAtOption = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write the PDFs.")] = True,
    user: UserOption = None,
) -> None:
    """Write the one-page route map for staff (HTML and PDF), the board report and a page per
    team, with progress from the data.

    Example: turnaround plan render --out plan-pack
    """
    settings = settings_from(ctx)
    folder = out or settings.workspace / "plan"
    store = open_store(settings.store_path)
    try:
        published = publish(
            store, Actor.cli(user or settings.user), folder, as_at=_as_at(as_at), pdf=pdf
        )
    finally:
        store.close()
    console = Console()
    counts = published.progress.rating_counts()
    console.print(
        f"Plan version {published.version}, as at {published.progress.as_at:%d %B %Y}: "
        + ", ".join(f"{n} {rating}" for rating, n in counts.items())
    )
    for label, path in published.files.items():
        console.print(f"{label}: {path}")
