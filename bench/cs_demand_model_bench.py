"""Back-test turnaround's demand forecast against Social Finance's cs-demand-model.

Both models are fitted on the public sample SSDA903 returns that ship inside the PyPI package
``cs-demand-model`` (``cs_demand_model_samples/v1.zip``: folders 2017 to 2021, each one
collection year, 2017 being the year to 31 March 2018). For each origin t (a 31 March from 2018
to 2021) each model sees only the returns up to t and predicts the children looked after on
each later 31 March up to 2022 (1 to 3 years ahead), in total and by cs-demand-model's four
placement groups. Naive baselines: the last value, and a linear trend through the 31 March
counts up to t.

The actual count on a 31 March is the one that year's own return gives: children with an
episode open that day (DEC blank or later), grouped by that episode's PLACE as cs-demand-model
groups it (U1-U6 fostering; K2, R1 residential; H5, P2 supported; anything else other). The
sample is synthetic, shrinks every year (434 looked after at 31 March 2018, 62 in 2022), and its
years disagree: later returns add episodes that began before earlier 31 Marches, so the history
as revised by all returns (turnaround's cleaned episodes, shown as "revised"; cs-demand-model's
own combined view is close to it) counts far more children than each year's own return did
(545 against 434 in 2018). The total is scored against both; the models and baselines see only
the returns up to t either way. This is a test of mechanics more than of skill.

cs-demand-model (0.5.1, pandas 1.5) runs in its own virtual environment under
``bench/.venvs/csdm`` (git-ignored), created on first use, through a small child script that
prints JSON. Its model: daily transition rates and entry rates measured over the reference
window (here 1 April 2017 to t), projected day by day from the stock at t (``ModelPredictor``,
as its ``demand-model predict`` command does). Its bin of children who left care is not counted
as looked after.

turnaround loads the same files (renamed as our reader expects, with empty AD1 and placed-for-
adoption tables) into a temporary store with a lenient load, reports what validation
quarantined, then puts the quarantined header and episode rows back (unless ``--as-loaded``):
the sample's UPNs are random strings, so rule 168 alone would quarantine 96% of headers and
leave most children without a date of birth (its back-test only counts children aged 0 to 17
by their date of birth). It then runs ``turnaround.forecast.backtest.backtest_forecasts`` from
the same origins (origin t: fitted on the collection years ending by 31 March t, projected from
the stock that day) and takes its model's median (P50) per placement state, summed into
cs-demand-model's groups; S1 (residential schools, a handful of episodes) is residential in
turnaround and other in cs-demand-model. Child protection and in need are left out: the sample
has no CIN census. turnaround's own score (its baselines and "actual" are read from the history
as revised by every return, not from each year's own return) is printed last.

One table per horizon: each origin's actual and predictions in total and by group, then MAPE
and bias per model and baseline.

Example:
    .venv/bin/python bench/cs_demand_model_bench.py            # the table
    .venv/bin/python bench/cs_demand_model_bench.py --json     # everything, as JSON
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from turnaround.store.store import Store

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venvs" / "csdm"
PACKAGES = ["cs-demand-model==0.5.1"]
ORIGINS = (2018, 2019, 2020, 2021)  # 31 March of the last year each model is fitted on
LAST = 2022  # 31 March of the last year in the sample
HORIZONS = (1, 2, 3)
RUNS, SEED = 200, 0  # turnaround's simulation runs per origin, and their seed
NOT_LOOKED_AFTER = ("child_protection", "in_need")
GROUPS = ("FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER")
# cs-demand-model's standard configuration (fixtures/config/standard-v1.yaml).
PLACE_GROUP = {f"U{i}": "FOSTERING" for i in range(1, 7)} | {
    "K2": "RESIDENTIAL",
    "R1": "RESIDENTIAL",
    "H5": "SUPPORTED",
    "P2": "SUPPORTED",
}
# turnaround's looked-after states in cs-demand-model's groups (anything else is OTHER).
STATE_GROUP = {
    "fostering_in_house": "FOSTERING",
    "fostering_agency": "FOSTERING",
    "family_and_friends": "FOSTERING",
    "residential_in_house": "RESIDENTIAL",
    "residential_external": "RESIDENTIAL",
    "supported_accommodation": "SUPPORTED",
}
# The sample's file names that differ from ours.
RENAME = {
    "previous_permanence.csv": "prev_perm.csv",
    "placed_for_adoption.csv": "placed_adoption.csv",
}

# Runs inside cs-demand-model's venv. Arguments: origins (comma-separated), last year.
CHILD = r"""
import importlib.metadata, json, logging, sys, tempfile, time, warnings, zipfile
from datetime import date
from pathlib import Path
import pandas as pd
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from cs_demand_model import (Config, DemandModellingDataContainer, ModelPredictor,
                             PopulationStats, fs_datastore)
