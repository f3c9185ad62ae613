"""The whole city: byte-identical by seed, parses back, calibrated, and truth kept apart."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from turnaround.synth.city import GeneratedCity, generate_city
from turnaround.synth.config import SynthConfig

TRUTH_COLUMNS = {
    "person_id",
    "household_id",
    "risk",
    "level",
    "at_risk",
    "known_status",
    "deprivation",
    "imd_decile",
    "name_group",
}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCity:
    out = tmp_path_factory.mktemp("city")
    return generate_city(SynthConfig(children=2_000, seed=9), out)


def test_same_seed_gives_byte_identical_files(small_city: GeneratedCity, tmp_path: Path) -> None:
    again = generate_city(SynthConfig(children=2_000, seed=9), tmp_path / "again")
    first, second = _digest(small_city.out_dir), _digest(again.out_dir)
    assert first.keys() == second.keys()
    assert first == second


def test_another_seed_gives_another_city(small_city: GeneratedCity, tmp_path: Path) -> None:
    other = generate_city(SynthConfig(children=2_000, seed=10), tmp_path / "other")
    a = (small_city.out_dir / "returns/ssda903/2014/episodes.csv").read_bytes()
    b = (other.out_dir / "returns/ssda903/2014/episodes.csv").read_bytes()
    assert a != b


def test_every_year_has_every_return(small_city: GeneratedCity) -> None:
    out = small_city.out_dir / "returns"
    for year in range(2010, 2015):
        tables = {p.stem for p in (out / "ssda903" / str(year)).glob("*.csv")}
        assert {
            "header",
            "episodes",
            "reviews",
            "uasc",
            "oc2",
            "oc3",
            "ad1",
            "placed_for_adoption",
            "previous_permanence",
            "missing",
            "sw_episodes",
        } <= tables
        assert (out / "cin" / f"cin_census_{year}.xml").exists()
        assert (out / "annex_a" / f"annex_a_{year}.xlsx").exists()


def test_every_return_parses_back(small_city: GeneratedCity) -> None:
    out = small_city.out_dir / "returns"
    episodes = pd.read_csv(out / "ssda903/2014/episodes.csv", dtype=str)
    assert len(episodes) > 0
    pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y")  # raises on any other format
    root = ElementTree.parse(out / "cin/cin_census_2014.xml").getroot()
    children = root.findall("./Children/Child")
    assert len(children) > 0
    assert root.findtext("./Header/CollectionDetails/ReferenceDate") == "2014-03-31"
    workbook = load_workbook(out / "annex_a/annex_a_2014.xlsx", read_only=True)
    assert len(workbook.sheetnames) == 11
    assert workbook.sheetnames[0].startswith("List 1")


def test_episodes_in_the_return_match_the_city(small_city: GeneratedCity) -> None:
    out = small_city.out_dir / "returns/ssda903/2014/episodes.csv"
    episodes = pd.read_csv(out, dtype=str, keep_default_na=False)
    open_at_end = episodes[episodes["DEC"] == ""]["CHILD"].nunique()
    assert open_at_end == small_city.city.figures["looked_after"]


def test_no_ground_truth_leaks_into_an_extract_or_return(small_city: GeneratedCity) -> None:
    from turnaround.synth.extracts import RECORD_ID_COLUMN

    truth = small_city.city.extracts.truth
    known = small_city.city.social_care.known_children.set_index("la_child_id")["person_id"]
    for path in sorted((small_city.out_dir / "extracts").glob("*.csv")) + sorted(
        (small_city.out_dir / "returns").rglob("*.csv")
    ):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        lowered = {c.lower() for c in frame.columns}
        assert not lowered & TRUTH_COLUMNS, f"{path.name} has a truth column"
        # Row by row, no column may hold the true person id of the child on that row.
        if path.parent.name == "extracts":
            ids = truth[truth["source"] == path.stem].set_index("record_id")["person_id"]
            person = frame[RECORD_ID_COLUMN[path.stem]].map(ids)
        else:
            person = frame["CHILD"].map(known)
        assert person.notna().all(), f"{path.name}: a row with no true person"
        person = person.astype("int64").astype(str)
        for column in frame.columns:
            same = (frame[column] == person).mean() if len(frame) else 0.0
            assert same < 0.01, f"{path.name}:{column} holds the true person id"
    truth_files = {p.name for p in (small_city.out_dir / "truth").iterdir()}
    assert "record_truth.parquet" in truth_files
    assert not any(p.suffix == ".parquet" for p in (small_city.out_dir / "extracts").iterdir())


def test_truth_maps_every_extract_record(small_city: GeneratedCity) -> None:
    truth = pd.read_parquet(small_city.out_dir / "truth/record_truth.parquet")
    total = sum(len(t) for t in small_city.city.extracts.tables.values())
    assert len(truth) == total
    assert truth["person_id"].isin(small_city.city.population.children["person_id"]).all()


@pytest.fixture(scope="module")
def demo_city(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCity:
    return generate_city(SynthConfig(children=25_000, seed=1), tmp_path_factory.mktemp("demo"))


def test_demo_size_calibrates_within_statistical_tolerance(demo_city: GeneratedCity) -> None:
    """Counts within 3 Poisson standard errors (and 10%+), shares within 3 binomial ones."""
    looked_after = demo_city.city.figures["looked_after"]
    for figure in demo_city.figures:
        if figure.key == "children":
            assert figure.generated == 25_000
            continue
        if figure.low is not None:
            # A year-on-year change: held to the DfE panel's interquartile range.
            assert figure.within, f"{figure.key}: {figure.generated:.3f} not {figure.allowed}"
            continue
        if figure.unit == "count":
            allowed = max(3 * math.sqrt(figure.published), 0.10 * figure.published)
        else:
            base = (
                looked_after
                if figure.key
                in {
                    "fostered",
                    "residential",
                    "placed_for_adoption",
                    "placed_with_parents",
                    "placement_moves_3plus",
                }
                else 1_200
            )
            if figure.key == "cp_two_years":
                base = demo_city.city.figures["cp_plans"]
            if figure.key in {"vacancy", "agency_cover"}:
                base = 60
            se = math.sqrt(figure.published * (1 - figure.published) / base)
            allowed = max(3 * se, 0.01)
        assert abs(figure.generated - figure.published) <= allowed, (
            f"{figure.key}: {figure.generated:.3f} vs {figure.published:.3f} (±{allowed:.3f})"
        )


def test_unknown_at_risk_cohort_is_in_the_hundreds_at_birmingham_scale(demo_city) -> None:
    scaled = demo_city.unknown_at_risk * 281_019 / 25_000
    assert 150 <= scaled <= 1_500
