"""`turnaround load` takes the workforce export beside the returns, strict and lenient."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.test_returns_cli import _run, _workspace
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2_000, seed=6, years=1), out)
    return out


def test_load_takes_the_returns_and_the_workforce_together(city: Path, tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    done = _run(
        "load", str(city / "returns"), str(city / "workforce"), "--user", "admin", workspace=ws
    )
    assert done.returncode == 0, done.stderr
    assert "workforce" in done.stdout and "cin" in done.stdout
    store = open_store(ws / "turnaround.duckdb")
    staff = pd.read_csv(city / "workforce" / "staff.csv", dtype=str)
    assert store.fetchone("select count(*) from workforce_staff") == (len(staff),)


def test_a_hostile_export_is_refused_strictly_and_quarantined_leniently(
    city: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "workforce"
    shutil.copytree(city / "workforce", folder)
    staff = pd.read_csv(folder / "staff.csv", dtype=str, keep_default_na=False)
    staff.loc[1, "FTE"] = "1.5"  # line 3
    staff.loc[3, "Job Title"] = "Chief Wizard"  # line 5
    staff.drop(columns=["Grade"]).to_csv(folder / "staff.csv", index=False)
    ws = _workspace(tmp_path)
    refused = _run("load", str(folder), "--user", "admin", workspace=ws)
    assert refused.returncode == 1
    last = refused.stderr.strip().splitlines()[-1]
    assert "nothing was loaded" in last and "staff.csv row 3 field FTE" in last
    assert "Traceback" not in refused.stderr
    store = open_store(ws / "turnaround.duckdb")
    assert store.fetchone("select count(*) from workforce_staff") == (0,)
    store.close()

    loaded = _run("load", str(folder), "--lenient", "--user", "admin", workspace=ws)
    assert loaded.returncode == 0, loaded.stderr
    store = open_store(ws / "turnaround.duckdb")
    assert store.fetchall(
        "select source_row, rules from quarantine where kind = 'workforce' order by 1"
    ) == [(3, "W-NUMBER"), (5, "W-CODE")]
    assert store.fetchone("select count(*) from workforce_staff") == (len(staff) - 2,)
    assert store.fetchone(
        "select count(*) from validation_failures where rule = 'W-COLUMN' and field = 'Grade'"
    ) == (1,)
