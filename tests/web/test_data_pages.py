"""The Data and Audit pages: loads, uploads with their validation report, quarantine, the log."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.web.conftest import WebApp, login
from turnaround.errors import BackendError
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web.cache import DataCache


@pytest.fixture(scope="module")
def cin_xml(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2_000, seed=4), out)
    return (out / "returns" / "cin" / "cin_census_2014.xml").read_bytes()


def _counts(web: WebApp) -> dict[str, int]:
    return {
        t: web.store.fetchone(f"select count(*) from {t}")[0]  # type: ignore[index]
        for t in ("loads", "cin_children", "validation_failures", "quarantine")
    }


def test_a_good_upload_loads_and_is_audited_from_the_web(web: WebApp, cin_xml: bytes) -> None:
    client = web.client()
    token = login(web, client, "analyst")
    response = client.post(
        "/data/upload",
        data={"csrf_token": token, "year": "2014"},
        files={"files": ("cin_census_2014.xml", cin_xml, "application/xml")},
    )
    assert response.status_code == 200, response.text
    # The panel writes the collection year as the year it covers, as every face does.
    assert "govuk-panel--confirmation" in response.text and "cin 2013-14: " in response.text
    assert _counts(web)["cin_children"] > 0
    # One upload, one audit record: the library's, from the browser's address.
    loads = web.store.fetchall(
        "select username, target, origin from audit_log where action = 'load-data'"
    )
    assert loads == [("demo_analyst", "cin 2014", "web testclient")]
    listing = client.get("/data")
    assert listing.status_code == 200
    assert "cin" in listing.text and "2013-14" in listing.text
    assert not list((Path(web.store.path).parent / "uploads").iterdir())


def test_a_broken_upload_shows_every_failure_and_loads_nothing(web: WebApp, cin_xml: bytes) -> None:
    broken = re.sub(
        rb"<PersonBirthDate>[^<]*</PersonBirthDate>",
        b"<PersonBirthDate>not-a-date</PersonBirthDate>",
        cin_xml,
        count=2,
    )
    client = web.client()
    token = login(web, client, "analyst")
    before = _counts(web)
    response = client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"files": ("cin_census_2014.xml", broken, "application/xml")},
    )
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert "Validation report" in response.text
    assert response.text.count(">S-DATE</td>") == 2
    assert "PersonBirthDate &#39;not-a-date&#39; is not a date" in response.text
    assert "nothing was loaded" in response.text
    assert _counts(web) == before
    reason = web.store.fetchone("select reason from audit_log where action = 'load-data'")
    assert reason is not None and str(reason[0]).startswith("refused")


def test_an_upload_form_with_mistakes_says_what_to_fix(web: WebApp) -> None:
    client = web.client()
    token = login(web, client, "analyst")
    response = client.post(
        "/data/upload",
        data={"csrf_token": token, "year": "14"},
        files={"files": ("../../etc/passwd", b"x", "text/plain")},
    )
    assert response.status_code == 400
    assert "Enter the collection year as 4 digits" in response.text
    empty = client.post("/data/upload", data={"csrf_token": token})
    assert empty.status_code == 400 and "Select a return or extract" in empty.text
    unreadable = client.post(
        "/data/upload",
        data={"csrf_token": token},
        files={"files": ("notes.txt", b"hello", "text/plain")},
    )
    assert unreadable.status_code == 400
    assert "govuk-error-summary" in unreadable.text


def test_quarantine_is_paginated_a_hundred_a_page(web: WebApp) -> None:
    web.store.execute(
        "insert into quarantine select 'L1', 'ssda903', 2014, 'episodes', 'episodes.csv', i, "
        "'C' || i, '{}', '103', 'bad', 'row ' || i from range(2, 252) t(i)"
    )
    client = web.client()
    login(web, client, "administrator")
    first = client.get("/data/quarantine")
    assert first.status_code == 200
    assert first.text.count('<tr class="govuk-table__row">') == 101  # header + 100
    assert "Page 1 of 3" in first.text and "250 in all" in first.text
    last = client.get("/data/quarantine", params={"page": 3})
    assert last.text.count('<tr class="govuk-table__row">') == 51
    assert "C17" not in first.text  # the child id is not shown


def test_the_audit_log_filters_and_pages(web: WebApp) -> None:
    for i in range(60):
        web.store.execute(
            "insert into audit_log (username, action, target, origin) values (?, ?, ?, 'cli')",
            ["ann" if i % 2 else "bob", "view-identifiable", f"measure m{i}"],
        )
    client = web.client()
    login(web, client, "administrator")
    page = client.get("/audit", params={"user": "ann", "action": "view-identifiable"})
    assert page.status_code == 200
    assert (
        "30 records" in page.text and "measure m59" in page.text and "measure m58" not in page.text
    )
    newest_first = client.get("/audit").text
    assert newest_first.index("user demo_administrator") < newest_first.index("measure m59")
    second = client.get("/audit", params={"page": 2})
    assert "Page 2 of 2" in second.text


def test_the_cache_recomputes_only_when_the_data_changes(web: WebApp) -> None:
    cache: DataCache = web.app.state.cache
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("summary", compute) == 1
    assert cache.get("summary", compute) == 1
    web.store.execute("insert into loads (load_id, kind, source) values ('x', 'cin', 'f')")
    assert cache.get("summary", compute) == 2
    cache.bump()
    assert cache.get("summary", compute) == 3
    web.store.execute(
        "insert into worklist_decisions (person, decision, reason, decided_by) "
        "values ('P1', 'refer', 'seen at A&E twice', 'rev')"
    )
    assert cache.get("summary", compute) == 4


def test_a_worklist_decision_must_be_one_of_the_three_with_a_reason(web: WebApp) -> None:
    insert = (
        "insert into worklist_decisions (person, decision, reason, decided_by) values (?, ?, ?, ?)"
    )
    web.store.execute(insert, ["P1", "more information", "school says moved away", "rev"])
    with pytest.raises(BackendError) as bad_choice:
        web.store.execute(insert, ["P2", "close", "done", "rev"], step="recording a decision")
    assert isinstance(bad_choice.value.cause, duckdb.ConstraintException)
    assert bad_choice.value.sql == insert
    with pytest.raises(BackendError) as no_reason:
        web.store.execute(insert, ["P3", "refer", None, "rev"], step="recording a decision")
    assert isinstance(no_reason.value.cause, duckdb.ConstraintException)


def test_a_workforce_export_uploads_through_the_same_load(
    web: WebApp, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("wf")
    generate_city(SynthConfig(children=2_000, seed=4, years=1), out)
    client = web.client()
    token = login(web, client, "analyst")
    files = [
        ("files", (p.name, p.read_bytes(), "text/csv"))
        for p in sorted((out / "workforce").glob("*.csv"))
    ]
    response = client.post("/data/upload", data={"csrf_token": token}, files=files)
    assert response.status_code == 200, response.text
    assert "workforce 2013-14: " in response.text
    assert web.store.fetchone("select count(*) from workforce_teams")[0] > 0  # type: ignore[index]
    # A broken export is refused in one line, naming file, row and field but not the value.
    staff = (out / "workforce" / "staff.csv").read_text().splitlines()
    cells = staff[2].split(",")
    cells[5] = "7.5"  # FTE
    staff[2] = ",".join(cells)
    broken = [
        f
        if f[1][0] != "staff.csv"
        else ("files", ("staff.csv", "\n".join(staff).encode(), "text/csv"))
        for f in files
    ]
    refused = client.post("/data/upload", data={"csrf_token": token}, files=broken)
    assert refused.status_code == 422
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', refused.text, re.S)
    assert summary and "staff.csv row 3 field FTE" in summary.group(1)
    assert "7.5" not in summary.group(1)
