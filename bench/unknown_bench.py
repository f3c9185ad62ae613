"""The whole of priority 1 through the store at Birmingham scale: link and score, then evaluate.

What a council runs each month: ``load_sources`` (read, standardise and store every partner
extract and the person export), ``run_linkage`` (train, predict, cluster, store), then
``score_people`` and ``build_worklist``. They run together in one fresh process, as
``turnaround link`` and ``turnaround unknown`` would, so its peak memory is theirs. The returns
are loaded first, untimed, because the worklist needs them to tell who was assessed.

Times print beside a fixed NumPy workload timed in the same session. The targets (issue 5) are
absolute: link and score in under 180 s, peak memory under 4 GB. Then the evaluation against
the city's ground truth prints: linkage, the wrongly-known rate and the worklist's top k.

    .venv/bin/python bench/unknown_bench.py                      # Birmingham scale
    .venv/bin/python bench/unknown_bench.py --city /tmp/city25   # any generated city
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_scale_bench import DEFAULT_CITY, baseline_seconds, ensure_city

TARGET_SECONDS = 180.0
PEAK_MB = 4096.0

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from turnaround.access import Actor, add_user
from turnaround.linkage.pipeline import load_sources, run_linkage
from turnaround.linkage.sources import city_sources
from turnaround.risk.indicators import score_people
from turnaround.store import open_store
from turnaround.worklist.build import build_worklist

city, store_path = Path(sys.argv[1]), sys.argv[2]
end_year = json.loads((city / "manifest.json").read_text())["config"]["end_year"]
store = open_store(store_path)
add_user(store, "bench", "administrator")
actor = Actor.cli("bench")
times = {}
t0 = time.perf_counter()
loaded = load_sources(store, city_sources(city, end_year), actor=actor)
times["load and standardise"] = time.perf_counter() - t0
t0 = time.perf_counter()
run = run_linkage(store, actor=actor)
times["train, link, cluster"] = time.perf_counter() - t0
t0 = time.perf_counter()
scored = score_people(store, actor=actor)
summary = build_worklist(store, actor=actor)
times["score and build worklist"] = time.perf_counter() - t0
store.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "peak_mb": peak, "records": loaded.records,
                  "people": run.clusters, "scored": scored.people, "entries": summary.entries}))
"""


def load_returns_untimed(city: Path, store_path: Path) -> None:
    """The returns, so the worklist can tell who was assessed (not part of the target)."""
    from turnaround.access import Actor, add_user
    from turnaround.returns.load import load_returns
    from turnaround.store import open_store

    store = open_store(store_path)
    try:
        add_user(store, "bench", "administrator")
        load_returns(store, [city / "returns"], actor=Actor.cli("bench"), mode="lenient")
    finally:
        store.close()


def main() -> None:
    """Run priority 1 end to end in a fresh process; print times, memory and the evaluation."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--city", type=Path, default=DEFAULT_CITY)
    parser.add_argument("--children", type=int, default=281_000, help="if generating")
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args()
    ensure_city(args.city, args.children)
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "bench.duckdb"
        print("loading the returns (untimed) ...", flush=True)
        load_returns_untimed(args.city, store_path)
        base = baseline_seconds()
        print(f"baseline (fixed NumPy workload): {base:.2f} s")
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.city), str(store_path)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"the run failed:\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        total = sum(result["times"].values())
        for step, seconds in result["times"].items():
            print(f"{step:>26}: {seconds:6.1f} s ({seconds / base:5.1f}x baseline)")
        print(f"{'all':>26}: {total:6.1f} s ({total / base:5.1f}x baseline)")
        print(
            f"{result['records']:,} records -> {result['people']:,} people; "
            f"{result['scored']:,} with an indicator; {result['entries']:,} on the worklist"
        )
        verdict = {True: "PASS", False: "FAIL"}
        print(f"link and score under {TARGET_SECONDS:.0f} s: {verdict[total < TARGET_SECONDS]}")
        print(
            f"peak {result['peak_mb']:,.0f} MB, under {PEAK_MB:,.0f} MB: "
            f"{verdict[result['peak_mb'] < PEAK_MB]}"
        )

        from turnaround.store import open_store
        from turnaround.worklist.present import format_value
        from turnaround.worklist.report import evaluate_worklist

        store = open_store(store_path)
        try:
            evaluation = evaluate_worklist(store, args.city, k=args.top)
        finally:
            store.close()
    for title, rows in (
        ("linkage", evaluation.linkage.rows()),
        ("matching to social care", evaluation.known.rows()),
        (f"worklist top {args.top}", evaluation.worklist.rows()),
    ):
        print(f"-- {title}")
        for label, value in rows:
            print(f"   {label:<55} {format_value(value, label):>10}")
    print("-- fairness (linkage recall, wrongly known, flagged, target recall at k)")
    for row in evaluation.fairness.to_dict("records"):
        print(
            f"   {row['dimension']:<12} {row['group']:<20} {row['linkage_recall']:.3f} "
            f"{row['wrongly_known_rate']:.4f} {row['flagged']:.4f} "
            f"{row['target_recall_at_k']:.3f}"
        )


if __name__ == "__main__":
    main()
