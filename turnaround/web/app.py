"""The web app: ``create_app(settings)`` builds it over the workspace's store.

One ``Store`` per app (DuckDB allows one process to open the file for writing, so the CLI cannot
write while the app runs); each request works on a cursor of its own. Errors are turned into
GOV.UK error pages: PermissionDenied 403, NotFound 404, InputError and ConfigError 400 with their
one-line message. Logs name the method, the route's path template and the status, never a path
with a person's id in it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from turnaround.errors import (
    ConfigError,
    InputError,
    NotFound,
    PermissionDenied,
    TurnaroundError,
    describe_invalid,
)
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.times import local_time
from turnaround.web.cache import DataCache
from turnaround.web.pages import ROUTERS
from turnaround.web.routing import NotSignedIn, nav_for, wants_page
from turnaround.web.security import LoginLimiter, csrf_token

log = logging.getLogger("turnaround.web")

WEB_DIR = Path(str(resources.files("turnaround.web")))
STATIC_DIR = WEB_DIR / "static"
REQUIRED_ASSETS = (
    "vendor/govuk/govuk-frontend.min.css",
    "vendor/govuk/govuk-frontend.min.js",
    "vendor/govuk/assets",
    "vendor/htmx.min.js",
)

_TITLES = {
    400: "There is a problem with your request",
    401: "You need to sign in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This page cannot be used that way",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def check_assets(static_dir: Path = STATIC_DIR) -> None:
    """Fail clearly when the GOV.UK Frontend assets have not been installed."""
    missing = [name for name in REQUIRED_ASSETS if not (static_dir / name).exists()]
    if missing:
        raise ConfigError(
            f"web assets are missing ({', '.join(missing)} under {static_dir}): run make install"
        )


def _context(request: Request) -> dict[str, Any]:
    user = getattr(request.state, "user", None)
    # The 500 page is drawn outside the session middleware, so there may be no session.
    token = csrf_token(request.session) if "session" in request.scope else ""
    return {"user": user, "csrf_token": token, "nav": nav_for(request, user)}


class RouteLog:
    """Logs method, route template and status for each request: no ids from the path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            if route is not None:
                template = getattr(route, "path", "?")
            elif str(scope.get("path", "")).startswith("/static/"):
                template = "/static/..."
            else:
                template = "(no route)"
            log.info(
                "%s %s %s %.0fms",
                scope.get("method"),
                template,
                status,
                (time.perf_counter() - started) * 1000,
            )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A GOV.UK-style error page with the status and a one-line message."""
    templates: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": _TITLES.get(status, "There is a problem"), "message": message},
        status_code=status,
    )
    return response


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    if wants_page(request.method, request.url.path):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    return error_page(request, 401, "Sign in to use this page.")


async def _turnaround_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, str(exc))
    if isinstance(exc, NotFound):
        return error_page(request, 404, str(exc))
    if isinstance(exc, InputError | ConfigError):
        return error_page(request, 400, str(exc))
    log.error("%s on %s: %s", type(exc).__name__, request.method, type(exc).__doc__)
    return error_page(request, 500, "Try again later.")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "If you typed the web address, check it is correct.")
    return error_page(request, exc.status_code, str(exc.detail))


async def _invalid_request(request: Request, exc: Exception) -> Response:
    return error_page(request, 400, describe_invalid(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected %s on %s", type(exc).__name__, request.method)
    return error_page(request, 500, "Try again later.")


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The web app over the workspace's store (opened read-write here unless one is given)."""
    check_assets()
    owned = store is None
    opened = store if store is not None else open_store(settings.store_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:  # release the file so the CLI can write to it again
            opened.close()

    app = FastAPI(
        title="turnaround", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.store = opened
    app.state.cache = DataCache(app.state.store)
    app.state.login_limiter = LoginLimiter()
    app.state.clock = time.time  # when sessions start and end; tests set their own
    app.state.templates = Jinja2Templates(
        directory=str(WEB_DIR / "templates"), context_processors=[_context]
    )
    app.state.templates.env.filters["local_time"] = local_time
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="turnaround_session",
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.add_middleware(RouteLog)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(TurnaroundError, _turnaround_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _server_error)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
