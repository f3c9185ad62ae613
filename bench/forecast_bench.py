"""Fitting the demand model and a 1,000-run five-year projection at Birmingham scale.

The city's returns and population are loaded into a temporary store first (not timed). The
fit and the projection then run in a fresh Python process, so that its peak memory is its
own. The time prints beside a fixed NumPy workload timed in the same session, so that it
means something on a noisy machine; the target (issue 6) is absolute: under 30 s.

    .venv/bin/python bench/forecast_bench.py                     # Birmingham scale
    .venv/bin/python bench/forecast_bench.py --city /tmp/fc25    # any generated city

A city missing from ``--city`` is generated first (``--children``, seed 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from baseline import baseline_seconds  # bench/ is on the path when run as a script

DEFAULT_CITY = Path(__file__).resolve().parent / "results" / "city-281000-seed1"
TARGET_SECONDS = 30.0

# Fit and project in a fresh process: argv is the store path, runs and months.
CHILD = r"""
import json, resource, sys, time
from turnaround.store import open_store
from turnaround.forecast.fit import fit_model
from turnaround.forecast.model import project
from turnaround.forecast.states import LOOKED_AFTER

store = open_store(sys.argv[1], read_only=True)
runs, months = int(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
model = fit_model(store)
t1 = time.perf_counter()
projection = project(model, runs=runs, months=months, seed=0)
t2 = time.perf_counter()
p10, p50, p90 = projection.quantiles(LOOKED_AFTER)
print(json.dumps({
    "fit": t1 - t0, "project": t2 - t1,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "stock_date": str(model.stock_date),
    "looked_after": [float(p50[0]), float(p10[-1]), float(p50[-1]), float(p90[-1])],
    "child_months": float(model.exposure[:, 1:].sum()),
}))
"""


def ensure_city(city: Path, children: int) -> None:
    """Generate the city if it is not there yet."""
    if (city / "manifest.json").is_file():
        return
    print(f"generating a city of {children:,} children in {city} ...", flush=True)
    command = [sys.executable, "-m", "turnaround", "synth", "--children", str(children)]
    subprocess.run([*command, "--seed", "1", "--out", str(city)], check=True)


def load_city(city: Path, path: Path) -> float:
    """Load the city's returns (leniently: a cached city may predate a newer rule) and
    population into a new store; returns the seconds taken."""
    from dataclasses import replace

    from turnaround.access import Actor, add_user
    from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
    from turnaround.store import open_store

    # The forecast needs only the returns and the population: no workforce, no linkage.
    inputs = replace(
        PipelineInputs.from_folder(city, returns_mode="lenient"), workforce=None, sources=()
    )
    t0 = time.perf_counter()
    store = open_store(path)
    try:
        add_user(store, "bench", "administrator")
        options = PipelineOptions(forecast_runs=None)
        run_pipeline(store, inputs, actor=Actor.cli("bench"), options=options)
    finally:
        store.close()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, default=DEFAULT_CITY)
    parser.add_argument("--children", type=int, default=281_000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    ensure_city(args.city, args.children)
    base = baseline_seconds()
    print(f"baseline (fixed NumPy workload): {base:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.duckdb"
        loaded = load_city(args.city, path)
        print(f"loading the returns (not timed against the target): {loaded:.1f} s")
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(args.runs), str(args.months)],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        sys.exit(f"the forecast failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    total = result["fit"] + result["project"]
    start, p10, p50, p90 = result["looked_after"]
    print(
        f"fit: {result['fit']:.2f} s ({result['child_months']:,.0f} child-months in care, "
        f"stock at {result['stock_date']})"
    )
    print(f"project: {result['project']:.2f} s ({args.runs:,} runs x {args.months} months)")
    verdict = "under" if total < TARGET_SECONDS else "OVER"
    print(
        f"fit + project: {total:.2f} s = {total / base:.1f} x baseline "
        f"({verdict} the {TARGET_SECONDS:.0f} s target); peak memory {result['peak_mb']:,.0f} MB"
    )
    print(
        f"looked after: {start:,.0f} now; in {args.months} months P10 {p10:,.0f}, "
        f"P50 {p50:,.0f}, P90 {p90:,.0f}"
    )


if __name__ == "__main__":
    main()
