"""Write the children in need (CIN) census XML for one collection year.

The census holds every CIN episode (one per referral) open at any time between 1 April and 31
March, with the child's identifiers and characteristics; the episode's assessments, CIN plans
and child protection plans open at any time in the year; and its section 47 enquiries begun or
conferenced in the year. Every end date returned therefore falls in the year, as validation
rules 8696, 4013, 8715 and 8930 ask, and anything ending after 31 March is returned as still
open. Initial conferences are returned on their section 47 only, never also at episode level
(rule 2884). Element names and their order follow the DfE's CIN census specification as read by
Data to Insight's ``csc-validator-be-cin`` (``cin_validator/ingress.py`` and its ``fake_data``
examples). Dates are yyyy-mm-dd; absent optional values are left out, not written empty.

The layout follows the collection year as ``returns.schema`` describes it: factors identified
at assessment from 2014-15 and ``Sex`` (M/F) replacing ``GenderCurrent`` (1/2) from 2024-25. The
pre-proceedings block added for 2025-26 is not written, as the generator does not model
pre-proceedings. Child protection reviews go in one ``<Reviews>`` block per plan, one
``<CPPreviewDate>`` each. The writer streams one ``<Child>`` at a time and never reads the clock.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

import pandas as pd

from turnaround.core.years import cin_reference_date
from turnaround.returns.schema import schema_for
from turnaround.synth import outcomes
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import SocialCare
from turnaround.synth.outcomes import Window, clip_open, in_window, iso_dates
from turnaround.synth.rng import rng_for

SOFTWARE_CODE = "turnaround"
RELEASE = "0.1"

DISABILITY_CODES = ("AUT", "BEH", "COMM", "CON", "DDA", "HAND", "HEAR", "INC", "LD", "MOB",
                    "PC", "VIS")  # fmt: skip
_DISABILITY_WEIGHTS = (0.2, 0.15, 0.12, 0.08, 0.05, 0.04, 0.04, 0.03, 0.15, 0.06, 0.04, 0.04)


def cin_features(year: int) -> frozenset[str]:
    """The layout changes in force for a collection year, read from ``returns.schema``.

    ``assessment_factors``: the factors block is part of the year's layout. ``sex_not_gender``:
    the child's sex is returned as ``Sex`` (M/F) rather than ``GenderCurrent`` (1/2).
    """
    schema = schema_for("cin", year)
    on: set[str] = set()
    if schema.table("assessment_factors").required:
        on.add("assessment_factors")
    if schema.table("children").column("sex").element == "Sex":
        on.add("sex_not_gender")
    return frozenset(on)


def write_cin_census(
    social_care: SocialCare,
    children: pd.DataFrame,
    config: SynthConfig,
    year: int,
    out_path: Path,
) -> Path:
    """Write the year's CIN census XML to ``out_path`` and return it."""
    window = Window.for_year(year)
    features = cin_features(year)
    sc = social_care
    referrals = sc.referrals.loc[
        in_window(sc.referrals["referral_date"], sc.referrals["closure_date"], window)
    ]
    referrals = referrals.sort_values(
        ["la_child_id", "referral_date", "referral_id"], kind="stable"
    )
    ids = set(referrals["referral_id"])
    details = outcomes.child_details(sc.known_children, children)

    assessments = _grouped(_assessments(sc.assessments, ids, window), "referral_id")
    plans = _grouped(_cin_plans(sc.cin_plans, ids, window), "referral_id")
    enquiries = _grouped(_section47(sc.s47, ids, window), "referral_id")
    cp = _cp_plans(sc.cp_plans, ids, window)
    cp_plans = _grouped(cp, "referral_id")
    reviews = _grouped(_cp_reviews(sc.cp_reviews, cp, window), "cp_plan_id")
    episodes = _records(_cin_details(referrals, window))
    by_child: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ep in episodes:
        by_child[ep["la_child_id"]].append(ep)
    kids = sorted(by_child)
    info = _child_records(details.reindex(kids), window, config.seed, features)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<Message>\n')
        out.write(_text(_header(config, year), level=1))
        out.write("  <Children>\n")
        for kid in kids:
            child = ET.Element("Child")
            _identifiers(child, info[kid], features)
            for ep in by_child[kid]:
                rid = ep["referral_id"]
                node = ET.SubElement(child, "CINdetails")
                _add(node, "CINreferralDate", ep["referral_date"])
                _add(node, "ReferralSource", ep["source"])
                _add(node, "PrimaryNeedCode", ep["primary_need"])
                _add(node, "CINclosureDate", ep["closure_date"])
                _add(node, "ReasonForClosure", ep["closure_reason"])
                _add(node, "ReferralNFA", ep["nfa"])
                for a in assessments.get(rid, ()):
                    _assessment(node, a, features)
                for p in plans.get(rid, ()):
                    block = ET.SubElement(node, "CINPlanDates")
                    _add(block, "CINPlanStartDate", p["start_date"])
                    _add(block, "CINPlanEndDate", p["end_date"])
                for s in enquiries.get(rid, ()):
                    block = ET.SubElement(node, "Section47")
                    _add(block, "S47ActualStartDate", s["start_date"])
                    _add(block, "InitialCPCtarget", s["icpc_target"])
                    _add(block, "DateOfInitialCPC", s["icpc_date"])
                    _add(block, "ICPCnotRequired", s["icpc_not_required"])
                for c in cp_plans.get(rid, ()):
                    block = ET.SubElement(node, "ChildProtectionPlans")
                    _add(block, "CPPstartDate", c["start_date"])
                    _add(block, "CPPendDate", c["end_date"])
                    _add(block, "InitialCategoryOfAbuse", c["initial_category"])
                    _add(block, "LatestCategoryOfAbuse", c["latest_category"])
                    _add(block, "NumberOfPreviousCPP", c["previous_plans"])
                    dates = reviews.get(c["cp_plan_id"], ())
                    if dates:
                        container = ET.SubElement(block, "Reviews")
                        for r in dates:
                            _add(container, "CPPreviewDate", r["review_date"])
            out.write(_text(child, level=2))
        out.write("  </Children>\n</Message>\n")
    return out_path


