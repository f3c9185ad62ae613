"""``/plan``: the improvement plan's route map, board report, team views and history.

Progress is worked out from the data (``assess_store``) and cached until the data or the plan
changes. An analyst or administrator (``edit-plan``) uploads a new version of the plan's YAML:
it is read against the schema and checked, and only a plan with no errors is checked in.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from turnaround.access import may
from turnaround.errors import NotFound, ValidationFailed
from turnaround.plan.check import Finding
from turnaround.plan.history import Version, changes_since_last, check_in, latest, versions
from turnaround.plan.model import PlanFile, SchemaProblem, parse_plan
from turnaround.plan.progress import Progress, assess_store
from turnaround.plan.render import (
    board_fragment,
    route_map_fragment,
    route_map_html,
    team_fragment,
    write_route_map_pdf,
)
from turnaround.store import Store
from turnaround.web.routing import Page, allow

router = APIRouter()

MAX_PLAN_BYTES = 1_000_000


@dataclass(frozen=True)
class CurrentPlan:
    """The latest checked-in plan, its version and its progress against the data."""

    plan_file: PlanFile
    version: int
    progress: Progress

    @property
    def teams(self) -> list[str]:
        """The teams that own actions in the plan, in order of first appearance."""
        return list(dict.fromkeys(a.team for a in self.plan_file.plan.actions if a.team))


def current(store: Store) -> CurrentPlan | None:
    """The latest plan rated against the data; None before the first check-in."""
    plan_file = latest(store)
    if plan_file is None:
        return None
    version = versions(store)[-1].version
    return CurrentPlan(plan_file, version, assess_store(store, plan_file.plan))


def _current(page: Page) -> CurrentPlan | None:
    return page.cache.get(("plan-progress",), lambda: current(page.store))


def _may_edit(page: Page) -> bool:
    return page.user is not None and may(page.user.role, "edit-plan")


def _plan_context(page: Page, found: CurrentPlan | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "found": found,
        "may_edit": _may_edit(page),
        "errors": [],
        "findings": [],
        "note": "",
    }
    if found is not None:
        context.update(
            fragment=route_map_fragment(found.plan_file.plan, found.progress),
            teams=found.teams,
            version=found.version,
        )
    return context


@router.get("/plan", name="plan")
def plan_page(page: Annotated[Page, Depends(allow("view-plan"))]) -> HTMLResponse:
    """The route map, with links to the board report, team views, history and PDF."""
    return page.render("pages/plan.html", _plan_context(page, _current(page)))


@router.get("/plan/board", name="plan_board")
def plan_board(page: Annotated[Page, Depends(allow("view-plan"))]) -> HTMLResponse:
    """The board report, with what changed since the last progress report."""
    found = _current(page)
    context: dict[str, Any] = {"found": found}
    if found is not None:
        # Its trend charts take a second to draw; progress reports move the data version.
        context["fragment"] = page.cache.get(
            ("plan-board",),
            lambda: board_fragment(
                found.plan_file.plan,
                found.progress,
                changes_since_last(page.store, found.progress),
                headed=False,
            ),
        )
        context["title"] = found.plan_file.plan.title
    return page.render("pages/plan_board.html", context)


@router.get("/plan/teams/{team}", name="plan_team")
def plan_team(team: str, page: Annotated[Page, Depends(allow("view-plan"))]) -> HTMLResponse:
    """One team's actions and the measures they move (the plan is for every member of staff,
    so any team's view is open to anyone who may see the plan)."""
    found = _current(page)
    context: dict[str, Any] = {"found": found, "team": team}
    if found is not None:
        if team not in found.teams:
            raise NotFound(f"no team {team!r} owns an action in the plan")
        context["fragment"] = team_fragment(
            found.plan_file.plan, found.progress, team, headed=False
        )
        context["title"] = found.plan_file.plan.title
    return page.render("pages/plan_team.html", context)


