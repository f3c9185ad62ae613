"""A tiny hand-made council, small enough to work out every return's row counts by hand.

Collection year 2014 runs 1 April 2013 to 31 March 2014.

- C001 (boy, 2005): in care since May 2012 (C2, fostered); placement moved 15 June 2013 and
  is still open. Looked after 12 months at 31 March 2014 and 2015, so in OC2 both years.
- C002 (girl, 2010): came into care 1 Sept 2013,
  fostered, four days in hospital (T1, provider given in the source, must be blanked), fostered
  again, then placed for adoption 10 Feb 2014 and adopted 10 May 2014. Four episodes in 2014
  (the last with blank DEC/REC), one in 2015, AD1 in 2015.
- C003 (boy, 1994): left care at 18 in August 2012; 19 in August 2013 so OC3 in 2014, and 20
  in August 2014 so OC3 in 2015. No episode in either year.
- C004 (girl, 2008): two CIN episodes in 2014: one closing 1 May 2013, one open with an
  assessment, a CIN plan ending when a CP plan starts (1 Nov 2013), a section 47, and the CP
  plan, which ends after 31 March 2014 (reviewed 30 Jan and 1 May 2014).
- C005: a CIN episode closed in 2012, outside 2014.
"""

from __future__ import annotations

import pandas as pd

from turnaround.synth.model import SocialCare, Workforce


def _dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    return frame


def children() -> pd.DataFrame:
    """The population rows behind the five known children (plus one never known)."""
    rows = [
        (1, "M", "2005-06-10", "WBRI", "A33012345678B", False),
        (2, "F", "2010-01-20", "APKN", "", True),
        (3, "M", "1994-08-01", "BCRB", "B33098765432C", False),
        (4, "F", "2008-03-03", "MWBC", "C33011111111D", False),
        (5, "M", "2003-11-11", "WBRI", "D33022222222E", False),
        (6, "F", "2006-01-01", "WBRI", "", False),
    ]
    frame = pd.DataFrame(
        rows, columns=["person_id", "sex", "dob", "ethnicity", "upn", "disability"]
    )
    frame["household_id"] = frame["person_id"]
    for col in (
        "forename",
        "middle_name",
        "surname",
        "name_group",
        "nhs_number",
        "school_urn",
        "gp_practice",
    ):
        frame[col] = ""
    frame["arrived"] = frame["dob"]
    frame["left"] = None
    return _dates(frame, "dob", "arrived", "left")


