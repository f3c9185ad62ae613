"""Write the Ofsted Annex A workbook: the child-level lists 1-11 inspectors ask for.

Sheet names and column headings are those ``returns.schema`` describes for the year (the Ofsted
ILACS Annex A template, as standardised in Social Finance's ``liia-tools``); coded answers use
the template's drop-down wording ("a) Male", "N1 - Abuse or neglect").

Period covered: Ofsted asks for most lists over the six months before the inspection (current
cases on lists 6-9, twelve months for adoption). We cover the twelve months to 31 March of the
collection year by default, so a workbook lines up with that year's SSDA903 and CIN census;
pass ``months=6`` for an inspection-shaped extract. Ages are at 31 March.

The generator does not model visits, pathway plans, permanence plans or prospective adopters,
so those columns are blank and list 11 (adopters) has headings only. The workbook is
byte-identical for the same input: xlsxwriter with fixed document properties, dates written
as Excel serial numbers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from turnaround.returns.schema import schema_for
from turnaround.synth import outcomes
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import SocialCare
from turnaround.synth.outcomes import Window, age_on, clip_open, in_window
from turnaround.synth.rng import rng_for

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
ALLOCATED = ["Allocated Team", "Allocated Worker"]
DISABILITY = "Does the Child have a Disability"
ASSESSED_SUPPORT = "Was the child assessed as requiring LA children's social care support?"
S47_START = "Strategy discussion initiating Section 47 Enquiry Start Date"
ICPC_UNNECESSARY = "Was an Initial Child Protection Conference deemed unnecessary?"
ICPC_PLAN = "Did the Initial Child Protection Conference Result in a Child Protection Plan"
EPO = (
    "Subject to Emergency Protection Order or Protected Under"
    " Police Powers in Last Six Months (Y/N)"
)
UASC_12M = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"
REPEAT_PERIOD = (
    "Is this a second or subsequent period of being a Looked"
    " After Child within the last 12 months (Y/N)"
)
MISSING_COUNT = (
    "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
)
ABSENT_COUNT = (
    "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months"
)
RETURN_OFFERED = "Was the child offered a Return Interview after their last missing episode (Y/N)?"
RETURN_ACCEPTED = "Did the child accept a Return Interview after their last missing episode (Y/N)?"
UASC_LEAVER = "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"
FFA_DATE = "Date the child was placed for fostering in FFA or concurrent planning placement"
NO_LONGER_DATE = "Date of Decision that Child Should No Longer be Placed for Adoption"


def annex_a_sheets(year: int) -> dict[str, list[str]]:
    """Each list's sheet name and column headings in order, as ``returns.schema`` describes it."""
    schema = schema_for("annex_a", year)
    return {
        table.sheet or table.name: [column.heading or column.name for column in table.columns]
        for table in schema.tables.values()
    }


