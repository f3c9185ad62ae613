"""The worklist with names: who may see or export it, the audit, and the files, by hand.

Two children, scored with the shipped indicators as at 31 March 2014:

    K1  Jane Smith  two domestic abuse notifications, one graded High: 3 + 2 + 2 = 7
    K2  Tom Jones   missing from home once: 2; known to social care as C2, whose referral
                    (a CIN episode) closed without an assessment
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.acting import ADMIN, admin
from tests.risk.test_indicators import add_record
from turnaround.access import Actor, add_user
from turnaround.errors import InputError, NotFound, PermissionDenied
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.risk.indicators import load_indicators, score_people
from turnaround.store import Store, open_store
from turnaround.worklist.build import build_worklist
from turnaround.worklist.entries import (
    CSV_COLUMNS,
    Entry,
    export_worklist,
    person_reference,
    view_worklist,
    worklist_entries,
    write_csv,
)

AS_OF = date(2014, 3, 31)
DA = "police_domestic_abuse"
REVIEWER = "rita"
BOARD = "bob"
ANALYST = "anna"


def _people(store: Store) -> None:
    jane = {"forename": "JANE", "surname": "SMITH", "sex": "F", "dob": date(2008, 2, 3)}
    add_record(
        store, "K1", DA, "D1", date(2014, 1, 10), postcode="B1 1AA", dash_grade="High", **jane
    )
    add_record(
        store, "K1", DA, "D2", date(2014, 2, 10), postcode="B2 2BB", dash_grade="Standard", **jane
    )
    tom = {"forename": "TOM", "surname": "JONES", "sex": "M", "dob": date(2001, 7, 8)}
    add_record(
        store,
        "K2",
        "police_missing",
        "P1",
        date(2014, 3, 1),
        postcode="B3 3CC",
        missing_from="Home",
        **tom,
    )
    add_record(store, "K2", SOCIAL_CARE, "C2", date(2014, 3, 30), postcode="B9 9ZZ", **tom)
    store.execute("insert into linkage_known values ('K2', 'C2', 0.97)")
    store.execute(
        "insert into cin_episodes (child_id, closure_date, year, load_id) "
        "values ('C2', '2014-01-10', 2014, 'test')"
    )
    store.execute(
        "insert into linkage_pairs values ('police_missing:P1', 'social_care:C2', 0.97, null)"
    )
    store.execute(f"insert into linkage_pairs values ('{DA}:D1', '{DA}:D2', 0.995, null)")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "store.duckdb")
    _people(opened)
    score_people(opened, load_indicators(), as_of=AS_OF, actor=admin(opened))
    build_worklist(opened, actor=admin(opened))
    add_user(opened, REVIEWER, "safeguarding_reviewer")
    add_user(opened, BOARD, "board_member")
    add_user(opened, ANALYST, "analyst")
    yield opened
    opened.close()


def audit_rows(store: Store) -> list[tuple[str, str, str, str | None, str]]:
    """The audit log after the fixture's set-up (which acts as the administrator)."""
    rows = store.fetchall(
        "select username, action, target, reason, origin from audit_log"
        " where username is distinct from ? order by audit_id",
        [ADMIN],
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


# --- the entries -------------------------------------------------------------------------------


def test_entries_carry_names_and_the_evidence_behind_each_indicator(store: Store) -> None:
    first, second = worklist_entries(store)

    assert (first.rank, first.forename, first.surname, first.sex, first.dob) == (
        1, "JANE", "SMITH", "F", date(2008, 2, 3),
    )  # fmt: skip
    assert first.postcode == "B2 2BB"  # the latest record's
    assert first.score == 7.0
    assert first.identity_confidence == pytest.approx(0.995)
    assert (first.involvement, first.child_id, first.care_match_probability) == (
        "none", None, None,
    )  # fmt: skip
    assert (first.records, first.sources, first.latest_event) == (2, DA, date(2014, 2, 10))
    assert [(f.indicator, f.weight) for f in first.fired] == [
        ("domestic_abuse", 3.0),
        ("domestic_abuse_high_risk", 2.0),
        ("repeat_domestic_abuse", 2.0),
    ]
    assert [e.record_id for e in first.fired[0].evidence] == ["D2", "D1"]
    assert first.why == (
        "Police attended domestic abuse in the child's household (+3, 2 records); "
        "A domestic abuse incident graded high risk (DASH) (+2, 1 record); "
        "Two or more domestic abuse notifications (+2, 2 records)"
    )
    assert first.evidence_text == f"{DA} D2 2014-02-10; {DA} D1 2014-01-10"

    assert second.rank == 2
    assert (second.forename, second.postcode) == ("TOM", "B3 3CC")  # never social care's
    assert second.involvement == "referral closed without assessment"
    assert second.child_id == "C2"
    assert second.care_match_probability == pytest.approx(0.97)
    assert second.records == 2 and second.sources == "police_missing"
    assert second.why == "Reported missing from home (+2, 1 record)"


def test_top_limits_the_entries(store: Store) -> None:
    assert [e.rank for e in worklist_entries(store, top=1)] == [1]
    assert len(worklist_entries(store, top=None)) == 2


def test_a_person_reference_is_stable_short_and_carries_no_id() -> None:
    reference = person_reference("police_missing:P1")

    assert reference == person_reference("police_missing:P1")
    assert reference != person_reference("police_missing:P2")
    assert reference.startswith("P-") and len(reference) == 12
    assert "P1" not in reference[2:]
    assert all(c in "0123456789ABCDEF" for c in reference[2:])


# --- who may see it, and the audit -------------------------------------------------------------


def test_a_reviewer_views_and_the_view_is_audited_once(store: Store) -> None:
    entries = view_worklist(store, Actor(REVIEWER, "web"), reason="MASH review")

    assert [e.rank for e in entries] == [1, 2]
    assert audit_rows(store) == [
        (REVIEWER, "view-worklist", "unknown worklist: 2 entries", "MASH review", "web"),
    ]


def test_an_analyst_may_neither_see_names_on_the_worklist_nor_export_it(
    store: Store, tmp_path: Path
) -> None:
    # Names on the worklist are for the safeguarding hub: analysts see counts only.
    with pytest.raises(PermissionDenied, match="view-worklist"):
        view_worklist(store, Actor.cli(ANALYST))
    with pytest.raises(PermissionDenied, match="export-worklist"):
        export_worklist(store, Actor.cli(ANALYST), tmp_path / "out.csv")

    assert audit_rows(store) == []
    assert not (tmp_path / "out.csv").exists()


def test_a_board_member_may_neither_view_nor_export_and_nothing_is_audited(
    store: Store, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match=r"bob \(board_member\)"):
        view_worklist(store, Actor.cli(BOARD), reason="curious")
    with pytest.raises(PermissionDenied):
        export_worklist(store, Actor.cli(BOARD), tmp_path / "out.xlsx")

    assert audit_rows(store) == []
    assert not (tmp_path / "out.xlsx").exists()


def test_an_unnamed_or_unknown_user_is_refused(store: Store) -> None:
    with pytest.raises(PermissionDenied, match="named user"):
        view_worklist(store, Actor.cli(None))
    with pytest.raises(NotFound, match="no user 'nobody'"):
        view_worklist(store, Actor.cli("nobody"))

    assert audit_rows(store) == []


def test_an_empty_worklist_is_not_found_and_not_audited(store: Store, tmp_path: Path) -> None:
    store.execute("delete from unknown_worklist")

    with pytest.raises(NotFound, match="worklist is empty"):
        view_worklist(store, Actor.cli(REVIEWER))
    with pytest.raises(NotFound):
        export_worklist(store, Actor.cli(REVIEWER), tmp_path / "out.csv")

    assert audit_rows(store) == []


# --- the files ----------------------------------------------------------------------------------


def test_a_csv_export_reads_back_one_row_per_child(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "exports" / "worklist.csv"

    written = export_worklist(store, Actor.cli(REVIEWER), target, reason="weekly MASH")

    assert written == target
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2
    jane, tom = rows
    assert jane["rank"] == "1" and jane["forename"] == "JANE" and jane["dob"] == "2008-02-03"
    assert jane["person"] == person_reference("K1")
    assert jane["score"] == "7"
    assert jane["identity_confidence"] == "0.995"
    assert jane["social_care_child_id"] == "" and jane["care_match_probability"] == ""
    assert jane["evidence"] == f"{DA} D2 2014-02-10; {DA} D1 2014-01-10"
    assert tom["social_care_child_id"] == "C2"
    assert tom["care_match_probability"] == "0.970"
    assert tom["involvement"] == "referral closed without assessment"
    assert audit_rows(store) == [
        (REVIEWER, "export-worklist", "unknown worklist: 2 entries to worklist.csv",
         "weekly MASH", "cli"),
    ]  # fmt: skip


def test_an_xlsx_export_has_the_worklist_its_evidence_and_a_guide(
    store: Store, tmp_path: Path
) -> None:
    target = export_worklist(store, Actor.cli(REVIEWER), tmp_path / "worklist.xlsx", top=None)

    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Worklist", "Evidence", "How to read this"]
    sheet = book["Worklist"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) - 1 == 2
    assert rows[1][:4] == (1, person_reference("K1"), "JANE", "SMITH")
    assert rows[1][4] == datetime(2008, 2, 3)
    assert rows[2][CSV_COLUMNS.index("social_care_child_id")] == "C2"
    evidence = list(book["Evidence"].iter_rows(values_only=True))
    # K1: 2 + 1 + 2 records behind three indicators; K2: 1 record behind one.
    assert len(evidence) - 1 == 6
    assert evidence[1] == (
        1, person_reference("K1"), "Police attended domestic abuse in the child's household",
        3, DA, "D2", datetime(2014, 2, 10),
    )  # fmt: skip
    guide = [r[0] for r in book["How to read this"].iter_rows(values_only=True)]
    assert {i.id for i in load_indicators().indicators} <= set(guide)
    assert [r[1] for r in audit_rows(store)] == ["export-worklist"]


def test_an_export_of_the_top_entries_has_only_those(store: Store, tmp_path: Path) -> None:
    target = export_worklist(store, Actor.cli(REVIEWER), tmp_path / "top.xlsx", top=1)

    book = openpyxl.load_workbook(target)
    assert book["Worklist"].max_row == 2
    assert {r[0] for r in book["Evidence"].iter_rows(min_row=2, values_only=True)} == {1}
    assert audit_rows(store)[0][2] == "unknown worklist: 1 entries to top.xlsx"


def test_an_unsupported_suffix_is_an_input_error_and_nothing_happens(
    store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "worklist.txt"

    with pytest.raises(InputError, match=r"worklist\.txt: .*\.csv or \.xlsx"):
        export_worklist(store, Actor.cli(REVIEWER), target)

    assert not target.exists()
    assert audit_rows(store) == []


def test_write_csv_with_no_entries_writes_the_header(tmp_path: Path) -> None:
    entries: list[Entry] = []

    path = write_csv(entries, tmp_path / "empty.csv")

    assert path.read_text(encoding="utf-8").splitlines() == [",".join(CSV_COLUMNS)]
