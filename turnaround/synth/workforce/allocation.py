"""Caseload allocation: walk the window day by day, in event order, giving cases to workers.

    workers start -> cases close -> workers leave (their cases move on) -> cases are allocated
    -> managers move cases between workers

A new case goes to a case-holding worker of its team type, chosen with probability in proportion
to the worker's capacity (FTE, role and a personal load factor, which gives the long right tail of
caseloads). When a worker leaves, the successor in the same post usually takes the cases over;
otherwise they go to colleagues in the same team. Some cases wait before anyone is allocated, as
Ofsted found in 2014.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.synth.config import SynthConfig
from turnaround.synth.workforce.days import OPEN, YEAR_DAYS, to_day, to_days
from turnaround.synth.workforce.demand import read_cases
from turnaround.synth.workforce.episodes import SW_REASONS, allocation_tables
from turnaround.synth.workforce.structure import TEAMS

SENIOR_PRACTITIONER_WEIGHT = 0.6

# Share of allocations where the manager compares two workers and picks the less loaded.
BALANCED_SHARE = 0.5

# Share of new cases left waiting for allocation, and the mean wait in days.
WAIT_SHARE = {
    "front_door": 0.05,
    "assessment": 0.08,
    "cin_cp": 0.02,
    "looked_after": 0.01,
    "care_leavers": 0.03,
    "disabled_children": 0.02,
}
WAIT_MEAN_DAYS = {
    "front_door": 20.0,
    "assessment": 30.0,
    "cin_cp": 12.0,
    "looked_after": 5.0,
    "care_leavers": 15.0,
    "disabled_children": 15.0,
}
# Managers move open cases between workers at this rate per case-year, for these reasons.
MOVE_RATE = {
    "front_door": 0.0,
    "assessment": 0.02,
    "cin_cp": 0.12,
    "looked_after": 0.2,
    "care_leavers": 0.15,
    "disabled_children": 0.12,
}
MOVE_REASONS = ("MANAGE", "ABSENC", "CHCHAN", "PCCHAN", "ORGRST", "OTHERS")
MOVE_REASON_WEIGHTS = (0.55, 0.15, 0.08, 0.07, 0.08, 0.07)
SUCCESSOR_TAKES_CASE = 0.75


@dataclass(frozen=True)
class AllocationRules:
    """How cases reach workers: waits, managers' moves, hand-overs and balancing."""

    wait_share: tuple[float, ...] = tuple(WAIT_SHARE[t] for t in TEAMS)
    wait_mean_days: tuple[float, ...] = tuple(WAIT_MEAN_DAYS[t] for t in TEAMS)
    move_rate: tuple[float, ...] = tuple(MOVE_RATE[t] for t in TEAMS)
    successor_takes_case: float = SUCCESSOR_TAKES_CASE
    balanced_share: float = BALANCED_SHARE


# Every case goes to a worker the day it opens and stays there unless the worker leaves.
PLAIN_RULES = AllocationRules(
    wait_share=(0.0,) * len(TEAMS),
    move_rate=(0.0,) * len(TEAMS),
    successor_takes_case=1.0,
)


def allocate_cases(
    cases: pd.DataFrame,
    staff: pd.DataFrame,
    teams: pd.DataFrame,
    config: SynthConfig,
    rng: np.random.Generator,
    rules: AllocationRules = PLAIN_RULES,
) -> pd.DataFrame:
    """Allocate ``cases`` to a given roster (``staff`` and ``teams`` in the workforce layout).

    A worker who starts in the same team and role on the day another leaves is treated as that
    worker's successor. Every worker carries the same load factor, so with ``PLAIN_RULES`` the
    result can be worked out by hand.
    """
    window_start = to_day(config.window_start)
    window_end = to_day(config.window_end)
    case_type, case_start, case_end, kept = read_cases(cases, window_start, window_end)
    team_index = {team_id: i for i, team_id in enumerate(teams["team_id"])}
    type_index = {name: i for i, name in enumerate(TEAMS)}
    team_type = [type_index[t] for t in teams["team"]]
    roster = staff.reset_index(drop=True).copy()
    roster["start_day"] = to_days(roster["start"])
    roster["end_day"] = to_days(roster["leave"])
    roster["team_index"] = roster["team_id"].map(team_index).fillna(-1).astype(np.int64)
    roster["load"] = 1.0
    roster["restructured"] = False
    after = roster.reset_index().merge(
        roster.reset_index()[["index", "team_id", "role", "start_day"]],
        left_on=["team_id", "role", "end_day"],
        right_on=["team_id", "role", "start_day"],
        suffixes=("", "_next"),
    )
    after = after.drop_duplicates("index")
    roster["successor"] = -1
    roster.loc[after["index"].to_numpy(), "successor"] = after["index_next"].to_numpy()
    holders = roster[roster["holds_cases"].astype(bool).to_numpy()]
    rows = allocate(case_type, case_start, case_end, holders, team_type, window_end, rng, rules)
    child_ids = cases["la_child_id"].to_numpy(dtype=object)[kept]
    allocations, _ = allocation_tables(
        rows, child_ids, case_type, case_start, roster["staff_id"].to_numpy(dtype=object)
    )
    return allocations


