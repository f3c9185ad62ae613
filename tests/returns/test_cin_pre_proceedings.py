"""The CIN pre-proceedings and FGDM block (2026-27): read, stored, checked, and nothing lost.

Each case is a small census written into tmp_path, read by ``read_returns`` and, where it
matters, loaded into a real store.
"""
# ruff: noqa: E501  (the rule cases read best as one row each)

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.returns.load import load_returns, validate_returns
from turnaround.returns.model import Failure
from turnaround.returns.read import read_returns
from turnaround.store import open_store

THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"

# A block that breaks no rule in 2026-27 (1 April 2026 to 31 March 2027).
GOOD = {
    "PPStartDate": "2026-06-01",
    "LBPSentDate": "2026-06-10",
    "FGDMMeetingOffer": "1",
    "FGDMMeetingFac": "0",
    "InitialPPMeetingDate": "2026-06-20",
    "ReviewMeetingsCount": "2",
    "StepDecisionDate": "2026-09-01",
    "PPOutcome": "A",
    "CourtAppDate": "2026-09-15",
    "LetterInitCPDate": "2026-09-20",
}


def block(values: dict[str, str | None], extra: str = "") -> str:
    """A <PreProceedingsandFGDM> with the given leaves (None leaves the element out)."""
    leaves = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<PreProceedingsandFGDM>{leaves}{extra}</PreProceedingsandFGDM>"


def child(child_id: str, *details: str, extra: str = "") -> str:
    """A <Child> with one <CINdetails> per entry of ``details`` (inner XML after its dates).

    The episodes are referred ten days apart from 1 May 2026.
    """
    episodes = "".join(
        f"<CINdetails><CINreferralDate>2026-05-{1 + 10 * i:02d}</CINreferralDate>"
        "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
        f"<ReferralNFA>0</ReferralNFA>{inner}</CINdetails>"
        for i, inner in enumerate(details)
    )
    return (
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
        "<PersonBirthDate>2015-01-01</PersonBirthDate><Sex>M</Sex></ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
        f"{episodes}{extra}</Child>\n"
    )


def census(tmp_path: Path, *children: str, year: int = 2027, name: str = "cin.xml") -> Path:
    """A CIN census file whose header names collection year ``year``."""
    path = tmp_path / name
    path.write_text(
        "<Message><Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate>"
        "</CollectionDetails></Header>\n<Children>\n"
        + "".join(children)
        + "</Children></Message>\n",
        encoding="utf-8",
    )
    return path


def failures(path: Path) -> list[Failure]:
    return validate_returns([path]).failures


def by_rule(found: list[Failure], code: str) -> list[Failure]:
    return [f for f in found if f.rule == code]


def test_the_block_is_read_and_stored_numbered_by_episode(tmp_path: Path) -> None:
    second = dict(GOOD, PPOutcome="B", ReviewMeetingsCount="0")
    path = census(
        tmp_path,
        child("C1", block(GOOD) + block(second)),  # two blocks in one episode
        child(
            "C2",
            "<CINclosureDate>2026-05-05</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure>",
            block(dict(GOOD, FGDMMeetingOffer="false", FGDMMeetingFac=None)),
        ),
    )
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [path], actor=admin(store))
    assert result.loaded[0].rows_loaded["pre_proceedings"] == 3
    assert [f for f in result.report.failures if f.severity == "error"] == []
    rows = store.fetchall(
        "select child_id, episode, pre_proceedings, cast(start_date as varchar), "
        "cast(lbp_sent_date as varchar), fgdm_offered, fgdm_facilitated, "
        "cast(initial_meeting_date as varchar), review_meetings, "
        "cast(step_decision_date as varchar), outcome, cast(court_application_date as varchar), "
        "cast(letter_initiating_date as varchar), year, source_file "
        "from cin_pre_proceedings order by child_id, episode, pre_proceedings"
    )
    dates = ("2026-06-01", "2026-06-10")
    later = ("2026-06-20",)
    tail = ("2026-09-01",)
    assert rows == [
        ("C1", 1, 1, *dates, True, False, *later, 2, *tail, "A", "2026-09-15", "2026-09-20",
         2027, "cin.xml"),
        ("C1", 1, 2, *dates, True, False, *later, 0, *tail, "B", "2026-09-15", "2026-09-20",
         2027, "cin.xml"),
        ("C2", 2, 1, *dates, False, None, *later, 2, *tail, "A", "2026-09-15", "2026-09-20",
         2027, "cin.xml"),
    ]  # fmt: skip
    # No element of the block is reported as ignored.
    assert by_rule(result.report.failures, "S-ELEMENT") == []


