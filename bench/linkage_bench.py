"""Link a synthetic city's records into people and score the links against ground truth.

The quality bench for issue 5, at demo scale. Every partner extract and the council's social
care person export (``sources.city_sources``) is read with its mapping and standardised; the
model is trained without labels and the records are clustered; then, using the ground truth
(which record is which child, social care records included), it prints pairwise precision,
recall and F1 over the clusters and over the pairs at the match threshold, and the time for
each step against the standardising step. ``linkage_scale_bench.py`` measures time and memory
at Birmingham scale.

    .venv/bin/python bench/linkage_bench.py --children 25000
    .venv/bin/python bench/linkage_bench.py --city /tmp/city25     # an existing city
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from linkage_scale_bench import cluster_scores, pair_scores, person_of_record  # noqa: E402

from turnaround.linkage.link import link_records, train_model  # noqa: E402
from turnaround.linkage.settings import MATCH_THRESHOLD  # noqa: E402
from turnaround.linkage.sources import city_sources  # noqa: E402
from turnaround.linkage.standardise import read_source  # noqa: E402
from turnaround.synth.city import generate_city  # noqa: E402
from turnaround.synth.config import SynthConfig  # noqa: E402


def link_city(city: Path, threshold: float) -> None:
    """Standardise, train and link one city's records, and print times and scores."""
    end_year = json.loads((city / "manifest.json").read_text())["config"]["end_year"]
    t0 = time.perf_counter()
    frames = [
        read_source(path, mapping, event_date=day)
        for path, mapping, day in city_sources(city, end_year)
    ]
    records = pd.concat(frames, ignore_index=True)
    standardising = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = train_model(records)
    training = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs, clusters = link_records(records, model, threshold=threshold)
    linking = time.perf_counter() - t0

    person = person_of_record(city)
    by_cluster = cluster_scores(clusters, person)
    print(
        f"{len(records):,} records from {records['source'].nunique()} sources, "
        f"{person.nunique():,} true children"
    )
    print(
        f"standardise {standardising:.1f} s; train {training:.1f} s "
        f"({training / standardising:.1f}x); link {linking:.1f} s "
        f"({linking / standardising:.1f}x)"
    )
    print(f"clusters:          {by_cluster.line()}")
    at_threshold = pair_scores(pairs, person, by_cluster.actual, threshold)
    print(f"pairs p >= {threshold}:  {at_threshold.line()}")


def main() -> None:
    """Generate a city (or use one), link its records and print pairwise P/R/F1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=25_000)
    parser.add_argument("--city", type=Path, help="an already generated city (seed 1)")
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD)
    args = parser.parse_args()
    if args.city is not None:
        link_city(args.city, args.threshold)
        return
    with tempfile.TemporaryDirectory() as tmp:
        generate_city(SynthConfig(children=args.children, seed=1), Path(tmp))
        link_city(Path(tmp), args.threshold)


if __name__ == "__main__":
    main()