# End reasons of an allocation row, besides the move reasons (indices into SW_REASONS).
_CLOSED = -1
_STILL_OPEN = -2
_LEFT = SW_REASONS.index("LEFTRL")
_CONTRACT_ENDED = SW_REASONS.index("FCONTA")
_RESTRUCTURE = SW_REASONS.index("ORGRST")

# Event kinds, in the order they happen within a day.
_WORKER_STARTS, _CASE_CLOSES, _WORKER_LEAVES = 0, 1, 2
_CASE_ALLOCATED, _CASE_MOVED, _SAME_DAY_CLOSE = 3, 4, 5


class _Pool:
    """Workers who can take cases, drawn in proportion to their capacity."""

    def __init__(self) -> None:
        self.members: list[int] = []
        self.weights: list[float] = []
        self._cumulative: list[float] | None = None

    def add(self, worker: int, weight: float) -> None:
        self.members.append(worker)
        self.weights.append(weight)
        self._cumulative = None

    def remove(self, worker: int) -> None:
        i = self.members.index(worker)
        del self.members[i]
        del self.weights[i]
        self._cumulative = None

    def draw(self, u: float) -> int:
        if self._cumulative is None:
            self._cumulative = list(itertools.accumulate(self.weights))
        cumulative = self._cumulative
        i = bisect.bisect_right(cumulative, u * cumulative[-1])
        return self.members[min(i, len(self.members) - 1)]