GENDER = {"M": "a) Male", "F": "b) Female"}
ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqrs",
        [
            "WBRI",
            "WIRI",
            "WIRT",
            "WOTH",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "REFU",
        ],
        strict=True,
    )
}
ETHNICITY["NOBT"] = "t) NOBT"
SOURCE = {
    "1A": "a) 1A: Individual",
    "1B": "b) 1B: Individual",
    "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual",
    "2A": "e) 2A: Schools",
    "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services",
    "3B": "h) 3B: Health services",
    "3C": "i) 3C: Health services",
    "3D": "j) 3D: Health services",
    "3E": "k) 3E: Health services",
    "3F": "l) 3F: Health services",
    "4": "m) 4: Housing",
    "5A": "n) 5A: LA services",
    "5B": "o) 5B: LA services",
    "5C": "p) 5C: LA services",
    "5D": "p1) 5D: LA services",
    "6": "q) 6: Police",
    "7": "r) 7: Other legal agency",
    "8": "s) 8: Other",
    "9": "t) 9: Anonymous",
    "10": "u) 10: Unknown",
}
NEED = {
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
    "N0": "N0 - Not stated",
}
CLOSURE = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}
ABUSE = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}
LEGAL_STATUS = {
    "E1": "E1: Placement order",
    "C1": "C1: ICO",
    "C2": "C2: FCO",
    "D1": "D1: Freeing order",
    "V2": "V2: Single period under S20",
    "L1": "L1: Police protection LA accommodation",
    "L2": "L2: EPO",
    "L3": "L3: Child assessment order LA accommodation",
    "J1": "J1: Remanded to LA or youth detention",
    "J2": "J2: LA accommodation under PACE",
    "J3": "J3: Youth rehabilitation order",
    "V3": "V3: Short term breaks, episodes recorded",
    "V4": "V4: Short term breaks, agreements recorded",
}
REASON_CEASED = {
    "E11": "a) E11: Adopted - application unopposed",
    "E12": "b) E12: Adopted - consent dispensed",
    "E2": "c) E2: Died",
    "E3": "d) E3: Care taken by another LA",
    "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
    "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
    "E13": "g) E13: Parents, relatives or other with no parental responsibility",
    "E41": "h) E41: Residence order granted",
    "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
    "E46": "j) E46: Special Guardianship Orders - former carer other",
    "E47": "k) E47: Special Guardianship Orders - relative/friend",
    "E48": "l) E48: Special Guardianship Orders - other",
    "E5": "m) E5: Moved into independent living - supported",
    "E6": "n) E6: Moved into independent living - no support",
    "E7": "o) E7: Transferred to residential care funded by adult social services",
    "E9": "p) E9: Sentenced to custody",
    "E14": "q) E14: Accommodation on remand ended",
    "E15": "r) E15: Age assessment determined child was 18 or over",
    "E16": "s) E16: Child moved abroad",
    "E8": "t) E8: Care ceased for any other reason",
    "E17": "v) E17: Aged 18+ and remained with current carers",
}
PLACEMENT = {
    "U1": "a) U1: Foster placement - relatives - long term",
    "U2": "b) U2: Foster placement - relative - FFA",
    "U3": "c) U3: Foster placement - relative - not FFA",
    "U4": "d) U4: Foster placement - long term",
    "U5": "e) U5: Foster placement - FFA",
    "U6": "f) U6: Foster placement - not FFA",
    "A3": "g) A3: Placed for adoption - consent - current foster",
    "A4": "h) A4: Placed for adoption - consent - not foster",
    "A5": "i) A5: Placed for adoption - order - foster",
    "A6": "j) A6: Placed for adoption - order - not foster",
    "P1": "k) P1: Placed with parents",
    "P2": "l) P2: Independent living",
    "P3": "m) P3: Residential employment",
    "H5": "n) H5: Residential accommodation",
    "K1": "o) K1: Secure Children's Homes",
    "K2": "p) K2: Children's Homes",
    "R1": "q) R1: Residential Care Home",
    "R2": "r) R2: NHS/Health Trust",
    "R3": "s) R3: Family Centre or Mother and Baby Unit",
    "R5": "t) R5: Young Offender Institution",
    "S1": "u) S1: Residential school",
    "Z1": "v) Z1: Other placements",
    "T0": "w) T0: Temporary placement",
    "T1": "x) T1: Temporary placement - hospital",
    "T2": "y) T2: Temporary placement - holiday",
    "T3": "z) T3: Temporary placement - carer holiday",
    "T4": "zz) T4: Temporary placement - seven days or less",
}
PROVIDER = {
    "PR0": "a) PR0: Parents/Parental responsibility",
    "PR1": "b) PR1: Own provision",
    "PR2": "c) PR2: Other LA provision",
    "PR3": "d) PR3: Other public provision",
    "PR4": "e) PR4: Private provision",
    "PR5": "f) PR5: Voluntary/third sector",
}
NO_LONGER = {
    "RD1": "RD1 - The child’s needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}
ACCOMMODATION = {
    "B": "B: Parents/relatives",
    "C": "C: Community home/residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings",
    "G": "G: Abroad",
    "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support",
    "R": "R: Residence not known",
    "S": "S: No fixed adobe/homeless",
    "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living",
    "V": "V: Emergency accommodation",
    "W": "W: Bed and breakfast",
    "X": "X: In custody",
    "Y": "Y: Other accommodation",
    "Z": "Z: With former foster carers",
}
ACTIVITY = {
    "F1": "F1: Full time in higher education",
    "P1": "P1: Part time in higher education",
    "F2": "F2: Full time in education other than higher",
    "P2": "P2: Part time in education other than higher",
    "F3": "F3: Full time in training or employment",
    "P3": "P3: Part time in training or employment",
    "F4": "F4: Young person engaged full time in an apprenticeship",
    "P4": "P4: Young person engaged part time in an apprenticeship",
    "F5": "F5: Young person engaged full time in training or employment (not apprenticeship)",
    "P5": "P5: Young person engaged part time in training or employment (not apprenticeship)",
    "G4": "G4: Not in education, employment or training - illness or disability",
    "G5": "G5: Not in education, employment or training - other",
    "G6": "G6: Not in education, employment or training - pregnancy or parenting",
}
IN_TOUCH = {
    "YES": "a) Yes",
    "NO": "b) No",
    "DIED": "c) Died",
    "REFU": "d) Refu",
    "NREQ": "e) NREQ",
    "RHOM": "f) Rhom",
}
YES, NO = "a) Yes", "b) No"

FIXED_CREATED = datetime(2014, 1, 1)
_EXCEL_EPOCH = pd.Timestamp(1899, 12, 30)


def write_annex_a(
    social_care: SocialCare,
    children: pd.DataFrame,
    allocations: pd.DataFrame,
    config: SynthConfig,
    year: int,
    out_path: Path,
    *,
    months: int = 12,
) -> Path:
    """Write the year's Annex A workbook (lists 1-11) to ``out_path`` and return it."""
    lists = annex_a_lists(social_care, children, allocations, config, year, months=months)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(out_path), {"constant_memory": True, "strings_to_numbers": False}
    )
    workbook.set_properties(
        {"title": f"Annex A {year}", "author": config.la_name, "created": FIXED_CREATED}
    )
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for sheet, frame in lists.items():
        _write_sheet(workbook.add_worksheet(sheet), frame, bold, date_format)
    workbook.close()
    return out_path


