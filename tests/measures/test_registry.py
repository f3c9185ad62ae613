"""The measure files: every header parses, and a wrong header says which file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from turnaround.errors import ConfigError, NotFound
from turnaround.measures.registry import get_measure, markdown_table, measures, parse_measure
from turnaround.store import open_store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "measures.md"
LOOKUPS = {"working_calendar", "postcode_districts", "district_miles", "measure_council"}

GOOD = """\
-- id: sample
-- title: A sample
-- definition: The first part of a definition
--   and its second line.
-- numerator: things
-- denominator: all things
-- better: higher
-- unit: percent
-- sources: cin_episodes.child_id, cin_episodes.referral_date
-- benchmark: none
select 2014 as year, 'a' as subject_id, 1 as numerator, 1 as denominator, '' as record
"""


def test_every_shipped_measure_parses_with_a_unique_id() -> None:
    found = measures()
    assert len(found) >= 25
    ids = [m.id for m in found]
    assert len(ids) == len(set(ids))
    for measure in found:
        assert measure.definition.endswith("."), measure.id
        assert "  " not in measure.definition, measure.id


def test_sources_name_real_columns(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    for measure in measures():
        for source in measure.sources:
            table, column = source.split(".")
            row = store.fetchone(
                "select count(*) from information_schema.columns"
                " where table_name = ? and column_name = ?",
                [table, column],
            )
            assert row is not None and row[0] == 1, f"{measure.id}: {source}"


def test_queries_read_only_their_sources_and_the_lookups() -> None:
    for measure in measures():
        tables = {s.split(".")[0] for s in measure.sources} | LOOKUPS
        named = set(re.findall(r"\b(?:from|join)\s+([a-z_0-9]+)", measure.sql))
        ctes = set(re.findall(r"\b([a-z_0-9]+) as \(", measure.sql))
        assert named - ctes - {"range"} <= tables, measure.id


def test_a_good_header_with_a_continued_line() -> None:
    measure = parse_measure(GOOD, "sample.sql")
    assert measure.definition == "The first part of a definition and its second line."
    assert measure.sources == ("cin_episodes.child_id", "cin_episodes.referral_date")
    assert measure.benchmark is None
    assert measure.sql.startswith("select 2014")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("-- unit: percent", "-- unit: percent\n-- colour: blue"), "line 9: unknown header key"),
        (("-- title: A sample\n", ""), "line 10: header is missing title"),
        (("-- id: sample", "-- id: other"), "line 1: id 'other' must be the file name"),
        (("-- better: higher", "-- better: more"), "line 7: better must be one of"),
        (("-- unit: percent", "-- unit: miles"), "line 8: unit must be one of"),
        (("-- better: higher", "-- better: higher\n-- better: lower"), "'better' is given twice"),
        (("-- sources: cin_episodes.child_id,", "-- sources: cin_episodes,"), "table.column"),
        (("-- title: A sample", "-- title: A sample\n-- a stray remark"), "line 3: a header"),
    ],
)
def test_a_bad_header_names_the_file_and_line(change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        parse_measure(text, "sample.sql")
    assert str(caught.value).startswith("sample.sql, line ")


def test_a_file_without_a_query_is_refused() -> None:
    text = GOOD.split("select")[0]
    with pytest.raises(ConfigError, match="no query"):
        parse_measure(text, "sample.sql")


def test_unknown_measure_lists_the_known_ones() -> None:
    with pytest.raises(NotFound, match="referrals_per_10k"):
        get_measure("referals")


def test_docs_list_every_measure() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert markdown_table() in text, "regenerate the table in docs/measures.md"
    for measure in measures():
        assert f"| `{measure.id}` |" in text, measure.id
        assert measure.title in text, measure.id
