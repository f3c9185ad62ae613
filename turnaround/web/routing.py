"""How every route declares who may reach it, and the navigation each role sees.

A route names its access once, as the dependency that gives it its ``Page``::

    @router.get("/overview")
    def overview(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> Response:
        return page.render("pages/overview.html", {...})

``allow(action)`` takes an action from ``turnaround.access.ACTIONS``, or ``PUBLIC`` (anyone) or
``LOGGED_IN`` (any signed-in user). It checks, in order: that someone is signed in (else a
redirect to /login for a page, 401 for anything else), the CSRF token on a POST, and then
``access.require`` — the one permission check the CLI uses too. ``route_action`` reads the
declaration back, which is how the access-matrix test walks every route.

That check only guards the door. The work behind it (loads, the worklist, a measure's
drill-down, the plan) is a library use case, called with ``page.actor``: it checks the role
again and writes the one audit record, from this request's address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from turnaround.access import ACTIONS, Actor, User, find_web_user, may, require, require_team
from turnaround.errors import ConfigError
from turnaround.store import Store
from turnaround.web.auth import session_username
from turnaround.web.cache import DataCache
from turnaround.web.security import CSRF_FIELD, check_csrf

PUBLIC = "public"
LOGGED_IN = "logged-in"

# (href, label, action): shown to a role that may do the action, once the route exists.
NAV_LINKS: tuple[tuple[str, str, str], ...] = (
    ("/overview", "Overview", "view-aggregates"),
    ("/measures", "Measures", "view-aggregates"),
    ("/unknown", "Unknown children", "view-aggregates"),
    ("/forecast", "Forecast and budget", "view-aggregates"),
    ("/workforce", "Workforce", "view-aggregates"),
    ("/plan", "Plan", "view-plan"),
    ("/data", "Data", "load-data"),
    ("/audit", "Audit", "view-audit"),
)


class NotSignedIn(Exception):
    """The route needs a signed-in user and there is none (or the session has expired)."""


def wants_page(method: str, path: str) -> bool:
    """Whether an anonymous request should be sent to the sign-in page rather than get 401."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return method == "GET" and "." not in last


def client_address(request: Request) -> str:
    """The client's address, for the audit's 'from where' and the login rate limit."""
    return request.client.host if request.client else "unknown"


def request_store(request: Request) -> Iterator[Store]:
    """The app's store over a cursor of its own, so concurrent requests do not share one."""
    base: Store = request.app.state.store
    scoped = base.cursor()
    assert isinstance(scoped, Store)  # a copy of the app's store, over a cursor of its own
    try:
        yield scoped
    finally:
        scoped.close()


@dataclass
class Page:
    """What a route handler gets: the request, the signed-in user, the store and helpers."""

    request: Request
    user: User | None
    store: Store

    @property
    def cache(self) -> DataCache:
        """The app's cache of heavy results (see ``DataCache.get``)."""
        cache: DataCache = self.request.app.state.cache
        return cache

    @property
    def origin(self) -> str:
        """Where the request came from, as the audit records it."""
        return f"web {client_address(self.request)}"

    @property
    def actor(self) -> Actor:
        """The signed-in user, acting from this request's address (for the library's use cases)."""
        return Actor.web(self.user.username if self.user else None, client_address(self.request))

    def require_team(self, team: str) -> None:
        """Refuse a team manager looking at another team's page (see access.require_team)."""
        if self.user is not None:
            require_team(self.user, team)

    def render(
        self, template: str, context: Mapping[str, Any] | None = None, status_code: int = 200
    ) -> HTMLResponse:
        """Render a template within the layout (user, csrf_token and nav are always there)."""
        response: HTMLResponse = self.request.app.state.templates.TemplateResponse(
            self.request, template, dict(context or {}), status_code=status_code
        )
        return response


class Allow:
    """The access a route declares: ``allow(action)`` as the dependency giving it its Page."""

    def __init__(self, action: str) -> None:
        if action not in ACTIONS and action not in (PUBLIC, LOGGED_IN):
            raise ConfigError(f"unknown action {action!r}")
        self.action = action

    def __repr__(self) -> str:
        return f"allow({self.action!r})"

    async def __call__(
        self, request: Request, store: Annotated[Store, Depends(request_store)]
    ) -> Page:
        username = session_username(
            request.session,
            request.app.state.settings.session_hours,
            now=request.app.state.clock(),
        )
        if self.action != PUBLIC and username is None:
            raise NotSignedIn()
        if request.method == "POST":
            form = await request.form()
            check_csrf(request.session, form.get(CSRF_FIELD))
        user = None if username is None else await run_in_threadpool(find_web_user, store, username)
        if self.action != PUBLIC and user is None:
            request.session.clear()  # the account has gone since they signed in
            raise NotSignedIn()
        request.state.user = user  # before the check, so a 403 page still shows their menu
        if user is not None and self.action not in (PUBLIC, LOGGED_IN):
            await run_in_threadpool(require, store, user.username, self.action)
        return Page(request=request, user=user, store=store)


def allow(action: str) -> Allow:
    """The dependency for a route that needs ``action`` (or PUBLIC, or LOGGED_IN)."""
    return Allow(action)


def app_routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    """Every (path, route) of an app, looking inside included routers."""
    for route in routes:
        # FastAPI keeps an included router whole (not copied route by route) from 0.16x on.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from app_routes(inner.routes, prefix + str(getattr(context, "prefix", "")))
        else:
            yield prefix + str(getattr(route, "path", "")), route


def route_action(route: BaseRoute) -> str | None:
    """The access a route declared, or None if it declared none."""
    if not isinstance(route, APIRoute):
        return None
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Allow):
            return dependant.call.action
        pending.extend(dependant.dependencies)
    return None


def nav_for(request: Request, user: User | None) -> list[tuple[str, str, bool]]:
    """(href, label, current) for each page of this app that the user's role may see."""
    if user is None:
        return []
    paths = {path for path, _ in app_routes(request.app.routes)}
    here = request.url.path
    links = [
        (href, label, here == href or here.startswith(href + "/"))
        for href, label, action in NAV_LINKS
        if href in paths and may(user.role, action)
    ]
    # A team manager's own caseloads: the one workforce page their role opens.
    if user.team and may(user.role, "view-team") and not may(user.role, "view-aggregates"):
        href = f"/workforce/teams/{quote(user.team)}"
        links.append((href, "My team", here == href))
    return links
