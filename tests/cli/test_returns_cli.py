"""`turnaround validate` and `turnaround load`, run as a person would, on real files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import ADMIN, admin
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2_000, seed=6), out)
    return out / "returns"


def _workspace(tmp_path: Path) -> Path:
    """A workspace whose store has an administrator, ``admin``, to load as."""
    ws = tmp_path / "ws"
    store = open_store(ws / "turnaround.duckdb")
    admin(store)
    store.close()
    return ws


def _run(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnaround", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def _plant_errors(returns: Path, tmp_path: Path) -> Path:
    """A copy of 2014's SSDA903 with four planted errors of different kinds."""
    folder = tmp_path / "2014"
    shutil.copytree(returns / "ssda903" / "2014", folder)
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    closed = episodes.index[episodes["DEC"] != ""]
    episodes.loc[closed[0], "DEC"] = "01/01/2000"  # 356: ends before it starts
    episodes.loc[closed[1], "PLACE"] = "Q9"  # S-CODE: no such placement
    episodes.loc[closed[2], "DECOM"] = "2013-06-01 00:00:00"  # S-DATE-EXCEL
    episodes.to_csv(folder / "episodes.csv", index=False, lineterminator="\n")
    header = pd.read_csv(folder / "header.csv", dtype=str, keep_default_na=False)
    header.loc[0, "ETHNIC"] = "XXXX"  # S-CODE in another table
    header.to_csv(folder / "header.csv", index=False, lineterminator="\n")
    return folder


def test_validate_lists_every_planted_error(returns: Path, tmp_path: Path) -> None:
    broken = _plant_errors(returns, tmp_path)
    done = _run("validate", str(broken), workspace=tmp_path / "ws")
    assert done.returncode == 1, done.stderr
    for code in ("356", "S-CODE", "S-DATE-EXCEL"):
        assert code in done.stdout, f"{code} missing from:\n{done.stdout}"
    report = pd.read_csv(tmp_path / "ws" / "validation" / "validation.csv", dtype=str)
    planted = report[report["Rule"].isin(["356", "S-CODE", "S-DATE-EXCEL"])]
    assert set(planted["File"]) == {"2014/episodes.csv", "2014/header.csv"}
    assert len(planted[planted["Rule"] == "S-CODE"]) == 2
    assert (tmp_path / "ws" / "validation" / "validation.xlsx").exists()


def test_a_clean_return_validates_and_loads(returns: Path, tmp_path: Path) -> None:
    done = _run("validate", str(returns / "ssda903" / "2014"), workspace=tmp_path / "ws")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout
    ws = _workspace(tmp_path)
    nobody = _run("load", str(returns), workspace=ws)
    assert nobody.returncode == 1 and "needs a named user" in nobody.stderr
    done = _run("load", str(returns), "--user", ADMIN, workspace=ws)
    assert done.returncode == 0, done.stderr
    assert "cin" in done.stdout and "annex_a" in done.stdout


def test_a_strict_load_of_a_broken_return_says_so_in_one_line(
    returns: Path, tmp_path: Path
) -> None:
    broken = _plant_errors(returns, tmp_path)
    done = _run("load", str(broken), "--user", ADMIN, workspace=_workspace(tmp_path))
    assert done.returncode == 1
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "nothing was loaded" in lines[0]
    assert "Traceback" not in done.stderr


THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"


@pytest.mark.skipif(
    not (THIRDPARTY / "d2i903_xml").is_dir(), reason=f"no third-party samples at {THIRDPARTY}"
)
def test_a_lenient_load_says_per_table_what_the_store_holds_and_where_the_report_is(
    tmp_path: Path,
) -> None:
    workspace = _workspace(tmp_path)
    run = _run("load", str(THIRDPARTY / "d2i903_xml" / "fake_903.xml"), "--lenient",
               "--user", ADMIN, workspace=workspace)  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = {
        cells[3]: (cells[4], cells[5])
        for line in run.stdout.splitlines()
        if len(cells := [c.strip() for c in line.split("│")]) == 7 and cells[1] == "ssda903"
    }
    store = open_store(workspace / "turnaround.duckdb")
    for table, stored in (("Header", "ssda903_header"), ("Episodes", "ssda903_episodes")):
        held = store.scalar(f"select count(*) from {stored}")
        aside = store.scalar("select count(*) from quarantine where table_name = ?",
                             [stored.removeprefix("ssda903_")])  # fmt: skip
        assert rows[table] == (f"{held:,}", f"{aside:,}")
    assert rows["Header"] == ("6", "247")  # of 253 headers, 247 break rule 168 (UPN check)
    report = workspace / "validation" / "validation.csv"
    assert str(report) in run.stdout.replace("\n", "") and report.exists()
