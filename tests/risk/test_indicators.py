"""Risk indicators and scores, on a few records written straight into a real store.

Each test puts a handful of linked records (a record and the person, or cluster, it belongs to)
into ``linkage_records`` and ``linkage_clusters`` and checks the hits and scores by hand. The
worklist date is 31 March 2014 with a 12-month window, so the window is the records dated
after 31 March 2013 up to and including 31 March 2014.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.acting import admin
from turnaround.errors import ConfigError, NotFound, TurnaroundError
from turnaround.linkage.sources import SOCIAL_CARE, load_mapping, partner_mappings
from turnaround.risk.indicators import (
    Indicator,
    IndicatorConfig,
    _months_before,
    default_as_of,
    load_indicators,
    score_people,
)
from turnaround.store import Store, open_store

AS_OF = date(2014, 3, 31)
DA = "police_domestic_abuse"
AE = "ae_attendances"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def add_record(
    store: Store,
    person: str,
    source: str,
    record_id: str,
    event_date: date | None,
    *,
    dob: date | None = None,
    postcode: str | None = None,
    address: str | None = None,
    forename: str | None = None,
    surname: str | None = None,
    sex: str | None = None,
    **fields: Any,
) -> str:
    """Put one standardised record in the store, in the cluster ``person``; its unique id."""
    unique_id = f"{source}:{record_id}"
    store.execute(
        "insert into linkage_records (unique_id, source, record_id, event_date, dob, postcode, "
        "address, forename, surname, sex, fields, load_id) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test')",
        [
            unique_id, source, record_id, event_date, dob, postcode, address, forename,
            surname, sex, json.dumps(fields),
        ],
    )  # fmt: skip
    store.execute("insert into linkage_clusters values (?, ?)", [unique_id, person])
    return unique_id


def indicator(id: str, weight: float = 1, **kwargs: Any) -> Indicator:
    """An indicator with a label and reason filled in."""
    return Indicator(id=id, label=f"label of {id}", weight=weight, why="because", **kwargs)


def config(*indicators: Indicator, window_months: int = 12) -> IndicatorConfig:
    return IndicatorConfig(window_months=window_months, indicators=indicators)


def hits(store: Store) -> list[tuple[str, str, str]]:
    rows = store.fetchall("select cluster_id, indicator, unique_id from risk_hits order by all")
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def scores(store: Store) -> dict[str, tuple[float, str]]:
    rows = store.fetchall("select cluster_id, score, indicators from risk_scores")
    return {str(c): (float(s), str(i)) for c, s, i in rows}


# --- the indicator file ------------------------------------------------------------------------


def test_the_shipped_file_loads_with_sources_that_have_mappings() -> None:
    shipped = load_indicators()

    assert shipped.window_months == 12
    assert len(shipped.by_id()) == len(shipped.indicators)
    partners = set(partner_mappings())
    for ind in shipped.indicators:
        assert ind.kind == "sibling_known" or ind.source in partners, ind.id


def _dummy(kind: str) -> object:
    return {"text": "x", "integer": 1, "number": 1.5, "boolean": True}[kind]


def test_every_shipped_where_names_fields_its_mapping_declares(store: Store) -> None:
    shipped = load_indicators()
    for n, name in enumerate(sorted({i.source for i in shipped.indicators if i.source})):
        mapping = load_mapping(name)
        fields = {key: _dummy(f.type) for key, f in mapping.fields.items()}
        add_record(store, f"K{n}", name, "R1", date(2014, 1, 1), dob=date(2010, 1, 1), **fields)

    result = score_people(store, shipped, as_of=AS_OF, actor=admin(store))

    assert result.skipped == {}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ONE = """
indicators:
  - id: missing
    label: Reported missing
    source: police_missing
    weight: 2
    why: Going missing is a sign of harm.
