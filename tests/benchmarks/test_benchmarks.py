"""Published benchmarks: loading the DfE's tables, and comparing a council with them."""

from __future__ import annotations

import statistics
from pathlib import Path

import pandas as pd
import pytest

from tests.acting import admin
from turnaround.benchmarks import benchmarks_for, load_benchmarks
from turnaround.benchmarks.mapping import MAPPINGS, NO_BENCHMARK
from turnaround.benchmarks.read import read_benchmark_file
from turnaround.errors import InputError, NotFound, ValidationFailed
from turnaround.measures.registry import measures as all_measures
from turnaround.store import Store, open_store
from turnaround.synth.config import SynthConfig
from turnaround.synth.population_file import write_population

DFE = Path(__file__).parents[2].parent / "shared" / "data" / "dfe"
needs_dfe = pytest.mark.skipif(
    not DFE.is_dir(), reason=f"the DfE tables are not at {DFE} (../shared/data/dfe)"
)
BIRMINGHAM = "330"
B1 = "b1_children_in_need_2013_to_2025.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"


def _snapshot(store: Store) -> dict[str, int]:
    names = ("benchmark_values", "statistical_neighbours", "population", "loads")
    return {n: store.fetchone(f"select count(*) from {n}")[0] for n in names}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Store:
    if not DFE.is_dir():
        pytest.skip(f"the DfE tables are not at {DFE} (../shared/data/dfe)")
    store = open_store(tmp_path_factory.mktemp("bench") / "w.duckdb")
    load_benchmarks(store, [DFE], actor=admin(store))
    return store


def _value(store: Store, source: str, metric: str, year: int, la: str | None) -> float:
    where = "la_code = ?" if la else "geographic_level = 'National' and ?::varchar is null"
    row = store.fetchone(
        f"select value from benchmark_values where source = ? and metric = ? and year = ? "
        f"and {where}",
        [source, metric, year, la],
    )
    assert row is not None
    return float(row[0])


@needs_dfe
def test_birmingham_2014_matches_the_calibration_figures(loaded: Store) -> None:
    assert _value(loaded, "b1", "At31_episodes", 2014, BIRMINGHAM) == 9_123
    assert _value(loaded, "d5", "CPP_At31", 2014, BIRMINGHAM) == 844
    assert _value(loaded, "c1", "referral_count", 2014, BIRMINGHAM) == 13_815
    assert _value(loaded, "c1", "rereferral_percent", 2014, BIRMINGHAM) == 13.8
    assert _value(loaded, "d5", "CPP_At31", 2014, None) == 48_300
    # The mid-2013 estimate is the denominator for 2013-14.
    row = loaded.fetchone(
        "select children, source from population where year = 2014 and la_code = ?", [BIRMINGHAM]
    )
    assert row == (281_019, "ons")


@needs_dfe
def test_birmingham_beside_england_region_and_neighbours_in_2014(loaded: Store) -> None:
    found = {
        b.measure_id: b
        for b in benchmarks_for(loaded, BIRMINGHAM, ["cin_per_10k", "rereferrals_12m"])
        if b.year == 2014
    }
    cin = found["cin_per_10k"]
    assert cin.council == pytest.approx(9_123 / 281_019 * 10_000)  # 325 in CALIBRATION.md
    assert round(cin.council) == 325
    assert cin.region_name == "West Midlands"
    rereferrals = found["rereferrals_12m"]
    assert (rereferrals.council, rereferrals.england) == (13.8, 23.5)
    # Birmingham's ten neighbours' re-referral rates in 2014, read from the C1 table by hand.
    by_hand = {
        "821": 11.0,  # Luton
        "333": 18.1,  # Sandwell
        "336": 26.9,  # Wolverhampton
        "892": 31.4,  # Nottingham
        "352": 31.9,  # Manchester
        "335": 26.9,  # Walsall
        "308": 15.4,  # Enfield
        "831": 12.4,  # Derby
        "320": 18.6,  # Waltham Forest
        "380": 16.6,  # Bradford
    }
    # Sorted: 11.0 12.4 15.4 16.6 18.1 | 18.6 26.9 26.9 31.4 31.9, so the median is 18.35.
    c1 = pd.read_csv(DFE / C1, dtype=str)
    in_2014 = c1[(c1["time_period"] == "2014") & c1["old_la_code"].isin(list(by_hand))]
    published = in_2014.set_index("old_la_code")["rereferral_percent"].astype(float)
    assert published.to_dict() == by_hand
    assert rereferrals.neighbours == 10
    assert rereferrals.neighbours_median == pytest.approx(statistics.median(by_hand.values()))
    assert rereferrals.neighbours_median == pytest.approx(18.35)
    assert rereferrals.note is None


