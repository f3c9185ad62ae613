"""Annex A workbooks as the sector writes them: tolerant of structure, strict about content.

Each case is a small hostile variant of a well-formed 2020-21 workbook, written here with
openpyxl: headings renamed, in other cases or spaced, fractional ages, a missing optional
column, missing required columns across sheets, an extra column, a missing or empty sheet.
Social Finance's LIIA sample workbook (an older template) is pinned at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.acting import admin
from turnaround.errors import InputError, ValidationFailed
from turnaround.returns.load import load_returns
from turnaround.returns.read import read_returns
from turnaround.returns.schema import aliases_for, normal_name, schema_for
from turnaround.store import open_store

THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"
LIIA = THIRDPARTY / "liia_annexa" / "Annex_A.xlsx"
AGE = "Age of Child (Years)"
ASSESSED = "Was the child assessed as requiring LA children's social care support?"


@dataclass
class Sheet:
    """One list as it will be written: sheet name, headings and rows."""

    name: str
    headings: list[str]
    rows: list[list[Any]]

    def drop(self, heading: str) -> None:
        at = self.headings.index(heading)
        del self.headings[at]
        for row in self.rows:
            del row[at]

    def rename(self, heading: str, new: str) -> None:
        self.headings[self.headings.index(heading)] = new

    def add(self, heading: str, values: list[Any]) -> None:
        self.headings.append(heading)
        for row, value in zip(self.rows, values, strict=True):
            row.append(value)

    def set(self, heading: str, values: list[Any]) -> None:
        at = self.headings.index(heading)
        for row, value in zip(self.rows, values, strict=True):
            row[at] = value


def _value(canonical: str, col_type: str, n: int) -> Any:
    if canonical == "child_id":
        return f"C{n}"
    if canonical in ("individual_adopter_identifier", "family_identifier"):
        return f"{canonical[0].upper()}{n}"
    if col_type == "date":
        return datetime(2012, 1, n) if canonical == "dob" else datetime(2020, 6, n)
    if col_type == "int":
        return 8 if canonical == "age" else n
    return "a) Yes" if col_type == "bool" else "text"


def _ns(rows: int) -> range:
    return range(1, rows + 1)


def _book(rows: int = 2) -> dict[str, Sheet]:
    """A well-formed 2020-21 workbook: every list with its template headings and ``rows`` rows."""
    schema = schema_for("annex_a", 2021)
    return {
        table.canonical: Sheet(
            name=str(table.sheet),
            headings=[str(c.heading) for c in table.columns],
            rows=[[_value(c.canonical, c.type, n) for c in table.columns] for n in _ns(rows)],
        )
        for table in schema.tables.values()
    }


def _write(book: dict[str, Sheet], path: Path) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in book.values():
        target = workbook.create_sheet(sheet.name)
        target.append(sheet.headings)
        for row in sheet.rows:
            target.append(row)
    workbook.save(path)
    return path


def _read(book: dict[str, Sheet], tmp_path: Path, **kwargs: Any):
    (data,) = read_returns([_write(book, tmp_path / "annex_a.xlsx")], **kwargs)
    return data


def _found(data) -> list:
    """What reading found, less the S-YEAR query every return carries (tested above)."""
    return [f for f in data.failures if f.rule != "S-YEAR"]


def _refusal(book: dict[str, Sheet], tmp_path: Path) -> str:
    with pytest.raises(InputError) as caught:
        _read(book, tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def _rules(data, rule: str) -> list:
    return [f for f in data.failures if f.rule == rule]


def test_a_well_formed_workbook_reads_clean_with_its_year_from_its_dates(tmp_path: Path) -> None:
    data = _read(_book(), tmp_path)
    assert data.kind == "annex_a" and data.year == 2021  # dates in June 2020: 2020-21
    assert {name: len(frame) for name, frame in data.tables.items()} == dict.fromkeys(_book(), 2)
    assert [(f.rule, f.message) for f in data.failures] == [
        ("S-YEAR", "collection year 2020-21 from 90 of 90 dates (all but dates of birth); "
         "no year in the names"),
    ]  # fmt: skip
    assert data.extras == {}
    contacts = data.tables["list1_contacts"]
    assert list(contacts["child_id"]) == ["C1", "C2"] and list(contacts["age"]) == [8, 8]
    assert list(contacts["_row"]) == [2, 3]


def test_year_given_overrides_the_dates(tmp_path: Path) -> None:
    assert _read(_book(), tmp_path, year=2019).year == 2019


def test_renamed_headings_are_read_by_alias(tmp_path: Path) -> None:
    book = _book()
    book["list1_contacts"].rename(AGE, "Age")
    book["list1_contacts"].rename("Child Unique ID", "Child ID")
    book["list1_contacts"].rename("Date of Birth", "DOB")
    book["list3_referrals"].rename("Date of referral", "Referral Date")
    data = _read(book, tmp_path)
    assert _found(data) == []
    contacts = data.tables["list1_contacts"]
    assert list(contacts["child_id"]) == ["C1", "C2"] and list(contacts["age"]) == [8, 8]
    assert str(contacts["dob"].iloc[1].date()) == "2012-01-02"
    assert str(data.tables["list3_referrals"]["date_of_referral"].iloc[0].date()) == "2020-06-01"


def test_headings_in_any_case_and_with_stray_spaces(tmp_path: Path) -> None:
    book = _book()
    sheet = book["list7_child_protection"]
    sheet.rename("Child Unique ID", "  child unique id ")
    sheet.rename("Child Protection Plan Start Date", "CHILD  PROTECTION PLAN START DATE")
    sheet.rename("Was the Child Seen Alone?", "was the child seen alone")
    data = _read(book, tmp_path)
    assert _found(data) == []
    plans = data.tables["list7_child_protection"]
    assert list(plans["child_id"]) == ["C1", "C2"] and list(plans["seen_alone"]) == [True, True]
    assert str(plans["child_protection_plan_start_date"].iloc[1].date()) == "2020-06-02"


def test_fractional_ages_are_floored_with_one_query_saying_how_many(tmp_path: Path) -> None:
    book = _book(rows=4)
    book["list3_referrals"].set(AGE, [7.5, 7.99, 8, "6.25"])
    data = _read(book, tmp_path)
    assert list(data.tables["list3_referrals"]["age"]) == [7, 7, 8, 6]
    (note,) = _rules(data, "S-AGE")
    assert note.severity == "query" and note.table == "list3_referrals" and note.field == AGE
    assert note.row is None and "3 of 4 ages" in note.message and "rounded down" in note.message
    assert not [f for f in data.failures if f.severity == "error"]


def test_a_fraction_in_any_other_whole_number_is_still_an_error(tmp_path: Path) -> None:
    book = _book()
    book["list3_referrals"].set("Number of Referrals in Last 12 Months", [1, 2.5])
    data = _read(book, tmp_path)
    (error,) = [f for f in data.failures if f.severity == "error"]
    assert (error.rule, error.row, error.child_id) == ("S-TYPE", 3, "C2")
    assert error.field == "Number of Referrals in Last 12 Months"
    assert "'2.5' is not a whole number" in error.message


def test_a_missing_optional_column_is_read_as_blank_with_a_query(tmp_path: Path) -> None:
    book = _book()
    book["list3_referrals"].drop("Allocated Worker")
    book["list3_referrals"].drop("Referral Source")
    data = _read(book, tmp_path)
    (note,) = _rules(data, "S-COLUMN")
    assert note.severity == "query" and note.table == "list3_referrals"
    assert "'Referral Source', 'Allocated Worker'" in note.message
    assert "'List 3 - Referrals'" in note.message and "read as blank" in note.message
    referrals = data.tables["list3_referrals"]
    assert referrals["allocated_worker"].isna().all() and len(referrals) == 2


def test_missing_required_columns_and_sheets_are_all_refused_together(tmp_path: Path) -> None:
    book = _book()
    book["list1_contacts"].drop("Child Unique ID")
    book["list7_child_protection"].drop("Child Unique ID")
    book["list9_care_leavers"].drop("Activity Status")  # optional: not a refusal
    book["list11_adopters"].drop("Individual adopter identifier")
    del book["list5_section47"]
    message = _refusal(book, tmp_path)
    assert message.startswith("annex_a.xlsx: 4 problems: ")
    assert "no sheet 'List 5 - Section 47'" in message
    assert "sheet 'List 1 - Contacts': no column 'Child Unique ID'" in message
    assert "sheet 'List 7 - Child Protection': no column 'Child Unique ID'" in message
    assert "sheet 'List 11 - Adopters': no column 'Individual adopter identifier'" in message
    assert "Activity Status" not in message


def test_a_missing_sheet_alone_is_named(tmp_path: Path) -> None:
    book = _book()
    del book["list8_children_in_care"]
    message = _refusal(book, tmp_path)
    assert message.startswith("annex_a.xlsx: no sheet 'List 8 - Children in Care' (")
    assert "List 7 - Child Protection" in message  # what the workbook has instead


def test_a_heading_twice_is_refused(tmp_path: Path) -> None:
    book = _book()
    book["list2_early_help"].add("Age", [8, 8])
    message = _refusal(book, tmp_path)
    assert "sheet 'List 2 - Early Help': columns 'Age of Child (Years)' and 'Age'" in message


def test_extra_columns_are_kept_aside_and_queried_never_refused(tmp_path: Path) -> None:
    book = _book()
    book["list2_early_help"].add("LA", ["E08000025", "E08000025"])
    book["list2_early_help"].add("Notes", ["first", None])
    data = _read(book, tmp_path)
    (note,) = _rules(data, "S-COLUMN")
    assert note.severity == "query" and "'LA', 'Notes'" in note.message
    assert "kept aside" in note.message
    extra = data.extras["list2_early_help"]
    assert list(extra["LA"]) == ["E08000025", "E08000025"]
    assert extra["Notes"].iloc[0] == "first" and extra["Notes"].isna().iloc[1]
    assert list(extra["_row"]) == [2, 3] and set(extra["_file"]) == {"annex_a.xlsx"}
    assert len(data.tables["list2_early_help"]) == 2


def test_extra_columns_reach_the_store_beside_the_load(tmp_path: Path) -> None:
    book = _book()
    book["list2_early_help"].add("LA", ["E08000025", None])
    store = open_store(tmp_path / "w.duckdb")
    path = _write(book, tmp_path / "annex_a.xlsx")
    load_returns(store, [path], actor=admin(store))
    rows = store.fetchall(
        "select table_name, source_row, column_name, value from extra_columns order by 2"
    )
    assert rows == [("list2_early_help", 2, "LA", "E08000025")]


def test_an_empty_sheet_is_an_empty_list_with_a_query(tmp_path: Path) -> None:
    book = _book()
    book["list11_adopters"] = Sheet(name="List 11 - Adopters", headings=[], rows=[])
    data = _read(book, tmp_path)
    (note,) = _rules(data, "S-TABLE")
    assert note.severity == "query" and note.table == "list11_adopters"
    assert "'List 11 - Adopters' is empty" in note.message
    assert data.tables["list11_adopters"].empty


def test_sheet_names_match_on_their_list_number(tmp_path: Path) -> None:
    book = _book()
    book["list1_contacts"].name = "List 1"
    book["list10_adoption"].name = "list 10 adoption"
    data = _read(book, tmp_path)
    assert _found(data) == [] and len(data.tables["list10_adoption"]) == 2


def test_every_alias_names_a_column_of_its_list_and_none_is_ambiguous() -> None:
    schema = schema_for("annex_a", 2021)
    aliases = aliases_for("annex_a", 2021)
    assert aliases.columns, "annex_a/aliases.yaml gave no aliases"
    for name, table in schema.tables.items():
        headings: dict[str, str] = {}
        for column in table.columns:
            for key in {normal_name(column.name), normal_name(column.heading or "")}:
                assert headings.setdefault(key, column.name) == column.name, (name, key)
        for alias, target in aliases.columns.get(name, {}).items():
            assert target in table.column_names, (name, alias, target)
            assert headings.get(alias, target) == target, (name, alias)


def _rows_read(path: Path) -> dict[str, int]:
    """Rows below the headings with anything in them, per sheet, counted by openpyxl."""
    workbook = load_workbook(path, read_only=True)
    counts = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        counts[sheet.title] = sum(
            any(v is not None and str(v).strip() for v in row) for row in rows
        )
    workbook.close()
    return counts


needs_liia = pytest.mark.skipif(
    not LIIA.is_file(),
    reason=f"the third-party samples are not at {THIRDPARTY} (../shared/data/thirdparty)",
)
LIIA_ROWS = {
    "list1_contacts": 5,
    "list2_early_help": 5,
    "list3_referrals": 6,
    "list4_assessments": 5,
    "list5_section47": 5,
    "list6_children_in_need": 5,
    "list7_child_protection": 7,
    "list8_children_in_care": 5,
    "list9_care_leavers": 6,
    "list10_adoption": 5,
    "list11_adopters": 5,
}


@needs_liia
def test_liia_workbook_reads_as_2020_21_with_its_genuine_errors() -> None:
    counted = _rows_read(LIIA)
    assert counted == {f"List {n}": rows for n, rows in enumerate(LIIA_ROWS.values(), start=1)}
    (data,) = read_returns([LIIA])
    assert data.year == 2021
    assert {name: len(frame) for name, frame in data.tables.items()} == LIIA_ROWS
    errors = [f for f in data.failures if f.severity == "error"]
    # List 4 answers 'CS Assessment Updated' where the template asks yes or no: all 5 rows.
    assert {(f.table, f.rule, f.field, f.row) for f in errors} == {
        ("list4_assessments", "S-TYPE", ASSESSED, row) for row in range(2, 7)
    }
    assert all("'CS Assessment Updated' is not a yes/no answer" in f.message for f in errors)
    # 'Age' (lists 1-9, fractional) is an alias; the older List 9 lacks four columns.
    assert {f.table for f in data.failures if f.rule == "S-AGE"} == set(list(LIIA_ROWS)[:9])
    (missing,) = [f for f in data.failures if f.rule == "S-COLUMN"]
    assert missing.table == "list9_care_leavers" and missing.severity == "query"
    for heading in ("Allocated Personal Advisor", "Latest Pathway Plan Review Date"):
        assert heading in missing.message
    assert list(data.tables["list1_contacts"]["age"]) == [6, 8, 11, 14, 15]
    assert data.extras == {}


@needs_liia
def test_liia_workbook_strict_refuses_and_lenient_quarantines_only_failing_rows(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValidationFailed) as caught:
        load_returns(store, [LIIA], actor=admin(store))
    assert "5 errors in 1 file(s); nothing was loaded" in str(caught.value)
    assert {f.field for f in caught.value.failures if f.severity == "error"} == {ASSESSED}
    assert store.scalar("select count(*) from annex_a_list4_assessments") == 0

    result = load_returns(store, [LIIA], actor=admin(store), mode="lenient")
    (loaded,) = result.loaded
    quarantined = dict(
        store.fetchall("select table_name, count(*) from quarantine group by table_name")
    )
    assert quarantined == {"list4_assessments": 5} and loaded.rows_quarantined == 5
    for table, read in LIIA_ROWS.items():
        assert loaded.rows_loaded[table] + quarantined.get(table, 0) == read, table
    children = {r[0] for r in store.fetchall("select child_id from quarantine")}
    assert children == {"10692868", "15221387", "12590177", "15765513", "12012513"}


def test_a_title_above_the_headings_is_passed_over(tmp_path: Path) -> None:
    book = _book()
    sheet = book["list6_children_in_need"]
    title = ["List 6: children in need (open cases)"] + [None] * (len(sheet.headings) - 1)
    sheet.rows = [list(sheet.headings), *sheet.rows]
    sheet.headings = title
    data = _read(book, tmp_path)
    assert _found(data) == [] and data.extras == {}
    assert list(data.tables["list6_children_in_need"]["_row"]) == [3, 4]