def test_values_of_the_wrong_shape_are_errors_naming_the_element(tmp_path: Path) -> None:
    bad = dict(
        GOOD,
        PPStartDate="1 June 2026",
        FGDMMeetingOffer="maybe",
        ReviewMeetingsCount="-1",
    )
    found = failures(census(tmp_path, child("C1", block(bad))))
    shaped = {(f.rule, f.field, f.table) for f in found if f.rule.startswith("S-")}
    assert {
        ("S-DATE", "PPStartDate", "pre_proceedings"),
        ("S-TYPE", "FGDMMeetingOffer", "pre_proceedings"),
        ("S-RANGE", "ReviewMeetingsCount", "pre_proceedings"),
    } <= shaped
    assert by_rule(found, "S-TYPE")[0].message == "FGDMMeetingOffer 'maybe' is not a yes/no answer"
    words = dict(GOOD, ReviewMeetingsCount="three")
    assert by_rule(failures(census(tmp_path, child("C1", block(words)))), "S-TYPE")[0].field == (
        "ReviewMeetingsCount"
    )


def test_a_lenient_load_sets_aside_only_the_broken_block(tmp_path: Path) -> None:
    path = census(
        tmp_path,
        child("C1", block(dict(GOOD, ReviewMeetingsCount="three"))),
        child("C2", block(GOOD)),
    )
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [path], actor=admin(store), mode="lenient")
    assert result.loaded[0].rows_loaded["pre_proceedings"] == 1
    assert store.fetchall("select child_id from cin_pre_proceedings") == [("C2",)]
    assert store.fetchall(
        "select child_id, rules from quarantine where table_name = 'pre_proceedings'"
    ) == [("C1", "S-TYPE")]
    # The child's other records are not taken with it.
    assert store.fetchone("select count(*) from cin_episodes")[0] == 2


# Each rule: a block (or file) that breaks it, and one that does not.
OUT_OF_YEAR = "2027-04-01"
RULE_CASES: list[tuple[str, dict[str, str | None], dict[str, str | None]]] = [
    ("9000Q", dict(GOOD, PPStartDate=None), GOOD),
    ("9005", dict(GOOD, PPStartDate="2026-03-31"), dict(GOOD, PPStartDate="2026-04-01")),
    ("9005", dict(GOOD, PPStartDate=OUT_OF_YEAR, LBPSentDate=None, StepDecisionDate=None), GOOD),
    ("9006", dict(GOOD, LBPSentDate="2026-05-31"), dict(GOOD, LBPSentDate="2026-06-01")),
    ("9006", dict(GOOD, PPStartDate=None, LBPSentDate=OUT_OF_YEAR), dict(GOOD, PPStartDate=None)),
    ("9007", dict(GOOD, FGDMMeetingOffer=None), dict(GOOD, LBPSentDate=None, FGDMMeetingOffer=None)),
    ("9008", dict(GOOD, InitialPPMeetingDate=OUT_OF_YEAR), dict(GOOD, InitialPPMeetingDate="2027-03-31")),
    ("9009", dict(GOOD, StepDecisionDate="2026-05-31"), dict(GOOD, StepDecisionDate="2026-06-01")),
    ("9009", dict(GOOD, StepDecisionDate=OUT_OF_YEAR, CourtAppDate=None, LetterInitCPDate=None), GOOD),
    ("9010Q", dict(GOOD, FGDMMeetingFac=None), dict(GOOD, FGDMMeetingOffer="0", FGDMMeetingFac=None)),
    ("9011", dict(GOOD, PPOutcome="D"), dict(GOOD, PPOutcome=None)),
    ("9011", dict(GOOD, PPOutcome="0"), dict(GOOD, PPOutcome="c")),
    ("9012", dict(GOOD, CourtAppDate="2026-08-31"), dict(GOOD, CourtAppDate="2026-09-01")),
    ("9012", dict(GOOD, CourtAppDate=OUT_OF_YEAR, LetterInitCPDate=None), GOOD),
    ("9013", dict(GOOD, LetterInitCPDate="2026-09-14"), dict(GOOD, LetterInitCPDate="2026-09-15")),
    ("9013", dict(GOOD, LetterInitCPDate=OUT_OF_YEAR), GOOD),
    ("9015Q", dict(GOOD, ReviewMeetingsCount=None), dict(GOOD, InitialPPMeetingDate=None, ReviewMeetingsCount=None)),
]  # fmt: skip
CODES = {"8995Q", *(c for c, _, _ in RULE_CASES)}
"""Every pre-proceedings rule tested here (tests/returns/test_rules_cin.py counts them in)."""


@pytest.mark.parametrize(
    ("code", "bad", "good"), RULE_CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(RULE_CASES)]
)
def test_each_rule_fires_on_a_breaking_block_and_not_on_a_good_one(
    tmp_path: Path, code: str, bad: dict[str, str | None], good: dict[str, str | None]
) -> None:
    broken = by_rule(failures(census(tmp_path, child("C1", block(bad)), name="bad.xml")), code)
    assert [(f.child_id, f.table, f.row) for f in broken] == [("C1", "pre_proceedings", 3)]
    assert (
        by_rule(failures(census(tmp_path, child("C1", block(good)), name="good.xml")), code) == []
    )


def test_the_good_block_breaks_no_rule(tmp_path: Path) -> None:
    found = failures(census(tmp_path, child("C1", block(GOOD))))
    assert [f for f in found if f.table == "pre_proceedings"] == []


