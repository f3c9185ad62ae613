"""Housing: homelessness applications listing the children, and temporary accommodation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth.extracts.events import (
    CityArrays,
    Rate,
    children_on_day,
    draw_events,
    household_segments,
    person_rows,
    pick_from,
    to_datetimes,
)
from turnaround.synth.extracts.layout import extract_table, format_dates
from turnaround.synth.extracts.spec import (
    ROWS_PER_10K,
    Agency,
    ExtractInputs,
    ExtractSpec,
    Source,
)
from turnaround.synth.risk import FACTORS

HOMELESS_RATE = Rate(
    bands=((0, 18, 1.0),),
    factors={"poverty": 40.0, "domestic_abuse": 8.0, "substance_misuse": 4.0, "mental_health": 3.0},
)
_LOSS_REASON = {
    "poverty": "Rent arrears",
    "domestic_abuse": "Violent breakdown of relationship",
    "substance_misuse": "Termination of assured shorthold tenancy",
    "mental_health": "Parents, relatives or friends no longer willing to accommodate",
}
_LOSS_OTHER = (
    "Termination of assured shorthold tenancy",
    "Parents, relatives or friends no longer willing to accommodate",
    "Non-violent breakdown of relationship",
    "Mortgage arrears",
    "Other",
)
_DECISIONS = (
    "Accepted",
    "Not homeless",
    "Intentionally homeless",
    "Not in priority need",
    "Pending",
)


def _housing(
    city: CityArrays, total: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Homelessness applications listing the household's children, and the stays that follow."""
    apps = draw_events(
        household_segments(city, HOMELESS_RATE), rng, total=total, unit="household_id"
    )
    apps["incident"] = np.arange(len(apps))
    m = len(apps)
    factor = apps["factor"].to_numpy()
    reason = pick_from(rng, _LOSS_OTHER, m)
    for code, f in enumerate(FACTORS):
        if f in _LOSS_REASON:
            hit = (factor == code) & (rng.random(m) < 0.6)
            reason[hit] = _LOSS_REASON[f]
    apps["reason"] = reason
    apps["decision"] = pick_from(rng, _DECISIONS, m, [0.5, 0.15, 0.07, 0.06, 0.22])
    listed = children_on_day(city, apps, HOMELESSNESS.ages)
    seen = listed.drop_duplicates("incident")["incident"].to_numpy()
    app_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    applications = person_rows(city, listed["child"].to_numpy(), listed["day"].to_numpy())
    applications["application"] = app_number.reindex(listed["incident"].to_numpy()).to_numpy()
    applications["member"] = listed.groupby("incident").cumcount().to_numpy() + 1
    applications["reason"] = listed["reason"].to_numpy()
    applications["decision"] = listed["decision"].to_numpy()
    applications["applicant"] = (
        city.parent_name.reindex(applications["household_id"]).fillna("").to_numpy(dtype=object)
    )

    # Temporary accommodation: most accepted or pending applications lead to one or more stays.
    housed = apps.loc[apps["decision"].isin(["Accepted", "Pending"])]
    housed = housed.loc[rng.random(len(housed)) < 0.7]
    stays = 1 + rng.poisson(0.6, len(housed))
    pick = np.repeat(np.arange(len(housed)), stays)
    stay_no = np.concatenate([np.arange(s) for s in stays]) if len(stays) else np.zeros(0, "int64")
    length = np.maximum(7, rng.exponential(110, len(pick))).astype("int64")
    # Each stay starts when the one before ends; the first within three weeks of applying.
    lengths = pd.Series(length).groupby(pick).cumsum().to_numpy() - length
    start = (
        housed["day"].to_numpy()[pick] + rng.integers(0, 22, len(pick)) * (stay_no == 0) + lengths
    )
    placements = pd.DataFrame(
        {
            "household_id": housed["household_id"].to_numpy()[pick],
            "day": start,
            "end_day": start + length,
            "incident": np.arange(len(pick)),
            "kind": pick_from(
                rng,
                ("Bed and breakfast", "Hostel", "Private sector leased", "Council stock"),
                len(pick),
                [0.15, 0.3, 0.35, 0.2],
            ),
        }
    )
    placements = placements.loc[placements["day"] < city.end]
    occupants = children_on_day(city, placements, TEMPORARY_ACCOMMODATION.ages)
    seen = occupants.drop_duplicates("incident")["incident"].to_numpy()
    ta_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    ta = person_rows(city, occupants["child"].to_numpy(), occupants["day"].to_numpy())
    ta["placement"] = ta_number.reindex(occupants["incident"].to_numpy()).to_numpy()
    ta["occupant"] = occupants.groupby("incident").cumcount().to_numpy() + 1
    ta["end_day"] = occupants["end_day"].to_numpy()
    ta["kind"] = occupants["kind"].to_numpy()
    return applications, ta


