"""The data-quality section: loads, failures by rule and quarantine, read through the backend."""

from __future__ import annotations

from pathlib import Path

from turnaround.returns.report import data_quality, data_quality_section
from turnaround.store import open_store


def test_data_quality_counts_what_the_store_holds(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    store.executemany(
        "insert into loads (load_id, kind, year, source, rows_loaded) values (?, ?, ?, ?, ?)",
        [
            ["L1", "ssda903", 2014, "903/2014", 1801],
            ["L2", "cin", 2014, "cin.xml", 9123],
            ["L3", "workforce", None, "staff.csv", 400],
        ],
    )
    failure = (
        "insert into validation_failures (load_id, kind, year, source_file, rule, message,"
        " severity) values ('L1', 'ssda903', 2014, 'episodes.csv', ?, ?, ?)"
    )
    store.executemany(
        failure,
        [
            ["103", "Episode starts after it ends", "error"],
            ["103", "Episode starts after it ends", "error"],
            ["571", "Missing episode ends before it starts", "query"],
        ],
    )
    tables = data_quality(store)
    loads = tables["loads"]
    assert list(loads["kind"]) == ["cin", "ssda903"]
    assert list(loads["rows_loaded"]) == [9123, 1801]
    assert loads["loaded_at"].notna().all()
    assert list(tables["other"]["source"]) == ["staff.csv"]
    by_rule = {r.rule: int(r.rows) for r in tables["failures"].itertuples()}
    assert by_rule == {"103": 2, "571": 1}
    assert tables["quarantined"].empty

    section = data_quality_section(store)
    assert section.summary == "2 return-years loaded; 2 errors"
    assert "2013-14" in section.body and "9,123" in section.body
