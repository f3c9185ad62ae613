"""Every route, as every role and as an anonymous visitor, answers what the role map says.

Each route declares its access once (``allow(action)``, see turnaround/web/routing.py); a route
without a declaration fails here. Routes with path parameters take their sample values from
``PATH_SAMPLES`` and POST routes their form from ``POST_FORMS``: a route missing from either
table fails too, so a new route cannot slip past the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Mount

from tests.web.conftest import TEAM, TestClient, WebApp, csrf, login, username
from turnaround.access import ROLES, may
from turnaround.web.routing import LOGGED_IN, PUBLIC, app_routes, route_action, wants_page

# Sample values for each path parameter, by route template.
PATH_SAMPLES: dict[str, dict[str, str]] = {
    "/measures/{measure_id}": {"measure_id": "lac_per_10k"},
    "/measures/{measure_id}/records/{year}": {"measure_id": "lac_per_10k", "year": "2014"},
    "/workforce/teams/{team}": {"team": TEAM},
    "/unknown/people/{person}": {"person": "P-0000000000"},
    "/unknown/people/{person}/decision": {"person": "P-0000000000"},
    "/plan/teams/{team}": {"team": TEAM},
}

# GET routes whose allowed roles get something other than 200 or 303 on the empty store: there
# is no worklist (so no such person, nothing to export) and no plan (so no route map PDF).
GET_STATUSES: dict[str, set[int]] = {
    "/unknown/people/{person}": {404},
    "/unknown/export.csv": {404},
    "/unknown/export.xlsx": {404},
    "/plan/route-map.pdf": {404},
}

# For each POST route: (form for a role, or None for an anonymous visitor; files; the status an
# allowed role gets). The upload's form is empty, so an allowed role is told to choose a file.
FormFor = Callable[[WebApp, str | None], dict[str, str]]
POST_FORMS: dict[str, tuple[FormFor, dict[str, Any] | None, int]] = {
    "/login": (
        lambda web, role: {
            "username": username(role or "viewer"),
            "password": web.passwords[role or "viewer"],
        },
        None,
        303,
    ),
    "/logout": (lambda web, role: {}, None, 303),
    "/data/upload": (lambda web, role: {"year": ""}, None, 400),
    # The empty store has no worklist, so the person is not found.
    "/unknown/people/{person}/decision": (
        lambda web, role: {"decision": "refer", "reason": "access matrix"},
        None,
        404,
    ),
    # No plan file chosen: the allowed role is asked to choose one.
    "/plan": (lambda web, role: {"note": ""}, None, 400),
}

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")


def _fill(template: str, team: str = TEAM) -> str:
    names = _PARAM.findall(template)
    if not names:
        return template
    assert template in PATH_SAMPLES, f"{template}: add sample values to PATH_SAMPLES"
    values = dict(PATH_SAMPLES[template])
    if "team" in values:
        values["team"] = team
    missing = set(names) - set(values)
    assert not missing, f"{template}: PATH_SAMPLES lacks {sorted(missing)}"
    return _PARAM.sub(lambda m: values[m.group(1)], template)


def _routes(web: WebApp) -> list[tuple[str, str, str]]:
    """(method, path template, action) for every route; fails for an undeclared one."""
    found = []
    for path, route in app_routes(web.app.routes):
        if isinstance(route, Mount):
            assert path == "/static", f"mount {path} has no access declaration"
            continue
        assert isinstance(route, APIRoute), f"{path}: {route!r} is not an APIRoute"
        action = route_action(route)
        assert action is not None, f"{path} declares no access: use Depends(allow(...))"
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path, action))
    # Signing out ends the session, so it goes last.
    return sorted(found, key=lambda r: r[:2] == ("POST", "/logout"))


def _expected(role: str | None, method: str, path: str, action: str, allowed: set[int]) -> set[int]:
    if action == PUBLIC:
        return allowed
    if role is None:
        return {303} if wants_page(method, path) else {401}
    if action == LOGGED_IN or may(role, action):
        return allowed
    return {403}


def _request(
    web: WebApp, client: TestClient, role: str | None, method: str, template: str, path: str
) -> Any:
    if method == "GET":
        return client.get(path)
    assert template in POST_FORMS, f"POST {template}: add its form to POST_FORMS"
    form_for, files, _ = POST_FORMS[template]
    data = {**form_for(web, role), "csrf_token": csrf(client)}
    return client.post(path, data=data, files=files)


def _check_role(web: WebApp, role: str | None, problems: list[str]) -> None:
    client = web.client()
    if role is not None:
        login(web, client, role)
    for method, template, action in _routes(web):
        allowed = (
            {POST_FORMS[template][2]}
            if method == "POST"
            else GET_STATUSES.get(template, {200, 303})
        )
        cases = [(_fill(template), _expected(role, method, template, action, allowed))]
        # Caseloads are a team's own business; the plan's team views are for all staff.
        if role == "team_manager" and action == "view-team" and may(role, action):
            cases.append((_fill(template, team="not-my-team"), {403}))
        for path, expected in cases:
            response = _request(web, client, role, method, template, path)
            who = role or "anonymous"
            if response.status_code not in expected:
                problems.append(f"{who} {method} {path}: {response.status_code}, not {expected}")
            elif response.status_code == 403 and "You do not have access" not in response.text:
                problems.append(f"{who} {method} {path}: 403 without the GOV.UK error page")
            elif (
                response.status_code == 303
                and role is None
                and action != PUBLIC
                and not response.headers["location"].startswith("/login?next=")
            ):
                problems.append(f"anonymous {method} {path}: not sent to /login")
        if method == "POST" and template == "/login":  # it signed in; go back to who we were
            client.cookies.clear()
            if role is not None:
                login(web, client, role)


def test_every_route_answers_each_role_as_the_role_map_says(web: WebApp) -> None:
    before = web.store.fetchall("select * from audit_log order by audit_id")
    problems: list[str] = []
    for role in (None, *ROLES):
        _check_role(web, role, problems)
    assert not problems, "\n".join(problems)
    after = web.store.fetchall("select * from audit_log order by audit_id")
    assert after[: len(before)] == before, "an audit record was changed or deleted"
    assert len(after) > len(before)


def test_static_assets_are_public(web: WebApp) -> None:
    response = web.client().get("/static/vendor/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    assert "/static/vendor/govuk/assets/" in response.text


def test_nothing_in_the_app_updates_or_deletes_audit_records() -> None:
    source = Path(__file__).parents[2] / "turnaround" / "web"
    changing = re.compile(r"(update|delete\s+from|truncate|drop\s+table)\s+audit_log", re.I)
    offenders = [
        str(path)
        for path in source.rglob("*")
        if path.suffix in {".py", ".sql", ".html"} and changing.search(path.read_text("utf-8"))
    ]
    assert not offenders, offenders


def test_a_route_without_a_declaration_is_caught(web: WebApp) -> None:
    @web.app.get("/undeclared")
    def undeclared() -> str:
        return "x"

    route = next(r for p, r in app_routes(web.app.routes) if p == "/undeclared")
    assert route_action(route) is None
