"""``/login`` and ``/logout``: local accounts, argon2 passwords, rate-limited sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from turnaround.access import check_password, record_sign_in
from turnaround.web.auth import safe_next, sign_in, sign_out
from turnaround.web.routing import LOGGED_IN, PUBLIC, Page, allow, client_address
from turnaround.web.security import LoginLimiter, TooManyAttempts

router = APIRouter()


def _form(
    page: Page, next_path: str, username: str = "", error: str | None = None, status: int = 200
) -> HTMLResponse:
    return page.render(
        "login.html",
        {"next": safe_next(next_path), "username": username, "error": error},
        status_code=status,
    )


@router.get("/login", name="login_form")
def login_form(page: Annotated[Page, Depends(allow(PUBLIC))], next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return _form(page, next)


@router.post("/login", name="login")
async def login(
    page: Annotated[Page, Depends(allow(PUBLIC))],
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password; sign in, or show the form again with one error."""
    username = username.strip()
    if not username or not password:
        return _form(page, next, username, "Enter your username and password", 400)
    limiter: LoginLimiter = page.request.app.state.login_limiter
    address = client_address(page.request)
    try:
        limiter.check(username, address)
    except TooManyAttempts as exc:
        return _form(page, next, username, str(exc), 429)
    user = await run_in_threadpool(check_password, page.store, username, password)
    if user is None:
        limiter.failed(username, address)
        return _form(page, next, username, "The username or password is not right", 400)
    limiter.succeeded(username, address)
    sign_in(page.request.session, user, now=page.request.app.state.clock())
    page.user = user
    await run_in_threadpool(record_sign_in, page.store, page.actor)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout")
def logout(page: Annotated[Page, Depends(allow(LOGGED_IN))]) -> RedirectResponse:
    """End the session and go back to the sign-in page."""
    sign_out(page.request.session)
    return RedirectResponse("/login", status_code=303)
