"""Every kind of bad file gets one clear line naming the file and the problem; nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from turnaround.errors import InputError
from turnaround.returns.read import read_returns
from turnaround.returns.read.ssda903_csv import refuse_incomplete
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-city")
    generate_city(SynthConfig(children=1000, seed=5, years=2), root)
    return root / "returns"


@pytest.fixture
def ssda903(city: Path, tmp_path: Path) -> Path:
    target = tmp_path / "2014"
    shutil.copytree(city / "ssda903" / "2014", target)
    return target


def _error(paths: list[Path], **kwargs: object) -> str:
    with pytest.raises(InputError) as caught:
        read_returns(paths, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_utf16_is_refused(ssda903: Path) -> None:
    path = ssda903 / "episodes.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    message = _error([ssda903])
    assert message.startswith("episodes.csv: not UTF-8 text (looks like UTF-16)")
    assert "save it as UTF-8 CSV" in message


def test_windows_1252_is_refused_with_its_line(ssda903: Path) -> None:
    path = ssda903 / "header.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b",", b",\x93", 1)
    path.write_bytes(b"\n".join(lines))
    message = _error([ssda903])
    assert message.startswith("header.csv: not UTF-8 text (byte 0x93 on line 4")


def test_a_byte_order_mark_is_removed_and_noted(ssda903: Path) -> None:
    path = ssda903 / "episodes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (data,) = read_returns([ssda903])
    notes = [f for f in data.failures if f.rule == "S-BOM"]
    assert [(n.file, n.severity) for n in notes] == [(f"{ssda903.name}/episodes.csv", "query")]
    assert not [f for f in data.failures if f.severity == "error"]


def test_excel_mangled_dates_are_refused(ssda903: Path) -> None:
    path = ssda903 / "episodes.csv"
    text = path.read_text(encoding="utf-8")
    import re

    text = re.sub(r"(\d{2})/(\d{2})/(\d{4})", r"\3-\2-\1 00:00:00", text)
    path.write_text(text, encoding="utf-8")
    message = _error([ssda903])
    assert message.startswith("episodes.csv, row 2, field DECOM: dates look re-saved by Excel")


def test_missing_required_columns_are_one_error_per_file(ssda903: Path) -> None:
    path = ssda903 / "reviews.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(x.split(",")[:2]) for x in lines) + "\n", encoding="utf-8")
    (data,) = read_returns([ssda903])
    (error,) = [f for f in data.failures if f.rule == "S-COLUMNS"]
    assert (error.file, error.row, error.severity) == ("2014/reviews.csv", None, "error")
    assert error.message.startswith("missing columns REVIEW, REVIEW_CODE, which the 2013-14")
    # Strict about content: every row lacks a required value, so none can load unseen.
    blank = [f for f in data.failures if f.rule == "S-REQUIRED" and f.table == "reviews"]
    assert len(blank) == 2 * len(data.tables["reviews"]) == 2 * (len(lines) - 1)


def test_extra_columns_are_kept_aside_and_reported(ssda903: Path) -> None:
    path = ssda903 / "missing.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",NOTES"] + [x + ",x" for x in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data,) = read_returns([ssda903])
    (note,) = [f for f in data.failures if f.rule == "S-COLUMN"]
    assert (note.file, note.severity) == ("2014/missing.csv", "query")
    assert note.message.startswith("columns NOTES are not in the 2013-14 Missing table")
    assert data.extras["missing"]["NOTES"].tolist() == ["x"] * (len(lines) - 1)
    assert not [f for f in data.failures if f.severity == "error"]


def test_an_empty_file_is_an_empty_table(ssda903: Path) -> None:
    (ssda903 / "oc3.csv").write_bytes(b"")
    (data,) = read_returns([ssda903])
    (note,) = [f for f in data.failures if f.rule == "S-TABLE"]
    assert note.message == "oc3.csv (in folder 2014) is empty; read as an empty OC3 table"
    assert data.tables["oc3"].empty and data.absent == []


def test_a_missing_table_is_a_query_unless_complete(ssda903: Path) -> None:
    (ssda903 / "reviews.csv").unlink()
    (data,) = read_returns([ssda903])
    (note,) = [f for f in data.failures if f.rule == "S-TABLE"]
    assert note.severity == "query" and data.absent == ["reviews"]
    assert note.message.startswith("no Reviews table (reviews.csv) in 2014/")
    with pytest.raises(InputError, match=r"missing tables: Reviews \(reviews.csv\)"):
        refuse_incomplete(data)


def test_ragged_rows(ssda903: Path) -> None:
    path = ssda903 / "episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _error([ssda903])
    assert message.startswith("episodes.csv, row 3: cannot read as CSV")


def test_truncated_xml(city: Path, tmp_path: Path) -> None:
    data = (city / "cin" / "cin_census_2014.xml").read_bytes()
    path = tmp_path / "cin_census_2014.xml"
    path.write_bytes(data[: len(data) // 2])
    message = _error([path])
    assert message.startswith("cin_census_2014.xml: XML ends too soon (truncated at line")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Message><Header><CollectionDetails><Year>2014</Year></CollectionDetails></Header>
<Children><Child><ChildIdentifiers><LAchildID>&lol3;</LAchildID></ChildIdentifiers></Child>
</Children></Message>
"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Message><Header/><Children><Child><ChildIdentifiers><LAchildID>&xxe;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""


@pytest.mark.parametrize("payload", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_xml_entities_are_refused(payload: bytes, tmp_path: Path) -> None:
    path = tmp_path / "cin_census_2014.xml"
    path.write_bytes(payload)
    message = _error([path])
    assert message.startswith("cin_census_2014.xml: XML declares entities")
    assert "refused as unsafe" in message


def test_renamed_sheet(city: Path, tmp_path: Path) -> None:
    path = tmp_path / "annex_a_2014.xlsx"
    workbook = load_workbook(city / "annex_a" / "annex_a_2014.xlsx")
    workbook["List 3 - Referrals"].title = "Referrals"
    workbook.save(path)
    message = _error([path])
    assert message.startswith("annex_a_2014.xlsx: no sheet 'List 3 - Referrals'")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "annex_a_2014.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert "not an Excel workbook" in _error([path])


def test_wrong_year_from_the_folder(city: Path, tmp_path: Path) -> None:
    target = tmp_path / "2011"
    shutil.copytree(city / "ssda903" / "2014", target)
    message = _error([target])
    assert message.startswith(
        "episodes.csv: names and dates disagree on the year: the folder name '2011' says "
        "2010-11 or 2011-12, but "
    )
    assert "fall in 2013-14; pass --year 2011 or --year 2014" in message


def test_the_year_given_beats_the_cin_header(city: Path) -> None:
    (data,) = read_returns([city / "cin" / "cin_census_2014.xml"], year=2016)
    assert data.year == 2016
    (year,) = [f.message for f in data.failures if f.rule == "S-YEAR"]
    assert year.startswith("collection year 2015-16 as given by --year; most of its ")
    assert "the header's <Year> 2014 says 2013-14 or 2014-15" in year


def test_far_too_large(ssda903: Path) -> None:
    message = _error([ssda903], max_bytes=100)
    assert "file is too large" in message and "the limit is" in message


def test_an_unknown_csv(tmp_path: Path) -> None:
    path = tmp_path / "2014" / "staff.csv"
    path.parent.mkdir()
    path.write_text("name,role,team\nA,B,C\n", encoding="utf-8")
    assert _error([path]).startswith("staff.csv: not an SSDA903 table")
