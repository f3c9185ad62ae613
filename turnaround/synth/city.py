"""Generate a whole synthetic local authority and write it to disk.

city/
  returns/ssda903/<year>/*.csv      the council's SSDA903 return, one folder per year
  returns/cin/cin_census_<year>.xml the CIN census
  returns/annex_a/annex_a_<year>.xlsx  Ofsted's Annex A lists 1-11
  extracts/*.csv                    partner agency extracts, each in its own layout
  workforce/*.csv                   staff, teams, vacancies, case allocations
  truth/*.parquet                   ground truth: never mixed with the extracts (targets.py
                                    says who the worklist should find on its date)
  manifest.json                     what was generated, with its calibration figures
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from turnaround.synth import calibration, targets
from turnaround.synth.calendar import day_number
from turnaround.synth.case_records import case_people, write_case_people
from turnaround.synth.config import SynthConfig
from turnaround.synth.extracts import build_extracts, write_extracts
from turnaround.synth.journeys import simulate_journeys
from turnaround.synth.model import City, Risk, SocialCare
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.population_file import write_population
from turnaround.synth.risk import build_risk_spells
from turnaround.synth.rng import rng_for
from turnaround.synth.workforce import build_workforce, write_workforce
from turnaround.synth.write_annex_a import write_annex_a
from turnaround.synth.write_cin import write_cin_census
from turnaround.synth.write_ssda903 import write_ssda903

Progress = Callable[[str, int, int], None]
STEPS = ("population", "risk", "journeys", "workforce", "extracts", "returns", "truth")


@dataclass
class GeneratedCity:
    """The city in memory, where it was written, and its calibration table."""

    city: City
    out_dir: Path
    known_status: pd.DataFrame
    figures: list[calibration.Figure]
    unknown_at_risk: int
    unknown_targets: dict[str, int] = field(default_factory=dict)
    """Unknown children at risk at the worklist date ('at_risk_now') and at high or severe
    risk then ('high_or_severe'): see ``targets.py``."""


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def generate_city(config: SynthConfig, out_dir: Path, progress: Progress = _quiet) -> GeneratedCity:
    """Generate the city described by ``config`` and write every file under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(STEPS)
    progress("population", 0, total)
    sim_start = simulation_start(config)
    population = build_population(config, rng_for(config.seed, "population"), sim_start)
    progress("risk", 1, total)
    end = day_number(config.window_end)
    spells = build_risk_spells(population, rng_for(config.seed, "risk"), sim_start, end)
    progress("journeys", 2, total)
    journeys = simulate_journeys(
        config, population, spells, rng_for(config.seed, "journeys"), sim_start
    )
    progress("workforce", 3, total)
    workforce = build_workforce(
        journeys.social_care.cases, config, rng_for(config.seed, "workforce")
    )
    progress("extracts", 4, total)
    extracts = build_extracts(
        population, spells, journeys.social_care, config, lambda name: rng_for(config.seed, name)
    )
    city = City(
        population=population,
        risk=Risk(
            spells=spells,
            child_risk=journeys.child_risk,
            drift=journeys.drift.table() if journeys.drift else None,
            regimes=journeys.drift.regime_table() if journeys.drift else None,
            targets=journeys.targets,
        ),
        social_care=journeys.social_care,
        extracts=extracts,
        workforce=workforce,
    )
    progress("returns", 5, total)
    write_returns(city, config, out_dir / "returns")
    write_extracts(extracts, out_dir / "extracts")
    write_workforce(workforce, out_dir / "workforce")
    write_population(config, population.children, out_dir / "population")
    people = case_people(population, journeys.social_care, rng_for(config.seed, "case-records"))
    write_case_people(people, out_dir / "social_care")
    progress("truth", 6, total)
    write_truth(city, journeys.known_status, out_dir / "truth")
    figures = calibration.headline_figures(city, config)
    unknown = calibration.unknown_at_risk(
        journeys.known_status, journeys.child_risk, config.end_year
    )
    now = {
        column: len(targets.unknown_targets(journeys.targets, journeys.known_status, column))
        for column in ("at_risk_now", "high_or_severe")
    }
    city.figures = {f.key: f.generated for f in figures}
    write_manifest(config, figures, unknown, out_dir, now, city.risk.regimes)
    progress("done", total, total)
    return GeneratedCity(city, out_dir, journeys.known_status, figures, unknown, now)


