"""The unknown-children pages (with reviewers' decisions) and the plan pages, over a real city.

The app runs over a copy of the shared city store, so decisions and plan check-ins made here do
not leak into the other page tests. The demo plan is checked in once, by the administrator.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from tests.web.conftest import TestClient, WebApp, login, username
from turnaround.access import Actor, create_demo_users
from turnaround.plan.history import check_in, versions
from turnaround.plan.model import read_plan
from turnaround.plan.rules import demo_plan_path
from turnaround.settings import Settings
from turnaround.store import Store, open_store
from turnaround.web import create_app
from turnaround.worklist.entries import worklist_entries

POOR_PLAN = Path(__file__).parents[2] / "plan" / "fixtures" / "poor.yaml"


@pytest.fixture(scope="module")
def city_web(city_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """The app over a copy of the city store, with the demo users and the demo plan."""
    root = tmp_path_factory.mktemp("unknown-and-plan")
    city_store.execute("checkpoint")
    copy = root / "turnaround.duckdb"
    shutil.copyfile(city_store.path, copy)
    store = open_store(copy)
    by_name = create_demo_users(store)
    passwords = {name.removeprefix("demo_"): password for name, password in by_name.items()}
    check_in(store, Actor.cli(username("administrator")), read_plan(demo_plan_path()))
    yield WebApp(create_app(Settings(workspace=root), store=store), store, passwords)
    store.close()


def signed_in(web: WebApp, role: str) -> tuple[TestClient, str]:
    client = web.client()
    return client, login(web, client, role)


def text_of(response_text: str) -> str:
    """A page's text with tags dropped and entities decoded, for phrase checks."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response_text)))


# --- unknown children --------------------------------------------------------------------------


def test_the_counts_page_has_no_names_and_links_the_worklist_only_for_reviewers(
    city_web: WebApp,
) -> None:
    first = worklist_entries(city_web.store, top=1)[0]
    name = f"{first.forename} {first.surname}"
    for role, linked in (("analyst", False), ("safeguarding_reviewer", True)):
        client, _ = signed_in(city_web, role)
        response = client.get("/unknown")
        assert response.status_code == 200
        assert "On the worklist" in response.text
        assert "Decisions recorded by reviewers" in response.text
        assert name.upper() not in response.text.upper()
        assert first.person not in response.text
        assert ('href="/unknown/worklist"' in response.text) is linked


