"""An app over a real DuckDB store with one user per role, a way to sign in as each, and a
small synthetic city with every stage run (``city_store``), shared by the page tests."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

# Starlette 1.x deprecates driving its TestClient with httpx in favour of httpx2, which is not
# installed yet; the warning fires once, on import. Tests import TestClient from here.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from turnaround.access import Actor, add_user, create_demo_users
from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web import create_app
from turnaround.web.views.forecast import BudgetRun, run_forecast

TEAM = "T07"
CHILDREN = 3000  # the synthetic city shared by the page tests
RUNS = 50  # its forecast's runs: fewer than the app uses, so the tests stay quick
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class WebApp:
    """The app under test, its store, and each role's username and password."""

    app: FastAPI
    store: Store
    passwords: dict[str, str]  # by role

    def client(self) -> TestClient:
        """A fresh browser: its own cookie jar, no redirects followed."""
        return TestClient(self.app, follow_redirects=False)


def username(role: str) -> str:
    """The demo user who has ``role``."""
    return f"demo_{role}"


def csrf(client: TestClient) -> str:
    """The session's CSRF token, as a page hands it to its forms."""
    response = client.get("/login")
    found = _CSRF.search(response.text)
    assert found, "no csrf token on /login"
    return found.group(1)


def login(web: WebApp, client: TestClient, role: str) -> str:
    """Sign ``client`` in as the demo user of ``role``; returns the new CSRF token."""
    response = client.post(
        "/login",
        data={
            "username": username(role),
            "password": web.passwords[role],
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 303, response.text
    return csrf(client)


def make_web(workspace: Path) -> WebApp:
    """A store in ``workspace`` with a workforce team and one user per role, and its app."""
    store = open_store(workspace / "turnaround.duckdb")
    store.execute(
        "insert into workforce_teams values (?, 'cin_cp', 'Child in need 7', 'children', 'w1')",
        [TEAM],
    )
    by_name = create_demo_users(store)
    passwords = {name.removeprefix("demo_"): password for name, password in by_name.items()}
    return WebApp(create_app(Settings(workspace=workspace), store=store), store, passwords)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebApp]:
    """A fresh app and store for one test."""
    made = make_web(tmp_path)
    yield made
    made.store.close()


@pytest.fixture(scope="session")
def city_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Returns, workforce, population, linkage and the worklist for a 3,000-child city."""
    root: Path = tmp_path_factory.mktemp("web-city")
    config = SynthConfig(children=CHILDREN, seed=5)
    generate_city(config, root / "city")
    store = open_store(root / "turnaround.duckdb")
    # The forecast is the budget_run fixture's, with fewer runs.
    no_forecast = PipelineOptions(forecast_runs=None)
    add_user(store, "test", "administrator")
    inputs = PipelineInputs.from_folder(root / "city")
    run_pipeline(store, inputs, actor=Actor.cli("test"), options=no_forecast)
    add_user(store, "ana", "analyst")
    add_user(store, "bea", "board_member")
    add_user(store, "tom", "team_manager")
    yield store
    store.close()


@pytest.fixture(scope="session")
def budget_run(city_store: Store) -> BudgetRun:
    """The shared forecast, with fewer runs than the app uses so the tests stay quick."""
    return run_forecast(city_store, runs=RUNS, seed=1)


@pytest.fixture(scope="session")
def identities(city_store: Store) -> tuple[set[str], set[str]]:
    """Every child id in the returns, and every full name in the partner records."""
    ids = {
        str(r[0])
        for r in city_store.fetchall(
            "select child_id from cin_children union select child from ssda903_header"
        )
    }
    names = {
        f"{r[0]} {r[1]}"
        for r in city_store.fetchall(
            "select distinct forename, surname from linkage_records"
            " where forename is not null and surname is not null"
        )
    }
    return ids, names


def identifiers_in(html: str, identities: tuple[set[str], set[str]]) -> set[str]:
    """The child ids and names (any case) that appear in a rendered page."""
    ids, names = identities
    found = set(re.findall(r"C\d{7}", html)) & ids
    upper = html.upper()
    found |= {name for name in names if name.upper() in upper}
    return found
