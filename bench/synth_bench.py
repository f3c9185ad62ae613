"""How long the synthetic city takes to generate, and its peak memory, at demo and Birmingham scale.

Each size runs in a fresh Python process so peak memory is that run's alone. A fixed NumPy
workload timed in the same session is the baseline, so the ratios mean something on a noisy
machine; the targets are absolute: Birmingham scale over 5 years under 180 s and 4 GB, the demo
size under 20 s (issue 2), and the demo size over 16 years (2009-10 to 2024-25) under 60 s
(issue 16). The year-on-year change rows show the city's spread against the DfE panel's.

    .venv/bin/python bench/synth_bench.py            # demo (5 and 16 years), Birmingham scale
    .venv/bin/python bench/synth_bench.py --sizes 25000 25000:16
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from baseline import baseline_seconds  # bench/ is on the path when run as a script

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
steps = {}
last = [time.perf_counter(), "start"]
def progress(step, done, total):
    now = time.perf_counter()
    steps[last[1]] = round(now - last[0], 2)
    last[0], last[1] = now, step
t0 = time.perf_counter()
years, end_year = int(sys.argv[3]), int(sys.argv[4])
config = SynthConfig(
    children=int(sys.argv[1]), seed=int(sys.argv[5]), years=years, end_year=end_year
)
generated = generate_city(config, Path(sys.argv[2]), progress)
elapsed = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "steps": steps,
                  "figures": {f.key: [round(f.generated, 4), round(f.published, 4), f.within]
                              for f in generated.figures},
                  "allowed": {f.key: f.allowed for f in generated.figures},
                  "unknown_at_risk": generated.unknown_at_risk}))
"""

# (children, collection years) -> (seconds, MB). Issue 2 set the 5-year targets; issue 16 the
# 16-year one (2009-10 to 2024-25 at demo size, under a minute).
TARGETS = {
    (25_000, 5): (20.0, 4096.0),
    (25_000, 16): (60.0, 4096.0),
    (281_000, 5): (180.0, 4096.0),
}
END_YEAR = {5: 2014, 16: 2025}


def run(size: int, years: int = 5, seed: int = 1) -> dict[str, object]:
    """Generate one city in a fresh process and return its timings."""
    end_year = END_YEAR.get(years, 2014 if years <= 15 else 2000 + years - 1)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(size), out, str(years), str(end_year), str(seed)],
            capture_output=True,
            text=True,
            check=True,
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Print time and memory per size, as ratios to the baseline and to the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        nargs="*",
        default=["25000", "25000:16", "281000"],
        help="children, or children:years (default 5 years to 2014; 16 years end in 2025)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    base = baseline_seconds()
    print(f"baseline (fixed NumPy workload): {base:.2f} s")
    for spec in args.sizes:
        size, _, years_text = spec.partition(":")
        years = int(years_text or 5)
        result = run(int(size), years, args.seed)
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        peak = float(result["peak_mb"])  # type: ignore[arg-type]
        limit_s, limit_mb = TARGETS.get((int(size), years), (float("nan"), 4096.0))
        print(
            f"{int(size):>8,} children, {years} years: {seconds:6.1f} s "
            f"({seconds / base:5.1f}x baseline; "
            f"target {limit_s:.0f} s -> {seconds / limit_s:.2f} of it), "
            f"peak {peak:,.0f} MB ({peak / limit_mb:.2f} of {limit_mb:,.0f} MB)"
        )
        print(f"          steps: {result['steps']}")
        print(f"          figures (generated, published, within): {result['figures']}")
        figures = result["figures"]
        allowed = result["allowed"]
        assert isinstance(figures, dict) and isinstance(allowed, dict)
        for key, (generated, published, within) in figures.items():
            if key.endswith("_change"):
                print(
                    f"          {key:20s} {100 * generated:5.1f}% (panel median "
                    f"{100 * published:4.1f}%, IQR {allowed[key]}): "
                    f"{'within' if within else 'OUTSIDE'}"
                )
        print(f"          unknown at-risk children: {result['unknown_at_risk']}")


if __name__ == "__main__":
    main()