@needs_dfe
def test_england_cp_rate_in_2014_uses_the_mid_2013_population(loaded: Store) -> None:
    (cp,) = [b for b in benchmarks_for(loaded, BIRMINGHAM, ["cp_plans_per_10k"]) if b.year == 2014]
    assert cp.england is not None and round(cp.england, 1) == 42.1
    assert cp.council is not None and round(cp.council, 1) == 30.0


@needs_dfe
def test_a_measure_with_no_published_figure_says_why(loaded: Store) -> None:
    (s47,) = benchmarks_for(loaded, BIRMINGHAM, ["s47_per_10k"])
    assert s47.england is None and s47.neighbours_median is None
    assert s47.note and "Section 47" in s47.note
    (unknown,) = benchmarks_for(loaded, BIRMINGHAM, ["no_such_measure"], years=[2014])
    assert unknown.year == 2014 and unknown.note and "no_such_measure" in unknown.note


@needs_dfe
def test_missing_neighbours_and_suppressed_figures_are_explained(loaded: Store) -> None:
    (open_long,) = [
        b
        for b in benchmarks_for(loaded, BIRMINGHAM, ["cp_plans_open_2_years_plus"])
        if b.year == 2014
    ]
    assert 0 < open_long.neighbours < 10
    assert open_long.note and f"{open_long.neighbours} of 10" in open_long.note
    (nowhere,) = [b for b in benchmarks_for(loaded, "999", ["cin_per_10k"]) if b.year == 2014]
    assert nowhere.council is None and nowhere.region is None
    assert nowhere.england is not None
    assert nowhere.note and "not in the published tables" in nowhere.note


