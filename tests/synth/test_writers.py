"""The statutory return writers, checked against a hand-made council (fixtures_social_care)."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as DET
import numpy as np
import openpyxl
import pandas as pd
import pytest

from tests.synth import fixtures_social_care as fx
from turnaround.synth import outcomes
from turnaround.synth.config import SynthConfig
from turnaround.synth.write_annex_a import annex_a_sheets, write_annex_a
from turnaround.synth.write_cin import write_cin_census
from turnaround.synth.write_ssda903 import ssda903_columns, ssda903_files, write_ssda903

CONFIG = SynthConfig(children=1_000, seed=7)


def _write_903(year: int, out: Path, seed: int = 1) -> dict[str, pd.DataFrame]:
    paths = write_ssda903(
        fx.social_care(),
        fx.children(),
        fx.workforce().sw_episodes,
        CONFIG,
        year,
        out,
        np.random.default_rng(seed),
    )
    assert sorted(p.name for p in paths) == sorted(ssda903_files(year).values())
    names = {v: k for k, v in ssda903_files(year).items()}
    return {names[p.name]: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths}


# -- SSDA903 -------------------------------------------------------------------------------

EXPECTED_903 = {
    2014: {"Header": 3, "Episodes": 6, "Reviews": 1, "UASC": 0, "OC2": 1, "OC3": 1, "AD1": 0,
           "PlacedAdoption": 1, "PrevPerm": 1, "Missing": 1, "SWEpisodes": 3},
    2015: {"Header": 3, "Episodes": 2, "Reviews": 0, "UASC": 0, "OC2": 1, "OC3": 1, "AD1": 1,
           "PlacedAdoption": 1, "PrevPerm": 0, "Missing": 0, "SWEpisodes": 2},
}  # fmt: skip


@pytest.mark.parametrize("year", [2014, 2015])
def test_ssda903_row_counts_and_columns(tmp_path: Path, year: int) -> None:
    tables = _write_903(year, tmp_path)
    layout = ssda903_columns(year)
    for name, frame in tables.items():
        assert list(frame.columns) == layout[name], name
        assert len(frame) == EXPECTED_903[year][name], name


def test_ssda903_dates_are_dd_mm_yyyy(tmp_path: Path) -> None:
    tables = _write_903(2014, tmp_path)
    for name, frame in tables.items():
        for col in frame.columns:
            if col in {"DOB", "DECOM", "DEC", "REVIEW", "MIS_START", "MIS_END", "DATE_PLACED",
                       "SW_DECOM", "SW_DEC", "MC_DOB", "DUC"}:  # fmt: skip
                filled = frame.loc[frame[col] != "", col]
                parsed = pd.to_datetime(filled, format="%d/%m/%Y", errors="coerce")
                assert parsed.notna().all(), (name, col)


def test_episode_spanning_31_march_is_open_in_first_year(tmp_path: Path) -> None:
    first = _write_903(2014, tmp_path / "2014")["Episodes"]
    second = _write_903(2015, tmp_path / "2015")["Episodes"]
    adoption = first[(first["CHILD"] == "C002") & (first["DECOM"] == "10/02/2014")]
    assert adoption[["DEC", "REC"]].to_numpy().tolist() == [["", ""]]
    later = second[second["CHILD"] == "C002"]
    assert later[["DECOM", "DEC", "REC"]].to_numpy().tolist() == [
        ["10/02/2014", "10/05/2014", "E11"]
    ]
    # C001's placement from June 2013 is still open in both years.
    for eps in (first, second):
        assert eps.loc[eps["DECOM"] == "15/06/2013", "DEC"].tolist() == [""]


def test_episodes_do_not_overlap_within_a_year(tmp_path: Path) -> None:
    eps = _write_903(2014, tmp_path)["Episodes"]
    start = pd.to_datetime(eps["DECOM"], format="%d/%m/%Y")
    end = pd.to_datetime(eps["DEC"].replace("", None), format="%d/%m/%Y").fillna(
        pd.Timestamp("2014-03-31")
    )
    frame = pd.DataFrame({"child": eps["CHILD"], "start": start, "end": end}).sort_values(
        ["child", "start"]
    )
    next_start = frame.groupby("child")["start"].shift(-1)
    assert (next_start.isna() | (frame["end"] <= next_start)).all()


def test_temporary_placements_have_no_provider(tmp_path: Path) -> None:
    eps = _write_903(2014, tmp_path)["Episodes"]
    temporary = eps["PLACE"].isin(outcomes.TEMPORARY_PLACEMENTS)
    assert temporary.any()
    assert (eps.loc[temporary, "PLACE_PROVIDER"] == "").all()
    assert (eps.loc[~temporary, "PLACE_PROVIDER"] != "").all()


def test_ssda903_layout_follows_the_year() -> None:
    assert "URN" not in ssda903_columns(2014)["Episodes"]
    assert "REASON_PLACE_CHANGE" not in ssda903_columns(2015)["Episodes"]
    assert ssda903_columns(2015)["Episodes"][-1] == "URN"
    assert "SDQ_REASON" not in ssda903_columns(2015)["OC2"]
    # From 2015-16 on, the layout is the one Data to Insight's validator expects.
    assert ssda903_columns(2016)["Episodes"] == [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ]  # fmt: skip
    assert ssda903_columns(2016)["OC2"][2:4] == ["SDQ_SCORE", "SDQ_REASON"]


def test_header_codes(tmp_path: Path) -> None:
    header = _write_903(2014, tmp_path)["Header"].set_index("CHILD")
    assert header.loc["C001", "SEX"] == "1"
    assert header.loc["C002", "SEX"] == "2"
    assert header.loc["C002", "UPN"] == "UN1"  # no UPN, under school age
    assert header.loc["C002", "MOTHER"] == "0"  # completed for every girl
    assert header.loc["C001", "MOTHER"] == ""


def test_sex_codes_follow_the_year(tmp_path: Path) -> None:
    header = _write_903(2025, tmp_path)["Header"].set_index("CHILD")
    assert header.loc["C001", "SEX"] == "M"
    assert header.loc["C001", "MOTHER"] == ""


def test_oc3_ages_follow_the_year() -> None:
    assert outcomes.by_year(outcomes.OC3_AGES, 2016) == (19, 20, 21)
    assert outcomes.by_year(outcomes.OC3_AGES, 2017) == (17, 18, 19, 20, 21)


def test_ssda903_is_byte_identical(tmp_path: Path) -> None:
    _write_903(2014, tmp_path / "a", seed=3)
    _write_903(2014, tmp_path / "b", seed=3)
    for name in ssda903_files(2014).values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# -- CIN census ----------------------------------------------------------------------------


def _write_cin(year: int, out: Path) -> Path:
    return write_cin_census(fx.social_care(), fx.children(), CONFIG, year, out)


def test_cin_census_parses_with_expected_content(tmp_path: Path) -> None:
    root = DET.parse(_write_cin(2014, tmp_path / "cin.xml")).getroot()
    assert root.tag == "Message"
    assert root.findtext("Header/CollectionDetails/Year") == "2014"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2014-03-31"
    assert root.findtext("Header/Source/LEA") == "330"
    kids = root.findall("Children/Child")
    assert [k.findtext("ChildIdentifiers/LAchildID") for k in kids] == ["C001", "C002", "C004"]
    assert len(root.findall("Children/Child/CINdetails")) == 4
    c004 = kids[2]
    closed, current = c004.findall("CINdetails")
    assert closed.findtext("CINclosureDate") == "2013-05-01"
    assert closed.findtext("ReasonForClosure") == "RC8"
    assert current.find("CINclosureDate") is None
    plan = current.find("ChildProtectionPlans")
    assert plan is not None
    assert plan.findtext("CPPstartDate") == "2013-11-01"
    assert plan.find("CPPendDate") is None  # ends after 31 March
    assert [r.text for r in plan.findall("Reviews/CPPreviewDate")] == ["2014-01-30"]
    assert current.findtext("Section47/DateOfInitialCPC") == "2013-11-01"
    assert current.find("DateOfInitialCPC") is None
    assert current.findtext("CINPlanDates/CINPlanEndDate") == "2013-11-01"
    assert c004.findtext("ChildIdentifiers/GenderCurrent") == "2"


def test_cin_layout_follows_the_year(tmp_path: Path) -> None:
    old = DET.parse(_write_cin(2014, tmp_path / "2014.xml")).getroot()
    assert old.find(".//FactorsIdentifiedAtAssessment") is None
    factors = DET.parse(_write_cin(2015, tmp_path / "2015.xml")).getroot()
    # 2015's census holds only C004's CP plan into 2014-15; its assessment was in 2013-14.
    assert factors.findtext(".//ChildProtectionPlans/CPPendDate") == "2014-06-01"
    recent = DET.parse(_write_cin(2025, tmp_path / "2025.xml")).getroot()
    assert recent.find(".//GenderCurrent") is None
    for kid in recent.findall("Children/Child"):
        assert kid.findtext("ChildIdentifiers/Sex") in {"M", "F"}


def test_cin_factors_written_from_2015(tmp_path: Path) -> None:
    sc = fx.social_care()
    sc.assessments["start_date"] += pd.DateOffset(years=1)
    sc.assessments["authorised_date"] += pd.DateOffset(years=1)
    out = write_cin_census(sc, fx.children(), CONFIG, 2015, tmp_path / "cin.xml")
    codes = [e.text for e in DET.parse(out).getroot().iter("AssessmentFactors")]
    assert sorted(codes) == ["1C", "2B", "3A"]


def test_cin_census_is_byte_identical(tmp_path: Path) -> None:
    first = _write_cin(2014, tmp_path / "a.xml").read_bytes()
    second = _write_cin(2014, tmp_path / "b.xml").read_bytes()
    assert first == second


# -- Annex A -------------------------------------------------------------------------------

EXPECTED_ANNEX_A_2014 = [3, 1, 2, 2, 1, 4, 1, 2, 1, 1, 0]


def _write_annex(year: int, out: Path) -> Path:
    return write_annex_a(
        fx.social_care(), fx.children(), fx.workforce().allocations, CONFIG, year, out
    )


def test_annex_a_sheets_headings_and_counts(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(_write_annex(2014, tmp_path / "annex_a.xlsx"), read_only=True)
    assert workbook.sheetnames == list(annex_a_sheets(2014))
    for sheet, expected in zip(workbook.worksheets, EXPECTED_ANNEX_A_2014, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == annex_a_sheets(2014)[sheet.title]
        assert len(rows) - 1 == expected, sheet.title
    contacts = list(workbook["List 1 - Contacts"].iter_rows(values_only=True))
    assert contacts[0][:7] == (
        "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Date of Contact", "Contact Source",
    )  # fmt: skip
    in_care = list(workbook["List 8 - Children in Care"].iter_rows(values_only=True))
    header = in_care[0]
    c001 = next(r for r in in_care[1:] if r[0] == "C001")
    assert c001[header.index("Placement Type")] == "d) U4: Foster placement - long term"
    assert c001[header.index("Allocated Worker")] == "101"
    workbook.close()


def test_annex_a_is_byte_identical(tmp_path: Path) -> None:
    first = _write_annex(2014, tmp_path / "a.xlsx").read_bytes()
    second = _write_annex(2014, tmp_path / "b.xlsx").read_bytes()
    assert first == second
