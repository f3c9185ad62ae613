"""An app over a real DuckDB store with one user per role, and a way to sign in as each."""

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

from turnaround.access import create_demo_users
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.web import create_app

TEAM = "T07"
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
    store.con.execute(
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
