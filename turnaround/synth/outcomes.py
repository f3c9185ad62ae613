"""Year-specific derivations shared by the return writers: who is in a cohort, and outcome fields.

The journey simulation records what happened to each child; the statutory returns ask for
things it does not model directly (a child's SDQ score, whether a care leaver is in touch).
This module draws those from plausible distributions with the caller's random generator, and
holds the collection-year rules (the OC3 age bands, the OC2 12-month cohort, the code lists
that changed) so the writers stay thin.

Rates used (England, 2014-2019, DfE "Outcomes for children looked after" releases, rounded):
health assessment up to date ~88%, teeth checked ~82%, immunisations up to date ~86%, under-5
development checks ~85%, SDQ returned for ~75% of 4-16 year olds (mean score ~14), convicted
~4% of 10-17 year olds, substance misuse ~4%; care leavers aged 19-21 in touch ~88%, in education,
employment or training ~50%, in suitable accommodation ~80%.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from turnaround.core.years import collection_period

TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
SHORT_BREAKS = ("V3", "V4")
ADOPTED = ("E11", "E12")

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """A reporting period, both ends inclusive."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def for_year(cls, year: int) -> Window:
        """The collection year named by its 31 March: 1 April ``year - 1`` to 31 March ``year``."""
        start, end = collection_period(year)
        return cls(pd.Timestamp(start), pd.Timestamp(end))


def ddmmyyyy(dates: pd.Series) -> pd.Series:
    """Dates as dd/mm/yyyy strings, "" where absent (the SSDA903 CSV date format)."""
    out = pd.to_datetime(dates).dt.strftime("%d/%m/%Y")
    return out.fillna("").astype(object)


def iso_dates(dates: pd.Series) -> pd.Series:
    """Dates as yyyy-mm-dd strings, "" where absent (the CIN census XML date format)."""
    out = pd.to_datetime(dates).dt.strftime("%Y-%m-%d")
    return out.fillna("").astype(object)


def age_on(dob: pd.Series, on: pd.Timestamp | pd.Series) -> pd.Series:
    """Whole years of age on a date (or on each row's date), the way a birthday counts them."""
    dob = pd.to_datetime(dob)
    on_ = pd.to_datetime(on) if isinstance(on, pd.Series) else on
    on_year = on_.dt.year if isinstance(on_, pd.Series) else on_.year
    on_md = (
        on_.dt.month * 100 + on_.dt.day if isinstance(on_, pd.Series) else on_.month * 100 + on_.day
    )
    had_birthday = on_md >= dob.dt.month * 100 + dob.dt.day
    return (on_year - dob.dt.year - (~had_birthday).astype(int)).astype("Int64")


def birthday(dob: pd.Series, age: int) -> pd.Series:
    """The date of each child's ``age``-th birthday (29 February falls back to 28th)."""
    return pd.to_datetime(dob) + pd.DateOffset(years=age)