def _write_sheet(ws: Any, frame: pd.DataFrame, bold: Any, date_format: Any) -> None:
    ws.write_row(0, 0, list(frame.columns), bold)
    columns = []
    for c, name in enumerate(frame.columns):
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            # Excel serial days; the column's format shows them as dates.
            ws.set_column(c, c, 12, date_format)
            col = (col - _EXCEL_EPOCH).dt.days
        columns.append(col.astype(object).where(col.notna(), None).tolist())
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_string(r, c, value)
            else:
                write_number(r, c, value)


def annex_a_lists(
    social_care: SocialCare,
    children: pd.DataFrame,
    allocations: pd.DataFrame,
    config: SynthConfig,
    year: int,
    *,
    months: int = 12,
) -> dict[str, pd.DataFrame]:
    """Lists 1-11 as frames with Ofsted's headings; dates stay datetimes, codes are labelled."""
    window = Window.for_year(year)
    start = window.end - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    period = Window(start, window.end)
    details = outcomes.child_details(social_care.known_children, children)
    ctx = _Context(social_care, details, allocations, period)
    rng = rng_for(config.seed, f"annex-a-{year}")
    lists = {
        "List 1 - Contacts": _contacts(ctx),
        "List 2 - Early Help": _early_help(ctx),
        "List 3 - Referrals": _referrals(ctx),
        "List 4 - Assessments": _assessments(ctx),
        "List 5 - Section 47": _section47(ctx),
        "List 6 - Children in Need": _children_in_need(ctx),
        "List 7 - Child Protection": _child_protection(ctx),
        "List 8 - Children in Care": _children_in_care(ctx, config),
        "List 9 - Care Leavers": _care_leavers(ctx, year, rng),
        "List 10 - Adoption": _adoption(ctx),
        "List 11 - Adopters": pd.DataFrame(),
    }
    sheets = annex_a_sheets(year)
    return {name: frame.reindex(columns=sheets[name]) for name, frame in lists.items()}


