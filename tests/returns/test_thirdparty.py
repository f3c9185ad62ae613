"""The front door on files we did not write: every third-party sample set, loaded leniently.

The sets in ``../shared/data/thirdparty`` come from Data to Insight's validators and
demand model and from Social Finance's LIIA tools (see that folder's README). For each set
this counts the records in the files itself (CSV data rows; XML record elements), independently
of the readers, and checks that every record read is either in the store or in quarantine, that
no quarantined record carries another child's id, and the pinned result: the collection year read,
whether a strict load accepts it, and the genuine errors by rule.
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.acting import admin
from turnaround.errors import ValidationFailed
from turnaround.returns.canonical import SPECS, store_table
from turnaround.returns.load import load_returns
from turnaround.returns.model import Failure
from turnaround.returns.schema import schema_for
from turnaround.store import Store, open_store

THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"
pytestmark = pytest.mark.skipif(
    not THIRDPARTY.is_dir(),
    reason=f"the third-party sample returns are not at {THIRDPARTY} (../shared/data/thirdparty)",
)

# Which canonical table a file's rows belong to, by its name: written here from the files'
# own names, not taken from the readers, so that a reader filing rows wrongly is caught.
_CSV_TABLES = {
    "header": "header", "episodes": "episodes", "reviews": "reviews", "uasc": "uasc",
    "oc2": "oc2", "oc3": "oc3", "ad1": "ad1", "placed_for_adoption": "placed_adoption",
    "previous_permanence": "prev_perm", "missing": "missing", "sw_episodes": "sw_episodes",
    "dolo": "dolo",
}  # fmt: skip
_CIN_TAGS = {
    "Child": "children", "Disability": "disabilities", "CINdetails": "episodes",
    "Assessments": "assessments", "AssessmentFactors": "assessment_factors",
    "CINPlanDates": "cin_plans", "Section47": "s47", "ChildProtectionPlans": "cp_plans",
    "CPPreviewDate": "cp_reviews", "PreProceedingsandFGDM": "pre_proceedings",
}  # fmt: skip
_903_XML_TAGS = {
    "HEADER": "header", "EPISODE": "episodes", "AREVIEW": "reviews", "AMISSING": "missing",
    "OC2": "oc2", "PERMANENCE": "prev_perm", "AD_PLACED": "placed_adoption",
    "SWEPISODE": "sw_episodes", "SW_EPISODE": "sw_episodes",
}  # fmt: skip
# Header fields whose presence gives the child a row in another table.
_903_XML_HEADER_FIELDS = {"DUC": "uasc", "IN_TOUCH": "oc3", "DATE_INT": "ad1"}


def count_csv(folder_or_file: Path) -> Counter[str]:
    """Data rows per canonical table in SSDA903 CSVs, blank lines not counted."""
    files = sorted(folder_or_file.glob("*.csv")) if folder_or_file.is_dir() else [folder_or_file]
    counts: Counter[str] = Counter()
    for path in files:
        stem = path.stem.lower()
        named = [name for name in _CSV_TABLES if name in stem]  # SSDA903_2020_episodes_clean
        table = _CSV_TABLES[max(named, key=len)] if named else None
        assert table is not None, f"the test does not know which table {path.name} is"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [r for r in csv.reader(handle) if any(v.strip() for v in r)]
        counts[table] += max(len(rows) - 1, 0)
    return counts


def count_cin(path: Path) -> Counter[str]:
    """Records per canonical table in a CIN census file, by element."""
    counts: Counter[str] = Counter()
    children = ET.parse(path).getroot().find("Children")
    for element in children.iter() if children is not None else []:
        table = _CIN_TAGS.get(element.tag)
        if table is not None:
            counts[table] += 1
    return counts


def count_903_xml(path: Path) -> Counter[str]:
    """Records per canonical table in an SSDA903 XML file, by element."""
    counts: Counter[str] = Counter()
    for element in ET.parse(path).getroot().iter():
        tag = element.tag.upper()
        if tag in _903_XML_TAGS:
            counts[_903_XML_TAGS[tag]] += 1
        elif tag in _903_XML_HEADER_FIELDS and (element.text or "").strip():
            counts[_903_XML_HEADER_FIELDS[tag]] += 1
    return counts


def count_annex_a(path: Path) -> Counter[str]:
    """Rows with anything in them below each list's heading row, by openpyxl."""
    tables = {int(name[4:].split("_")[0]): name for name in SPECS["annex_a"]}  # list4_... -> 4
    counts: Counter[str] = Counter()
    workbook = load_workbook(path, read_only=True)
    for sheet in workbook.worksheets:
        number = re.match(r"\s*list\s*(\d+)", sheet.title, re.IGNORECASE)
        assert number is not None, f"the test does not know which list {sheet.title!r} is"
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        counts[tables[int(number.group(1))]] += sum(
            any(v is not None and str(v).strip() for v in row) for row in rows
        )
    workbook.close()
    return counts


