"""The plan's progress report, kept in the store and written out for people to open.

``publish`` is what ``turnaround plan render`` and the demo run: take the latest checked-in plan,
rate it against the data, keep the report (with what changed since the last one) and write the
route map (HTML and a one-page PDF), the board report (HTML and PDF) and one page per team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from turnaround.access import Actor, require
from turnaround.errors import NotFound
from turnaround.plan.history import SavedReport, latest, save_progress, versions
from turnaround.plan.model import PlanFile
from turnaround.plan.progress import Progress, assess_store
from turnaround.plan.render import (
    board_html,
    route_map_html,
    team_view_html,
    write_pdf,
    write_route_map_pdf,
)
from turnaround.store import Store


@dataclass(frozen=True)
class Published:
    """What one progress report produced."""

    plan: PlanFile
    version: int
    progress: Progress
    saved: SavedReport | None
    files: dict[str, Path] = field(default_factory=dict)


def current_plan(store: Store) -> tuple[PlanFile, int]:
    """The latest checked-in plan and its version, or a clear error saying how to check one in."""
    found = latest(store)
    if found is None:
        raise NotFound(
            "no plan is checked in yet: check one in with 'turnaround plan commit PLAN.yaml'"
        )
    return found, versions(store)[-1].version


def plan_progress(
    store: Store, actor: Actor, *, as_at: date | None = None, save: bool = True
) -> Published:
    """Rate the latest plan against the data and, unless ``save`` is off, keep the report.

    Rating only reads (the plan and aggregate measures), so it is checked, not audited; the
    kept report is a change to the store, so ``save_progress`` audits it.
    """
    require(store, actor.username, "view-plan")
    plan_file, version = current_plan(store)
    progress = assess_store(store, plan_file.plan, as_at)
    saved = save_progress(store, actor, progress, version) if save else None
    return Published(plan_file, version, progress, saved)


def team_file_name(team: str) -> str:
    """A safe file name for a team's page, e.g. 'Front door' -> 'front-door.html'."""
    slug = re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"
    return f"{slug}.html"


def publish(
    store: Store,
    actor: Actor,
    out_dir: Path,
    *,
    as_at: date | None = None,
    pdf: bool = True,
) -> Published:
    """Keep a progress report and write the route map, the board report and the team views."""
    report = plan_progress(store, actor, as_at=as_at)
    plan, progress = report.plan.plan, report.progress
    changes = list(report.saved.changes) if report.saved and report.saved.previous_id else None
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    route_map = route_map_html(plan, progress)
    files["route map"] = out_dir / "route-map.html"
    files["route map"].write_text(route_map, encoding="utf-8")
    board = board_html(plan, progress, changes)
    files["board report"] = out_dir / "board-report.html"
    files["board report"].write_text(board, encoding="utf-8")
    if pdf:
        files["route map (PDF)"] = write_route_map_pdf(route_map, out_dir / "route-map.pdf")
        files["board report (PDF)"] = write_pdf(board, out_dir / "board-report.pdf")
    teams = out_dir / "teams"
    for team in plan.teams():
        teams.mkdir(exist_ok=True)
        path = teams / team_file_name(team)
        path.write_text(team_view_html(plan, progress, team), encoding="utf-8")
        files[f"team: {team}"] = path
    return Published(report.plan, report.version, progress, report.saved, files)
