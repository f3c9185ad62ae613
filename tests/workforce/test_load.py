"""Loading the workforce export: round trip, every bad row reported, strict loads nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import admin
from turnaround.errors import InputError, ValidationFailed
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.synth.workforce import CSV_COLUMNS
from turnaround.workforce.load import LAYOUT, TABLES, load_workforce

NAMES = ("staff", "teams", "vacancies", "allocations", "senior_roles")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=3000, seed=2), out)
    return out / "workforce"


def _counts(store: Store) -> dict[str, int]:
    names = [*TABLES.values(), "loads", "quarantine", "validation_failures"]
    return {n: store.fetchone(f"select count(*) from {n}")[0] for n in names}


def _copy(export: Path, to: Path) -> Path:
    shutil.copytree(export, to)
    return to


def _edit(folder: Path, name: str, line: int, header: str, value: str) -> None:
    path = folder / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[line - 2, header] = value
    frame.to_csv(path, index=False)


def test_the_loader_reads_the_layout_the_city_writes() -> None:
    assert {name: list(cols) for name, cols in LAYOUT.items()} == {
        name: list(cols.values()) for name, cols in CSV_COLUMNS.items()
    }


def test_a_synthetic_export_round_trips(export: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    result = load_workforce(store, export, actor=admin(store))
    assert result.failures == [] and result.rows_set_aside == 0
    assert result.year == 2014
    for name in NAMES:
        written = pd.read_csv(export / f"{name}.csv", dtype=str, keep_default_na=False)
        assert result.rows_loaded[name] == len(written) > 0

    staff = pd.read_csv(export / "staff.csv", dtype=str, keep_default_na=False)
    first = staff.iloc[0]
    row = store.fetchone(
        "select role, team_id, fte, agency, start_date, leave_date, holds_cases "
        "from workforce_staff where staff_id = ?",
        [first["Staff ID"]],
    )
    assert row is not None
    assert row[0] == first["Job Title"].lower().replace(" ", "_")
    assert row[1] == (first["Team ID"] or None)
    assert row[2] == float(first["FTE"])
    assert row[3] == (first["Agency Worker"] == "Y")
    assert row[4].strftime("%d/%m/%Y") == first["Start Date"]
    assert (row[5].strftime("%d/%m/%Y") if row[5] else "") == first["Leaving Date"]
    assert row[6] == (first["Case Holder"] == "Y")

    allocations = pd.read_csv(export / "allocations.csv", dtype=str, keep_default_na=False)
    unallocated = store.fetchone(
        "select count(*) from workforce_allocations where staff_id is null"
    )
    assert unallocated == (int((allocations["Allocated Worker ID"] == "").sum()),)
    open_cases = store.fetchone("select count(*) from workforce_allocations where end_date is null")
    assert open_cases == (int((allocations["Allocated To"] == "").sum()),)


def test_loading_again_replaces(export: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    load_workforce(store, export, actor=admin(store))
    first = _counts(store)
    load_workforce(store, export, actor=admin(store))
    assert _counts(store) == first
    assert first["loads"] == 1


def test_every_bad_row_is_reported_and_strict_loads_nothing(export: Path, tmp_path: Path) -> None:
    folder = _copy(export, tmp_path / "bad")
    _edit(folder, "staff", 3, "FTE", "1.5")
    _edit(folder, "staff", 4, "Start Date", "31/02/2012")
    _edit(folder, "teams", 2, "Team Type", "duty")
    _edit(folder, "allocations", 5, "Allocated Worker ID", "E999999")
    _edit(folder, "vacancies", 2, "Vacant FTE", "7")
    _edit(folder, "senior_roles", 2, "Role", "Chief Wizard")
    store = open_store(tmp_path / "w.duckdb")
    load_workforce(store, export, actor=admin(store))
    before = _counts(store)
    with pytest.raises(ValidationFailed) as caught:
        load_workforce(store, folder, actor=admin(store))
    found = {(Path(f.file).name, f.row, f.field, f.rule) for f in caught.value.failures}
    assert found == {
        ("staff.csv", 3, "FTE", "W-NUMBER"),
        ("staff.csv", 4, "Start Date", "W-DATE"),
        ("teams.csv", 2, "Team Type", "W-CODE"),
        ("allocations.csv", 5, "Allocated Worker ID", "W-REF"),
        ("vacancies.csv", 2, "Vacant FTE", "W-SUM"),
        ("senior_roles.csv", 2, "Role", "W-CODE"),
    }
    (allocation,) = [f for f in caught.value.failures if f.table == "allocations"]
    assert allocation.child_id and allocation.child_id.startswith("C")
    assert _counts(store) == before


def test_lenient_loads_the_good_rows_and_sets_the_rest_aside(export: Path, tmp_path: Path) -> None:
    folder = _copy(export, tmp_path / "bad")
    _edit(folder, "allocations", 5, "Allocated From", "yesterday")
    store = open_store(tmp_path / "w.duckdb")
    result = load_workforce(store, folder, mode="lenient", actor=admin(store))
    written = pd.read_csv(folder / "allocations.csv", dtype=str, keep_default_na=False)
    assert result.rows_loaded["allocations"] == len(written) - 1
    assert result.rows_set_aside == 1
    counts = _counts(store)
    assert counts["quarantine"] == 1 and counts["validation_failures"] == 1


def test_a_missing_file_or_column_is_named(export: Path, tmp_path: Path) -> None:
    folder = _copy(export, tmp_path / "short")
    (folder / "senior_roles.csv").unlink()
    with pytest.raises(InputError, match=r"senior_roles\.csv"):
        load_workforce(
            open_store(tmp_path / "a.duckdb"),
            folder,
            actor=admin(open_store(tmp_path / "a.duckdb")),
        )
    folder = _copy(export, tmp_path / "narrow")
    staff = pd.read_csv(folder / "staff.csv", dtype=str, keep_default_na=False)
    staff.drop(columns=["FTE"]).to_csv(folder / "staff.csv", index=False)
    with pytest.raises(InputError, match=r"staff\.csv: lacks columns: FTE"):
        load_workforce(
            open_store(tmp_path / "b.duckdb"),
            folder,
            actor=admin(open_store(tmp_path / "b.duckdb")),
        )