@dataclass(frozen=True)
class Sample:
    """One set as a council would load it, and what loading it must give."""

    name: str
    path: str  # under thirdparty/
    kind: str
    year: int  # the collection year it must be read as (the year of its 31 March)
    strict: bool  # a strict load accepts it: it has no genuine errors
    errors: dict[str, int] = field(default_factory=dict)  # error counts by rule, lenient load
    given_year: int | None = None  # --year, for a set whose name and dates clash

    @property
    def location(self) -> Path:
        return THIRDPARTY / self.path

    def records(self) -> Counter[str]:
        if self.kind == "annex_a":
            return count_annex_a(self.location)
        if self.kind == "cin":
            return count_cin(self.location)
        if self.location.suffix == ".xml":
            return count_903_xml(self.location)
        return count_csv(self.location)


# Each set's pinned result. Every set holds genuine errors (dummy 1970 dates, UPNs with a
# wrong check letter, episodes that overlap: each checked by hand against its file), so a
# strict load refuses every one; the hostile variants in test_csv_tolerance.py, test_years.py,
# test_annex_a.py and test_records.py include clean files that a strict load accepts.
SAMPLES: list[Sample] = [
    Sample(
        "d2icin:CIN2rows",
        "d2icin/CIN2rows.xml",
        "cin",
        2023,
        False,
        {"1104": 1, "1105": 2, "1510": 1, "2889": 1, "8867": 1, "8940": 1},
    ),
    Sample(
        "d2icin:CIN_Census_2021",
        "d2icin/CIN_Census_2021.xml",
        "cin",
        2023,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1, "S-DATE": 1},
    ),
    Sample(
        "d2icin:CIN_Census_2021_copy",
        "d2icin/CIN_Census_2021_copy.xml",
        "cin",
        2023,
        False,
        {"1104": 1, "1105": 1, "1510": 1, "2889": 1, "8867": 1},
    ),
    Sample(
        "d2icin:CIN_Census_2021_no_assessment_factors",
        "d2icin/CIN_Census_2021_no_assessment_factors.xml",
        "cin",
        2023,
        False,
        {"1104": 1, "1105": 1, "1510": 1, "2889": 1, "8867": 1},
    ),
    Sample(
        "d2icin:CIN_Census_2024",
        "d2icin/CIN_Census_2024.xml",
        "cin",
        2023,
        False,
        {
            "1103": 1,
            "1104": 1,
            "1105": 1,
            "1510": 1,
            "2889": 1,
            "8520": 1,
            "8608": 1,
            "S-CODE": 1,
            "S-REQUIRED": 2,
        },
    ),
    Sample(
        "d2icin:CIN_Census_2026",
        "d2icin/CIN_Census_2026.xml",
        "cin",
        2023,
        False,
        {
            "1103": 1,
            "1104": 1,
            "1105": 1,
            "1510": 1,
            "2889": 1,
            "8520": 1,
            "8608": 1,
            "S-CODE": 1,
            "S-REQUIRED": 2,
        },
    ),
    Sample(
        "d2icin:CIN_header_issues_100",
        "d2icin/CIN_header_issues_100.xml",
        "cin",
        2023,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1, "S-DATE": 1},
    ),
    Sample(
        "d2icin:CIN_la_issues_2887Q",
        "d2icin/CIN_la_issues_2887Q.xml",
        "cin",
        2023,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1, "S-DATE": 1},
    ),
    Sample(
        "d2icin:fake_CIN_data",
        "d2icin/fake_CIN_data.xml",
        "cin",
        2022,
        False,
        {"1510": 320, "2990": 28, "8520": 6, "8831": 350, "S-DUP": 5},
    ),
    Sample(
        "liia_cin:CIN_Census_2021",
        "liia_cin/CIN_Census_2021.xml",
        "cin",
        2023,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1, "S-DATE": 1, "S-TYPE": 1},
    ),
    Sample(
        "liia_cin:cin-20",
        "liia_cin/cin-20.xml",
        "cin",
        2023,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1},
    ),
    Sample(
        "liia_cin:cin-2021",
        "liia_cin/cin-2021.xml",
        "cin",
        2021,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1},
    ),
    Sample(
        "liia_cin:cin-2022",
        "liia_cin/cin-2022.xml",
        "cin",
        2022,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1},
    ),
    Sample(
        "liia_cin:cin-no-year",
        "liia_cin/cin-no-year.xml",
        "cin",
        2021,
        False,
        {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "2889": 1},
    ),
    Sample(
        "liia_903:SSDA903_2015_episodes",
        "liia_903/SSDA903_2015_episodes.csv",
        "ssda903",
        2020,
        False,
        {"388": 2, "432": 1, "433": 2, "435": 2, "437": 1, "501": 2},
        given_year=2020,
    ),
    Sample(
        "liia_903:SSDA903_2020_episodes",
        "liia_903/SSDA903_2020_episodes.csv",
        "ssda903",
        2020,
        False,
        {"388": 2, "432": 1, "433": 2, "435": 2, "437": 1, "501": 2},
    ),
    Sample(
        "liia_903:SSDA903_2020_episodes_clean",
        "liia_903/SSDA903_2020_episodes_clean.csv",
        "ssda903",
        2020,
        False,
        {"388": 2, "432": 1, "433": 2, "435": 2, "437": 1, "501": 2},
    ),
    Sample(
        "liia_903:SSDA903_202_episodes",
        "liia_903/SSDA903_202_episodes.csv",
        "ssda903",
        2019,
        False,
        {"142": 3, "357": 1, "388": 2, "432": 1, "433": 3, "435": 2, "437": 1},
    ),
    Sample(
        "liia_903:SSDA903_episodes_for_testing_fixes_INPUT",
        "liia_903/SSDA903_episodes_for_testing_fixes_INPUT.csv",
        "ssda903",
        2020,
        False,
        {"142": 3, "357": 2, "385": 2, "388": 3, "431": 1, "432": 1, "433": 6, "437": 1, "501": 4},
    ),
    Sample(
        "csdm_5yrs:2017",
        "csdm_5yrs/2017",
        "ssda903",
        2018,
        False,
        {
            "142": 6,
            "168": 791,
            "185": 218,
            "190": 445,
            "357": 4,
            "361": 103,
            "362": 100,
            "378": 2,
            "385": 2,
            "388": 16,
            "431": 9,
            "432": 6,
            "433": 15,
            "434": 20,
            "435": 87,
            "436": 9,
            "437": 3,
            "460": 11,
            "501": 17,
            "581": 2,
            "S-CODE": 37,
            "S-DUP": 1,
            "S-TYPE": 1,
        },
    ),
    Sample(
        "csdm_5yrs:2018",
        "csdm_5yrs/2018",
        "ssda903",
        2019,
        False,
        {
            "142": 1,
            "168": 555,
            "185": 197,
            "190": 403,
            "357": 1,
            "361": 76,
            "362": 85,
            "378": 9,
            "388": 4,
            "431": 2,
            "432": 2,
            "433": 5,
            "434": 17,
            "435": 46,
            "436": 4,
            "460": 10,
            "501": 5,
            "S-CODE": 34,
        },
    ),
    Sample(
        "csdm_5yrs:2019",
        "csdm_5yrs/2019",
        "ssda903",
        2020,
        False,
        {
            "168": 354,
            "185": 119,
            "190": 240,
            "361": 37,
            "362": 65,
            "378": 8,
            "385": 1,
            "388": 3,
            "431": 1,
            "432": 1,
            "433": 3,
            "434": 5,
            "435": 37,
            "436": 1,
            "460": 9,
            "501": 4,
            "S-CODE": 13,
        },
    ),
    Sample(
        "csdm_5yrs:2020",
        "csdm_5yrs/2020",
        "ssda903",
        2021,
        False,
        {
            "142": 2,
            "168": 219,
            "185": 66,
            "190": 150,
            "357": 1,
            "361": 24,
            "362": 41,
            "378": 4,
            "388": 3,
            "431": 3,
            "432": 1,
            "433": 2,
            "434": 4,
            "435": 27,
            "436": 2,
            "460": 5,
            "501": 3,
            "S-CODE": 9,
        },
    ),
    Sample(
        "csdm_5yrs:2021",
        "csdm_5yrs/2021",
        "ssda903",
        2022,
        False,
        {
            "168": 140,
            "185": 42,
            "190": 96,
            "361": 21,
            "362": 23,
            "378": 2,
            "388": 2,
            "432": 2,
            "433": 4,
            "434": 4,
            "435": 14,
            "460": 2,
            "501": 3,
            "S-CODE": 7,
        },
    ),
    Sample(
        "d2i903_fake",
        "d2i903_fake",
        "ssda903",
        2018,
        False,
        {
            "142": 10,
            "168": 2568,
            "185": 821,
            "190": 1654,
            "213": 912,
            "357": 8,
            "361": 365,
            "362": 334,
            "378": 13,
            "380": 399,
            "381": 210,
            "385": 12,
            "388": 25,
            "431": 58,
            "432": 7,
            "433": 12,
            "434": 58,
            "435": 7,
            "436": 5,
            "437": 7,
            "460": 31,
            "501": 62,
            "574": 1,
            "581": 4,
            "S-CODE": 44,
            "S-DUP": 2,
            "S-TYPE": 1,
        },
    ),
    Sample(
        "d2i903_xml:fake_903",
        "d2i903_xml/fake_903.xml",
        "ssda903",
        2018,
        False,
        {
            "168": 247,
            "185": 81,
            "190": 158,
            "213": 84,
            "361": 35,
            "362": 31,
            "378": 1,
            "380": 40,
            "381": 15,
            "385": 1,
            "388": 4,
            "431": 4,
            "432": 1,
            "433": 3,
            "434": 9,
            "435": 2,
            "460": 2,
            "501": 7,
            "581": 3,
            "S-CODE": 5,
        },
    ),
    Sample(
        "liia_annexa:Annex_A", "liia_annexa/Annex_A.xlsx", "annex_a", 2021, False, {"S-TYPE": 5}
    ),
]


