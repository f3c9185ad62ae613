"""The plan as people read it: a one-page route map for staff, a board report, a view per team.

Each view is a fragment (safe HTML with no ``<html>``, for the web app's own layout) and a full
document with print CSS (for files and PDFs). Ratings are always a word with a symbol beside
it, and the line styles of the charts differ, so nothing rests on colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import weasyprint
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from turnaround.errors import ValidationFailed
from turnaround.plan.history import Change
from turnaround.plan.model import Plan
from turnaround.plan.progress import (
    SYMBOLS,
    ActionProgress,
    MeasureProgress,
    Progress,
    worst,
    year_end,
)
from turnaround.report.charts import svg_figure
from turnaround.report.html import Section

#: Shared look of every plan view; scoped to .plan-view so it sits inside the web app's pages.
VIEW_CSS = """
.plan-view { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #0b0c0c; }
.plan-view table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
.plan-view th, .plan-view td { border: 1px solid #b1b4b6; padding: 0.3em 0.4em;
  text-align: left; vertical-align: top; }
.plan-view th { background: #f3f2f1; }
.plan-view .num { text-align: right; }
.plan-view ul { margin: 0; padding-left: 1.1em; }
.plan-rating { white-space: nowrap; font-weight: bold; padding: 0 0.25em; border-radius: 2px; }
.plan-on-track { border: 1px solid #00703c; color: #00703c; }
.plan-at-risk { border: 1px dashed #8f4b00; color: #8f4b00; }
.plan-off-track { border: 2px solid #d4351c; color: #a0210f; }
.plan-no-data { border: 1px dotted #505a5f; color: #505a5f; }
.plan-flag { color: #a0210f; }
.plan-reason, .plan-meta { color: #505a5f; font-size: 0.9em; }
.plan-charts { display: flex; flex-wrap: wrap; gap: 0.5em; }
.plan-chart { margin: 0; width: 19em; }
.plan-chart svg { width: 100%; height: auto; }
"""

#: The route map's page: A4 landscape, small type; ``fit`` marks the size the PDF may shrink.
ROUTE_MAP_CSS = """
@page { size: A4 landscape; margin: 7mm; }
html { font-size: 8pt; } /* fit */
body { margin: 0; }
.plan-routemap h1 { font-size: 1.6em; margin: 0 0 0.1em; }
.plan-routemap header p { margin: 0.1em 0; }
.plan-routemap .plan-vision { font-size: 1.2em; font-style: italic; }
.plan-routemap .plan-key { display: inline; }
.plan-routemap-table { table-layout: fixed; margin-top: 0.3em; }
.plan-routemap-table col.c1 { width: 24%; }
.plan-routemap-table col.c2 { width: 46%; }
.plan-routemap-table col.c3 { width: 30%; }
.plan-routemap-table th { font-size: 1.15em; }
.plan-routemap-table th + th::before { content: "→ "; }
.plan-routemap-table td { padding: 0.2em 0.35em; }
.plan-routemap li { margin-bottom: 0.15em; }
.plan-routemap p { margin: 0 0 0.2em; }
.plan-milestones { margin-top: 0.3em; }
tr { break-inside: avoid; }
"""

BOARD_CSS = """
@page { size: A4; margin: 15mm; }
html { font-size: 9.5pt; }
h1 { font-size: 1.7em; }
h3 { font-size: 1.25em; margin: 1em 0 0.3em; break-after: avoid; }
tr, figure { break-inside: avoid; }
"""

TEAM_CSS = """
@page { size: A4; margin: 15mm; }
html { font-size: 10pt; }
h1 { font-size: 1.6em; }
h3 { font-size: 1.25em; }
tr { break-inside: avoid; }
"""

#: Font sizes the route map PDF tries, largest first, until it fits on one page.
FIT_SIZES_PT: tuple[float, ...] = (8.0, 7.5, 7.0, 6.5, 6.0)
_FIT = re.compile(r"html \{ font-size: [0-9.]+pt; \} /\* fit \*/")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("turnaround.plan", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    env.globals["symbols"] = SYMBOLS
    return env


def _render(template: str, **context: object) -> Markup:
    return Markup(_environment().get_template(template).render(**context))


def _document(title: str, page_css: str, body: Markup) -> str:
    css = Markup(VIEW_CSS + page_css)
    return str(_render("document.html.j2", title=title, page_css=css, body=body))


def _style() -> Markup:
    return Markup(f"<style>{VIEW_CSS}</style>\n")


def day(value: date | None) -> str:
    """A date as people write it: 31 March 2015; a dash when there is none."""
    return f"{value.day} {value:%B %Y}" if value else "–"


def format_value(value: float | None, unit: str) -> str:
    """A measure's figure with its unit, as a reader expects to see it."""
    if value is None:
        return "–"
    number = f"{value:,.1f}".removesuffix(".0")
    return {
        "percent": f"{number}%",
        "per10k": f"{number} per 10,000",
        "days": f"{number} days",
    }.get(unit, number)


def _measure_row(m: MeasureProgress) -> dict[str, Any]:
    now = (
        f"now {format_value(m.current, m.unit)} ({m.current_year})"
        if m.current is not None
        else "no figure yet"
    )
    baseline = (
        f"{format_value(m.baseline, m.unit)} ({m.baseline_year})" if m.baseline is not None else "–"
    )
    return {
        "id": m.measure_id,
        "title": m.title,
        "outcome_id": m.outcome_id,
        "rating": m.rating,
        "reason": m.reason,
        "now_text": now,
        "baseline_text": baseline,
        "now_value": (
            f"{format_value(m.current, m.unit)} ({m.current_year})"
            if m.current is not None
            else "–"
        ),
        "path_text": format_value(m.path, m.unit),
        "target_text": (
            f"{format_value(m.target, m.unit)} by {day(m.by)}"
            if m.target is not None
            else "not set"
        ),
    }


def _action_row(a: ActionProgress) -> dict[str, Any]:
    return {
        "id": a.action_id,
        "do": a.do,
        "owner": a.owner,
        "team": a.team,
        "status": a.status,
        "overdue": a.overdue,
        "blocked": a.blocked,
        "slipped": list(a.slipped),
        "due_text": day(a.due),
        "start_text": day(a.start),
    }


def _action_priority(plan: Plan) -> dict[str, str | None]:
    """Each action's home on the route map: the priority of the first outcome it serves."""
    homes: dict[str, str | None] = {}
    for action in plan.actions:
        home = None
        for outcome_id in action.serves:
            priority = plan.priority_of(outcome_id)
            if priority is not None:
                home = priority.id
                break
        homes[action.id] = home
    return homes


def route_map_fragment(plan: Plan, progress: Progress) -> Markup:
    """The route map's content: priorities, then what we will do, then how we will know."""
    homes = _action_priority(plan)
    rows: list[dict[str, Any]] = []
    for priority in plan.priorities:
        rated = progress.priority(priority.id)
        rows.append(
            {
                "priority": priority,
                "rating": rated.rating if rated else "no data",
                "actions": [
                    _action_row(a) for a in progress.actions if homes[a.action_id] == priority.id
                ],
                "measures": [
                    _measure_row(m) for m in progress.measures if m.priority_id == priority.id
                ],
            }
        )
    loose = [_action_row(a) for a in progress.actions if homes[a.action_id] is None]
    if loose:
        rows.append({"priority": None, "rating": "no data", "actions": loose, "measures": []})
    milestones = [
        {"title": m.title, "date_text": day(m.date), "done": m.done, "actions": m.actions}
        for m in progress.milestones
    ]
    body = _render(
        "route_map.html.j2", plan=plan, rows=rows, milestones=milestones, as_at=day(progress.as_at)
    )
    return _style() + body


def route_map_html(plan: Plan, progress: Progress) -> str:
    """The route map as a full HTML document, laid out to print on one A4 page."""
    return _document(f"{plan.title}: route map", ROUTE_MAP_CSS, route_map_fragment(plan, progress))


def _with_font_size(html: str, size: float) -> str:
    return _FIT.sub(f"html {{ font-size: {size}pt; }} /* fit */", html, count=1)


def write_route_map_pdf(html: str, path: Path) -> Path:
    """Write the route map PDF on one page, shrinking the type to fit; refuse if it cannot."""
    pages = 0
    for size in FIT_SIZES_PT if _FIT.search(html) else (None,):
        attempt = html if size is None else _with_font_size(html, size)
        document = weasyprint.HTML(string=attempt).render()
        pages = len(document.pages)
        if pages == 1:
            path.parent.mkdir(parents=True, exist_ok=True)
            document.write_pdf(path)
            return path
    smallest = f" even at {FIT_SIZES_PT[-1]:g}pt type" if _FIT.search(html) else ""
    raise ValidationFailed(
        f"the route map takes {pages} pages{smallest}; a route map must fit on one page, so "
        "cut or merge actions, or shorten their sentences",
        path=path,
    )


def write_pdf(html: str, path: Path) -> Path:
    """Write any plan document (board report, team view) to PDF, over as many pages as it needs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def _x(when: date) -> float:
    """A date as a fractional year, so the axis reads in years (31 March 2014 is 2014.25)."""
    return when.year + (when.timetuple().tm_yday - 1) / 365.25


def trend_chart(m: MeasureProgress) -> Markup:
    """A small chart of one measure: the actual figures solid, the planned path dashed."""
    fig = Figure(figsize=(3.4, 1.9))
    ax = fig.add_subplot()
    if m.trend:
        xs = [_x(year_end(year)) for year, _ in m.trend]
        ax.plot(
            xs,
            [v for _, v in m.trend],
            linestyle="-",
            marker="o",
            markersize=3,
            color="#0b0c0c",
            linewidth=1.5,
            label="Actual",
        )
    if m.baseline is not None and m.baseline_year is not None and m.target is not None and m.by:
        ax.plot(
            [_x(year_end(m.baseline_year)), _x(m.by)],
            [m.baseline, m.target],
            linestyle="--",
            color="#1d70b8",
            linewidth=1.2,
            label="Planned path",
        )
        ax.plot(
            [_x(m.by)],
            [m.target],
            linestyle="none",
            marker="D",
            markersize=4,
            color="#1d70b8",
            label="Target",
        )
    if not m.trend and m.target is None:
        ax.text(0.5, 0.5, "No figures yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylabel(
        {"percent": "%", "per10k": "per 10,000", "days": "days"}.get(m.unit, ""), fontsize=7
    )
    ax.tick_params(labelsize=6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.spines[["top", "right"]].set_visible(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=6, frameon=False, loc="best")
    fig.tight_layout()
    return svg_figure(fig)


def _priority_rows(plan: Plan, progress: Progress) -> list[dict[str, Any]]:
    rows = []
    for priority in plan.priorities:
        rated = progress.priority(priority.id)
        outcomes = []
        for outcome in priority.outcomes:
            found = progress.outcome(outcome.id)
            outcomes.append(
                {"statement": outcome.statement, "rating": found.rating if found else "no data"}
            )
        rows.append(
            {
                "id": priority.id,
                "title": priority.title,
                "rating": rated.rating if rated else "no data",
                "outcomes": outcomes,
            }
        )
    return rows


def counts_text(progress: Progress) -> str:
    """How many measures have each rating, as a sentence."""
    counts = progress.rating_counts()
    total = sum(counts.values())
    if not total:
        return "The plan names no measures yet."
    parts = [f"{n} {rating}" for rating, n in counts.items() if n]
    return f"Of {total} measures: {', '.join(parts)}."


def _milestone_state(done: int, actions: int, passed: bool) -> str:
    if done == actions:
        return "met"
    return "missed" if passed else "to come"


def board_fragment(
    plan: Plan,
    progress: Progress,
    changes: Sequence[Change] | None = None,
    *,
    headed: bool = True,
) -> Markup:
    """The board report's content; ``changes`` None means no earlier report to compare with."""
    measures = []
    for m in progress.measures:
        row = _measure_row(m)
        row["chart"] = trend_chart(m)
        measures.append(row)
    milestones = [
        {
            "title": m.title,
            "date_text": day(m.date),
            "done": m.done,
            "actions": m.actions,
            "state": _milestone_state(m.done, m.actions, m.passed),
        }
        for m in progress.milestones
    ]
    held = [_action_row(a) for a in progress.actions if a.blocked or a.slipped]
    body = _render(
        "board.html.j2",
        plan=plan,
        headed=headed,
        as_at=day(progress.as_at),
        counts_text=counts_text(progress),
        priorities=_priority_rows(plan, progress),
        measures=measures,
        overdue=[_action_row(a) for a in progress.overdue()],
        held=held,
        milestones=milestones,
        changes=None if changes is None else list(changes),
    )
    return _style() + body


def board_html(plan: Plan, progress: Progress, changes: Sequence[Change] | None = None) -> str:
    """The board report as a full HTML document."""
    body = board_fragment(plan, progress, changes)
    return _document(f"{plan.title}: board report", BOARD_CSS, body)


def team_fragment(plan: Plan, progress: Progress, team: str, *, headed: bool = True) -> Markup:
    """One team's own actions and the measures those actions move."""
    mine = [a for a in plan.actions if a.team == team]
    served = list(dict.fromkeys(o for a in mine for o in a.serves))
    statements = plan.outcome_ids()
    measures = []
    for outcome_id in served:
        outcome = statements.get(outcome_id)
        for m in progress.measures_for(outcome_id):
            row = _measure_row(m)
            row["outcome_statement"] = outcome.statement if outcome else outcome_id
            measures.append(row)
    ids = {a.id for a in mine}
    actions = [_action_row(a) for a in progress.actions if a.action_id in ids]
    body = _render(
        "team.html.j2",
        plan=plan,
        team=team,
        headed=headed,
        actions=actions,
        measures=measures,
        as_at=day(progress.as_at),
    )
    return _style() + body


def team_view_html(plan: Plan, progress: Progress, team: str) -> str:
    """One team's view as a full HTML document."""
    return _document(f"{plan.title}: {team}", TEAM_CSS, team_fragment(plan, progress, team))


def plan_section(plan: Plan, progress: Progress) -> Section:
    """The improvement plan's part of the demo report: the board view of progress."""
    overall = worst(p.rating for p in progress.priorities)
    summary = f"{counts_text(progress)} Overall: {SYMBOLS[overall]} {overall}."
    body = board_fragment(plan, progress, headed=False)
    return Section("plan", "Improvement plan", body, summary)
