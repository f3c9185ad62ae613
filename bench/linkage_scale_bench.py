"""Linking a Birmingham-scale city's records: time, peak memory and quality against the truth.

The record set is every partner extract plus the council's social care person export
(``sources.city_sources``), deduplicated together. Each stage runs in a fresh Python process,
so that its peak memory is its own: standardising the sources, training the model, and
linking (predict and cluster). Times print as ratios to a fixed NumPy workload timed in the
same session, so that they mean something on a noisy machine; the targets (issue 5) are
absolute: linking under 180 s and every stage under 4 GB at peak.

Quality is pairwise precision, recall and F1 against the generator's ground truth, social
care records included: over the clusters (two records in one cluster are a predicted pair)
and over the kept pairs scoring at least the match threshold.

    .venv/bin/python bench/linkage_scale_bench.py                      # Birmingham scale
    .venv/bin/python bench/linkage_scale_bench.py --city /tmp/city25   # any generated city

A city missing from ``--city`` is generated first (``--children``, seed 1), which takes a
few minutes at Birmingham scale.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from baseline import baseline_seconds  # bench/ is on the path when run as a script

from turnaround.linkage.settings import MATCH_THRESHOLD

DEFAULT_CITY = Path(__file__).resolve().parent / "results" / "city-281000-seed1"
LINK_SECONDS = 180.0
PEAK_MB = 4096.0

# One stage in a fresh process: argv is stage, city, work folder, threshold. Inputs and
# outputs pass through the work folder; reading them is not timed.
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from turnaround.linkage.standardise import DATE, STRING

stage, city, work, threshold = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])

def records():
    table = pq.read_table(work / "records.parquet")
    return table.to_pandas(types_mapper={pa.string(): STRING, pa.date32(): DATE}.get)

if stage == "standardise":
    from turnaround.linkage.sources import city_sources
    from turnaround.linkage.standardise import read_source
    end_year = json.loads((city / "manifest.json").read_text())["config"]["end_year"]
    t0 = time.perf_counter()
    frames = [read_source(path, mapping, event_date=day)
              for path, mapping, day in city_sources(city, end_year)]
    found = pd.concat(frames, ignore_index=True)
    seconds = time.perf_counter() - t0
    found.to_parquet(work / "records.parquet", index=False)
    rows = len(found)
elif stage == "train":
    from turnaround.linkage.link import train_model
    found = records()
    t0 = time.perf_counter()
    model = train_model(found)
    seconds = time.perf_counter() - t0
    (work / "model.json").write_text(json.dumps(model))
    rows = len(found)
else:
    from turnaround.linkage.link import link_records
    found = records()
    model = json.loads((work / "model.json").read_text())
    t0 = time.perf_counter()
    pairs, clusters = link_records(found, model, threshold=threshold)
    seconds = time.perf_counter() - t0
    pairs.to_parquet(work / "pairs.parquet", index=False)
    clusters.to_parquet(work / "clusters.parquet", index=False)
    rows = len(pairs)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows}))
"""


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall and F1, with the counts behind them."""

    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else float("nan")

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else float("nan")

    def line(self) -> str:
        return (
            f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}  "
            f"({self.true_positive:,} of {self.predicted:,} predicted pairs true; "
            f"{self.actual:,} true pairs)"
        )


def person_of_record(city: Path) -> pd.Series:
    """The true child behind each record, by unique_id, social care records included."""
    partner = pd.read_parquet(city / "truth" / "record_truth.parquet")
    partner_ids = partner["source"] + ":" + partner["record_id"].astype(str)
    known = pd.read_parquet(city / "truth" / "known_children.parquet")
    care_ids = "social_care:" + known["la_child_id"].astype(str)
    return pd.concat(
        [
            pd.Series(partner["person_id"].to_numpy(), index=partner_ids.to_numpy()),
            pd.Series(known["person_id"].to_numpy(), index=care_ids.to_numpy()),
        ]
    )


def _pairs_within(sizes: pd.Series) -> int:
    values = sizes.to_numpy(dtype=np.int64)
    return int((values * (values - 1) // 2).sum())


def cluster_scores(clusters: pd.DataFrame, person: pd.Series) -> Scores:
    """Scores over the pairs implied by two records sharing a cluster."""
    frame = clusters.assign(person_id=clusters["unique_id"].map(person))
    return Scores(
        true_positive=_pairs_within(frame.groupby(["cluster_id", "person_id"]).size()),
        predicted=_pairs_within(frame.groupby("cluster_id").size()),
        actual=_pairs_within(frame.groupby("person_id").size()),
    )


def pair_scores(pairs: pd.DataFrame, person: pd.Series, actual: int, threshold: float) -> Scores:
    """Scores over the scored pairs at or above ``threshold``."""
    kept = pairs[pairs["match_probability"] >= threshold]
    same = kept["unique_id_l"].map(person).to_numpy() == kept["unique_id_r"].map(person).to_numpy()
    return Scores(true_positive=int(same.sum()), predicted=len(kept), actual=actual)


def run_stage(stage: str, city: Path, work: Path, threshold: float) -> dict[str, float]:
    """Run one stage in a fresh process and return its seconds, peak memory and row count."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, stage, str(city), str(work), str(threshold)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{stage} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def ensure_city(city: Path, children: int) -> None:
    """Generate the city if it is not there yet."""
    if (city / "manifest.json").is_file():
        return
    from turnaround.synth.city import generate_city
    from turnaround.synth.config import SynthConfig

    print(f"generating a {children:,}-child city in {city} ...", flush=True)
    generate_city(SynthConfig(children=children, seed=1), city)


