"""``/measures``: every measure, one measure, and the records behind a figure (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from turnaround.access import may
from turnaround.measures.registry import get_measure
from turnaround.web.routing import Page, allow
from turnaround.web.views.measures import (
    measure_context,
    measure_records_context,
    measures_context,
)

router = APIRouter()


@router.get("/measures", name="measures")
def measures(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> HTMLResponse:
    """Every measure's latest figure, recent trend and comparators."""
    context = page.cache.get(("measures",), lambda: measures_context(page.store))
    return page.render("pages/measures.html", context)


@router.get("/measures/{measure_id}", name="measure")
def measure(
    measure_id: str, page: Annotated[Page, Depends(allow("view-aggregates"))]
) -> HTMLResponse:
    """One measure: definition, trend, figures and benchmarks."""
    get_measure(measure_id)  # NotFound (404) for an unknown id, before anything is cached
    shared = page.cache.get(
        ("measure", measure_id), lambda: measure_context(page.store, measure_id)
    )
    assert page.user is not None
    context = {**shared, "can_drill_down": may(page.user.role, "view-identifiable")}
    return page.render("pages/measure.html", context)


@router.get("/measures/{measure_id}/records/{year}", name="measure_records")
def measure_records(
    measure_id: str,
    year: int,
    page: Annotated[Page, Depends(allow("view-identifiable"))],
    reason: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """The children and records behind one year's figure; each view is audited."""
    assert page.user is not None
    context = measure_records_context(
        page.store, page.actor, measure_id, year=year, reason=reason.strip() or None
    )
    return page.render("pages/measure_records.html", context)
