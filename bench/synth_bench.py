"""How long the synthetic city takes to generate, and its peak memory, at demo and Birmingham scale.

Each size runs in a fresh Python process so peak memory is that run's alone. A fixed NumPy
workload timed in the same session is the baseline, so the ratios mean something on a noisy
machine; the targets (issue 2) are absolute: Birmingham scale under 180 s and 4 GB, the demo
size under 20 s.

    .venv/bin/python bench/synth_bench.py            # demo and Birmingham scale
    .venv/bin/python bench/synth_bench.py --sizes 25000
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
config = SynthConfig(children=int(sys.argv[1]), seed=1)
generated = generate_city(config, Path(sys.argv[2]), progress)
elapsed = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "steps": steps,
                  "figures": {f.key: [round(f.generated, 4), round(f.published, 4), f.within]
                              for f in generated.figures},
                  "unknown_at_risk": generated.unknown_at_risk}))
"""

TARGETS = {25_000: (20.0, 4096.0), 281_000: (180.0, 4096.0)}


def run(size: int) -> dict[str, object]:
    """Generate one city in a fresh process and return its timings."""
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(size), out],
            capture_output=True,
            text=True,
            check=True,
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Print time and memory per size, as ratios to the baseline and to the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[25_000, 281_000])
    args = parser.parse_args()
    base = baseline_seconds()
    print(f"baseline (fixed NumPy workload): {base:.2f} s")
    for size in args.sizes:
        result = run(size)
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        peak = float(result["peak_mb"])  # type: ignore[arg-type]
        limit_s, limit_mb = TARGETS.get(size, (float("nan"), 4096.0))
        print(
            f"{size:>8,} children: {seconds:6.1f} s ({seconds / base:5.1f}x baseline; "
            f"target {limit_s:.0f} s -> {seconds / limit_s:.2f} of it), "
            f"peak {peak:,.0f} MB ({peak / limit_mb:.2f} of {limit_mb:,.0f} MB)"
        )
        print(f"          steps: {result['steps']}")
        print(f"          figures (generated, published, within): {result['figures']}")
        print(f"          unknown at-risk children: {result['unknown_at_risk']}")


if __name__ == "__main__":
    main()