def _text(element: ET.Element, level: int) -> str:
    ET.indent(element, space="  ", level=level)
    return "  " * level + ET.tostring(element, encoding="unicode") + "\n"


def _add(parent: ET.Element, tag: str, value: object) -> None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return
    ET.SubElement(parent, tag).text = str(value)


def _header(config: SynthConfig, year: int) -> ET.Element:
    header = ET.Element("Header")
    details = ET.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year)
    _add(details, "ReferenceDate", cin_reference_date(year).isoformat())
    source = ET.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", config.la_code)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", 1)
    # A fixed extract time (the collection opens in April) keeps the file reproducible.
    _add(source, "DateTime", f"{year}-04-30T09:00:00")
    return header


def _identifiers(child: ET.Element, kid: dict[str, Any], features: frozenset[str]) -> None:
    ids = ET.SubElement(child, "ChildIdentifiers")
    _add(ids, "LAchildID", kid["la_child_id"])
    _add(ids, "UPN", kid["upn"])
    _add(ids, "UPNunknown", kid["upn_unknown"])
    _add(ids, "PersonBirthDate", kid["dob"])
    if "sex_not_gender" in features:
        _add(ids, "Sex", kid["sex"])
    else:
        _add(ids, "GenderCurrent", {"M": "1", "F": "2"}.get(kid["sex"], "0"))
    chars = ET.SubElement(child, "ChildCharacteristics")
    _add(chars, "Ethnicity", kid["ethnicity"])
    disabilities = ET.SubElement(chars, "Disabilities")
    for code in kid["disabilities"]:
        _add(disabilities, "Disability", code)


def _assessment(node: ET.Element, a: dict[str, Any], features: frozenset[str]) -> None:
    block = ET.SubElement(node, "Assessments")
    _add(block, "AssessmentActualStartDate", a["start_date"])
    _add(block, "AssessmentAuthorisationDate", a["authorised_date"])
    if "assessment_factors" in features and a["authorised_date"]:
        factors = ET.SubElement(block, "FactorsIdentifiedAtAssessment")
        for code in str(a["factors"]).split(","):
            _add(factors, "AssessmentFactors", code.strip())


def _child_records(
    info: pd.DataFrame, window: Window, seed: int, features: frozenset[str]
) -> dict[str, dict[str, Any]]:
    upn = info["upn"].fillna("")
    unknown = outcomes.upn_or_unknown(upn, info["dob"], window.end).where(upn == "", "")
    # The population says only whether a child is disabled; which impairments is drawn,
    # from a stream of its own so the census is the same whichever year is written first.
    rng = rng_for(seed, "cin-disability")
    order = info.index.to_series().sort_values()
    draws = rng_for(seed, "cin-disability-count").random(len(order))
    picks = rng.choice(len(DISABILITY_CODES), size=(len(order), 2), p=_DISABILITY_WEIGHTS)
    codes: dict[str, list[str]] = {}
    for i, (kid, disabled) in enumerate(zip(order, info["disability"].reindex(order), strict=True)):
        if not bool(disabled):
            codes[kid] = ["NONE"]
            continue
        chosen = [DISABILITY_CODES[picks[i, 0]]]
        second = DISABILITY_CODES[picks[i, 1]]
        if draws[i] < 0.3 and second not in chosen:
            chosen.append(second)
        codes[kid] = chosen
    frame = pd.DataFrame(
        {
            "la_child_id": info.index,
            "upn": upn.to_numpy(),
            "upn_unknown": unknown.to_numpy(),
            "dob": iso_dates(info["dob"]).to_numpy(),
            "sex": info["sex"].fillna("U").to_numpy(),
            "ethnicity": info["ethnicity"].fillna("NOBT").to_numpy(),
        }
    )
    records = {r["la_child_id"]: r for r in _records(frame)}
    for kid, rec in records.items():
        rec["disabilities"] = codes[kid]
    return records


