"""Deduplicate standardised records into people with Splink, and find the known children.

Training recipe (unsupervised; no clerical labels are needed):

1. **Prior** (lambda, the chance two random records are the same child): counted from the
   pairs that share a valid NHS number or UPN, scaled up by ``IDENTIFIER_RECALL``, the share
   of true matches we expect those identifiers to catch (many partner records carry neither).
2. **u probabilities**: how often each level agrees by chance, from a random sample of
   ``U_MAX_PAIRS`` pairs, which are almost all non-matches.
3. **m probabilities**: two EM sessions (``settings.training_blocking_rules``). The first is
   blocked on date of birth, so it trains names, address, identifiers and sex; the second on
   both names' sounds, so it trains date of birth (and address, identifiers and sex again).
   Between them every comparison is trained at least once. Each session samples its blocked
   pairs down to ``EM_MAX_PAIRS`` (Splink's hash-based sampling, so it is repeatable): at
   Birmingham scale a date of birth alone admits 95 million pairs. The second session is not
   blocked on surname sound alone, as it once was: that admits billions of pairs at scale,
   and so many brothers and sisters that EM took them for one child and learnt that a
   child's records disagree on date of birth a third of the time (the truth is 1 in 2,000).

Design notes for scale (1.2 million records, 2 cores): linking runs in an in-memory DuckDB
capped at ``DUCKDB_MEMORY_LIMIT`` that spills to a temporary folder beyond it, and only the
output columns are fetched from it (the predictions carry every compared column twice over).

The model is returned as Splink's JSON-able dict so that it can be stored, reviewed and
reloaded on either backend.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import duckdb
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException
from splink.internals.splink_dataframe import SplinkDataFrame

from turnaround.errors import BackendError
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.settings import (
    EM_MAX_PAIRS,
    MATCH_THRESHOLD,
    U_MAX_PAIRS,
    linkage_settings,
    training_blocking_rules,
)
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.store.backend import DuckDBBackend

Backend = Literal["duckdb", "spark"]

IDENTIFIER_RECALL = 0.6
"""Share of true matching pairs that share a valid NHS number or UPN (a documented guess)."""

KEEP_PAIRS_ABOVE = 0.01
"""Pairs scored below this match probability are not kept: they are noise, and numerous."""

DUCKDB_MEMORY_LIMIT = "1500MB"
"""DuckDB's own memory ceiling; beyond it, it spills to disk. Records and results held in
pandas come on top, so a Birmingham-scale run peaks under 4 GB in all."""


def _linker(
    records: pd.DataFrame, settings: SettingsCreator | dict[str, Any], backend: Backend
) -> Linker:
    """A Splink linker over ``records`` on the chosen engine."""
    table = pa.Table.from_pandas(records.loc[:, list(STANDARD_COLUMNS)], preserve_index=False)
    if backend == "spark":
        from turnaround.linkage.spark import model_for_spark, records_to_spark, spark_api

        if isinstance(settings, dict):
            settings = model_for_spark(settings)
        db_api: Any = spark_api()
        frame = db_api.register(records_to_spark(db_api.spark, records))
    else:
        db_api = DuckDBAPI(_duckdb_connection())
        frame = db_api.register(table)
    return Linker(frame, settings, log_level=logging.WARNING)


def _duckdb_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that stays under ``DUCKDB_MEMORY_LIMIT``, spilling to a temp folder."""
    spill = tempfile.mkdtemp(prefix="turnaround-duckdb-")
    try:
        con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "temp_directory": spill,
                # Splink's tables are sets of rows; keeping their order costs memory for nothing.
                "preserve_insertion_order": False,
            },
        )
    except duckdb.Error as exc:
        shutil.rmtree(spill, ignore_errors=True)
        raise BackendError("opening the linkage engine", exc) from None
    weakref.finalize(con, shutil.rmtree, spill, ignore_errors=True)
    return con


@contextmanager
def _engine_step(step: str) -> Iterator[None]:
    """Report a failure of Splink or of its DuckDB as a BackendError naming the step."""
    try:
        yield
    except (duckdb.Error, SplinkException) as exc:
        raise BackendError(step, exc) from None


def train_model(records: pd.DataFrame, backend: Backend = "duckdb", *, seed: int = 1) -> dict:
    """Train a linkage model on standardised records, following the recipe above."""
    with _engine_step("training the linkage model"):
        linker = _linker(records, linkage_settings(), backend)
        training = linker.training
        if _shares_identifier(records):
            training.estimate_probability_two_random_records_match(
                [block_on("nhs_number"), block_on("upn")], recall=IDENTIFIER_RECALL
            )
        training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
        for rule in training_blocking_rules():
            training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=EM_MAX_PAIRS
            )
        model: dict = linker.misc.save_model_to_json()
    return model


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
    with _engine_step("scoring and clustering record pairs"):
        linker = _linker(records, model, backend)
        predictions = linker.inference.predict(threshold_match_probability=KEEP_PAIRS_ABOVE)
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        # Only the contract's columns leave the engine: the predictions also carry every
        # compared column twice over, and fetching those whole is most of a large run's time
        # and memory.
        pairs = _fetch(predictions, "unique_id_l, unique_id_r, match_probability, match_weight")
        clusters = _fetch(clustered, "unique_id, cluster_id")
    clusters["cluster_id"] = clusters["cluster_id"].astype(str)
    return pairs.reset_index(drop=True), clusters.reset_index(drop=True)


def _fetch(frame: SplinkDataFrame, columns: str) -> pd.DataFrame:
    """Some columns of a table in the engine, as a DataFrame."""
    return frame.query_sql(f"select {columns} from {{this}}").as_pyarrow_table().to_pandas()


def known_children(
    records: pd.DataFrame, pairs: pd.DataFrame, clusters: pd.DataFrame
) -> pd.DataFrame:
    """Which clusters contain a child known to social care (``linkage_known`` in model.py).

    ``match_probability`` is that of the best pair joining another record in the cluster to
    the social care record, or 1.0 where the cluster is the social care record alone. Worked
    in DuckDB over Arrow, not pandas merges: at Birmingham scale the merges cost a gigabyte.
    """
    social = pa.Table.from_pandas(
        records.loc[records["source"] == SOCIAL_CARE, ["unique_id", "record_id"]],
        preserve_index=False,
    )
    engine = DuckDBBackend(":memory:")
    try:
        engine.execute("set threads = 2", step="limiting the engine's threads")
        engine.register("social", social)
        engine.register("pairs", pa.Table.from_pandas(pairs, preserve_index=False))
        engine.register("clusters", pa.Table.from_pandas(clusters, preserve_index=False))
        result = engine.fetch_arrow(
            """
            with known as (
                select c.cluster_id, c.unique_id as care_id, s.record_id as child_id
                from clusters c join social s using (unique_id)
            ),
            both_ways as (
                select unique_id_l as care_id, unique_id_r as other_id, match_probability
                from pairs
                union all
                select unique_id_r, unique_id_l, match_probability from pairs
            ),
            best as (
                select k.cluster_id, k.child_id, max(w.match_probability) as match_probability
                from known k
                join both_ways w using (care_id)
                join clusters o on o.unique_id = w.other_id and o.cluster_id = k.cluster_id
                group by k.cluster_id, k.child_id
            )
            select k.cluster_id, k.child_id,
                   coalesce(b.match_probability, 1.0) as match_probability
            from known k left join best b using (cluster_id, child_id)
            order by k.cluster_id, k.child_id
            """,
            step="finding the clusters known to social care",
        )
    finally:
        engine.close()
    return result.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