import cs_demand_model_samples

origins, last = [int(y) for y in sys.argv[1].split(",")], int(sys.argv[2])
sample = Path(cs_demand_model_samples.__file__).parent / "v1.zip"
out = {"sample": str(sample), "version": importlib.metadata.version("cs-demand-model"),
       "origins": {}}
config = Config()

def groups(series):
    # Bins are (age band, placement group); NOT_IN_CARE collects the children who left care.
    by = series.groupby(lambda c: c[1]).sum().drop("NOT_IN_CARE", errors="ignore")
    return {str(k): float(v) for k, v in by.items()} | {"TOTAL": float(by.sum())}

with zipfile.ZipFile(sample) as z, tempfile.TemporaryDirectory() as tmp:
    z.extractall(tmp)
    first = min(int(p.name) for p in Path(tmp).iterdir() if p.is_dir())
    for t in origins:
        started = time.perf_counter()
        seen = Path(tmp) / f"upto{t}"
        seen.mkdir()
        for folder in Path(tmp).iterdir():  # folder 2017 holds the year to 31 March 2018
            if folder.name.isdigit() and int(folder.name) + 1 <= t:
                (seen / folder.name).symlink_to(folder)
        dc = DemandModellingDataContainer(fs_datastore(str(seen)), config)
        stats = PopulationStats(dc.enriched_view, config)
        ref_start, ref_end = date(first, 4, 1), date(t, 3, 31)
        predictor = ModelPredictor.from_model(stats, ref_start, ref_end)
        predicted = predictor.predict((date(last, 3, 31) - ref_end).days)
        predicted.index = pd.to_datetime(predicted.index)
        row = {"jump_off": groups(stats.stock_at(ref_end))}
        for y in range(t + 1, last + 1):
            row[str(y)] = groups(predicted.loc[pd.Timestamp(y, 3, 31)])
        row["seconds"] = time.perf_counter() - started
        out["origins"][str(t)] = row
print(json.dumps(out))
"""


def csdm_python() -> Path:
    """cs-demand-model's venv interpreter, creating the venv and installing on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


