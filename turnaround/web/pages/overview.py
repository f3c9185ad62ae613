"""``/overview``: the board's overview of the plan, budget, capacity gap and unknown children."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from turnaround.plan.history import latest
from turnaround.plan.progress import assess_store
from turnaround.store import Store
from turnaround.web.pages.forecast import shared_forecast
from turnaround.web.routing import Page, allow
from turnaround.web.views.overview import PlanStatus, overview_context

router = APIRouter()


def plan_status(store: Store) -> PlanStatus | None:
    """The latest checked-in plan's priorities and off-track measures; None with no plan."""
    plan_file = latest(store)
    if plan_file is None:
        return None
    progress = assess_store(store, plan_file.plan)
    return PlanStatus(
        priorities=[(p.title, p.rating) for p in progress.priorities],
        off_track=[m.title for m in progress.measures if m.rating == "off track"],
    )


def shared_plan_status(page: Page) -> PlanStatus | None:
    """The plan's progress, computed once per data version (a check-in changes the version)."""
    return page.cache.get(("plan-status",), lambda: plan_status(page.store))


@router.get("/overview", name="overview")
def overview(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> HTMLResponse:
    """The plan's priorities, measures off track, budget, capacity gap and unknown children."""
    # The parts are fetched inside the compute, so they are never older than its data version.
    context = page.cache.get(
        ("overview",),
        lambda: overview_context(
            page.store, plan_status=shared_plan_status(page), run=shared_forecast(page)
        ),
    )
    return page.render("pages/overview.html", context)
