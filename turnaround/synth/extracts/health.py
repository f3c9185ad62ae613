"""Health: emergency department attendances and health visitors' concerns about under-fives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth.extracts.events import (
    BASE,
    CityArrays,
    Rate,
    age_at,
    child_segments,
    draw_events,
    person_rows,
    pick_from,
    time_of_day,
)
from turnaround.synth.extracts.layout import extract_table, format_dates, record_ids, sex_word
from turnaround.synth.extracts.spec import (
    ROWS_PER_10K,
    Agency,
    ExtractInputs,
    ExtractSpec,
    Source,
)
from turnaround.synth.risk import FACTORS

AE_RATE = Rate(
    bands=((0, 1, 2.8), (1, 5, 1.6), (5, 16, 1.0), (16, 18, 1.3)),
    factors={
        "neglect": 0.6,
        "domestic_abuse": 0.5,
        "substance_misuse": 0.5,
        "mental_health": 0.4,
        "poverty": 0.2,
        "child_disability": 1.0,
    },
)
# Injuries to babies and toddlers in households with neglect or domestic abuse, per child-year.
AE_INJURY_RATE = Rate(
    bands=((0, 2, 1.0),), factors={"neglect": 0.5, "domestic_abuse": 0.3}, baseline=False
)
_AE_COMPLAINTS = (
    ("Illness - respiratory", "Illness", 0.22),
    ("Illness - fever", "Illness", 0.14),
    ("Illness - gastrointestinal", "Illness", 0.11),
    ("Illness - rash", "Illness", 0.05),
    ("Abdominal pain", "Illness", 0.06),
    ("Injury - fall", "Injury", 0.16),
    ("Injury - limb", "Injury", 0.1),
    ("Head injury", "Injury", 0.06),
    ("Burn or scald", "Injury", 0.02),
    ("Poisoning or ingestion", "Poisoning", 0.02),
    ("Other", "Other", 0.06),
)
_AE_OLDER = (
    ("Self-harm", "Self-harm"),
    ("Overdose", "Poisoning"),
    ("Alcohol intoxication", "Poisoning"),
    ("Assault", "Injury"),
    ("Mental health crisis", "Mental health"),
)
_AE_INJURIES = (
    ("Head injury", "Injury"),
    ("Injury - limb", "Injury"),
    ("Bruising", "Injury"),
    ("Burn or scald", "Injury"),
    ("Poisoning or ingestion", "Poisoning"),
)


def _ae_attendances(city: CityArrays, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Emergency department attendances: illness and injury for all, more in troubled homes."""
    injuries = draw_events(child_segments(city, AE_INJURY_RATE), rng, per_year=1.0)
    general = draw_events(child_segments(city, AE_RATE), rng, total=max(total - len(injuries), 0.0))
    events = pd.concat([general.assign(kind=0), injuries.assign(kind=1)], ignore_index=True)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    base = np.array([w for _, _, w in _AE_COMPLAINTS])
    which = rng.choice(len(_AE_COMPLAINTS), size=n, p=base / base.sum())
    complaint = np.array([c for c, _, _ in _AE_COMPLAINTS], dtype=object)[which]
    group = np.array([g for _, g, _ in _AE_COMPLAINTS], dtype=object)[which]
    age = age_at(rows["dob"], rows["record_date"])
    older = (age >= 12) & (events["factor"].to_numpy() != BASE) & (rng.random(n) < 0.3)
    older |= (age >= 13) & (rng.random(n) < 0.02)
    k = rng.integers(len(_AE_OLDER), size=n)
    complaint[older] = np.array([c for c, _ in _AE_OLDER], dtype=object)[k[older]]
    group[older] = np.array([g for _, g in _AE_OLDER], dtype=object)[k[older]]
    injured = events["kind"].to_numpy() == 1
    k = rng.integers(len(_AE_INJURIES), size=n)
    complaint[injured] = np.array([c for c, _ in _AE_INJURIES], dtype=object)[k[injured]]
    group[injured] = np.array([g for _, g in _AE_INJURIES], dtype=object)[k[injured]]
    rows["complaint"] = complaint
    rows["group"] = group
    rows["arrival_time"] = time_of_day(rng, n, evening=False)
    rows["arrival_mode"] = np.where(rng.random(n) < 0.18, "Ambulance", "Walk-in")
    return rows


