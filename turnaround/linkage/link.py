"""Deduplicate standardised records into people with Splink, and find the known children.

Training recipe (unsupervised; no clerical labels are needed):

1. **Prior** (lambda, the chance two random records are the same child): counted from the
   pairs that share a valid NHS number or UPN, scaled up by ``IDENTIFIER_RECALL``, the share
   of true matches we expect those identifiers to catch (many partner records carry neither).
2. **u probabilities**: how often each level agrees by chance, from a random sample of pairs,
   which are almost all non-matches.
3. **m probabilities**: two EM sessions. The first is blocked on date of birth, so it trains
   names, address, identifiers and sex; the second is blocked on surname sound, so it trains
   date of birth (and the rest again). Between them every comparison is trained at least once.

The model is returned as Splink's JSON-able dict so that it can be stored, reviewed and
reloaded on either backend.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.settings import MATCH_THRESHOLD, linkage_settings
from turnaround.linkage.sources import SOCIAL_CARE

Backend = Literal["duckdb", "spark"]

IDENTIFIER_RECALL = 0.6
"""Share of true matching pairs that share a valid NHS number or UPN (a documented guess)."""

KEEP_PAIRS_ABOVE = 0.01
"""Pairs scored below this match probability are not kept: they are noise, and numerous."""


def _linker(
    records: pd.DataFrame, settings: SettingsCreator | dict[str, Any], backend: Backend
) -> Linker:
    """A Splink linker over ``records`` on the chosen engine."""
    table = pa.Table.from_pandas(records.loc[:, list(STANDARD_COLUMNS)], preserve_index=False)
    if backend == "spark":
        from pyspark.sql import SparkSession
        from splink import SparkAPI

        spark = SparkSession.builder.getOrCreate()
        db_api: Any = SparkAPI(spark_session=spark)
        frame = db_api.register(spark.createDataFrame(table.to_pandas()))
    else:
        db_api = DuckDBAPI(":memory:")
        frame = db_api.register(table)
    return Linker(frame, settings, log_level=logging.WARNING)


def train_model(records: pd.DataFrame, backend: Backend = "duckdb", *, seed: int = 1) -> dict:
    """Train a linkage model on standardised records, following the recipe above."""
    linker = _linker(records, linkage_settings(), backend)
    training = linker.training
    if _shares_identifier(records):
        training.estimate_probability_two_random_records_match(
            [block_on("nhs_number"), block_on("upn")], recall=IDENTIFIER_RECALL
        )
    training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    training.estimate_parameters_using_expectation_maximisation(block_on("surname_dm"))
    return linker.misc.save_model_to_json()


def _shares_identifier(records: pd.DataFrame) -> bool:
    """Whether any two records share an NHS number or UPN (else the prior stays at default)."""
    return any(records[column].dropna().duplicated().any() for column in ("nhs_number", "upn"))


def link_records(
    records: pd.DataFrame,
    model: dict,
    *,
    threshold: float = MATCH_THRESHOLD,
    backend: Backend = "duckdb",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score record pairs with a trained model and cluster them into people.

    Returns ``(pairs, clusters)`` with the ``linkage_pairs`` and ``linkage_clusters`` columns
    of ``model.py``. Pairs below ``KEEP_PAIRS_ABOVE`` are dropped; clusters join records whose
    pair scores at least ``threshold``.
    """
    linker = _linker(records, model, backend)
    predictions = linker.inference.predict(threshold_match_probability=KEEP_PAIRS_ABOVE)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    pairs = predictions.as_pandas_dataframe().loc[
        :, ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    ]
    clusters = clustered.as_pandas_dataframe().loc[:, ["unique_id", "cluster_id"]]
    clusters["cluster_id"] = clusters["cluster_id"].astype(str)
    return pairs.reset_index(drop=True), clusters.reset_index(drop=True)


def known_children(
    records: pd.DataFrame, pairs: pd.DataFrame, clusters: pd.DataFrame
) -> pd.DataFrame:
    """Which clusters contain a child known to social care (``linkage_known`` in model.py).

    ``match_probability`` is that of the best pair joining another record in the cluster to
    the social care record, or 1.0 where the cluster is the social care record alone.
    """
    social = records.loc[records["source"] == SOCIAL_CARE, ["unique_id", "record_id"]]
    known = clusters.merge(social, on="unique_id").rename(
        columns={"unique_id": "care_id", "record_id": "child_id"}
    )
    both_ways = pd.concat(
        [
            pairs.rename(columns={"unique_id_l": "care_id", "unique_id_r": "other_id"}),
            pairs.rename(columns={"unique_id_r": "care_id", "unique_id_l": "other_id"}),
        ]
    )
    in_cluster = both_ways.merge(known, on="care_id").merge(
        clusters.rename(columns={"unique_id": "other_id", "cluster_id": "other_cluster"}),
        on="other_id",
    )
    in_cluster = in_cluster[in_cluster["other_cluster"] == in_cluster["cluster_id"]]
    best = in_cluster.groupby(["cluster_id", "child_id"], as_index=False)["match_probability"].max()
    result = known.loc[:, ["cluster_id", "child_id"]].merge(
        best, on=["cluster_id", "child_id"], how="left"
    )
    result["match_probability"] = result["match_probability"].fillna(1.0)
    return result.reset_index(drop=True)
