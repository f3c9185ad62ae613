"""``/workforce``: caseloads, spans, senior structure and the capacity plan; one team's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from turnaround.access import may
from turnaround.web.pages.forecast import shared_forecast
from turnaround.web.routing import Page, allow
from turnaround.web.views import NO_DATA
from turnaround.web.views.workforce import team_context, workforce_context
from turnaround.workforce.assess import has_workforce

router = APIRouter()


@router.get("/workforce", name="workforce")
def workforce(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> HTMLResponse:
    """The workforce assessment made with the shared forecast."""
    context = page.cache.get(("workforce",), lambda: _workforce_page(page))
    assert page.user is not None
    # Team names link to their caseloads only for roles that may open them.
    return page.render(
        "pages/workforce.html", {**context, "may_view_team": may(page.user.role, "view-team")}
    )


def _workforce_page(page: Page) -> dict[str, Any]:
    # Fetched inside the compute, so never older than the data version it is cached under.
    run = shared_forecast(page)
    if run is None:
        return {"loaded": False, "no_data": NO_DATA}
    if run[1] is None:  # no workforce export, so no assessment
        return {"loaded": False}
    return workforce_context(page.store, assessment=run[1])


@router.get("/workforce/teams/{team}", name="team")
def team(team: str, page: Annotated[Page, Depends(allow("view-team"))]) -> HTMLResponse:
    """One team's caseloads, worker by worker; a team manager sees their own team only."""
    # Checked before the cache, so a cached team is never served to another team's manager.
    page.require_team(team)
    if not has_workforce(page.store):
        empty: dict[str, Any] = {"no_data": NO_DATA, "name": team, "team_id": team}
        return page.render("pages/team.html", empty)
    context = page.cache.get(("team", team), lambda: team_context(page.store, page.actor, team))
    return page.render("pages/team.html", context)
