"""A year whose return lacked a table a measure reads says so, and is not counted as zero.

The returns are loaded through the product's own path: a complete-enough 2018-19 SSDA903
return (header and episodes) and a 2019-20 return of the header alone, as an extract of one
table from a case system would be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.acting import admin
from turnaround.measures.compute import compute_measures, source_tables
from turnaround.measures.registry import get_measure
from turnaround.returns.load import load_returns
from turnaround.store import open_store

HEADER = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,UN1,,\n2,2,02/02/2011,WBRI,UN1,,\n"
)
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,"
    "URN\n"
    "1,01/05/2018,S,C2,N1,U1,PR1,,,,,,\n"
    "2,01/06/2018,S,C2,N1,U1,PR1,01/09/2018,E13,,,,\n"
)
REASON = "not computed: the 2019-20 SSDA903 return has no Episodes table"


def _returns(tmp_path: Path) -> list[Path]:
    full, header_only = tmp_path / "2019", tmp_path / "2020"
    full.mkdir()
    header_only.mkdir()
    (full / "header.csv").write_text(HEADER)
    (full / "episodes.csv").write_text(EPISODES)
    (header_only / "header.csv").write_text(HEADER.replace("/2010", "/2012"))
    return [full, header_only]


def test_a_year_without_the_table_is_not_computed_and_says_why(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    load_returns(store, _returns(tmp_path), actor=admin(store), mode="lenient", year=None)
    values = {(v.measure_id, v.year): v for v in compute_measures(store, la_code="330")}
    starts = get_measure("lac_starts")
    assert "ssda903_episodes_clean" in source_tables(starts)
    assert values[("lac_starts", 2020)].value is None
    assert values[("lac_starts", 2020)].not_computed == REASON
    # the year that had its episodes is computed: both children started in 2018-19
    assert values[("lac_starts", 2019)].not_computed == ""
    assert values[("lac_starts", 2019)].value == 2
    # a measure that reads only CIN tables is untouched by an SSDA903 gap
    assert all(v.not_computed == "" for (m, _), v in values.items() if m.startswith("cin_"))


def test_the_cli_prints_what_it_could_not_compute(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    base = [sys.executable, "-m", "turnaround", "-w", str(workspace)]
    subprocess.run([*base, "users", "add", "admin", "--role", "administrator"], check=True)
    env = {"TURNAROUND_USER": "admin", "PATH": "/usr/bin:/bin"}
    paths = [str(p) for p in _returns(tmp_path)]
    subprocess.run([*base, "load", *paths, "--lenient"], check=True, env=env)
    shown = subprocess.run(
        [*base, "measures", "--la-code", "330", "--json"],
        check=True, env=env, capture_output=True, text=True,
    )  # fmt: skip
    starts = next(m for m in json.loads(shown.stdout) if m["id"] == "lac_starts")
    by_year = {v["year"]: v for v in starts["values"]}
    assert by_year[2020]["not_computed"] == REASON and by_year[2020]["value"] is None
    table = subprocess.run(
        [*base, "measures", "--la-code", "330"], check=True, env=env, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    assert f"{starts['title']}, 2020: {REASON}." in table
