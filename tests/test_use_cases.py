"""Every use case checks its role, writes nothing when refused, and audits itself once.

Each row of ``CASES`` is one library function that changes the store or shows identifiable data.
Refused, it raises ``PermissionDenied`` and every table (the audit log included) keeps its row
count. Allowed, acting from the web, it leaves exactly one new audit row with its action and
the web origin. Each case runs on its own copy of one small synthetic city with every stage run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from turnaround.access import (
    Actor,
    add_user,
    create_demo_users,
    create_user,
    list_users,
    set_role,
)
from turnaround.benchmarks import load_benchmarks
from turnaround.errors import PermissionDenied
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.sources import city_sources
from turnaround.measures.drill_down import measure_records
from turnaround.measures.summary import set_council
from turnaround.plan.history import check_in
from turnaround.plan.model import parse_plan, read_plan
from turnaround.plan.publish import plan_progress, publish
from turnaround.plan.rules import demo_plan_path
from turnaround.returns.load import load_returns
from turnaround.risk.indicators import score_people
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.web.views.workforce import team_context
from turnaround.workforce.load import load_workforce
from turnaround.worklist.build import build_worklist
from turnaround.worklist.decisions import record_decision
from turnaround.worklist.entries import (
    export_worklist,
    view_worklist,
    view_worklist_person,
    worklist_entries,
)

CONFIG = SynthConfig(children=600, seed=7)
ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class City:
    """The built store (closed, to be copied) and the city's files."""

    store_path: Path
    city: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> City:
    """A 600-child city, loaded, linked, scored and on the worklist, with a plan checked in."""
    root: Path = tmp_path_factory.mktemp("use-cases")
    city = root / "city"
    generate_city(CONFIG, city)
    store = open_store(root / "built.duckdb")
    try:
        add_user(store, "setup", "administrator")
        setup = Actor.cli("setup")
        load_returns(store, [city / "returns"], actor=setup)
        load_workforce(store, city / "workforce", actor=setup)
        load_benchmarks(store, [city / "population"], actor=setup)
        set_council(store, CONFIG.la_code, CONFIG.la_name)
        load_sources(store, city_sources(city, CONFIG.end_year), actor=setup)
        run_linkage(store, actor=setup)
        score_people(store, actor=setup)
        build_worklist(store, actor=setup)
        check_in(store, setup, read_plan(demo_plan_path()))
        create_demo_users(store)
    finally:
        store.close()
    return City(root / "built.duckdb", city)


