"""Police: domestic abuse notifications listing each child, and missing-person reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth.extracts.events import (
    BASE,
    OPEN,
    CityArrays,
    Rate,
    child_segments,
    children_on_day,
    draw_events,
    household_factor_at,
    household_segments,
    person_rows,
    pick_from,
    resident_on,
    time_of_day,
    to_days,
)
from turnaround.synth.extracts.layout import extract_table, format_dates
from turnaround.synth.extracts.spec import (
    ROWS_PER_10K,
    Agency,
    ExtractInputs,
    ExtractSpec,
    Source,
)
from turnaround.synth.model import SocialCare

# High-risk abuse is repeated abuse: a household in a high-risk spell calls the police out more.
DA_RATE = Rate(
    bands=((0, 18, 1.0),),
    factors={
        "domestic_abuse": 20.0,
        "high_risk_domestic_abuse": 30.0,
        "substance_misuse": 3.0,
        "mental_health": 1.0,
    },
)
DASH_GRADES = ("Standard", "Medium", "High")
# The chance of each DASH grade, by the household's state on the day: no spell of domestic abuse
# (an incident from the background rate), a spell that is not high-risk, and a high-risk spell.
# Officers grade with error (Robinson et al., College of Policing, 2016), so no state gives one
# grade only.
DASH_BY_SEVERITY = {
    "none": (0.79, 0.20, 0.01),
    "standard": (0.52, 0.445, 0.035),
    "high": (0.08, 0.22, 0.70),
}


def dash_grades(rng: np.random.Generator, in_spell: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The DASH grade police give each incident, from the abuse's latent severity on the day."""
    state = np.where(high, "high", np.where(in_spell, "standard", "none"))
    grade = np.empty(len(state), dtype=object)
    for name, p in DASH_BY_SEVERITY.items():
        here = state == name
        grade[here] = pick_from(rng, DASH_GRADES, int(here.sum()), list(p))
    return grade


