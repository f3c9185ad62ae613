"""Staff and their contracts: one person per worked spell, their manager, FTE and senior roles."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from turnaround.synth.workforce.days import OPEN, to_dates, to_day
from turnaround.synth.workforce.dynamics import COVERED, UNCOVERED
from turnaround.synth.workforce.structure import (
    BROAD_DIRECTOR_PORTFOLIO,
    CASE_HOLDING_ROLES,
    CHILDREN_ONLY_PORTFOLIO,
    GRADES,
    SOLE_DIRECTOR_FROM,
    Post,
)
from turnaround.synth.workforce.turnover import Spell, occupants, spell_on

LOAD_FACTOR_SIGMA = 0.3


def staff_table(
    posts: list[Post],
    spells: list[Spell],
    teams: pd.DataFrame,
    window_end: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[int, int]]:
    """One row per person (each filled or covered spell), with their manager on their last day."""
    worked = [k for k, s in enumerate(spells) if s.state != UNCOVERED]
    worked.sort(key=lambda k: (spells[k].start, spells[k].post))
    spell_staff = {k: row for row, k in enumerate(worked)}
    ids = [f"E{100001 + row}" for row in range(len(worked))]
    by_post = occupants(spells, len(posts))
    team_ids = teams["team_id"].tolist()

    records = []
    for row, k in enumerate(worked):
        spell = spells[k]
        post = posts[spell.post]
        last_day = window_end if spell.end == OPEN else spell.end
        manager = ""
        parent = post.parent
        while parent >= 0:
            found = spell_on(spells, by_post[parent], last_day)
            if found >= 0 and spells[found].state != UNCOVERED and found != k:
                manager = ids[spell_staff[found]]
                break
            parent = posts[parent].parent
        records.append(
            (
                ids[row],
                post.role,
                GRADES[post.role],
                team_ids[post.team] if post.team >= 0 else "",
                manager,
                spell.fte,
                spell.state == COVERED,
                spell.start,
                spell.end,
                post.role in CASE_HOLDING_ROLES,
                spell.post,
                post.team,
                spell.restructured,
            )
        )
    staff = pd.DataFrame(
        records,
        columns=[
            "staff_id",
            "role",
            "grade",
            "team_id",
            "manager_id",
            "fte",
            "agency",
            "start_day",
            "end_day",
            "holds_cases",
            "post",
            "team_index",
            "restructured",
        ],
    )
    # Successor: the next person in the same post if they start on the day this one leaves.
    successor = np.full(len(staff), -1, dtype=np.int64)
    for indices in by_post:
        for a, b in itertools.pairwise(indices):
            if spells[a].state != UNCOVERED and spells[b].state != UNCOVERED:
                successor[spell_staff[a]] = spell_staff[b]
    staff["successor"] = successor
    staff["load"] = rng.lognormal(-(LOAD_FACTOR_SIGMA**2) / 2, LOAD_FACTOR_SIGMA, len(staff))
    staff["start"] = to_dates(staff["start_day"].to_numpy())
    staff["leave"] = to_dates(staff["end_day"].to_numpy())
    return staff, spell_staff


STAFF_COLUMNS = [
    "staff_id",
    "role",
    "grade",
    "team_id",
    "manager_id",
    "fte",
    "agency",
    "start",
    "leave",
    "holds_cases",
]


def senior_roles_table(
    posts: list[Post], spells: list[Spell], spell_staff: dict[int, int], staff: pd.DataFrame
) -> pd.DataFrame:
    """Director, assistant directors and heads of service, each with the services they carry."""
    sole_from = to_day(SOLE_DIRECTOR_FROM)
    rows = []
    for k, spell in enumerate(spells):
        post = posts[spell.post]
        if spell.state == UNCOVERED or post.role not in (
            "director",
            "assistant_director",
            "head_of_service",
        ):
            continue
        portfolio: tuple[str, ...]
        if post.role == "director":
            sole = spell.start >= sole_from
            portfolio = CHILDREN_ONLY_PORTFOLIO if sole else BROAD_DIRECTOR_PORTFOLIO
        else:
            portfolio = post.services
        row = spell_staff[k]
        rows.append((staff.at[row, "staff_id"], post.role, "; ".join(portfolio)))
    table = pd.DataFrame(rows, columns=["staff_id", "role", "portfolio"])
    return table.sort_values("staff_id", kind="stable").reset_index(drop=True)
