"""Write the SSDA903 (children looked after) return as the CSV tables councils export.

One folder per collection year (1 April to 31 March), one CSV per table, dates dd/mm/yyyy,
a header row even when a table is empty. The tables, their columns and their file names are
those ``returns.schema`` describes for the collection year (``schema_for("ssda903", year)``),
so the generator writes exactly the layout the loader reads.

SWEpisodes (the child's social workers) is written for every year. The DfE added it in
2023-24; we keep it for earlier years because the workforce analysis needs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.returns.schema import schema_for
from turnaround.synth import outcomes
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import SocialCare
from turnaround.synth.outcomes import Window, clip_open, ddmmyyyy, in_window

PLACE_RENAMES: dict[int, dict[str, str]] = {
    2014: {},
    # 2025-26 drops H5 (semi-independent), P2 (independent living) and Z1 (other); we return
    # them as K3 (supported accommodation) and Z14 (other). Our reading of the change, not
    # checked against the DfE's own specification.
    2026: {"H5": "K3", "P2": "K3", "Z1": "Z14"},
}
"""Placement codes renamed from a collection year on."""

SEX_CODES: dict[int, dict[str, str]] = {2014: {"M": "1", "F": "2"}, 2025: {"M": "M", "F": "F"}}
"""How SEX is coded, by first collection year: 1/2 until 2023-24, M/F/U from 2024-25."""


def ssda903_columns(year: int) -> dict[str, list[str]]:
    """Each SSDA903 table's columns for a collection year, as ``returns.schema`` describes it."""
    return {name: table.column_names for name, table in schema_for("ssda903", year).tables.items()}


def ssda903_files(year: int) -> dict[str, str]:
    """Each SSDA903 table's usual file name ('header.csv', ...), from ``returns.schema``."""
    return {
        name: table.file or f"{name.lower()}.csv"
        for name, table in schema_for("ssda903", year).tables.items()
    }


