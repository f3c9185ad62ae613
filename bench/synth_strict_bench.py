"""Does a Birmingham-scale synthetic city load strictly? Its errors by rule, and how long it took.

Issue 16: every generated city must pass its own strict validation, at every size and seed.
This generates a city (or reuses one with --city), then loads its returns and its workforce
export strictly into a fresh DuckDB store the way ``turnaround load`` does, and prints the
errors by rule (0 is the target) with the time each step took, as a multiple of the fixed
NumPy baseline measured in the same run.

    .venv/bin/python bench/synth_strict_bench.py                    # 281,000 children, seed 1
    .venv/bin/python bench/synth_strict_bench.py --children 25000 --seed 777
    .venv/bin/python bench/synth_strict_bench.py --city bench/results/city-281000-seed7
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from baseline import baseline_seconds  # bench/ is on the path when run as a script

from turnaround.access import Actor, add_user
from turnaround.core.failure import Failure
from turnaround.errors import ValidationFailed
from turnaround.store import open_store
from turnaround.synth.calibration import Figure
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce.intake import load_files


def strict_errors(city: Path, store_path: Path) -> tuple[list[Failure], int]:
    """Load the city's returns, then its workforce export, strictly; the errors, rows loaded."""
    store = open_store(store_path)
    add_user(store, "bench", "administrator")
    errors: list[Failure] = []
    rows = 0
    try:
        for part in ("returns", "workforce"):
            try:
                result = load_files(store, [city / part], actor=Actor.cli("bench"))
            except ValidationFailed as exc:
                errors += [f for f in exc.failures if f.severity == "error"]
                continue
            if result.returns is not None:
                rows += sum(sum(r.rows_loaded.values()) for r in result.returns.loaded)
    finally:
        store.close()
    return errors, rows


def by_rule(errors: list[Failure]) -> str:
    """Errors counted by rule and return file, most common first ('none' when there are none)."""
    counts = Counter((f.rule, Path(f.file).parent.name + "/" + Path(f.file).name) for f in errors)
    return ", ".join(f"{rule} in {file}: {n}" for (rule, file), n in counts.most_common()) or "none"


def figures(table: list[Figure]) -> dict[str, tuple[float, float, bool]]:
    """The calibration table, rounded: key -> (generated, published, within)."""
    return {f.key: (round(f.generated, 4), round(f.published, 4), f.within) for f in table}


def main() -> None:
    """Generate or reuse a city, load it strictly, and print errors by rule and the times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=281_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--city", type=Path, help="a city already generated: load it only")
    args = parser.parse_args()
    base = baseline_seconds()
    print(f"baseline (fixed NumPy workload): {base:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        city = args.city
        if city is None:
            city = Path(tmp) / "city"
            t0 = time.perf_counter()
            generated = generate_city(SynthConfig(children=args.children, seed=args.seed), city)
            seconds = time.perf_counter() - t0
            print(
                f"generate {args.children:,} children, seed {args.seed}: {seconds:6.1f} s "
                f"({seconds / base:5.1f}x baseline)"
            )
            print(f"calibration (generated, published, within): {figures(generated.figures)}")
        t0 = time.perf_counter()
        errors, rows = strict_errors(city, Path(tmp) / "bench.duckdb")
        seconds = time.perf_counter() - t0
    print(
        f"strict load of {city.name}: {seconds:6.1f} s ({seconds / base:5.1f}x baseline), "
        f"{rows:,} return rows loaded"
    )
    print(f"strict errors: {len(errors):,} ({by_rule(errors)})")
    for failure in errors[:10]:
        print(f"  {failure.rule} {failure.file} row {failure.row} child {failure.child_id}")


if __name__ == "__main__":
    main()
