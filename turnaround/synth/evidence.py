"""The city's risk links measured against the published figures they rest on.

Each link from latent family risk to harm, to a partner agency's record or to the front door
(``docs/synthetic-city.md``, "Risk links and their evidence") is measured here on a generated
city, so a change to the generator can be checked against the evidence, not only against the
headline counts. ``bench/risk_links_bench.py`` prints them for a few sizes and seeds.

The figures read the city's truth (risk spells, who each record really is) and the council's own
records; nothing here is available to the tools that look at the city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth import risk
from turnaround.synth.calendar import OPEN, add_years, to_days
from turnaround.synth.model import City

YEAR = 365.25
TRIO = ("domestic_abuse", "substance_misuse", "mental_health")

# Referral source codes grouped as the DfE publishes them.
SOURCE_GROUPS: dict[str, tuple[str, ...]] = {
    "police": ("6",),
    "schools": ("2A",),
    "education services": ("2B",),
    "health services": ("3A", "3B", "3C", "3D", "3E", "3F"),
    "LA services": ("5A", "5B", "5C", "5D"),
    "individual": ("1A", "1B", "1C", "1D"),
    "housing": ("4",),
    "other legal agency": ("7",),
    "other": ("8",),
    "anonymous": ("9",),
    "unknown": ("10",),
}


@dataclass(frozen=True)
class LinkFigure:
    """One measured link: what the city gives and what the evidence says (None if no figure)."""

    key: str
    label: str
    generated: float
    published: float | None
    source: str


def mask_of(*factors: str) -> int:
    """The bit mask of the named factors."""
    return sum(1 << risk.FACTORS.index(f) for f in factors)


def table_risk(factors: tuple[str, ...], age_years: float) -> float:
    """A child's latent risk with exactly ``factors`` active in the household, at an age."""
    value = risk.household_risk_table()[mask_of(*factors)]
    return float(min(1.0, value * float(risk.age_multiplier(np.array([age_years]))[0])))


def masks_on(spells: pd.DataFrame, household_id: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The bit mask of factors active in each household on each day."""
    start = to_days(spells["start"])
    end_raw = spells["end"]
    end = np.where(end_raw.isna(), OPEN, to_days(end_raw.fillna(pd.Timestamp(0))))
    asked = pd.DataFrame({"row": np.arange(len(day)), "household_id": household_id, "day": day})
    book = pd.DataFrame(
        {
            "household_id": spells["household_id"].to_numpy(dtype="int64"),
            "bit": [1 << risk.FACTORS.index(f) for f in spells["factor"]],
            "start": start,
            "end": end,
        }
    )
    both = asked.merge(book, on="household_id")
    inside = both.loc[(both["start"] <= both["day"]) & (both["day"] < both["end"])]
    bits = inside.groupby("row")["bit"].agg(lambda b: int(np.bitwise_or.reduce(b.to_numpy())))
    out = np.zeros(len(day), dtype=np.int64)
    out[bits.index.to_numpy()] = bits.to_numpy()
    return out


def risk_on(city: City, person_id: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Each child's latent risk on a day: the household's factors, weighted for age."""
    children = city.population.children.set_index("person_id")
    household = children["household_id"].reindex(person_id).to_numpy(dtype="int64")
    dob = to_days(children["dob"].reindex(person_id))
    masks = masks_on(city.risk.spells, household, np.asarray(day, dtype="int64"))
    age = (np.asarray(day) - dob) / YEAR
    return np.clip(risk.household_risk_table()[masks] * risk.age_multiplier(age), 0.0, 1.0)


def _notifications(city: City) -> pd.DataFrame:
    """Police domestic abuse notifications: true child, day and DASH grade of each."""
    table = city.extracts.tables["police_domestic_abuse"]
    truth = city.extracts.truth
    truth = truth.loc[truth["source"] == "police_domestic_abuse"]
    who = pd.Series(truth["person_id"].to_numpy(), index=truth["record_id"].to_numpy())
    when = pd.to_datetime(table["IncidentDateTime"].str.slice(0, 10), format="%Y-%m-%d")
    return pd.DataFrame(
        {
            "person_id": who.reindex(table["NotificationID"].to_numpy()).to_numpy(dtype="int64"),
            "day": to_days(when),
            "grade": table["DASHGrade"].to_numpy(dtype=object),
        }
    )


def high_dash_at_risk(city: City) -> tuple[float, float]:
    """Of children with a High DASH notification: the share at risk then, and in that year.

    "Then" is the child's latent risk on the day of any of their High notifications; "in the
    year" is their peak risk in the collection year of the notification (the truth's
    ``child_risk``).
    """
    notes = _notifications(city)
    high = notes.loc[notes["grade"] == "High"].copy()
    if high.empty:
        return 0.0, 0.0
    high["risk"] = risk_on(city, high["person_id"].to_numpy(), high["day"].to_numpy())
    then = high.groupby("person_id")["risk"].max() >= risk.AT_RISK_FROM
    years = _collection_year(high["day"].to_numpy())
    peaks = city.risk.child_risk.set_index(["person_id", "year"])["risk"]
    peak = peaks.reindex(pd.MultiIndex.from_arrays([high["person_id"], years])).fillna(0.0)
    in_year = pd.Series(peak.to_numpy(), index=high["person_id"].to_numpy()).groupby(level=0).max()
    return float(then.mean()), float((in_year >= risk.AT_RISK_FROM).mean())


def _collection_year(day: np.ndarray) -> np.ndarray:
    as_dates = np.asarray(day, dtype="int64").astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]").astype("int64") + 1970
    months = as_dates.astype("datetime64[M]").astype("int64") % 12 + 1
    return np.where(months >= 4, years + 1, years)


