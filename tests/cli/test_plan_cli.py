"""`turnaround plan` as a new user would run it: check, commit, history, progress, render."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from tests.acting import admin
from turnaround.access import add_user
from turnaround.benchmarks import load_benchmarks
from turnaround.measures.summary import set_council
from turnaround.plan.rules import demo_plan_path
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce.load import load_workforce

POOR = Path(__file__).parents[1] / "plan" / "fixtures" / "poor.yaml"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    generate_city(SynthConfig(children=2_000, seed=8), ws / "city")
    store = open_store(ws / "turnaround.duckdb")
    load_returns(store, [ws / "city" / "returns"], actor=admin(store))
    load_workforce(store, ws / "city" / "workforce", actor=admin(store))
    load_benchmarks(store, [ws / "city" / "population"], actor=admin(store))
    set_council(store, "330")
    add_user(store, "ana", "analyst")
    add_user(store, "tom", "team_manager")
    store.close()
    return ws


def _run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnaround", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def test_the_poor_plan_fails_with_its_faults_listed_by_line(workspace: Path) -> None:
    done = _run(workspace, "plan", "check", str(POOR))
    assert done.returncode == 1
    for code in ("C-CYCLE", "C-OWNER", "C-DUE", "P-JARGON", "P-PASSIVE", "P-ACRONYM", "P-LONG"):
        assert code in done.stdout, code
    assert "12 errors" in done.stdout
    assert "poor.yaml:line " in done.stdout


def test_the_demo_plan_passes_and_json_says_so(workspace: Path) -> None:
    done = _run(workspace, "plan", "check", str(demo_plan_path()), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["findings"] == []


def test_a_schema_problem_is_reported_with_its_line(workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(demo_plan_path().read_text().replace("start: 2013-04-01", "start: 2013-13-01"))
    done = _run(workspace, "plan", "check", str(bad))
    assert done.returncode == 1
    assert "line 5, start:" in done.stderr
    assert "Traceback" not in done.stderr


def test_commit_refuses_a_plan_with_errors_listing_them(workspace: Path) -> None:
    done = _run(workspace, "plan", "commit", str(POOR), "--user", "ana")
    assert done.returncode == 1
    assert "C-CYCLE" in done.stderr and "C-OWNER" in done.stderr
    assert "fix them before checking it in" in done.stderr
    assert "Traceback" not in done.stderr
    history = _run(workspace, "plan", "history", "--json")
    assert json.loads(history.stdout) == []


def test_commit_needs_edit_plan_then_progress_and_render_work(workspace: Path) -> None:
    refused = _run(workspace, "plan", "commit", str(demo_plan_path()), "--user", "tom")
    assert refused.returncode == 1
    assert "edit-plan" in refused.stderr

    first = _run(
        workspace, "plan", "commit", str(demo_plan_path()), "--user", "ana", "--note", "v1"
    )
    assert first.returncode == 0, first.stderr
    assert "checked in plan version 1" in first.stdout
    again = _run(workspace, "plan", "commit", str(demo_plan_path()), "--user", "ana")
    assert "unchanged since version 1" in again.stdout

    history = _run(workspace, "plan", "history", "--json")
    versions = json.loads(history.stdout)
    assert [(v["version"], v["checked_in_by"], v["note"]) for v in versions] == [(1, "ana", "v1")]

    progress = _run(workspace, "plan", "progress", "--user", "tom", "--json")
    assert progress.returncode == 0, progress.stderr
    report = json.loads(progress.stdout)
    assert report["version"] == 1
    assert report["progress"]["as_at"] == "2014-03-31"
    ratings = {m["rating"] for m in report["progress"]["measures"]}
    assert ratings <= {"on track", "at risk", "off track", "no data"}
    assert len(report["progress"]["measures"]) == 12

    later = _run(workspace, "plan", "progress", "--user", "tom", "--as-at", "2015-06-30")
    assert later.returncode == 0, later.stderr
    assert "Changed since report 1" in later.stdout
    assert "Now overdue" in later.stdout

    out = workspace / "pack"
    render = _run(workspace, "plan", "render", "--user", "tom", "--out", str(out))
    assert render.returncode == 0, render.stderr
    assert len(pypdf.PdfReader(out / "route-map.pdf").pages) == 1
    html = (out / "route-map.html").read_text()
    assert "Find the children at risk we do not know about." in html
    assert (out / "board-report.pdf").stat().st_size > 0
    assert (out / "teams" / "front-door.html").is_file()


def test_progress_without_a_plan_says_how_to_check_one_in(tmp_path: Path) -> None:
    store = open_store(tmp_path / "turnaround.duckdb")
    add_user(store, "ana", "analyst")
    store.close()
    done = _run(tmp_path, "plan", "progress", "--user", "ana")
    assert done.returncode == 1
    assert "turnaround plan commit" in done.stderr
