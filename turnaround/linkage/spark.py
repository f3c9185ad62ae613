"""Run linkage on Apache Spark: a local-mode session, and records handed over with their types.

Spark is an optional extra (``pip install 'turnaround[spark]'``) and needs Java 17. Nothing
here imports pyspark until it is called, so the package imports and works without it.

The session is Spark's one-per-process session, built the first time it is asked for:

* ``local[2]`` with few shuffle partitions, since a laptop or CI runner has a couple of cores
  and Spark's default of 200 partitions makes small jobs slow;
* UTC session time zone, so that nothing shifts a date across midnight;
* no web UI, and a checkpoint directory (and warehouse) in a temporary folder: Splink breaks
  the lineage of its intermediate tables by writing them out there as parquet;
* Splink's similarity jar on the class path, which provides ``jaro_winkler`` and friends as
  Spark SQL functions.

Models: Splink saves each level's condition and each blocking rule as SQL in the dialect of
the engine that trained it, and does not translate it when the model is loaded on another.
To Spark, DuckDB's ``"dob_l" = "dob_r"`` compares two string literals, and DuckDB's
``jaro_winkler_similarity`` is Splink's ``jaro_winkler`` UDF. ``model_for_spark`` swaps each
condition for Spark's rendering of the same comparison.

Dates: the standardised records hold ``dob``, ``dob_swapped`` and ``event_date`` as Arrow
``date32``. They must reach Spark as ``DateType``. As timestamps (pandas' ``datetime64``) or
as text, exact matches would still agree, but ``cast(dob as string)`` would read
``2014-03-05 00:00:00`` on Spark and ``2014-03-05`` on DuckDB, so the one-digit-different
level and ``year(dob)`` blocking would quietly differ between the engines.
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from turnaround.errors import ConfigError
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.settings import linkage_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType
    from splink import SettingsCreator
    from splink.backends.spark import SparkAPI

INSTALL_HINT = "install it with: pip install 'turnaround[spark]' (and Java 17)"

DATE_COLUMNS = ("event_date", "dob", "dob_swapped")
"""Standard columns that are dates; every other standard column is text."""

SHUFFLE_PARTITIONS = 4


def local_session() -> SparkSession:
    """The process's Spark session, created in local mode for linkage if none exists yet."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ConfigError(f"Spark linkage needs pyspark, which is missing; {INSTALL_HINT}") from exc
    if shutil.which("java") is None and not _java_home():
        raise ConfigError(f"Spark linkage needs Java, which was not found; {INSTALL_HINT}")
    active = SparkSession.getActiveSession()
    if active is not None:
        _ensure_checkpoint_dir(active)
        return active
    scratch = tempfile.mkdtemp(prefix="turnaround-spark-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    builder: Any = SparkSession.builder
    try:
        spark = (
            builder.master("local[2]")
            .appName("turnaround-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
            .config("spark.default.parallelism", str(SHUFFLE_PARTITIONS))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", f"{scratch}/warehouse")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    except Exception as exc:  # pyspark raises its own runtime errors when the JVM fails
        raise ConfigError(f"Spark could not start: {_first_line(exc)}; {INSTALL_HINT}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(f"{scratch}/checkpoints")
    return spark


def spark_api() -> SparkAPI:
    """Splink's Spark engine on the local session, its similarity functions registered."""
    spark = local_session()
    from splink.backends.spark import SparkAPI

    # Parquet in the checkpoint directory: Splink's default outside Databricks, made explicit.
    return SparkAPI(spark_session=spark, break_lineage_method="parquet")


def _java_home() -> str | None:
    """JAVA_HOME, if set (pyspark uses it in preference to java on the PATH)."""
    return os.environ.get("JAVA_HOME") or None


def _ensure_checkpoint_dir(spark: SparkSession) -> None:
    """Give a session built elsewhere a checkpoint directory, which Splink's parquet needs."""
    if spark.sparkContext._jsc.sc().getCheckpointDir().isEmpty():
        scratch = tempfile.mkdtemp(prefix="turnaround-spark-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        spark.sparkContext.setCheckpointDir(f"{scratch}/checkpoints")


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message (JVM errors run to pages)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def records_schema() -> StructType:
    """The Spark schema of standardised records: dates as DateType, the rest as strings."""
    from pyspark.sql.types import DateType, StringType, StructField, StructType

    return StructType(
        [
            StructField(name, DateType() if name in DATE_COLUMNS else StringType(), True)
            for name in STANDARD_COLUMNS
        ]
    )


def records_to_spark(spark: SparkSession, records: pd.DataFrame) -> SparkFrame:
    """Standardised records as a Spark DataFrame, with dates as DateType."""
    import pyspark

    table = records_arrow(records)
    if int(pyspark.__version__.split(".", 1)[0]) >= 4:
        return spark.createDataFrame(table, schema=records_schema())
    # Spark 3 takes no Arrow table: hand it datetime.date objects and None instead.
    rows = table.to_pandas(date_as_object=True).astype(object)
    return spark.createDataFrame(rows.where(rows.notna(), None), schema=records_schema())


def records_arrow(records: pd.DataFrame) -> pa.Table:
    """The standard columns as Arrow, dates as date32 and everything else as strings."""
    table = pa.Table.from_pandas(records.loc[:, list(STANDARD_COLUMNS)], preserve_index=False)
    target = pa.schema(
        [
            pa.field(name, pa.date32() if name in DATE_COLUMNS else pa.string())
            for name in STANDARD_COLUMNS
        ]
    )
    return table.cast(target)


def model_for_spark(
    model: dict[str, Any], settings: SettingsCreator | None = None
) -> dict[str, Any]:
    """A saved model (trained on DuckDB, say) with its SQL rewritten in Spark's dialect.

    ``settings`` (the linkage settings by default) are rendered in the model's dialect and in
    Spark's. Every condition and blocking rule of the model must be the former's; it is swapped
    for the latter's at the same place, and the trained parameters are kept. A model trained
    with other settings is refused, since its SQL could then only be guessed at.
    """
    source = model.get("sql_dialect", "duckdb")
    if source == "spark":
        return model
    settings = settings or linkage_settings()
    was = settings.create_settings_dict(source)
    now = settings.create_settings_dict("spark")
    out = copy.deepcopy(model)
    out["sql_dialect"] = "spark"

    was_rules = [rule["blocking_rule"] for rule in was["blocking_rules_to_generate_predictions"]]
    model_rules = [_rule_sql(rule) for rule in model["blocking_rules_to_generate_predictions"]]
    if model_rules != was_rules:
        raise ConfigError(_RETRAIN.format(what="its blocking rules"))
    out["blocking_rules_to_generate_predictions"] = [
        {**rule, "sql_dialect": "spark"} for rule in now["blocking_rules_to_generate_predictions"]
    ]

    spark_levels = {
        comparison["output_column_name"]: comparison["comparison_levels"]
        for comparison in now["comparisons"]
    }
    was_conditions = {
        comparison["output_column_name"]: _conditions(comparison)
        for comparison in was["comparisons"]
    }
    for comparison in out["comparisons"]:
        name = comparison["output_column_name"]
        if was_conditions.get(name) != _conditions(comparison):
            raise ConfigError(_RETRAIN.format(what=f"its {name} comparison"))
        for level, spark_level in zip(
            comparison["comparison_levels"], spark_levels[name], strict=True
        ):
            level["sql_condition"] = spark_level["sql_condition"]
    return out


_RETRAIN = (
    "the linkage model cannot run on Spark: {what} differ from this version's settings; "
    "train the model again"
)


def _rule_sql(rule: str | dict[str, Any]) -> str:
    """A blocking rule's SQL, whether saved as text or as a dict."""
    return rule if isinstance(rule, str) else str(rule["blocking_rule"])


def _conditions(comparison: dict[str, Any]) -> list[str]:
    """The SQL conditions of a comparison's levels, in order."""
    return [str(level["sql_condition"]) for level in comparison["comparison_levels"]]