def social_care() -> SocialCare:
    """The council's records for the five children."""
    known = pd.DataFrame(
        {"person_id": [1, 2, 3, 4, 5], "la_child_id": ["C001", "C002", "C003", "C004", "C005"]}
    )
    contacts = _dates(
        pd.DataFrame(
            [
                ("C004", "2013-01-25", "2A", "referral"),
                ("C004", "2013-10-09", "6", "referral"),
                ("C002", "2013-08-19", "3A", "referral"),
                ("C005", "2013-06-01", "1A", "nfa"),
            ],
            columns=["la_child_id", "contact_date", "source", "outcome"],
        ),
        "contact_date",
    )
    early_help = _dates(
        pd.DataFrame([("C005", "2013-06-05", None)], columns=["la_child_id", "start", "end"]),
        "start",
        "end",
    )
    referrals = _dates(
        pd.DataFrame(
            [
                (1, "C001", "2012-04-20", "6", "N1", False, None, ""),
                (2, "C002", "2013-08-20", "3A", "N1", False, None, ""),
                (3, "C004", "2013-02-01", "2A", "N4", False, "2013-05-01", "RC8"),
                (4, "C004", "2013-10-10", "6", "N1", False, None, ""),
                (5, "C005", "2012-01-01", "1A", "N5", True, "2012-06-01", "RC8"),
            ],
            columns=[
                "referral_id",
                "la_child_id",
                "referral_date",
                "source",
                "primary_need",
                "nfa",
                "closure_date",
                "closure_reason",
            ],
        ),
        "referral_date",
        "closure_date",
    )
    assessments = _dates(
        pd.DataFrame(
            [
                (3, "2013-02-04", "2013-03-20", "5A"),
                (4, "2013-10-11", "2013-11-20", "2B,3A"),
                (2, "2013-08-21", "2013-09-30", "1C"),
            ],
            columns=["referral_id", "start_date", "authorised_date", "factors"],
        ),
        "start_date",
        "authorised_date",
    )
    cin_plans = _dates(
        pd.DataFrame(
            [(4, "2013-10-20", "2013-11-01")], columns=["referral_id", "start_date", "end_date"]
        ),
        "start_date",
        "end_date",
    )
    s47 = _dates(
        pd.DataFrame(
            [(4, "2013-10-15", "2013-11-05", "2013-11-01", False)],
            columns=["referral_id", "start_date", "icpc_target", "icpc_date", "icpc_not_required"],
        ),
        "start_date",
        "icpc_target",
        "icpc_date",
    )
    cp_plans = _dates(
        pd.DataFrame(
            [(10, 4, "C004", "2013-11-01", "2014-06-01", "NEG", "NEG", 0)],
            columns=[
                "cp_plan_id",
                "referral_id",
                "la_child_id",
                "start_date",
                "end_date",
                "initial_category",
                "latest_category",
                "previous_plans",
            ],
        ),
        "start_date",
        "end_date",
    )
    cp_reviews = _dates(
        pd.DataFrame({"cp_plan_id": [10, 10], "review_date": ["2014-01-30", "2014-05-01"]}),
        "review_date",
    )
    episodes = _dates(
        pd.DataFrame(
            [
                (
                    "C001",
                    "2012-05-01",
                    "S",
                    "C2",
                    "N1",
                    "U6",
                    "PR1",
                    "2013-06-15",
                    "X1",
                    "",
                    "B11 1",
                    "B12 2",
                    "SC111111",
                ),
                (
                    "C001",
                    "2013-06-15",
                    "P",
                    "C2",
                    "N1",
                    "U4",
                    "PR4",
                    None,
                    "",
                    "CARPL",
                    "B11 1",
                    "WS1 1",
                    "SC222222",
                ),
                (
                    "C002",
                    "2013-09-01",
                    "S",
                    "V2",
                    "N1",
                    "U6",
                    "PR1",
                    "2013-10-01",
                    "X1",
                    "",
                    "B8 3",
                    "B13 4",
                    "SC333333",
                ),
                (
                    "C002",
                    "2013-10-01",
                    "P",
                    "V2",
                    "N1",
                    "T1",
                    "PR1",
                    "2013-10-05",
                    "X1",
                    "OTHER",
                    "B8 3",
                    "B9 5",
                    "XXXXXXX",
                ),
                (
                    "C002",
                    "2013-10-05",
                    "P",
                    "V2",
                    "N1",
                    "U6",
                    "PR1",
                    "2014-02-10",
                    "X1",
                    "OTHER",
                    "B8 3",
                    "B13 4",
                    "SC333333",
                ),
                (
                    "C002",
                    "2014-02-10",
                    "B",
                    "E1",
                    "N1",
                    "A5",
                    "PR1",
                    "2014-05-10",
                    "E11",
                    "APPRR",
                    "B8 3",
                    "B14 5",
                    "SC444444",
                ),
                (
                    "C003",
                    "2009-01-01",
                    "S",
                    "C2",
                    "N1",
                    "U6",
                    "PR1",
                    "2012-08-01",
                    "E6",
                    "",
                    "B20 1",
                    "B21 2",
                    "SC555555",
                ),
            ],
            columns=[
                "la_child_id",
                "decom",
                "rne",
                "ls",
                "cin",
                "place",
                "place_provider",
                "dec",
                "rec",
                "reason_place_change",
                "home_post",
                "pl_post",
                "urn",
            ],
        ),
        "decom",
        "dec",
    )
    la_reviews = _dates(
        pd.DataFrame(
            [("C001", "2012-11-01", "PN1"), ("C001", "2013-07-01", "PN1")],
            columns=["la_child_id", "review_date", "review_code"],
        ),
        "review_date",
    )
    missing = _dates(
        pd.DataFrame(
            [("C001", "M", "2013-08-01", "2013-08-02")],
            columns=["la_child_id", "missing", "mis_start", "mis_end"],
        ),
        "mis_start",
        "mis_end",
    )
    adoptions = _dates(
        pd.DataFrame(
            [
                (
                    "C002",
                    "2013-12-01",
                    "2014-01-20",
                    "2013-12-01",
                    None,
                    "",
                    True,
                    "2014-05-10",
                    "2",
                    "MF",
                    "L11",
                )
            ],
            columns=[
                "la_child_id",
                "date_int",
                "date_match",
                "date_placed",
                "date_placed_ceased",
                "reason_placed_ceased",
                "foster_care",
                "date_adopted",
                "nb_adoptr",
                "sex_adoptr",
                "ls_adoptr",
            ],
        ),
        "date_int",
        "date_match",
        "date_placed",
        "date_placed_ceased",
        "date_adopted",
    )
    uasc = _dates(pd.DataFrame({"la_child_id": [], "duc": []}, dtype=object), "duc")
    prev_perm = pd.DataFrame(
        [("C002", "Z1", "", "")], columns=["la_child_id", "prev_perm", "la_perm", "date_perm"]
    )
    cases = _dates(
        pd.DataFrame(
            [
                ("C001", "CIC", "2012-05-01", None),
                ("C002", "CIC", "2013-08-20", None),
                ("C004", "CP", "2013-02-01", None),
            ],
            columns=["la_child_id", "team", "start", "end"],
        ),
        "start",
        "end",
    )
    return SocialCare(
        known_children=known,
        contacts=contacts,
        early_help=early_help,
        referrals=referrals,
        assessments=assessments,
        cin_plans=cin_plans,
        s47=s47,
        cp_plans=cp_plans,
        cp_reviews=cp_reviews,
        episodes=episodes,
        looked_after_reviews=la_reviews,
        missing=missing,
        adoptions=adoptions,
        uasc=uasc,
        prev_perm=prev_perm,
        cases=cases,
    )


def workforce() -> Workforce:
    """Just the allocations and social worker episodes the returns read."""
    allocations = _dates(
        pd.DataFrame(
            [
                ("C001", 101, "2012-05-01", None),
                ("C002", 103, "2013-08-20", None),
                ("C004", 102, "2013-02-01", None),
            ],
            columns=["la_child_id", "staff_id", "start", "end"],
        ),
        "start",
        "end",
    )
    sw_episodes = _dates(
        pd.DataFrame(
            [
                ("C001", "SW101", "2012-05-01", "2013-09-01", "MGMTDEC"),
                ("C001", "SW104", "2013-09-01", None, ""),
                ("C002", "SW103", "2013-09-01", None, ""),
            ],
            columns=["la_child_id", "sw_id", "sw_decom", "sw_dec", "sw_reason"],
        ),
        "sw_decom",
        "sw_dec",
    )
    empty = pd.DataFrame()
    return Workforce(
        teams=empty,
        staff=empty,
        vacancies=empty,
        allocations=allocations,
        senior_roles=empty,
        sw_episodes=sw_episodes,
    )
