"""The DfE's children's social work workforce census (CSWW) and the detector that routes files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import admin
from turnaround.errors import InputError, ValidationFailed
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce.assess import assess_workforce, has_workforce
from turnaround.workforce.detect import one_workforce, sort_paths
from turnaround.workforce.load import load_workforce

CSWW_XML = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CSWW</Collection><Year>2021</Year>
      <ReferenceDate>2021-09-30</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>330</LEA></Source>
  </Header>
  <LALevelVacancies><NumberOfVacancies>2.50</NumberOfVacancies><NoAgencyFTE>1.00</NoAgencyFTE>
    <NoAgencyHeadcount>1</NoAgencyHeadcount></LALevelVacancies>
  <CSWWWorker>
    <AgencyWorker>0</AgencyWorker><SWENo>SW1000000001</SWENo><FTE>1.000000</FTE>
    <PersonBirthDate>1980-02-03</PersonBirthDate><GenderCurrent>2</GenderCurrent>
    <Ethnicity>WBRI</Ethnicity><OrgRole>5</OrgRole><RoleStartDate>2015-04-01</RoleStartDate>
    <Cases30>18</Cases30>
  </CSWWWorker>
  <CSWWWorker>
    <AgencyWorker>0</AgencyWorker><SWENo>SW1000000002</SWENo><FTE>0</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2010-01-01</RoleStartDate><RoleEndDate>2021-03-31</RoleEndDate>
    <ReasonLeave>1</ReasonLeave><FTE30>0.800000</FTE30>
  </CSWWWorker>
  <CSWWWorker>
    <AgencyWorker>1</AgencyWorker><SWENo>SW1000000003</SWENo><FTE>0.500000</FTE>
  </CSWWWorker>
</Message>
"""

HEADER = (
    "AgencyWorker,SWENo,FTE,PersonBirthDate,GenderCurrent,OrgRole,RoleStartDate,RoleEndDate,"
    "Cases30\n"
)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2000, seed=3, years=1), out)
    return out


def _staff(store_path: Path) -> dict[str, tuple[object, ...]]:
    store = open_store(store_path)
    rows = store.fetchall(
        "select staff_id, role, fte, agency, start_date, leave_date, holds_cases "
        "from workforce_staff"
    )
    return {r[0]: r[1:] for r in rows}


def test_a_csww_xml_loads_into_the_workforce_tables(tmp_path: Path) -> None:
    path = tmp_path / "csww.xml"
    path.write_text(CSWW_XML)
    store = open_store(tmp_path / "w.duckdb")
    result = load_workforce(store, path, actor=admin(store))
    assert result.layout == "csww" and result.errors == 0
    assert result.year == 2022  # 30 September 2021 falls in the year to 31 March 2022
    assert result.rows_loaded == {
        "teams": 0, "allocations": 0, "senior_roles": 0, "staff": 3, "vacancies": 1,
    }  # fmt: skip
    staff = {r[0]: r[1:] for r in store.fetchall(
        "select staff_id, role, fte, agency, start_date::varchar, leave_date::varchar, "
        "holds_cases from workforce_staff"
    )}  # fmt: skip
    assert staff["SW1000000001"] == ("social_worker", 1.0, False, "2015-04-01", None, True)
    # A leaver's FTE 0 is their FTE a year earlier; an agency worker with no start date is in
    # post from the census year's first day, and a blank OrgRole is read as a case holder.
    assert staff["SW1000000002"] == ("social_worker", 0.8, False, "2010-01-01", "2021-03-31", True)
    assert staff["SW1000000003"] == ("social_worker", 0.5, True, "2020-10-01", None, True)
    # One vacancy row for the authority: filled is the permanent FTE in post on the census day.
    assert store.fetchall(
        "select team_id, establishment_fte, filled_fte, vacant_fte, agency_cover_fte, "
        "at_date::varchar from workforce_vacancies"
    ) == [("LA", 3.5, 1.0, 2.5, 1.0, "2021-09-30")]
    rules = {f.rule for f in result.failures}
    assert {"W-NOT-CARRIED", "W-CENSUS-DAY", "CSWW-ASSUMED"} <= rules
    # The assessment runs, and says what a census cannot give it.
    assessed = assess_workforce(store)
    assert any("caseloads" in g for g in assessed.gaps)
    assert any("spans of control" in g for g in assessed.gaps)
    assert not has_workforce(store)  # the plan needs cases by child


