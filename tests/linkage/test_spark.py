"""Linkage on Spark (local mode) agrees with linkage on DuckDB.

The model is trained once, on DuckDB, and the same model links the same records on both
engines. Marked ``spark``: opt-in locally (``make test-spark``), always run in CI.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from turnaround.errors import ConfigError
from turnaround.linkage.link import link_records, train_model
from turnaround.linkage.settings import MATCH_THRESHOLD, linkage_settings
from turnaround.linkage.sources import city_sources
from turnaround.linkage.spark import local_session, model_for_spark, records_to_spark
from turnaround.linkage.standardise import read_source
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

SWAPPED = "planted:swapped"
ONE_DIGIT = "planted:one_digit"

Linked = tuple[pd.DataFrame, pd.DataFrame]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """A small synthetic city's partner and social care records, plus two planted copies.

    The copies are of one record whose day of birth is 12 or less, without identifiers, so
    that only the date of birth levels can tell them apart: one with day and month swapped,
    one with a single digit of the date wrong. Each copy's record_id is the original's id.
    """
    city = tmp_path_factory.mktemp("city")
    config = SynthConfig(children=1500, seed=11)
    generate_city(config, city)
    frames = [
        read_source(path, mapping, event_date=day)
        for path, mapping, day in city_sources(city, config.end_year)
    ]
    found = pd.concat(frames, ignore_index=True)
    born = found["dob"].dt.day.le(12) & found["dob"].dt.day.ne(found["dob"].dt.month)
    chosen = found[born & found["nhs_number"].notna()].iloc[0]
    dob = chosen["dob"]
    swapped = chosen.copy()
    swapped[["unique_id", "dob", "dob_swapped"]] = [
        SWAPPED, dob.replace(day=dob.month, month=dob.day), dob
    ]  # fmt: skip
    one_digit = chosen.copy()
    wrong = dob + dt.timedelta(days=1) if dob.day % 10 != 9 else dob - dt.timedelta(days=1)
    one_digit[["unique_id", "dob", "dob_swapped"]] = [ONE_DIGIT, wrong, None]
    planted = pd.DataFrame([swapped, one_digit]).astype(found.dtypes.to_dict())
    planted[["source", "record_id", "nhs_number", "upn"]] = [
        "planted", chosen["unique_id"], None, None
    ]  # fmt: skip
    return pd.concat([found, planted], ignore_index=True)


@pytest.fixture(scope="module")
def model(records: pd.DataFrame) -> dict:
    return train_model(records)


@pytest.fixture(scope="module")
def on_duckdb(records: pd.DataFrame, model: dict) -> Linked:
    return link_records(records, model)


@pytest.fixture(scope="module")
def on_spark(records: pd.DataFrame, model: dict) -> Linked:
    # A JSON round trip, as a stored model would make.
    return link_records(records, json.loads(json.dumps(model)), backend="spark")


def partition(clusters: pd.DataFrame) -> set[frozenset[str]]:
    """Clusters as sets of records, whatever the engine named them."""
    return {frozenset(ids) for ids in clusters.groupby("cluster_id")["unique_id"].agg(list)}


def cluster_of(clusters: pd.DataFrame, unique_id: str) -> str:
    return str(clusters.loc[clusters["unique_id"] == unique_id, "cluster_id"].iloc[0])


def pair(pairs: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    ids = pairs[["unique_id_l", "unique_id_r"]]
    return pairs[((ids["unique_id_l"] == a) & (ids["unique_id_r"] == b)) | (
        (ids["unique_id_l"] == b) & (ids["unique_id_r"] == a)
    )]  # fmt: skip


@pytest.mark.spark
def test_spark_finds_the_same_people_as_duckdb(on_duckdb: Linked, on_spark: Linked) -> None:
    (_, duck), (_, spark) = on_duckdb, on_spark
    assert len(spark) == len(duck)
    assert partition(spark) == partition(duck)


@pytest.mark.spark
def test_spark_scores_the_same_pairs_alike(on_duckdb: Linked, on_spark: Linked) -> None:
    (duck, _), (spark, _) = on_duckdb, on_spark
    both = duck.merge(spark, on=["unique_id_l", "unique_id_r"], suffixes=("_duck", "_spark"))
    assert len(both) == len(duck) == len(spark)
    gap = (both["match_probability_duck"] - both["match_probability_spark"]).abs()
    # Splink's Jaro-Winkler on Spark counts half transpositions where DuckDB's rounds them
    # down (SHAMI / AL-SHAMI scores 0.775 against 0.808), so a pair near a similarity
    # threshold can land one level apart. Everything else must agree to rounding.
    assert (gap < 1e-9).mean() > 0.995
    assert ((both["match_probability_duck"] >= MATCH_THRESHOLD) == (
        both["match_probability_spark"] >= MATCH_THRESHOLD
    )).mean() > 0.999  # fmt: skip


@pytest.mark.spark
@pytest.mark.parametrize("planted", [SWAPPED, ONE_DIGIT])
def test_a_date_of_birth_slip_is_found_on_spark_as_on_duckdb(
    records: pd.DataFrame, on_duckdb: Linked, on_spark: Linked, planted: str
) -> None:
    first = str(records.loc[records["unique_id"] == planted, "record_id"].iloc[0])
    duck = pair(on_duckdb[0], first, planted)["match_probability"]
    spark = pair(on_spark[0], first, planted)["match_probability"]
    assert len(duck) == len(spark) == 1
    assert float(spark.iloc[0]) == pytest.approx(float(duck.iloc[0]), abs=1e-9)
    assert float(spark.iloc[0]) >= MATCH_THRESHOLD
    assert cluster_of(on_spark[1], first) == cluster_of(on_spark[1], planted)


@pytest.mark.spark
def test_dates_reach_spark_as_dates_and_read_as_on_duckdb(records: pd.DataFrame) -> None:
    sample = records.dropna(subset=["dob", "dob_swapped"]).head(50).copy()
    # A caller may hand over pandas timestamps; they must still arrive as dates.
    sample["event_date"] = pd.to_datetime(sample["event_date"].astype("datetime64[s]"))
    frame = records_to_spark(local_session(), sample)
    kinds = dict(frame.dtypes)
    assert [kinds[name] for name in ("event_date", "dob", "dob_swapped")] == ["date"] * 3
    frame.createOrReplaceTempView("dates_sample")
    sql = (
        "select unique_id, cast(dob as string) as dob, cast(event_date as string) as event, "
        "year(dob) as born from dates_sample order by unique_id"
    )
    on_spark = [tuple(row) for row in local_session().sql(sql).collect()]
    store = duckdb.connect()
    store.register(
        "dates_sample",
        sample.assign(event_date=sample["event_date"].dt.date.astype("date32[pyarrow]")),
    )
    on_duckdb = store.sql(sql).fetchall()
    assert on_spark == on_duckdb
    assert all(len(row[1]) == len("2014-03-05") for row in on_spark)


def test_a_model_from_other_settings_is_refused_for_spark() -> None:
    model = linkage_settings().create_settings_dict("duckdb")
    model["comparisons"][0]["comparison_levels"][1]["sql_condition"] = '"x_l" = "x_r"'
    with pytest.raises(ConfigError, match="train the model again"):
        model_for_spark(model)


def test_a_model_is_rewritten_in_sparks_dialect() -> None:
    model = linkage_settings().create_settings_dict("duckdb") | {"sql_dialect": "duckdb"}
    model["comparisons"][0]["comparison_levels"][1]["m_probability"] = 0.9
    spark = model_for_spark(model)
    assert spark["sql_dialect"] == "spark"
    assert spark["comparisons"][0]["comparison_levels"][1]["m_probability"] == 0.9
    conditions = [
        level["sql_condition"]
        for comparison in spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    assert not any('"' in condition for condition in conditions)
    assert not any("jaro_winkler_similarity" in condition for condition in conditions)
    assert model["sql_dialect"] == "duckdb", "the model passed in is left as it was"


def test_missing_java_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'turnaround\[spark\]'"):
        local_session()
