"""DfE validation rules for the Children in Need census that bear on meaning.

Codes and messages are the DfE's. Child tables join to their CIN episode on
(``child_id``, ``episode``). Each run turns those into integers once (``_child_code``,
``_episode_key``, kept in the tables' memo), so every join or membership test is an integer
lookup rather than a string or MultiIndex one, and every check is a vectorised mask, lookup or
sorted scan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import take

from turnaround.returns.rules.registry import WHOLE_RETURN, Hits, Tables, as_index, isin, rule
from turnaround.returns.rules.ssda903 import collection_period, upn_is_valid
from turnaround.returns.schema import schema_for

EPISODE_KEY = ["child_id", "episode"]
_EPISODES_PER_CHILD = np.int64(1) << np.int64(20)


def _child_code(tables: Tables, table: str) -> np.ndarray:
    """Each row's child as an integer, the same child getting the same number in every table."""
    memo = tables.memo
    if "cin_children" not in memo:
        ids = [pa.array(tables[t]["child_id"], type=pa.string(), from_pandas=True) for t in tables]
        memo["cin_children"] = pc.unique(pa.chunked_array(ids, type=pa.string()))
    key = f"cin_child_code:{table}"
    if key not in memo:
        ids = pa.array(tables[table]["child_id"], type=pa.string(), from_pandas=True)
        codes = pc.fill_null(pc.index_in(ids, value_set=memo["cin_children"]), -1)
        memo[key] = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)
    code: np.ndarray = memo[key]
    return code


def _episode_key(tables: Tables, table: str) -> np.ndarray:
    """Each row's (child, episode) as one integer, for joins and membership tests."""
    key = f"cin_episode_key:{table}"
    if key not in tables.memo:
        episode = tables[table]["episode"].to_numpy(dtype=np.int64, na_value=0)
        tables.memo[key] = _child_code(tables, table) * _EPISODES_PER_CHILD + episode
    found: np.ndarray = tables.memo[key]
    return found


def _lookup(keys: np.ndarray, into: np.ndarray) -> np.ndarray:
    """Positions in ``into`` of each of ``keys`` (the first, if repeated), -1 where absent."""
    index = pd.Index(into)
    if index.is_unique:
        return np.asarray(index.get_indexer(keys), dtype=np.int64)
    first = ~index.duplicated()
    found = pd.Index(into[first]).get_indexer(keys)
    return np.where(found >= 0, np.flatnonzero(first)[found], -1)


def _with_episode(tables: Tables, table: str, columns: list[str]) -> pd.DataFrame:
    """A child table with its CIN episode's ``columns`` alongside as ``episode_<column>``."""
    episodes = tables["episodes"]
    at = _lookup(_episode_key(tables, table), _episode_key(tables, "episodes"))
    return tables[table].assign(
        **{f"episode_{c}": take(episodes[c].to_numpy(), at, allow_fill=True) for c in columns}
    )


def _child_values(tables: Tables, table: str, column: str) -> np.ndarray:
    """The child's ``column`` from the children table, for each row of ``table``."""
    at = _lookup(_child_code(tables, table), _child_code(tables, "children"))
    return np.asarray(take(tables["children"][column].to_numpy(), at, allow_fill=True))


def _not_nfa(episodes: pd.DataFrame) -> pd.Series:
    return ~episodes["referral_nfa"].fillna(False).astype(bool)


def _nfa(episodes: pd.DataFrame) -> pd.Series:
    return episodes["referral_nfa"].fillna(False).astype(bool)


NEVER = pd.Timestamp("1900-01-01")
"""The end given to a row that cannot overlap anything, such as a closed no-further-action."""


def _open_until(end: pd.Series, still_open: pd.Series, year: int) -> pd.Series:
    """Ends, with rows that are still open running to the end of the census year.

    The DfE's overlap rules read an open episode, plan or enquiry as lasting until the
    census's ReferenceDate (31 March), not for ever: a later start past that date is an
    error of its own (a date outside the census year), not an overlap.
    """
    census_end = collection_period(year)[1]
    return end.where(~still_open.to_numpy(dtype=bool), census_end).fillna(NEVER)


