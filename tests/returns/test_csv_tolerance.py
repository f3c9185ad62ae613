"""SSDA903 CSVs as the sector writes them: tolerant of structure, strict about content.

Every case is a small hostile variant written here into tmp_path: a subset of tables, extra and
missing columns, names in any case or by alias, ISO dates, empty files, the 2026-27 DoLo table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import ADMIN, admin
from turnaround.errors import InputError
from turnaround.returns.load import load_returns, validate_returns
from turnaround.returns.read import read_returns
from turnaround.returns.rules.registry import not_run
from turnaround.store import open_store

THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"

HEADER = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,UN1,,\n2,2,02/02/2011,WBRI,UN1,,\n"
)
EPISODES_HEAD = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODES = (
    EPISODES_HEAD + "\n"
    "1,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n"
    "2,01/06/2018,S,C2,N1,U1,PR1,01/09/2018,E13,,,,\n"
)


def _folder(tmp_path: Path, name: str, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True)
    for file, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / file).write_bytes(data)
    return folder


def _rules(data, rule: str) -> list:
    return [f for f in data.failures if f.rule == rule]


@pytest.mark.parametrize(
    "files",
    [{"episodes.csv": EPISODES}, {"header.csv": HEADER, "episodes.csv": EPISODES}],
    ids=["episodes-only", "header-and-episodes"],
)
def test_any_subset_of_tables_is_read_and_the_rest_named(tmp_path: Path, files: dict) -> None:
    (data,) = read_returns([_folder(tmp_path, "2019", files)])
    assert data.year == 2019 and len(data.tables["episodes"]) == 2
    missing = {f.message.split(" ")[1] for f in _rules(data, "S-TABLE")}
    assert "PlacedAdoption" in missing and "PrevPerm" in missing
    assert ("Header" in missing) == ("header.csv" not in files)
    named = " ".join(f.message for f in _rules(data, "S-TABLE"))
    assert "(placed_for_adoption.csv)" in named and "(previous_permanence.csv)" in named
    assert all(f.severity == "query" for f in _rules(data, "S-TABLE"))


def test_rules_that_need_an_absent_table_are_listed_as_not_run(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "2019", {"episodes.csv": EPISODES})
    report = validate_returns([folder])
    held = not_run(report.failures)
    assert held["INT03"] == "needs the Header table (header.csv)"  # would flag every child
    assert "356" not in held  # episodes alone are enough
    assert not [f for f in report.failures if f.rule == "INT03" and f.severity == "error"]


def test_complete_refuses_a_return_missing_tables(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "2019", {"header.csv": HEADER, "episodes.csv": EPISODES})
    with pytest.raises(InputError, match=r"missing tables: Reviews \(reviews.csv\), UASC"):
        validate_returns([folder], complete=True)
    assert validate_returns([folder]).returns[0].absent  # without it, read as it is


def test_extra_columns_are_kept_aside_reported_and_stored(tmp_path: Path) -> None:
    lines = EPISODES.splitlines()
    text = "\n".join(
        [lines[0] + ",LA,YEAR,TEST_COLUMN"] + [x + ",Barking,2019," for x in lines[1:]]
    )
    folder = _folder(tmp_path, "2019", {"header.csv": HEADER, "episodes.csv": text + "\n"})
    (data,) = read_returns([folder])
    (note,) = [f for f in _rules(data, "S-COLUMN")]
    assert note.file == "2019/episodes.csv" and "columns LA, YEAR, TEST_COLUMN" in note.message
    assert list(data.extras["episodes"].columns[:3]) == ["LA", "YEAR", "TEST_COLUMN"]
    store = open_store(tmp_path / "w.duckdb")
    load_returns(store, [folder], actor=admin(store), mode="lenient")
    kept = store.fetchall("select source_row, column_name, value from extra_columns order by 1, 2")
    # Blank values are not kept: TEST_COLUMN is empty in every row.
    assert kept == [
        (2, "LA", "Barking"),
        (2, "YEAR", "2019"),
        (3, "LA", "Barking"),
        (3, "YEAR", "2019"),
    ]
    assert store.scalar("select count(*) from ssda903_episodes") == 2


def test_names_in_any_case_with_spaces_or_by_alias(tmp_path: Path) -> None:
    head = (
        " child ,Decom,rne,LS, cin,Placement,place provider,DEC,rec,REASON_PLACE_CHANGE,"
        "HOME_POST,PL_POST,URN"
    )
    text = "\n".join([head, *EPISODES.splitlines()[1:]]) + "\n"
    (data,) = read_returns([_folder(tmp_path, "2019", {"episodes.csv": text})])
    assert not _rules(data, "S-COLUMN") and not _rules(data, "S-COLUMNS")
    frame = data.tables["episodes"]
    assert (
        frame["place"].tolist() == ["U1", "U1"] and frame["place_provider"].tolist() == ["PR1"] * 2
    )


def test_a_file_stem_names_a_table_the_header_cannot(tmp_path: Path) -> None:
    # CHILD and DOB alone could be any of several tables: the file's name says which.
    files = {"episodes.csv": EPISODES, "previous_permanence.csv": "CHILD,DOB\n1,01/01/2010\n"}
    (data,) = read_returns([_folder(tmp_path, "2019", files)])
    assert len(data.tables["prev_perm"]) == 1
    (error,) = _rules(data, "S-COLUMNS")
    assert error.file == "2019/previous_permanence.csv" and "PREV_PERM" in error.message


def test_a_missing_optional_column_is_blank_with_a_query(tmp_path: Path) -> None:
    lines = [",".join(x.split(",")[:13]) for x in EPISODES.splitlines()]
    text = "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n"  # no URN
    (data,) = read_returns([_folder(tmp_path, "2019", {"episodes.csv": text})])
    (note,) = _rules(data, "S-COLUMN")
    assert note.message.startswith("no column URN") and note.severity == "query"
    assert data.tables["episodes"]["urn"].isna().all()


def test_iso_dates_are_read_per_file_and_said(tmp_path: Path) -> None:
    iso = EPISODES.replace("01/05/2018", "2018-05-01").replace("01/06/2018", "2018-06-01")
    iso = iso.replace("01/09/2018", "2018-09-01")
    # No year in the folder's name: the year comes from the ISO dates themselves.
    (data,) = read_returns(
        [_folder(tmp_path, "la_extract", {"header.csv": HEADER, "episodes.csv": iso})]
    )
    assert data.year == 2019
    (note,) = _rules(data, "S-DATE-ISO")
    assert note.file == "episodes.csv" and "yyyy-mm-dd" in note.message
    assert data.tables["episodes"]["decom"].tolist() == [
        pd.Timestamp("2018-05-01"),
        pd.Timestamp("2018-06-01"),
    ]
    assert not [f for f in data.failures if f.severity == "error"]
    assert not _rules(data, "S-DATE-ISO")[1:]  # header.csv's dd/mm/yyyy needs no note


def test_one_iso_date_in_a_dd_mm_yyyy_file_is_still_an_error(tmp_path: Path) -> None:
    text = EPISODES.replace("01/09/2018", "2018-09-01")
    (data,) = read_returns([_folder(tmp_path, "2019", {"episodes.csv": text})])
    assert [f.field for f in data.failures if f.severity == "error"] == ["DEC"]


@pytest.mark.parametrize(
    "content", [b"", b"\n", b"\xef\xbb\xbf\r\n"], ids=["0-byte", "newline", "bom"]
)
def test_an_empty_file_is_an_empty_table_named_with_its_folder(
    tmp_path: Path, content: bytes
) -> None:
    files = {"episodes.csv": EPISODES, "ad1.csv": content, "placed_for_adoption.csv": content}
    (data,) = read_returns([_folder(tmp_path, "2019", files)])
    notes = {f.file: f.message for f in _rules(data, "S-TABLE") if "is empty" in f.message}
    assert notes == {
        "2019/ad1.csv": "ad1.csv (in folder 2019) is empty; read as an empty AD1 table",
        "2019/placed_for_adoption.csv": "placed_for_adoption.csv (in folder 2019) is empty; "
        "read as an empty PlacedAdoption table",
    }
    assert data.tables["ad1"].empty and "ad1" not in data.absent


def test_an_empty_file_with_a_name_no_table_has_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "2019", {"episodes.csv": EPISODES, "notes.csv": b""})
    with pytest.raises(
        InputError, match=r"notes\.csv: the file is empty and its name does not say"
    ):
        read_returns([folder])


def test_a_return_of_nothing_but_empty_files_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "2019", {"header.csv": b"", "episodes.csv": b"\n"})
    with pytest.raises(InputError, match=r"every file is empty \(.*header\.csv.*\)"):
        read_returns([folder])


DOLO_EPISODES = EPISODES_HEAD + "\n1,01/05/2026,S,C2,N1,K2,PR1,,,,,,\n"


def test_the_2026_27_dolo_table_loads_and_its_rules_run(tmp_path: Path) -> None:
    good = "CHILD,DOB,DOLO_START,DOLO_END\n1,01/01/2010,01/06/2026,01/08/2026\n"
    folder = _folder(tmp_path, "2027", {"episodes.csv": DOLO_EPISODES, "DoLo.csv": good})
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [folder], actor=admin(store), mode="lenient")
    assert result.loaded[0].rows_loaded["dolo"] == 1
    assert store.fetchall("select child, dolo_start, dolo_end from ssda903_dolo") == [
        ("1", pd.Timestamp("2026-06-01").date(), pd.Timestamp("2026-08-01").date())
    ]
    assert not [f for f in result.report.failures if f.rule.startswith("7")]


def test_a_bad_dolo_is_reported_by_the_dfe_rules(tmp_path: Path) -> None:
    bad = "CHILD,DOB,DOLO_START,DOLO_END\n1,01/01/2010,01/06/2026,01/05/2026\n1,01/01/2010,,\n"
    folder = _folder(tmp_path, "2027", {"episodes.csv": DOLO_EPISODES, "DoLo.csv": bad})
    report = validate_returns([folder])
    found = {(f.rule, f.row) for f in report.failures if f.table == "dolo"}
    assert {("702", 2), ("700", 3), ("S-REQUIRED", 3)} <= found


def test_a_dolo_file_before_2026_27_is_named_not_lost(tmp_path: Path) -> None:
    dolo = "CHILD,DOB,DOLO_START,DOLO_END\n1,01/01/2010,01/06/2018,\n"
    (data,) = read_returns(
        [_folder(tmp_path, "2019", {"episodes.csv": EPISODES, "DoLo.csv": dolo})]
    )
    (note,) = [f for f in _rules(data, "S-TABLE") if "DoLo.csv" in f.message]
    assert "not part of the 2018-19 return (it joins in 2026-27)" in note.message


def test_an_unknown_ls_code_does_not_crash_rule_554(tmp_path: Path) -> None:
    text = EPISODES.replace("1,01/05/2018,S,C2", "1,01/05/2018,S,Z9")
    placed = (
        "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n1,01/01/2010,01/07/2018,,\n"
    )
    folder = _folder(tmp_path, "2019", {"episodes.csv": text, "placed_for_adoption.csv": placed})
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [folder], actor=admin(store), mode="lenient")
    assert [f.field for f in result.report.errors if f.rule == "S-CODE"] == ["LS"]


def test_the_cli_complete_option_refuses(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "2019", {"header.csv": HEADER, "episodes.csv": EPISODES})
    ws = tmp_path / "ws"
    store = open_store(ws / "turnaround.duckdb")
    admin(store)
    store.close()
    base = [sys.executable, "-m", "turnaround", "--workspace", str(ws)]
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TURNAROUND_USER": ADMIN}
    run = subprocess.run(
        [*base, "load", str(folder), "--lenient", "--complete"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (
        run.returncode == 1 and "missing tables: Reviews (reviews.csv)" in run.stdout + run.stderr
    )
    run = subprocess.run(
        [*base, "load", str(folder), "--lenient"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Not run (needs the Reviews table (reviews.csv))" in run.stdout


@pytest.mark.skipif(
    not (THIRDPARTY / "d2i903_fake").is_dir(),
    reason=f"the third-party samples are not at {THIRDPARTY} (../shared/data/thirdparty)",
)
def test_d2i_fake_data_loads_leniently(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    result = load_returns(store, [THIRDPARTY / "d2i903_fake"], actor=admin(store), mode="lenient")
    (loaded,) = result.loaded
    read = sum(len(t) for t in result.report.returns[0].tables.values())
    assert read == 2675 + 5050 + 12582 + 132 + 2675 + 53 + 29 + 29 + 2675 + 43 + 1
    assert sum(loaded.rows_loaded.values()) + loaded.rows_quarantined == read
    # D2I's fake UPNs mostly fail rule 168, so most header rows are quarantined, not lost.
    assert loaded.rows_loaded["episodes"] > 3_000 and loaded.rows_loaded["reviews"] > 12_000
    notes = " ".join(f.message for f in result.report.failures if f.rule == "S-TABLE")
    assert "DoLo.csv holds the DoLo table" in notes


def test_a_cross_year_rule_says_when_last_years_table_was_absent(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    last = _folder(tmp_path, "2018", {"header.csv": HEADER})
    load_returns(store, [last], actor=admin(store), mode="lenient")
    this = _folder(tmp_path, "2019", {"header.csv": HEADER, "episodes.csv": EPISODES})
    result = load_returns(store, [this], actor=admin(store), mode="lenient")
    held = not_run(result.report.failures)
    assert held["502"] == "needs the 2017-18 return's Episodes table (episodes.csv)"
    # an empty last year is not absent: last year's episodes, all closed, are still compared
    closed = _folder(tmp_path, "b/2018", {"header.csv": HEADER, "episodes.csv": EPISODES})
    again = open_store(tmp_path / "again.duckdb")
    load_returns(again, [closed], actor=admin(again), mode="lenient", year=2018)
    result = load_returns(again, [this], actor=admin(again), mode="lenient")
    assert "502" not in not_run(result.report.failures)