"""


def test_a_file_loads_with_the_default_window(tmp_path: Path) -> None:
    loaded = load_indicators(_write(tmp_path, ONE))

    assert loaded.window_months == 12
    assert loaded.by_id()["missing"].weight == 2
    assert loaded.by_id()["missing"].min_count == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ONE.replace("    weight: 2", "    weight: 2\n    colour: red"), "colour"),
        (ONE + ONE.split("indicators:")[1], "indicator ids repeated: missing"),
        ("window_months: 12\nwindow: 3\n" + ONE, "window"),
        (ONE.replace("    source: police_missing\n", ""), "needs a source"),
        (ONE.replace("weight: 2", "weight: 0"), "weight"),
        (ONE.replace("id: missing", "id: Missing"), "id"),
        (ONE + "    kind: sibling_known\n", "sibling_known takes no source"),
        (ONE + '    where: "a = 1; drop table users"\n', "single expression"),
        (ONE + "    ages: [5, 2]\n", "ages must be"),
        (ONE + "    min_count: 0\n", "min_count"),
        ("indicators: []\n", "indicators"),
        ("indicators: [\n", "not valid YAML"),
    ],
)
def test_a_bad_file_is_a_config_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(ConfigError, match=r"indicators\.yaml") as caught:
        load_indicators(path)

    assert message in str(caught.value)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such indicator file"):
        load_indicators(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("day", "months", "start"),
    [
        (date(2014, 3, 31), 12, date(2013, 3, 31)),
        (date(2014, 1, 15), 1, date(2013, 12, 15)),
        (date(2014, 3, 31), 1, date(2014, 2, 28)),
        (date(2012, 3, 31), 1, date(2012, 2, 29)),
        (date(2014, 1, 31), 2, date(2013, 11, 30)),
        (date(2014, 12, 31), 60, date(2009, 12, 31)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_months_last(
    day: date, months: int, start: date
) -> None:
    assert _months_before(day, months) == start


# --- scoring ------------------------------------------------------------------------------------


def test_the_window_excludes_its_start_and_includes_the_as_of_date(store: Store) -> None:
    add_record(store, "K1", DA, "on-start", date(2013, 3, 31))
    add_record(store, "K2", DA, "day-after-start", date(2013, 4, 1))
    add_record(store, "K3", DA, "on-as-of", date(2014, 3, 31))
    add_record(store, "K4", DA, "day-after", date(2014, 4, 1))
    add_record(store, "K5", DA, "undated", None)

    result = score_people(
        store, config(indicator("da", source=DA)), as_of=AS_OF, actor=admin(store)
    )

    assert result.window_start == date(2013, 3, 31)
    assert hits(store) == [("K2", "da", f"{DA}:day-after-start"), ("K3", "da", f"{DA}:on-as-of")]
    assert result.hits == {"da": 2}
    assert result.people == 2


def test_a_score_adds_each_fired_indicator_once(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2013, 6, 1), dash_grade="Standard")
    add_record(store, "K1", DA, "D2", date(2013, 9, 1), dash_grade="High")
    add_record(store, "K1", DA, "D3", date(2013, 12, 1), dash_grade="High")
    add_record(store, "K2", DA, "D4", date(2014, 1, 1), dash_grade="High")
    rules = config(
        indicator("domestic_abuse", 3, source=DA),
        indicator("high_risk", 2, source=DA, where="dash_grade = 'High'"),
        indicator("repeat", 2, source=DA, min_count=2),
    )

    result = score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert scores(store) == {
        "K1": (7.0, "domestic_abuse,high_risk,repeat"),
        "K2": (5.0, "domestic_abuse,high_risk"),
    }
    assert result.hits == {"domestic_abuse": 2, "high_risk": 2, "repeat": 1}
    assert [h for h in hits(store) if h[0] == "K1" and h[1] == "high_risk"] == [
        ("K1", "high_risk", f"{DA}:D2"),
        ("K1", "high_risk", f"{DA}:D3"),
    ]
    as_of = store.fetchall("select as_of from risk_hits union select as_of from risk_scores")
    assert as_of == [(AS_OF,)]


def test_ties_in_weight_list_indicators_by_id(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1))
    rules = config(indicator("zeta", 2, source=DA), indicator("alpha", 2, source=DA))

    score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert scores(store) == {"K1": (4.0, "alpha,zeta")}


def test_min_count_counts_only_records_in_the_window(store: Store) -> None:
    add_record(store, "K1", DA, "old", date(2012, 1, 1))
    add_record(store, "K1", DA, "new", date(2014, 1, 1))
    add_record(store, "K2", DA, "a", date(2013, 5, 1))
    add_record(store, "K2", DA, "b", date(2013, 6, 1))
    add_record(store, "K2", DA, "c", date(2013, 7, 1))

    score_people(
        store, config(indicator("repeat", source=DA, min_count=3)), as_of=AS_OF, actor=admin(store)
    )

    assert {h[0] for h in hits(store)} == {"K2"}
    assert len(hits(store)) == 3


def test_ages_are_whole_years_at_the_event(store: Store) -> None:
    born = date(2012, 6, 1)
    add_record(store, "K1", AE, "A1", date(2014, 3, 31), dob=born, diagnosis_group="Injury")
    add_record(store, "K2", AE, "A2", date(2014, 3, 31), dob=None, diagnosis_group="Injury")
    add_record(store, "K3", AE, "A3", date(2014, 1, 1), dob=born, diagnosis_group="Other")
    add_record(store, "K4", AE, "A4", date(2014, 6, 1), dob=born, diagnosis_group="Injury")
    add_record(store, "K5", AE, "A5", date(2014, 5, 31), dob=born, diagnosis_group="Injury")
    injury = indicator(
        "injury_under_two", source=AE, where="diagnosis_group = 'Injury'", ages=(0, 2)
    )

    score_people(store, config(injury), as_of=date(2014, 6, 1), actor=admin(store))

    # K4 turned two on the day of the attendance; K5 was a day short of two.
    assert {h[0] for h in hits(store)} == {"K1", "K5"}


def test_typed_fields_compare_as_numbers_and_booleans(store: Store) -> None:
    school = "school_census"
    census = date(2014, 1, 16)
    add_record(store, "K1", school, "S1", census, possible=100, missed=10, fsm=True)
    add_record(store, "K2", school, "S2", census, possible=100, missed=9, fsm=False)
    add_record(store, "K3", school, "S3", census, possible=None, missed=None, fsm=None)
    rules = config(
        indicator("absent", source=school, where="possible >= 20 and missed >= 0.1 * possible"),
        indicator("fsm", source=school, where="fsm"),
    )

    score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert hits(store) == [("K1", "absent", f"{school}:S1"), ("K1", "fsm", f"{school}:S1")]


def _sibling_rules() -> IndicatorConfig:
    return config(indicator("sibling_known", 2, kind="sibling_known"))


def test_sibling_known_is_a_social_care_record_of_someone_else_at_the_address(
    store: Store,
) -> None:
    sibling = add_record(store, "KS", SOCIAL_CARE, "C1", None, postcode="B1 1AA", address="1 A ST")
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), postcode="B1 1AA", address="1 A ST")
    add_record(store, "K2", DA, "D2", date(2014, 1, 1), postcode="B1 1AA", address="2 A ST")
    add_record(store, "K3", DA, "D3", date(2012, 1, 1), postcode="B1 1AA", address="1 A ST")
    # K4 moved away: only their latest partner record in the window gives their address.
    add_record(store, "K4", DA, "D4", date(2013, 6, 1), postcode="B1 1AA", address="1 A ST")
    add_record(store, "K4", DA, "D5", date(2014, 2, 1), postcode="B9 9ZZ", address="9 Z ST")
    # K5 is the child known to social care: their own record is no sibling.
    add_record(store, "K5", SOCIAL_CARE, "C5", None, postcode="B5 5AA", address="5 A ST")
    add_record(store, "K5", DA, "D6", date(2014, 1, 1), postcode="B5 5AA", address="5 A ST")

    result = score_people(store, _sibling_rules(), as_of=AS_OF, actor=admin(store))

    assert hits(store) == [("K1", "sibling_known", sibling)]
    assert scores(store) == {"K1": (2.0, "sibling_known")}
    assert result.hits == {"sibling_known": 1}


def test_sibling_known_does_not_fire_on_the_childs_own_unlinked_record(store: Store) -> None:
    home = {"postcode": "B1 1AA", "address": "1 A ST"}
    born = date(2008, 5, 1)
    # K1's own social care record, left in a cluster of its own: same birth date, same name.
    add_record(store, "KS1", SOCIAL_CARE, "C1", None, dob=born, forename="AMIRA",
               surname="KHAN", **home)  # fmt: skip
    # ...and again with forename and surname swapped (KHAN AMIRA), also the child's own.
    add_record(store, "KS2", SOCIAL_CARE, "C2", None, dob=born, forename="KHAN",
               surname="AMIRA", **home)  # fmt: skip
    # A twin: same birth date and surname, another forename. A real sibling.
    twin = add_record(store, "KS3", SOCIAL_CARE, "C3", None, dob=born, forename="ZARA",
                      surname="KHAN", **home)  # fmt: skip
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=born, forename="AMEERA",
               surname="KHAN", **home)  # fmt: skip

    score_people(store, _sibling_rules(), as_of=AS_OF, actor=admin(store))

    assert hits(store) == [("K1", "sibling_known", twin)]


def test_ages_on_sibling_known_are_refused_or_applied(store: Store) -> None:
    add_record(store, "KS", SOCIAL_CARE, "C1", None, postcode="B1 1AA", address="1 A ST")
    home = {"postcode": "B1 1AA", "address": "1 A ST"}
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dob=date(2004, 1, 1), **home)
    try:
        rules = config(indicator("sibling_baby", 2, kind="sibling_known", ages=(0, 2)))
    except ValueError:
        return
    score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert hits(store) == []


def test_indicators_of_unloaded_sources_are_skipped(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1))
    rules = config(
        indicator("da", source=DA),
        indicator("yot", source="youth_justice", where="no_such_field = 1"),
    )

    result = score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert result.skipped == {"yot": "no youth_justice records loaded"}
    assert result.hits == {"da": 1}
    assert scores(store) == {"K1": (1.0, "da")}


def test_a_bad_where_names_the_indicator_and_changes_nothing(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dash_grade="High")
    score_people(store, config(indicator("da", source=DA)), as_of=AS_OF, actor=admin(store))
    before = (hits(store), scores(store))
    rules = config(
        indicator("da", source=DA),
        indicator("high_risk", source=DA, where="dash_grde = 'High'"),
    )

    with pytest.raises(ConfigError, match=r"^indicator high_risk: .*dash_grde"):
        score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert (hits(store), scores(store)) == before


def test_a_where_failing_at_run_time_names_the_indicator(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dash_grade="High")
    rules = config(indicator("graded", source=DA, where="cast(dash_grade as integer) > 1"))

    with pytest.raises(ConfigError, match="indicator graded"):
        score_people(store, rules, as_of=AS_OF, actor=admin(store))


def test_a_run_time_failure_still_changes_nothing(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1), dash_grade="High")
    score_people(store, config(indicator("da", source=DA)), as_of=AS_OF, actor=admin(store))
    before = (hits(store), scores(store))
    rules = config(indicator("graded", source=DA, where="cast(dash_grade as integer) > 1"))

    with pytest.raises(TurnaroundError):
        score_people(store, rules, as_of=AS_OF, actor=admin(store))

    assert (hits(store), scores(store)) == before


def test_scoring_replaces_the_previous_scores(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 1, 1))
    score_people(store, config(indicator("da", 3, source=DA)), as_of=AS_OF, actor=admin(store))

    score_people(store, config(indicator("da", 1, source=DA)), as_of=AS_OF, actor=admin(store))

    assert scores(store) == {"K1": (1.0, "da")}
    assert len(hits(store)) == 1


def test_nobody_fires_leaves_empty_tables(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2010, 1, 1))

    result = score_people(
        store, config(indicator("da", source=DA)), as_of=AS_OF, actor=admin(store)
    )

    assert result.people == 0
    assert result.hits == {"da": 0}
    assert hits(store) == [] and scores(store) == {}


def test_scoring_needs_linked_people(store: Store) -> None:
    with pytest.raises(NotFound, match="run 'turnaround link'"):
        score_people(store, config(indicator("da", source=DA)), as_of=AS_OF, actor=admin(store))


def test_the_default_date_is_the_latest_partner_event(store: Store) -> None:
    add_record(store, "K1", DA, "D1", date(2014, 2, 1))
    add_record(store, "K2", AE, "A1", date(2014, 3, 2))
    add_record(store, "K3", SOCIAL_CARE, "C1", date(2015, 1, 1))

    assert default_as_of(store) == date(2014, 3, 2)
    assert score_people(
        store, config(indicator("da", source=DA)), actor=admin(store)
    ).as_of == date(2014, 3, 2)


def test_one_wrongly_dated_record_does_not_move_the_worklist_date(store: Store) -> None:
    # 200 A&E attendances through February and March 2014, then one typed as 2041 (after
    # today) and one as December 2014 (long after the rest of its extract).
    for n in range(200):
        add_record(store, f"K{n}", AE, f"A{n}", date(2014, 2, 1) + timedelta(days=n % 59))
    add_record(store, "KX", AE, "AX", date(2041, 3, 1))
    add_record(store, "KY", AE, "AY", date(2014, 12, 1))

    assert default_as_of(store) == date(2014, 3, 31)
    # Another source's latest date still counts: police up to 2 April.
    add_record(store, "KP", DA, "D1", date(2014, 4, 2))
    assert default_as_of(store) == date(2014, 4, 2)


def test_no_dated_partner_records_is_not_found(store: Store) -> None:
    add_record(store, "K1", SOCIAL_CARE, "C1", date(2014, 1, 1))

    with pytest.raises(NotFound, match="no dated partner records"):
        default_as_of(store)
