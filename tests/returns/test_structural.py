"""Structural checks: one failure per bad value, the row kept with NA in that field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turnaround.errors import InputError
from turnaround.returns.model import ReturnData
from turnaround.returns.read import read_returns
from turnaround.returns.read.cin_xml import read_cin_xml
from turnaround.returns.schema import schema_for

_SAMPLE = {
    "Header": "C1,1,01/02/2005,WBRI,A123,,",
    "Episodes": "C1,01/04/2013,S,C2,N1,U1,PR1,,,,B1 1,B2 2,SC123",
    "Reviews": "C1,01/02/2005,01/10/2013,PN1",
}


def _folder(tmp_path: Path, year: int, overrides: dict[str, list[str]]) -> Path:
    folder = tmp_path / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for table in schema_for("ssda903", year).tables.values():
        rows = overrides.get(table.name, [_SAMPLE[table.name]] if table.name in _SAMPLE else [])
        lines = [",".join(table.column_names), *rows]
        (folder / (table.file or "x.csv")).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _read(folder: Path) -> ReturnData:
    (data,) = read_returns([folder], year=int(folder.name))
    return data


def test_a_clean_return_has_no_failures(tmp_path: Path) -> None:
    data = _read(_folder(tmp_path, 2016, {}))
    assert [f.rule for f in data.failures] == ["S-YEAR"]  # how the year was read: a query
    assert data.tables["episodes"]["decom"].iloc[0] == pd.Timestamp("2013-04-01")


def test_every_bad_value_is_reported_and_the_row_kept(tmp_path: Path) -> None:
    episodes = [
        "C1,01/04/2013,S,C2,N1,U1,PR1,,,,B1 1,B2 2,SC1",
        "C2,31/02/2014,S,C2,N1,U1,PR1,,,,B1 1,B2 2,SC1",  # not a real day
        "C3,2013-05-01 00:00:00,S,C2,N1,u1,PR1,,,,B1 1,B2 2,SC1",  # Excel; lower-case code ok
        "C4,01/06/2013,S,XX,N1,U1,PR1,,,,B1 1,B2 2,SC1",  # bad legal status
        "C5,01/06/2013,,C2,N1,U1,PR1,,,,B1 1,B2 2,SC1",  # RNE blank
        "C5,01/06/2013,,C2,N1,U1,PR1,,,,B1 1,B2 2,SC1",  # the same again
    ]
    header = ["C1,3,01/02/2005,WBRI,A1,x,"]
    data = _read(_folder(tmp_path, 2016, {"Episodes": episodes, "Header": header}))
    got = sorted(((f.table, f.row, f.child_id, f.field, f.rule) for f in data.failures), key=str)
    assert got == sorted(
        [
            ("episodes", None, None, None, "S-YEAR"),
            ("episodes", 3, "C2", "DECOM", "S-DATE"),
            ("episodes", 4, "C3", "DECOM", "S-DATE-EXCEL"),
            ("episodes", 5, "C4", "LS", "S-CODE"),
            ("episodes", 6, "C5", "RNE", "S-REQUIRED"),
            ("episodes", 7, "C5", None, "S-DUP"),
            ("episodes", 7, "C5", "RNE", "S-REQUIRED"),
            ("header", 2, "C1", "MOTHER", "S-TYPE"),
            ("header", 2, "C1", "SEX", "S-CODE"),
        ],
        key=str,
    )
    frame = data.tables["episodes"]
    assert len(frame) == 6
    assert frame["decom"].isna().tolist() == [False, True, True, False, False, False]
    assert frame["place"].tolist()[2] == "U1"
    assert pd.isna(frame["ls"].iloc[3])
    message = next(f.message for f in data.failures if f.rule == "S-CODE" and f.field == "LS")
    assert message == "LS 'XX' is not a 2015-16 code for this field"


def test_sex_is_m_f_u_in_both_codings(tmp_path: Path) -> None:
    old = _read(_folder(tmp_path / "a", 2016, {"Header": ["C1,2,01/02/2005,WBRI,A1,,"]}))
    new = _read(_folder(tmp_path / "b", 2025, {"Header": ["C1,F,01/02/2005,WBRI,A1,,"]}))
    assert old.tables["header"]["sex"].tolist() == new.tables["header"]["sex"].tolist() == ["F"]


def test_a_2025_code_is_wrong_in_2016(tmp_path: Path) -> None:
    data = _read(_folder(tmp_path, 2016, {"Header": ["C1,F,01/02/2005,WBRI,A1,,"]}))
    assert [(f.field, f.rule) for f in data.failures] == [(None, "S-YEAR"), ("SEX", "S-CODE")]


def test_columns_a_year_lacks_are_all_na(tmp_path: Path) -> None:
    data = _read(
        _folder(tmp_path, 2014, {"Episodes": ["C1,01/04/2013,S,C2,N1,U1,PR1,,,B1 1,B2 2"]})
    )
    assert data.tables["episodes"]["urn"].isna().all()
    assert data.tables["episodes"]["reason_place_change"].isna().all()


CIN = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2014</Year></CollectionDetails>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>K1</LAchildID><PersonBirthDate>2010-01-01</PersonBirthDate>
      <GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
      <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
      <CINdetails><CINreferralDate>2013-05-01</CINreferralDate><ReferralSource>99</ReferralSource>
      <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>maybe</ReferralNFA>
        <ChildProtectionPlans><CPPstartDate>01/06/2013</CPPstartDate>
        <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
        <Reviews><CPPreviewDate>2013-09-01</CPPreviewDate></Reviews></ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def test_cin_failures_name_the_child_its_element_and_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(CIN, encoding="utf-8")
    data = read_cin_xml(path)
    got = sorted((f.table, f.row, f.child_id, f.field, f.rule, f.where) for f in data.failures)
    episode = "Message/Children/Child[1]/CINdetails[1]"
    # Each record's own line: <CINdetails> on line 11, <ChildProtectionPlans> on line 13.
    assert got == [
        ("children", None, None, None, "S-YEAR", None),
        ("cp_plans", 13, "K1", "CPPstartDate", "S-DATE", f"{episode}/ChildProtectionPlans[1]"),
        ("episodes", 11, "K1", "ReferralNFA", "S-TYPE", episode),
        ("episodes", 11, "K1", "ReferralSource", "S-CODE", episode),
    ]
    assert data.tables["cp_reviews"][["episode", "cp_plan"]].values.tolist() == [[1, 1]]


# Fuzzing: whatever the bytes, a reader gives a ReturnData or an InputError, nothing else.

_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(st.binary(max_size=400))
def test_fuzz_csv_bytes(tmp_path: Path, blob: bytes) -> None:
    folder = _folder(tmp_path / str(abs(hash(blob))), 2016, {})
    (folder / "episodes.csv").write_bytes(blob)
    try:
        _read(folder)
    except InputError as exc:
        assert "\n" not in str(exc)


@_FUZZ
@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12),
        min_size=13,
        max_size=13,
    )
)
def test_fuzz_csv_values(tmp_path: Path, values: list[str]) -> None:
    row = ",".join('"' + v.replace('"', '""') + '"' for v in values)
    folder = _folder(tmp_path / str(abs(hash(row))), 2016, {"Episodes": [row]})
    try:
        data = _read(folder)
    except InputError:
        return
    assert len(data.tables["episodes"]) == 1


@_FUZZ
@given(st.integers(min_value=0, max_value=len(CIN)), st.binary(max_size=8))
def test_fuzz_cin_xml(tmp_path: Path, cut: int, junk: bytes) -> None:
    raw = CIN.encode()
    path = tmp_path / f"cin_{cut}_{abs(hash(junk))}.xml"
    path.write_bytes(raw[:cut] + junk + raw[cut:])
    try:
        read_cin_xml(path, year=2014)
    except InputError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("blob", [b"<", b"<Message>", b"\x00\x01", b"<?xml version='1.0'?>"])
def test_odd_xml_is_an_input_error(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "cin.xml"
    path.write_bytes(blob)
    with pytest.raises(InputError):
        read_cin_xml(path, year=2014)


def test_a_date_in_an_impossible_year_is_a_failure_not_a_crash() -> None:
    import numpy as np
    import pyarrow as pa

    from turnaround.returns.schema import schema_for
    from turnaround.returns.structural import to_canonical

    schema = schema_for("ssda903", 2014)
    table = schema.table("Header")
    raw = pa.table({c.name: pa.array([None, None], pa.string()) for c in table.columns})
    raw = raw.set_column(
        raw.column_names.index("DOB"), "DOB", pa.array(["13/04/1066", "01/05/2005"])
    )
    frame, failures = to_canonical(
        raw, table, schema, file="header.csv", rows=np.array([2, 3]), child_column="CHILD"
    )
    dates = [f for f in failures if f.field == "DOB"]
    assert [(f.row, f.rule) for f in dates] == [(2, "S-DATE")]
    assert "1066" in dates[0].message
    assert frame["dob"].isna().tolist() == [True, False]


def test_an_impossible_date_in_the_returns_own_form_is_not_blamed_on_excel(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(CIN.replace("2013-05-01", "2013-02-30"), encoding="utf-8")
    data = read_cin_xml(path)
    (bad,) = [f for f in data.failures if f.field == "CINreferralDate"]
    assert (bad.rule, bad.message) == (
        "S-DATE",
        "CINreferralDate '2013-02-30' is not a date (yyyy-mm-dd)",
    )