def _stored(store: Store, kind: str, year: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for table in SPECS[kind]:
        name = store_table(kind, table)
        if store.table_exists(name):
            counts[table] += store.scalar(f"select count(*) from {name} where year = {year}")
    for table, n in store.fetchall(
        "select table_name, count(*) from quarantine where kind = ? and year = ? group by 1",
        [kind, year],
    ):
        counts[table] += n
    return counts


def _child_field(kind: str) -> str:
    return {"ssda903": "child", "cin": "child_id"}.get(kind, "child_id")


def _accounted(sample: Sample, stored: Counter[str], failures: list[Failure]) -> None:
    """Every record read is in the store or in quarantine; a whole table the year's layout has
    not got (DoLo.csv in a 2017-18 return) may instead be left out, if a query names it."""
    layout = {t.canonical for t in schema_for(sample.kind, sample.year).tables.values()}
    read = sample.records()
    for table in set(read) | set(stored):
        if read[table] == stored[table]:
            continue
        assert table not in layout, f"{table}: {read[table]} read, {stored[table]} accounted for"
        assert stored[table] == 0 and any(
            f.severity == "query" and f.table == table and f.rule.startswith("S-") for f in failures
        ), f"{read[table]} {table} records were neither loaded nor reported"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_a_lenient_load_accounts_for_every_record(sample: Sample, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    result = load_returns(
        store, [sample.location], actor=admin(store), mode="lenient", year=sample.given_year
    )
    assert [(r.kind, r.year) for r in result.loaded] == [(sample.kind, sample.year)]
    _accounted(sample, _stored(store, sample.kind, sample.year), result.report.failures)
    for child, record in store.fetchall("select child_id, record from quarantine"):
        held = json.loads(record).get(_child_field(sample.kind))
        assert held == child, "a quarantined record carries another child's id"
    errors = Counter(f.rule for f in result.report.errors)
    assert dict(errors) == sample.errors
    # the summary says exactly what the store holds
    (loaded,) = result.loaded
    held_rows = store.scalar(
        "select count(*) from quarantine where kind = ? and year = ?", [sample.kind, sample.year]
    )
    assert loaded.rows_quarantined == held_rows
    assert (
        sum(loaded.rows_loaded.values())
        == sum(_stored(store, sample.kind, sample.year).values()) - held_rows
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_a_strict_load_takes_exactly_the_sets_without_genuine_errors(
    sample: Sample, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "store.duckdb")
    assert sample.strict == (not sample.errors), "strict exactly when there are no errors"
    if sample.strict:
        result = load_returns(store, [sample.location], actor=admin(store),
                              year=sample.given_year)  # fmt: skip
        _accounted(sample, _stored(store, sample.kind, sample.year), result.report.failures)
        return
    with pytest.raises(ValidationFailed):
        load_returns(store, [sample.location], actor=admin(store), year=sample.given_year)
    assert store.scalar("select count(*) from loads") == 0
    assert sum(_stored(store, sample.kind, sample.year).values()) == 0


def test_five_years_in_one_batch_are_each_accounted_for(tmp_path: Path) -> None:
    """The demand model's five years loaded together: each year read, cross-year rules run."""
    samples = [s for s in SAMPLES if s.name.startswith("csdm_5yrs:")]
    store = open_store(tmp_path / "store.duckdb")
    result = load_returns(store, [THIRDPARTY / "csdm_5yrs"], actor=admin(store), mode="lenient")
    assert sorted(r.year for r in result.loaded) == [s.year for s in samples]
    for sample in samples:
        _accounted(sample, _stored(store, sample.kind, sample.year), result.report.failures)
    # Each year alone gives its pinned errors; together, last year's return is there for the
    # cross-year rules, which add exactly these (checked by hand on a sample of children).
    alone: Counter[str] = Counter()
    for sample in samples:
        alone.update(sample.errors)
    together = Counter(f.rule for f in result.report.errors)
    assert together - alone == Counter({"NoE": 261, "502": 10}) and not alone - together