def _homelessness_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    app = np.char.add("HA", np.char.zfill(rows["application"].to_numpy().astype(str), 6))
    member = np.char.add(
        np.char.add(app, "-"), np.char.zfill(rows["member"].to_numpy().astype(str), 2)
    )
    return extract_table(
        {
            "MemberRef": member.astype(object),
            "ApplicationRef": app.astype(object),
            "ApplicationDate": format_dates(rows["record_date"], "%d/%m/%Y"),
            "ApplicantName": rows["applicant"],
            "Relationship": np.where(
                rows["sex"].to_numpy(dtype=object) == "F", "Daughter", "Son"
            ).astype(object),
            "MemberForename": rows["forename"],
            "MemberSurname": rows["surname"],
            "MemberDOB": format_dates(rows["dob"], "%d/%m/%Y"),
            "NHSNumber": rows["nhs_number"],
            "LastSettledAddress": rows["line1"],
            "Postcode": rows["postcode"],
            "ReasonForLoss": rows["reason"],
            "Decision": rows["decision"],
        }
    )


def _ta_layout(rows: pd.DataFrame, inputs: ExtractInputs) -> pd.DataFrame:
    window_end = inputs.city.end
    ref = np.char.add("TA", np.char.zfill(rows["placement"].to_numpy().astype(str), 7))
    occupant = np.char.add(np.char.add(ref, "/"), rows["occupant"].to_numpy().astype(str))
    end_day = rows["end_day"].to_numpy(dtype="int64")
    ended = pd.Series(
        np.where(end_day < window_end, to_datetimes(end_day), np.datetime64("NaT", "ns"))
    )
    return extract_table(
        {
            "OccupantRef": occupant.astype(object),
            "PlacementRef": ref.astype(object),
            "PlacementStart": format_dates(rows["record_date"], "%Y%m%d"),
            "PlacementEnd": format_dates(ended, "%Y%m%d"),
            "AccommodationType": rows["kind"],
            "OccupantSurname": rows["surname"],
            "OccupantForename": rows["forename"],
            "OccupantDOB": format_dates(rows["dob"], "%Y%m%d"),
            "NHSNo": rows["nhs_number"],
            "PreviousPostcode": rows["postcode"],
        }
    )


def _draw(inputs: ExtractInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    total = ROWS_PER_10K["housing_homelessness"] * inputs.config.scale
    return _housing(inputs.city, total, rng)


HOMELESSNESS = ExtractSpec(
    "housing_homelessness", "MemberRef", (0, 18), "housing", _homelessness_layout
)
TEMPORARY_ACCOMMODATION = ExtractSpec(
    "housing_temporary_accommodation", "OccupantRef", (0, 18), "housing", _ta_layout
)
# One draw gives both extracts: the stays follow from the applications accepted.
AGENCY = Agency(
    "housing", (Source("extracts.housing", _draw, (HOMELESSNESS, TEMPORARY_ACCOMMODATION)),)
)