def child_details(known_children: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    """The population facts a return needs, keyed by the council's ``la_child_id``."""
    cols = ["person_id", "sex", "dob", "ethnicity", "upn", "disability"]
    merged = known_children[["person_id", "la_child_id"]].merge(
        children[cols], on="person_id", how="left", validate="one_to_one"
    )
    return merged.drop(columns="person_id").set_index("la_child_id", drop=False)


def in_window(start: pd.Series, end: pd.Series, window: Window) -> pd.Series:
    """Spells open at any time in the window: started by its end, not ended before its start."""
    return (start <= window.end) & (end.isna() | (end >= window.start))


def clip_open(end: pd.Series, window: Window) -> pd.Series:
    """Ends after the window count as still open at its end, so they are blanked."""
    return end.where(end <= window.end)


def periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """Each episode with the start and end of the period of care it belongs to.

    A period of care starts with an episode whose reason for new episode is 'S' and runs
    through the child's following episodes until one ends with a reason other than X1.
    """
    eps = episodes.sort_values(["la_child_id", "decom"], kind="stable").copy()
    new_period = eps["rne"].eq("S") | eps["la_child_id"].ne(eps["la_child_id"].shift())
    eps["period"] = new_period.cumsum()
    grouped = eps.groupby("period")
    eps["period_start"] = grouped["decom"].transform("min")
    last = grouped["decom"].transform("max").eq(eps["decom"])
    period_end = eps["dec"].where(last)
    eps["period_end"] = period_end.groupby(eps["period"]).transform("max")
    still_open = eps["dec"].isna().groupby(eps["period"]).transform("any")
    eps.loc[still_open, "period_end"] = pd.NaT
    return eps


def continuously_looked_after(episodes: pd.DataFrame, window: Window) -> pd.Series:
    """Children looked after for at least 12 months at 31 March (the OC2 cohort).

    The child is in an episode open on 31 March whose period of care began on or before the
    collection year's start, and none of the period is a short-break (V3/V4) arrangement.
    """
    eps = periods_of_care(episodes)
    open_at_end = (eps["decom"] <= window.end) & (eps["dec"].isna() | (eps["dec"] > window.end))
    current = eps.loc[open_at_end]
    respite_periods = eps.loc[eps["ls"].isin(SHORT_BREAKS), "period"].unique()
    keep = (current["period_start"] <= window.start) & ~current["period"].isin(respite_periods)
    return pd.Series(sorted(current.loc[keep, "la_child_id"].unique()), dtype=object)


# -- OC2 ------------------------------------------------------------------------------------

OC2_SDQ_REASON_FROM = 2016
"""SDQ_REASON (why no SDQ score: SDQ1-SDQ5) joined the return for 2015-16."""


def oc2_rows(
    episodes: pd.DataFrame, details: pd.DataFrame, year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """OC2 (health and offending) rows for children looked after for 12 months at 31 March."""
    window = Window.for_year(year)
    cohort = continuously_looked_after(episodes, window)
    info = details.reindex(cohort)
    dob = pd.to_datetime(info["dob"])
    age = age_on(dob, window.end).fillna(0).astype(int).to_numpy()
    n = len(cohort)

    def flag(p: float | np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < p, "1", "0").astype(object)

    # Rule 186's cohort: 4 or over at the start of the year and under 17 at its end.
    age_at_start = age_on(dob, window.start).fillna(0).astype(int).to_numpy()
    sdq_age = (age_at_start >= 4) & (age <= 16)
    has_sdq = sdq_age & (rng.random(n) < 0.75)
    sdq_score = np.clip(np.rint(rng.normal(14.0, 6.5, n)), 0, 40).astype(int).astype(str)
    sdq = np.where(has_sdq, sdq_score, "").astype(object)
    reasons = rng.choice(["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"], n, p=[0.3, 0.3, 0.1, 0.2, 0.1])
    sdq_reason = np.where(sdq_age & ~has_sdq, reasons, "").astype(object)
    if year < OC2_SDQ_REASON_FROM:
        sdq_reason[:] = ""
    convicted = np.where(age >= 10, flag(0.04), "").astype(object)
    health_check = np.where(age < 5, flag(0.85), "").astype(object)
    misuse = flag(np.where(age >= 10, 0.07, 0.0))
    received = np.where(misuse == "1", flag(0.5), "").astype(object)
    offered = np.where(received == "0", flag(0.6), "").astype(object)
    return pd.DataFrame(
        {
            "CHILD": cohort.to_numpy(),
            "DOB": ddmmyyyy(dob).to_numpy(),
            "SDQ_SCORE": sdq,
            "SDQ_REASON": sdq_reason,
            "CONVICTED": convicted,
            "HEALTH_CHECK": health_check,
            "IMMUNISATIONS": flag(0.86),
            "TEETH_CHECK": flag(0.82),
            "HEALTH_ASSESSMENT": flag(0.88),
            "SUBSTANCE_MISUSE": misuse,
            "INTERVENTION_RECEIVED": received,
            "INTERVENTION_OFFERED": offered,
        }
    )


# -- OC3 ------------------------------------------------------------------------------------

OC3_AGES: dict[int, tuple[int, ...]] = {2014: (19, 20, 21), 2017: (17, 18, 19, 20, 21)}
"""Birthdays in the year that put a care leaver in the OC3 cohort, by first collection year.

Care leavers aged 19, 20 and 21 from 2013-14; the DfE added 17 and 18 year olds in 2016-17.
"""

OC3_ACTIVITY: dict[int, dict[str, float]] = {
    2014: {"F1": 0.06, "P1": 0.01, "F2": 0.12, "P2": 0.04, "F3": 0.22, "P3": 0.05,
           "G4": 0.08, "G5": 0.30, "G6": 0.12},
    # 2017-18 split training or employment into apprenticeships (F4/P4) and other (F5/P5).
    2018: {"F1": 0.06, "P1": 0.01, "F2": 0.12, "P2": 0.04, "F4": 0.04, "P4": 0.01,
           "F5": 0.17, "P5": 0.05, "G4": 0.08, "G5": 0.30, "G6": 0.12},
}  # fmt: skip

OC3_ACCOMMODATION = {
    "B1": 0.12, "B2": 0.01, "C1": 0.03, "D1": 0.22, "D2": 0.01, "E1": 0.04, "K1": 0.03,
    "K2": 0.01, "R2": 0.02, "S2": 0.03, "T1": 0.05, "U1": 0.28, "U2": 0.02, "V2": 0.01,
    "W2": 0.01, "X2": 0.03, "Y1": 0.02, "Z1": 0.06,
}  # fmt: skip
"""Accommodation type letter plus 1 (suitable) or 2 (not suitable); S and X are never suitable."""


def by_year(table: dict[int, T], year: int) -> T:
    """The entry in force for ``year``: the latest one whose first year is not after it."""
    years = [y for y in table if y <= year]
    return table[max(years)] if years else table[min(table)]


def care_leavers(episodes: pd.DataFrame, details: pd.DataFrame) -> pd.DataFrame:
    """Former relevant children: 13+ weeks in care after 14, some after 16, and since left.

    Returns la_child_id, dob and left (the date their last period of care ended).
    """
    eps = episodes.merge(details[["dob"]], left_on="la_child_id", right_index=True, how="left")
    dob = pd.to_datetime(eps["dob"])
    far_future = pd.Timestamp("2262-01-01")
    spell_end = eps["dec"].fillna(far_future)
    after14 = spell_end - eps["decom"].where(eps["decom"] > birthday(dob, 14), birthday(dob, 14))
    eps["days_after_14"] = after14.dt.days.clip(lower=0)
    eps["after_16"] = spell_end > birthday(dob, 16)
    eps["open"] = eps["dec"].isna()
    per_child = eps.groupby("la_child_id").agg(
        days_after_14=("days_after_14", "sum"),
        after_16=("after_16", "any"),
        left=("dec", "max"),
        still_in=("open", "any"),
        dob=("dob", "first"),
    )
    eligible = (per_child["days_after_14"] >= 91) & per_child["after_16"] & ~per_child["still_in"]
    out = per_child.loc[eligible, ["dob", "left"]].reset_index()
    return out


def oc3_rows(
    episodes: pd.DataFrame, details: pd.DataFrame, year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """OC3 (care leaver) rows for those whose cohort birthday falls in the collection year."""
    window = Window.for_year(year)
    leavers = care_leavers(episodes, details)
    dob = pd.to_datetime(leavers["dob"])
    in_cohort = pd.Series(False, index=leavers.index)
    for age in by_year(OC3_AGES, year):
        day = birthday(dob, age)
        in_cohort |= (day >= window.start) & (day <= window.end) & (leavers["left"] < day)
    cohort = leavers.loc[in_cohort].sort_values("la_child_id").reset_index(drop=True)
    answers = leaver_outcomes(len(cohort), year, rng)
    return pd.DataFrame(
        {
            "CHILD": cohort["la_child_id"].to_numpy(),
            "DOB": ddmmyyyy(cohort["dob"]).to_numpy(),
            "IN_TOUCH": answers["IN_TOUCH"],
            "ACTIV": answers["ACTIV"],
            "ACCOM": answers["ACCOM"],
        }
    )


def leaver_outcomes(n: int, year: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """IN_TOUCH, ACTIV and ACCOM codes for ``n`` care leavers, with the year's code lists."""
    in_touch = rng.choice(
        ["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"], n, p=[0.88, 0.06, 0.002, 0.03, 0.018, 0.01]
    ).astype(object)
    activity_codes = by_year(OC3_ACTIVITY, year)
    activ = rng.choice(list(activity_codes), n, p=_normalised(activity_codes)).astype(object)
    accom = rng.choice(list(OC3_ACCOMMODATION), n, p=_normalised(OC3_ACCOMMODATION)).astype(object)
    # Nothing is returned for young people the council has lost touch with, who have died or
    # who have returned home (DfE rule 344).
    unknown = np.isin(in_touch, ["NO", "DIED", "REFU", "RHOM"])
    activ[unknown] = "0"
    accom[unknown] = "0"
    return {"IN_TOUCH": in_touch, "ACTIV": activ, "ACCOM": accom}


def _normalised(weights: dict[str, float]) -> np.ndarray:
    p = np.array(list(weights.values()), dtype=float)
    return p / p.sum()


# -- Header ---------------------------------------------------------------------------------


def mother_fields(
    sex: pd.Series, dob: pd.Series, window: Window, rng: np.random.Generator
) -> tuple[pd.Series, pd.Series]:
    """MOTHER (1 if the girl is a mother, else 0) and MC_DOB (her child's birth) for the header.

    Completed for every girl, blank for boys; about 2% of looked-after girls aged 15 or over
    are mothers, and the baby arrives between her 15th birthday and the end of the year.
    """
    age = age_on(dob, window.end).fillna(0).astype(int).to_numpy()
    girl = sex.to_numpy() == "F"
    is_mother = girl & (age >= 15) & (rng.random(len(sex)) < 0.02)
    mother = np.where(girl, np.where(is_mother, "1", "0"), "").astype(object)
    earliest = birthday(dob, 15)
    span = (window.end - earliest).dt.days.clip(lower=0).fillna(0).to_numpy()
    offset = np.floor(rng.random(len(sex)) * (span + 1)).astype(int)
    baby = earliest + pd.to_timedelta(offset, unit="D")
    mc_dob = ddmmyyyy(baby.where(is_mother)).to_numpy()
    return pd.Series(mother, index=sex.index), pd.Series(mc_dob, index=sex.index)


def upn_or_unknown(upn: pd.Series, dob: pd.Series, at: pd.Timestamp) -> pd.Series:
    """The UPN, or the reason it is unknown: UN1 under school age, UN2 otherwise."""
    age = age_on(dob, at).fillna(0).astype(int)
    reason = np.where(age < 6, "UN1", "UN2")
    return upn.fillna("").where(upn.fillna("") != "", reason).astype(object)
