"""Two journeys through the real forms: a refused upload, and a reviewer's decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Server, check_axe, shoot

YEAR = "2014"
BAD_DOB = "31/02/2009"


def _broken_year(server: Server, folder: Path) -> list[Path]:
    """One year's SSDA903 tables from the city, the first child's date of birth made impossible."""
    source = server.city / "returns" / "ssda903" / YEAR
    folder.mkdir()
    for table in sorted(source.glob("*.csv")):
        (folder / table.name).write_bytes(table.read_bytes())
    header = folder / "header.csv"
    lines = header.read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",")
    first = lines[1].split(",")
    first[columns.index("DOB")] = BAD_DOB
    lines[1] = ",".join(first)
    header.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(folder.glob("*.csv"))


def test_a_broken_upload_shows_its_failures_and_loads_nothing(
    server: Server, signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    files = _broken_year(server, tmp_path / YEAR)
    before = {t: server.count(t) for t in ("loads", "ssda903_header")}
    page = signed_in("analyst")
    page.goto("/data/upload")
    page.get_by_label("Files").set_input_files([str(f) for f in files])
    page.get_by_label("Collection year (optional)").fill(YEAR)
    page.get_by_role("button", name="Upload and load").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("h2", has_text="Validation report")).to_be_visible()
    rows = page.locator("table.govuk-table tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    heads = page.locator("table.govuk-table thead th").all_inner_texts()
    named = [dict(zip(heads, c, strict=True)) for c in cells]
    broken = [c for c in named if c["File"].endswith("header.csv") and c["Field"] == "DOB"]
    assert broken, f"no failure for header.csv DOB among {named[:10]}"
    row, severity, message = broken[0]["Row"], broken[0]["Severity"], broken[0]["Message"]
    assert row == "2" and severity == "error", broken[0]
    assert BAD_DOB in message or "date" in message.lower(), message
    shoot(page, "analyst", "upload-refused")
    check_axe(page, server, "analyst /data/upload (refused)")
    assert {t: server.count(t) for t in before} == before


def test_a_reviewer_refers_a_child_and_they_leave_the_worklist(
    server: Server, signed_in: Callable[[str], Page]
) -> None:
    page = signed_in("safeguarding_reviewer")
    page.goto("/unknown/worklist")
    first = page.locator("main a[href^='/unknown/people/']").first
    href = first.get_attribute("href")
    assert href, "the worklist links to no person"
    person = urlparse(href).path.rsplit("/", 1)[-1]
    decided = server.count("worklist_decisions")
    first.click()
    page.wait_for_url(re.compile(r"/unknown/people/"))
    page.get_by_label("Refer to the front door").check()
    page.get_by_label("Reason").fill("Known to the school nurse; the front door should look.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/unknown/worklist"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    assert page.locator(f"main a[href$='/unknown/people/{person}']").count() == 0
    shoot(page, "safeguarding_reviewer", "worklist-after-decision")
    check_axe(page, server, "safeguarding_reviewer /unknown/worklist (after a decision)")
    assert server.count("worklist_decisions") == decided + 1
