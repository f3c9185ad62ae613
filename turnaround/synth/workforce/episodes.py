"""The allocations table, and the SSDA903 social worker episodes read from it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth.workforce.days import OPEN, to_dates, to_day
from turnaround.synth.workforce.structure import TEAMS

# SSDA903 SWEpisodes SW_REASON codes (DfE code list, as checked by the 903 validator).
SW_REASONS = (
    "MANAGE",  # management decision
    "FCONTA",  # worker's fixed-term or agency contract ended
    "LEFTRL",  # worker left the role
    "ORGRST",  # organisational restructure
    "TSPROC",  # transfer between teams as part of the usual process
    "ABSENC",  # worker's absence
    "CHCHAN",  # the child asked for a change
    "PCCHAN",  # the parent or carer asked for a change
    "SWDIED",  # the worker died
    "OTHERS",
)
# Blank SW_REASON is tolerated on a child's first episode only before the 2023-24 collection.
SW_REASON_REQUIRED_FROM = date(2023, 4, 1)


def allocation_tables(
    rows: dict[str, np.ndarray],
    child_ids: np.ndarray,
    case_type: np.ndarray,
    case_start: np.ndarray,
    staff_ids: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The allocations table, and SSDA903 social worker episodes from looked-after allocations."""
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["case", "start", "end"], kind="stable").reset_index(drop=True)
    worker = frame["worker"].to_numpy()
    staff_id = np.where(worker >= 0, staff_ids[np.maximum(worker, 0)] if len(staff_ids) else "", "")
    allocations = pd.DataFrame(
        {
            "la_child_id": child_ids[frame["case"].to_numpy()] if len(frame) else [],
            "staff_id": staff_id.astype(str),
            "start": to_dates(frame["start"].to_numpy()),
            "end": to_dates(frame["end"].to_numpy()),
        }
    )
    allocations["la_child_id"] = allocations["la_child_id"].astype(str)

    # Why each row began: the end reason of the case's previous row, carried across a gap.
    case = frame["case"].to_numpy()
    reason = frame["reason"].to_numpy()
    began = np.full(len(frame), -3, dtype=np.int64)  # -3: the case's first row
    carried = -3
    for i in range(len(frame)):
        if i > 0 and case[i] == case[i - 1]:
            previous = reason[i - 1]
            if worker[i - 1] >= 0 or previous >= 0:
                carried = previous if previous >= 0 else SW_REASONS.index("OTHERS")
            began[i] = carried
        else:
            carried = -3

    looked_after = np.isin(
        case_type[case], [TEAMS.index("looked_after"), TEAMS.index("care_leavers")]
    )
    keep = looked_after & (worker >= 0)
    episodes = pd.DataFrame(
        {
            "la_child_id": allocations["la_child_id"].to_numpy()[keep],
            "sw_id": allocations["staff_id"].to_numpy()[keep],
            "start_day": frame["start"].to_numpy()[keep],
            "end_day": frame["end"].to_numpy()[keep],
            "began": began[keep],
            "first_row": began[keep] == -3,
            "case_start": case_start[case[keep]],
        }
    )
    episodes = episodes.sort_values(["la_child_id", "start_day", "end_day"], kind="stable")
    episodes = episodes.reset_index(drop=True)
    same_child = episodes["la_child_id"].eq(episodes["la_child_id"].shift(-1)).to_numpy()
    next_start = episodes["start_day"].shift(-1).fillna(OPEN).astype(np.int64).to_numpy()
    end = episodes["end_day"].to_numpy()
    end = np.where(same_child & (next_start < end), next_start, end)
    episodes["end_day"] = end
    episodes = episodes[episodes["end_day"] > episodes["start_day"]].reset_index(drop=True)

    # A child's first episode: a transfer if they had an earlier case of any kind, else blank.
    first_case_start = (
        pd.Series(case_start).groupby(pd.Series(child_ids)).min() if len(child_ids) else pd.Series()
    )
    earlier = (
        episodes["la_child_id"].map(first_case_start).to_numpy() < episodes["case_start"].to_numpy()
        if len(episodes)
        else np.zeros(0, dtype=bool)
    )
    required_from = to_day(SW_REASON_REQUIRED_FROM)
    codes = np.array(SW_REASONS, dtype=object)
    began = episodes["began"].to_numpy()
    blank_first = np.where(episodes["start_day"].to_numpy() >= required_from, "OTHERS", "")
    sw_reason = np.where(
        began >= 0,
        codes[np.maximum(began, 0)],
        np.where(earlier | ~episodes["first_row"].to_numpy(), "TSPROC", blank_first),
    )
    sw_episodes = pd.DataFrame(
        {
            "la_child_id": episodes["la_child_id"].astype(str),
            "sw_id": episodes["sw_id"].astype(str),
            "sw_decom": to_dates(episodes["start_day"].to_numpy()),
            "sw_dec": to_dates(episodes["end_day"].to_numpy()),
            "sw_reason": pd.Series(sw_reason, dtype=object).astype(str),
        }
    )
    return allocations, sw_episodes