def _ae_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    return extract_table(
        {
            "AttendanceID": record_ids("ED", len(rows), 8),
            "ArrivalDate": format_dates(rows["record_date"], "%d/%m/%Y"),
            "ArrivalTime": rows["arrival_time"],
            "ArrivalMode": rows["arrival_mode"],
            "NHSNumber": rows["nhs_number"],
            "PatientForename": rows["forename"],
            "PatientSurname": rows["surname"],
            "DateOfBirth": format_dates(rows["dob"], "%d/%m/%Y"),
            "Sex": sex_word(rows["sex"]),
            "Postcode": rows["postcode"],
            "GPPractice": rows["gp_practice"],
            "PresentingComplaint": rows["complaint"],
            "DiagnosisGroup": rows["group"],
        }
    )


HV_RATE = Rate(
    bands=((0, 1, 1.6), (1, 5, 1.0)),
    factors={
        "domestic_abuse": 10.0,
        "substance_misuse": 10.0,
        "mental_health": 8.0,
        "neglect": 14.0,
        "poverty": 2.0,
        "child_disability": 4.0,
    },
)
_HV_CONCERN = {
    "domestic_abuse": "Domestic abuse disclosed",
    "substance_misuse": "Parental substance misuse",
    "mental_health": "Parental mental health",
    "neglect": "Home conditions",
    "poverty": "Housing or financial hardship",
    "child_disability": "Developmental concern",
    "high_risk_domestic_abuse": "Domestic abuse disclosed",
}
_HV_BACKGROUND = (
    "Missed appointments",
    "Feeding or growth",
    "Development review concern",
    "Parenting support",
    "Postnatal low mood",
    "Home conditions",
)


def _health_visiting(city: CityArrays, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Concerns health visitors record about under-fives, mostly in households at risk."""
    events = draw_events(child_segments(city, HV_RATE), rng, total=total)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    factor = events["factor"].to_numpy()
    # A concern raised during a spell is often recorded under another heading.
    named = (factor != BASE) & (rng.random(n) < 0.7)
    concern = pick_from(rng, _HV_BACKGROUND, n)
    names = np.array([_HV_CONCERN[f] for f in FACTORS], dtype=object)
    concern[named] = names[factor[named]]
    rows["concern"] = concern
    rows["contact_type"] = pick_from(
        rng, ("Home visit", "Clinic", "Telephone"), n, [0.55, 0.3, 0.15]
    )
    rows["parent"] = (
        city.parent_name.reindex(rows["household_id"]).fillna("").to_numpy(dtype=object)
    )
    return rows


def _hv_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    return extract_table(
        {
            "ContactID": record_ids("HV", len(rows)),
            "ContactDate": format_dates(rows["record_date"], "%d.%m.%Y"),
            "ContactType": rows["contact_type"],
            "NHSNumber": rows["nhs_number"],
            "ChildSurname": rows["surname"],
            "ChildForename": rows["forename"],
            "ChildDOB": format_dates(rows["dob"], "%d.%m.%Y"),
            "ChildSex": rows["sex"],
            "ParentCarer": rows["parent"],
            "Postcode": rows["postcode"],
            "GPPractice": rows["gp_practice"],
            "ConcernType": rows["concern"],
        }
    )


def _draw_ae(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["ae_attendances"] * inputs.config.scale
    return (_ae_attendances(inputs.city, total, rng),)


def _draw_hv(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["health_visiting"] * inputs.config.scale
    return (_health_visiting(inputs.city, total, rng),)


AE_ATTENDANCES = ExtractSpec("ae_attendances", "AttendanceID", (0, 18), "ae", _ae_layout)
HEALTH_VISITING = ExtractSpec("health_visiting", "ContactID", (0, 5), "health_visiting", _hv_layout)
AGENCY = Agency(
    "health",
    (
        Source("extracts.ae", _draw_ae, (AE_ATTENDANCES,)),
        Source("extracts.health_visiting", _draw_hv, (HEALTH_VISITING,)),
    ),
)
