"""`turnaround measures` as a person would use it: JSON out, drill-down only for the right roles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.access import add_user
from turnaround.benchmarks import load_benchmarks
from turnaround.measures.summary import set_council
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    generate_city(SynthConfig(children=2_000, seed=8), ws / "city")
    store = open_store(ws / "turnaround.duckdb")
    load_returns(store, [ws / "city" / "returns"], actor=admin(store))
    load_benchmarks(store, [ws / "city" / "population"], actor=admin(store))
    set_council(store, "330")
    add_user(store, "ana", "analyst")
    add_user(store, "bob", "board_member")
    store.close()
    return ws


def _run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnaround", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_json_gives_every_measure_with_value_trend_and_definition(workspace: Path) -> None:
    done = _run(workspace, "measures", "--json")
    assert done.returncode == 0, done.stderr
    measures = {m["id"]: m for m in json.loads(done.stdout)}
    assert {"lac_per_10k", "cin_per_10k", "rereferrals_12m"} <= set(measures)
    lac = measures["lac_per_10k"]
    assert set(lac["trend"]) == {"2010", "2011", "2012", "2013", "2014"} or set(lac["trend"]) == {
        2010,
        2011,
        2012,
        2013,
        2014,
    }
    assert lac["definition"] and lac["better"] in ("higher", "lower", "neither")
    assert "benchmarks" in lac


def test_explain_is_refused_to_a_board_member_and_audited_for_an_analyst(
    workspace: Path,
) -> None:
    refused = _run(workspace, "measures", "explain", "lac_per_10k", "--user", "bob")
    assert refused.returncode == 1
    assert "may not" in refused.stderr and "Traceback" not in refused.stderr
    done = _run(
        workspace, "measures", "explain", "lac_per_10k", "--year", "2014", "--user", "ana", "--csv"
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.strip().splitlines()
    summary = json.loads(_run(workspace, "measures", "--json").stdout)
    lac = next(m for m in summary if m["id"] == "lac_per_10k")
    numerator = next(v["numerator"] for v in lac["values"] if v["year"] == 2014)
    assert len(rows) - 1 == numerator  # one row per child looked after on 31 March
    store = open_store(workspace / "turnaround.duckdb")
    audit = store.fetchall(
        "select username, action, target from audit_log where action = 'view-identifiable'"
    )
    store.close()
    assert audit == [("ana", "view-identifiable", "measure lac_per_10k 2014")]
