"""Demand: the social work cases in the window, and the case-holding posts the budget funds.

The establishment is deliberately too small for the demand, so caseloads run high.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from turnaround.errors import InputError
from turnaround.synth.config import SynthConfig
from turnaround.synth.workforce.days import OPEN, to_days
from turnaround.synth.workforce.structure import TEAMS

# Case load relative to the average, by team type: front door and disabled children's workers
# carry fewer cases, safeguarding and leaving care workers more.
RELATIVE_CASELOAD = {
    "front_door": 0.8,
    "assessment": 1.1,
    "cin_cp": 1.15,
    "looked_after": 0.9,
    "care_leavers": 1.2,
    "disabled_children": 0.8,
}

# Expected share of open cases unallocated on a snapshot day, allowed for in the budget sum.
UNALLOCATED_ALLOWANCE = 0.02


def read_cases(
    cases: pd.DataFrame, window_start: int, window_end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Team-type index, start and end days of each case in the window, and which rows were kept."""
    missing = {"la_child_id", "team", "start", "end"} - set(cases.columns)
    if missing:
        raise InputError(f"cases table lacks columns {sorted(missing)}", path="cases")
    team = cases["team"].astype(str).to_numpy()
    unknown = sorted(set(team) - set(TEAMS))
    if unknown:
        raise InputError(f"unknown team types {unknown}; expected one of {TEAMS}", field="team")
    start = to_days(cases["start"])
    end = to_days(cases["end"])
    if (start == OPEN).any():
        raise InputError("a case has no start date", field="start")
    if ((end != OPEN) & (end < start)).any():
        raise InputError("a case ends before it starts", field="end")
    kept = (start <= window_end) & (end >= window_start)
    end = np.where(end > window_end, OPEN, end)
    type_index = {name: i for i, name in enumerate(TEAMS)}
    case_type = np.array([type_index[t] for t in team], dtype=np.int64)
    start = np.maximum(start, window_start)
    return case_type[kept], start[kept], end[kept], np.flatnonzero(kept)


def _open_on(case_type: np.ndarray, start: np.ndarray, end: np.ndarray, day: int) -> np.ndarray:
    """Open cases of each team type on ``day`` (a case closing that day no longer counts)."""
    is_open = (start <= day) & (end > day)
    return np.bincount(case_type[is_open], minlength=len(TEAMS)).astype(float)


def establishment_by_year(
    case_type: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    snapshots: Sequence[int],
    config: SynthConfig,
) -> np.ndarray:
    """Case-holding posts the budget funds, per team type (columns) at each 31 March (rows).

    The budget sum: posts = allocated demand / (target caseload x the share of posts that
    someone actually works in, permanent or agency). Types with no cases at all get no posts.
    """
    targets = config.targets
    staffed_share = 1 - targets.vacancy_rate * (1 - targets.agency_cover_of_vacancies)
    relative = np.array([RELATIVE_CASELOAD[t] for t in TEAMS])
    present = np.bincount(case_type, minlength=len(TEAMS)) > 0
    table = np.zeros((len(snapshots), len(TEAMS)), dtype=np.int64)
    for row, day in enumerate(snapshots):
        demand = _open_on(case_type, start, end, day) * (1 - UNALLOCATED_ALLOWANCE)
        if demand.sum() == 0:
            table[row] = present.astype(np.int64)
            continue
        # Scale the relative caseloads so that the overall average is the target.
        weighted = demand / relative
        scale = demand.sum() / weighted.sum()
        quota = weighted * scale / (targets.average_caseload * staffed_share)
        total = max(round(float(quota.sum())), int(present.sum()))
        table[row] = _largest_remainder(quota, total, minimum=present.astype(np.int64))
    return table


def _largest_remainder(quota: np.ndarray, total: int, minimum: np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to ``quota`` summing to ``total``, each at least ``minimum``."""
    counts = np.maximum(np.floor(quota).astype(np.int64), minimum)
    short = total - int(counts.sum())
    if short > 0:
        order = np.argsort(-(quota - np.floor(quota)), kind="stable")
        for i in itertools.islice(itertools.cycle(order), short):
            counts[i] += 1
    while short < 0:
        spare = np.flatnonzero(counts > minimum)
        if len(spare) == 0:
            break
        i = spare[np.argmax(counts[spare] - quota[spare])]
        counts[i] -= 1
        short += 1
    return counts
