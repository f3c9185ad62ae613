"""A real server, a real browser: the app under uvicorn on a free local port, driven by Chromium.

One city (the same build as ``tests/web/views/conftest.py``, with its files kept for the upload
test) and one server serve the whole session; each test gets a fresh browser context, so its own
cookies. ``signed_in(role)`` signs in through the login form, ``shoot`` writes a full-page PNG to
``tests/artifacts/screenshots/<role>-<page>.png``, and ``check_axe`` runs axe-core and fails on
any serious or critical violation.

Debian's Chromium is used (``/usr/bin/chromium``): Playwright's own browser download does not
work here. Without it these tests skip.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from turnaround.access import Actor, add_user, create_demo_users
from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
from turnaround.plan.rules import demo_plan_path
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web import create_app
from turnaround.web.app import STATIC_DIR

CHROMIUM = Path("/usr/bin/chromium")
AXE = STATIC_DIR / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHILDREN = 3000
BLOCKING = ("serious", "critical")

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@dataclass
class Server:
    """The running app: where it listens, its store, the city's files and each role's password."""

    base_url: str
    store: Store
    city: Path
    passwords: dict[str, str]  # by role
    axe_findings: list[dict[str, Any]] = field(default_factory=list)

    def count(self, table: str) -> int:
        """Rows in a store table, read on a cursor of our own (the server uses the store too)."""
        cursor = self.store.cursor()
        try:
            row = cursor.fetchone(f"select count(*) from {table}", step=f"counting {table}")
        finally:
            cursor.close()
        assert row is not None
        return int(row[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_city(root: Path) -> tuple[Store, dict[str, str]]:
    """The views' 3,000-child city with every stage run, demo users and the demo plan."""
    config = SynthConfig(children=CHILDREN, seed=5)
    generate_city(config, root / "city")
    store = open_store(root / "turnaround.duckdb")
    add_user(store, "test", "administrator")
    run_pipeline(
        store,
        PipelineInputs.from_folder(root / "city"),
        actor=Actor.cli("test"),
        options=PipelineOptions(forecast_runs=None, plan=demo_plan_path()),
    )
    by_name = create_demo_users(store)  # after the workforce, so the team manager has a team
    return store, {name.removeprefix("demo_"): pw for name, pw in by_name.items()}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app over a populated store, under uvicorn in a thread on 127.0.0.1."""
    root = tmp_path_factory.mktemp("browser-city")
    store, passwords = build_city(root)
    app = create_app(Settings(workspace=root), store=store)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
        time.sleep(0.05)
    made = Server(f"http://127.0.0.1:{port}", store, root / "city", passwords)
    yield made
    running.should_exit = True
    thread.join(timeout=10)
    store.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe-findings.json").write_text(json.dumps(made.axe_findings, indent=2))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, server: Server) -> Iterator[Callable[[], Page]]:
    """Pages in a fresh browser context (own cookies), all closed after the test."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=server.base_url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(new_page: Callable[[], Page], server: Server) -> Callable[[str], Page]:
    """``signed_in(role)``: a page signed in as that role's demo user through the login form."""

    def sign_in(role: str) -> Page:
        page = new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(f"demo_{role}")
        page.get_by_label("Password").fill(server.passwords[role])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{role} could not sign in: {page.url}"
        return page

    return sign_in


def shoot(page: Page, role: str, name: str) -> Path:
    """A full-page PNG of the page as it stands, as tests/artifacts/screenshots/<role>-<page>."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "home"
    path = SCREENSHOTS / f"{role}-{slug}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def check_axe(page: Page, server: Server, where: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail on serious or critical violations, record the rest."""
    assert AXE.exists(), f"{AXE} is missing: run make install"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN)
    for v in violations:
        server.axe_findings.append({"page": where, **v})
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {where}:\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}; at {', '.join(v['targets'][:5])}"
        for v in blocking
    )
    return violations
