"""Mapping files: loading them, and checking an extract against its mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from turnaround.cli import app
from turnaround.errors import ConfigError, InputError
from turnaround.linkage.sources import (
    SourceMapping,
    census_day,
    check_source,
    load_mapping,
    partner_mappings,
)
from turnaround.synth.extracts import RECORD_ID_COLUMN

GOOD = """\
source: test_agency
record_id: Ref
event_date: {column: When, format: "%d/%m/%Y"}
forename: First
surname: Last
dob: {column: Born, format: "%d/%m/%Y"}
sex: {column: Sex, codes: {M: M, F: F}}
postcode: Postcode
nhs_number: NHS
"""

HEADER = "Ref,When,First,Last,Born,Sex,Postcode,NHS\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _extract(tmp_path: Path, *rows: str) -> Path:
    return _write(tmp_path, "extract.csv", HEADER + "".join(f"{row}\n" for row in rows))


def test_every_synthetic_extract_has_a_mapping_with_its_record_id() -> None:
    assert set(partner_mappings()) == set(RECORD_ID_COLUMN)
    for name in partner_mappings():
        mapping = load_mapping(name)
        assert mapping.source == name
        assert mapping.record_id == RECORD_ID_COLUMN[name]


def test_a_mapping_loads_from_a_file(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    assert mapping.dob is not None and mapping.dob.format == "%d/%m/%Y"
    assert mapping.columns()["sex"] == "Sex"


def test_an_unknown_key_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "agency.yaml", GOOD + "forname: First\n")
    with pytest.raises(ConfigError, match=r"agency\.yaml: forname: Extra inputs"):
        load_mapping(path)


def test_a_nested_unknown_key_is_named_with_its_parent(tmp_path: Path) -> None:
    text = GOOD.replace('format: "%d/%m/%Y"}\nforename', 'fmt: "%d/%m/%Y"}\nforename')
    with pytest.raises(ConfigError, match=r"event_date\.fmt"):
        load_mapping(_write(tmp_path, "agency.yaml", text))


def test_a_missing_record_id_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("record_id: Ref\n", "")
    with pytest.raises(ConfigError, match="record_id: Field required"):
        load_mapping(_write(tmp_path, "agency.yaml", text))


def test_names_must_be_given_one_way(tmp_path: Path) -> None:
    text = GOOD + "name: {column: Name}\n"
    with pytest.raises(ConfigError, match="either name or forename and surname"):
        load_mapping(_write(tmp_path, "agency.yaml", text))
    text = GOOD.replace("surname: Last\n", "")
    with pytest.raises(ConfigError, match="forename and surname"):
        load_mapping(_write(tmp_path, "agency.yaml", text))


def test_a_date_format_needs_a_year(tmp_path: Path) -> None:
    text = GOOD.replace('{column: Born, format: "%d/%m/%Y"}', '{column: Born, format: "%d/%m"}')
    with pytest.raises(ConfigError, match=r"dob\.format"):
        load_mapping(_write(tmp_path, "agency.yaml", text))


def test_bad_yaml_and_unknown_names_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"agency\.yaml: not valid YAML"):
        load_mapping(_write(tmp_path, "agency.yaml", "source: [unclosed\n"))
    with pytest.raises(ConfigError, match=r"agency\.yaml: a mapping file must be"):
        load_mapping(_write(tmp_path, "agency.yaml", "- a list\n"))
    with pytest.raises(ConfigError, match="no mapping named 'police'"):
        load_mapping("police")


def test_a_clean_extract_has_no_failures(tmp_path: Path) -> None:
    mapping = SourceMapping.model_validate(
        {
            "source": "test_agency",
            "record_id": "Ref",
            "forename": "First",
            "surname": "Last",
            "dob": {"column": "Born", "format": "%d/%m/%Y"},
        }
    )
    path = _extract(tmp_path, "R1,01/02/2013,Amy,Smith,03/04/2005,F,B11 1AA,9434765919")
    assert check_source(mapping, path) == []


def test_every_missing_column_is_reported(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    path = _write(tmp_path, "extract.csv", "Ref,First\nR1,Amy\n")
    failures = check_source(mapping, path)
    assert {f.field for f in failures} == {"When", "Last", "Born", "Sex", "Postcode", "NHS"}
    assert {(f.rule, f.severity, f.row) for f in failures} == {("S-COLUMN", "error", None)}


def test_bad_values_are_queries_with_their_line(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    good = "R{},01/02/2013,Amy,Smith,03/04/2005,F,B11 1AA,9434765919"
    rows = [good.format(i) for i in range(40)]
    rows[5] = "R5,01/02/2013,Amy,Smith,2005-04-03,F,B11 1AA,9434765919"
    rows[9] = "R9,01/02/2013,Amy,Smith,03/04/2005,X,nowhere,9434765918"
    rows[12] = "R12,01/02/2013,Amy,Smith,,,,"  # blanks are missing, not wrong
    failures = check_source(mapping, _extract(tmp_path, *rows), threshold=0.1)
    found = {(f.row, f.child_id, f.field, f.rule, f.severity) for f in failures}
    assert found == {
        (7, "R5", "Born", "S-DATE", "query"),
        (11, "R9", "Sex", "S-CODE", "query"),
        (11, "R9", "Postcode", "S-POSTCODE", "query"),
        (11, "R9", "NHS", "S-NHS", "query"),
    }
    assert all(f.file == "extract.csv" and f.table == "test_agency" for f in failures)


def test_too_many_unreadable_dates_is_an_error(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    rows = [f"R{i},01/02/2013,Amy,Smith,2005-04-0{i},F,B11 1AA," for i in range(1, 4)]
    rows.append("R4,01/02/2013,Amy,Smith,03/04/2005,F,B11 1AA,")
    failures = check_source(mapping, _extract(tmp_path, *rows))
    errors = [f for f in failures if f.severity == "error"]
    assert len(errors) == 1
    assert errors[0].field == "Born" and errors[0].row is None
    assert "75% of 4 values" in errors[0].message
    assert sum(f.rule == "S-DATE" and f.severity == "query" for f in failures) == 3


def test_blank_and_repeated_record_ids_are_errors(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    row = ",01/02/2013,Amy,Smith,03/04/2005,F,B11 1AA,"
    failures = check_source(mapping, _extract(tmp_path, "R1" + row, "R1" + row, row))
    assert [(f.row, f.rule, f.message) for f in failures] == [
        (4, "S-ID", "record id is blank"),
        (3, "S-ID", "record id appears twice"),
    ]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, "agency.yaml", GOOD))
    with pytest.raises(InputError, match="no such file"):
        check_source(mapping, tmp_path / "absent.csv")


def test_census_day_is_the_third_thursday_of_january() -> None:
    assert census_day(2014).isoformat() == "2014-01-16"
    assert census_day(2015).isoformat() == "2015-01-15"


def test_the_command_exits_1_on_errors(tmp_path: Path) -> None:
    mapping = _write(tmp_path, "agency.yaml", GOOD)
    runner = CliRunner()
    good = _extract(tmp_path, "R1,01/02/2013,Amy,Smith,03/04/2005,F,B11 1AA,9434765919")
    result = runner.invoke(app, ["sources", "check", str(mapping), str(good)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 queries" in result.output
    bad = _write(tmp_path, "bad.csv", "Ref,First\nR1,Amy\n")
    result = runner.invoke(app, ["sources", "check", str(mapping), str(bad), "--json"])
    assert result.exit_code == 1
    assert '"rule": "S-COLUMN"' in result.output
