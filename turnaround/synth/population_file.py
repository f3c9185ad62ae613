"""The synthetic city's child population, written as the ONS mid-year estimates table.

The file has exactly the layout of the DfE's copy of the ONS estimates
(``ons_mid-year_population_estimates_2012_to_2024.csv``), with one row per mid-year for the
city's council, so ``turnaround benchmarks load city/population`` gives the city's rates per
10,000 their denominator. A mid-year estimate counts the children aged 0 to 17 living in the
area on 30 June; the one for 30 June 2013 is the denominator for the collection year to
31 March 2014, so the file covers the 30 June before each collection year in the window.
Because it has no England row, the loader treats it as the council's own estimate.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from turnaround.benchmarks.tables import GEOGRAPHY
from turnaround.synth.config import SynthConfig

FILE_NAME = "ons_mid_year_population_estimates.csv"
# The DfE's geography columns, then the ONS table's own two.
ONS_COLUMNS = (*GEOGRAPHY, "age_group", "population_estimate")
AGE_GROUP = "Children aged 0 to 17 years"


def children_resident(children: pd.DataFrame, on: date) -> int:
    """Children aged 0-17 living in the city on a day (arrived by then, not yet left)."""
    day = pd.Timestamp(on)
    eighteenth_cutoff = pd.Timestamp(on.replace(year=on.year - 18))
    dob = pd.to_datetime(children["dob"])
    arrived = pd.to_datetime(children["arrived"])
    left = pd.to_datetime(children["left"])
    living = (
        (dob <= day) & (dob > eighteenth_cutoff) & (arrived <= day) & (left.isna() | (left > day))
    )
    return int(living.sum())


def write_population(config: SynthConfig, population_children: pd.DataFrame, out_dir: Path) -> Path:
    """Write the city's ONS-format mid-year child population to ``out_dir``; return the file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mid_years = sorted((year - 1 for year in config.collection_years), reverse=True)
    rows = [
        {
            "time_period": mid_year,
            "time_identifier": "Reporting year",
            "geographic_level": "Local authority",
            "country_code": "E92000001",
            "country_name": "England",
            "region_code": "",
            "region_name": "",
            "old_la_code": config.la_code,
            "new_la_code": "",
            "la_name": config.la_name,
            "age_group": AGE_GROUP,
            "population_estimate": children_resident(population_children, date(mid_year, 6, 30)),
        }
        for mid_year in mid_years
    ]
    path = out_dir / FILE_NAME
    pd.DataFrame(rows, columns=list(ONS_COLUMNS)).to_csv(path, index=False)
    return path
