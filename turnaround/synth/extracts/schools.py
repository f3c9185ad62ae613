"""Schools: the January school census, with autumn-term attendance and exclusions."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth.extracts.events import (
    CityArrays,
    birthday,
    factor_at,
    person_rows,
    third_thursday_of_january,
    to_day,
)
from turnaround.synth.extracts.layout import extract_table, format_dates, record_ids
from turnaround.synth.extracts.spec import (
    Agency,
    ExtractInputs,
    ExtractSpec,
    Source,
)

# The chance that each factor in the household disrupts a child's attendance, tuned so that
# children living with domestic abuse or parental substance misuse are persistently absent about
# as often as the DfE finds for children assessed with those factors (31% and 35%, 2018).
ATTENDANCE_FACTORS = {
    "neglect": 0.5,
    "substance_misuse": 0.3,
    "mental_health": 0.28,
    "domestic_abuse": 0.15,
}


def _troubled_attendance(
    city: CityArrays, child: np.ndarray, days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Whether trouble at home disrupts each pupil's attendance, factor by factor."""
    spared = np.ones(len(child))
    for factor, chance in ATTENDANCE_FACTORS.items():
        spared *= 1 - chance * factor_at(city, child, days, (factor,))
    return rng.random(len(child)) >= spared


def _school_census(city: CityArrays, census: date, rng: np.random.Generator) -> pd.DataFrame:
    """Every child on a school roll on census day, with autumn-term attendance and exclusions."""
    day = to_day(census)
    year_start = to_day(date(census.year - 1, 9, 1))
    year_start_age = np.zeros(len(city.dob), dtype="int64")
    for years in range(3, 18):
        year_start_age[birthday(city.dob, years) <= year_start - 1] = years
    c = city.children
    on_roll = (
        (city.arrived <= day)
        & (day < city.left)
        & (year_start_age >= 4)
        & (year_start_age <= 15)
        & (c["school_urn"].to_numpy(dtype=object) != "")
        & (c["upn"].to_numpy(dtype=object) != "")
    )
    child = np.flatnonzero(on_roll)
    n = len(child)
    days = np.full(n, day, dtype="int64")
    rows = person_rows(city, child, days)
    rows["ncy"] = year_start_age[child] - 4
    troubled = _troubled_attendance(city, child, days, rng)
    poor = factor_at(city, child, days, ("poverty",))
    # Autumn term: about 144 sessions, fewer for a child who joined part way through.
    term_start = to_day(date(census.year - 1, 9, 3))
    term_days = 144
    joined = np.clip((city.arrived[child] - term_start) * 5 // 7 * 2, 0, term_days - 10)
    possible = term_days - joined
    absence_rate = np.where(troubled, rng.beta(1.6, 7.0, n), rng.beta(1.1, 20.0, n))
    missed = rng.binomial(possible, absence_rate)
    unauthorised_share = np.where(troubled, rng.beta(3, 3, n), rng.beta(1.2, 4, n))
    unauthorised = rng.binomial(missed, unauthorised_share)
    secondary = rows["ncy"].to_numpy() >= 7
    exclusion_rate = np.where(troubled, 0.15, 0.012) * np.where(secondary, 2.5, 0.6)
    rows["sessions_possible"] = possible
    rows["sessions_missed"] = missed
    rows["sessions_unauthorised"] = unauthorised
    rows["exclusions"] = rng.poisson(exclusion_rate)
    rows["fsm"] = np.where(rng.random(n) < np.where(poor, 0.8, 0.12), "true", "false")
    disabled = c["disability"].to_numpy(dtype=bool)[child]
    sen_draw = rng.random(n)
    rows["sen"] = np.where(
        disabled,
        np.where(sen_draw < 0.45, "E", np.where(sen_draw < 0.9, "K", "N")),
        np.where(sen_draw < 0.012, "E", np.where(sen_draw < 0.14, "K", "N")),
    )
    order = rows.sort_values(["school_urn", "surname", "forename"], kind="stable").index
    return rows.loc[order].reset_index(drop=True)


def _school_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    ncy = rows["ncy"].to_numpy()
    return extract_table(
        {
            "CensusRowID": record_ids(f"SC{inputs.config.end_year % 100:02d}-", len(rows)),
            "URN": rows["school_urn"],
            "UPN": rows["upn"],
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "MiddleNames": rows["middle_name"],
            "DOB": format_dates(rows["dob"], "%Y-%m-%d"),
            "Gender": rows["sex"],
            "NCYearActual": np.where(ncy == 0, "R", ncy.astype(str)).astype(object),
            "Postcode": rows["postcode"],
            "FSMEligible": rows["fsm"],
            "SENProvision": rows["sen"],
            "SessionsPossible": rows["sessions_possible"].to_numpy(dtype="int64"),
            "SessionsMissed": rows["sessions_missed"].to_numpy(dtype="int64"),
            "SessionsUnauthorised": rows["sessions_unauthorised"].to_numpy(dtype="int64"),
            "FixedTermExclusions": rows["exclusions"].to_numpy(dtype="int64"),
        }
    )


def _draw(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    census_date = third_thursday_of_january(inputs.config.end_year)
    return (_school_census(inputs.city, census_date, rng),)


SCHOOL_CENSUS = ExtractSpec("school_census", "CensusRowID", (4, 17), "school", _school_layout)
AGENCY = Agency("schools", (Source("extracts.school_census", _draw, (SCHOOL_CENSUS,)),))
