"""The app's routes, one router per area; ``ROUTERS`` is what ``create_app`` includes."""

from fastapi import APIRouter

from turnaround.web.pages import audit, auth, data, home

ROUTERS: tuple[APIRouter, ...] = (auth.router, home.router, data.router, audit.router)
