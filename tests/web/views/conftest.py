"""A Jinja environment that renders the pages inside a bare layout (the app's needs a
request). The small synthetic city they render (``city_store``, ``budget_run``,
``identities``) is in tests/web/conftest.py, shared with the app-level page tests."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, StrictUndefined

from tests.web.conftest import CHILDREN, RUNS, identifiers_in

# The app's own layout needs a request (url_for, csrf); the pages only need the two blocks.
LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><title>{% block title %}{% endblock %}</title></head>
<body><main class="govuk-main-wrapper">{% block content %}{% endblock %}</main></body></html>
"""


@pytest.fixture(scope="session")
def env() -> Environment:
    """The pages' templates as the app loads them, inside a bare layout."""
    return Environment(
        loader=ChoiceLoader(
            [DictLoader({"layout.html": LAYOUT}), PackageLoader("turnaround.web", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
    )


__all__ = ["CHILDREN", "RUNS", "identifiers_in"]
