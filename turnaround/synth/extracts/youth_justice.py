"""Youth justice: the youth offending team's cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth.extracts.events import (
    CityArrays,
    Rate,
    child_segments,
    draw_events,
    person_rows,
    pick_from,
)
from turnaround.synth.extracts.layout import extract_table, format_dates, record_ids, sex_word
from turnaround.synth.extracts.spec import (
    ROWS_PER_10K,
    Agency,
    ExtractInputs,
    ExtractSpec,
    Source,
)

YJ_RATE = Rate(
    bands=((10, 12, 0.15), (12, 14, 0.5), (14, 16, 1.2), (16, 18, 1.6)),
    factors={
        "substance_misuse": 3.0,
        "domestic_abuse": 2.0,
        "neglect": 2.5,
        "mental_health": 1.5,
        "poverty": 1.0,
    },
)
_OFFENCES = (
    "Violence against the person",
    "Theft and handling",
    "Criminal damage",
    "Drugs",
    "Public order",
    "Robbery",
    "Motoring",
    "Other",
)
_OUTCOMES = (
    "Triage",
    "Youth Caution",
    "Youth Conditional Caution",
    "Referral Order",
    "Youth Rehabilitation Order",
    "Detention and Training Order",
)


def _youth_justice(city: CityArrays, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Youth offending team cases: older boys, and children in troubled homes, far more often."""
    boys = city.children["sex"].to_numpy(dtype=object) == "M"
    events = draw_events(child_segments(city, YJ_RATE, np.where(boys, 3.0, 1.0)), rng, total=total)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    rows["offence"] = pick_from(rng, _OFFENCES, n, [0.24, 0.2, 0.14, 0.1, 0.1, 0.05, 0.07, 0.1])
    rows["outcome"] = pick_from(rng, _OUTCOMES, n, [0.25, 0.3, 0.12, 0.2, 0.1, 0.03])
    return rows


def _yj_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    return extract_table(
        {
            "YOTRef": record_ids("YOT", len(rows), 6),
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "DOB": format_dates(rows["dob"], "%Y-%m-%d"),
            "Gender": sex_word(rows["sex"]),
            "NHSNumber": rows["nhs_number"],
            "Address": rows["line1"],
            "Postcode": rows["postcode"],
            "OffenceDate": format_dates(rows["record_date"], "%Y-%m-%d"),
            "OffenceType": rows["offence"],
            "Outcome": rows["outcome"],
        }
    )


def _draw(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["youth_justice"] * inputs.config.scale
    return (_youth_justice(inputs.city, total, rng),)


YOUTH_JUSTICE = ExtractSpec("youth_justice", "YOTRef", (10, 18), "youth_justice", _yj_layout)
AGENCY = Agency("youth_justice", (Source("extracts.youth_justice", _draw, (YOUTH_JUSTICE,)),))