def factor_prevalence(city: City, year: int) -> dict[str, float]:
    """Share of resident children living with each trio factor, all three, or any, in a year.

    Averaged over the middle of each month of the collection year ending 31 March ``year``.
    """
    children = city.population.children
    dob = to_days(children["dob"])
    arrived = to_days(children["arrived"])
    left = np.where(
        children["left"].isna(), OPEN, to_days(children["left"].fillna(pd.Timestamp(0)))
    )
    adult = add_years(dob, 18)
    household = children["household_id"].to_numpy(dtype="int64")
    months = pd.date_range(date(year - 1, 4, 15), periods=12, freq="MS") + pd.Timedelta(days=14)
    trio = [1 << risk.FACTORS.index(f) for f in TRIO]
    counts = np.zeros(len(TRIO) + 2)
    resident_months = 0
    for when in months:
        day = int(to_days(pd.Series([when]))[0])
        here = (arrived <= day) & (day < left) & (dob <= day) & (day < adult)
        masks = masks_on(city.risk.spells, household[here], np.full(int(here.sum()), day))
        has = np.array([(masks & bit) > 0 for bit in trio])
        counts[: len(TRIO)] += has.sum(axis=1)
        counts[len(TRIO)] += has.all(axis=0).sum()
        counts[len(TRIO) + 1] += has.any(axis=0).sum()
        resident_months += int(here.sum())
    shares = counts / max(resident_months, 1)
    names = [*TRIO, "all_three", "any"]
    return dict(zip(names, (float(s) for s in shares), strict=True))


def police_notification_assessed(city: City, within_days: int = 90) -> float:
    """Share of police domestic abuse notifications followed by an assessment within the days."""
    notes = _notifications(city)
    sc = city.social_care
    ids = sc.known_children.set_index("person_id")["la_child_id"]
    notes["la_child_id"] = ids.reindex(notes["person_id"].to_numpy()).to_numpy()
    starts = sc.assessments.merge(sc.referrals[["referral_id", "la_child_id"]], on="referral_id")
    starts = pd.DataFrame(
        {"la_child_id": starts["la_child_id"], "start": to_days(starts["start_date"])}
    )
    notes["row"] = np.arange(len(notes))
    both = notes.dropna(subset=["la_child_id"]).merge(starts, on="la_child_id")
    after = both["start"] - both["day"]
    hit = both.loc[(after >= 0) & (after <= within_days), "row"].unique()
    return len(hit) / len(notes) if len(notes) else 0.0


