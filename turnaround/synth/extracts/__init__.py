"""Partner agency extracts: what schools, health, police, housing and youth justice hold.

Each agency's extract is built from events drawn for the city's children, each in the agency's
own layout, column names, date format and record ids, and then passed through that agency's
noise (``noise.PROFILES``). Events follow the households' latent risk, so a child in a household
with domestic abuse appears far more often in police notifications; but every child can appear
in any extract, so being in one is not itself a sign of risk.

Events cover the last two collection years; the school census is the January census of the
last year. Volumes are set per 10,000 children (``ROWS_PER_10K``) and so scale with the city.
Who each record really is goes in ``Extracts.truth`` and never into an extract.

The package: one module per agency (``schools``, ``health``, ``police``, ``housing``,
``youth_justice``), each declaring its extracts as ``spec`` objects; ``registry`` maps agency
names to them; ``events`` holds the flattened city and the event drawing every agency shares;
``layout`` the date formats and record ids of the agencies' files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from turnaround.synth import noise
from turnaround.synth.config import SynthConfig
from turnaround.synth.extracts.events import prepare
from turnaround.synth.extracts.health import AE_INJURY_RATE, AE_RATE, HV_RATE
from turnaround.synth.extracts.housing import HOMELESS_RATE
from turnaround.synth.extracts.police import DA_RATE, MISSING_RATE
from turnaround.synth.extracts.registry import (
    AGE_RANGE,
    AGENCIES,
    RECORD_ID_COLUMN,
    extract_specs,
)
from turnaround.synth.extracts.spec import ROWS_PER_10K, Agency, ExtractInputs, ExtractSpec, Source
from turnaround.synth.extracts.youth_justice import YJ_RATE
from turnaround.synth.model import Extracts, Population, SocialCare

__all__ = [
    "AE_INJURY_RATE",
    "AE_RATE",
    "AGENCIES",
    "AGE_RANGE",
    "DA_RATE",
    "HOMELESS_RATE",
    "HV_RATE",
    "MISSING_RATE",
    "RECORD_ID_COLUMN",
    "ROWS_PER_10K",
    "YJ_RATE",
    "Agency",
    "ExtractInputs",
    "ExtractSpec",
    "Source",
    "StreamFactory",
    "build_extracts",
    "extract_specs",
    "write_extracts",
]

StreamFactory = Callable[[str], np.random.Generator]


def build_extracts(
    population: Population,
    risk_spells: pd.DataFrame,
    social_care: SocialCare,
    config: SynthConfig,
    rng_for_stream: StreamFactory,
) -> Extracts:
    """Every partner agency's extract for the last two collection years, and the truth."""
    inputs = ExtractInputs(prepare(population, risk_spells, config), social_care, config)
    tables: dict[str, pd.DataFrame] = {}
    truths: list[pd.DataFrame] = []
    for agency in AGENCIES.values():
        for source in agency.sources:
            drawn = source.draw(inputs, rng_for_stream(source.stream))
            for spec, rows in zip(source.extracts, drawn, strict=True):
                noisy = noise.apply_noise(
                    rows,
                    noise.PROFILES[spec.noise_profile],
                    rng_for_stream(f"extracts.{spec.name}.noise"),
                    addresses=inputs.city.addresses,
                )
                table = spec.layout(noisy, inputs)
                tables[spec.name] = table.reset_index(drop=True)
                truths.append(_truth(spec, table, rows["person_id"]))
    return Extracts(tables=tables, truth=pd.concat(truths, ignore_index=True))


def _truth(spec: ExtractSpec, table: pd.DataFrame, person_id: pd.Series) -> pd.DataFrame:
    """Who each record of one extract really is: source, record id and person."""
    return pd.DataFrame(
        {
            "source": pd.array([spec.name] * len(table), dtype="str"),
            "record_id": pd.array(table[spec.record_id].to_numpy(), dtype="str"),
            "person_id": np.asarray(person_id, dtype="int64"),
        }
    )


def write_extracts(extracts: Extracts, out_dir: Path | str) -> list[Path]:
    """Write each extract as ``<name>.csv`` in ``out_dir``; the truth is not written here."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
    for name, table in extracts.tables.items():
        path = out / f"{name}.csv"
        pa_csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path, options)
        written.append(path)
    return written