def run_csdm() -> dict:
    """cs-demand-model's predictions for every origin, from its own venv."""
    done = subprocess.run(
        [str(csdm_python()), "-c", CHILD, ",".join(map(str, ORIGINS)), str(LAST)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"cs-demand-model failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def sample_zip() -> Path:
    """Where the sample ships inside cs-demand-model's venv."""
    found = sorted(VENV.glob("lib/python*/site-packages/cs_demand_model_samples/v1.zip"))
    if not found:
        raise SystemExit(f"no cs_demand_model_samples/v1.zip under {VENV}")
    return found[0]


def lay_out(zip_path: Path, folder: Path) -> Path:
    """The sample as our reader expects it: one folder per collection year (named by its 31
    March), our file names, and every table the year requires (empty where the sample's is)."""
    from turnaround.returns.schema import schema_for

    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            year, name = info.filename.split("/")
            data = z.read(info)
            if data.strip():  # ad1.csv and placed_for_adoption.csv are one byte
                out = folder / str(int(year) + 1) / RENAME.get(name, name)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
    for year_folder in folder.iterdir():
        for table in schema_for("ssda903", int(year_folder.name)).tables.values():
            path = year_folder / str(table.file)
            if table.required and not path.exists():
                path.write_text(",".join(table.column_names) + "\n")
    return folder


def actual_counts(folder: Path) -> pd.DataFrame:
    """Looked after on each 31 March by the year's own return: rows year, columns the groups
    and TOTAL. The first year's return also gives the count on the 31 March before it."""
    out = {}
    years = sorted(int(p.name) for p in folder.iterdir())
    for year in years:
        episodes = pd.read_csv(folder / str(year) / "episodes.csv", dtype=str)
        for col in ("DECOM", "DEC"):
            episodes[col] = pd.to_datetime(episodes[col], format="%d/%m/%Y")
        for day_year in [year - 1, year] if year == years[0] else [year]:
            day = pd.Timestamp(day_year, 3, 31)
            open_ = episodes[episodes.DECOM.le(day) & (episodes.DEC.isna() | episodes.DEC.gt(day))]
            open_ = open_.sort_values("DECOM").drop_duplicates("CHILD", keep="last")
            counts = open_.PLACE.map(PLACE_GROUP).fillna("OTHER").value_counts()
            out[day_year] = {g: float(counts.get(g, 0)) for g in GROUPS} | {
                "TOTAL": float(len(open_))
            }
    return pd.DataFrame(out).T.sort_index()


def baselines(actual: pd.DataFrame) -> dict[str, dict[tuple[int, int], dict[str, float]]]:
    """Last value and linear trend, per (origin, target year) and series."""
    last: dict[tuple[int, int], dict[str, float]] = {}
    trend: dict[tuple[int, int], dict[str, float]] = {}
    for t in ORIGINS:
        seen = actual.loc[:t]
        for target in range(t + 1, LAST + 1):
            last[(t, target)] = seen.loc[t].to_dict()
            fitted = {}
            for col in seen.columns:
                slope, intercept = np.polyfit(seen.index.to_numpy(float), seen[col].to_numpy(), 1)
                fitted[col] = max(0.0, slope * target + intercept)
            trend[(t, target)] = fitted
    return {"last value": last, "linear trend": trend}


def load_store(folder: Path, path: Path, as_loaded: bool) -> tuple[Store, dict]:
    """A temporary turnaround store holding the sample, and what validation did to it."""
    from turnaround.access import Actor, add_user
    from turnaround.returns.load import load_returns, rebuild_clean_episodes
    from turnaround.store.store import open_store

    store = open_store(path)
    add_user(store, "bench", "administrator")
    result = load_returns(store, [folder], actor=Actor.cli("bench"), mode="lenient")
    rules = Counter(
        (f.table, f.rule) for f in result.report.failures if f.severity == "error" and f.row
    )
    quarantined = {
        f"{table} {year}": int(n)
        for table, year, n in store.fetchall(
            "select table_name, year, count(*) from quarantine where kind = 'ssda903' "
            "and table_name in ('header', 'episodes') group by all order by all"
        )
    }
    loaded = {
        f"{table} {r.year}": r.rows_loaded[table]
        for r in result.loaded
        for table in ("header", "episodes")
    }
    report = {
        "loaded": loaded,
        "quarantined": quarantined,
        "top_rules": [f"{t}/{r}: {n}" for (t, r), n in rules.most_common(8)],
        "released": False,
    }
    if not as_loaded:
        for table in ("header", "episodes"):
            release_quarantine(store, table)
        rebuild_clean_episodes(store)
        report["released"] = True
    return store, report


def revised_counts(store: Store) -> pd.DataFrame:
    """Looked after on each 31 March by the whole history as revised by later returns
    (turnaround's cleaned episodes), in the same groups as ``actual_counts``."""
    episodes = store.fetch_df("select child, decom, dec, place from ssda903_episodes_clean")
    out = {}
    for year in range(ORIGINS[0] - 1, LAST + 1):
        day = pd.Timestamp(year, 3, 31)
        decom, dec = pd.to_datetime(episodes.decom), pd.to_datetime(episodes.dec)
        open_ = episodes[decom.le(day) & (dec.isna() | dec.gt(day))]
        open_ = open_.sort_values("decom").drop_duplicates("child", keep="last")
        counts = open_.place.map(PLACE_GROUP).fillna("OTHER").value_counts()
        out[year] = {g: float(counts.get(g, 0)) for g in GROUPS} | {"TOTAL": float(len(open_))}
    return pd.DataFrame(out).T.sort_index()


def release_quarantine(store: Store, table: str) -> None:
    """Put quarantined SSDA903 rows of one table back, as if fixed at source."""
    target = f"ssda903_{table}"
    columns = store.fetchall(f"describe {target}")
    own = {"year", "load_id", "source_file", "source_row"}
    selects = []
    for name, kind, *_ in columns:
        if name in own:
            selects.append(name)
            continue
        value = f"json_extract_string(record, '$.{name}')"
        if kind == "DATE":
            value = f"substr({value}, 1, 10)"
        selects.append(f"try_cast({value} as {kind})")
    store.execute(
        f"insert into {target} ({', '.join(c[0] for c in columns)}) "
        f"select {', '.join(selects)} from quarantine "
        "where kind = 'ssda903' and table_name = ?",
        [table],
    )
    store.execute("delete from quarantine where kind = 'ssda903' and table_name = ?", [table])


def run_turnaround(store: Store) -> pd.DataFrame:
    """turnaround's back-test forecasts on the store: one row per origin, horizon, series and
    method (``turnaround.forecast.backtest.backtest_forecasts``). Its origins are the years of
    the 31 March each forecast starts from, fitted on the collection years ending by then,
    as the bench's are."""
    from turnaround.forecast.backtest import backtest_forecasts

    forecasts = backtest_forecasts(
        store, horizons=max(HORIZONS), runs=RUNS, seed=SEED, origins=list(ORIGINS)
    )
    # The sample has no CIN census: child protection and in need are empty.
    return forecasts[~forecasts["series"].isin(NOT_LOOKED_AFTER)].reset_index(drop=True)


def turnaround_predictions(forecasts: pd.DataFrame) -> dict[tuple[int, int], dict[str, float]]:
    """turnaround's median (P50) prediction per (origin, target year), in total and summed
    into cs-demand-model's groups."""
    model = forecasts[forecasts["method"] == "model"]
    group = model["series"].map(lambda s: "TOTAL" if s == "looked_after" else STATE_GROUP.get(s))
    group = group.fillna("OTHER")
    summed = model.groupby([model["origin"], model["year"], group])["predicted"].sum()
    out: dict[tuple[int, int], dict[str, float]] = {}
    for (t, y, name), value in summed.items():
        out.setdefault((int(t), int(y)), {})[name] = float(value)
    return out


def errors(
    predictions: dict[tuple[int, int], dict[str, float]], actual: pd.DataFrame, series: str
) -> dict[int, tuple[float, float, int]]:
    """MAPE and bias (mean signed % error) per horizon, and how many origins each averages."""
    by: dict[int, list[float]] = {}
    for (t, y), cell in predictions.items():
        h = y - t
        if h in HORIZONS and series in cell and actual.loc[y, series] > 0:
            by.setdefault(h, []).append(
                100 * (cell[series] - actual.loc[y, series]) / actual.loc[y, series]
            )
    return {
        h: (float(np.mean(np.abs(e))), float(np.mean(e)), len(e)) for h, e in sorted(by.items())
    }


def main(argv: list[str] | None = None) -> int:
    """Run both models and the baselines, and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument(
        "--as-loaded", action="store_true", help="leave validation's quarantine in place"
    )
    args = parser.parse_args(argv)
    from turnaround.forecast.backtest import score

    started = time.perf_counter()
    csdm = run_csdm()
    csdm_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        folder = lay_out(sample_zip(), Path(tmp) / "ssda903")
        actual = actual_counts(folder)
        store, load_report = load_store(folder, Path(tmp) / "store.duckdb", args.as_loaded)
        try:
            revised = revised_counts(store)
            started = time.perf_counter()
            forecasts = run_turnaround(store)
            turnaround_seconds = time.perf_counter() - started
        finally:
            store.close()
    models = {
        "cs-demand-model": {
            (int(t), int(y)): cell
            for t, row in csdm["origins"].items()
            for y, cell in row.items()
            if y.isdigit()
        },
        "turnaround": turnaround_predictions(forecasts),
        **baselines(actual),
    }

    if args.json:
        print(
            json.dumps(
                {
                    "cs_demand_model": {k: v for k, v in csdm.items() if k != "origins"},
                    "actual": actual.to_dict(orient="index"),
                    "actual_revised": revised.to_dict(orient="index"),
                    "predictions": {
                        m: {f"{t}->{y}": c for (t, y), c in p.items()} for m, p in models.items()
                    },
                    "load": load_report,
                    "turnaround_backtest": forecasts.to_dict("records"),
                    "seconds": {"cs-demand-model": csdm_seconds, "turnaround": turnaround_seconds},
                },
                indent=2,
                default=str,
            )
        )
        return 0

    print(f"cs-demand-model {csdm['version']}, sample {csdm['sample']}")
    seconds = ", ".join(f"{t}: {r['seconds']:.0f}s" for t, r in csdm["origins"].items())
    print(
        f"cs-demand-model: {csdm_seconds:.0f}s in all; fit + daily projection per origin: "
        + seconds
    )
    print(
        f"turnaround back-test: {turnaround_seconds:.0f}s for {len(ORIGINS)} origins "
        f"({RUNS} runs each, seed {SEED}, median = P50)"
    )
    print(
        "turnaround store: loaded "
        + ", ".join(f"{k} {v}" for k, v in load_report["loaded"].items())
    )
    print(
        "  quarantined by validation (lenient load): "
        + ", ".join(f"{k} {v}" for k, v in load_report["quarantined"].items())
    )
    print("  most frequent row errors: " + "; ".join(load_report["top_rules"]))
    print(
        "  quarantined header and episode rows put back before the back-test"
        if load_report["released"]
        else "  back-test on the rows as loaded (--as-loaded)"
    )
    for h in HORIZONS:
        print()
        print_horizon(h, models, actual, revised)
    print()
    print("turnaround's own score (against its own history of the children aged 0-17):")
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(score(forecasts).to_string(index=False, float_format="{:.1f}".format))
    return 0


def print_horizon(
    h: int,
    models: dict[str, dict[tuple[int, int], dict[str, float]]],
    actual: pd.DataFrame,
    revised: pd.DataFrame,
) -> None:
    """One horizon: every origin's actual and predictions by series, then MAPE and bias."""
    names = list(models)
    width = max(len(n) for n in names) + 1
    print(f"Horizon {h}: looked after on 31 March t+{h}, predicted from 31 March t")
    print(
        f"{'t':>4} {'t+h':>4} {'series':<11} {'actual':>7} {'revised':>7} "
        + " ".join(f"{n:>{width}}" for n in names)
    )
    for t in ORIGINS:
        y = t + h
        if y > LAST:
            continue
        for series in ("TOTAL", *GROUPS):
            cells = [models[n].get((t, y), {}).get(series) for n in names]
            shown = " ".join(
                f"{c:>{width}.0f}" if c is not None else f"{'-':>{width}}" for c in cells
            )
            print(
                f"{t:>4} {y:>4} {series.lower():<11} {actual.loc[y, series]:>7.0f} "
                f"{revised.loc[y, series]:>7.0f} {shown}"
            )
    print("MAPE % / bias % (n = origins averaged; an actual of 0 is left out)")
    print(f"{'series':<19} {'n':>2} " + " ".join(f"{n:>{max(width, 15)}}" for n in names))
    views = [(s.lower(), s, actual) for s in ("TOTAL", *GROUPS)]
    views.append(("total vs revised", "TOTAL", revised))
    for label, series, truth in views:
        cells, count = [], 0
        for n in names:
            scored = errors(models[n], truth, series).get(h)
            if scored is None:
                cells.append(f"{'-':>{max(width, 15)}}")
                continue
            mape, bias, count = scored
            cells.append(f"{f'{mape:.1f} / {bias:+.1f}':>{max(width, 15)}}")
        print(f"{label:<19} {count:>2} " + " ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