@router.get("/plan/history", name="plan_history")
def plan_history(page: Annotated[Page, Depends(allow("view-plan"))]) -> HTMLResponse:
    """Every checked-in version, newest first: who, when, the note and the diff."""
    found: list[Version] = list(reversed(versions(page.store)))
    return page.render("pages/plan_history.html", {"versions": found})


def _pdf(found: CurrentPlan) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "route-map.pdf"
        write_route_map_pdf(route_map_html(found.plan_file.plan, found.progress), path)
        return path.read_bytes()


@router.get("/plan/route-map.pdf", name="plan_pdf")
def plan_pdf(page: Annotated[Page, Depends(allow("view-plan"))]) -> Response:
    """The route map as a one-page PDF."""
    found = _current(page)
    if found is None:
        raise NotFound("no plan is checked in yet")
    content = page.cache.get(("plan-route-map-pdf",), lambda: _pdf(found))
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="route-map.pdf"'},
    )


@dataclass(frozen=True)
class Problem:
    """One reason an uploaded plan was refused, for the error summary."""

    line: int | None
    code: str
    where: str
    message: str

    @property
    def text(self) -> str:
        """The problem in one line, with its line number."""
        at = f"Line {self.line}" if self.line is not None else "The file"
        code = f"{self.code} " if self.code else ""
        return f"{at}: {code}{self.where}: {self.message}"


def _schema_problems(exc: ValidationFailed) -> list[Problem]:
    found = []
    for failure in exc.failures or [str(exc)]:
        if isinstance(failure, SchemaProblem):
            found.append(Problem(failure.line, "", failure.where, failure.message))
        else:
            found.append(Problem(None, "", "plan", str(failure)))
    return found


def _refusal_problems(exc: ValidationFailed) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) from ``check_in`` refusing a plan that failed its checks."""
    findings = [f for f in exc.failures if isinstance(f, Finding)]
    errors = [
        Problem(f.line, f.code, f.where, f.message) for f in findings if f.severity == "error"
    ]
    warnings = [
        Problem(f.line, f.code, f.where, f.message) for f in findings if f.severity == "warning"
    ]
    return errors, warnings


@router.post("/plan", name="plan_upload", response_model=None)
async def plan_upload(
    page: Annotated[Page, Depends(allow("edit-plan"))],
    plan: Annotated[UploadFile | None, File()] = None,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check in an uploaded plan if it reads and passes the checks; else say why, by line."""
    assert page.user is not None
    found = await run_in_threadpool(_current, page)
    context = _plan_context(page, found)
    context["note"] = note
    if plan is None or not plan.filename:
        context["errors"] = [("plan", "Select a plan file (YAML) to upload")]
        return page.render("pages/plan.html", context, status_code=400)
    content = await plan.read(MAX_PLAN_BYTES + 1)
    name = Path(plan.filename).name
    if len(content) > MAX_PLAN_BYTES:
        context["errors"] = [("plan", "The plan file must be smaller than 1 MB")]
        return page.render("pages/plan.html", context, status_code=400)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        context["errors"] = [("plan", f"{name} is not UTF-8 text: save the plan as UTF-8")]
        return page.render("pages/plan.html", context, status_code=400)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    plan_file: PlanFile | None = None
    try:
        plan_file = parse_plan(text, name)
    except ValidationFailed as exc:
        problems = _schema_problems(exc)
    if plan_file is not None:
        # check_in runs the plan's checks and refuses a plan with errors, writing nothing.
        try:
            await run_in_threadpool(
                partial(check_in, page.store, page.actor, plan_file, note=note.strip() or None)
            )
        except ValidationFailed as exc:
            problems, warnings = _refusal_problems(exc)
            problems = problems or _schema_problems(exc)
    if problems or plan_file is None:
        context["errors"] = [("plan", p.text) for p in problems]
        context["findings"] = problems + warnings
        context["refused"] = name
        return page.render("pages/plan.html", context, status_code=422)
    return RedirectResponse("/plan/history", status_code=303)