def write_ssda903(
    social_care: SocialCare,
    children: pd.DataFrame,
    sw_episodes: pd.DataFrame,
    config: SynthConfig,
    year: int,
    out_dir: Path,
    rng: np.random.Generator,
) -> list[Path]:
    """Write one collection year's SSDA903 CSVs into ``out_dir`` and return their paths."""
    del config  # the CSV return carries no council-level fields
    tables = ssda903_tables(social_care, children, sw_episodes, year, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ssda903_files(year)
    paths = []
    for name, frame in tables.items():
        path = out_dir / files[name]
        frame.to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def ssda903_tables(
    social_care: SocialCare,
    children: pd.DataFrame,
    sw_episodes: pd.DataFrame,
    year: int,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    """The year's SSDA903 tables as frames of strings, in the year's column layout."""
    window = Window.for_year(year)
    details = outcomes.child_details(social_care.known_children, children)
    all_episodes = social_care.episodes
    episodes = _episodes(all_episodes, window, year)
    oc3 = outcomes.oc3_rows(all_episodes, details, year, rng)
    looked_after = pd.Index(sorted(episodes["CHILD"].unique()), dtype=object)
    # Care leavers in the OC3 cohort have a child record even with no episode in the year.
    cohort = looked_after.union(pd.Index(oc3["CHILD"], dtype=object))
    info = details.reindex(cohort)
    dob = ddmmyyyy(info["dob"])

    def with_dob(frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(1, "DOB", dob.reindex(frame["CHILD"]).to_numpy())
        return frame

    sex_code = outcomes.by_year(SEX_CODES, year)
    mother, mc_dob = outcomes.mother_fields(info["sex"], info["dob"], window, rng)
    # Motherhood is returned only for children looked after in the year, not for care leavers
    # who appear only in OC3 (DfE rule 628).
    in_care = pd.Series(cohort.isin(looked_after), index=mother.index)
    mother = mother.where(in_care, "")
    mc_dob = mc_dob.where(in_care, "")
    tables = {
        "Header": pd.DataFrame(
            {
                "CHILD": cohort,
                "SEX": info["sex"].map(sex_code).fillna("").to_numpy(),
                "DOB": dob.to_numpy(),
                "ETHNIC": info["ethnicity"].to_numpy(),
                "UPN": outcomes.upn_or_unknown(info["upn"], info["dob"], window.end).to_numpy(),
                "MOTHER": mother.to_numpy(),
                "MC_DOB": mc_dob.to_numpy(),
            }
        ),
        "Episodes": episodes,
        "Reviews": with_dob(_reviews(social_care.looked_after_reviews, looked_after, window)),
        "UASC": _uasc(social_care.uasc, info, looked_after, window, sex_code),
        "OC2": outcomes.oc2_rows(all_episodes, details, year, rng),
        "OC3": oc3,
        "AD1": with_dob(_ad1(social_care.adoptions, episodes, window)),
        "PlacedAdoption": with_dob(_placed_adoption(social_care.adoptions, looked_after, window)),
        "PrevPerm": with_dob(_prev_perm(social_care.prev_perm, episodes, window)),
        "Missing": with_dob(_missing(social_care.missing, looked_after, window)),
        "SWEpisodes": with_dob(_sw_episodes(sw_episodes, looked_after, window)),
    }
    layout = ssda903_columns(year)
    return {name: _fit(frame, layout[name]) for name, frame in tables.items()}


def _fit(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Put a table in the year's column order, adding blanks the data does not have."""
    out = frame.reindex(columns=columns).reset_index(drop=True)
    return out.fillna("").astype(object)


def _episodes(episodes: pd.DataFrame, window: Window, year: int) -> pd.DataFrame:
    eps = episodes.loc[in_window(episodes["decom"], episodes["dec"], window)]
    eps = eps.sort_values(["la_child_id", "decom"], kind="stable")
    dec = clip_open(eps["dec"], window)
    still_open = dec.isna()
    return pd.DataFrame(
        {
            "CHILD": eps["la_child_id"].to_numpy(),
            "DECOM": ddmmyyyy(eps["decom"]).to_numpy(),
            "RNE": eps["rne"].to_numpy(),
            "LS": eps["ls"].to_numpy(),
            "CIN": eps["cin"].to_numpy(),
            "PLACE": eps["place"].replace(outcomes.by_year(PLACE_RENAMES, year)).to_numpy(),
            "PLACE_PROVIDER": eps["place_provider"]
            .where(~eps["place"].isin(outcomes.TEMPORARY_PLACEMENTS), "")
            .to_numpy(),
            "DEC": ddmmyyyy(dec).to_numpy(),
            "REC": eps["rec"].where(~still_open, "").to_numpy(),
            "REASON_PLACE_CHANGE": eps["reason_place_change"].to_numpy(),
            "HOME_POST": eps["home_post"].to_numpy(),
            "PL_POST": eps["pl_post"].to_numpy(),
            "URN": eps["urn"].to_numpy(),
        }
    )


def _reviews(reviews: pd.DataFrame, cohort: pd.Index, window: Window) -> pd.DataFrame:
    keep = reviews["la_child_id"].isin(cohort) & reviews["review_date"].between(
        window.start, window.end
    )
    rows = reviews.loc[keep].sort_values(["la_child_id", "review_date"], kind="stable")
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "REVIEW": ddmmyyyy(rows["review_date"]).to_numpy(),
            "REVIEW_CODE": rows["review_code"].to_numpy(),
        }
    )


def _uasc(
    uasc: pd.DataFrame,
    info: pd.DataFrame,
    cohort: pd.Index,
    window: Window,
    sex_code: dict[str, str],
) -> pd.DataFrame:
    # Children who were unaccompanied asylum seekers at some time in the year.
    keep = uasc["la_child_id"].isin(cohort) & (uasc["duc"] >= window.start)
    rows = uasc.loc[keep].sort_values("la_child_id", kind="stable")
    child = rows["la_child_id"]
    return pd.DataFrame(
        {
            "CHILD": child.to_numpy(),
            "SEX": info["sex"].reindex(child).map(sex_code).to_numpy(),
            "DOB": ddmmyyyy(info["dob"].reindex(child)).to_numpy(),
            "DUC": ddmmyyyy(rows["duc"]).to_numpy(),
        }
    )


def _ad1(adoptions: pd.DataFrame, episodes: pd.DataFrame, window: Window) -> pd.DataFrame:
    # Children adopted in the year: their episode ended E11/E12 within it, and the adoption
    # record is the one whose order fell in the year (a child can be adopted twice).
    adopted = episodes.loc[episodes["REC"].isin(outcomes.ADOPTED), "CHILD"].unique()
    in_year = (adoptions["date_adopted"] >= window.start) & (
        adoptions["date_adopted"] <= window.end
    )
    rows = adoptions.loc[adoptions["la_child_id"].isin(adopted) & in_year]
    rows = rows.sort_values("la_child_id", kind="stable").drop_duplicates(
        "la_child_id", keep="last"
    )
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "DATE_INT": ddmmyyyy(rows["date_int"]).to_numpy(),
            "DATE_MATCH": ddmmyyyy(rows["date_match"]).to_numpy(),
            "FOSTER_CARE": np.where(rows["foster_care"].astype(bool), "1", "0"),
            "NB_ADOPTR": rows["nb_adoptr"].to_numpy(),
            "SEX_ADOPTR": rows["sex_adoptr"].to_numpy(),
            "LS_ADOPTR": rows["ls_adoptr"].to_numpy(),
        }
    )


