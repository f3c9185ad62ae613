"""The city's risk links against their evidence, with its headline calibration, per size and seed.

Generates each city (as ``turnaround synth`` would) and prints every figure of
``turnaround.synth.evidence.risk_links`` next to the published figure it rests on, then the
headline calibration and the number of at-risk children unknown to social care.

    .venv/bin/python bench/risk_links_bench.py                      # 25,000 children, seeds 1 and 2
    .venv/bin/python bench/risk_links_bench.py --sizes 281000 --seeds 1
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from turnaround.synth import evidence
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig


def main() -> None:
    """Print the risk links, headline figures and unknown at-risk count of each city."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[25_000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    for size in args.sizes:
        for seed in args.seeds:
            config = SynthConfig(children=size, seed=seed)
            with tempfile.TemporaryDirectory() as out:
                generated = generate_city(config, Path(out))
            print(f"== {size:,} children, seed {seed}")
            for link in evidence.risk_links(generated.city, config.end_year):
                published = "" if link.published is None else f"{link.published:8.3f}"
                print(f"  {link.key:38s} {link.generated:8.3f} {published:>8s}  {link.label}")
            conversion = evidence.conversion_by_source(generated.city, config.end_year)
            contacts = evidence.source_mix(generated.city, config.end_year)
            for name in ("police", "schools", "health services", "LA services", "individual"):
                print(
                    f"  contacts from {name:20s} {contacts[name]:6.3f} of contacts, "
                    f"{conversion[name]:6.3f} accepted as referrals"
                )
            headline = {
                f.key: (round(f.generated, 3), round(f.published, 3), f.within)
                for f in generated.figures
            }
            for key in ("looked_after", "in_need", "cp_plans", "referrals", "rereferral"):
                print(f"  {key:38s} {headline[key]}")
            print(f"  unknown at-risk children: {generated.unknown_at_risk}")


if __name__ == "__main__":
    main()