def allocate(
    case_type: np.ndarray,
    case_start: np.ndarray,
    case_end: np.ndarray,
    holders: pd.DataFrame,
    team_type: list[int],
    window_end: int,
    rng: np.random.Generator,
    rules: AllocationRules,
) -> dict[str, np.ndarray]:
    """Walk the window in event order, allocating every case to a worker or leaving it waiting.

    Returns allocation rows as arrays: case, worker (row in ``holders``' parent staff table, -1 when
    unallocated), start, end (OPEN if still open) and end reason.
    """
    n_cases = len(case_type)

    # Waits before allocation, and management moves, drawn up front for every case.
    wait_share = np.array(rules.wait_share)[case_type]
    wait_mean = np.array(rules.wait_mean_days)[case_type]
    waits = np.where(
        rng.random(n_cases) < wait_share,
        np.ceil(rng.exponential(1.0, n_cases) * wait_mean).astype(np.int64),
        0,
    )
    allocated_on = case_start + waits
    allocatable = (allocated_on < case_end) | ((waits == 0) & (allocated_on == case_end))
    last_day = np.where(case_end == OPEN, window_end, case_end)
    span_years = np.maximum(last_day - allocated_on, 0) / YEAR_DAYS
    move_rate = np.array(rules.move_rate)[case_type]
    n_moves = np.where(allocatable, rng.poisson(move_rate * span_years), 0)
    move_case = np.repeat(np.arange(n_cases), n_moves)
    move_day = allocated_on[move_case] + np.floor(
        rng.random(len(move_case)) * (last_day[move_case] - allocated_on[move_case])
    ).astype(np.int64)
    move_reason = rng.choice(
        [SW_REASONS.index(r) for r in MOVE_REASONS], size=len(move_case), p=MOVE_REASON_WEIGHTS
    )

    w_index = holders.index.to_numpy()
    w_start = holders["start_day"].to_numpy()
    w_end = holders["end_day"].to_numpy()
    w_team = holders["team_index"].to_numpy()
    w_type = np.array([team_type[t] for t in w_team], dtype=np.int64)
    senior = holders["role"].to_numpy() == "senior_practitioner"
    role_weight = np.where(senior, SENIOR_PRACTITIONER_WEIGHT, 1.0)
    w_weight = holders["fte"].to_numpy() * role_weight * holders["load"].to_numpy()
    w_agency = holders["agency"].to_numpy()
    w_restructured = holders["restructured"].to_numpy()
    position = {int(staff_row): i for i, staff_row in enumerate(w_index)}
    w_successor = np.array(
        [position.get(int(s), -1) for s in holders["successor"].to_numpy()], dtype=np.int64
    )
    n_workers = len(w_index)

    # Events as (day * 8 + kind, index), sorted.
    leaves = w_end != OPEN
    closes = case_end != OPEN
    same_day = allocatable & (allocated_on == case_end)
    keys = np.concatenate(
        [
            w_start * 8 + _WORKER_STARTS,
            case_end[closes] * 8 + np.where(same_day[closes], _SAME_DAY_CLOSE, _CASE_CLOSES),
            w_end[leaves] * 8 + _WORKER_LEAVES,
            allocated_on[allocatable] * 8 + _CASE_ALLOCATED,
            move_day * 8 + _CASE_MOVED,
        ]
    )
    items = np.concatenate(
        [
            np.arange(n_workers),
            np.flatnonzero(closes),
            np.flatnonzero(leaves),
            np.flatnonzero(allocatable),
            np.arange(len(move_case)),
        ]
    )
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    items = items[order]

    leavers_on: dict[int, list[int]] = {}
    for leaver in np.flatnonzero(leaves).tolist():
        leavers_on.setdefault(int(w_end[leaver]), []).append(leaver)

    draw = random.Random(int(rng.integers(2**63))).random
    team_pool = [_Pool() for _ in team_type]
    type_pool = [_Pool() for _ in TEAMS]
    holding: list[set[int]] = [set() for _ in range(n_workers)]
    active = np.zeros(n_workers, dtype=bool)
    worker_of = [-1] * n_cases
    since = case_start.tolist()
    case_team = [-1] * n_cases
    closed = [False] * n_cases
    ever = [False] * n_cases
    waiting: list[list[int]] = [[] for _ in TEAMS]
    c_type = case_type.tolist()
    removed_day = -1

    out_case: list[int] = []
    out_worker: list[int] = []
    out_start: list[int] = []
    out_end: list[int] = []
    out_reason: list[int] = []

    def emit(c: int, w: int, start: int, end: int, reason: int) -> None:
        out_case.append(c)
        out_worker.append(w)
        out_start.append(start)
        out_end.append(end)
        out_reason.append(reason)

    def give(c: int, w: int, day: int) -> None:
        if worker_of[c] < 0 and since[c] < day:
            emit(c, -1, since[c], day, _CLOSED)
        worker_of[c] = w
        since[c] = day
        ever[c] = True
        case_team[c] = int(w_team[w])
        holding[w].add(c)

    def choose(pool: _Pool) -> int:
        first = pool.draw(draw())
        if draw() >= rules.balanced_share:
            return first
        second = pool.draw(draw())
        if len(holding[second]) / w_weight[second] < len(holding[first]) / w_weight[first]:
            return second
        return first

    def place(c: int, day: int, prefer_team: int) -> None:
        if prefer_team >= 0 and team_pool[prefer_team].members:
            give(c, choose(team_pool[prefer_team]), day)
        elif type_pool[c_type[c]].members:
            give(c, choose(type_pool[c_type[c]]), day)
        else:
            waiting[c_type[c]].append(c)

    for key, item in zip(keys.tolist(), items.tolist(), strict=True):
        day, kind = divmod(key, 8)
        if kind == _WORKER_STARTS:
            w = item
            active[w] = True
            team_pool[w_team[w]].add(w, float(w_weight[w]))
            type_pool[w_type[w]].add(w, float(w_weight[w]))
            queue = waiting[w_type[w]]
            if queue:
                waiting[w_type[w]] = []
                for c in queue:
                    if not closed[c] and worker_of[c] < 0:
                        place(c, day, case_team[c])
        elif kind in (_CASE_CLOSES, _SAME_DAY_CLOSE):
            c = item
            w = worker_of[c]
            if w >= 0:
                holding[w].discard(c)
                emit(c, w, since[c], day, _CLOSED)
            elif since[c] < day or not ever[c]:
                emit(c, -1, since[c], day, _CLOSED)
            closed[c] = True
        elif kind == _WORKER_LEAVES:
            if removed_day != day:
                # Everyone leaving today goes before any case is handed over.
                for gone in leavers_on[day]:
                    active[gone] = False
                    team_pool[w_team[gone]].remove(gone)
                    type_pool[w_type[gone]].remove(gone)
                removed_day = day
            w = item
            if w_restructured[w]:
                reason = _RESTRUCTURE
            else:
                reason = _CONTRACT_ENDED if w_agency[w] else _LEFT
            successor = int(w_successor[w])
            for c in sorted(holding[w]):
                emit(c, w, since[c], day, reason)
                worker_of[c] = -1
                since[c] = day
                if successor >= 0 and active[successor] and draw() < rules.successor_takes_case:
                    give(c, successor, day)
                else:
                    place(c, day, case_team[c])
            holding[w].clear()
        elif kind == _CASE_ALLOCATED:
            c = item
            if not closed[c] and worker_of[c] < 0:
                place(c, day, -1)
        else:  # _CASE_MOVED
            c = int(move_case[item])
            w = worker_of[c]
            if closed[c] or w < 0 or since[c] == day:
                continue
            pool = team_pool[case_team[c]]
            if len(pool.members) < 2:
                continue
            for _ in range(5):
                other = pool.draw(draw())
                if other != w:
                    break
            else:
                continue
            emit(c, w, since[c], day, int(move_reason[item]))
            holding[w].discard(c)
            worker_of[c] = -1
            since[c] = day
            give(c, other, day)

    for c in range(n_cases):
        if not closed[c]:
            emit(c, worker_of[c], since[c], OPEN, _STILL_OPEN)

    worker_rows = np.asarray(out_worker, dtype=np.int64)
    return {
        "case": np.asarray(out_case, dtype=np.int64),
        "worker": np.where(worker_rows >= 0, w_index[np.maximum(worker_rows, 0)], -1)
        if n_workers
        else worker_rows,
        "start": np.asarray(out_start, dtype=np.int64),
        "end": np.asarray(out_end, dtype=np.int64),
        "reason": np.asarray(out_reason, dtype=np.int64),
    }
