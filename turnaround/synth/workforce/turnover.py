"""Post histories: who held each post when, drawn backwards from the window's last day.

The chain of states (``dynamics``) is reversible, so each post's history is drawn *backwards*
from the last 31 March of the window. The states on that day are set by quota, so the published
vacancy and agency figures hold exactly at the snapshot, whatever the city's size. Every filled or
covered spell is one member of staff. The vacancy table reads the histories at each 31 March.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.synth.workforce.days import OPEN, to_dates
from turnaround.synth.workforce.dynamics import COVERED, FILLED, UNCOVERED, PostDynamics
from turnaround.synth.workforce.structure import CASE_HOLDING_ROLES, Post

PART_TIME_SHARE = 0.1
PART_TIME_FTES = (0.5, 0.6, 0.8, 0.8, 0.9)


@dataclass
class Spell:
    """A stretch of time one post spends in one state; filled or covered, it is one person."""

    post: int
    state: int
    start: int
    end: int  # OPEN if the spell runs past the window's end
    fte: float
    restructured: bool  # the spell ended because the post was deleted


def _draw_fte(rng: np.random.Generator, role: str) -> float:
    if role in CASE_HOLDING_ROLES and rng.random() < PART_TIME_SHARE:
        return float(rng.choice(PART_TIME_FTES))
    return 1.0


def _final_states(
    ftes: np.ndarray, dynamics: PostDynamics, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """States and FTEs of posts on the last day, set so vacant and agency FTE match the targets.

    ``ftes`` are what each post's permanent holder would work. One locum may work part-time so
    that agency cover comes close to its target even in a small authority.
    """
    n = len(ftes)
    states = np.full(n, FILLED, dtype=np.int64)
    worked = ftes.astype(float).copy()
    if n == 0:
        return states, worked
    order = rng.permutation(n)
    gap = 1 - ftes[order]
    # Vacant FTE if the first k posts (in random order) are empty and the rest filled.
    part_time_gap = np.concatenate([np.cumsum(gap[::-1])[::-1], [0.0]])
    vacant_fte = np.arange(n + 1) + part_time_gap
    k = int(np.argmin(np.abs(vacant_fte - dynamics.vacancy * n)))
    cover = min(float(k), dynamics.agency_cover * float(vacant_fte[k]))
    full = math.floor(cover)
    remainder = cover - full
    part = full < k and remainder >= 0.25
    covered = full + int(part)
    states[order[:covered]] = COVERED
    states[order[covered:k]] = UNCOVERED
    worked[order[:covered]] = 1.0
    if part:
        worked[order[full]] = min(PART_TIME_FTES, key=lambda f: abs(f - remainder))
    return states, worked


def post_histories(
    posts: list[Post],
    window_start: int,
    window_end: int,
    rng: np.random.Generator,
) -> list[Spell]:
    """Each post's spells, drawn backwards from its last day until before the window opens."""

    # Snapshot states by quota, within each kind of post that is alive on the last day.
    end_state = np.zeros(len(posts), dtype=np.int64)
    end_fte = np.ones(len(posts))
    groups: dict[PostDynamics, list[int]] = {}
    for i, post in enumerate(posts):
        end_fte[i] = _draw_fte(rng, post.role)
        if post.end == window_end:
            groups.setdefault(post.dynamics, []).append(i)
        else:
            end_state[i] = rng.choice(3, p=post.dynamics.stationary())
    for dynamics, members in groups.items():
        idx = np.array(members)
        end_state[idx], end_fte[idx] = _final_states(end_fte[idx], dynamics, rng)

    spells: list[Spell] = []
    for i, post in enumerate(posts):
        q = post.dynamics.rates()
        pi = post.dynamics.stationary()
        leave_rate = q.sum(axis=1)
        # Reversed chain: the state before, given the state now (detailed balance holds).
        before = np.zeros((3, 3))
        for s in range(3):
            if pi[s] > 0:
                before[s] = pi * q[:, s] / pi[s]
                before[s, s] = q[s, s]
                before[s] /= before[s].sum()
        state = int(end_state[i])
        finish = post.end
        open_ended = post.end == window_end
        restructured = post.end < window_end
        while True:
            length = max(1, math.ceil(rng.exponential(1 / leave_rate[state])))
            begin = finish - length
            clipped = begin <= post.start
            if clipped:
                begin = post.start
            fte = float(end_fte[i]) if open_ended and state != UNCOVERED else 1.0
            if state == FILLED and not open_ended:
                fte = _draw_fte(rng, post.role)
            spells.append(Spell(i, state, begin, OPEN if open_ended else finish, fte, restructured))
            if clipped or begin < window_start:
                break
            finish = begin
            open_ended = restructured = False
            state = int(rng.choice(3, p=before[state]))
    spells.sort(key=lambda s: (s.post, s.start))
    return spells


def occupants(spells: list[Spell], n_posts: int) -> list[list[int]]:
    """The indices of each post's spells, in order."""

    by_post: list[list[int]] = [[] for _ in range(n_posts)]
    for k, spell in enumerate(spells):
        by_post[spell.post].append(k)
    return by_post


def spell_on(spells: list[Spell], indices: list[int], day: int) -> int:
    """The spell of a post that covers ``day`` (the later one on a handover day), or -1."""
    found = -1
    for k in indices:
        s = spells[k]
        if s.start <= day and (s.end == OPEN or s.end >= day):
            found = k
    return found


def vacancy_table(
    posts: list[Post], spells: list[Spell], teams: pd.DataFrame, snapshots: Sequence[int]
) -> pd.DataFrame:
    """Establishment, permanent, vacant and agency FTE per team and role at each 31 March."""
    by_post = occupants(spells, len(posts))
    team_ids = teams["team_id"].tolist()
    totals: dict[tuple[int, str, int], list[float]] = {}
    for i, post in enumerate(posts):
        if post.team < 0:
            continue
        for day in snapshots:
            if not post.start <= day <= post.end:
                continue
            cell = totals.setdefault((post.team, post.role, day), [0.0, 0.0, 0.0])
            cell[0] += 1.0
            k = spell_on(spells, by_post[i], day)
            if k >= 0 and spells[k].state == FILLED:
                cell[1] += spells[k].fte
            elif k >= 0 and spells[k].state == COVERED:
                cell[2] += spells[k].fte
    rows = [
        (team_ids[team], role, est, filled, est - filled, agency, day)
        for (team, role, day), (est, filled, agency) in sorted(totals.items())
    ]
    table = pd.DataFrame(
        rows,
        columns=[
            "team_id",
            "role",
            "establishment_fte",
            "filled_fte",
            "vacant_fte",
            "agency_cover_fte",
            "at_day",
        ],
    )
    for column in ("establishment_fte", "filled_fte", "vacant_fte", "agency_cover_fte"):
        table[column] = table[column].round(2)
    table["at"] = to_dates(table["at_day"].to_numpy())
    return table.drop(columns="at_day")