def test_nothing_loaded_is_a_clear_error(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(NotFound, match="benchmarks load"):
        benchmarks_for(store, BIRMINGHAM)


@needs_dfe
def test_reloading_replaces_and_never_duplicates(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    files = [DFE / B1, DFE / ONS, DFE / "New_Statistical_Neighbour_Groupings_April_2021.csv"]
    load_benchmarks(store, files, actor=admin(store))
    first = _snapshot(store)
    load_benchmarks(store, files, actor=admin(store))
    assert _snapshot(store) == first
    audits = store.fetchone("select count(*) from audit_log where action = 'load-data'")
    assert audits == (2,)


@needs_dfe
def test_a_missing_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    frame = pd.read_csv(DFE / C1, dtype=str, keep_default_na=False)
    bad = tmp_path / "c1.csv"
    frame.drop(columns=["rereferral_percent", "region_name"]).to_csv(bad, index=False)
    store = open_store(tmp_path / "w.duckdb")
    load_benchmarks(store, [DFE / B1], actor=admin(store))
    before = _snapshot(store)
    with pytest.raises(InputError, match=r"c1\.csv.*region_name, rereferral_percent"):
        load_benchmarks(store, [DFE / B1, bad], actor=admin(store))
    assert _snapshot(store) == before


def _tiny_c1(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_count,"
        "rereferral_percent"
    )
    lines = [header]
    for level, code, count, percent in rows:
        region = "," if level == "National" else "E12000005,West Midlands"
        la = f"{code},E0800,Town" if code else ",,"
        lines.append(
            f"2014,Reporting year,{level},E92000001,England,{region},{la},"
            f"Referrals and Re-referrals,{count},1,{percent}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_suppression_markers_are_missing_not_zero(tmp_path: Path) -> None:
    markers = ["c", "z", "x", "low", ":", "u", "k", ".."]
    path = _tiny_c1(
        tmp_path / "c1.csv",
        [("National", "", "100", "20.5")]
        + [("Local authority", str(800 + i), m, m) for i, m in enumerate(markers)],
    )
    read = read_benchmark_file(path)
    assert read.source == "c1" and read.failures == []
    council = read.values[read.values["geographic_level"] == "Local authority"]
    counts = council[council["metric"].isin(["referral_count", "rereferral_percent"])]
    assert len(counts) == 2 * len(markers)
    assert counts["value"].isna().all()
    store = open_store(tmp_path / "w.duckdb")
    load_benchmarks(store, [path], actor=admin(store))
    assert store.fetchone(
        "select count(*), count(value) from benchmark_values "
        "where geographic_level = 'Local authority' and metric = 'referral_count'"
    ) == (len(markers), 0)


def test_a_bad_number_names_file_row_and_field_and_loads_nothing(tmp_path: Path) -> None:
    path = _tiny_c1(
        tmp_path / "c1.csv",
        [("National", "", "100", "20.5"), ("Local authority", "801", "12a", "9.1")],
    )
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValidationFailed) as caught:
        load_benchmarks(store, [path], actor=admin(store))
    (failure,) = caught.value.failures
    assert (Path(failure.file).name, failure.row, failure.field) == ("c1.csv", 3, "referral_count")
    assert store.fetchone("select count(*) from benchmark_values") == (0,)


def test_an_unknown_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"other\.csv: is not a DfE table"):
        read_benchmark_file(path)


@needs_dfe
def test_the_synthetic_citys_population_is_its_own_denominator(tmp_path: Path) -> None:
    config = SynthConfig(children=500, seed=1)
    children = pd.DataFrame(
        {
            "dob": pd.to_datetime(["2000-01-01", "2010-07-01", "1994-06-29", "2012-01-01"]),
            "arrived": pd.to_datetime(["2000-01-01", "2010-07-01", "1994-06-29", "2013-07-01"]),
            "left": pd.to_datetime([None, "2012-01-01", None, None]),
        }
    )
    path = write_population(config, children, tmp_path / "population")
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    published = pd.read_csv(DFE / ONS, dtype=str, keep_default_na=False)
    assert list(written.columns) == list(published.columns)
    assert list(written["time_period"]) == ["2013", "2012", "2011", "2010", "2009"]
    # By hand: the second is born 1 July 2010 and leaves in 2012; the third turns 18 on
    # 29 June 2012; the fourth arrives on 1 July 2013, the day after the last estimate.
    assert list(written["population_estimate"]) == ["1", "1", "3", "2", "2"]

    store = open_store(tmp_path / "w.duckdb")
    load_benchmarks(store, [path], actor=admin(store))
    load_benchmarks(
        store, [DFE / ONS], actor=admin(store)
    )  # the national publication does not overwrite it
    rows = store.fetchall(
        "select year, children, source from population where la_code = ? and year <= 2014 "
        "order by year",
        [config.la_code],
    )
    assert rows == [
        (2010, 2, "local"),
        (2011, 2, "local"),
        (2012, 3, "local"),
        (2013, 1, "local"),
        (2014, 1, "local"),
    ]
    published_2014 = store.fetchone(
        "select value from benchmark_values where source = 'ons_population' and year = 2014 "
        "and la_code = ?",
        [config.la_code],
    )
    assert published_2014 == (281_019,)


def test_the_mapping_agrees_with_the_measures_headers() -> None:
    measures = {m.id: m for m in all_measures()}
    for measure_id, mapping in MAPPINGS.items():
        measure = measures.get(measure_id)
        if measure is None or not measure.benchmark or measure.benchmark == "none":
            continue
        table, _, column = measure.benchmark.partition(".")
        assert table == mapping.source, measure_id
        assert column == mapping.metric or column in (mapping.category or ""), measure_id
    for measure_id in NO_BENCHMARK:
        assert measure_id not in MAPPINGS
        measure = measures.get(measure_id)
        assert (
            measure is None
            or measure.benchmark in (None, "none")
            or "c2" in (measure.benchmark or "")
        )
