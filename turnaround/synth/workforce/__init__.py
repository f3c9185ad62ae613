"""The workforce of the synthetic city: teams, posts, staff, vacancies and who holds which case.

The model works from posts, not people. The council's budget sets an establishment of posts
for each team at every 31 March. The establishment is deliberately too small for the demand, so
caseloads run high. Each post then moves between three states:

    filled      a permanent worker holds it
    covered     it is vacant, and an agency worker fills it
    uncovered   it is vacant, and nobody fills it

Each state lasts an exponentially distributed time. Permanent workers leave at the turnover rate;
vacancies are filled slowly enough that the long-run vacancy rate is the target; agency workers
come and go much faster. This chain is reversible, so the history is drawn *backwards* from the
last 31 March of the window. The states on that day are set by quota, so the published vacancy
and agency figures hold exactly at the snapshot, whatever the city's size. Every filled or covered
spell is one member of staff.

Cases are then allocated by walking through the window day by day, in event order:

    workers start -> cases close -> workers leave (their cases move on) -> cases are allocated
    -> managers move cases between workers

A new case goes to a case-holding worker of its team type, chosen with probability in proportion
to the worker's capacity (FTE, role and a personal load factor, which gives the long right tail of
caseloads). When a worker leaves, the successor in the same post usually takes the cases over;
otherwise they go to colleagues in the same team. Some cases wait before anyone is allocated, as
Ofsted found in 2014.

The package, one module per idea:

    structure    team types, services, roles and grades; teams and every post
    demand       the cases in the window, and the posts the budget funds for them
    dynamics     how a kind of post moves between filled, covered and uncovered
    turnover     each post's history, drawn backwards; vacancies at each 31 March
    staff        one person per worked spell, with their manager; senior roles
    allocation   who holds which case, walked day by day in event order
    episodes     the allocations table and SSDA903 social worker episodes
    export       the five CSVs a council's HR and case systems would export
    days         day numbers, with a sentinel for "still open"

Conventions
-----------
- Intervals share their boundary day, as SSDA903 episodes do: a worker who leaves on day ``d``
  hands cases over on ``d``, so one allocation ends on ``d`` and the next starts on ``d``.
  A member of staff's ``leave`` is their leaving date; ``NaT`` means still in post at the end.
- **Unallocated spells are explicit rows in ``allocations`` with ``staff_id == ""``.** Every case
  has at least one row.
- Allocation history starts at the window's start: a case opened earlier shows only from then.
- ``sw_episodes.sw_id`` is the worker's ``staff_id``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Workforce
from turnaround.synth.workforce.allocation import (
    BALANCED_SHARE,
    MOVE_RATE,
    MOVE_REASON_WEIGHTS,
    MOVE_REASONS,
    PLAIN_RULES,
    SENIOR_PRACTITIONER_WEIGHT,
    SUCCESSOR_TAKES_CASE,
    WAIT_MEAN_DAYS,
    WAIT_SHARE,
    AllocationRules,
    allocate,
    allocate_cases,
)
from turnaround.synth.workforce.days import (
    ALWAYS,
    OPEN,
    YEAR_DAYS,
    to_day,
)
from turnaround.synth.workforce.demand import (
    RELATIVE_CASELOAD,
    UNALLOCATED_ALLOWANCE,
    establishment_by_year,
    read_cases,
)
from turnaround.synth.workforce.dynamics import (
    COVERED,
    DIRECTOR_DYNAMICS,
    FILLED,
    SENIOR_DYNAMICS,
    TEAM_MANAGER_DYNAMICS,
    UNCOVERED,
    PostDynamics,
    case_holding_dynamics,
)
from turnaround.synth.workforce.episodes import (
    SW_REASON_REQUIRED_FROM,
    SW_REASONS,
    allocation_tables,
)
from turnaround.synth.workforce.export import (
    CSV_COLUMNS,
    write_workforce,
)
from turnaround.synth.workforce.staff import (
    LOAD_FACTOR_SIGMA,
    STAFF_COLUMNS,
    senior_roles_table,
    staff_table,
)
from turnaround.synth.workforce.structure import (
    AREA_TEAMS,
    AREAS,
    BROAD_DIRECTOR_PORTFOLIO,
    CASE_HOLDERS_PER_TEAM,
    CASE_HOLDING_ROLES,
    CHILDREN_ONLY_PORTFOLIO,
    GRADES,
    ROLE_TITLES,
    ROLES,
    SERVICE_OF_TEAM,
    SERVICES,
    SOLE_DIRECTOR_FROM,
    TEAM_LABELS,
    TEAMS,
    TEAMS_PER_HEAD_OF_SERVICE,
    TEAMS_PER_SERVICE_MANAGER,
    build_posts,
    build_teams,
)
from turnaround.synth.workforce.turnover import (
    PART_TIME_FTES,
    PART_TIME_SHARE,
    post_histories,
    vacancy_table,
)

__all__ = [
    "ALWAYS",
    "AREAS",
    "AREA_TEAMS",
    "BALANCED_SHARE",
    "BROAD_DIRECTOR_PORTFOLIO",
    "CASE_HOLDERS_PER_TEAM",
    "CASE_HOLDING_ROLES",
    "CHILDREN_ONLY_PORTFOLIO",
    "COVERED",
    "CSV_COLUMNS",
    "DIRECTOR_DYNAMICS",
    "FILLED",
    "GRADES",
    "LOAD_FACTOR_SIGMA",
    "MOVE_RATE",
    "MOVE_REASONS",
    "MOVE_REASON_WEIGHTS",
    "OPEN",
    "PART_TIME_FTES",
    "PART_TIME_SHARE",
    "PLAIN_RULES",
    "RELATIVE_CASELOAD",
    "ROLES",
    "ROLE_TITLES",
    "SENIOR_DYNAMICS",
    "SENIOR_PRACTITIONER_WEIGHT",
    "SERVICES",
    "SERVICE_OF_TEAM",
    "SOLE_DIRECTOR_FROM",
    "STAFF_COLUMNS",
    "SUCCESSOR_TAKES_CASE",
    "SW_REASONS",
    "SW_REASON_REQUIRED_FROM",
    "TEAMS",
    "TEAMS_PER_HEAD_OF_SERVICE",
    "TEAMS_PER_SERVICE_MANAGER",
    "TEAM_LABELS",
    "TEAM_MANAGER_DYNAMICS",
    "UNALLOCATED_ALLOWANCE",
    "UNCOVERED",
    "WAIT_MEAN_DAYS",
    "WAIT_SHARE",
    "YEAR_DAYS",
    "AllocationRules",
    "PostDynamics",
    "allocate_cases",
    "build_workforce",
    "write_workforce",
]


def build_workforce(
    cases: pd.DataFrame, config: SynthConfig, rng: np.random.Generator
) -> Workforce:
    """Teams, staff, vacancies and case allocations for the city's social work ``cases``."""
    window_start = to_day(config.window_start)
    window_end = to_day(config.window_end)
    case_type, case_start, case_end, kept = read_cases(cases, window_start, window_end)
    snapshots = [to_day(date(year, 3, 31)) for year in config.collection_years]

    establishment = establishment_by_year(case_type, case_start, case_end, snapshots, config)
    teams, team_type = build_teams(establishment)
    holding = case_holding_dynamics(config)
    posts = build_posts(establishment, team_type, snapshots, window_start, window_end, holding)
    spells = post_histories(posts, window_start, window_end, rng)
    staff, spell_staff = staff_table(posts, spells, teams, window_end, rng)
    vacancies = vacancy_table(posts, spells, teams, snapshots)
    senior_roles = senior_roles_table(posts, spells, spell_staff, staff)

    holders = staff.index[staff["holds_cases"].to_numpy()]
    rows = allocate(
        case_type,
        case_start,
        case_end,
        staff.loc[holders],
        team_type,
        window_end,
        rng,
        AllocationRules(),
    )
    child_ids = cases["la_child_id"].to_numpy(dtype=object)[kept]
    allocations, sw_episodes = allocation_tables(
        rows, child_ids, case_type, case_start, staff["staff_id"].to_numpy(dtype=object)
    )
    return Workforce(
        teams=teams,
        staff=staff[STAFF_COLUMNS].reset_index(drop=True),
        vacancies=vacancies,
        allocations=allocations,
        senior_roles=senior_roles,
        sw_episodes=sw_episodes,
    )