def _cin_details(referrals: pd.DataFrame, window: Window) -> pd.DataFrame:
    closure = clip_open(referrals["closure_date"], window)
    return pd.DataFrame(
        {
            "la_child_id": referrals["la_child_id"],
            "referral_id": referrals["referral_id"],
            "referral_date": iso_dates(referrals["referral_date"]),
            "source": referrals["source"],
            "primary_need": referrals["primary_need"],
            "closure_date": iso_dates(closure),
            "closure_reason": referrals["closure_reason"].where(closure.notna(), ""),
            "nfa": _bool(referrals["nfa"]),
        }
    )


def _assessments(assessments: pd.DataFrame, ids: set[Any], window: Window) -> pd.DataFrame:
    rows = assessments.loc[
        assessments["referral_id"].isin(ids)
        & in_window(assessments["start_date"], assessments["authorised_date"], window)
    ].sort_values(["referral_id", "start_date"], kind="stable")
    return pd.DataFrame(
        {
            "referral_id": rows["referral_id"],
            "start_date": iso_dates(rows["start_date"]),
            "authorised_date": iso_dates(clip_open(rows["authorised_date"], window)),
            "factors": rows["factors"].fillna(""),
        }
    )


def _cin_plans(plans: pd.DataFrame, ids: set[Any], window: Window) -> pd.DataFrame:
    rows = plans.loc[
        plans["referral_id"].isin(ids) & in_window(plans["start_date"], plans["end_date"], window)
    ].sort_values(["referral_id", "start_date"], kind="stable")
    return pd.DataFrame(
        {
            "referral_id": rows["referral_id"],
            "start_date": iso_dates(rows["start_date"]),
            "end_date": iso_dates(clip_open(rows["end_date"], window)),
        }
    )


def _section47(s47: pd.DataFrame, ids: set[Any], window: Window) -> pd.DataFrame:
    # Enquiries that started in the year, or whose conference fell in it.
    started = s47["start_date"].between(window.start, window.end)
    conference = s47["icpc_date"].between(window.start, window.end)
    rows = s47.loc[s47["referral_id"].isin(ids) & (started | conference)]
    rows = rows.sort_values(["referral_id", "start_date"], kind="stable")
    return pd.DataFrame(
        {
            "referral_id": rows["referral_id"],
            "start_date": iso_dates(rows["start_date"]),
            "icpc_target": iso_dates(rows["icpc_target"]),
            "icpc_date": iso_dates(clip_open(rows["icpc_date"], window)),
            "icpc_not_required": _bool(rows["icpc_not_required"]),
        }
    )


def _cp_plans(plans: pd.DataFrame, ids: set[Any], window: Window) -> pd.DataFrame:
    rows = plans.loc[
        plans["referral_id"].isin(ids) & in_window(plans["start_date"], plans["end_date"], window)
    ].sort_values(["referral_id", "start_date"], kind="stable")
    return pd.DataFrame(
        {
            "cp_plan_id": rows["cp_plan_id"],
            "referral_id": rows["referral_id"],
            "start": rows["start_date"],
            "end": clip_open(rows["end_date"], window),
            "start_date": iso_dates(rows["start_date"]),
            "end_date": iso_dates(clip_open(rows["end_date"], window)),
            "initial_category": rows["initial_category"],
            "latest_category": rows["latest_category"],
            "previous_plans": rows["previous_plans"].astype(int).astype(str),
        }
    )


def _cp_reviews(reviews: pd.DataFrame, plans: pd.DataFrame, window: Window) -> pd.DataFrame:
    merged = reviews.merge(plans[["cp_plan_id", "start", "end"]], on="cp_plan_id")
    keep = (
        merged["review_date"].between(window.start, window.end)
        & (merged["review_date"] >= merged["start"])
        & (merged["end"].isna() | (merged["review_date"] <= merged["end"]))
    )
    rows = merged.loc[keep].sort_values(["cp_plan_id", "review_date"], kind="stable")
    return pd.DataFrame(
        {"cp_plan_id": rows["cp_plan_id"], "review_date": iso_dates(rows["review_date"])}
    )


def _bool(values: pd.Series) -> pd.Series:
    return values.astype(bool).map({True: "true", False: "false"})


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def _grouped(frame: pd.DataFrame, key: str) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for record in _records(frame):
        groups[record[key]].append(record)
    return groups
