"""The content pages as routes of the app, over a copy of the small synthetic city: what each
shows, who may see it, the audit of the drill-down, the workbook download and the cache."""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.conftest import TestClient, WebApp, csrf, identifiers_in, login, username
from turnaround.access import Actor, create_demo_users, find_web_user
from turnaround.measures.registry import get_measure
from turnaround.plan.history import check_in
from turnaround.plan.model import read_plan
from turnaround.plan.progress import assess_store
from turnaround.plan.rules import demo_plan_path
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.web import create_app
from turnaround.web.cache import DataCache
from turnaround.web.views.forecast import BudgetRun

MEASURE = "lac_per_10k"
YEAR = 2014


def seed_forecast(web: WebApp, run: BudgetRun) -> None:
    """Hand the app's cache the tests' quicker forecast for the store's current data version,
    so the pages need not run the app's full thousand runs (the cache is not mocked)."""
    cache: DataCache = web.app.state.cache
    assert cache.get(("forecast-run",), lambda: run) is not None


@pytest.fixture(scope="module")
def city_web(
    city_store: Store, budget_run: BudgetRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebApp]:
    """The app over a copy of the city's store (so checking in a plan here changes nothing
    for other tests), with one demo user per role."""
    city_store.execute("checkpoint")
    row = city_store.fetchone(
        "select path from duckdb_databases() where database_name = current_database()"
    )
    assert row is not None
    workspace = tmp_path_factory.mktemp("content-pages")
    shutil.copy(Path(str(row[0])), workspace / "turnaround.duckdb")
    store = open_store(workspace / "turnaround.duckdb")
    by_name = create_demo_users(store)
    passwords = {name.removeprefix("demo_"): password for name, password in by_name.items()}
    web = WebApp(create_app(Settings(workspace=workspace), store=store), store, passwords)
    seed_forecast(web, budget_run)
    yield web
    store.close()


def signed_in(web: WebApp, role: str) -> TestClient:
    client = web.client()
    login(web, client, role)
    return client


def audit_rows(store: Store, target: str) -> int:
    row = store.fetchone(
        "select count(*) from audit_log where action = 'view-identifiable' and target = ?",
        [target],
    )
    return int(row[0]) if row else 0


def test_the_overview_counts_unknown_children_and_names_none(
    city_web: WebApp, identities: tuple[set[str], set[str]]
) -> None:
    response = signed_in(city_web, "board_member").get("/overview")
    assert response.status_code == 200
    row = city_web.store.fetchone("select count(*) from unknown_worklist")
    assert row is not None and row[0] > 0
    assert f"{row[0]:,}" in response.text
    assert "children known to partners" in response.text
    assert identifiers_in(response.text, identities) == set()
    assert "No plan checked in yet" in response.text


def test_the_overview_shows_the_plans_priorities_with_their_rating_words(
    city_web: WebApp, budget_run: BudgetRun
) -> None:
    plan_file = read_plan(demo_plan_path())
    check_in(city_web.store, Actor.cli(username("administrator")), plan_file)
    seed_forecast(city_web, budget_run)  # the check-in made a new data version
    response = signed_in(city_web, "board_member").get("/overview")
    assert response.status_code == 200
    assert "No plan checked in yet" not in response.text
    progress = assess_store(city_web.store, plan_file.plan)
    assert progress.priorities
    for priority in progress.priorities:
        assert priority.title in response.text
        assert f">{priority.rating}</strong>" in response.text
    for measure in progress.measures:
        if measure.rating == "off track":
            assert measure.title in response.text


def test_the_measures_list_links_to_each_measure(city_web: WebApp) -> None:
    response = signed_in(city_web, "viewer").get("/measures")
    assert response.status_code == 200
    assert f'href="/measures/{MEASURE}"' in response.text


def test_a_measures_page_shows_its_definition(city_web: WebApp) -> None:
    measure = get_measure(MEASURE)
    analyst = signed_in(city_web, "analyst").get(f"/measures/{MEASURE}")
    assert analyst.status_code == 200
    assert measure.title in analyst.text
    assert measure.definition in analyst.text
    assert f'href="/measures/{MEASURE}/records/' in analyst.text
    board = signed_in(city_web, "board_member").get(f"/measures/{MEASURE}")
    assert board.status_code == 200
    assert "/records/" not in board.text  # no drill-down link for a role that may not follow it


def test_an_unknown_measure_is_404(city_web: WebApp) -> None:
    response = signed_in(city_web, "viewer").get("/measures/no_such_measure")
    assert response.status_code == 404


