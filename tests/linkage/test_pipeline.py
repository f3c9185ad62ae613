"""Loading partner extracts into the store and linking them into people.

Fast tests use a few hand-written extracts in the shipped layouts; the slow ones generate a
small synthetic city once per module, load and link it, and check the store holds every record
once, every record in one person, and that a failed load leaves the store as it was.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import admin
from turnaround.errors import InputError, NotFound
from turnaround.linkage.pipeline import (
    KIND,
    LinkageRun,
    LoadedSources,
    load_sources,
    run_linkage,
    stored_records,
)
from turnaround.linkage.sources import (
    SOCIAL_CARE,
    SourceMapping,
    census_day,
    check_source,
    city_sources,
    folder_sources,
    load_mapping,
    read_extract,
    typed_fields,
)
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

YOT_HEADER = "YOTRef,OffenceDate,Forename,Surname,DOB,Gender,Postcode,Address,NHSNumber,"
YOT_HEADER += "OffenceType,Outcome\n"
MISSING_HEADER = "ReportRef,ReportedDate,Forename,Surname,DateOfBirth,Sex,Postcode,HomeAddress,"
MISSING_HEADER += "NHSNumber,MissingFrom,HoursMissing\n"
PEOPLE_HEADER = (
    "PersonID,FirstName,LastName,DateOfBirth,Gender,AddressLine1,PostCode,NHSNumber,UPN,"
    "FirstKnownDate\n"
)
SCHOOL_HEADER = (
    "CensusRowID,URN,UPN,Surname,Forename,DOB,Gender,Postcode,FSMEligible,SENProvision,"
    "SessionsPossible,SessionsMissed,SessionsUnauthorised,FixedTermExclusions\n"
)

Source = tuple[Path, SourceMapping, date | None]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _youth_justice(folder: Path, *rows: str) -> Path:
    default = ("Y1,2014-01-05,Amy,Khan,2002-03-04,F,B1 1AA,1 High St,,Theft,Referral order",)
    return _write(folder / "youth_justice.csv", YOT_HEADER + "\n".join(rows or default) + "\n")


def _missing(folder: Path) -> Path:
    return _write(
        folder / "police_missing.csv",
        MISSING_HEADER
        + "M1,05-Jan-2014,Amy,Khan,04-Mar-2002,F,B1 1AA,1 High St,,Home,12\n"
        + "M2,06-Feb-2014,Ben,Lee,05-Apr-2003,M,B2 2BB,2 Low Rd,,Care,\n",
    )


def _people(path: Path) -> Path:
    return _write(
        path,
        PEOPLE_HEADER
        + "C1,Amy,Khan,04/03/2002,Female,1 High St,B1 1AA,,,12/06/2007\n"
        + "C2,Cal,Ode,01/01/2005,Male,3 Mid Way,B3 3CC,,,03/02/2013\n",
    )


def _sources(folder: Path) -> list[Source]:
    return [
        (_youth_justice(folder), load_mapping("youth_justice"), None),
        (_missing(folder), load_mapping("police_missing"), None),
        (_people(folder / "people.csv"), load_mapping(SOCIAL_CARE), None),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def _records(store: Store) -> list[tuple[object, ...]]:
    return store.fetchall("select * from linkage_records order by unique_id")


# --- loading ------------------------------------------------------------------------------------


def test_load_sources_stores_standardised_records_with_their_fields(
    store: Store, tmp_path: Path
) -> None:
    loaded = load_sources(store, _sources(tmp_path / "in"), actor=admin(store))

    assert loaded.counts == {"police_missing": 2, SOCIAL_CARE: 2, "youth_justice": 1}
    assert loaded.records == 5
    assert loaded.load_id.startswith(f"{KIND}-")
    rows = store.fetchall(
        "select unique_id, record_id, event_date, forename, surname, dob, sex, postcode, "
        "fields, load_id from linkage_records order by unique_id"
    )
    assert [r[0] for r in rows] == [
        "police_missing:M1", "police_missing:M2", "social_care:C1", "social_care:C2",
        "youth_justice:Y1",
    ]  # fmt: skip
    m1 = rows[0]
    assert m1[1:8] == ("M1", date(2014, 1, 5), "AMY", "KHAN", date(2002, 3, 4), "F", "B1 1AA")
    assert json.loads(str(m1[8])) == {"missing_from": "Home", "hours_missing": 12}
    assert json.loads(str(rows[1][8])) == {"missing_from": "Care", "hours_missing": None}
    assert json.loads(str(rows[2][8])) == {}
    # The case system's first-known date is the social care record's event date.
    assert [(r[1], r[2]) for r in rows[2:4]] == [
        ("C1", date(2007, 6, 12)),
        ("C2", date(2013, 2, 3)),
    ]
    assert {r[9] for r in rows} == {loaded.load_id}
    load = store.fetchall(
        "select load_id, kind, rows_loaded, loaded_by from loads where kind = ?", [KIND]
    )
    assert load == [(loaded.load_id, KIND, 5, "admin")]
    audit = store.fetchall("select username, action, target from audit_log")
    assert audit == [("admin", "load-data", "linkage records: 5 from 3")]


def test_loading_again_replaces_the_records(store: Store, tmp_path: Path) -> None:
    sources = _sources(tmp_path / "in")
    load_sources(store, sources, actor=admin(store))
    _youth_justice(
        tmp_path / "in",
        "Y1,2014-01-05,Amy,Khan,2002-03-04,F,B1 1AA,1 High St,,Theft,Referral order",
        "Y2,2014-02-05,Ben,Lee,2003-04-05,M,B2 2BB,2 Low Rd,,Assault,Caution",
    )

    loaded = load_sources(store, sources, actor=admin(store))

    assert loaded.counts["youth_justice"] == 2
    assert len(_records(store)) == 6
    assert store.fetchone("select count(*) from loads where kind = ?", [KIND]) == (1,)


def test_a_source_given_twice_is_refused(store: Store, tmp_path: Path) -> None:
    sources = _sources(tmp_path / "in")

    with pytest.raises(InputError, match="more than one file for source youth_justice"):
        load_sources(store, [*sources, sources[0]], actor=admin(store))


def test_no_records_at_all_is_refused(store: Store, tmp_path: Path) -> None:
    empty = _write(tmp_path / "youth_justice.csv", YOT_HEADER)

    with pytest.raises(InputError, match="no records"):
        load_sources(store, [(empty, load_mapping("youth_justice"), None)], actor=admin(store))


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda folder: (folder / "police_missing.csv").unlink(), id="missing-file"),
        pytest.param(
            lambda folder: _youth_justice(folder, "Y9,2014-01-05,Amy,Khan"), id="short-row"
        ),
        pytest.param(
            lambda folder: (folder / "police_missing.csv").write_bytes(b"ReportRef\n\xff\xfe\n"),
            id="not-utf8",
        ),
    ],
)
def test_a_failed_load_is_a_clear_error_and_changes_nothing(
    store: Store, tmp_path: Path, spoil: object
) -> None:
    folder = tmp_path / "in"
    sources = _sources(folder)
    load_sources(store, sources, actor=admin(store))
    before = _records(store)
    audit_before = store.fetchone("select count(*) from audit_log")
    assert audit_before is not None
    assert callable(spoil)
    spoil(folder)

    with pytest.raises(InputError, match=r"(police_missing|youth_justice)\.csv: "):
        load_sources(store, sources, actor=admin(store))

    assert _records(store) == before
    # The refused file is one audit record, saying so; nothing else was written.
    assert store.fetchone("select count(*) from audit_log") == (audit_before[0] + 1,)
    assert str(
        store.scalar("select reason from audit_log order by audit_id desc limit 1")
    ).startswith("refused: ")


def test_an_extract_missing_a_mapped_column_is_an_input_error(store: Store, tmp_path: Path) -> None:
    short = _write(
        tmp_path / "youth_justice.csv",
        "YOTRef,OffenceDate,Forename,Surname\nY1,2014-01-05,Amy,Khan\n",
    )

    with pytest.raises(InputError, match=r"youth_justice\.csv: .*DOB"):
        load_sources(store, [(short, load_mapping("youth_justice"), None)], actor=admin(store))


def test_a_repeated_record_id_is_refused(store: Store, tmp_path: Path) -> None:
    row = "Y1,2014-01-05,Amy,Khan,2002-03-04,F,B1 1AA,1 High St,,Theft,Referral order"
    twice = _youth_justice(tmp_path, row, row)

    with pytest.raises(InputError, match="Y1"):
        load_sources(store, [(twice, load_mapping("youth_justice"), None)], actor=admin(store))


def test_stored_records_and_linkage_need_records(store: Store) -> None:
    with pytest.raises(NotFound, match="no partner records"):
        stored_records(store)
    with pytest.raises(NotFound):
        run_linkage(store, actor=admin(store))


# --- finding the sources ------------------------------------------------------------------------


def test_folder_sources_maps_each_extract_and_adds_the_people(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    _youth_justice(folder)
    _write(folder / "school_census.csv", SCHOOL_HEADER)
    people = _people(tmp_path / "people.csv")

    found = folder_sources(folder, 2014, people=people)

    assert [(p.name, m.source, d) for p, m, d in found] == [
        ("school_census.csv", "school_census", census_day(2014)),
        ("youth_justice.csv", "youth_justice", None),
        ("people.csv", SOCIAL_CARE, None),
    ]


def test_folder_sources_finds_a_city_layout(tmp_path: Path) -> None:
    _youth_justice(tmp_path / "city" / "extracts")
    _people(tmp_path / "city" / "social_care" / "people.csv")

    found = folder_sources(tmp_path / "city", 2014)

    assert [p for p, _, _ in found] == [
        tmp_path / "city" / "extracts" / "youth_justice.csv",
        tmp_path / "city" / "social_care" / "people.csv",
    ]


def test_an_extract_with_no_mapping_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    _youth_justice(folder)
    _write(folder / "gp_registrations.csv", "Id\n1\n")

    with pytest.raises(InputError, match=r"gp_registrations\.csv: no mapping .*gp_registrations"):
        folder_sources(folder, 2014, people=_people(tmp_path / "people.csv"))


def test_a_mapping_in_the_mappings_folder_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    _write(folder / "gp_registrations.csv", "Id,Fn,Sn\n1,A,B\n")
    own = tmp_path / "mappings"
    _write(own / "gp_registrations.yaml", "source: gp\nrecord_id: Id\nforename: Fn\nsurname: Sn\n")

    found = folder_sources(folder, 2013, people=_people(tmp_path / "people.csv"), mappings=own)

    assert [(m.source, d) for _, m, d in found] == [("gp", census_day(2013)), (SOCIAL_CARE, None)]


def test_folder_sources_needs_a_folder_extracts_and_people(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        folder_sources(tmp_path / "nope", 2014)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no social care person export"):
        folder_sources(tmp_path / "empty", 2014)
    with pytest.raises(InputError, match=r"no partner extracts \(\*\.csv\)"):
        folder_sources(tmp_path / "empty", 2014, people=tmp_path / "people.csv")


# --- agency-specific fields ---------------------------------------------------------------------


def _school(folder: Path, *missed: str) -> Path:
    rows = [
        f"SC{n},103211,,Khan,Amy,2002-03-04,F,B1 1AA,{'true' if n % 2 else 'no'},N,100,{m},0,0"
        for n, m in enumerate(missed, start=1)
    ]
    return _write(folder / "school_census.csv", SCHOOL_HEADER + "\n".join(rows) + "\n")


def test_typed_fields_read_each_declared_type(tmp_path: Path) -> None:
    mapping = load_mapping("school_census")
    path = _school(tmp_path, "12", "2.5", "ten", "", " 7 ")
    typed = typed_fields(read_extract(path, mapping), mapping)

    assert typed["sessions_missed"].tolist() == [12, pd.NA, pd.NA, pd.NA, 7]
    assert typed["free_school_meals"].tolist() == [True, False, True, False, True]
    assert typed["school_urn"].tolist() == ["103211"] * 5
    number = SourceMapping.model_validate(
        {"source": "x", "record_id": "Ref", "name": {"column": "N"},
         "fields": {"weight": {"column": "W", "type": "number"},
                    "flag": {"column": "F", "type": "boolean"}}}
    )  # fmt: skip
    frame = pd.DataFrame({"W": ["2.5", "x", ""], "F": ["Yes", "maybe", "N"]}, dtype="string")
    read = typed_fields(frame, number)
    assert read["weight"].tolist() == [2.5, pd.NA, pd.NA]
    assert read["flag"].tolist() == [True, pd.NA, False]


def test_check_source_queries_a_field_that_is_not_its_type(tmp_path: Path) -> None:
    rows = [str(n) for n in range(40)]
    rows[3] = "ten"
    path = _school(tmp_path, *rows)

    failures = check_source(load_mapping("school_census"), path)

    assert [(f.row, f.child_id, f.field, f.rule, f.message, f.severity) for f in failures] == [
        (5, "SC4", "SessionsMissed", "S-FIELD", "sessions_missed is not an integer", "query"),
    ]


def test_check_source_calls_a_mostly_unreadable_field_an_error(tmp_path: Path) -> None:
    path = _school(tmp_path, "1", "two", "3.5", "4")

    failures = check_source(load_mapping("school_census"), path)

    errors = [f for f in failures if f.severity == "error"]
    assert len(failures) == 3
    assert [(f.row, f.field, f.rule) for f in errors] == [(None, "SessionsMissed", "S-FIELD")]
    assert "50% of 4 values cannot be read" in errors[0].message


# --- a whole synthetic city (slow) --------------------------------------------------------------


@dataclass(frozen=True)
class LinkedCity:
    folder: Path
    store: Store
    loaded: LoadedSources
    run: LinkageRun


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LinkedCity]:
    root = tmp_path_factory.mktemp("city")
    # Big enough that the rarest indicator (three missing reports in the year) fires.
    generate_city(SynthConfig(children=2500, seed=11), root / "city")
    store = open_store(root / "store.duckdb")
    loaded = load_sources(store, city_sources(root / "city", 2014), actor=admin(store))
    run = run_linkage(store, actor=admin(store))
    yield LinkedCity(root / "city", store, loaded, run)
    store.close()


def _csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.mark.slow
def test_a_city_loads_every_record_of_every_source_once(city: LinkedCity) -> None:
    expected = {m.source: _csv_rows(p) for p, m, _ in city_sources(city.folder, 2014)}

    assert city.loaded.counts == expected
    stored = dict(city.store.fetchall("select source, count(*) from linkage_records group by 1"))
    assert stored == expected
    distinct = city.store.fetchone("select count(distinct unique_id) from linkage_records")
    assert distinct == (city.loaded.records,)
    census = city.store.fetchall(
        "select distinct event_date from linkage_records where source = 'school_census'"
    )
    assert census == [(census_day(2014),)]


@pytest.mark.slow
def test_a_linked_city_puts_every_record_in_exactly_one_person(city: LinkedCity) -> None:
    db = city.store
    orphans = db.fetchone(
        "select count(*) from linkage_records r anti join linkage_clusters c using (unique_id)"
    )
    twice = db.fetchone(
        "select count(*) from (select unique_id from linkage_clusters group by 1 "
        "having count(*) > 1)"
    )
    strangers = db.fetchone(
        "select count(*) from linkage_clusters c anti join linkage_records r using (unique_id)"
    )

    assert (orphans, twice, strangers) == ((0,), (0,), (0,))
    assert city.run.records == city.loaded.records
    people = db.fetchone("select count(distinct cluster_id) from linkage_clusters")
    assert people == (city.run.clusters,)
    assert 0 < city.run.clusters < city.run.records


@pytest.mark.slow
def test_known_children_are_social_care_records_in_their_person(city: LinkedCity) -> None:
    db = city.store
    not_care = db.fetchone(
        f"""
        select count(*) from linkage_known k
        anti join linkage_records r on r.source = '{SOCIAL_CARE}' and r.record_id = k.child_id
        """
    )
    elsewhere = db.fetchone(
        f"""
        select count(*) from linkage_known k
        join linkage_clusters c on c.unique_id = '{SOCIAL_CARE}:' || k.child_id
        where c.cluster_id <> k.cluster_id
        """
    )
    bounds = db.fetchone("select min(match_probability), max(match_probability) from linkage_known")

    assert not_care == (0,) and elsewhere == (0,)
    assert bounds is not None and bounds[0] > 0.0 and bounds[1] <= 1.0
    known = db.fetchone("select count(distinct cluster_id) from linkage_known")
    assert known == (city.run.known,)
    assert city.run.known > 0


@pytest.mark.slow
def test_a_linked_city_records_its_run_and_strong_pairs(city: LinkedCity) -> None:
    db = city.store
    run = db.fetchall(
        "select run_id, backend, threshold, records, clusters, known, model, run_by "
        "from linkage_runs"
    )

    assert len(run) == 1
    assert run[0][:6] == (
        city.run.run_id, "duckdb", city.run.threshold, city.run.records, city.run.clusters,
        city.run.known,
    )  # fmt: skip
    assert json.loads(str(run[0][6])) == city.run.model
    assert run[0][7] == "admin"
    weakest = db.fetchone("select min(match_probability) from linkage_pairs")
    assert weakest is not None and weakest[0] >= 0.5


@pytest.mark.slow
def test_a_failed_city_load_leaves_the_store_as_it_was(city: LinkedCity, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    sources = city_sources(city.folder, 2014)
    load_sources(store, sources, actor=admin(store))
    before = _records(store)
    spoilt = tmp_path / "ae_attendances.csv"
    lines = (city.folder / "extracts" / "ae_attendances.csv").read_text().splitlines()
    _write(spoilt, "\n".join([*lines[:50], lines[50] + ',"stray"', *lines[51:]]) + "\n")
    broken = [(spoilt if m.source == "ae_attendances" else p, m, d) for p, m, d in sources]
    gone = [(tmp_path / "nope.csv" if m.source == "youth_justice" else p, m, d)
            for p, m, d in sources]  # fmt: skip

    with pytest.raises(InputError, match=r"ae_attendances\.csv: cannot be read as CSV"):
        load_sources(store, broken, actor=admin(store))
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        load_sources(store, gone, actor=admin(store))

    assert _records(store) == before

    again = load_sources(store, sources, actor=admin(store))

    assert again.records == len(before)
    assert _records(store) == before
    store.close()


@pytest.mark.slow
def test_a_linked_city_scores_with_every_shipped_indicator(city: LinkedCity) -> None:
    from turnaround.risk.indicators import load_indicators, score_people
    from turnaround.worklist.build import build_worklist

    result = score_people(city.store, load_indicators(), actor=admin(city.store))
    summary = build_worklist(city.store, actor=admin(city.store))

    assert result.skipped == {}
    assert result.as_of == date(2014, 3, 31)
    assert result.people > 0 and all(n > 0 for n in result.hits.values())
    assert 0 < summary.entries <= result.people
    assert summary.known_assessed == 0  # no returns loaded: nobody shows an assessment
