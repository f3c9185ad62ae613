"""Measures at Birmingham scale: agreement with the generator's ground truth and calibration.

Loads the cached Birmingham-scale city (see load_bench.py), computes every measure for every
year, and prints, for 2013-14: the stocks and flows beside the generator's own counts (they must
agree exactly: the same children counted two ways), the headline rates beside the published
figures in ../shared/data/CALIBRATION.md, and how long computing all measures took, as a ratio
to loading the returns in the same run.

    .venv/bin/python bench/measures_bench.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load_bench import city_returns  # noqa: E402

from turnaround.access import Actor, add_user  # noqa: E402
from turnaround.benchmarks import load_benchmarks  # noqa: E402
from turnaround.measures.compute import compute_measures  # noqa: E402
from turnaround.measures.summary import set_council  # noqa: E402
from turnaround.returns.load import load_returns  # noqa: E402
from turnaround.store import open_store  # noqa: E402

# Birmingham, year to 31 March 2014 (CALIBRATION.md).
PUBLISHED = {
    "lac_per_10k": 64.0,
    "cin_per_10k": 325.0,
    "cp_plans_per_10k": 30.0,
    "referrals_per_10k": 13_815 / 281_019 * 10_000,
    "rereferrals_12m": 13.8,
}
TRUTH = {
    "lac_per_10k": "looked_after",
    "cin_per_10k": "in_need",
    "cp_plans_per_10k": "cp_plans",
    "referrals_per_10k": "referrals",
}


def main() -> None:
    """Print agreement with ground truth and with the published figures, and the timing."""
    returns = city_returns(281_000, regenerate=False)
    city = returns.parent
    manifest = json.loads((city / "manifest.json").read_text(encoding="utf-8"))
    truth = {f["key"]: f["generated"] for f in manifest["figures"]}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        add_user(store, "bench", "administrator")
        load_returns(store, [returns], actor=Actor.cli("bench"), mode="lenient")
        load_benchmarks(store, [city / "population"], actor=Actor.cli("bench"))
        set_council(store, "330")
        loading = time.perf_counter() - t0
        t0 = time.perf_counter()
        values = compute_measures(store, la_code="330")
        computing = time.perf_counter() - t0
        store.close()
    latest = {v.measure_id: v for v in values if v.year == 2014}
    print(
        f"{len({v.measure_id for v in values})} measures x {len({v.year for v in values})} "
        f"years in {computing:.2f} s ({computing / loading:.3f} of the {loading:.1f} s load)"
    )
    print("\nagreement with the generator's ground truth, 2014 (numerator vs truth):")
    for measure_id, key in TRUTH.items():
        n = latest[measure_id].numerator
        verdict = "agree" if n == truth[key] else "DIFFER"
        print(f"  {measure_id:22} {n:10,.0f} {truth[key]:10,.0f}  {verdict}")
    print("\nheadline figures against CALIBRATION.md, 2014:")
    for measure_id, published in PUBLISHED.items():
        value = latest[measure_id].value or float("nan")
        ratio = value / published
        print(
            f"  {measure_id:22} {value:8.1f} {published:8.1f}  ratio {ratio:.2f}"
            f"  {'within 10%' if abs(ratio - 1) <= 0.10 else 'OUTSIDE 10%'}"
        )


if __name__ == "__main__":
    main()