def test_an_analyst_may_not_see_the_worklist_or_a_child(city_web: WebApp) -> None:
    person = worklist_entries(city_web.store, top=1)[0].person
    client, _ = signed_in(city_web, "analyst")
    for path in ("/unknown/worklist", f"/unknown/people/{person}", "/unknown/export.csv"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert person not in response.text


def test_a_reviewer_sees_the_ranked_worklist_with_names_and_the_view_is_audited(
    city_web: WebApp,
) -> None:
    entries = worklist_entries(city_web.store, top=3)
    client, _ = signed_in(city_web, "safeguarding_reviewer")
    response = client.get("/unknown/worklist?top=3")
    assert response.status_code == 200
    page = text_of(response.text)
    for e in entries:
        assert f"{e.forename} {e.surname}" in page
        assert f'href="/unknown/people/{e.person}"' in response.text
        assert e.fired[0].label in page
    audit = city_web.store.fetchone(
        "select action, target, origin from audit_log where username = ?"
        " order by audit_id desc limit 1",
        [username("safeguarding_reviewer")],
    )
    assert audit is not None
    assert audit[0] == "view-worklist" and audit[2].startswith("web ")


def test_a_childs_page_explains_the_score_shows_the_records_and_is_audited(
    city_web: WebApp,
) -> None:
    entry = worklist_entries(city_web.store, top=1)[0]
    client, _ = signed_in(city_web, "safeguarding_reviewer")
    response = client.get(f"/unknown/people/{entry.person}")
    assert response.status_code == 200
    page = text_of(response.text)
    for fired in entry.fired:
        assert fired.label in page and f"+{fired.weight:g}" in page
        for evidence in fired.evidence:
            assert evidence.record_id in page
    assert "Identity confidence" in page
    for value, label in (
        ("refer", "Refer to the front door"),
        ("no further action", "No further action"),
        ("more information", "Needs more information"),
    ):
        assert f'name="decision" type="radio" value="{value}"' in response.text
        assert label in page
    assert 'name="reason"' in response.text and "Record decision" in page
    target = city_web.store.fetchone(
        "select target from audit_log where action = 'view-worklist' order by audit_id desc limit 1"
    )
    assert target == (f"worklist person {entry.person}",)


def test_an_unknown_person_is_not_found(city_web: WebApp) -> None:
    client, _ = signed_in(city_web, "safeguarding_reviewer")
    assert client.get("/unknown/people/P-0000000000").status_code == 404


def test_a_decision_takes_the_child_off_the_worklist(city_web: WebApp) -> None:
    entry = worklist_entries(city_web.store, top=1)[0]
    client, token = signed_in(city_web, "safeguarding_reviewer")
    response = client.post(
        f"/unknown/people/{entry.person}/decision",
        data={"decision": "refer", "reason": "Two DA notifications", "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/unknown/worklist"

    shown = client.get("/unknown/worklist")
    assert "Decision recorded" in shown.text
    assert "govuk-notification-banner" in shown.text
    assert f"/unknown/people/{entry.person}" not in shown.text
    assert "Decision recorded" not in client.get("/unknown/worklist").text  # shown once

    again = client.get(f"/unknown/people/{entry.person}")  # still reachable, with its history
    assert "Two DA notifications" in again.text and "Refer to the front door" in again.text
    exported = client.get("/unknown/export.csv")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    assert entry.person not in exported.text
    counts = client.get("/unknown")
    assert re.search(r"Refer to the front door</th>\s*<td[^>]*>1<", counts.text)


def test_a_decision_without_a_reason_shows_the_error_summary(city_web: WebApp) -> None:
    entry = worklist_entries(city_web.store, top=1)[0]
    before = city_web.store.fetchone("select count(*) from worklist_decisions")
    client, token = signed_in(city_web, "safeguarding_reviewer")
    response = client.post(
        f"/unknown/people/{entry.person}/decision",
        data={"decision": "refer", "reason": "  ", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#reason"' in response.text
    assert 'value="refer" checked' in response.text
    missing = client.post(
        f"/unknown/people/{entry.person}/decision", data={"reason": "x", "csrf_token": token}
    )
    assert missing.status_code == 400 and 'href="#decision"' in missing.text
    after = city_web.store.fetchone("select count(*) from worklist_decisions")
    assert after == before


def test_a_decision_needs_the_csrf_token(city_web: WebApp) -> None:
    entry = worklist_entries(city_web.store, top=1)[0]
    before = city_web.store.fetchone("select count(*) from worklist_decisions")
    client, _ = signed_in(city_web, "safeguarding_reviewer")
    for token in (None, "forged"):
        data = {"decision": "refer", "reason": "no token"}
        if token:
            data["csrf_token"] = token
        response = client.post(f"/unknown/people/{entry.person}/decision", data=data)
        assert response.status_code == 400
    after = city_web.store.fetchone("select count(*) from worklist_decisions")
    assert after == before


def test_the_exports_are_attachments(city_web: WebApp) -> None:
    client, _ = signed_in(city_web, "safeguarding_reviewer")
    csv_file = client.get("/unknown/export.csv?top=5")
    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert len(csv_file.text.strip().splitlines()) == 6
    book = client.get("/unknown/export.xlsx")
    assert book.status_code == 200
    assert book.content[:2] == b"PK"
    assert 'filename="unknown-worklist.xlsx"' in book.headers["content-disposition"]


# --- the plan ----------------------------------------------------------------------------------


def test_the_route_map_shows_every_priority_and_action(city_web: WebApp) -> None:
    plan = read_plan(demo_plan_path()).plan
    client, _ = signed_in(city_web, "viewer")
    response = client.get("/plan")
    assert response.status_code == 200
    page = text_of(response.text)
    for priority in plan.priorities:
        assert priority.title in page
    for action in plan.actions:
        assert action.do in page
    for link in ("/plan/board", "/plan/history", "/plan/route-map.pdf"):
        assert f'href="{link}"' in response.text
    assert 'action="/plan"' not in response.text  # a viewer may not check a plan in


def test_the_board_report_and_each_team_view(city_web: WebApp) -> None:
    plan = read_plan(demo_plan_path()).plan
    client, _ = signed_in(city_web, "board_member")
    board = client.get("/plan/board")
    assert board.status_code == 200 and "Board report" in board.text
    teams = list(dict.fromkeys(a.team for a in plan.actions if a.team))
    assert teams
    for team in teams:
        response = client.get(f"/plan/teams/{team}")
        assert response.status_code == 200, team
        for action in plan.actions:
            if action.team == team:
                assert action.do in text_of(response.text)
    assert client.get("/plan/teams/No such team").status_code == 404


def test_the_route_map_pdf_is_one_page(city_web: WebApp) -> None:
    client, _ = signed_in(city_web, "viewer")
    response = client.get("/plan/route-map.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) == 1


def test_a_poor_plan_is_refused_with_each_finding_and_its_line(city_web: WebApp) -> None:
    count = len(versions(city_web.store))
    client, token = signed_in(city_web, "analyst")
    response = client.post(
        "/plan",
        data={"note": "try", "csrf_token": token},
        files={"plan": ("poor.yaml", POOR_PLAN.read_bytes(), "application/yaml")},
    )
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert "C-CYCLE" in response.text
    assert re.search(r"Line \d+: C-CYCLE", response.text)
    assert len(versions(city_web.store)) == count


def test_an_upload_without_a_file_asks_for_one(city_web: WebApp) -> None:
    client, token = signed_in(city_web, "analyst")
    response = client.post("/plan", data={"note": "", "csrf_token": token})
    assert response.status_code == 400
    assert "Select a plan file" in response.text


def test_an_edited_plan_makes_version_2_and_the_history_shows_the_diff(
    city_web: WebApp,
) -> None:
    text = demo_plan_path().read_text(encoding="utf-8")
    old = "keep them safe and help them early."
    assert old in text
    edited = text.replace(old, "keep them safe and help them as early as we can.")
    client, token = signed_in(city_web, "administrator")
    response = client.post(
        "/plan",
        data={"note": "Sharper vision", "csrf_token": token},
        files={"plan": ("demo.yaml", edited.encode("utf-8"), "application/yaml")},
    )
    assert response.status_code == 303, text_of(response.text)[:2000]
    assert response.headers["location"] == "/plan/history"
    assert [v.version for v in versions(city_web.store)] == [1, 2]

    history = client.get("/plan/history")
    assert history.status_code == 200
    page = html.unescape(history.text)
    assert "Sharper vision" in page and username("administrator") in page
    assert "govuk-details" in history.text and "<pre" in history.text
    was = "We know every child at risk in the city, keep them safe and help them early."
    now = (
        "We know every child at risk in the city, keep them safe and help them as early as we can."
    )
    assert f"-vision: {was}" in page
    assert f"+vision: {now}" in page
    assert "help them as early as we can" in text_of(client.get("/plan").text)