def write_returns(city: City, config: SynthConfig, out_dir: Path, workers: int = 0) -> list[Path]:
    """The SSDA903, CIN census and Annex A files for every collection year.

    Years are independent (each has its own random stream), so they are written in parallel
    by worker processes; the files are the same either way. Workers are spawned, not forked:
    forking a process that already runs native threads (DuckDB, Arrow) can crash the child.
    """
    years = config.collection_years
    workers = workers or min(len(years), os.cpu_count() or 1)
    parts = _YearInputs(
        city.social_care,
        city.population.children,
        city.workforce.sw_episodes,
        city.workforce.allocations,
        config,
        out_dir,
    )
    if workers <= 1:
        _SHARED["inputs"] = parts
        try:
            batches = [_write_year(year) for year in years]
        finally:
            _SHARED.clear()
    else:
        with mp.get_context("spawn").Pool(workers, initializer=_receive, initargs=(parts,)) as pool:
            batches = pool.map(_write_year, years, chunksize=1)
    return [Path(p) for batch in batches for p in batch]


@dataclass
class _YearInputs:
    """What writing one year's returns needs; sent once to each worker."""

    social_care: SocialCare
    children: pd.DataFrame
    sw_episodes: pd.DataFrame
    allocations: pd.DataFrame
    config: SynthConfig
    out_dir: Path


_SHARED: dict[str, _YearInputs] = {}


def _receive(parts: _YearInputs) -> None:
    _SHARED["inputs"] = parts


def _write_year(year: int) -> list[str]:
    parts = _SHARED["inputs"]
    sc, children, config, out_dir = parts.social_care, parts.children, parts.config, parts.out_dir
    rng = rng_for(config.seed, f"returns-{year}")
    written = write_ssda903(
        sc, children, parts.sw_episodes, config, year, out_dir / "ssda903" / str(year), rng
    )
    written.append(
        write_cin_census(sc, children, config, year, out_dir / "cin" / f"cin_census_{year}.xml")
    )
    written.append(
        write_annex_a(
            sc,
            children,
            parts.allocations,
            config,
            year,
            out_dir / "annex_a" / f"annex_a_{year}.xlsx",
        )
    )
    return [str(p) for p in written]


def write_truth(city: City, known_status: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Ground truth, as Parquet, in its own folder apart from everything a council would hold."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "children": city.population.children,
        "households": city.population.households,
        "addresses": city.population.addresses,
        "adults": city.population.adults,
        "risk_spells": city.risk.spells,
        "child_risk": city.risk.child_risk,
        "known_status": known_status,
        "known_children": city.social_care.known_children,
        "record_truth": city.extracts.truth,
    }
    if city.risk.drift is not None:
        tables["drift"] = city.risk.drift
    if city.risk.regimes is not None:
        tables["regimes"] = city.risk.regimes
    if city.risk.targets is not None:
        tables["targets"] = city.risk.targets
    paths = []
    for name, frame in tables.items():
        path = out_dir / f"{name}.parquet"
        frame.to_parquet(path, index=False, compression="zstd")
        paths.append(path)
    return paths


def write_manifest(
    config: SynthConfig,
    figures: list[calibration.Figure],
    unknown: int,
    out_dir: Path,
    unknown_now: dict[str, int] | None = None,
    regimes_table: pd.DataFrame | None = None,
) -> Path:
    """A small JSON description of the city: settings and headline figures (no timestamps).

    ``unknown`` counts the unknown children at risk in the last year (the older target);
    ``unknown_now`` those at risk, and at high or severe risk, at the worklist date;
    ``regimes_table`` the city's changes of regime.
    """
    regimes = (
        []
        if regimes_table is None
        else [
            {
                "date": str(row["date"])[:10],
                "kind": str(row["kind"]),
                "lever": str(row["lever"]),
                "multiplier": round(float(row["multiplier"]), 3),
            }
            for row in regimes_table.to_dict("records")
        ]
    )
    manifest = {
        "config": json.loads(config.model_dump_json()),
        "collection_years": config.collection_years,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "generated": round(f.generated, 4),
                "published": round(f.published, 4),
                "unit": f.unit,
                "within": f.within,
                "allowed": f.allowed,
                "source": f.source,
            }
            for f in figures
        ],
        "unknown_at_risk": unknown,
        "regimes": regimes,
    }
    if unknown_now is not None:
        manifest["unknown_at_worklist_date"] = {
            "worklist_date": targets.worklist_date(config).isoformat(),
            **unknown_now,
        }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
