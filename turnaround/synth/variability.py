"""How much real councils' figures move from year to year, and how much the city's do.

The DfE's local-authority tables give, for each council and year, the children looked after, in
need and on a child protection plan at 31 March, and the referrals in the year. From them we take
every council's absolute year-on-year change, ``|x_t / x_(t-1) - 1|``, and group councils into
four size bands by the quarter their average level falls in. A city of a given size is compared
with the band it would sit in: its median absolute change is "within" when it lies between the
band's 25th and 75th percentiles.

The panel's quartiles are kept in ``data/panel_variability.yaml``, so the calibration works on a
machine without the DfE tables; ``python -m turnaround.synth.variability DFE_FOLDER`` rewrites the
file, and a test checks it against the tables whenever they are present.

    python -m turnaround.synth.variability ../shared/data/dfe
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from turnaround.benchmarks.read import read_benchmark_file
from turnaround.benchmarks.tables import LOCAL_AUTHORITY


@dataclass(frozen=True)
class PanelMeasure:
    """A figure the panel and the city both have, and where it is in the DfE's tables."""

    key: str
    label: str
    file: str
    metric: str
    category: str | None = None


MEASURES: tuple[PanelMeasure, ...] = (
    PanelMeasure(
        "looked_after",
        "Children looked after at 31 March",
        "cla_number_and_rate_per_10k_children.csv",
        "children_count",
        "Children looked after on 31 March each year",
    ),
    PanelMeasure(
        "in_need",
        "Children in need at 31 March",
        "b1_children_in_need_2013_to_2025.csv",
        "At31_episodes",
    ),
    PanelMeasure(
        "cp_plans",
        "Child protection plans at 31 March",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "CPP_At31",
    ),
    PanelMeasure(
        "referrals",
        "Referrals in the year",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "referral_count",
    ),
)
BANDS = 4  # size bands: the quarters of councils' average level
DATA_FILE = "panel_variability.yaml"


@dataclass(frozen=True)
class Band:
    """One size band of one measure: its level range and the spread of its yearly changes."""

    low: float  # councils' average level above this...
    high: float  # ...and at most this
    q25: float
    median: float
    q75: float
    councils: int
    changes: int


def panel_levels(folder: Path, measure: PanelMeasure) -> pd.DataFrame:
    """Each council's published figure by year (councils x years), read by the product's reader."""
    values = read_benchmark_file(folder / measure.file).values
    keep = (values["geographic_level"] == LOCAL_AUTHORITY) & (values["metric"] == measure.metric)
    if measure.category is not None:
        keep &= values["category"] == measure.category
    rows = values[keep]
    return rows.pivot_table(index="la_code", columns="year", values="value", aggfunc="first")


def absolute_changes(levels: pd.DataFrame) -> pd.DataFrame:
    """Every council-year's absolute change on the year before (long: la_code, year, change)."""
    ordered = levels.sort_index(axis=1)
    years = [int(y) for y in ordered.columns]
    frames = []
    for before, after in itertools.pairwise(years):
        if after != before + 1:
            continue  # a gap in the years is not a year-on-year change
        prev, now = ordered[before], ordered[after]
        ok = prev.notna() & now.notna() & (prev > 0)
        change = (now[ok] / prev[ok] - 1).abs()
        frames.append(pd.DataFrame({"la_code": change.index, "year": after, "change": change}))
    if not frames:
        return pd.DataFrame(columns=["la_code", "year", "change"])
    return pd.concat(frames, ignore_index=True)


def size_bands(levels: pd.DataFrame) -> list[Band]:
    """The four size bands of one measure, from councils' average levels and yearly changes."""
    average = levels.mean(axis=1).dropna()
    edges = [0.0, *np.quantile(average, [0.25, 0.5, 0.75]).tolist(), float("inf")]
    changes = absolute_changes(levels)
    changes["level"] = changes["la_code"].map(average)
    bands = []
    for low, high in itertools.pairwise(edges):
        band = changes[(changes["level"] > low) & (changes["level"] <= high)]
        q25, median, q75 = np.quantile(band["change"], [0.25, 0.5, 0.75])
        bands.append(
            Band(
                low=round(low, 1),
                high=round(high, 1) if np.isfinite(high) else float("inf"),
                q25=round(float(q25), 4),
                median=round(float(median), 4),
                q75=round(float(q75), 4),
                councils=int(band["la_code"].nunique()),
                changes=len(band),
            )
        )
    return bands


def panel_summary(folder: Path) -> dict[str, object]:
    """Every measure's size bands, as written to ``data/panel_variability.yaml``."""
    out: dict[str, object] = {}
    for measure in MEASURES:
        levels = panel_levels(folder, measure)
        years = sorted(int(y) for y in levels.columns)
        out[measure.key] = {
            "label": measure.label,
            "source": f"DfE, {measure.file} ({measure.metric}), local authorities "
            f"{years[0]} to {years[-1]}",
            "bands": [band.__dict__ for band in size_bands(levels)],
        }
    return out


def write_panel_summary(folder: Path, path: Path) -> Path:
    """Recompute the panel's quartiles from the DfE tables in ``folder`` and write them."""
    text = (
        "# Year-on-year absolute changes in English councils' published figures, by size band.\n"
        "# Written by: python -m turnaround.synth.variability DFE_FOLDER. Do not edit by hand.\n"
        + yaml.safe_dump(panel_summary(folder), sort_keys=False)
    )
    path.write_text(text, encoding="utf-8")
    return path


@cache
def stored_panel() -> dict[str, dict[str, object]]:
    """The panel's quartiles as stored with the package."""
    text = resources.files("turnaround.synth").joinpath("data", DATA_FILE).read_text()
    return dict(yaml.safe_load(text))


def band_for(key: str, level: float) -> Band:
    """The size band a city whose average ``key`` figure is ``level`` would sit in."""
    entry = stored_panel()[key]
    bands = [Band(**b) for b in entry["bands"]]  # type: ignore[attr-defined]
    for band in bands:
        if level <= band.high:
            return band
    return bands[-1]


def median_absolute_change(series: list[float]) -> float:
    """The median of a series' absolute year-on-year changes (NaN with fewer than two years)."""
    values = np.asarray(series, dtype=float)
    if len(values) < 2:
        return float("nan")
    prev, now = values[:-1], values[1:]
    ok = prev > 0
    return float(np.median(np.abs(now[ok] / prev[ok] - 1))) if ok.any() else float("nan")


def main(argv: list[str]) -> int:
    """Rewrite the stored quartiles from a folder of DfE tables."""
    if len(argv) != 1:
        print("usage: python -m turnaround.synth.variability DFE_FOLDER", file=sys.stderr)
        return 2
    target = Path(str(resources.files("turnaround.synth").joinpath("data", DATA_FILE)))
    write_panel_summary(Path(argv[0]), target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