@pytest.fixture
def store(built: City, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the built store, so each case starts from the same state."""
    path = tmp_path / "store.duckdb"
    shutil.copy(built.store_path, path)
    opened = open_store(path)
    yield opened
    opened.close()


def row_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the store."""
    tables = [
        str(r[0])
        for r in store.fetchall(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
            " order by 1"
        )
    ]
    return {t: int(store.scalar(f'select count(*) from "{t}"')) for t in tables}


def audit_rows(store: Store) -> list[tuple[Any, ...]]:
    """The audit log's rows: who, what, from where."""
    return store.fetchall("select username, action, origin from audit_log order by audit_id")


def _person(store: Store) -> str:
    return worklist_entries(store, top=1)[0].person


def _new_plan() -> Any:
    plan = read_plan(demo_plan_path())
    return parse_plan(plan.text + "\n# revised for the board\n", plan.source)


Call = Callable[[Store, Actor, City, Path], object]


@dataclass(frozen=True)
class Case:
    """A use case: its action, a role refused it, a role allowed it, and how to call it."""

    name: str
    action: str
    refused: str | None  # a role that may not act; None: an actor with no name
    allowed: str
    call: Call


def _team(store: Store, actor: Actor, city: City, out: Path) -> object:
    team_id = str(store.scalar("select team_id from workforce_teams order by 1 limit 1"))
    return team_context(store, actor, team_id)


CASES = [
    Case(
        "load returns",
        "load-data",
        "safeguarding_reviewer",
        "analyst",
        lambda s, a, c, o: load_returns(s, [c.city / "returns"], actor=a),
    ),
    Case(
        "load the workforce",
        "load-data",
        "board_member",
        "analyst",
        lambda s, a, c, o: load_workforce(s, c.city / "workforce", actor=a),
    ),
    Case(
        "load benchmarks",
        "load-data",
        "viewer",
        "analyst",
        lambda s, a, c, o: load_benchmarks(s, [c.city / "population"], actor=a),
    ),
    Case(
        "load partner sources",
        "load-data",
        "team_manager",
        "analyst",
        lambda s, a, c, o: load_sources(s, city_sources(c.city, CONFIG.end_year), actor=a),
    ),
    Case(
        "link",
        "load-data",
        "safeguarding_reviewer",
        "analyst",
        lambda s, a, c, o: run_linkage(s, actor=a),
    ),
    Case(
        "score",
        "load-data",
        "safeguarding_reviewer",
        "administrator",
        lambda s, a, c, o: score_people(s, actor=a),
    ),
    Case(
        "build the worklist",
        "load-data",
        "board_member",
        "analyst",
        lambda s, a, c, o: build_worklist(s, actor=a),
    ),
    Case(
        "view the worklist",
        "view-worklist",
        "analyst",
        "safeguarding_reviewer",
        lambda s, a, c, o: view_worklist(s, a, top=5),
    ),
    Case(
        "view one person",
        "view-worklist",
        "analyst",
        "safeguarding_reviewer",
        lambda s, a, c, o: view_worklist_person(s, a, _person(s)),
    ),
    Case(
        "export the worklist",
        "export-worklist",
        "analyst",
        "safeguarding_reviewer",
        lambda s, a, c, o: export_worklist(s, a, o / "worklist.xlsx", top=5),
    ),
    Case(
        "decide",
        "review-worklist",
        "analyst",
        "safeguarding_reviewer",
        lambda s, a, c, o: record_decision(s, a, _person(s), "refer", "two DA notifications"),
    ),
    Case(
        "drill down a measure",
        "view-identifiable",
        "board_member",
        "analyst",
        lambda s, a, c, o: measure_records(s, a, "lac_per_10k", reason="board query"),
    ),
    Case(
        "check in the plan",
        "edit-plan",
        "team_manager",
        "analyst",
        lambda s, a, c, o: check_in(s, a, _new_plan(), note="revised"),
    ),
    Case(
        "rate and keep progress",
        "view-plan",
        None,
        "board_member",
        lambda s, a, c, o: plan_progress(s, a),
    ),
    Case(
        "publish the plan",
        "view-plan",
        None,
        "team_manager",
        lambda s, a, c, o: publish(s, a, o / "plan", pdf=False),
    ),
    Case(
        "add a user",
        "manage-users",
        "analyst",
        "administrator",
        lambda s, a, c, o: create_user(s, a, "newcomer", "viewer", "a long password"),
    ),
    Case(
        "change a role",
        "manage-users",
        "analyst",
        "administrator",
        lambda s, a, c, o: set_role(s, a, "demo_viewer", "board_member"),
    ),
]


def _actor(role: str | None, origin: str = "cli") -> Actor:
    name = None if role is None else f"demo_{role}"
    return Actor(name, origin)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_refused_role_gets_permission_denied_and_nothing_is_written(
    case: Case, store: Store, built: City, tmp_path: Path
) -> None:
    before = row_counts(store)
    with pytest.raises(PermissionDenied):
        case.call(store, _actor(case.refused), built, tmp_path)
    assert row_counts(store) == before
    assert not (tmp_path / "worklist.xlsx").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_allowed_role_leaves_one_audit_row_with_its_origin(
    case: Case, store: Store, built: City, tmp_path: Path
) -> None:
    before = audit_rows(store)
    case.call(store, Actor.web(f"demo_{case.allowed}", ADDRESS), built, tmp_path)
    after = audit_rows(store)
    assert after[: len(before)] == before
    assert after[len(before) :] == [(f"demo_{case.allowed}", case.action, f"web {ADDRESS}")]


def test_listing_users_needs_an_administrator_and_writes_nothing(store: Store) -> None:
    before = row_counts(store)
    with pytest.raises(PermissionDenied, match="manage-users"):
        list_users(store, Actor.web("demo_safeguarding_reviewer", ADDRESS))
    listed = list_users(store, Actor.web("demo_administrator", ADDRESS))
    assert "demo_viewer" in {user.username for user in listed}
    assert [user.username for user in listed] == sorted(user.username for user in listed)
    assert row_counts(store) == before  # staff accounts, no child's data: checked, not audited


def test_a_team_manager_sees_only_their_own_team_and_views_leave_no_record(
    store: Store, built: City, tmp_path: Path
) -> None:
    before = row_counts(store)
    demo_team = store.scalar("select team from users where username = 'demo_team_manager'")
    other = store.scalar(
        "select team_id from workforce_teams where team_id <> ? order by 1 limit 1", [demo_team]
    )
    manager = Actor.web("demo_team_manager", ADDRESS)
    with pytest.raises(PermissionDenied, match="manages another team"):
        team_context(store, manager, str(other))
    with pytest.raises(PermissionDenied, match="may not"):
        _team(store, Actor.cli("demo_board_member"), built, tmp_path)
    own = team_context(store, manager, str(demo_team))
    assert own["team_id"] == demo_team
    assert row_counts(store) == before  # staff caseloads are not child-level: not audited
