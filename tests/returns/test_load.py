"""Loading: one transaction, strict and lenient, replace not duplicate, cleaned episodes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.access import Actor, add_user
from turnaround.errors import InputError, PermissionDenied, ValidationFailed
from turnaround.returns.canonical import SPECS, canonical_ddl, create_table_sql, store_table
from turnaround.returns.load import load_returns, validate_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

MIGRATIONS = Path(__file__).parents[2] / "turnaround" / "store" / "migrations"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(SynthConfig(children=2_000, seed=4), out)
    return out / "returns"


def _snapshot(store) -> dict[str, int]:
    names = [store_table(k, t) for k, tables in SPECS.items() for t in tables]
    names += ["loads", "validation_failures", "quarantine", "ssda903_episodes_clean", "audit_log"]
    return {n: store.fetchone(f"select count(*) from {n}")[0] for n in names}


def test_the_migrations_match_the_canonical_specification() -> None:
    sql = (MIGRATIONS / "0003_canonical_returns.sql").read_text(encoding="utf-8")
    later = (MIGRATIONS / "0011_ssda903_dolo_extra_columns.sql").read_text(encoding="utf-8")
    dolo = create_table_sql("ssda903", "dolo", SPECS["ssda903"]["dolo"])
    assert dolo in later and dolo not in sql
    assert canonical_ddl().replace(dolo + "\n", "") in sql


def test_the_synthetic_city_validates_without_errors(city: Path) -> None:
    report = validate_returns([city / "ssda903" / "2014", city / "cin" / "cin_census_2014.xml"])
    assert [f for f in report.errors] == []
    assert {(r.kind, r.year) for r in report.returns} == {("ssda903", 2014), ("cin", 2014)}


def test_loading_every_year_then_again_replaces_and_never_duplicates(
    city: Path, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "w.duckdb")
    first = load_returns(store, [city], actor=admin(store))
    assert {(r.kind, r.year) for r in first.loaded} == {
        (kind, year) for kind in ("ssda903", "cin", "annex_a") for year in range(2010, 2015)
    }
    counts = _snapshot(store)
    assert counts["ssda903_episodes"] > 0 and counts["cin_episodes"] > 0
    assert counts["annex_a_list1_contacts"] > 0
    load_returns(store, [city], actor=admin(store))
    again = _snapshot(store)
    assert again.pop("audit_log") == counts.pop("audit_log") + 1
    assert again == counts
    loaded = store.fetchone("select count(*) from loads")[0]
    assert loaded == 15


def test_the_cleaned_history_keeps_each_episode_once(city: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    load_returns(store, [city / "ssda903"], actor=admin(store))
    dupes = store.fetchone(
        "select count(*) from (select child, decom from ssda903_episodes_clean "
        "group by all having count(*) > 1)"
    )[0]
    assert dupes == 0
    raw, clean = store.fetchone(
        "select (select count(*) from ssda903_episodes), (select count(*) from "
        "ssda903_episodes_clean)"
    )
    assert clean < raw  # episodes repeated across years are kept once


def _broken_copy(city: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "2014"
    shutil.copytree(city / "ssda903" / "2014", folder)
    episodes = folder / "episodes.csv"
    lines = episodes.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    fields = lines[1].split(",")
    fields[header.index("DEC")] = "01/01/2000"  # ends before it starts
    lines[1] = ",".join(fields)
    fields = lines[2].split(",")
    fields[header.index("PLACE")] = "Q9"  # not a placement code
    lines[2] = ",".join(fields)
    episodes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_strict_load_of_a_broken_return_loads_nothing(city: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    load_returns(store, [city / "ssda903" / "2013"], actor=admin(store))
    before = _snapshot(store)
    with pytest.raises(ValidationFailed) as info:
        load_returns(store, [_broken_copy(city, tmp_path)], year=2014, actor=admin(store))
    rules = {f.rule for f in info.value.failures}
    assert "S-CODE" in rules and "356" in rules  # every planted error, not only the first
    after = _snapshot(store)
    # The refusal is one audit record; nothing else was written.
    assert after.pop("audit_log") == before.pop("audit_log") + 1
    assert after == before
    reason = str(store.scalar("select reason from audit_log order by audit_id desc limit 1"))
    assert reason.startswith("refused: ") and "nothing was loaded" in reason


def test_a_lenient_load_quarantines_only_the_failing_rows(city: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    broken = _broken_copy(city, tmp_path)
    rows_in_file = len((broken / "episodes.csv").read_text().splitlines()) - 1
    result = load_returns(store, [broken], year=2014, mode="lenient", actor=admin(store))
    assert result.loaded[0].rows_quarantined >= 2
    loaded = store.fetchone("select count(*) from ssda903_episodes")[0]
    quarantined = store.fetchone("select count(*) from quarantine where table_name = 'episodes'")[0]
    assert loaded + quarantined == rows_in_file  # nothing lost
    rules = store.fetchone("select string_agg(rules, ',') from quarantine")[0]
    assert "356" in rules and "S-CODE" in rules


def test_an_unreadable_file_leaves_the_store_as_it_was(city: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    load_returns(store, [city / "cin" / "cin_census_2013.xml"], actor=admin(store))
    before = _snapshot(store)
    truncated = tmp_path / "cin_census_2014.xml"
    text = (city / "cin" / "cin_census_2014.xml").read_text(encoding="utf-8")
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match=r"cin_census_2014\.xml"):
        load_returns(store, [city / "ssda903" / "2014", truncated], actor=admin(store))
    after = _snapshot(store)
    assert after.pop("audit_log") == before.pop("audit_log") + 1  # the refusal, recorded
    assert after == before


def test_a_load_is_checked_and_audited_once_with_its_origin(city: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    admin(store)
    add_user(store, "rev", "safeguarding_reviewer")
    add_user(store, "ana", "analyst")
    before = _snapshot(store)
    with pytest.raises(PermissionDenied, match="load-data"):
        load_returns(store, [city / "cin" / "cin_census_2014.xml"], actor=Actor.cli("rev"))
    assert _snapshot(store) == before
    load_returns(store, [city / "cin" / "cin_census_2014.xml"], actor=Actor.web("ana", "10.0.0.7"))
    rows = store.fetchall("select username, action, target, reason, origin from audit_log")
    assert rows == [("ana", "load-data", "cin 2014", "strict load of 1 path(s)", "web 10.0.0.7")]
    assert store.scalar("select loaded_by from loads") == "ana"