def _placed_adoption(adoptions: pd.DataFrame, cohort: pd.Index, window: Window) -> pd.DataFrame:
    # Children with a decision to place for adoption in force at some time in the year.
    # A decision is in force until it is reversed or the child is adopted.
    in_force_until = adoptions["date_placed_ceased"].fillna(adoptions["date_adopted"])
    keep = (
        adoptions["la_child_id"].isin(cohort)
        & adoptions["date_placed"].notna()
        & in_window(adoptions["date_placed"], in_force_until, window)
    )
    rows = adoptions.loc[keep].sort_values(["la_child_id", "date_placed"], kind="stable")
    ceased = clip_open(rows["date_placed_ceased"], window)
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "DATE_PLACED": ddmmyyyy(rows["date_placed"]).to_numpy(),
            "DATE_PLACED_CEASED": ddmmyyyy(ceased).to_numpy(),
            "REASON_PLACED_CEASED": rows["reason_placed_ceased"]
            .where(ceased.notna(), "")
            .to_numpy(),
        }
    )


def _prev_perm(prev_perm: pd.DataFrame, episodes: pd.DataFrame, window: Window) -> pd.DataFrame:
    # Asked of children who started a new period of care in the year.
    started = pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y") >= window.start
    starters = episodes.loc[started & episodes["RNE"].eq("S"), "CHILD"].unique()
    rows = prev_perm.loc[prev_perm["la_child_id"].isin(starters)]
    rows = rows.sort_values("la_child_id", kind="stable").drop_duplicates(
        "la_child_id", keep="last"
    )
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "PREV_PERM": rows["prev_perm"].to_numpy(),
            "LA_PERM": rows["la_perm"].to_numpy(),
            "DATE_PERM": rows["date_perm"].to_numpy(),
        }
    )


def _missing(missing: pd.DataFrame, cohort: pd.Index, window: Window) -> pd.DataFrame:
    keep = missing["la_child_id"].isin(cohort) & missing["mis_start"].between(
        window.start, window.end
    )
    rows = missing.loc[keep].sort_values(["la_child_id", "mis_start"], kind="stable")
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "MISSING": rows["missing"].to_numpy(),
            "MIS_START": ddmmyyyy(rows["mis_start"]).to_numpy(),
            "MIS_END": ddmmyyyy(clip_open(rows["mis_end"], window)).to_numpy(),
        }
    )


def _sw_episodes(sw_episodes: pd.DataFrame, cohort: pd.Index, window: Window) -> pd.DataFrame:
    keep = sw_episodes["la_child_id"].isin(cohort) & in_window(
        sw_episodes["sw_decom"], sw_episodes["sw_dec"], window
    )
    rows = sw_episodes.loc[keep].sort_values(["la_child_id", "sw_decom"], kind="stable")
    sw_dec = clip_open(rows["sw_dec"], window)
    return pd.DataFrame(
        {
            "CHILD": rows["la_child_id"].to_numpy(),
            "SW_ID": rows["sw_id"].astype(str).to_numpy(),
            "SW_DECOM": ddmmyyyy(rows["sw_decom"]).to_numpy(),
            "SW_DEC": ddmmyyyy(sw_dec).to_numpy(),
            # The reason says why this worker took the case over, so it stays on open episodes.
            "SW_REASON": rows["sw_reason"].to_numpy(),
        }
    )