def test_the_drill_down_writes_one_audit_row_and_is_refused_to_the_board(
    city_web: WebApp,
) -> None:
    target = f"measure {MEASURE} {YEAR}"
    before = audit_rows(city_web.store, target)
    response = signed_in(city_web, "analyst").get(
        f"/measures/{MEASURE}/records/{YEAR}", params={"reason": "checking the figure"}
    )
    assert response.status_code == 200
    assert "The records behind the figure" in response.text
    assert audit_rows(city_web.store, target) == before + 1
    reason = city_web.store.fetchone(
        "select reason, origin from audit_log where target = ? order by audit_id desc limit 1",
        [target],
    )
    assert reason is not None and reason[0] == "checking the figure"
    assert str(reason[1]).startswith("web ")

    refused = signed_in(city_web, "board_member").get(f"/measures/{MEASURE}/records/{YEAR}")
    assert refused.status_code == 403
    assert audit_rows(city_web.store, target) == before + 1


def test_the_workbook_download_is_an_xlsx_with_the_budget(city_web: WebApp) -> None:
    response = signed_in(city_web, "viewer").get("/forecast/workbook.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "Budget" in load_workbook(io.BytesIO(response.content), read_only=True).sheetnames


def test_a_team_manager_sees_their_own_team_only(city_web: WebApp) -> None:
    manager = find_web_user(city_web.store, username("team_manager"))
    assert manager is not None and manager.team
    other = city_web.store.fetchone(
        "select team_id from workforce_teams where team_id <> ? order by team_id limit 1",
        [manager.team],
    )
    assert other is not None
    client = signed_in(city_web, "team_manager")
    own = client.get(f"/workforce/teams/{manager.team}")
    assert own.status_code == 200, own.text
    assert "Each worker's open cases" in own.text
    assert client.get(f"/workforce/teams/{other[0]}").status_code == 403
    assert client.get("/workforce").status_code == 403  # aggregates are not theirs
    admin = signed_in(city_web, "administrator").get(f"/workforce/teams/{other[0]}")
    assert admin.status_code in (200, 404)  # any team; 404 only if it holds no cases


def test_the_workforce_page_links_teams_only_for_roles_that_may_open_them(
    city_web: WebApp,
) -> None:
    response = signed_in(city_web, "administrator").get("/workforce")
    assert response.status_code == 200
    assert 'href="/workforce/teams/' in response.text
    # A viewer may not open a team's caseloads, so the names are plain text, not dead links.
    response = signed_in(city_web, "viewer").get("/workforce")
    assert response.status_code == 200
    assert 'href="/workforce/teams/' not in response.text


def test_the_second_forecast_request_is_served_from_the_cache(city_web: WebApp) -> None:
    cache: DataCache = city_web.app.state.cache
    client = signed_in(city_web, "viewer")
    client.get("/forecast")  # computes the page's context once for this data version
    computed = cache.computed
    response = client.get("/forecast")
    assert response.status_code == 200
    assert "Download the budget workbook" in response.text
    assert cache.computed == computed, "the second request computed something again"


def test_pages_need_a_sign_in(city_web: WebApp) -> None:
    client = city_web.client()
    response = client.get("/overview")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert csrf(client)


def test_an_empty_store_says_no_data_is_loaded(web: WebApp) -> None:
    client = web.client()
    login(web, client, "administrator")
    for path in (
        "/overview",
        "/measures",
        f"/measures/{MEASURE}",
        f"/measures/{MEASURE}/records/{YEAR}",
        "/forecast",
        "/forecast/workbook.xlsx",
        "/workforce",
        "/workforce/teams/T07",
    ):
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        assert "No data loaded yet" in response.text, path
        assert 'class="govuk-inset-text"' in response.text, path


class ArrivalsCache(DataCache):
    """The real cache, counting the requests that have asked it for the data version."""

    def __init__(self, store: Store, expected: int) -> None:
        super().__init__(store)
        self._expected = expected
        self._arrived = 0
        self._count = threading.Lock()
        self.all_arrived = threading.Event()

    def data_version(self) -> str:
        version = super().data_version()
        with self._count:
            self._arrived += 1
            if self._arrived >= self._expected:
                self.all_arrived.set()
        return version


def test_concurrent_first_requests_compute_a_result_once(web: WebApp) -> None:
    cache = ArrivalsCache(web.store, expected=4)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        # Hold the computation until all four requests have asked, so they overlap it for sure.
        assert cache.all_arrived.wait(timeout=60), "the other requests never arrived"
        return 42

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: cache.get(("slow",), slow), range(4)))
    assert results == [42] * 4
    assert len(calls) == 1
    assert cache.computed == 1


def test_a_failed_compute_is_not_cached_and_is_tried_again(web: WebApp) -> None:
    cache = DataCache(web.store)

    def fails() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get(("flaky",), fails)
    assert cache.get(("flaky",), lambda: 7) == 7
