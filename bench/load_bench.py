"""Time loading five years of SSDA903, CIN census and Annex A at Birmingham scale.

Issue 15's target: under 20 seconds for all fifteen return-years into a fresh store. Beside it,
a baseline in the same run: just parsing the same files (pyarrow for the CSVs, expat for the
XML, calamine for the workbooks) with no checks and no store, so the ratio shows what
validation and loading add on this machine.

The city is generated once and cached under bench/results/ (git-ignored); pass --regenerate
after changing the generator.

    .venv/bin/python bench/load_bench.py                 # 281,000 children
    .venv/bin/python bench/load_bench.py --children 25000
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import xml.parsers.expat
from pathlib import Path

import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

from turnaround.access import Actor, add_user
from turnaround.returns.load import load_returns
from turnaround.store import open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

RESULTS = Path(__file__).resolve().parent / "results"


def city_returns(children: int, regenerate: bool) -> Path:
    """The cached city's returns folder, generating it if needed."""
    out = RESULTS / f"load-city-{children}"
    if regenerate and out.exists():
        shutil.rmtree(out)
    if not (out / "manifest.json").exists():
        print(f"generating a city of {children:,} children ...", flush=True)
        generate_city(SynthConfig(children=children, seed=1), out)
    return out / "returns"


def parse_only(returns: Path) -> float:
    """Seconds to parse every file with no checks: the baseline."""
    t0 = time.perf_counter()
    for csv in sorted(returns.rglob("*.csv")):
        pacsv.read_csv(csv)
    for xml_file in sorted(returns.rglob("*.xml")):
        parser = xml.parsers.expat.ParserCreate()
        with xml_file.open("rb") as handle:
            parser.ParseFile(handle)
    for workbook in sorted(returns.rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(workbook))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - t0


def main() -> None:
    """Print the load time, the parse-only baseline and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=281_000)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    returns = city_returns(args.children, args.regenerate)
    files = sorted(p for p in returns.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{len(files)} files, {size:,.0f} MB")
    baseline = parse_only(returns)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        add_user(store, "bench", "administrator")
        result = load_returns(store, [returns], actor=Actor.cli("bench"), mode="lenient")
        seconds = time.perf_counter() - t0
        rows = sum(sum(r.rows_loaded.values()) for r in result.loaded)
        store.close()
    print(f"parse only (baseline): {baseline:6.1f} s")
    print(
        f"validate and load:     {seconds:6.1f} s for {len(result.loaded)} return-years, "
        f"{rows:,} rows ({seconds / baseline:.1f}x the baseline; target 20 s -> "
        f"{seconds / 20:.2f} of it)"
    )
    print(f"failures: {len(result.report.failures):,} ({len(result.report.errors):,} errors)")


if __name__ == "__main__":
    main()