def _starts_inside_earlier(
    frame: pd.DataFrame, group: np.ndarray, start: str, end: pd.Series, inclusive: bool = False
) -> pd.Index:
    """Rows starting before (or, if ``inclusive``, on) the latest end of an earlier row.

    ``group`` holds an integer per row (the child, or the child's episode); rows are compared
    only within a group. One sort by (group, start) and a running maximum of ends that
    restarts at each group, so a long earlier interval is still seen by every interval it
    covers.
    """
    dated = frame[start].notna().to_numpy()
    starts = frame[start].to_numpy(dtype="datetime64[D]")[dated].astype(np.int64)
    ends = end.to_numpy(dtype="datetime64[D]")[dated].astype(np.int64)
    groups = pd.factorize(group[dated])[0].astype(np.int64)
    order = np.lexsort((starts, groups))  # stable: equal starts keep file order
    starts, ends, groups = starts[order], ends[order], groups[order]
    span = np.int64(1) << np.int64(40)
    running = np.maximum.accumulate(ends + groups * span)
    earlier = np.r_[np.iinfo(np.int64).min, running[:-1]] - groups * span
    same = np.r_[False, groups[1:] == groups[:-1]]
    inside = (starts <= earlier) if inclusive else (starts < earlier)
    return frame.index[np.flatnonzero(dated)[order][same & inside]]


# --- Children ------------------------------------------------------------------------------


@rule(
    code="1510",
    kind="cin",
    fields=("upn",),
    tables=("children",),
    message="UPN invalid (wrong check letter at character 1)",
)
def upn_check_letter(tables: Tables, year: int, previous: Tables | None) -> Hits:
    children = tables["children"]
    upn = children["upn"].astype("string")
    shaped = upn.str.len().eq(13) & upn.str.slice(1, 12).str.isdigit()
    return {"children": as_index(shaped & ~upn_is_valid(upn), children)}


@rule(
    code="1520",
    kind="cin",
    fields=("upn",),
    tables=("children",),
    message="More than one record with the same UPN.",
)
def upn_repeated(tables: Tables, year: int, previous: Tables | None) -> Hits:
    children = tables["children"]
    upn = children["upn"]
    return {"children": as_index(upn.notna() & upn.duplicated(keep=False), children)}


@rule(
    code="8520",
    kind="cin",
    fields=("dob",),
    tables=("children",),
    message="Date of Birth is after data collection period (must be on or before the end of "
    "the census period)",
)
def born_after_census(tables: Tables, year: int, previous: Tables | None) -> Hits:
    children = tables["children"]
    return {"children": as_index(children["dob"] > collection_period(year)[1], children)}


@rule(
    code="8535Q",
    kind="cin",
    fields=("death_date", "dob"),
    tables=("children",),
    severity="query",
    message="Please check and either amend data or provide a reason: Child’s date of death "
    "should not be prior to the date of birth",
)
def died_before_born(tables: Tables, year: int, previous: Tables | None) -> Hits:
    children = tables["children"]
    return {"children": as_index(children["death_date"] < children["dob"], children)}


@rule(
    code="8590",
    kind="cin",
    fields=("child_id",),
    tables=("children", "episodes"),
    message="Child does not have a recorded CIN episode.",
)
def child_without_episode(tables: Tables, year: int, previous: Tables | None) -> Hits:
    children = tables["children"]
    return {
        "children": as_index(~isin(children["child_id"], tables["episodes"]["child_id"]), children)
    }


@rule(
    code="8606",
    kind="cin",
    fields=("referral_date", "children.dob", "children.expected_dob"),
    tables=("children", "episodes"),
    message="Child referral date is more than 40 weeks before DOB or expected DOB",
)
def referral_long_before_birth(tables: Tables, year: int, previous: Tables | None) -> Hits:
    episodes = tables["episodes"]
    weeks_40 = np.timedelta64(280, "D")
    referral = episodes["referral_date"].to_numpy()
    dob = _child_values(tables, "episodes", "dob")
    expected = _child_values(tables, "episodes", "expected_dob")
    early = (referral < dob - weeks_40) | (referral < expected - weeks_40)
    return {"episodes": episodes.index[early]}