def source_mix(city: City, year: int, outcome: str | None = None) -> dict[str, float]:
    """Share of the year's contacts (or referrals, with ``outcome='referral'``) by source group."""
    contacts = city.social_care.contacts
    when = pd.to_datetime(contacts["contact_date"])
    start, end = pd.Timestamp(date(year - 1, 4, 1)), pd.Timestamp(date(year, 3, 31))
    chosen = contacts.loc[(when >= start) & (when <= end)]
    if outcome is not None:
        chosen = chosen.loc[chosen["outcome"] == outcome]
    group_of = {code: name for name, codes in SOURCE_GROUPS.items() for code in codes}
    groups = chosen["source"].map(group_of).fillna("unknown")
    shares = groups.value_counts(normalize=True)
    return {name: float(shares.get(name, 0.0)) for name in SOURCE_GROUPS}


def conversion_by_source(city: City, year: int) -> dict[str, float]:
    """Share of each source group's contacts in the year that were accepted as referrals."""
    contacts = city.social_care.contacts
    when = pd.to_datetime(contacts["contact_date"])
    start, end = pd.Timestamp(date(year - 1, 4, 1)), pd.Timestamp(date(year, 3, 31))
    chosen = contacts.loc[(when >= start) & (when <= end)]
    group_of = {code: name for name, codes in SOURCE_GROUPS.items() for code in codes}
    accepted = (chosen["outcome"] == "referral").groupby(chosen["source"].map(group_of)).mean()
    return {name: float(accepted.get(name, 0.0)) for name in SOURCE_GROUPS}


# Published figures each measure is held against (docs/synthetic-city.md has the full table).
CAADA_2014 = "CAADA, In plain sight (Feb 2014): 62% of children exposed were directly harmed"
STANLEY_2010 = "Stanley et al., NSPCC/UCLan (2010): 5% of notifications led to an assessment"
CCO_2018 = "Children's Commissioner, Childhood Vulnerability (2018), of 11.8m children"
DFE_2014 = "DfE, Characteristics of children in need 2013-14 (SFR 43/2014)"
REFERRAL_SHARES_2014 = {"police": 0.239, "health services": 0.140, "schools": 0.131}
TRIO_PREVALENCE_2018 = {
    "domestic_abuse": 825_000 / 11_800_000,
    "substance_misuse": 470_000 / 11_800_000,
    "mental_health": 890_000 / 11_800_000,
    "all_three": 100_000 / 11_800_000,
}


def risk_links(city: City, year: int) -> list[LinkFigure]:
    """Every measured risk link for the collection year ending 31 March ``year``."""
    then, in_year = high_dash_at_risk(city)
    figures = [
        LinkFigure(
            "high_dash_at_risk",
            "children with a High DASH notification at risk on the day",
            then,
            0.62,
            CAADA_2014,
        ),
        LinkFigure(
            "high_dash_at_risk_year",
            "children with a High DASH notification at risk in that year",
            in_year,
            0.62,
            CAADA_2014,
        ),
        LinkFigure(
            "trio_risk_5_10",
            "risk of a child aged 5-10 with the toxic trio alone",
            table_risk(TRIO, 7.0),
            risk.AT_RISK_FROM,
            "at least the target threshold (assumption: the trio is significant harm)",
        ),
        LinkFigure(
            "notification_assessed_90d",
            "police DA notifications followed by an assessment within 90 days",
            police_notification_assessed(city),
            0.05,
            STANLEY_2010,
        ),
    ]
    prevalence = factor_prevalence(city, year)
    for name, share in prevalence.items():
        figures.append(
            LinkFigure(
                f"prevalence_{name}",
                f"children living with {name.replace('_', ' ')}",
                share,
                TRIO_PREVALENCE_2018.get(name),
                CCO_2018,
            )
        )
    if prevalence["domestic_abuse"] > 0:
        figures.append(
            LinkFigure(
                "trio_given_da",
                "children with domestic abuse who live with all three",
                prevalence["all_three"] / prevalence["domestic_abuse"],
                100_000 / 825_000,
                CCO_2018,
            )
        )
    for name, share in source_mix(city, year, "referral").items():
        figures.append(
            LinkFigure(
                f"referrals_from_{name.replace(' ', '_')}",
                f"referrals from {name}",
                share,
                REFERRAL_SHARES_2014.get(name),
                DFE_2014,
            )
        )
    return figures
