"""Property tests: whatever a visitor sends to the forms, the app answers without a server error,
never signs anyone in by accident, never redirects off-site, never loads a broken upload and
never stores a decision other than the three allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import TestClient, WebApp, csrf, login, make_web, username
from turnaround.access import Actor
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.sources import city_sources
from turnaround.risk.indicators import score_people
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web.security import LoginLimiter
from turnaround.worklist.build import build_worklist
from turnaround.worklist.decisions import DECISIONS
from turnaround.worklist.entries import person_reference

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(max_size=300) | st.sampled_from(["", " ", "\x00", "demo_viewer", "é" * 5000])


@pytest.fixture(scope="module")
def fuzz_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """One app for the module, over a small linked city so the worklist has people on it."""
    root: Path = tmp_path_factory.mktemp("fuzz")
    config = SynthConfig(children=600, seed=7)
    generate_city(config, root / "city")
    made = make_web(root)
    actor = Actor.cli(username("administrator"))
    load_sources(made.store, city_sources(root / "city", config.end_year), actor=actor)
    run_linkage(made.store, actor=actor)
    score_people(made.store, actor=actor)
    build_worklist(made.store, actor=actor)
    yield made
    made.store.close()


def _count(web: WebApp, table: str) -> int:
    row = web.store.fetchone(f"select count(*) from {table}")
    assert row is not None
    return int(row[0])


def _signed_in(client: TestClient) -> bool:
    response = client.get("/")
    return response.status_code < 400 and "/login" not in response.headers.get("location", "")


@pytest.fixture(scope="module")
def analyst(fuzz_web: WebApp) -> tuple[TestClient, str]:
    """One signed-in analyst for the module (argon2 per example would be slow), and the token."""
    client = fuzz_web.client()
    return client, login(fuzz_web, client, "analyst")


@pytest.fixture(scope="module")
def reviewer(fuzz_web: WebApp) -> tuple[TestClient, str]:
    """One signed-in safeguarding reviewer for the module, and the token."""
    client = fuzz_web.client()
    return client, login(fuzz_web, client, "safeguarding_reviewer")


@FUZZ
@given(username=text, password=text)
def test_the_login_form_never_fails_or_lets_a_stranger_in(
    fuzz_web: WebApp, username: str, password: str
) -> None:
    fuzz_web.app.state.login_limiter = LoginLimiter()
    client = fuzz_web.client()
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf(client)}
    )
    assert response.status_code < 500, response.text
    assert response.status_code in (400, 429), response.status_code
    assert not _signed_in(client)


@FUZZ
@given(
    target=st.text(max_size=60)
    | st.sampled_from(
        ["//evil.example", "/\\evil.example", "https://evil.example/", "/ok"]
    ).flatmap(lambda s: st.sampled_from([s, s + "/x", " " + s]))
)
def test_next_never_leaves_the_site(fuzz_web: WebApp, target: str) -> None:
    fuzz_web.app.state.login_limiter = LoginLimiter()
    client = fuzz_web.client()
    response = client.post(
        "/login",
        data={
            "username": "demo_viewer",
            "password": fuzz_web.passwords["viewer"],
            "csrf_token": csrf(client),
            "next": target,
        },
    )
    assert response.status_code in (303, 400), response.text  # 400: next is too long
    if response.status_code == 303:
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "\\" not in location and "://" not in location.split("?")[0], location
    form = client.get("/login", params={"next": target})
    assert form.status_code == 200
    shown = re.search(r'name="next" value="([^"]*)"', form.text)
    assert shown and shown.group(1).startswith("/") and not shown.group(1).startswith("//")


POSTS = ["/logout", "/data/upload", "/login"]


@FUZZ
@given(path=st.sampled_from(POSTS), token=st.none() | st.text(max_size=80))
def test_a_post_without_the_right_csrf_token_is_refused(
    analyst: tuple[TestClient, str], path: str, token: str | None
) -> None:
    client, real = analyst
    data = {} if token is None else {"csrf_token": token}
    if token == real:
        return
    response = client.post(path, data=data)
    assert response.status_code == 400, (path, response.status_code)
    assert _signed_in(client)  # even /logout did nothing


@FUZZ
@given(
    content=st.binary(max_size=4000),
    name=st.sampled_from(["header.csv", "episodes.csv", "cin_census_2014.xml", "annex_a.xlsx"]),
    year=st.sampled_from(["", "2014", "20x4"]),
)
def test_an_upload_of_any_bytes_never_fails_or_loads(
    fuzz_web: WebApp, analyst: tuple[TestClient, str], content: bytes, name: str, year: str
) -> None:
    client, token = analyst
    before = _count(fuzz_web, "loads")
    response = client.post(
        "/data/upload",
        data={"csrf_token": token, "year": year},
        files={"files": (name, content, "application/octet-stream")},
    )
    assert response.status_code in (400, 422), (response.status_code, response.text[-500:])
    assert _count(fuzz_web, "loads") == before


@pytest.fixture(scope="module")
def people(fuzz_web: WebApp) -> list[str]:
    rows = fuzz_web.store.fetchall("select cluster_id from unknown_worklist")
    found = [person_reference(str(r[0])) for r in rows]
    assert found, "the small city's worklist is empty"
    return found


@settings(FUZZ, max_examples=25)
@given(
    pick=st.integers(min_value=0),
    decision=st.sampled_from([*DECISIONS, "REFER", "refer ", "delete", ""]) | st.text(max_size=60),
    reason=st.text(max_size=300) | st.sampled_from(["", "   ", "x" * 2500]),
)
def test_a_decision_form_stores_only_the_allowed_decisions(
    fuzz_web: WebApp,
    reviewer: tuple[TestClient, str],
    people: list[str],
    pick: int,
    decision: str,
    reason: str,
) -> None:
    client, token = reviewer
    person = people[pick % len(people)]
    response = client.post(
        f"/unknown/people/{person}/decision",
        data={"csrf_token": token, "decision": decision, "reason": reason},
    )
    assert response.status_code in (303, 400, 404), (response.status_code, response.text[-500:])
    rows = fuzz_web.store.fetchall("select decision from worklist_decisions")
    assert {r[0] for r in rows} <= set(DECISIONS), rows
