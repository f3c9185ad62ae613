"""The council's own case-management person records for the children it knows.

Statutory returns carry no names, so the safeguarding hub matches partner records against the
people in the council's case-management system. This writes that system's person export for
every child with a social care record: the council's child id, names, date of birth, sex,
address and postcode when first known, NHS number and UPN, with the light noise of a system
staff type into (a few typos and nicknames, some NHS numbers not recorded), and the date the
council first knew the child.

The first-known date is the earliest contact, early help, referral or care episode the case
system holds, including those before the first collection year (children already in care when
the simulation starts were referred years before it). The statutory returns hold only what was
open in their year, so this is how the product tells a child known before the returns from one
known only through a contact.
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
    "first_known": "FirstKnownDate",
}


def case_people(
    population: Population, social_care: SocialCare, rng: np.random.Generator
) -> pd.DataFrame:
    """One person record per known child, as the case system holds it (noised, no truth)."""
    known = social_care.known_children.merge(population.children, on="person_id")
    first_known = first_known_dates(social_care)
    known["first_known"] = known["la_child_id"].map(first_known)
    known["record_date"] = known["first_known"].fillna(known["arrived"])
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
    # The system stamps the date itself: it carries none of the noise of what staff type.
    noisy["first_known"] = (
        pd.to_datetime(known["first_known"]).dt.strftime("%d/%m/%Y").fillna("").to_numpy()
    )
    noisy["sex"] = noisy["sex"].map({"M": "Male", "F": "Female"}).fillna("")
    return noisy.rename(columns=COLUMNS)[list(COLUMNS.values())].sort_values(
        "PersonID", ignore_index=True
    )


def first_known_dates(social_care: SocialCare) -> pd.Series:
    """Each known child's first contact, early help, referral or care episode (by child id)."""
    dated = [
        (social_care.contacts, "contact_date"),
        (social_care.early_help, "start"),
        (social_care.referrals, "referral_date"),
        (social_care.episodes, "decom"),
    ]
    parts = [
        frame[["la_child_id", column]].rename(columns={column: "date"}) for frame, column in dated
    ]
    every = pd.concat(parts, ignore_index=True).dropna(subset=["date"])
    return every.groupby("la_child_id")["date"].min()


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
