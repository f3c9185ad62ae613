"""``/``: send a signed-in user to the first page their role may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from turnaround.access import may
from turnaround.web.routing import LOGGED_IN, Page, allow

router = APIRouter()


@router.get("/", name="home")
def home(page: Annotated[Page, Depends(allow(LOGGED_IN))]) -> RedirectResponse:
    """The overview for roles that see aggregates, the plan for the rest."""
    assert page.user is not None
    target = "/overview" if may(page.user.role, "view-aggregates") else "/plan"
    return RedirectResponse(target, status_code=303)
