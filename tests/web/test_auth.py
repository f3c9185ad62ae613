"""Signing in and out: passwords, sessions, CSRF, the rate limit, and the users command."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.web.conftest import TEAM, WebApp, csrf, login, username
from turnaround.access import User, check_password, create_demo_users
from turnaround.cli import app as cli_app
from turnaround.errors import ConfigError
from turnaround.settings import Settings
from turnaround.store import open_store
from turnaround.web import create_app
from turnaround.web.app import check_assets
from turnaround.web.auth import safe_next, session_username, sign_in
from turnaround.web.security import LoginLimiter, TooManyAttempts


def _post_login(web: WebApp, client, role: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {"username": username(role), "password": password, "csrf_token": csrf(client), **extra}
    return client.post("/login", data=data)


def test_signing_in_goes_where_the_visitor_was_going(web: WebApp) -> None:
    client = web.client()
    first = client.get("/audit")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Faudit"
    response = _post_login(
        web, client, "administrator", web.passwords["administrator"], next="/audit"
    )
    assert response.status_code == 303 and response.headers["location"] == "/audit"
    page = client.get("/audit")
    assert page.status_code == 200
    assert 'href="/audit"' in page.text and 'href="/data"' in page.text


def test_the_nav_shows_only_what_the_role_may_see(web: WebApp) -> None:
    client = web.client()
    login(web, client, "analyst")
    page = client.get("/data").text
    assert 'href="/data"' in page and 'href="/audit"' not in page


def test_a_wrong_password_is_one_clear_error_and_no_session(web: WebApp) -> None:
    client = web.client()
    response = _post_login(web, client, "viewer", "not the password")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "The username or password is not right" in response.text
    assert client.get("/").status_code == 303
    assert client.get("/").headers["location"].startswith("/login")


def test_an_unknown_user_gets_the_same_answer(web: WebApp) -> None:
    client = web.client()
    response = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": csrf(client)}
    )
    assert response.status_code == 400
    assert "The username or password is not right" in response.text


def test_the_session_cookie_is_signed_httponly_samesite_and_expires(web: WebApp) -> None:
    client = web.client()
    response = _post_login(web, client, "viewer", web.passwords["viewer"])
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age=28800" in cookie
    assert "secure" not in cookie
    client.cookies.set("turnaround_session", "forged." + "x" * 40)
    assert client.get("/data").status_code == 303


def test_in_production_the_cookie_is_secure(tmp_path: Path) -> None:
    settings = Settings(
        workspace=tmp_path, environment="production", secret_key=SecretStr("s" * 40)
    )
    store = open_store(tmp_path / "turnaround.duckdb")
    passwords = create_demo_users(store)
    app = create_app(settings, store=store)
    web = WebApp(app, store, {k.removeprefix("demo_"): v for k, v in passwords.items()})
    client = web.client()
    response = _post_login(web, client, "viewer", web.passwords["viewer"])
    assert "secure" in response.headers["set-cookie"].lower()
    store.close()


def test_post_without_the_right_csrf_token_is_refused(web: WebApp) -> None:
    client = web.client()
    login(web, client, "administrator")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 400
    assert client.get("/audit").status_code == 200  # still signed in
    anonymous = web.client()
    response = anonymous.post(
        "/login", data={"username": username("viewer"), "password": web.passwords["viewer"]}
    )
    assert response.status_code == 400
    assert "the form has expired" in response.text


def test_signing_out_ends_the_session(web: WebApp) -> None:
    client = web.client()
    token = login(web, client, "administrator")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/audit").status_code == 303


def test_a_removed_user_is_signed_out(web: WebApp) -> None:
    client = web.client()
    login(web, client, "analyst")
    web.store.execute("delete from users where username = ?", [username("analyst")])
    assert client.get("/data").status_code == 303


def test_five_failures_block_the_username_from_that_address(web: WebApp) -> None:
    client = web.client()
    for _ in range(5):
        assert _post_login(web, client, "viewer", "wrong password").status_code == 400
    blocked = _post_login(web, client, "viewer", web.passwords["viewer"])
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.text
    assert _post_login(web, client, "analyst", web.passwords["analyst"]).status_code == 303


def test_the_limiter_forgets_failures_after_the_window() -> None:
    now = [0.0]
    limiter = LoginLimiter(attempts=2, window_seconds=60, clock=lambda: now[0])
    limiter.failed("Ann", "1.2.3.4")
    limiter.failed("ann", "1.2.3.4")
    with pytest.raises(TooManyAttempts):
        limiter.check("ann", "1.2.3.4")
    limiter.check("ann", "5.6.7.8")
    now[0] = 61
    limiter.check("ann", "1.2.3.4")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("/audit", "/audit"), ("//evil.example", "/"), ("https://evil.example", "/"), ("", "/")],
)
def test_after_sign_in_only_paths_on_this_site(given: str, expected: str) -> None:
    assert safe_next(given) == expected


def test_home_sends_each_role_to_its_first_page(web: WebApp) -> None:
    for role, target in (("viewer", "/overview"), ("team_manager", "/plan")):
        client = web.client()
        login(web, client, role)
        assert client.get("/").headers["location"] == target


def test_error_pages_are_gov_uk_pages(web: WebApp) -> None:
    client = web.client()
    login(web, client, "viewer")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.text
    forbidden = client.get("/audit")
    assert forbidden.status_code == 403
    assert "govuk-heading-l" in forbidden.text and "may not read the audit log" in forbidden.text
    assert 'href="/data"' not in forbidden.text and "Sign out" in forbidden.text
    bad = client.get("/audit", params={"page": "zero"})
    assert bad.status_code in (400, 403)


def test_logs_name_the_route_template_not_the_path(
    web: WebApp, caplog: pytest.LogCaptureFixture
) -> None:
    client = web.client()
    login(web, client, "administrator")
    with caplog.at_level(logging.INFO, logger="turnaround.web"):
        client.get("/audit", params={"user": "someone-identifiable"})
        client.get("/people/C0000001")
    text = caplog.text
    assert "GET /audit 200" in text
    assert "GET (no route) 404" in text
    assert "someone-identifiable" not in text and "C0000001" not in text


def test_the_app_refuses_to_start_without_its_assets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run make install"):
        check_assets(tmp_path)


def test_demo_users_one_per_role_with_a_real_team(web: WebApp) -> None:
    rows = web.store.fetchall("select role, team from users order by role")
    assert {r[0] for r in rows} == {
        "administrator", "board_member", "analyst", "safeguarding_reviewer", "team_manager",
        "viewer",
    }  # fmt: skip
    assert dict(rows)["team_manager"] == TEAM
    hashes = web.store.fetchall("select password_hash from users")
    assert all(str(h[0]).startswith("$argon2") for h in hashes)


def test_users_add_reads_a_password_or_makes_one(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--workspace", str(tmp_path), "users", "add"]
    first = runner.invoke(
        cli_app, [*base, "root", "--role", "administrator", "--password-stdin"], input="x" * 12
    )  # a fresh workspace's first user is its administrator
    assert first.exit_code == 0, first.output
    base = [*base, "--user", "root"]
    result = runner.invoke(
        cli_app,
        [*base, "tam", "--role", "team_manager", "--team", TEAM, "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    generated = runner.invoke(cli_app, [*base, "ana", "--role", "analyst"], input="")
    assert generated.exit_code == 0, generated.output
    password = generated.output.split("password (shown once): ")[1].strip()
    store = open_store(tmp_path / "turnaround.duckdb")
    try:
        user = check_password(store, "tam", "a long enough password")
        assert user is not None and user.team == TEAM and user.role == "team_manager"
        assert check_password(store, "ana", password) is not None
        assert check_password(store, "ana", "guess") is None
    finally:
        store.close()


def test_a_session_expires_even_if_the_browser_keeps_the_cookie(tmp_path: Path) -> None:
    store = open_store(tmp_path / "turnaround.duckdb")
    passwords = create_demo_users(store)
    settings = Settings(workspace=tmp_path, session_hours=1)
    web = WebApp(
        create_app(settings, store=store),
        store,
        {k.removeprefix("demo_"): v for k, v in passwords.items()},
    )
    now = [1_700_000_000.0]
    web.app.state.clock = lambda: now[0]
    client = web.client()
    login(web, client, "administrator")
    kept = client.cookies["turnaround_session"]
    now[0] += 3599  # a second short of the hour: still signed in
    assert client.get("/audit").status_code == 200
    now[0] += 2  # past the hour since sign-in, though the cookie was re-signed a moment ago
    stale = web.client()
    stale.cookies.set("turnaround_session", kept)
    assert stale.get("/audit").status_code == 303
    assert client.get("/audit").status_code == 303
    store.close()


def test_a_session_is_bounded_by_its_sign_in_time() -> None:
    session: dict[str, object] = {"stale": "dropped at sign-in"}
    sign_in(session, User("ann", "viewer"), now=1000.9)
    assert session["since"] == 1000 and "stale" not in session
    assert session_username(session, 0.5, now=1000 + 1800) == "ann"
    assert session_username(session, 0.5, now=1000 + 1801) is None
    assert session == {}, "an expired session is cleared"
    assert session_username({"user": "ann"}, 8, now=0) is None, "no sign-in time, no session"
