"""Reading the synthetic city's returns back: every year, every return, no structural failures."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from turnaround.returns import canonical
from turnaround.returns.model import FILE_COLUMN, LOCATION_COLUMNS, ROW_COLUMN, Failure, ReturnData
from turnaround.returns.read import read_returns
from turnaround.returns.read.ssda903_csv import table_from_name
from turnaround.returns.schema import schema_for
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

# What the synthetic city writes that the DfE code lists do not have (reported to the lead):
# CIN disability 'AUTI' (the census code is 'AUT'), assessment factor '8A' (lists run 8B-8F),
# and placements H5, P2 and Z1, which leave the SSDA903 list in 2025-26.
KNOWN_SYNTH_DEVIATIONS: set[tuple[str, str, str]] = set()


@pytest.fixture(scope="session")
def city_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small city's returns for 2009-10 to 2013-14 and 2022-23 to 2025-26."""
    root = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2000, seed=3), root / "early")
    generate_city(SynthConfig(children=2000, seed=3, end_year=2026, years=4), root / "late")
    return root


@pytest.fixture(scope="session")
def all_returns(city_returns: Path) -> list[ReturnData]:
    return read_returns([city_returns / "early" / "returns", city_returns / "late" / "returns"])


def _unexpected(data: ReturnData) -> list[Failure]:
    out = []
    for f in data.failures:
        if f.rule == "S-YEAR":  # how the year was read: checked below
            continue
        value = f.message.split("'")[1] if "'" in f.message else ""
        if (f.rule, f.field, value) in KNOWN_SYNTH_DEVIATIONS:
            continue
        out.append(f)
    return out


def test_every_return_of_every_year_reads_back_clean(all_returns: list[ReturnData]) -> None:
    seen = Counter((r.kind, r.year) for r in all_returns)
    years = [*range(2010, 2015), *range(2023, 2027)]
    assert seen == Counter({(k, y): 1 for k in ("ssda903", "cin", "annex_a") for y in years})
    for data in all_returns:
        assert _unexpected(data) == [], (data.kind, data.year, _unexpected(data)[:3])
        (year,) = [f.message for f in data.failures if f.rule == "S-YEAR"]
        assert year.startswith(f"collection year {data.year - 1}-{data.year % 100:02d} from ")


def test_row_counts_match_the_files(all_returns: list[ReturnData], city_returns: Path) -> None:
    for data in all_returns:
        if data.kind != "ssda903":
            continue
        folder = data.sources[0].parent
        for path in folder.glob("*.csv"):
            lines = path.read_text(encoding="utf-8").splitlines()
            table = schema_for("ssda903", data.year).tables[str(table_from_name(path))].canonical
            assert len(data.tables[table]) == len(lines) - 1, (data.year, table)


def test_cin_counts_match_the_xml(all_returns: list[ReturnData]) -> None:
    for data in all_returns:
        if data.kind != "cin":
            continue
        text = data.sources[0].read_text(encoding="utf-8")
        assert len(data.tables["children"]) == text.count("<Child>")
        assert len(data.tables["episodes"]) == text.count("<CINdetails>")
        assert len(data.tables["cp_reviews"]) == text.count("<CPPreviewDate>")
        assert len(data.tables["assessment_factors"]) == text.count("<AssessmentFactors>")


def test_tables_are_canonical(all_returns: list[ReturnData]) -> None:
    for data in all_returns:
        spec = canonical.SPECS[data.kind]
        layout = {t.canonical for t in schema_for(data.kind, data.year).tables.values()}
        if data.kind == "cin":
            # every CIN file gives the pre-proceedings table, empty before 2026-27 (cin_blocks)
            layout |= {"pre_proceedings"}
        assert set(data.tables) == layout and layout <= set(spec)
        for name, frame in data.tables.items():
            assert list(frame.columns)[: len(spec[name])] == list(spec[name]), (data.kind, name)
            assert {FILE_COLUMN, ROW_COLUMN} <= set(frame.columns)
            for column, col_type in spec[name].items():
                dtype = frame[column].dtype
                if col_type == "date":
                    assert pd.api.types.is_datetime64_any_dtype(dtype), (name, column)
                elif col_type == "int":
                    assert str(dtype) == "Int64", (name, column, dtype)
                elif col_type == "bool":
                    assert str(dtype) == "boolean", (name, column, dtype)
                else:
                    assert str(dtype) == "string", (name, column, dtype)


