"""``/forecast``: the fan chart, the budget by year and line, the scenarios, and the workbook.

The forecast is a simulation that takes seconds, so it is computed once per data version behind
the app's cache (``shared_forecast``) and shared with the overview and workforce pages.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from turnaround.budget.workbook import WORKBOOK_NAME, workbook_for
from turnaround.store import Store
from turnaround.web.routing import Page, allow
from turnaround.web.views import NO_DATA, returns_loaded
from turnaround.web.views.forecast import BudgetRun, forecast_context, run_forecast

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forecast_or_none(store: Store) -> BudgetRun | None:
    return run_forecast(store) if returns_loaded(store) else None


def shared_forecast(page: Page) -> BudgetRun | None:
    """The forecast the overview, forecast and workforce pages share; None before any return."""
    return page.cache.get(("forecast-run",), lambda: _forecast_or_none(page.store))


# The computes below fetch the shared forecast themselves (a cache hit), so what they cache
# is never older than the data version it is cached under.


def _forecast_page(page: Page) -> dict[str, Any]:
    run = shared_forecast(page)
    return forecast_context(page.store, run=run) if run is not None else {"no_data": NO_DATA}


def _workbook_bytes(page: Page) -> bytes | None:
    run = shared_forecast(page)
    if run is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        result, _ = run
        path = workbook_for(result, Path(folder) / WORKBOOK_NAME)
        return path.read_bytes()


@router.get("/forecast", name="forecast")
def forecast(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> HTMLResponse:
    """The forecast of children looked after, the five-year budget and the scenarios."""
    context = page.cache.get(("forecast",), lambda: _forecast_page(page))
    return page.render("pages/forecast.html", context)


@router.get("/forecast/workbook.xlsx", name="forecast_workbook")
def workbook(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> Response:
    """The five-year budget workbook (Excel), written as the demo writes it."""
    content = page.cache.get(("workbook",), lambda: _workbook_bytes(page))
    if content is None:
        return page.render("pages/forecast.html", {"no_data": NO_DATA})
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{WORKBOOK_NAME}"'},
    )