def test_a_csww_csv_is_checked_with_the_dfe_names_strict_and_lenient(tmp_path: Path) -> None:
    path = tmp_path / "csww_2022.csv"
    path.write_text(
        HEADER
        + "0,SW2000000001,1,1985-01-01,1,5,2016-01-01,,20\n"
        + "0,SW2000000002,1.5,1990-05-05,2,5,2018-01-01,,12\n"  # row 3: FTE above 1
        + "0,SW2000000003,0.8,not-a-date,2,9,2019-01-01,,5\n"  # row 4: birth date, OrgRole
        + "1,XX,0.4,,,,,,\n"  # row 5: not an SWE number
    )
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValidationFailed) as caught:
        load_workforce(store, path, actor=admin(store))
    message = str(caught.value)
    assert "nothing was loaded" in message and "csww_2022.csv row 3 field FTE" in message
    errors = {(f.row, f.field, f.rule) for f in caught.value.failures if f.severity == "error"}
    assert errors == {
        (3, "FTE", "CSWW-FTE"),
        (4, "PersonBirthDate", "CSWW-DATE"),
        (4, "OrgRole", "CSWW-CODE"),
        (5, "SWENo", "CSWW-SWENO"),
    }
    birth = next(f for f in caught.value.failures if f.field == "PersonBirthDate")
    assert "not-a-date" not in birth.message  # personal values are never quoted back
    assert "'1.5'" in next(f for f in caught.value.failures if f.field == "FTE").message
    assert store.fetchone("select count(*) from workforce_staff") == (0,)

    result = load_workforce(store, path, actor=admin(store), mode="lenient")
    assert result.rows_loaded["staff"] == 1 and result.rows_set_aside == 3
    assert store.fetchall("select source_row from quarantine order by 1") == [(3,), (4,), (5,)]
    census = next(f for f in result.failures if f.rule == "W-CENSUS-DAY")
    assert "30/09/2022" in census.message and "file name" in census.message


def test_a_csww_file_without_its_required_items_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "csww.csv"
    path.write_text("AgencyWorker,SWENo,FTE\n0,SW1,1\n")
    pd.read_csv(path).drop(columns=["FTE"]).assign(OrgRole=5).to_csv(path, index=False)
    with pytest.raises(InputError):
        load_workforce(
            open_store(tmp_path / "w.duckdb"), path, actor=admin(open_store(tmp_path / "w.duckdb"))
        )


def test_the_detector_sorts_returns_from_the_workforce(export: Path, tmp_path: Path) -> None:
    found = sort_paths([export / "returns", export / "workforce"])
    assert found.returns == [export / "returns"]
    assert [(s.kind, s.path) for s in found.workforce] == [("export", export / "workforce")]
    # The export's files given one by one are the one export; a CSWW file is a source.
    files = sorted((export / "workforce").glob("*.csv"))
    assert [s.path for s in sort_paths(files).workforce] == [export / "workforce"]
    csww = tmp_path / "census.xml"
    csww.write_text(CSWW_XML)
    assert [s.kind for s in sort_paths([csww]).workforce] == ["csww"]
    # A folder mixing both hands the returns over file by file.
    mixed = tmp_path / "mixed"
    shutil.copytree(export / "workforce", mixed / "workforce")
    shutil.copytree(export / "returns" / "cin", mixed / "cin")
    found = sort_paths([mixed])
    assert [p.name for p in found.returns] == ["cin_census_2014.xml"]
    assert [s.path for s in found.workforce] == [mixed / "workforce"]
    # Two workforce sources in one load would replace each other: refused, naming both.
    with pytest.raises(InputError, match="two workforce exports"):
        one_workforce(sort_paths([export / "workforce", csww]))
