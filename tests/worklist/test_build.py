"""Building the worklist from linked people, their scores and the returns, worked by hand.

Records, clusters, matches to social care and scores are written straight into a real store;
the returns tables get one row per child to say how far the council went with them. The
worklist date is 31 March 2014.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.acting import admin
from tests.risk.test_indicators import add_record
from turnaround.errors import NotFound
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.risk.indicators import Indicator, IndicatorConfig, score_people
from turnaround.store import Store, open_store
from turnaround.worklist.build import (
    ASSESSED_TABLES,
    REFERRED_TABLES,
    build_worklist,
    worklist_summary,
)

AS_OF = date(2014, 3, 31)
DA = "police_domestic_abuse"
AE = "ae_attendances"
CHILD = date(2006, 5, 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def scored(store: Store, person: str, score: float, indicators: str = "da") -> None:
    """Give ``person`` a risk score as at AS_OF."""
    store.execute("insert into risk_scores values (?, ?, ?, ?)", [person, score, indicators, AS_OF])


def known(
    store: Store,
    person: str,
    child_id: str,
    probability: float = 0.99,
    first_known: date | None = None,
) -> None:
    """Match ``person`` to the social care child ``child_id`` (with their care record, dated
    the day the case system first knew them)."""
    add_record(store, person, SOCIAL_CARE, child_id, first_known, dob=CHILD)
    store.execute("insert into linkage_known values (?, ?, ?)", [person, child_id, probability])


CLOSURE = {"cin_episodes": "closure_date", "annex_a_list6_children_in_need": "cin_closure_date"}
"""Returns tables that say when a referral closed."""


def in_return(
    store: Store, table: str, child_id: str, *, year: int = 2014, still_open: bool = False
) -> None:
    """A row for ``child_id`` in one of the statutory returns tables (for ``year``).

    A referral (CIN episode, Annex A list 6 case) is closed in January unless ``still_open``.
    """
    column = {**ASSESSED_TABLES, **REFERRED_TABLES}.get(table, "child_id")
    closure = CLOSURE.get(table)
    if closure is None or still_open:
        store.execute(
            f"insert into {table} ({column}, year, load_id) values (?, ?, 'test')",
            [child_id, year],
        )
    else:
        store.execute(
            f"insert into {table} ({column}, {closure}, year, load_id) values (?, ?, ?, 'test')",
            [child_id, date(year, 1, 10), year],
        )


def loaded(store: Store, kind: str, year: int) -> None:
    """Record that a return of ``kind`` for ``year`` was loaded."""
    store.execute(
        "insert into loads (load_id, kind, year, source) values (?, ?, ?, 'test')",
        [f"{kind}-{year}", kind, year],
    )


def pair(store: Store, left: str, right: str, probability: float) -> None:
    store.execute("insert into linkage_pairs values (?, ?, ?, null)", [left, right, probability])


def worklist(store: Store) -> dict[str, tuple[object, ...]]:
    """Each listed person: rank, involvement, social care child id."""
    rows = store.fetchall("select cluster_id, rank, involvement, child_id from unknown_worklist")
    return {str(r[0]): tuple(r[1:]) for r in rows}


def test_who_is_on_the_worklist(store: Store) -> None:
    for n, person in enumerate(["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9"]):
        add_record(store, person, DA, f"D{person}", date(2014, 1, 1 + n), dob=CHILD)
    add_record(store, "K10", DA, "DK10", date(2014, 2, 1), dob=None)
    known(store, "K2", "C2")
    in_return(store, "cin_assessments", "C2")
    in_return(store, "cin_episodes", "C2")
    known(store, "K3", "C3")
    in_return(store, "cin_episodes", "C3")
    known(store, "K4", "C4")
    in_return(store, "annex_a_list1_contacts", "C4")
    known(store, "K5", "C5")
    in_return(store, "ssda903_header", "C5")
    known(store, "K6", "C6")
    in_return(store, "annex_a_list6_children_in_need", "C6")
    known(store, "K7", "C7a")
    known(store, "K7", "C7b")
    in_return(store, "annex_a_list7_child_protection", "C7b")
    for person in ("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K9", "K10"):
        scored(store, person, 3)  # K8 scored nothing

    summary = build_worklist(store, actor=admin(store))

    listed = {person: row[1:] for person, row in worklist(store).items()}
    assert listed == {
        "K1": ("none", None),
        "K3": ("referral closed without assessment", "C3"),
        "K4": ("contact", "C4"),
        "K6": ("referral closed without assessment", "C6"),
        "K9": ("none", None),
    }  # K10 has no date of birth: nothing shows it is a child
    assert summary.as_of == AS_OF
    assert summary.people == 10
    assert summary.scored == 9
    assert summary.known_assessed == 3
    assert summary.entries == 5
    assert summary.known_before == 0
    assert summary.by_involvement == {
        "none": 2,
        "contact": 1,
        "referral closed without assessment": 2,
        "referral open without assessment": 0,
    }


@pytest.mark.parametrize("table", sorted(ASSESSED_TABLES))
def test_any_assessed_return_keeps_a_child_off(store: Store, table: str) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=CHILD)
    known(store, "K1", "C1")
    in_return(store, table, "C1")
    scored(store, "K1", 3)

    assert build_worklist(store, actor=admin(store)).entries == 0


@pytest.mark.parametrize("table", sorted(REFERRED_TABLES))
def test_a_referral_alone_lists_the_child_as_closed_unassessed(store: Store, table: str) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=CHILD)
    known(store, "K1", "C1")
    in_return(store, table, "C1")
    scored(store, "K1", 3)

    build_worklist(store, actor=admin(store))

    assert worklist(store) == {"K1": (1, "referral closed without assessment", "C1")}


@pytest.mark.parametrize("table", sorted(CLOSURE))
def test_a_referral_open_at_the_year_end_is_not_taken_for_a_closed_one(
    store: Store, table: str
) -> None:
    for person in ("K1", "K2", "K3"):
        add_record(store, person, DA, f"D{person}", date(2014, 1, 1), dob=CHILD)
        scored(store, person, 3)
    known(store, "K1", "C1")
    in_return(store, table, "C1", still_open=True)  # no closure date at 31 March 2014
    known(store, "K2", "C2")
    in_return(store, table, "C2")  # closed in January 2014
    known(store, "K3", "C3")
    in_return(store, table, "C3", year=2013, still_open=True)  # open in 2013 ...
    in_return(store, table, "C3", year=2014)  # ... closed in the latest return

    summary = build_worklist(store, actor=admin(store))

    assert worklist(store) == {
        "K1": (1, "referral open without assessment", "C1"),
        "K2": (2, "referral closed without assessment", "C2"),
        "K3": (3, "referral closed without assessment", "C3"),
    }
    assert summary.by_involvement["referral open without assessment"] == 1
    assert summary.by_involvement["referral closed without assessment"] == 2


def test_a_child_known_only_before_the_returns_is_kept_off_the_list(
    store: Store,
) -> None:
    for year in (2013, 2014):  # the returns begin on 1 April 2012
        loaded(store, "cin", year)
    loaded(store, "ssda903", 2014)
    for person in ("K1", "K2", "K3", "K4"):
        add_record(store, person, DA, f"D{person}", date(2014, 1, 1), dob=CHILD)
        scored(store, person, 3)
    known(store, "K1", "C1", first_known=date(2012, 3, 31))  # the day before they begin
    known(store, "K2", "C2", first_known=date(2012, 4, 1))  # the day they begin
    known(store, "K3", "C3")  # no first-known date in the export
    known(store, "K4", "C4", first_known=date(2008, 6, 1))
    in_return(store, "cin_episodes", "C4")  # a referral in the returns says more

    summary = build_worklist(store, actor=admin(store))

    # K1 was known the day before the returns begin: what happened then is not in the store,
    # so the list (issue 17) leaves them off, and says how many it left off.
    assert worklist(store) == {
        "K2": (1, "contact", "C2"),
        "K3": (2, "contact", "C3"),
        "K4": (3, "referral closed without assessment", "C4"),
    }
    assert summary.known_before == 1
    assert "known before the returns" not in summary.by_involvement


def test_with_no_returns_loaded_no_child_is_known_before_them(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=CHILD)
    scored(store, "K1", 3)
    known(store, "K1", "C1", first_known=date(2001, 1, 1))

    build_worklist(store, actor=admin(store))

    assert worklist(store) == {"K1": (1, "contact", "C1")}


@pytest.mark.parametrize(
    ("born", "listed"),
    [
        (date(1996, 4, 1), True),  # 17, eighteen tomorrow
        (date(1996, 3, 31), False),  # eighteen on the worklist date
        (date(1990, 1, 1), False),
        (date(2014, 3, 1), True),
        (date(2014, 6, 1), False),  # born after the worklist date: a wrong date of birth
        (None, False),  # no date of birth: nothing shows this is a child
    ],
)
def test_only_children_under_18_on_the_worklist_date(
    store: Store, born: date | None, listed: bool
) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=born)
    scored(store, "K1", 3)

    build_worklist(store, actor=admin(store))

    assert bool(worklist(store)) is listed


def test_age_comes_from_the_date_of_birth_most_records_give(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=date(1990, 1, 1))
    add_record(store, "K1", DA, "D2", date(2014, 1, 2), dob=CHILD)
    add_record(store, "K1", AE, "A1", date(2014, 1, 3), dob=CHILD)
    scored(store, "K1", 3)

    build_worklist(store, actor=admin(store))

    assert list(worklist(store)) == ["K1"]


def test_ranked_by_score_then_indicators_then_latest_event(store: Store) -> None:
    add_record(store, "KA", DA, "A", date(2014, 1, 1), dob=CHILD)
    add_record(store, "KB", DA, "B", date(2014, 1, 1), dob=CHILD)
    add_record(store, "KC", DA, "C", date(2014, 3, 1), dob=CHILD)
    add_record(store, "KD", DA, "D", date(2014, 2, 1), dob=CHILD)
    add_record(store, "KE", DA, "E", date(2014, 2, 1), dob=CHILD)
    add_record(store, "KF", DA, "F", date(2013, 5, 1), dob=CHILD)
    scored(store, "KA", 4, "da")
    scored(store, "KB", 4, "missing,absence")
    scored(store, "KC", 3, "da")
    scored(store, "KD", 3, "da")
    scored(store, "KE", 3, "da")
    scored(store, "KF", 5, "da")

    build_worklist(store, actor=admin(store))

    ranks = store.fetchall("select rank, cluster_id from unknown_worklist order by rank")
    assert ranks == [
        (1, "KF"), (2, "KB"), (3, "KA"), (4, "KC"), (5, "KD"), (6, "KE"),
    ]  # fmt: skip


def test_identity_confidence_is_the_weakest_best_link_in_the_person(store: Store) -> None:
    a = add_record(store, "K1", DA, "A", date(2014, 1, 1), dob=CHILD)
    b = add_record(store, "K1", AE, "B", date(2014, 1, 2), dob=CHILD)
    c = add_record(store, "K1", "school_census", "C", date(2014, 1, 16), dob=CHILD)
    other = add_record(store, "K2", DA, "X", date(2014, 1, 1), dob=CHILD)
    add_record(store, "K3", DA, "S", date(2014, 1, 1), dob=CHILD)
    pair(store, a, b, 0.99)
    pair(store, c, b, 0.97)
    pair(store, a, c, 0.96)
    pair(store, c, other, 0.999)  # to somebody else: says nothing about K1
    for person in ("K1", "K2", "K3"):
        scored(store, person, 3)

    build_worklist(store, actor=admin(store))

    confidence = dict(
        store.fetchall("select cluster_id, identity_confidence from unknown_worklist")
    )
    assert confidence == {"K1": pytest.approx(0.97), "K2": 1.0, "K3": 1.0}


def test_a_person_of_several_records_with_no_stored_link_has_no_confidence(
    store: Store,
) -> None:
    add_record(store, "K1", DA, "A", date(2014, 1, 1), dob=CHILD)
    add_record(store, "K1", AE, "B", date(2014, 1, 2), dob=CHILD)
    scored(store, "K1", 3)

    build_worklist(store, actor=admin(store))

    row = store.fetchone("select identity_confidence from unknown_worklist")
    assert row == (0.0,)


def test_an_entry_counts_records_and_names_partner_sources_only(store: Store) -> None:
    a = add_record(store, "K1", DA, "A", date(2014, 2, 1), dob=CHILD)
    b = add_record(store, "K1", AE, "B", date(2014, 1, 2), dob=CHILD)
    add_record(store, "K1", AE, "B2", date(2013, 1, 2), dob=CHILD)
    known(store, "K1", "C1", probability=0.93)
    store.execute(
        "update linkage_records set event_date = '2014-03-30' where source = ?", [SOCIAL_CARE]
    )
    in_return(store, "cin_episodes", "C1")
    pair(store, a, b, 0.99)
    pair(store, b, "ae_attendances:B2", 0.98)
    pair(store, a, f"{SOCIAL_CARE}:C1", 0.93)
    scored(store, "K1", 5, "da,ae")

    build_worklist(store, actor=admin(store))

    row = store.fetchone(
        "select rank, score, indicators, child_id, involvement, identity_confidence, "
        "care_match_probability, records, sources, latest_event, as_of from unknown_worklist"
    )
    assert row == (
        1,
        5.0,
        "da,ae",
        "C1",
        "referral closed without assessment",
        pytest.approx(0.93),
        pytest.approx(0.93),
        4,
        "ae_attendances, police_domestic_abuse",
        date(2014, 2, 1),
        AS_OF,
    )


def test_the_best_matched_child_is_named(store: Store) -> None:
    add_record(store, "K1", DA, "A", date(2014, 2, 1), dob=CHILD)
    known(store, "K1", "C1", probability=0.96)
    known(store, "K1", "C2", probability=0.99)
    scored(store, "K1", 3)

    build_worklist(store, actor=admin(store))

    assert worklist(store) == {"K1": (1, "contact", "C2")}
    probability = store.scalar("select care_match_probability from unknown_worklist")
    assert probability == pytest.approx(0.99)


def test_rebuilding_replaces_the_worklist(store: Store) -> None:
    add_record(store, "K1", DA, "A", date(2014, 2, 1), dob=CHILD)
    add_record(store, "K2", DA, "B", date(2014, 2, 1), dob=CHILD)
    scored(store, "K1", 3)
    scored(store, "K2", 3)
    build_worklist(store, actor=admin(store))
    store.execute("delete from risk_scores where cluster_id = 'K2'")

    summary = build_worklist(store, actor=admin(store))

    assert list(worklist(store)) == ["K1"]
    assert summary.entries == 1


def test_built_from_real_scores(store: Store) -> None:
    add_record(store, "K1", DA, "A", date(2014, 2, 1), dob=CHILD, dash_grade="High")
    add_record(store, "K2", DA, "B", date(2014, 3, 1), dob=CHILD, dash_grade="Medium")
    add_record(store, "K3", DA, "C", date(2012, 3, 1), dob=CHILD, dash_grade="High")
    rules = IndicatorConfig(
        indicators=(
            Indicator(id="da", label="DA", source=DA, weight=3, why="w"),
            Indicator(
                id="high", label="High", source=DA, where="dash_grade = 'High'", weight=2, why="w"
            ),
        )
    )
    score_people(store, rules, as_of=AS_OF, actor=admin(store))

    build_worklist(store, actor=admin(store))

    rows = store.fetchall(
        "select rank, cluster_id, score, indicators from unknown_worklist order by rank"
    )
    assert rows == [(1, "K1", 5.0, "da,high"), (2, "K2", 3.0, "da")]


def test_building_needs_scores(store: Store) -> None:
    with pytest.raises(NotFound, match="no risk scores"):
        build_worklist(store, actor=admin(store))
    with pytest.raises(NotFound):
        worklist_summary(store)