def test_sex_is_normalised_whatever_the_year(all_returns: list[ReturnData]) -> None:
    for data in all_returns:
        if data.kind == "ssda903":
            assert set(data.tables["header"]["sex"].dropna()) <= {"M", "F", "U"}
        if data.kind == "cin":
            assert set(data.tables["children"]["sex"].dropna()) <= {"M", "F", "U"}


def test_cin_child_tables_join_to_their_parents(all_returns: list[ReturnData]) -> None:
    data = next(r for r in all_returns if r.kind == "cin" and r.year == 2026)
    episodes = data.tables["episodes"][["child_id", "episode"]]
    for name in ("assessments", "cin_plans", "s47", "cp_plans"):
        joined = data.tables[name].merge(
            episodes, on=["child_id", "episode"], how="left", indicator=True
        )
        assert (joined["_merge"] == "both").all(), name


def test_rows_point_at_file_lines(all_returns: list[ReturnData]) -> None:
    data = next(r for r in all_returns if r.kind == "ssda903" and r.year == 2014)
    episodes = data.tables["episodes"]
    path = data.sources[0].parent / "episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = episodes.iloc[-1]
    assert lines[int(row[ROW_COLUMN]) - 1].startswith(str(row["child"]) + ",")


def test_year_is_detected_from_dates_when_no_name_says_it(
    city_returns: Path, tmp_path: Path
) -> None:
    target = tmp_path / "upload"
    shutil.copytree(city_returns / "early" / "returns" / "ssda903" / "2013", target)
    (data,) = read_returns([target])
    assert data.year == 2013


def test_ssda903_xml_reads_like_the_csv(all_returns: list[ReturnData], tmp_path: Path) -> None:
    csv_data = next(r for r in all_returns if r.kind == "ssda903" and r.year == 2014)
    path = tmp_path / "ssda903_2014.xml"
    path.write_text(_as_xml(csv_data), encoding="utf-8")
    (xml_data,) = read_returns([path])
    assert xml_data.kind == "ssda903" and xml_data.year == 2014
    assert [f.rule for f in xml_data.failures] == ["S-YEAR"]
    for name in ("header", "episodes", "reviews", "missing", "oc2", "prev_perm"):
        a = csv_data.tables[name].drop(columns=list(LOCATION_COLUMNS))
        b = xml_data.tables[name].drop(columns=list(LOCATION_COLUMNS))
        key = [c for c in a.columns if a[c].notna().any()]
        a = a.sort_values(key, ignore_index=True)
        b = b.sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=name)


def _as_xml(data: ReturnData) -> str:
    """The DfE XML form of an SSDA903 return (PL for PLACE, CHILDID for CHILD)."""

    def fmt(value: object) -> str:
        if value is None or pd.isna(value):  # type: ignore[call-overload]
            return ""
        if isinstance(value, pd.Timestamp):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)

    def leaves(record: dict[str, object], skip: set[str]) -> str:
        out = []
        for key, value in record.items():
            if key.startswith("_") or key in skip:
                continue
            text = fmt(value)
            if text:
                tag = {"child": "CHILDID", "place": "PL"}.get(key, key.upper())
                out.append(f"<{tag}>{text}</{tag}>")
        return "".join(out)

    t = data.tables
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<EXPSSDA903>\n']
    blocks = {
        "reviews": "AREVIEW",
        "missing": "AMISSING",
        "oc2": "OC2",
        "prev_perm": "PERMANENCE",
        "placed_adoption": "AD_PLACED",
    }
    for header in t["header"].to_dict("records"):
        child = header["child"]
        raw_sex = {"M": "1", "F": "2"}[str(header["sex"])]
        parts.append("<CHILD><HEADER>")
        parts.append(leaves({**{str(k): v for k, v in header.items()}, "sex": raw_sex}, set()))
        for name, tag in blocks.items():
            for rec in t[name].loc[t[name]["child"] == child].to_dict("records"):
                parts.append(f"<{tag}>{leaves(rec, {'child', 'dob'})}</{tag}>")
        parts.append("</HEADER>")
        for rec in t["episodes"].loc[t["episodes"]["child"] == child].to_dict("records"):
            parts.append(f"<EPISODE>{leaves(rec, {'child'})}</EPISODE>")
        parts.append("</CHILD>\n")
    parts.append("</EXPSSDA903>\n")
    return "".join(parts)
