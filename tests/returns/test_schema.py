"""Schemas are data: a base year plus each later year's changes."""

from __future__ import annotations

import pytest

from turnaround.errors import ConfigError
from turnaround.returns import canonical
from turnaround.returns.schema import (
    BASE_YEAR,
    KINDS,
    LATEST_YEAR,
    schema_for,
    years_with_changes,
)


def test_latest_year_is_the_newest_schema_file() -> None:
    newest = max(max(years_with_changes(kind)) for kind in KINDS)
    assert LATEST_YEAR == newest == 2027  # pre-proceedings (CIN) and DoLo (SSDA903)
    schema_for("annex_a", LATEST_YEAR)  # a return with no file that year is still described
    with pytest.raises(ConfigError, match=f"years 2000-{LATEST_YEAR} are described"):
        schema_for("cin", LATEST_YEAR + 1)


@pytest.mark.parametrize("kind", ["ssda903", "cin"])
@pytest.mark.parametrize("year", range(BASE_YEAR, LATEST_YEAR + 1))
def test_canonical_names_cover_the_schema(kind: str, year: int) -> None:
    spec = canonical.SPECS[kind]
    for table in schema_for(kind, year).tables.values():
        assert table.canonical in spec
        for column in table.columns:
            assert spec[table.canonical][column.canonical] == column.type, (table.name, column)


def test_years_are_written_as_changes() -> None:
    years = years_with_changes("ssda903")
    assert years[0] == BASE_YEAR and len(years) < LATEST_YEAR - BASE_YEAR
    assert 2019 not in years  # a year that changed nothing has no file


def test_sex_coding_changes_in_2024_25() -> None:
    assert schema_for("ssda903", 2024).codes["sex"] == {"1", "2"}
    assert schema_for("ssda903", 2025).codes["sex"] == {"M", "F", "U"}
    assert schema_for("cin", 2024).table("children").column("sex").element == "GenderCurrent"
    assert schema_for("cin", 2025).table("children").column("sex").element == "Sex"


def test_sw_episodes_required_from_2023_24() -> None:
    assert not schema_for("ssda903", 2023).tables["SWEpisodes"].required
    assert schema_for("ssda903", 2024).tables["SWEpisodes"].required


def test_code_lists_change_by_year() -> None:
    assert "F3" in schema_for("ssda903", 2017).codes["activ"]
    assert {"F4", "F5"} <= schema_for("ssda903", 2018).codes["activ"] - {"F3"}
    assert "URN" not in schema_for("ssda903", 2014).tables["Episodes"].column_names
    assert "URN" in schema_for("ssda903", 2015).tables["Episodes"].column_names
    assert "Z11" in schema_for("ssda903", 2026).codes["place"]


def test_years_before_the_base_use_it_and_others_are_refused() -> None:
    assert schema_for("cin", 2010).year == BASE_YEAR
    with pytest.raises(ConfigError, match="no ssda903 schema for collection year 2040"):
        schema_for("ssda903", 2040)
    with pytest.raises(ConfigError, match="unknown return kind"):
        schema_for("s251", 2014)


def test_annex_a_lists_one_to_eleven_with_their_headings() -> None:
    schema = schema_for("annex_a", 2014)
    assert [t.sheet for t in schema.tables.values()][:2] == [
        "List 1 - Contacts",
        "List 2 - Early Help",
    ]
    assert len(schema.tables) == 11
    contacts = schema.tables["list1_contacts"]
    assert [c.heading for c in contacts.columns][-2:] == ["Date of Contact", "Contact Source"]
    assert set(canonical.ANNEX_A) == set(schema.tables)
    assert canonical.ANNEX_A["list1_contacts"]["dob"] == "date"
