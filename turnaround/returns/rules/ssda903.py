"""DfE validation rules for the SSDA903 (children looked after) return that bear on meaning.

Codes and messages are the DfE's. Each check is vectorised over the whole year: episodes are
sorted once per run (``_linked``) and each episode sees its neighbours through shifted columns,
so no rule loops over children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.core import years
from turnaround.core.identifiers import upns_valid
from turnaround.returns.rules.registry import Hits, Tables, as_index, isin, rule

TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
LEFT_CARE = ["E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13",
             "E14", "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48"]  # fmt: skip
OC2_ITEMS = ["convicted", "health_check", "immunisations", "teeth_check", "health_assessment",
             "substance_misuse", "intervention_received", "intervention_offered"]  # fmt: skip
PLACEMENT_DETAIL = ["place", "pl_post", "urn", "place_provider"]


def collection_period(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of the collection year named by its 31 March."""
    start, end = years.collection_period(year)
    return pd.Timestamp(start), pd.Timestamp(end)


def age_on(dob: pd.Series, on: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years of age on a date (NaN where either date is missing)."""
    if isinstance(on, pd.Timestamp):
        year, month, day = on.year, on.month, on.day
    else:
        year, month, day = on.dt.year, on.dt.month, on.dt.day
    not_yet = (month < dob.dt.month) | ((month == dob.dt.month) & (day < dob.dt.day))
    return (year - dob.dt.year) - not_yet.astype(float)


def by_child(children: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by unique child) for each of ``children``; NA where not found.

    Not ``children.map(values)``: pandas casts an empty mapper to float, so mapping onto an
    empty table of dates (a header that is absent or 0 bytes) raises instead of giving NaT.
    """
    return pd.Series(values.reindex(children).to_numpy(), index=children.index, dtype=values.dtype)


def _blank_safe(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("")


def _linked(tables: Tables) -> pd.DataFrame:
    """Episodes in (child, start) order with each one's previous and next episode alongside."""
    if "linked" not in tables.memo:
        episodes = tables["episodes"].sort_values(["child", "decom"], kind="stable")
        child = episodes["child"]
        before = episodes.shift(1)
        after = episodes.shift(-1)
        linked = episodes.assign(
            has_prev=(child == before["child"]).fillna(False).astype(bool),
            has_next=(child == after["child"]).fillna(False).astype(bool),
            prev_dec=before["dec"],
            prev_rec=before["rec"],
            prev_ls=before["ls"],
            next_decom=after["decom"],
            next_rne=after["rne"],
        )
        for column in PLACEMENT_DETAIL:
            linked[f"prev_{column}"] = before[column]
        tables.memo["linked"] = linked
    result: pd.DataFrame = tables.memo["linked"]
    return result


def _with_dob(tables: Tables, table: str = "episodes") -> pd.DataFrame:
    """A table with each child's header date of birth added as ``header_dob``."""
    dob = tables["header"].drop_duplicates("child").set_index("child")["dob"]
    frame = tables[table]
    return frame.assign(header_dob=by_child(frame["child"], dob))


def _looked_after_all_year(tables: Tables, year: int) -> pd.Index:
    """Children looked after continuously for the twelve months to 31 March (OC2 cohort).

    As the DfE defines it: in care at some point in the year, and no episode that starts a
    period of care after 1 April, ends one before 31 March, or is respite (V3/V4) in the year.
    """
    start, end = collection_period(year)
    e = tables["episodes"]
    during = (e["decom"] <= end) & ((e["dec"] >= start) | e["dec"].isna())
    enters = (e["rne"] == "S") & (e["decom"] > start) & (e["decom"] <= end)
    leaves = (e["rec"] != "X1") & (e["dec"] >= start) & (e["dec"] < end)
    respite = isin(e["ls"], ["V3", "V4"]) & during
    broken = (enters.fillna(False) | leaves.fillna(False) | respite).astype(bool)
    summary = pd.DataFrame({"child": e["child"], "during": during, "broken": broken})
    by_child = summary.groupby("child", observed=True)[["during", "broken"]].any()
    return by_child.index[by_child["during"] & ~by_child["broken"]]


# --- Header ----------------------------------------------------------------------------------


def upn_is_valid(upns: pd.Series) -> pd.Series:
    """Elementwise: a well-formed UPN with the right check letter, or an unknown code UN1-UN5.

    The check is ``turnaround.core.identifiers.upns_valid`` (temporary UPNs included).
    """
    text = upns.astype("string").fillna("")
    out = upns_valid(text.to_numpy(dtype=str))
    unknown = isin(text, ["UN1", "UN2", "UN3", "UN4", "UN5"]).to_numpy(dtype=bool)
    return pd.Series(out | unknown, index=upns.index)


@rule(
    code="168",
    kind="ssda903",
    fields=("upn",),
    tables=("header",),
    message="Unique Pupil Number (UPN) is not valid. If unknown, default codes should be "
    "UN1, UN2, UN3, UN4 or UN5.",
)
def upn_not_valid(tables: Tables, year: int, previous: Tables | None) -> Hits:
    header = tables["header"]
    return {"header": as_index(header["upn"].notna() & ~upn_is_valid(header["upn"]), header)}


@rule(
    code="301",
    kind="ssda903",
    fields=("dob",),
    tables=("header",),
    message="Date of birth falls after the year ended.",
)
def born_after_year_end(tables: Tables, year: int, previous: Tables | None) -> Hits:
    header = tables["header"]
    return {"header": as_index(header["dob"] > collection_period(year)[1], header)}


@rule(
    code="351",
    kind="ssda903",
    fields=("dob",),
    tables=("header",),
    message="Child was over 25 at the start of the current collection year.",
)
def over_25(tables: Tables, year: int, previous: Tables | None) -> Hits:
    header = tables["header"]
    return {"header": as_index(age_on(header["dob"], collection_period(year)[0]) > 25, header)}


@rule(
    code="302",
    kind="ssda903",
    fields=("episodes.decom", "header.dob"),
    tables=("header", "episodes"),
    message="First episode starts before child was born.",
)
def first_episode_before_birth(tables: Tables, year: int, previous: Tables | None) -> Hits:
    linked = _linked(tables)
    first = linked[~linked["has_prev"]]
    first = first.assign(header_dob=_with_dob(tables).loc[first.index, "header_dob"])
    bad = first[first["header_dob"] > first["decom"]]
    header = tables["header"]
    return {
        "episodes": bad.index,
        "header": header.index[isin(header["child"], bad["child"]).to_numpy(dtype=bool)],
    }


@rule(
    code="INT03",
    kind="ssda903",
    fields=("child",),
    tables=("header", "episodes"),
    message="Internal Check: Child in Episodes does not exist in Header.",
)
def episodes_child_not_in_header(tables: Tables, year: int, previous: Tables | None) -> Hits:
    episodes = tables["episodes"]
    known = isin(episodes["child"], tables["header"]["child"])
    return {"episodes": as_index(~known, episodes)}


@rule(
    code="INT08",
    kind="ssda903",
    fields=("child",),
    tables=("header", "reviews"),
    message="Internal Check: Child in Reviews does not exist in Header.",
)
def reviews_child_not_in_header(tables: Tables, year: int, previous: Tables | None) -> Hits:
    reviews = tables["reviews"]
    return {"reviews": as_index(~isin(reviews["child"], tables["header"]["child"]), reviews)}


@rule(
    code="EPI",
    kind="ssda903",
    fields=("child",),
    tables=("header", "episodes", "oc3"),
    severity="query",
    message="WARNING: Episodes need to be loaded for this child before further validation "
    "is possible",
)
def header_child_without_episodes(tables: Tables, year: int, previous: Tables | None) -> Hits:
    header = tables["header"]
    elsewhere = isin(header["child"], tables["episodes"]["child"]) | isin(
        header["child"], tables["oc3"]["child"]
    )
    return {"header": as_index(~elsewhere, header)}


# --- Episodes: dates and order ----------------------------------------------------------------


@rule(
    code="356",
    kind="ssda903",
    fields=("dec", "decom"),
    tables=("episodes",),
    message="The date the episode ceased is before the date the same episode started.",
)
def episode_ends_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    episodes = tables["episodes"]
    return {"episodes": as_index(episodes["dec"] < episodes["decom"], episodes)}


@rule(
    code="385",
    kind="ssda903",
    fields=("dec",),
    tables=("episodes",),
    message="Date episode ceased must be on or before the end of the current collection year.",
)
def episode_ends_after_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    episodes = tables["episodes"]
    return {"episodes": as_index(episodes["dec"] > collection_period(year)[1], episodes)}


@rule(
    code="501",
    kind="ssda903",
    fields=("decom", "dec"),
    tables=("episodes",),
    message="A new episode has started before the end date of the previous episode.",
)
def episode_overlaps_previous(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    return {"episodes": as_index(e["has_prev"] & (e["decom"] < e["prev_dec"]), e)}


@rule(
    code="142",
    kind="ssda903",
    fields=("dec", "rec"),
    tables=("episodes",),
    message="A new episode has started, but the previous episode has not ended.",
)
def open_episode_not_last(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    open_ = e["dec"].isna() | e["rec"].isna()
    return {"episodes": as_index(e["has_next"] & open_ & e["decom"].notna(), e)}


@rule(
    code="357",
    kind="ssda903",
    fields=("rne",),
    tables=("episodes",),
    message="If this is the first episode ever for this child, reason for new episode must "
    "be S.  Check whether there is an episode immediately preceding this one, which "
    "has been left out. If not the reason for new episode code must be amended to "
    "S.",
)
def first_episode_not_s(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    first_in_year = ~e["has_prev"] & (e["decom"] >= collection_period(year)[0])
    return {"episodes": as_index(first_in_year & (e["rne"] != "S"), e)}


@rule(
    code="388",
    kind="ssda903",
    fields=("rec",),
    tables=("episodes",),
    message="Reason episode ceased is coded new episode begins, but there is no "
    "continuation episode.",
)
def x1_without_continuation(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    ended = e["dec"].notna() & e["rec"].notna()
    x1 = e["rec"] == "X1"
    continues = e["next_decom"].notna() & (e["dec"] == e["next_decom"])
    gap_after_x1 = e["has_next"] & x1 & e["next_decom"].notna() & ~continues
    continues_without_x1 = e["has_next"] & ended & ~x1 & continues
    last_x1 = ~e["has_next"] & e["dec"].notna() & x1
    return {"episodes": as_index(gap_after_x1 | continues_without_x1 | last_x1, e)}


@rule(
    code="431",
    kind="ssda903",
    fields=("rne", "decom"),
    tables=("episodes",),
    message="The reason for new episode is started to be looked after, but the previous "
    "episode ended on the same day.",
)
def new_period_same_day(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    return {
        "episodes": as_index(e["has_prev"] & (e["rne"] == "S") & (e["decom"] <= e["prev_dec"]), e)
    }


@rule(
    code="432",
    kind="ssda903",
    fields=("rne",),
    tables=("episodes",),
    message="The child ceased to be looked after at the end of the previous episode but the "
    "reason for the new episode is not started to be looked after.",
)
def left_care_then_not_s(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    return {
        "episodes": as_index(e["has_prev"] & isin(e["prev_rec"], LEFT_CARE) & (e["rne"] != "S"), e)
    }


@rule(
    code="433",
    kind="ssda903",
    fields=("rne", "decom"),
    tables=("episodes",),
    message="The reason for new episode suggests that this is a continuation episode, but "
    "the episode does not start on the same day as the last episode finished.",
)
def continuation_with_gap(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    continuing = isin(e["rne"], ["P", "L", "T", "U", "B"])
    mismatch = (e["prev_dec"] != e["decom"]) | e["prev_dec"].isna() | e["decom"].isna()
    return {"episodes": as_index(e["has_prev"] & continuing & mismatch, e)}


def _placement_changed(e: pd.DataFrame) -> pd.Series:
    changed = pd.Series(False, index=e.index)
    for column in PLACEMENT_DETAIL:
        changed |= _blank_safe(e[column]) != _blank_safe(e[f"prev_{column}"])
    return changed


@rule(
    code="434",
    kind="ssda903",
    fields=("rne", "ls", "place", "pl_post", "urn", "place_provider"),
    tables=("episodes",),
    message="Reason for new episode is that child's legal status has changed but not the "
    "placement, but this is not reflected in the episode data.",
)
def legal_status_change_only(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    ls_same = _blank_safe(e["ls"]) == _blank_safe(e["prev_ls"])
    return {
        "episodes": as_index(
            e["has_prev"] & (e["rne"] == "L") & (ls_same | _placement_changed(e)), e
        )
    }


@rule(
    code="435",
    kind="ssda903",
    fields=("ls", "place", "pl_post", "urn", "place_provider"),
    tables=("episodes",),
    message="Reason for new episode is that child’s placement has changed but not the legal "
    "status, but this is not reflected in the episode data recorded.",
)
def placement_change_only(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    ls_changed = _blank_safe(e["ls"]) != _blank_safe(e["prev_ls"])
    bad = isin(e["rne"], ["P", "T"]) & (ls_changed | ~_placement_changed(e))
    return {"episodes": as_index(e["has_prev"] & bad, e)}


@rule(
    code="436",
    kind="ssda903",
    fields=("rne", "ls", "place", "pl_post", "urn", "place_provider"),
    tables=("episodes",),
    message="Reason for new episode is that both child’s placement and legal status have "
    "changed, but this is not reflected in the episode data.",
)
def placement_and_status_change(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    ls_same = _blank_safe(e["ls"]) == _blank_safe(e["prev_ls"])
    # B: new carer(s); U: same carer(s). Both are a change of legal status and placement.
    bad = isin(e["rne"], ["B", "U"]) & (ls_same | ~_placement_changed(e))
    return {"episodes": as_index(e["has_prev"] & bad, e)}


@rule(
    code="437",
    kind="ssda903",
    fields=("rec",),
    tables=("episodes",),
    message="Reason episode ceased is child has died or is aged 18 or over but there are "
    "further episodes.",
)
def died_or_18_then_more(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    return {
        "episodes": as_index(e["has_next"] & isin(e["rec"], ["E2", "E15"]) & e["decom"].notna(), e)
    }


# --- Episodes: placements and legal status --------------------------------------------------


@rule(
    code="213",
    kind="ssda903",
    fields=("place_provider",),
    tables=("episodes",),
    message="Placement provider information not required.",
)
def provider_for_temporary_placement(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index(isin(e["place"], TEMPORARY) & e["place_provider"].notna(), e)}


@rule(
    code="526",
    kind="ssda903",
    fields=("place", "place_provider"),
    tables=("episodes",),
    message="Child is missing a placement provider code for at least one episode.",
)
def provider_missing(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    needs = ~isin(e["place"], [*TEMPORARY, "Z1", "Z11", "Z12", "Z13", "Z14"])
    return {"episodes": as_index(needs & e["place_provider"].isna(), e)}


@rule(
    code="380",
    kind="ssda903",
    fields=("place", "rne"),
    tables=("episodes",),
    message="A period of care cannot start with a temporary placement.",
)
def period_starts_temporary(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index(isin(e["place"], TEMPORARY) & ~isin(e["rne"], ["P", "B"]), e)}


@rule(
    code="381",
    kind="ssda903",
    fields=("place", "rec"),
    tables=("episodes",),
    message="A period of care cannot end with a temporary placement.",
)
def period_ends_temporary(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    ends = e["rec"].notna() & (e["rec"] != "X1")
    return {"episodes": as_index(isin(e["place"], TEMPORARY) & ends, e)}


@rule(
    code="378",
    kind="ssda903",
    fields=("place", "ls"),
    tables=("episodes",),
    message="A child who is placed with parent(s) cannot be looked after under a single "
    "period of accommodation under Section 20 of the Children Act 1989.",
)
def placed_with_parents_under_v2(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index((e["place"] == "P1") & (e["ls"] == "V2"), e)}


def _legal_status_runs_longer_than(tables: Tables, year: int, status: str, days: int) -> pd.Index:
    """Episodes in unbroken runs of one legal status that last more than ``days`` days."""
    e = _linked(tables)
    end = collection_period(year)[1]
    dec = e["dec"].fillna(end)
    prev_dec = e["prev_dec"].fillna(end)
    in_status = (e["ls"] == status).fillna(False).to_numpy(dtype=bool)
    prev_in_status = np.r_[False, in_status[:-1]]
    joined = e["has_prev"].to_numpy() & prev_in_status & (e["decom"] == prev_dec).to_numpy()
    run = np.cumsum(~joined)
    frame = pd.DataFrame({"run": run, "decom": e["decom"], "dec": dec})[in_status]
    span = frame.groupby("run")["dec"].transform("max") - frame.groupby("run")["decom"].transform(
        "min"
    )
    return frame.index[(span.dt.days > days).to_numpy(dtype=bool)]


@rule(
    code="361",
    kind="ssda903",
    fields=("decom", "ls", "dec"),
    tables=("episodes",),
    message="Police protection legal status lasted longer than maximum 72 hours allowed in "
    "the Children Act 1989.",
)
def police_protection_too_long(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return {"episodes": _legal_status_runs_longer_than(tables, year, "L1", 3)}


@rule(
    code="362",
    kind="ssda903",
    fields=("decom", "ls", "dec"),
    tables=("episodes",),
    message="Emergency protection order (EPO) lasted longer than 21 days",
)
def epo_too_long(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return {"episodes": _legal_status_runs_longer_than(tables, year, "L2", 21)}


# --- Episodes: age -----------------------------------------------------------------------------


@rule(
    code="352",
    kind="ssda903",
    fields=("decom", "rne", "header.dob"),
    tables=("header", "episodes"),
    message="Child who started to be looked after was aged 18 or over.",
)
def started_aged_18(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _with_dob(tables)
    return {
        "episodes": as_index((e["rne"] == "S") & (age_on(e["header_dob"], e["decom"]) >= 18), e)
    }


@rule(
    code="386",
    kind="ssda903",
    fields=("rec", "dec", "header.dob"),
    tables=("header", "episodes"),
    message="Reason episode ceased is adopted but child has reached age 18.",
)
def adopted_aged_18(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _with_dob(tables)
    adopted = isin(e["rec"], ["E11", "E12"])
    return {"episodes": as_index(adopted & (age_on(e["header_dob"], e["dec"]) >= 18), e)}


@rule(
    code="460",
    kind="ssda903",
    fields=("dec", "rec", "header.dob"),
    tables=("header", "episodes"),
    message="Reason episode ceased is that child stayed with current carers at age 18 (or "
    "above), but child is aged under 18.",
)
def stayed_put_under_18(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _with_dob(tables)
    return {"episodes": as_index((e["rec"] == "E17") & (age_on(e["header_dob"], e["dec"]) < 18), e)}


# --- Missing ------------------------------------------------------------------------------------


@rule(
    code="567",
    kind="ssda903",
    fields=("mis_start", "mis_end"),
    tables=("missing",),
    message="The date that the missing episode or episode that the child was away from "
    "placement without authorisation ended is before the date that it started.",
)
def missing_ends_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    m = tables["missing"]
    return {"missing": as_index(m["mis_end"] < m["mis_start"], m)}


@rule(
    code="574",
    kind="ssda903",
    fields=("mis_start", "mis_end"),
    tables=("missing",),
    message="A new missing/away from placement without authorisation period cannot start "
    "when the previous missing/away from placement without authorisation period is "
    "still open. Missing/away from placement without authorisation periods should "
    "also not overlap.",
)
def missing_overlaps(tables: Tables, year: int, previous: Tables | None) -> Hits:
    m = tables["missing"]
    m = m.assign(end_or_start=m["mis_end"].fillna(m["mis_start"]))
    m = m.sort_values(["child", "end_or_start", "mis_start"], kind="stable")
    before = m.shift(1)
    same = m["child"] == before["child"]
    bad = same & (before["mis_end"].isna() | (m["mis_start"] < before["mis_end"]))
    return {"missing": as_index(bad, m)}


@rule(
    code="581",
    kind="ssda903",
    fields=("mis_start",),
    tables=("episodes", "missing"),
    message="Child is missing but has not yet started to be looked after.",
)
def missing_outside_care(tables: Tables, year: int, previous: Tables | None) -> Hits:
    m = tables["missing"]
    e = tables["episodes"]
    spells = pd.DataFrame({"child": e["child"], "decom": e["decom"], "dec": e["dec"]})
    pairs = m[["child", "mis_start"]].reset_index(names="row").merge(spells, on="child")
    inside = (pairs["mis_start"] >= pairs["decom"]) & (
        (pairs["mis_start"] <= pairs["dec"]) | pairs["dec"].isna()
    )
    covered = pd.Index(pairs.loc[inside.to_numpy(dtype=bool), "row"])
    has_episodes = isin(m["child"], e["child"]).to_numpy(dtype=bool)
    return {"missing": m.index[has_episodes & ~m.index.isin(covered)]}


# --- OC2: children looked after for twelve months ----------------------------------------------


@rule(
    code="185",
    kind="ssda903",
    fields=("sdq_score",),
    tables=("episodes", "oc2"),
    message="Child has not been looked after continuously for at least 12 months at 31 March "
    "but a Strengths and Difficulties (SDQ) score has been completed.",
)
def sdq_outside_cohort(tables: Tables, year: int, previous: Tables | None) -> Hits:
    oc2 = tables["oc2"]
    cohort = isin(oc2["child"], _looked_after_all_year(tables, year))
    return {"oc2": as_index(oc2["sdq_score"].notna() & ~cohort, oc2)}


@rule(
    code="190",
    kind="ssda903",
    fields=tuple(OC2_ITEMS),
    tables=("episodes", "oc2"),
    message="Child has not been looked after continuously for at least 12 months at 31 March "
    "but one or more data items relating to children looked after for 12 months "
    "have been completed.",
)
def oc2_outside_cohort(tables: Tables, year: int, previous: Tables | None) -> Hits:
    oc2 = tables["oc2"]
    cohort = isin(oc2["child"], _looked_after_all_year(tables, year))
    return {"oc2": as_index(oc2[OC2_ITEMS].notna().any(axis=1) & ~cohort, oc2)}


@rule(
    code="188",
    kind="ssda903",
    fields=("sdq_score", "sdq_reason"),
    tables=("oc2",),
    message="Child is aged under 4 years at the end of the year, but a Strengths and "
    "Difficulties (SDQ) score or a reason for no SDQ score has been completed. ",
)
def sdq_under_4(tables: Tables, year: int, previous: Tables | None) -> Hits:
    oc2 = tables["oc2"]
    young = age_on(oc2["dob"], collection_period(year)[1]) < 4
    given = oc2["sdq_score"].notna() | oc2["sdq_reason"].notna()
    return {"oc2": as_index(young & given, oc2)}


# --- Adoption -------------------------------------------------------------------------------------


@rule(
    code="523",
    kind="ssda903",
    fields=("placed_adoption.date_placed", "ad1.date_int"),
    tables=("placed_adoption", "ad1"),
    message="Date of decision that the child should be placed for adoption should be the "
    "same date as the decision that adoption is in the best interest (date should be "
    "placed).",
)
def decision_dates_differ(tables: Tables, year: int, previous: Tables | None) -> Hits:
    placed = tables["placed_adoption"]
    ad1 = tables["ad1"]
    pairs = (
        placed[["child", "date_placed"]]
        .reset_index(names="placed_row")
        .merge(ad1[["child", "date_int"]].reset_index(names="ad1_row"), on="child")
    )
    bad = pairs[
        (pairs["date_placed"] != pairs["date_int"]).to_numpy(dtype=bool)
        & pairs["date_placed"].notna().to_numpy()
        & pairs["date_int"].notna().to_numpy()
    ]
    return {"placed_adoption": bad["placed_row"], "ad1": bad["ad1_row"]}


@rule(
    code="522",
    kind="ssda903",
    fields=("date_placed", "date_placed_ceased"),
    tables=("placed_adoption",),
    message="Date of decision that the child should be placed for adoption must be on or "
    "before the date that a child should no longer be placed for adoption.",
)
def decision_reversed_before_made(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["placed_adoption"]
    return {"placed_adoption": as_index(p["date_placed"] > p["date_placed_ceased"], p)}


@rule(
    code="333",
    kind="ssda903",
    fields=("date_int",),
    tables=("ad1",),
    message="Date should be placed for adoption must be on or prior to the date of matching "
    "child with adopter(s).",
)
def matched_before_decision(tables: Tables, year: int, previous: Tables | None) -> Hits:
    ad1 = tables["ad1"]
    return {"ad1": as_index(ad1["date_int"] > ad1["date_match"], ad1)}


@rule(
    code="184",
    kind="ssda903",
    fields=("date_placed", "header.dob"),
    tables=("header", "placed_adoption"),
    message="Date of decision that a child should be placed for adoption is before the "
    "child was born.",
)
def decision_before_birth(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = _with_dob(tables, "placed_adoption")
    return {"placed_adoption": as_index(p["date_placed"] < p["header_dob"], p)}


@rule(
    code="554",
    kind="ssda903",
    fields=("episodes.decom", "episodes.ls", "placed_adoption.date_placed"),
    tables=("episodes", "placed_adoption"),
    message="Date of decision that the child should be placed for adoption should be on or "
    "prior to the date that the placement order was granted. [NOTE: This rule may "
    "result in false positives or false negatives if relevant data is only present "
    "in the previous year's file]",
)
def decision_after_placement_order(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    is_order = (e["ls"] == "E1").to_numpy(dtype=bool, na_value=False)  # NA: an unknown code
    orders = e[is_order & e["decom"].notna().to_numpy()]
    first = orders[~orders["child"].duplicated()]
    pairs = (
        first[["child", "decom"]]
        .reset_index(names="episode_row")
        .merge(
            tables["placed_adoption"][["child", "date_placed"]].reset_index(names="placed_row"),
            on="child",
        )
    )
    bad = pairs[(pairs["date_placed"] > pairs["decom"]).to_numpy(dtype=bool, na_value=False)]
    return {"episodes": bad["episode_row"], "placed_adoption": bad["placed_row"]}


# --- Social worker episodes (from 2023-24) -----------------------------------------------------


def _sw_linked(tables: Tables) -> pd.DataFrame:
    sw = tables["sw_episodes"].sort_values(["child", "sw_decom", "sw_dec"], kind="stable")
    before = sw.shift(1)
    return sw.assign(
        has_prev=(sw["child"] == before["child"]).fillna(False).astype(bool),
        has_next=(sw["child"] == sw["child"].shift(-1)).fillna(False).astype(bool),
        prev_sw_dec=before["sw_dec"],
    )


@rule(
    code="SW08STG2",
    kind="ssda903",
    fields=("sw_dec",),
    tables=("sw_episodes",),
    years=(2024, None),
    message="A new social worker episode has started, but the previous episode has not ended.",
)
def sw_open_not_last(tables: Tables, year: int, previous: Tables | None) -> Hits:
    sw = _sw_linked(tables)
    return {
        "sw_episodes": as_index(sw["has_next"] & sw["sw_dec"].isna() & sw["sw_decom"].notna(), sw)
    }


@rule(
    code="SW10STG2",
    kind="ssda903",
    fields=("sw_decom", "sw_dec"),
    tables=("sw_episodes",),
    years=(2024, None),
    message="A new social worker episode has started before the end date of the previous "
    "social worker episode.",
)
def sw_overlaps_previous(tables: Tables, year: int, previous: Tables | None) -> Hits:
    sw = _sw_linked(tables)
    return {"sw_episodes": as_index(sw["has_prev"] & (sw["sw_decom"] < sw["prev_sw_dec"]), sw)}


# --- Across years ------------------------------------------------------------------------------


@rule(
    code="502",
    kind="ssda903",
    fields=("decom",),
    tables=("episodes",),
    cross_year=True,
    message="Last year's record ended with an open episode. The date on which that episode "
    "started does not match the start date of the first episode on this year’s "
    "record.",
)
def open_episode_not_continued(tables: Tables, year: int, previous: Tables | None) -> Hits:
    assert previous is not None
    e = _linked(tables)
    first = e[~e["has_prev"]]
    last_open = previous["episodes"]
    last_open = last_open[last_open["dec"].isna().to_numpy()].drop_duplicates("child")
    started = by_child(first["child"], last_open.set_index("child")["decom"])
    matched = isin(first["child"], last_open["child"])
    return {"episodes": as_index(matched & (first["decom"] != started), first)}


@rule(
    code="NoE",
    kind="ssda903",
    fields=("decom",),
    tables=("episodes",),
    cross_year=True,
    message="This child has no episodes loaded for previous year even though child started "
    "to be looked after before this current year.",
)
def no_episodes_last_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    assert previous is not None
    e = tables["episodes"]
    before_year = e["decom"] < collection_period(year)[0]
    return {"episodes": as_index(before_year & ~isin(e["child"], previous["episodes"]["child"]), e)}


def _header_changed(tables: Tables, previous: Tables, column: str) -> pd.Index:
    header = tables["header"]
    last = previous["header"].drop_duplicates("child").set_index("child")[column]
    known = isin(header["child"], last.index)
    before = _blank_safe(by_child(header["child"], last))
    now = _blank_safe(header[column])
    return as_index(known & (now != before), header)


@rule(
    code="202",
    kind="ssda903",
    fields=("sex",),
    tables=("header",),
    cross_year=True,
    message="The gender code conflicts with the gender already recorded for this child.",
)
def sex_changed(tables: Tables, year: int, previous: Tables | None) -> Hits:
    assert previous is not None
    return {"header": _header_changed(tables, previous, "sex")}


@rule(
    code="203",
    kind="ssda903",
    fields=("dob",),
    tables=("header",),
    cross_year=True,
    message="Date of birth disagrees with the date of birth already recorded for this child.",
)
def dob_changed(tables: Tables, year: int, previous: Tables | None) -> Hits:
    assert previous is not None
    return {"header": _header_changed(tables, previous, "dob")}


# --- Deprivation of Liberty Orders (from 2026-27) ----------------------------------------------
# The DfE's rules for the DoLo table, as Data to Insight's csc-validator-be-903 lists them
# (lac2026_27 rules 700-710). 701 (the end date is not a valid date) is structural: a DOLO_END
# that is not a date is S-DATE.

DOLO_PLACEMENTS = ["K2", "Z12", "Z13"]
"""Placement types a child under a DoLO is expected to be in (rule 709)."""
NOT_WITH_DOLO = ["K1", "P1", "R5", "K3"]
"""Placement types a child under a DoLO may not be in (rule 710)."""


def _dolo_episodes(tables: Tables) -> pd.DataFrame:
    """Each DoLO with both dates beside every episode of that child it overlaps.

    An episode still open (no DEC) overlaps every order that ends on or after it started.
    """
    if "dolo_episodes" not in tables.memo:
        dolo = tables["dolo"]
        closed = dolo[(dolo["dolo_start"].notna() & dolo["dolo_end"].notna()).to_numpy()]
        episodes = tables["episodes"]
        pairs = (
            closed[["child", "dolo_start", "dolo_end"]]
            .reset_index(names="dolo_row")
            .merge(
                episodes[["child", "decom", "dec", "place"]].reset_index(names="episode_row"),
                on="child",
            )
        )
        overlaps = ((pairs["dolo_start"] <= pairs["dec"]) | pairs["dec"].isna()) & (
            pairs["dolo_end"] >= pairs["decom"]
        )
        tables.memo["dolo_episodes"] = pairs[overlaps.to_numpy(dtype=bool, na_value=False)]
    result: pd.DataFrame = tables.memo["dolo_episodes"]
    return result


@rule(
    code="700",
    kind="ssda903",
    fields=("dolo_start",),
    tables=("dolo",),
    years=(2027, None),
    message="The start date of the DoLO is not a valid date.",
)
def dolo_start_not_a_date(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    return {"dolo": as_index(dolo["dolo_start"].isna(), dolo)}


@rule(
    code="702",
    kind="ssda903",
    fields=("dolo_end", "dolo_start"),
    tables=("dolo",),
    years=(2027, None),
    message="The date that the DoLO ended is before the date that it started.",
)
def dolo_ends_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    # As D2I reads it, an order ending the day it started fails too.
    return {"dolo": as_index(dolo["dolo_end"] <= dolo["dolo_start"], dolo)}


@rule(
    code="703",
    kind="ssda903",
    fields=("dolo_start",),
    tables=("dolo",),
    years=(2027, None),
    message="The date that the DoLO started is after the end of the collection year.",
)
def dolo_starts_after_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    return {"dolo": as_index(dolo["dolo_start"] > collection_period(year)[1], dolo)}


@rule(
    code="704",
    kind="ssda903",
    fields=("dolo_end",),
    tables=("dolo",),
    years=(2027, None),
    message="The date that the DoLO ended is before the start or after the end of the "
    "collection year.",
)
def dolo_ends_outside_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    start, end = collection_period(year)
    return {"dolo": as_index((dolo["dolo_end"] < start) | (dolo["dolo_end"] > end), dolo)}


@rule(
    code="705",
    kind="ssda903",
    fields=("dolo_start", "dolo_end"),
    tables=("dolo",),
    years=(2027, None),
    message="A DoLO cannot start when the previous DoLO is still open.",
)
def dolo_starts_while_previous_open(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    ordered = dolo[dolo["dolo_start"].notna().to_numpy()].sort_values(
        ["child", "dolo_start"], kind="stable"
    )
    before = ordered.shift(1)
    has_prev = (ordered["child"] == before["child"]).fillna(False).astype(bool)
    still_open = before["dolo_end"].isna() | (ordered["dolo_start"] < before["dolo_end"])
    return {"dolo": as_index(has_prev & still_open, ordered)}


@rule(
    code="706",
    kind="ssda903",
    fields=("dolo.dolo_start", "episodes.decom"),
    tables=("dolo", "episodes"),
    years=(2027, None),
    cross_year=True,
    message="There is an open DoLO in last year’s return and there is no corresponding DoLO "
    "recorded at the start of this year.",
)
def open_dolo_not_continued(tables: Tables, year: int, previous: Tables | None) -> Hits:
    assert previous is not None
    last = previous["dolo"]
    open_last = last[(last["dolo_end"].isna() & last["dolo_start"].notna()).to_numpy()]
    dolo = tables["dolo"]
    carried = pd.MultiIndex.from_frame(dolo[["child", "dolo_start"]])
    wanted = pd.MultiIndex.from_frame(open_last[["child", "dolo_start"]])
    lost = open_last[~wanted.isin(carried)]["child"]
    # Last year's rows are not in this return: flag the child's first DoLO this year, or, if it
    # has none, the child's first episode.
    first_dolo = dolo.sort_values(["child", "dolo_start"], kind="stable").drop_duplicates("child")
    episodes = tables["episodes"]
    first_episode = episodes.sort_values(["child", "decom"], kind="stable").drop_duplicates("child")
    in_dolo = isin(first_dolo["child"], lost)
    in_episodes = isin(first_episode["child"], lost) & ~isin(first_episode["child"], dolo["child"])
    return {
        "dolo": as_index(in_dolo, first_dolo),
        "episodes": as_index(in_episodes, first_episode),
    }


@rule(
    code="707",
    kind="ssda903",
    fields=("dolo_end",),
    tables=("dolo", "episodes"),
    years=(2027, None),
    message="Child ceased to be looked after but there is a DoLO without an end date.",
)
def dolo_open_after_care_ended(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = _linked(tables)
    last = e[~e["has_next"]]
    left = last["child"][(last["dec"].notna() & (_blank_safe(last["rec"]) != "X1")).to_numpy()]
    dolo = tables["dolo"]
    open_order = dolo["dolo_start"].notna() & dolo["dolo_end"].isna()
    return {"dolo": as_index(open_order & isin(dolo["child"], left), dolo)}


@rule(
    code="708",
    kind="ssda903",
    fields=("dolo_start", "dob"),
    tables=("dolo",),
    years=(2027, None),
    message="Dates of DoLOs are before child’s date of birth.",
)
def dolo_before_birth(tables: Tables, year: int, previous: Tables | None) -> Hits:
    dolo = tables["dolo"]
    # The DfE asks for DOLO_START after DOB, so an order starting on the birthday fails.
    return {"dolo": as_index(dolo["dolo_start"] <= dolo["dob"], dolo)}


@rule(
    code="709",
    kind="ssda903",
    fields=("dolo_start", "dolo_end"),
    tables=("dolo", "episodes"),
    years=(2027, None),
    severity="query",
    message="Child with a DoLO is in an unexpected placement type.",
)
def dolo_unexpected_placement(tables: Tables, year: int, previous: Tables | None) -> Hits:
    pairs = _dolo_episodes(tables)
    bad = pairs[~isin(pairs["place"], DOLO_PLACEMENTS).to_numpy()]
    return {"dolo": bad["dolo_row"]}


@rule(
    code="710",
    kind="ssda903",
    fields=("dolo.dolo_start", "dolo.dolo_end", "episodes.place", "episodes.decom"),
    tables=("dolo", "episodes"),
    years=(2027, None),
    message="Child with a DoLO can not be placed in secure children's homes, with parents, young "
    "offender institutions, or supported accommodation.",
)
def dolo_forbidden_placement(tables: Tables, year: int, previous: Tables | None) -> Hits:
    pairs = _dolo_episodes(tables)
    bad = pairs[isin(pairs["place"], NOT_WITH_DOLO).to_numpy()]
    return {"dolo": bad["dolo_row"], "episodes": bad["episode_row"]}