def test_no_block_for_any_child_is_one_query_for_the_whole_return(tmp_path: Path) -> None:
    found = by_rule(failures(census(tmp_path, child("C1", ""), child("C2", ""))), "8995Q")
    assert [(f.file, f.row, f.child_id, f.severity) for f in found] == [
        ("cin.xml", None, None, "query")
    ]
    assert (
        by_rule(failures(census(tmp_path, child("C1", ""), child("C2", block(GOOD)))), "8995Q")
        == []
    )


def test_an_older_file_keeps_its_blocks_with_a_query_and_no_rules(tmp_path: Path) -> None:
    # The header says 2022-23, as D2I's CIN_Census_2026.xml does; dates agree with that year.
    old = dict(GOOD, PPStartDate="2022-06-01", LBPSentDate="2022-06-10", PPOutcome="Z")
    path = tmp_path / "old.xml"
    path.write_text(
        census(tmp_path, child("C1", block(old)), year=2023, name="old.xml")
        .read_text(encoding="utf-8")
        .replace("2026-05-01", "2022-05-01")
        .replace("<Sex>M</Sex>", "<GenderCurrent>1</GenderCurrent>"),
        encoding="utf-8",
    )
    (data,) = read_returns([path])
    assert data.year == 2023
    assert data.tables["pre_proceedings"]["start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-06-01"
    ]
    layout = by_rule(data.failures, "S-LAYOUT")
    assert [(f.table, f.field, f.severity, f.row) for f in layout] == [
        ("pre_proceedings", "PreProceedingsandFGDM", "query", None)
    ]
    assert "2026-27 census layout, not the file's 2022-23" in layout[0].message
    assert by_rule(data.failures, "S-ELEMENT") == []
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [path], actor=admin(store))
    assert store.fetchall("select child_id, outcome, year from cin_pre_proceedings") == [
        ("C1", "Z", 2023)
    ]
    assert not any(f.rule in CODES for f in result.report.failures)  # the rules start in 2026-27


def test_an_older_file_without_the_block_has_an_empty_table_and_no_query(tmp_path: Path) -> None:
    path = census(tmp_path, child("C1", ""), year=2027)
    path.write_text(
        path.read_text(encoding="utf-8").replace("2027", "2023").replace("2026", "2022"),
        encoding="utf-8",
    )
    (data,) = read_returns([path])
    assert data.tables["pre_proceedings"].empty
    assert by_rule(data.failures, "S-LAYOUT") == []


def test_every_unknown_element_is_reported_leaf_or_container(tmp_path: Path) -> None:
    path = census(
        tmp_path,
        child(
            "C1",
            block(GOOD, extra="<PPNotes>x</PPNotes><PPExtra><Item>1</Item></PPExtra>")
            + "<PLOMeeting><When>2026-07-01</When></PLOMeeting>"
            + "<Assessments><AssessmentActualStartDate>2026-05-02</AssessmentActualStartDate>"
            "<FactorsIdentifiedAtAssessment/></Assessments>",
            extra="<Mystery><Inner>1</Inner></Mystery><LooseLeaf>1</LooseLeaf>",
        ).replace(
            "<Ethnicity>WBRI</Ethnicity>",
            "<Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability>"
            "<Stray>x</Stray></Disabilities><Other><Thing>1</Thing></Other>",
        ),
    )
    (data,) = read_returns([path])
    reported = {f.field for f in by_rule(data.failures, "S-ELEMENT")}
    assert reported == {
        "PPNotes",
        "PPExtra",
        "PLOMeeting",
        "Mystery",
        "LooseLeaf",
        "Stray",
        "Other",
    }
    assert all(f.severity == "query" for f in by_rule(data.failures, "S-ELEMENT"))
    # The block itself is still read, and an empty factors list is not an unknown element.
    assert len(data.tables["pre_proceedings"]) == 1


@pytest.mark.skipif(
    not (THIRDPARTY / "d2icin" / "CIN_Census_2026.xml").is_file(),
    reason=f"the third-party samples are not at {THIRDPARTY} (../shared/data/thirdparty)",
)
def test_data_to_insights_2026_sample_keeps_its_block(tmp_path: Path) -> None:
    path = THIRDPARTY / "d2icin" / "CIN_Census_2026.xml"
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [path], actor=admin(store), mode="lenient")
    (loaded,) = result.loaded
    assert (loaded.year, loaded.rows_loaded["pre_proceedings"]) == (2023, 1)
    assert store.fetchall(
        "select child_id, episode, cast(start_date as varchar), fgdm_offered, fgdm_facilitated, "
        "review_meetings, outcome, cast(letter_initiating_date as varchar) "
        "from cin_pre_proceedings"
    ) == [("DfEX0000001", 1, "2026-09-09", True, True, 3, "A", "2027-02-05")]
    assert [f.rule for f in result.report.failures if f.table == "pre_proceedings"] == ["S-LAYOUT"]
    assert "FactorsIdentifiedAtAssessment" not in {
        f.field for f in result.report.failures if f.rule == "S-ELEMENT"
    }
