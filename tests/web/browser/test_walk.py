"""Every role walks every page it is offered, in a real browser: each page answers, has its
heading, is not the error page, is screenshotted and passes axe (no serious/critical issue).

The pages come from the service navigation as drawn for the role, so pages added later are
walked too, plus a few deeper pages reached by their links when the role is shown them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Server, check_axe, shoot
from turnaround.access import ROLES

# (name, the page that links to it, the link's path): visited when the page offers such a link.
DEEPER: tuple[tuple[str, str, str], ...] = (
    ("measure", "/measures", r"/measures/[^/?#]+"),
    ("team", "/workforce", r"/workforce/teams/[^/?#]+"),
    ("plan-board", "/plan", r"/plan/board"),
    ("plan-history", "/plan", r"/plan/history"),
    ("worklist", "/unknown", r"/unknown/worklist"),
    ("person", "/unknown/worklist", r"/unknown/people/[^/?#]+"),
)

ERROR_TEXT = "Sorry, there is a problem"


def _links(page: Page, selector: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('href'))"
    )
    return [urlparse(h).path for h in hrefs if h]


def _visit(page: Page, server: Server, role: str, name: str, path: str) -> list[str]:
    """Open ``path`` and check it; returns what is wrong with it (empty when all is well)."""
    response = page.goto(path)
    if response is None or not response.ok:
        return [f"{path}: status {response.status if response else 'none'}"]
    if "/login" in page.url:
        return [f"{path}: sent to sign in"]
    if ERROR_TEXT in page.content():
        return [f"{path}: the 500 page"]
    problems = []
    if page.locator("main h1").count() == 0:
        problems.append(f"{path}: no <h1> in <main>")
    shoot(page, role, name)
    try:
        check_axe(page, server, f"{role} {path}")
    except AssertionError as exc:
        problems.append(str(exc))
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_walks_its_pages(
    role: str, server: Server, signed_in: Callable[[str], Page]
) -> None:
    page = signed_in(role)
    problems = _visit(page, server, role, "home", "/")
    nav = _links(page, "nav .govuk-service-navigation__link")
    assert nav, f"{role} is offered no pages"
    seen: dict[str, list[str]] = {}  # path -> the in-page links found there
    for path in nav:
        problems += _visit(page, server, role, path.strip("/"), path)
        seen[path] = _links(page, "main a[href^='/']")
    for name, parent, pattern in DEEPER:
        found = [h for h in seen.get(parent, []) if re.fullmatch(pattern, h)]
        if found:  # a link the role is shown must work for the role
            problems += _visit(page, server, role, name, found[0])
            seen[found[0]] = _links(page, "main a[href^='/']")
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_the_reviewer_reaches_a_person(server: Server, signed_in: Callable[[str], Page]) -> None:
    page = signed_in("safeguarding_reviewer")
    page.goto("/unknown/worklist")
    people = _links(page, "main a[href^='/unknown/people/']")
    assert people, "the worklist links to no person"
    assert not _visit(page, server, "safeguarding_reviewer", "person", people[0])


def test_signing_out_ends_the_session(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("analyst")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/data")
    assert urlparse(page.url).path == "/login"
    expect(page.locator("h1")).to_have_text("Sign in")


def test_an_anonymous_visit_lands_on_sign_in(server: Server, new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.goto("/overview")
    parsed = urlparse(page.url)
    assert parsed.path == "/login" and "next=%2Foverview" in parsed.query, page.url
    expect(page.locator("h1")).to_have_text("Sign in")
    shoot(page, "anonymous", "login")
    check_axe(page, server, "anonymous /login")


def test_a_wrong_password_shows_the_error_summary(
    server: Server, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("demo_viewer")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The username or password is not right")
    expect(page).to_have_title(re.compile(r"^Error: "))
    shoot(page, "anonymous", "login-wrong-password")
    check_axe(page, server, "anonymous /login (wrong password)")