# --- CIN episodes ----------------------------------------------------------------------------


@rule(
    code="8630",
    kind="cin",
    fields=("referral_date", "closure_date"),
    tables=("episodes",),
    message="CIN Closure Date is before CIN Referral Date for the same CIN episode",
)
def closed_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index(e["closure_date"] < e["referral_date"], e)}


@rule(
    code="8805",
    kind="cin",
    fields=("closure_date", "closure_reason"),
    tables=("episodes",),
    message="A CIN case cannot have a CIN closure date without a Reason for Closure",
)
def closed_without_reason(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index(e["closure_date"].notna() & e["closure_reason"].isna(), e)}


@rule(
    code="8810",
    kind="cin",
    fields=("closure_reason", "closure_date"),
    tables=("episodes",),
    message="A CIN case cannot have a Reason for Closure without a CIN Closure Date",
)
def reason_without_closure(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"episodes": as_index(e["closure_reason"].notna() & e["closure_date"].isna(), e)}


@rule(
    code="8815",
    kind="cin",
    fields=("referral_nfa", "closure_date"),
    tables=("episodes",),
    message="More than one open CIN Details episode (a module with no CIN Closure Date) has "
    "been provided for this child and case is not a referral with no further "
    "action.",
)
def several_open_episodes(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    open_ = e["closure_date"].isna()
    counted = e["child_id"][(open_ & _not_nfa(e)).to_numpy()]
    several = counted[counted.duplicated(keep=False)]
    return {"episodes": as_index(open_ & isin(e["child_id"], several), e)}


@rule(
    code="8816",
    kind="cin",
    fields=("referral_date", "referral_nfa"),
    tables=("episodes",),
    message="An open CIN episode is shown and case is not a referral with no further action, "
    "but it is not the latest episode.",
)
def open_episode_not_latest(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    dated = e[e["referral_date"].notna().to_numpy()]
    latest = dated.sort_values(["child_id", "referral_date"], kind="stable")
    latest_rows = latest.index[~latest["child_id"].duplicated(keep="last").to_numpy()]
    open_ = dated["closure_date"].isna() & _not_nfa(dated)
    return {"episodes": as_index(open_ & ~dated.index.isin(latest_rows), dated)}


@rule(
    code="8820",
    kind="cin",
    fields=("referral_date", "closure_date"),
    tables=("episodes",),
    message="The dates on the CIN episodes for this child overlap",
)
def episodes_overlap(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    end = _open_until(e["closure_date"], e["closure_date"].isna() & _not_nfa(e), year)
    return {
        "episodes": _starts_inside_earlier(e, _child_code(tables, "episodes"), "referral_date", end)
    }


# --- Activity against the episode ------------------------------------------------------------


def _rows_in_episodes(tables: Tables, table: str, which: pd.Series) -> pd.Index:
    """The rows of ``table`` that belong to the episodes where ``which`` is true."""
    keys = _episode_key(tables, "episodes")[which.to_numpy(dtype=bool, na_value=False)]
    return tables[table].index[np.isin(_episode_key(tables, table), keys)]


@rule(
    code="2990",
    kind="cin",
    fields=(
        "episodes.closure_reason",
        "s47.start_date",
        "cp_plans.start_date",
        "cin_plans.start_date",
    ),
    tables=("episodes", "s47", "cp_plans", "cin_plans"),
    message="Activity is recorded against a case marked as ‘Case closed after assessment, no "
    "further action’ or 'case closed after assessment, referred to early help'.",
)
def activity_after_closed_at_assessment(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    closed = isin(e["closure_reason"], ["RC8", "RC9"])
    hits = {t: _rows_in_episodes(tables, t, closed) for t in ("s47", "cp_plans", "cin_plans")}
    keys = _episode_key(tables, "episodes")
    active = closed.to_numpy() & e["icpc_date"].notna().to_numpy()
    for t in hits:
        active |= closed.to_numpy() & np.isin(keys, _episode_key(tables, t))
    return {"episodes": e.index[active], **hits}


@rule(
    code="4000",
    kind="cin",
    fields=("start_date", "episodes.referral_nfa"),
    tables=("episodes", "cin_plans"),
    message="CIN Plan details provided for a referral with no further action",
)
def cin_plan_for_nfa(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"cin_plans": _rows_in_episodes(tables, "cin_plans", _nfa(e))}


@rule(
    code="8831",
    kind="cin",
    fields=(
        "assessments.start_date",
        "assessments.authorised_date",
        "s47.start_date",
        "s47.icpc_date",
        "episodes.icpc_date",
        "episodes.referral_nfa",
    ),
    tables=("episodes", "assessments", "s47"),
    message="Activity is recorded against a case marked as a referral with no further action",
)
def activity_for_nfa(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    nfa = e[_nfa(e).to_numpy()]
    a = tables["assessments"]
    s = tables["s47"]
    a_rows = _rows_in_episodes(tables, "assessments", _nfa(e))
    s_rows = _rows_in_episodes(tables, "s47", _nfa(e))
    a_active = a.loc[a_rows, ["start_date", "authorised_date"]].notna().any(axis=1)
    s_active = s.loc[s_rows, ["start_date", "icpc_date"]].notna().any(axis=1)
    return {
        "assessments": a_rows[a_active.to_numpy()],
        "s47": s_rows[s_active.to_numpy()],
        "episodes": as_index(nfa["icpc_date"].notna(), nfa),
    }


@rule(
    code="8832",
    kind="cin",
    fields=("start_date", "episodes.referral_nfa"),
    tables=("episodes", "cp_plans"),
    message="Child Protection details provided for a referral with no further action.",
)
def cp_plan_for_nfa(tables: Tables, year: int, previous: Tables | None) -> Hits:
    e = tables["episodes"]
    return {"cp_plans": _rows_in_episodes(tables, "cp_plans", _nfa(e))}


# --- Dates against the referral -----------------------------------------------------------------


def _before_referral(tables: Tables, table: str, column: str) -> Hits:
    frame = _with_episode(tables, table, ["referral_date"])
    return {table: as_index(frame[column] < frame["episode_referral_date"], frame)}


@rule(
    code="1103",
    kind="cin",
    fields=("start_date", "episodes.referral_date"),
    tables=("episodes", "assessments"),
    message="The assessment start date cannot be before the referral date",
)
def assessment_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return _before_referral(tables, "assessments", "start_date")


@rule(
    code="1104",
    kind="cin",
    fields=("icpc_date", "episodes.referral_date"),
    tables=("episodes", "s47"),
    message="The date of the initial child protection conference cannot be before the "
    "referral date",
)
def icpc_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return _before_referral(tables, "s47", "icpc_date")


@rule(
    code="1105",
    kind="cin",
    fields=("start_date", "episodes.referral_date"),
    tables=("episodes", "cp_plans"),
    message="The child protection plan start date cannot be before the referral date",
)
def cp_plan_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return _before_referral(tables, "cp_plans", "start_date")


@rule(
    code="2889",
    kind="cin",
    fields=("start_date", "episodes.referral_date"),
    tables=("episodes", "s47"),
    message="The S47 start date cannot be before the referral date.",
)
def s47_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return _before_referral(tables, "s47", "start_date")


@rule(
    code="4015",
    kind="cin",
    fields=("start_date", "episodes.referral_date"),
    tables=("episodes", "cin_plans"),
    message="The CIN Plan start date cannot be before the referral date",
)
def cin_plan_before_referral(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return _before_referral(tables, "cin_plans", "start_date")


# --- Assessments -------------------------------------------------------------------------------


@rule(
    code="8608",
    kind="cin",
    fields=("start_date", "authorised_date"),
    tables=("assessments",),
    message="Assessment Start Date cannot be later than its End Date",
)
def assessment_authorised_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    a = tables["assessments"]
    return {"assessments": as_index(a["start_date"] > a["authorised_date"], a)}


@rule(
    code="8896",
    kind="cin",
    fields=("authorised_date",),
    tables=("assessments",),
    message="Within one CINDetails group there are 2 or more open Assessments groups",
)
def several_open_assessments(tables: Tables, year: int, previous: Tables | None) -> Hits:
    a = tables["assessments"]
    open_ = a[a["authorised_date"].isna().to_numpy()]
    return {"assessments": open_.index[open_.duplicated(EPISODE_KEY, keep=False).to_numpy()]}


@rule(
    code="8867",
    kind="cin",
    fields=("authorised_date", "episodes.closure_date"),
    tables=("episodes", "assessments"),
    message="CIN episode is shown as closed, however Assessment is not shown as completed",
)
def closed_with_open_assessment(tables: Tables, year: int, previous: Tables | None) -> Hits:
    a = _with_episode(tables, "assessments", ["closure_date"])
    return {
        "assessments": as_index(a["episode_closure_date"].notna() & a["authorised_date"].isna(), a)
    }


# --- Section 47 enquiries and conferences ---------------------------------------------------------


@rule(
    code="8868",
    kind="cin",
    fields=("icpc_not_required", "icpc_date", "episodes.closure_date"),
    tables=("episodes", "s47"),
    message="CIN episode is shown as closed, however Section 47 enquiry is not shown as "
    "completed by ICPC date or ICPC not required flag",
)
def closed_with_open_s47(tables: Tables, year: int, previous: Tables | None) -> Hits:
    s = _with_episode(tables, "s47", ["closure_date"])
    not_required = s["icpc_not_required"].fillna(False).astype(bool)
    unfinished = s["icpc_date"].isna() & ~not_required
    contradictory = s["icpc_date"].notna() & not_required
    return {"s47": as_index(s["episode_closure_date"].notna() & (unfinished | contradictory), s)}


@rule(
    code="8875",
    kind="cin",
    fields=("icpc_date",),
    tables=("s47",),
    message="The Date of Initial Child Protection Conference cannot be a weekend",
)
def icpc_on_weekend(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # The DfE rule belongs to the Section 47 module; the CIN-details copy is not checked.
    s = tables["s47"]
    return {"s47": as_index(s["icpc_date"].dt.day_of_week >= 5, s)}


@rule(
    code="8890",
    kind="cin",
    fields=("start_date",),
    tables=("s47",),
    message="A Section 47 enquiry is shown as starting when there is another Section 47 "
    "Enquiry ongoing",
)
def s47_during_another(tables: Tables, year: int, previous: Tables | None) -> Hits:
    s = tables["s47"]
    key = _episode_key(tables, "s47")
    unique = (
        ~pd.DataFrame(
            {"key": key, "start": s["start_date"].to_numpy(), "icpc": s["icpc_date"].to_numpy()}
        )
        .duplicated()
        .to_numpy()
    )
    s = s[unique]
    # Without a conference date an enquiry is ongoing, unless no conference was needed.
    not_required = s["icpc_not_required"].fillna(False).astype(bool)
    end = _open_until(s["icpc_date"], s["icpc_date"].isna() & ~not_required, year)
    return {"s47": _starts_inside_earlier(s, key[unique], "start_date", end, inclusive=True)}


@rule(
    code="2885",
    kind="cin",
    fields=("start_date", "episodes.icpc_date"),
    tables=("episodes", "s47", "cp_plans"),
    message="Child protection plan shown as starting a different day to the initial child "
    "protection conference.",
)
def cp_plan_without_icpc(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # A plan starting in the census year must start on the day of a conference: one of its
    # episode's Section 47 conferences or, when the episode has no Section 47 that held or
    # awaits one, the conference recorded on the CIN episode itself.
    start, end = collection_period(year)
    plans = tables["cp_plans"]
    in_year = ((plans["start_date"] >= start) & (plans["start_date"] <= end)).to_numpy(dtype=bool)
    s = tables["s47"]
    no_conference = s["icpc_not_required"].fillna(False).astype(bool) & s["icpc_date"].isna()
    conference = ~no_conference.to_numpy()

    def on_day(table: str, rows: np.ndarray) -> pd.MultiIndex:
        dates = tables[table]["icpc_date" if table != "cp_plans" else "start_date"]
        return pd.MultiIndex.from_arrays(
            [_episode_key(tables, table)[rows], dates.to_numpy()[rows]]
        )

    keys = _episode_key(tables, "cp_plans")[in_year]
    starts = on_day("cp_plans", in_year)
    with_s47 = np.isin(keys, _episode_key(tables, "s47")[conference])
    matched = np.where(
        with_s47,
        starts.isin(on_day("s47", conference)),
        starts.isin(on_day("episodes", np.ones(len(tables["episodes"]), dtype=bool))),
    )
    return {"cp_plans": plans.index[in_year][~matched]}


# --- Plans ----------------------------------------------------------------------------------------


@rule(
    code="4001",
    kind="cin",
    fields=("end_date",),
    tables=("cin_plans", "cp_plans"),
    message="A CIN Plan cannot run concurrently with a Child Protection Plan",
)
def cin_plan_with_cp_plan(tables: Tables, year: int, previous: Tables | None) -> Hits:
    cp = tables["cp_plans"]
    cin = tables["cin_plans"]
    open_cp = cp["end_date"].isna().to_numpy()
    open_cin = (cin["start_date"].notna() & cin["end_date"].isna()).to_numpy()
    cp_keys = _episode_key(tables, "cp_plans")
    cin_keys = _episode_key(tables, "cin_plans")
    return {
        "cp_plans": cp.index[open_cp & np.isin(cp_keys, cin_keys[open_cin])],
        "cin_plans": cin.index[open_cin & np.isin(cin_keys, cp_keys[open_cp])],
    }


@rule(
    code="4011",
    kind="cin",
    fields=("end_date", "start_date"),
    tables=("cin_plans",),
    message="CIN Plan End Date earlier than Start Date",
)
def cin_plan_ends_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cin_plans"]
    return {"cin_plans": as_index(p["end_date"] < p["start_date"], p)}


@rule(
    code="4014",
    kind="cin",
    fields=("start_date", "end_date"),
    tables=("cin_plans",),
    message="CIN Plan data contains overlapping dates",
)
def cin_plans_overlap(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cin_plans"]
    end = _open_until(p["end_date"], p["end_date"].isna(), year)
    group = _child_code(tables, "cin_plans")
    return {"cin_plans": _starts_inside_earlier(p, group, "start_date", end, inclusive=True)}


@rule(
    code="8840",
    kind="cin",
    fields=("start_date", "end_date"),
    tables=("cp_plans",),
    message="Child Protection Plan cannot start and end on the same day",
)
def cp_plan_one_day(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cp_plans"]
    return {"cp_plans": as_index(p["start_date"] == p["end_date"], p)}


@rule(
    code="8841",
    kind="cin",
    fields=("review_date",),
    tables=("cp_plans", "cp_reviews"),
    message="The review date cannot be on the same day or before the Child protection Plan "
    "start date.",
)
def review_before_cp_plan(tables: Tables, year: int, previous: Tables | None) -> Hits:
    reviews = tables["cp_reviews"]
    key = [*EPISODE_KEY, "cp_plan"]
    plans = tables["cp_plans"][[*key, "start_date"]].drop_duplicates(key)
    joined = reviews[key].merge(plans, on=key, how="left")
    early = reviews["review_date"].to_numpy() <= joined["start_date"].to_numpy()
    return {"cp_reviews": reviews.index[early]}


@rule(
    code="8915",
    kind="cin",
    fields=("start_date", "children.death_date"),
    tables=("children", "cp_plans"),
    message="Child Protection Plan shown as starting after the child’s Date of Death",
)
def cp_plan_after_death(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cp_plans"]
    died = _child_values(tables, "cp_plans", "death_date")
    return {"cp_plans": p.index[p["start_date"].to_numpy() > died]}


@rule(
    code="8925",
    kind="cin",
    fields=("start_date", "end_date"),
    tables=("cp_plans",),
    message="Child Protection Plan End Date earlier than Start Date",
)
def cp_plan_ends_before_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cp_plans"]
    return {"cp_plans": as_index(p["end_date"] < p["start_date"], p)}


@rule(
    code="8935",
    kind="cin",
    fields=("end_date",),
    tables=("cp_plans",),
    message="This child is showing more than one open Child Protection plan, i.e. with no End Date",
)
def several_open_cp_plans(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cp_plans"]
    open_ = p[p["end_date"].isna().to_numpy()]
    return {"cp_plans": open_.index[open_["child_id"].duplicated(keep=False).to_numpy()]}


@rule(
    code="8940",
    kind="cin",
    fields=("start_date", "end_date"),
    tables=("cp_plans",),
    message="Child Protection Plan data contains overlapping dates",
)
def cp_plans_overlap(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables["cp_plans"]
    end = _open_until(p["end_date"], p["end_date"].isna(), year)
    group = _child_code(tables, "cp_plans")
    return {"cp_plans": _starts_inside_earlier(p, group, "start_date", end, inclusive=True)}


# --- Pre-proceedings and family group decision-making (2026-27) --------------------------------
# Module 5, <PreProceedingsandFGDM> (schema/data/cin/2027.yaml). What each rule checks is the
# DfE's 2026-27 rule as Data to Insight's csc-validator-be-cin states it in
# cin_validator/rules/cin2026_27/rule_<code>.py; the code and messages here are ours, naming the
# DfE's elements. Where their code reads the rule differently from the DfE text quoted in its
# comments, we follow the DfE text (docs/validation-rules.md lists each difference). "Within the
# census year" is 1 April to 31 March inclusive.

_PP = "pre_proceedings"
_PP_YEARS = (2027, None)


def _outside_year(dates: pd.Series, year: int) -> pd.Series:
    """Dates given and falling outside the census year (blank dates never count)."""
    start, end = collection_period(year)
    return dates.notna() & ((dates < start) | (dates > end))


def _dated_outside_or_before(p: pd.DataFrame, column: str, earlier: str, year: int) -> pd.Index:
    """Blocks whose ``column`` is outside the census year, or before the block's ``earlier``."""
    before = p[column].notna() & p[earlier].notna() & (p[column] < p[earlier])
    return as_index(_outside_year(p[column], year) | before, p)


@rule(
    code="8995Q",
    kind="cin",
    fields=(),
    tables=(_PP,),
    years=_PP_YEARS,
    severity="query",
    message="No child has a pre-proceedings and FGDM block (module 5): check whether any "
    "should, or give the reason none is returned",
)
def no_pre_proceedings(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return {_PP: WHOLE_RETURN} if tables[_PP].empty else {}


@rule(
    code="9000Q",
    kind="cin",
    fields=("start_date",),
    tables=(_PP,),
    years=_PP_YEARS,
    severity="query",
    message="PPStartDate (the decision to begin pre-proceedings) is blank: if it is not yet "
    "collected, leave it blank and give the reason",
)
def pre_proceedings_without_start(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # D2I tests the whole return at once (and counts every row, blank or not); the DfE text,
    # "(N00826) has not been provided", is about one block, so each blank block is queried.
    p = tables[_PP]
    return {_PP: as_index(p["start_date"].isna(), p)}


@rule(
    code="9005",
    kind="cin",
    fields=("start_date",),
    tables=(_PP,),
    years=_PP_YEARS,
    message="PPStartDate (the decision to begin pre-proceedings) must fall within the census year",
)
def pre_proceedings_start_outside_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables[_PP]
    return {_PP: as_index(_outside_year(p["start_date"], year), p)}


@rule(
    code="9006",
    kind="cin",
    fields=("lbp_sent_date", "start_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    message="LBPSentDate (letter before proceedings sent) must fall within the census year and "
    "not before PPStartDate",
)
def letter_before_proceedings_date(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # D2I checks the year only when PPStartDate is also given; the DfE text asks it always.
    return {_PP: _dated_outside_or_before(tables[_PP], "lbp_sent_date", "start_date", year)}


@rule(
    code="9007",
    kind="cin",
    fields=("fgdm_offered", "lbp_sent_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    message="LBPSentDate shows a letter before proceedings was sent, but FGDMMeetingOffer does "
    "not say whether it offered a family group decision-making meeting",
)
def letter_without_fgdm_offer(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # The DfE text: if N00827 (LBPSentDate) is present, N00828 (FGDMMeetingOffer) should be.
    # D2I's code tests the reverse (an offer without a letter).
    p = tables[_PP]
    return {_PP: as_index(p["lbp_sent_date"].notna() & p["fgdm_offered"].isna(), p)}


@rule(
    code="9008",
    kind="cin",
    fields=("initial_meeting_date",),
    tables=(_PP,),
    years=_PP_YEARS,
    message="InitialPPMeetingDate (the first effective pre-proceedings meeting) must fall "
    "within the census year",
)
def initial_meeting_outside_year(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables[_PP]
    return {_PP: as_index(_outside_year(p["initial_meeting_date"], year), p)}


@rule(
    code="9009",
    kind="cin",
    fields=("step_decision_date", "start_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    message="StepDecisionDate (the decision to step up or down) must fall within the census "
    "year and not before PPStartDate",
)
def step_decision_date(tables: Tables, year: int, previous: Tables | None) -> Hits:
    return {_PP: _dated_outside_or_before(tables[_PP], "step_decision_date", "start_date", year)}


@rule(
    code="9010Q",
    kind="cin",
    fields=("fgdm_facilitated", "fgdm_offered"),
    tables=(_PP,),
    years=_PP_YEARS,
    severity="query",
    message="FGDMMeetingOffer says a family group decision-making meeting was offered, but "
    "FGDMMeetingFac does not say whether one was then held",
)
def fgdm_offer_without_answer(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables[_PP]
    offered = p["fgdm_offered"].fillna(False).astype(bool)
    return {_PP: as_index(offered & p["fgdm_facilitated"].isna(), p)}


@rule(
    code="9011",
    kind="cin",
    fields=("outcome",),
    tables=(_PP,),
    years=_PP_YEARS,
    message="PPOutcome (the outcome of pre-proceedings) is not one of the census codes",
)
def pre_proceedings_outcome_code(tables: Tables, year: int, previous: Tables | None) -> Hits:
    # Codeset CS131, kept as data (code list pp_outcome). A blank outcome is allowed: the DfE
    # text checks the code only "if present" (D2I also flags blanks).
    p = tables[_PP]
    codes = schema_for("cin", year).codes.get("pp_outcome", frozenset())
    outcome = p["outcome"].astype("string").str.strip().str.upper()
    return {_PP: as_index(outcome.notna() & ~isin(outcome, sorted(codes)), p)}


@rule(
    code="9012",
    kind="cin",
    fields=("court_application_date", "step_decision_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    message="CourtAppDate (court application for care proceedings) must fall within the census "
    "year and not before StepDecisionDate",
)
def court_application_date(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables[_PP]
    return {_PP: _dated_outside_or_before(p, "court_application_date", "step_decision_date", year)}


@rule(
    code="9013",
    kind="cin",
    fields=("letter_initiating_date", "court_application_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    message="LetterInitCPDate (letter to parents initiating care proceedings) must fall within "
    "the census year and not before CourtAppDate",
)
def letter_initiating_date(tables: Tables, year: int, previous: Tables | None) -> Hits:
    p = tables[_PP]
    return {
        _PP: _dated_outside_or_before(p, "letter_initiating_date", "court_application_date", year)
    }


@rule(
    code="9015Q",
    kind="cin",
    fields=("review_meetings", "initial_meeting_date"),
    tables=(_PP,),
    years=_PP_YEARS,
    severity="query",
    message="InitialPPMeetingDate is given but ReviewMeetingsCount is blank: give the number of "
    "review meetings held after the initial meeting",
)
def initial_meeting_without_review_count(
    tables: Tables, year: int, previous: Tables | None
) -> Hits:
    p = tables[_PP]
    return {_PP: as_index(p["initial_meeting_date"].notna() & p["review_meetings"].isna(), p)}
