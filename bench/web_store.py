"""A workspace with every stage run on a generated city, for benchmarking the web app.

The store holds what a council's would after a month's work: the returns (loaded leniently,
since the Birmingham-scale city has two rule-435 rows), the workforce, the population, the
partner extracts linked into people and the scored worklist (``web_bench.py`` checks in the
demo plan). It is built once and kept under ``bench/results/`` (git-ignored); later runs reuse it.

    .venv/bin/python bench/web_store.py                         # Birmingham scale
    .venv/bin/python bench/web_store.py --city /tmp/city25 --workspace /tmp/ws25
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from linkage_scale_bench import DEFAULT_CITY, ensure_city

DEFAULT_WORKSPACE = Path(__file__).resolve().parent / "results" / "web-workspace-281000"


def build_workspace(city: Path, workspace: Path) -> Path:
    """Run every stage into ``workspace/turnaround.duckdb`` unless it is already there."""
    from turnaround.access import Actor, add_user
    from turnaround.pipeline import PipelineInputs, PipelineOptions, run_pipeline
    from turnaround.store import open_store

    store_path = workspace / "turnaround.duckdb"
    done = workspace / "ready.json"
    if done.is_file():
        return store_path
    workspace.mkdir(parents=True, exist_ok=True)
    store_path.unlink(missing_ok=True)
    inputs = PipelineInputs.from_folder(city, returns_mode="lenient")
    store = open_store(store_path)
    try:
        add_user(store, "bench", "administrator")
        add_user(store, "bench", "administrator")
        options = PipelineOptions(forecast_runs=None)
        ran = run_pipeline(store, inputs, actor=Actor.cli("bench"), options=options)
    finally:
        store.close()
    times = {
        "returns": ran.seconds["returns"],
        "linkage and worklist": ran.seconds["linkage"] + ran.seconds["worklist"],
    }
    done.write_text(json.dumps({"city": str(city), "times": times}, indent=2))
    return store_path


def main() -> None:
    """Build the workspace, printing how long each stage took."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--city", type=Path, default=DEFAULT_CITY)
    parser.add_argument("--children", type=int, default=281_000, help="if generating")
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    args = parser.parse_args()
    ensure_city(args.city, args.children)
    path = build_workspace(args.city, args.workspace)
    print(f"workspace ready: {path}")
    print((args.workspace / "ready.json").read_text())


if __name__ == "__main__":
    main()
