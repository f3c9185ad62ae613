"""Link a synthetic city's partner extracts into people and score the links against ground truth.

A first measured baseline for issue 5: every extract is read with its mapping and
standardised; the model is trained without labels and the records are clustered; then, using
the ground truth (which record is which child), it prints pairwise precision, recall and F1
over the predicted pairs, and the time for each step against the standardising step.

    .venv/bin/python bench/linkage_bench.py --children 25000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from turnaround.linkage.link import link_records, train_model
from turnaround.linkage.sources import census_day, load_mapping, partner_mappings
from turnaround.linkage.standardise import read_source
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


def main() -> None:
    """Generate a city, link its extracts and print pairwise precision, recall and F1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=25_000)
    parser.add_argument("--threshold", type=float, default=0.95)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        config = SynthConfig(children=args.children, seed=1)
        generate_city(config, out)
        t0 = time.perf_counter()
        frames = []
        for name in partner_mappings():
            mapping = load_mapping(name)
            day = census_day(config.end_year) if name == "school_census" else None
            frames.append(read_source(out / "extracts" / f"{name}.csv", mapping, event_date=day))
        records = pd.concat(frames, ignore_index=True)
        truth = pd.read_parquet(out / "truth" / "record_truth.parquet")
    standardising = time.perf_counter() - t0
    truth["unique_id"] = truth["source"] + ":" + truth["record_id"].astype(str)
    person = truth.set_index("unique_id")["person_id"]
    t0 = time.perf_counter()
    model = train_model(records)
    training = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs, _clusters = link_records(records, model, threshold=args.threshold)
    linking = time.perf_counter() - t0
    predicted = pairs[pairs["match_probability"] >= args.threshold]
    same = (
        predicted["unique_id_l"].map(person).to_numpy()
        == predicted["unique_id_r"].map(person).to_numpy()
    )
    true_pos = int(same.sum())
    sizes = truth.groupby("person_id").size()
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    precision = true_pos / len(predicted) if len(predicted) else float("nan")
    recall = true_pos / true_pairs if true_pairs else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    print(
        f"{len(records):,} records from {records['source'].nunique()} extracts, "
        f"{truth['person_id'].nunique():,} true children"
    )
    print(
        f"standardise {standardising:.1f} s; train {training:.1f} s "
        f"({training / standardising:.1f}x); link {linking:.1f} s "
        f"({linking / standardising:.1f}x)"
    )
    print(
        f"pairwise at p >= {args.threshold}: precision {precision:.4f}  recall {recall:.4f}  "
        f"F1 {f1:.4f}  ({true_pos:,} of {len(predicted):,} predicted pairs true; "
        f"{true_pairs:,} true pairs)"
    )


if __name__ == "__main__":
    main()