class _Context:
    """What every list needs: the period, child facts and who holds each case."""

    def __init__(
        self,
        social_care: SocialCare,
        details: pd.DataFrame,
        allocations: pd.DataFrame,
        period: Window,
    ) -> None:
        self.sc = social_care
        self.details = details
        self.allocations = allocations
        self.period = period

    def common(self, child: pd.Series) -> pd.DataFrame:
        info = self.details.reindex(child.to_numpy())
        return pd.DataFrame(
            {
                "Child Unique ID": child.to_numpy(),
                "Gender": info["sex"].map(GENDER).to_numpy(),
                "Ethnicity": info["ethnicity"].map(ETHNICITY).fillna(info["ethnicity"]).to_numpy(),
                "Date of Birth": pd.to_datetime(info["dob"]).to_numpy(),
                "Age of Child (Years)": age_on(info["dob"], self.period.end).to_numpy(),
            }
        )

    def disability(self, child: pd.Series) -> np.ndarray:
        flag = self.details["disability"].reindex(child.to_numpy())
        return np.where(flag.isna(), "c) Unknown", np.where(flag.fillna(False), YES, NO))

    def allocated(self, child: pd.Series, on: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """The team and worker holding each child's case on a date (the latest if several)."""
        on = on.where(on <= self.period.end, self.period.end)
        team = _as_of(self.sc.cases, child, on, "start", "end", "team")
        worker = _as_of(self.allocations, child, on, "start", "end", "staff_id")
        worker_text = np.array(["" if pd.isna(w) else str(w) for w in worker], dtype=object)
        team_text = np.array(["" if pd.isna(t) else str(t) for t in team], dtype=object)
        return team_text, worker_text


def _as_of(
    spells: pd.DataFrame, child: pd.Series, on: pd.Series, start: str, end: str, value: str
) -> np.ndarray:
    """For each (child, date) the value of the spell covering that date, or NaN."""
    events = pd.DataFrame({"la_child_id": child.to_numpy(), "on": on.to_numpy()})
    events["row"] = np.arange(len(events))
    merged = events.merge(spells[["la_child_id", start, end, value]], on="la_child_id")
    covers = (merged[start] <= merged["on"]) & (merged[end].isna() | (merged[end] >= merged["on"]))
    hits = merged.loc[covers].sort_values(["row", start], kind="stable")
    latest = hits.drop_duplicates("row", keep="last").set_index("row")[value]
    return latest.reindex(np.arange(len(events))).to_numpy(dtype=object)


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table``'s value for each key (NaN/NaT where absent), keeping the table's dtype."""
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _yes_no(flag: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(flag, dtype=bool), YES, NO)


def _count_before(events: pd.DataFrame, child: str, date: str, days: int = 365) -> np.ndarray:
    """For each event, how many of the same child's events fell in the ``days`` before it."""
    frame = events[[child, date]].reset_index(drop=True)
    frame["row"] = np.arange(len(frame))
    pairs = frame.merge(frame, on=child, suffixes=("", "_other"))
    gap = (pairs[date] - pairs[f"{date}_other"]).dt.days
    earlier = (gap > 0) & (gap <= days) | ((gap == 0) & (pairs["row_other"] < pairs["row"]))
    counts = pairs.loc[earlier].groupby("row").size()
    return counts.reindex(frame["row"], fill_value=0).to_numpy()


def _contacts(ctx: _Context) -> pd.DataFrame:
    c = ctx.sc.contacts
    rows = c.loc[c["contact_date"].between(ctx.period.start, ctx.period.end)]
    rows = rows.sort_values(["contact_date", "la_child_id"], kind="stable")
    out = ctx.common(rows["la_child_id"])
    out["Date of Contact"] = rows["contact_date"].to_numpy()
    out["Contact Source"] = rows["source"].map(SOURCE).fillna(rows["source"]).to_numpy()
    return out


def _early_help(ctx: _Context) -> pd.DataFrame:
    e = ctx.sc.early_help
    rows = e.loc[in_window(e["start"], e["end"], ctx.period)]
    rows = rows.sort_values(["start", "la_child_id"], kind="stable")
    out = ctx.common(rows["la_child_id"])
    out["Assessment start date"] = rows["start"].to_numpy()
    out["Assessment completion date"] = clip_open(rows["end"], ctx.period).to_numpy()
    out["Organisation completing assessment"] = "Local authority early help"
    return out


def _referrals(ctx: _Context) -> pd.DataFrame:
    r = ctx.sc.referrals.sort_values(["referral_date", "referral_id"], kind="stable")
    prior = _count_before(r, "la_child_id", "referral_date")
    keep = r["referral_date"].between(ctx.period.start, ctx.period.end).to_numpy()
    rows = r.loc[keep]
    out = ctx.common(rows["la_child_id"])
    out["Date of referral"] = rows["referral_date"].to_numpy()
    out["Referral Source"] = rows["source"].map(SOURCE).fillna(rows["source"]).to_numpy()
    out["Referral NFA?"] = _yes_no(rows["nfa"])
    out["Number of Referrals in Last 12 Months"] = prior[keep]
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(
        rows["la_child_id"], rows["referral_date"]
    )
    return out


def _with_child(frame: pd.DataFrame, referrals: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(referrals[["referral_id", "la_child_id"]], on="referral_id", how="inner")


def _assessments(ctx: _Context) -> pd.DataFrame:
    a = _with_child(ctx.sc.assessments, ctx.sc.referrals)
    rows = a.loc[in_window(a["start_date"], a["authorised_date"], ctx.period)]
    rows = rows.sort_values(["start_date", "la_child_id"], kind="stable")
    authorised = clip_open(rows["authorised_date"], ctx.period)
    support = rows["referral_id"].isin(
        set(ctx.sc.cin_plans["referral_id"]) | set(ctx.sc.cp_plans["referral_id"])
    )
    out = ctx.common(rows["la_child_id"])
    out[DISABILITY] = ctx.disability(rows["la_child_id"])
    out["Continuous Assessment Start Date"] = rows["start_date"].to_numpy()
    out["Child Seen During Continuous Assessment"] = YES
    out["Continuous Assessment Date of Authorisation"] = authorised.to_numpy()
    out[ASSESSED_SUPPORT] = np.where(authorised.notna(), _yes_no(support), "")
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(
        rows["la_child_id"], rows["start_date"]
    )
    return out


def _section47(ctx: _Context) -> pd.DataFrame:
    s = _with_child(ctx.sc.s47, ctx.sc.referrals).sort_values(["start_date"], kind="stable")
    s = s.reset_index(drop=True)
    prior_s47 = _count_before(s, "la_child_id", "start_date")
    conferences = s.loc[s["icpc_date"].notna(), ["la_child_id", "icpc_date"]]
    keep = s["start_date"].between(ctx.period.start, ctx.period.end).to_numpy()
    rows = s.loc[keep]
    icpc = clip_open(rows["icpc_date"], ctx.period)
    plans = ctx.sc.cp_plans[["la_child_id", "start_date"]].rename(
        columns={"start_date": "icpc_date"}
    )
    led_to_plan = (
        rows.merge(
            plans.drop_duplicates(), on=["la_child_id", "icpc_date"], how="left", indicator=True
        )["_merge"]
        .eq("both")
        .to_numpy()
    )
    merged = rows[["la_child_id", "start_date"]].reset_index().merge(conferences, on="la_child_id")
    gap = (merged["start_date"] - merged["icpc_date"]).dt.days
    icpcs = merged.loc[(gap >= 0) & (gap <= 365)].groupby("index").size()
    out = ctx.common(rows["la_child_id"])
    out[DISABILITY] = ctx.disability(rows["la_child_id"])
    out[S47_START] = rows["start_date"].to_numpy()
    out[ICPC_UNNECESSARY] = _yes_no(rows["icpc_not_required"])
    out["Date of Initial Child Protection Conference"] = icpc.to_numpy()
    out[ICPC_PLAN] = np.where(icpc.notna(), _yes_no(led_to_plan), "")
    out["Number of Section 47 Enquiries in the last 12 months"] = prior_s47[keep]
    out["Number of ICPCs in the last 12 months"] = icpcs.reindex(
        rows.index, fill_value=0
    ).to_numpy()
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(
        rows["la_child_id"], rows["start_date"]
    )
    return out


def _open_on(frame: pd.DataFrame, start: str, end: str, when: pd.Timestamp) -> set[str]:
    live = (frame[start] <= when) & (frame[end].isna() | (frame[end] > when))
    return set(frame.loc[live, "la_child_id"])


def _children_in_need(ctx: _Context) -> pd.DataFrame:
    r = ctx.sc.referrals
    rows = r.loc[in_window(r["referral_date"], r["closure_date"], ctx.period)]
    rows = rows.sort_values(["referral_date", "referral_id"], kind="stable")
    closure = clip_open(rows["closure_date"], ctx.period)
    when = ctx.period.end
    looked_after = _open_on(ctx.sc.episodes, "decom", "dec", when)
    on_plan = _open_on(ctx.sc.cp_plans, "start_date", "end_date", when)
    cin = _with_child(ctx.sc.cin_plans, r)
    on_cin_plan = _open_on(cin, "start_date", "end_date", when)
    a = _with_child(ctx.sc.assessments, r)
    assessing = _open_on(a, "start_date", "authorised_date", when)
    child = rows["la_child_id"]
    status = np.select(
        [
            closure.notna().to_numpy(),
            child.isin(looked_after).to_numpy(),
            child.isin(on_plan).to_numpy(),
            child.isin(on_cin_plan).to_numpy(),
            child.isin(assessing).to_numpy(),
        ],
        [
            "e) Closed episode",
            "a) Looked after child",
            "b) Child Protection plan",
            "c) Child in need plan",
            "d) Open assessment",
        ],
        default="c) Child in need plan",
    )
    out = ctx.common(child)
    out[DISABILITY] = ctx.disability(child)
    out["CIN Start Date"] = rows["referral_date"].to_numpy()
    out["Primary Need Code"] = rows["primary_need"].map(NEED).to_numpy()
    out["CIN Closure Date"] = closure.to_numpy()
    out["Reason for Closure"] = np.where(
        closure.notna(), rows["closure_reason"].map(CLOSURE).fillna(""), ""
    )
    out["Case Status"] = status
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(
        child, closure.fillna(ctx.period.end)
    )
    return out


def _child_protection(ctx: _Context) -> pd.DataFrame:
    p = ctx.sc.cp_plans
    rows = p.loc[in_window(p["start_date"], p["end_date"], ctx.period)]
    rows = rows.sort_values(["start_date", "cp_plan_id"], kind="stable")
    end = clip_open(rows["end_date"], ctx.period)
    reviews = ctx.sc.cp_reviews.loc[ctx.sc.cp_reviews["review_date"] <= ctx.period.end]
    latest_review = reviews.groupby("cp_plan_id")["review_date"].max()
    eps = ctx.sc.episodes
    six_months = ctx.period.end - pd.DateOffset(months=6)
    emergency = eps.loc[
        eps["ls"].isin(["L1", "L2"])
        & in_window(eps["decom"], eps["dec"], Window(six_months, ctx.period.end))
    ]
    out = ctx.common(rows["la_child_id"])
    out[DISABILITY] = ctx.disability(rows["la_child_id"])
    out["Child Protection Plan Start Date"] = rows["start_date"].to_numpy()
    out["Initial Category of Abuse"] = rows["initial_category"].map(ABUSE).to_numpy()
    out["Latest Category of Abuse"] = rows["latest_category"].map(ABUSE).to_numpy()
    out["Date of latest review conference"] = _lookup(rows["cp_plan_id"], latest_review).to_numpy()
    out["Child Protection Plan End Date"] = end.to_numpy()
    out[EPO] = _yes_no(rows["la_child_id"].isin(set(emergency["la_child_id"])))
    out["Number of Previous Child Protection Plans"] = rows["previous_plans"].astype(int).to_numpy()
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(
        rows["la_child_id"], end.fillna(ctx.period.end)
    )
    return out


def _children_in_care(ctx: _Context, config: SynthConfig) -> pd.DataFrame:
    period = ctx.period
    eps = outcomes.periods_of_care(ctx.sc.episodes)
    eps = eps.loc[in_window(eps["decom"], eps["dec"], period)]
    eps = eps.sort_values(["la_child_id", "decom"], kind="stable")
    latest = eps.drop_duplicates("la_child_id", keep="last").reset_index(drop=True)
    child = latest["la_child_id"]
    ceased = clip_open(latest["dec"], period)
    # The legal status's start: the first of the run of episodes with the latest status.
    status_change = eps["ls"].ne(eps.groupby("la_child_id")["ls"].shift())
    status_start = eps["decom"].where(status_change).groupby(eps["la_child_id"]).ffill()
    status_start = status_start.groupby(eps["la_child_id"]).last()
    new_periods = eps.loc[eps["rne"].eq("S") & eps["decom"].between(period.start, period.end)]
    repeat = new_periods.groupby("la_child_id").size().reindex(child, fill_value=0) > 1
    moves = eps.loc[eps["rne"].isin(["S", "P", "B", "T", "U"])].groupby("la_child_id").size()
    reviews = ctx.sc.looked_after_reviews
    reviews = reviews.loc[reviews["review_date"] <= period.end]
    latest_review = reviews.groupby("la_child_id")["review_date"].max()
    m = ctx.sc.missing
    m = m.loc[m["mis_start"].between(period.start, period.end)]
    missing = m.loc[m["missing"].eq("M")].groupby("la_child_id").size()
    away = m.loc[m["missing"].eq("A")].groupby("la_child_id").size()
    uasc = set(ctx.sc.uasc.loc[ctx.sc.uasc["duc"] >= period.start, "la_child_id"])
    placement_start = latest["decom"].where(latest["rne"].isin(["S", "P", "B", "T", "U"]))
    placement_start = placement_start.fillna(
        eps.loc[eps["rne"].isin(["S", "P", "B", "T", "U"])]
        .groupby("la_child_id")["decom"]
        .max()
        .reindex(child)
        .reset_index(drop=True)
    )
    inside = latest["pl_post"].str[:1].eq(latest["home_post"].str[:1]) & latest["pl_post"].ne("")
    out = ctx.common(child)
    out[UASC_12M] = _yes_no(child.isin(uasc))
    out[DISABILITY] = ctx.disability(child)
    out["Date Started to be Looked After"] = latest["period_start"].to_numpy()
    out["Child's Category of Need"] = latest["cin"].map(NEED).to_numpy()
    out[REPEAT_PERIOD] = _yes_no(repeat.to_numpy())
    out["Start date of current legal status"] = status_start.reindex(child).to_numpy()
    out["Child's Legal Status"] = latest["ls"].map(LEGAL_STATUS).fillna(latest["ls"]).to_numpy()
    out["Date of Latest Statutory Review"] = _lookup(child, latest_review).to_numpy()
    out["Number of Placements in the Last 12 months"] = moves.reindex(
        child, fill_value=0
    ).to_numpy()
    out["Date Ceased to be Looked After"] = ceased.to_numpy()
    out["Reason Ceased to be Looked After"] = np.where(
        ceased.notna(), latest["rec"].map(REASON_CEASED).fillna(latest["rec"]), ""
    )
    out["Start Date of Most Recent Placement"] = placement_start.to_numpy()
    out["Placement Type"] = latest["place"].map(PLACEMENT).fillna(latest["place"]).to_numpy()
    out["Placement Provider"] = latest["place_provider"].map(PROVIDER).fillna("").to_numpy()
    out["Placement postcode"] = latest["pl_post"].to_numpy()
    out["URN of Placement"] = latest["urn"].to_numpy()
    out["Placement Location"] = np.where(inside, "a) In", "b) Out")
    out["LA of Placement"] = np.where(inside, config.la_code, "")
    out[MISSING_COUNT] = missing.reindex(child, fill_value=0).to_numpy()
    out[ABSENT_COUNT] = away.reindex(child, fill_value=0).to_numpy()
    out["Allocated Team"], out["Allocated Worker"] = ctx.allocated(child, ceased.fillna(period.end))
    return out


def _care_leavers(ctx: _Context, year: int, rng: np.random.Generator) -> pd.DataFrame:
    leavers = outcomes.care_leavers(ctx.sc.episodes, ctx.details)
    age = age_on(leavers["dob"], ctx.period.end)
    rows = leavers.loc[(age >= 16).fillna(False) & (age <= 21).fillna(False)]
    rows = rows.sort_values("la_child_id", kind="stable").reset_index(drop=True)
    child = rows["la_child_id"]
    answers = pd.DataFrame(outcomes.leaver_outcomes(len(rows), year, rng))
    accom = answers["ACCOM"]
    known = accom.str.len().eq(2).to_numpy()
    team, worker = ctx.allocated(child, rows["left"])
    out = ctx.common(child)
    out[UASC_LEAVER] = _yes_no(child.isin(set(ctx.sc.uasc["la_child_id"])))
    out[DISABILITY] = ctx.disability(child)
    out["Allocated Team"], out["Allocated Worker"] = team, worker
    out["Allocated Personal Advisor"] = worker
    out["Eligibility Category"] = np.where(
        (age_on(rows["dob"], ctx.period.end) >= 18).to_numpy(),
        "b) Former relevant child",
        "a) Relevant child",
    )
    out["LA in Touch"] = answers["IN_TOUCH"].map(IN_TOUCH).fillna("").to_numpy()
    out["Type of Accommodation"] = np.where(known, accom.str[:1].map(ACCOMMODATION), "")
    out["Suitability of Accommodation"] = np.where(
        known, np.where(accom.str[1:].eq("1"), "a) Suitable", "b) Unsuitable"), ""
    )
    out["Activity Status"] = answers["ACTIV"].map(ACTIVITY).fillna("").to_numpy()
    return out


def _adoption(ctx: _Context) -> pd.DataFrame:
    a = ctx.sc.adoptions
    eps = outcomes.periods_of_care(ctx.sc.episodes)
    adopted = eps.loc[eps["rec"].isin(outcomes.ADOPTED)].groupby("la_child_id")["dec"].max()
    order = eps.loc[eps["ls"].eq("E1")].groupby("la_child_id")["decom"].min()
    entered = eps.groupby("la_child_id")["period_start"].max()
    order_date = _lookup(a["la_child_id"], adopted)
    keep = (
        (a["date_int"] <= ctx.period.end)
        & (order_date.isna() | (order_date >= ctx.period.start))
        & (a["date_placed_ceased"].isna() | (a["date_placed_ceased"] >= ctx.period.start))
    )
    rows = a.loc[keep].sort_values(["date_int", "la_child_id"], kind="stable")
    child = rows["la_child_id"]
    common = ctx.common(child)
    out = common.copy()
    out["Family identifier"] = ""
    out[DISABILITY] = ctx.disability(child)
    out["Date the Child Entered Care"] = _lookup(child, entered).to_numpy()
    out["Date of Decision that Child Should be Placed for Adoption"] = rows["date_int"].to_numpy()
    out["Date of Placement Order"] = _lookup(child, order).to_numpy()
    out["Date of Matching Child and Prospective Adopters"] = clip_open(
        rows["date_match"], ctx.period
    ).to_numpy()
    out["Date Placed for Adoption"] = clip_open(rows["date_placed"], ctx.period).to_numpy()
    out["Date of Adoption Order"] = clip_open(_lookup(child, adopted), ctx.period).to_numpy()
    ceased = clip_open(rows["date_placed_ceased"], ctx.period)
    out[NO_LONGER_DATE] = ceased.to_numpy()
    out["Reason Why Child No Longer Placed for Adoption"] = np.where(
        ceased.notna(), rows["reason_placed_ceased"].map(NO_LONGER).fillna(""), ""
    )
    return out