def _domestic_abuse(city: CityArrays, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Police notifications of domestic abuse: one row per child living in the household."""
    incidents = draw_events(
        household_segments(city, DA_RATE), rng, total=total, unit="household_id"
    )
    incidents["incident"] = np.arange(len(incidents))
    household = incidents["household_id"].to_numpy()
    day = incidents["day"].to_numpy()
    in_spell = household_factor_at(city, household, day, ("domestic_abuse",))
    high = household_factor_at(city, household, day, ("high_risk_domestic_abuse",))
    incidents["grade"] = dash_grades(rng, in_spell, high)
    incidents["time"] = time_of_day(rng, len(incidents), evening=True)
    listed = children_on_day(city, incidents, DOMESTIC_ABUSE.ages)
    # Incident references follow the order incidents were reported.
    seen = listed.drop_duplicates("incident")["incident"].to_numpy()
    ref_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    rows = person_rows(city, listed["child"].to_numpy(), listed["day"].to_numpy())
    number = ref_number.reindex(listed["incident"].to_numpy()).to_numpy()
    year = rows["record_date"].dt.year.to_numpy() % 100
    rows["incident_ref"] = np.char.add(
        np.char.add(np.char.add("DA/", np.char.zfill(year.astype(str), 2)), "/"),
        np.char.zfill(number.astype(str), 6),
    ).astype(object)
    rows["child_no"] = listed.groupby("incident").cumcount().to_numpy() + 1
    rows["grade"] = listed["grade"].to_numpy()
    rows["time"] = listed["time"].to_numpy()
    rows["adult"] = city.parent_name.reindex(rows["household_id"]).fillna("").to_numpy(dtype=object)
    return rows


def _da_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    notification = np.char.add(
        np.char.add(rows["incident_ref"].to_numpy(dtype=str), "-"),
        np.char.zfill(rows["child_no"].to_numpy().astype(str), 2),
    ).astype(object)
    return extract_table(
        {
            "NotificationID": notification,
            "IncidentRef": rows["incident_ref"],
            "IncidentDateTime": np.char.add(
                np.char.add(format_dates(rows["record_date"], "%Y-%m-%d").astype(str), " "),
                rows["time"].to_numpy(dtype=str),
            ).astype(object),
            "ChildSurname": rows["surname"],
            "ChildForename": rows["forename"],
            "ChildDOB": format_dates(rows["dob"], "%d/%m/%Y"),
            "ChildGender": rows["sex"],
            "NHSNumber": rows["nhs_number"],
            "AddressLine1": rows["line1"],
            "Postcode": rows["postcode"],
            "AdultInvolved": rows["adult"],
            "DASHGrade": rows["grade"],
        }
    )


MISSING_RATE = Rate(
    bands=((10, 13, 0.4), (13, 16, 1.0), (16, 18, 0.8)),
    factors={
        "domestic_abuse": 4.0,
        "substance_misuse": 4.0,
        "mental_health": 3.0,
        "neglect": 6.0,
        "poverty": 0.5,
    },
)


def _missing(
    city: CityArrays, social_care: SocialCare, total: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Police missing-person reports: looked-after children's missing episodes, and others."""
    known = social_care.known_children[["person_id", "la_child_id"]]
    episodes = social_care.missing.merge(known, on="la_child_id")
    # Police hear of nearly every episode of going missing from care, and some of being away.
    reported = rng.random(len(episodes)) < np.where(episodes["missing"] == "M", 0.95, 0.3)
    episodes = episodes.loc[reported]
    position = pd.Series(np.arange(len(city.person_id)), index=city.person_id)
    child = position.reindex(episodes["person_id"].to_numpy()).to_numpy()
    day = to_days(episodes["mis_start"], -OPEN)
    ok = ~np.isnan(child) & (day >= city.start) & (day < city.end)
    child = child[ok].astype("int64")
    day = day[ok]
    keep = resident_on(city, child, day, MISSING.ages)
    from_care = pd.DataFrame({"child": child[keep], "day": day[keep], "factor": BASE, "care": True})
    others = draw_events(
        child_segments(city, MISSING_RATE), rng, total=max(total - len(from_care), 0.3 * total)
    ).assign(care=False)
    events = pd.concat([from_care, others], ignore_index=True)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    rows["missing_from"] = np.where(events["care"].to_numpy(dtype=bool), "Care placement", "Home")
    rows["hours"] = np.maximum(1, np.round(rng.lognormal(2.6, 1.0, n))).astype("int64")
    rows["time"] = time_of_day(rng, n, evening=True)
    return rows


def _missing_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    year = rows["record_date"].dt.year.to_numpy().astype(str)
    ref = np.char.add(
        np.char.add(np.char.add("MP", year), "-"),
        np.char.zfill(np.arange(1, len(rows) + 1).astype(str), 6),
    )
    return extract_table(
        {
            "ReportRef": ref.astype(object),
            "ReportedDate": format_dates(rows["record_date"], "%d-%b-%Y"),
            "ReportedTime": rows["time"],
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "DateOfBirth": format_dates(rows["dob"], "%d-%b-%Y"),
            "Sex": rows["sex"],
            "NHSNumber": rows["nhs_number"],
            "HomeAddress": rows["line1"],
            "Postcode": rows["postcode"],
            "MissingFrom": rows["missing_from"],
            "HoursMissing": rows["hours"].to_numpy(dtype="int64"),
        }
    )


def _draw_da(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["police_domestic_abuse"] * inputs.config.scale
    return (_domestic_abuse(inputs.city, total, rng),)


def _draw_missing(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["police_missing"] * inputs.config.scale
    return (_missing(inputs.city, inputs.social_care, total, rng),)


DOMESTIC_ABUSE = ExtractSpec(
    "police_domestic_abuse", "NotificationID", (0, 18), "police", _da_layout
)
MISSING = ExtractSpec("police_missing", "ReportRef", (10, 18), "police", _missing_layout)
AGENCY = Agency(
    "police",
    (
        Source("extracts.police_da", _draw_da, (DOMESTIC_ABUSE,)),
        Source("extracts.police_missing", _draw_missing, (MISSING,)),
    ),
)