def main() -> None:
    """Time each stage in its own process, then score the links against ground truth."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--city", type=Path, default=DEFAULT_CITY)
    parser.add_argument("--children", type=int, default=281_000, help="if generating")
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD)
    args = parser.parse_args()
    ensure_city(args.city, args.children)
    base = baseline_seconds()
    print(f"baseline (fixed NumPy workload): {base:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stages = {
            stage: run_stage(stage, args.city, work, args.threshold)
            for stage in ("standardise", "train", "link")
        }
        pairs = pd.read_parquet(work / "pairs.parquet")
        clusters = pd.read_parquet(work / "clusters.parquet")
    for stage, result in stages.items():
        seconds, peak = result["seconds"], result["peak_mb"]
        print(
            f"{stage:>11}: {seconds:6.1f} s ({seconds / base:5.1f}x baseline), "
            f"peak {peak:,.0f} MB, {int(result['rows']):,} rows out"
        )
    link_s = stages["link"]["seconds"]
    peak = max(result["peak_mb"] for result in stages.values())
    verdict = {True: "PASS", False: "FAIL"}
    print(f"link under {LINK_SECONDS:.0f} s: {verdict[link_s < LINK_SECONDS]} ({link_s:.1f} s)")
    print(f"peak under {PEAK_MB:,.0f} MB: {verdict[peak < PEAK_MB]} ({peak:,.0f} MB)")

    person = person_of_record(args.city)
    missing = int(clusters["unique_id"].map(person).isna().sum())
    by_cluster = cluster_scores(clusters, person)
    print(
        f"{len(clusters):,} records, {clusters['cluster_id'].nunique():,} clusters, "
        f"{person.nunique():,} true children"
        + (f"; {missing:,} records without truth" if missing else "")
    )
    print(f"clusters:             {by_cluster.line()}")
    at_threshold = pair_scores(pairs, person, by_cluster.actual, args.threshold)
    print(f"pairs p >= {args.threshold}:     {at_threshold.line()}")
    kept = pair_scores(pairs, person, by_cluster.actual, 0.0)
    print(f"all kept pairs:       {kept.line()}")


if __name__ == "__main__":
    main()
