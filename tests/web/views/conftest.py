"""A small synthetic city with every stage run, shared by the page tests, and a Jinja
environment that renders the pages inside a bare layout (the app's needs a request)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, StrictUndefined

from turnaround.access import add_user
from turnaround.benchmarks import load_benchmarks
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.sources import city_sources
from turnaround.measures.summary import set_council
from turnaround.returns.load import load_returns
from turnaround.risk.indicators import score_people
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web.views.forecast import BudgetRun, run_forecast
from turnaround.workforce.load import load_workforce
from turnaround.worklist.build import build_worklist

CHILDREN = 3000
RUNS = 50

# The app's own layout needs a request (url_for, csrf); the pages only need the two blocks.
LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><title>{% block title %}{% endblock %}</title></head>
<body><main class="govuk-main-wrapper">{% block content %}{% endblock %}</main></body></html>
"""


@pytest.fixture(scope="session")
def city_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Returns, workforce, population, linkage and the worklist for a 3,000-child city."""
    root: Path = tmp_path_factory.mktemp("web-city")
    config = SynthConfig(children=CHILDREN, seed=5)
    generate_city(config, root / "city")
    store = open_store(root / "turnaround.duckdb")
    load_returns(store, [root / "city" / "returns"], mode="strict", user="test")
    load_workforce(store, root / "city" / "workforce", user="test")
    load_benchmarks(store, [root / "city" / "population"], user="test")
    set_council(store, config.la_code, config.la_name)
    load_sources(store, city_sources(root / "city", config.end_year), user="test")
    run_linkage(store, user="test")
    score_people(store)
    build_worklist(store)
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
def env() -> Environment:
    """The pages' templates as the app loads them, inside a bare layout."""
    return Environment(
        loader=ChoiceLoader(
            [DictLoader({"layout.html": LAYOUT}), PackageLoader("turnaround.web", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
    )


@pytest.fixture(scope="session")
def identities(city_store: Store) -> tuple[set[str], set[str]]:
    """Every child id in the returns, and every full name in the partner records."""
    ids = {
        str(r[0])
        for r in city_store.con.execute(
            "select child_id from cin_children union select child from ssda903_header"
        ).fetchall()
    }
    names = {
        f"{r[0]} {r[1]}"
        for r in city_store.con.execute(
            "select distinct forename, surname from linkage_records"
            " where forename is not null and surname is not null"
        ).fetchall()
    }
    return ids, names


def identifiers_in(html: str, identities: tuple[set[str], set[str]]) -> set[str]:
    """The child ids and names (any case) that appear in a rendered page."""
    ids, names = identities
    found = set(re.findall(r"C\d{7}", html)) & ids
    upper = html.upper()
    found |= {name for name in names if name.upper() in upper}
    return found
