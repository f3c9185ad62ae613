"""The council's own case-management person records for the children it knows.

Statutory returns carry no names, so the safeguarding hub matches partner records against the
people in the council's case-management system. This writes that system's person export for
every child with a social care record: the council's child id, names, date of birth, sex,
address and postcode when first known, NHS number and UPN, with the light noise of a system
staff type into (a few typos and nicknames, some NHS numbers not recorded).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.synth.model import Population, SocialCare
from turnaround.synth.noise import NoiseProfile, apply_noise

CASE_SYSTEM = NoiseProfile(
    typo=0.01,
    forename_variant=0.02,
    swap_names=0.002,
    truncate_surname=0.05,
    swap_day_month=0.004,
    wrong_year_digit=0.002,
    mangle=0.02,
    nhs_present=0.8,
    upn_present=0.7,
    stale_address=0.0,
)
"""Case workers record what families and referrers tell them; identifiers are often missing."""

COLUMNS = {
    "la_child_id": "PersonID",
    "forename": "FirstName",
    "surname": "LastName",
    "dob": "DateOfBirth",
    "sex": "Gender",
    "line1": "AddressLine1",
    "postcode": "PostCode",
    "nhs_number": "NHSNumber",
    "upn": "UPN",
}


def case_people(
    population: Population, social_care: SocialCare, rng: np.random.Generator
) -> pd.DataFrame:
    """One person record per known child, as the case system holds it (noised, no truth)."""
    known = social_care.known_children.merge(population.children, on="person_id")
    first_seen = social_care.contacts.groupby("la_child_id")["contact_date"].min()
    known["record_date"] = known["la_child_id"].map(first_seen).fillna(known["arrived"])
    address = _address_on(population.addresses, known["household_id"], known["record_date"])
    clean = pd.DataFrame(
        {
            "la_child_id": known["la_child_id"].to_numpy(),
            "forename": known["forename"].to_numpy(),
            "surname": known["surname"].to_numpy(),
            "dob": known["dob"].to_numpy(),
            "sex": known["sex"].to_numpy(),
            "line1": address["line1"].to_numpy(),
            "postcode": address["postcode"].to_numpy(),
            "nhs_number": known["nhs_number"].to_numpy(),
            "upn": known["upn"].to_numpy(),
        }
    )
    noisy = apply_noise(clean, CASE_SYSTEM, rng)
    noisy["dob"] = pd.to_datetime(noisy["dob"]).dt.strftime("%d/%m/%Y").fillna("")
    noisy["sex"] = noisy["sex"].map({"M": "Male", "F": "Female"}).fillna("")
    return noisy.rename(columns=COLUMNS)[list(COLUMNS.values())].sort_values(
        "PersonID", ignore_index=True
    )


def write_case_people(people: pd.DataFrame, out_dir: Path) -> Path:
    """Write the export as ``people.csv`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "people.csv"
    people.to_csv(path, index=False, lineterminator="\n")
    return path


def _address_on(addresses: pd.DataFrame, household: pd.Series, when: pd.Series) -> pd.DataFrame:
    """Each household's address on a date (its first address if the date is earlier)."""
    lookup = pd.DataFrame({"household_id": household.to_numpy(), "when": when.to_numpy()})
    lookup["order"] = np.arange(len(lookup))
    ordered = addresses.sort_values("start")
    merged = pd.merge_asof(
        lookup.sort_values("when"),
        ordered.rename(columns={"start": "when"})[["household_id", "when", "line1", "postcode"]],
        on="when",
        by="household_id",
        direction="backward",
    )
    first = addresses.sort_values("start").drop_duplicates("household_id")
    first = first.set_index("household_id")
    missing = merged["line1"].isna()
    merged.loc[missing, "line1"] = merged.loc[missing, "household_id"].map(first["line1"])
    merged.loc[missing, "postcode"] = merged.loc[missing, "household_id"].map(first["postcode"])
    return merged.sort_values("order").reset_index(drop=True)
