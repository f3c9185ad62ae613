"""The app's routes, one router per area; ``ROUTERS`` is what ``create_app`` includes."""

from fastapi import APIRouter

from turnaround.web.pages import (
    audit,
    auth,
    data,
    forecast,
    home,
    measures,
    overview,
    plan,
    unknown,
    workforce,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    home.router,
    overview.router,
    measures.router,
    unknown.router,
    forecast.router,
    workforce.router,
    plan.router,
    data.router,
    audit.router,
)
