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

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.errors import InputError
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Workforce

TEAMS = ("front_door", "assessment", "cin_cp", "looked_after", "care_leavers", "disabled_children")

SERVICE_OF_TEAM = {
    "front_door": "Early Help and Front Door",
    "assessment": "Safeguarding",
    "cin_cp": "Safeguarding",
    "looked_after": "Children in Care",
    "care_leavers": "Children in Care",
    "disabled_children": "Disabled Children",
}
SERVICES = ("Early Help and Front Door", "Safeguarding", "Children in Care", "Disabled Children")

TEAM_LABELS = {
    "front_door": "MASH Team",
    "assessment": "Assessment Team",
    "cin_cp": "Child in Need and Protection Team",
    "looked_after": "Children in Care Team",
    "care_leavers": "Care Leavers Team",
    "disabled_children": "Disabled Children's Team",
}
AREAS = ("North", "South", "East", "West", "Central")
AREA_TEAMS = ("assessment", "cin_cp", "looked_after")

ROLES = (
    "social_worker",
    "senior_practitioner",
    "team_manager",
    "service_manager",
    "head_of_service",
    "assistant_director",
    "director",
)
CASE_HOLDING_ROLES = ("social_worker", "senior_practitioner")
ROLE_TITLES = {
    "social_worker": "Social Worker",
    "senior_practitioner": "Senior Practitioner",
    "team_manager": "Team Manager",
    "service_manager": "Service Manager",
    "head_of_service": "Head of Service",
    "assistant_director": "Assistant Director",
    "director": "Director",
}
GRADES = {
    "social_worker": "GR5",
    "senior_practitioner": "GR6",
    "team_manager": "GR7",
    "service_manager": "JNC1",
    "head_of_service": "JNC2",
    "assistant_director": "JNC3",
    "director": "Chief Officer",
}

# In 2014 Birmingham's director also ran adults, public health and housing; the Le Grand review
# asked why nobody had sole charge of children's services. A director appointed after the
# review gets the statutory children's portfolio only.
BROAD_DIRECTOR_PORTFOLIO = (
    "Children's Social Care",
    "Education",
    "Adult Social Care",
    "Public Health",
    "Housing",
)
CHILDREN_ONLY_PORTFOLIO = ("Children's Social Care", "Education")
SOLE_DIRECTOR_FROM = date(2015, 1, 1)

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
CASE_HOLDERS_PER_TEAM = 7
TEAMS_PER_SERVICE_MANAGER = 5
TEAMS_PER_HEAD_OF_SERVICE = 12
SENIOR_PRACTITIONER_WEIGHT = 0.6
LOAD_FACTOR_SIGMA = 0.3
# Share of allocations where the manager compares two workers and picks the less loaded.
BALANCED_SHARE = 0.5
PART_TIME_SHARE = 0.1
PART_TIME_FTES = (0.5, 0.6, 0.8, 0.8, 0.9)
# Expected share of open cases unallocated on a snapshot day, allowed for in the budget sum.
UNALLOCATED_ALLOWANCE = 0.02
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

YEAR_DAYS = 365.25
OPEN = np.iinfo(np.int64).max // 4  # a day number that stands for "still open"
ALWAYS = -OPEN  # the first day of a post that existed before the window opened

# States of a post.
FILLED, COVERED, UNCOVERED = 0, 1, 2


@dataclass(frozen=True)
class PostDynamics:
    """How one kind of post moves between filled, covered by agency and uncovered."""

    turnover: float  # permanent leavers per filled post-year
    vacancy: float  # long-run share of posts without a permanent holder
    agency_cover: float  # share of vacant time covered by an agency worker
    agency_leave: float = 1.4  # agency departures per covered post-year
    agency_relief: float = 0.7  # share of agency departures replaced at once by another locum

    def rates(self) -> np.ndarray:
        """Transition rates per day between the three states; the diagonal is locum relief."""
        lam, v, c = self.turnover, self.vacancy, self.agency_cover
        fill = lam * (1 - v) / v
        q = np.zeros((3, 3))
        q[FILLED, COVERED] = lam * c
        q[FILLED, UNCOVERED] = lam * (1 - c)
        q[COVERED, FILLED] = fill
        q[UNCOVERED, FILLED] = fill
        if c < 1:
            lapse = self.agency_leave * (1 - self.agency_relief)
            q[COVERED, UNCOVERED] = lapse
            q[COVERED, COVERED] = self.agency_leave * self.agency_relief
            q[UNCOVERED, COVERED] = c * lapse / (1 - c)
        else:
            q[COVERED, COVERED] = self.agency_leave
        return q / YEAR_DAYS

    def stationary(self) -> np.ndarray:
        """Long-run share of time in each state."""
        v, c = self.vacancy, self.agency_cover
        return np.array([1 - v, v * c, v * (1 - c)])


TEAM_MANAGER_DYNAMICS = PostDynamics(turnover=0.2, vacancy=0.3, agency_cover=0.7, agency_leave=1.0)
SENIOR_DYNAMICS = PostDynamics(turnover=0.15, vacancy=0.15, agency_cover=0.9, agency_leave=0.6)
# Birmingham went through several directors, some of them interim, in the years to 2014.
DIRECTOR_DYNAMICS = PostDynamics(turnover=0.2, vacancy=0.15, agency_cover=1.0, agency_leave=0.6)


@dataclass
class _Post:
    role: str
    team: int  # index into teams, -1 for posts above team level
    parent: int  # index of the line manager's post, -1 for the top
    start: int  # first day the post exists (a day before the window if it always existed)
    end: int  # last day the post exists (the window's end if it still does)
    dynamics: PostDynamics
    services: tuple[str, ...] = ()


@dataclass
class _Spell:
    post: int
    state: int
    start: int
    end: int  # OPEN if the spell runs past the window's end
    fte: float
    restructured: bool  # the spell ended because the post was deleted


def build_workforce(
    cases: pd.DataFrame, config: SynthConfig, rng: np.random.Generator
) -> Workforce:
    """Teams, staff, vacancies and case allocations for the city's social work ``cases``."""
    window_start = _day(config.window_start)
    window_end = _day(config.window_end)
    case_type, case_start, case_end, kept = _read_cases(cases, window_start, window_end)
    snapshots = [_day(date(year, 3, 31)) for year in config.collection_years]

    establishment = _establishment(case_type, case_start, case_end, snapshots, config)
    teams, team_type = _teams(establishment)
    holding = _case_holding_dynamics(config)
    posts = _posts(establishment, team_type, snapshots, window_start, window_end, holding)
    spells = _post_histories(posts, window_start, window_end, rng)
    staff, spell_staff = _staff(posts, spells, teams, window_end, rng)
    vacancies = _vacancies(posts, spells, teams, snapshots)
    senior_roles = _senior_roles(posts, spells, spell_staff, staff)

    holders = staff.index[staff["holds_cases"].to_numpy()]
    rows = _allocate(
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
    allocations, sw_episodes = _allocation_tables(
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
    window_start = _day(config.window_start)
    window_end = _day(config.window_end)
    case_type, case_start, case_end, kept = _read_cases(cases, window_start, window_end)
    team_index = {team_id: i for i, team_id in enumerate(teams["team_id"])}
    type_index = {name: i for i, name in enumerate(TEAMS)}
    team_type = [type_index[t] for t in teams["team"]]
    roster = staff.reset_index(drop=True).copy()
    roster["start_day"] = _days(roster["start"])
    roster["end_day"] = _days(roster["leave"])
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
    rows = _allocate(case_type, case_start, case_end, holders, team_type, window_end, rng, rules)
    child_ids = cases["la_child_id"].to_numpy(dtype=object)[kept]
    allocations, _ = _allocation_tables(
        rows, child_ids, case_type, case_start, roster["staff_id"].to_numpy(dtype=object)
    )
    return allocations


# --- cases and demand -------------------------------------------------------------------------


def _day(when: date) -> int:
    return int(np.datetime64(when, "D").astype(np.int64))


def _days(values: pd.Series) -> np.ndarray:
    raw = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    days = raw.astype(np.int64)
    return np.where(np.isnat(raw), OPEN, days)


def _read_cases(
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
    start = _days(cases["start"])
    end = _days(cases["end"])
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


def _establishment(
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


# --- teams and posts --------------------------------------------------------------------------


def _teams(establishment: np.ndarray) -> tuple[pd.DataFrame, list[int]]:
    """Enough teams of each type for its largest establishment, named by area where areas apply."""
    rows = []
    team_type: list[int] = []
    for t, name in enumerate(TEAMS):
        peak = int(establishment[:, t].max())
        if peak == 0:
            continue
        n_teams = max(1, round(peak / CASE_HOLDERS_PER_TEAM))
        n_areas = min(len(AREAS), n_teams)
        for i in range(n_teams):
            if name in AREA_TEAMS and n_teams > 1:
                label = f"{TEAM_LABELS[name]} {AREAS[i % n_areas]} {i // n_areas + 1}"
            else:
                label = f"{TEAM_LABELS[name]} {i + 1}"
            rows.append((name, label, SERVICE_OF_TEAM[name]))
            team_type.append(t)
    teams = pd.DataFrame(rows, columns=["team", "name", "service"])
    teams.insert(0, "team_id", [f"T{i + 1:03d}" for i in range(len(teams))])
    return teams, team_type


def _posts(
    establishment: np.ndarray,
    team_type: list[int],
    snapshots: Sequence[int],
    window_start: int,
    window_end: int,
    holding: PostDynamics,
) -> list[_Post]:
    """Every post over the window, from the director down, each with the days it exists."""
    before = ALWAYS
    posts: list[_Post] = []
    posts.append(_Post("director", -1, -1, before, window_end, DIRECTOR_DYNAMICS))
    services_present = [s for s in SERVICES if s in {SERVICE_OF_TEAM[TEAMS[t]] for t in team_type}]
    n_teams = len(team_type)

    # Heads of service: one per service in a big authority, shared across services in a small one.
    if n_teams >= TEAMS_PER_HEAD_OF_SERVICE:
        groups: list[tuple[str, ...]] = []
        for service in services_present:
            n_in_service = sum(SERVICE_OF_TEAM[TEAMS[t]] == service for t in team_type)
            groups.extend([(service,)] * math.ceil(n_in_service / TEAMS_PER_HEAD_OF_SERVICE))
    elif n_teams >= 5:
        groups = [SERVICES[:2], SERVICES[2:]]
    else:
        groups = [(SERVICES[0], SERVICES[1], SERVICES[3]), (SERVICES[2],)]
    groups = [g for g in (tuple(s for s in grp if s in services_present) for grp in groups) if g]

    n_ads = 2 if n_teams >= TEAMS_PER_HEAD_OF_SERVICE and len(groups) > 1 else 1
    ad_posts = []
    for _ in range(n_ads):
        ad_posts.append(len(posts))
        posts.append(_Post("assistant_director", -1, 0, before, window_end, SENIOR_DYNAMICS))
    early = set(SERVICES[:2])
    hos_posts: list[int] = []
    for group in groups:
        ad = ad_posts[0] if n_ads == 1 or early & set(group) else ad_posts[1]
        hos_posts.append(len(posts))
        posts.append(_Post("head_of_service", -1, ad, before, window_end, SENIOR_DYNAMICS, group))
    for ad in ad_posts:
        below = [posts[h].services for h in hos_posts if posts[h].parent == ad]
        posts[ad].services = tuple(dict.fromkeys(s for group in below for s in group))

    # Service managers span a handful of teams within one service.
    team_manager_of_team: dict[int, int] = {}
    for service in services_present:
        in_service = [i for i, t in enumerate(team_type) if SERVICE_OF_TEAM[TEAMS[t]] == service]
        heads = [h for h in hos_posts if service in posts[h].services]
        n_sm = math.ceil(len(in_service) / TEAMS_PER_SERVICE_MANAGER)
        for j in range(n_sm):
            sm = len(posts)
            head = heads[j * len(heads) // n_sm]
            posts.append(
                _Post("service_manager", -1, head, before, window_end, SENIOR_DYNAMICS, (service,))
            )
            for k, team in enumerate(in_service):
                if k * n_sm // len(in_service) == j:
                    team_manager_of_team[team] = len(posts)
                    posts.append(
                        _Post("team_manager", team, sm, before, window_end, TEAM_MANAGER_DYNAMICS)
                    )

    # Case-holding posts: each year's establishment shared evenly between a type's teams; a post
    # exists from the first budget year that funds it to the last.
    year_start = [before] + [day + 1 for day in snapshots[:-1]]
    year_end = [*snapshots[:-1], window_end]
    for t in range(len(TEAMS)):
        teams_of_type = [i for i, tt in enumerate(team_type) if tt == t]
        if not teams_of_type:
            continue
        n = len(teams_of_type)
        per_team = np.array(
            [[e // n + (k < e % n) for k in range(n)] for e in establishment[:, t]]
        )  # years x teams
        for k, team in enumerate(teams_of_type):
            size = int(per_team[:, k].max())
            seniors = 2 if size >= 6 else 1 if size >= 3 else 0
            for slot in range(size):
                funded = np.flatnonzero(per_team[:, k] > slot)
                role = "senior_practitioner" if slot < seniors else "social_worker"
                posts.append(
                    _Post(
                        role,
                        team,
                        team_manager_of_team[team],
                        year_start[funded[0]],
                        year_end[funded[-1]],
                        holding,
                    )
                )
    return posts


# --- post histories ---------------------------------------------------------------------------


def _case_holding_dynamics(config: SynthConfig) -> PostDynamics:
    targets = config.targets
    return PostDynamics(
        turnover=0.175,
        vacancy=targets.vacancy_rate,
        agency_cover=targets.agency_cover_of_vacancies,
    )


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


def _post_histories(
    posts: list[_Post],
    window_start: int,
    window_end: int,
    rng: np.random.Generator,
) -> list[_Spell]:
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

    spells: list[_Spell] = []
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
            spells.append(
                _Spell(i, state, begin, OPEN if open_ended else finish, fte, restructured)
            )
            if clipped or begin < window_start:
                break
            finish = begin
            open_ended = restructured = False
            state = int(rng.choice(3, p=before[state]))
    spells.sort(key=lambda s: (s.post, s.start))
    return spells


# --- staff ------------------------------------------------------------------------------------


def _occupants(spells: list[_Spell], n_posts: int) -> list[list[int]]:
    by_post: list[list[int]] = [[] for _ in range(n_posts)]
    for k, spell in enumerate(spells):
        by_post[spell.post].append(k)
    return by_post


def _spell_on(spells: list[_Spell], indices: list[int], day: int) -> int:
    """The spell of a post that covers ``day`` (the later one on a handover day), or -1."""
    found = -1
    for k in indices:
        s = spells[k]
        if s.start <= day and (s.end == OPEN or s.end >= day):
            found = k
    return found


def _staff(
    posts: list[_Post],
    spells: list[_Spell],
    teams: pd.DataFrame,
    window_end: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[int, int]]:
    """One row per person (each filled or covered spell), with their manager on their last day."""
    worked = [k for k, s in enumerate(spells) if s.state != UNCOVERED]
    worked.sort(key=lambda k: (spells[k].start, spells[k].post))
    spell_staff = {k: row for row, k in enumerate(worked)}
    ids = [f"E{100001 + row}" for row in range(len(worked))]
    by_post = _occupants(spells, len(posts))
    team_ids = teams["team_id"].tolist()

    records = []
    for row, k in enumerate(worked):
        spell = spells[k]
        post = posts[spell.post]
        last_day = window_end if spell.end == OPEN else spell.end
        manager = ""
        parent = post.parent
        while parent >= 0:
            found = _spell_on(spells, by_post[parent], last_day)
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
    staff["start"] = _dates(staff["start_day"].to_numpy())
    staff["leave"] = _dates(staff["end_day"].to_numpy())
    return staff, spell_staff


def _dates(days: np.ndarray) -> pd.Series:
    days = np.asarray(days, dtype=np.int64)
    out = np.where(days == OPEN, np.datetime64("NaT"), days.astype("datetime64[D]"))
    return pd.Series(out.astype("datetime64[ns]"))


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


def _vacancies(
    posts: list[_Post], spells: list[_Spell], teams: pd.DataFrame, snapshots: Sequence[int]
) -> pd.DataFrame:
    """Establishment, permanent, vacant and agency FTE per team and role at each 31 March."""
    by_post = _occupants(spells, len(posts))
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
            k = _spell_on(spells, by_post[i], day)
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
    table["at"] = _dates(table["at_day"].to_numpy())
    return table.drop(columns="at_day")


def _senior_roles(
    posts: list[_Post], spells: list[_Spell], spell_staff: dict[int, int], staff: pd.DataFrame
) -> pd.DataFrame:
    """Director, assistant directors and heads of service, each with the services they carry."""
    sole_from = _day(SOLE_DIRECTOR_FROM)
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


# --- allocation -------------------------------------------------------------------------------

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


def _allocate(
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


def _allocation_tables(
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
            "start": _dates(frame["start"].to_numpy()),
            "end": _dates(frame["end"].to_numpy()),
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
    required_from = _day(SW_REASON_REQUIRED_FROM)
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
            "sw_decom": _dates(episodes["start_day"].to_numpy()),
            "sw_dec": _dates(episodes["end_day"].to_numpy()),
            "sw_reason": pd.Series(sw_reason, dtype=object).astype(str),
        }
    )
    return allocations, sw_episodes


# --- writing ----------------------------------------------------------------------------------

CSV_COLUMNS = {
    "staff": {
        "staff_id": "Staff ID",
        "role": "Job Title",
        "grade": "Grade",
        "team_id": "Team ID",
        "manager_id": "Line Manager ID",
        "fte": "FTE",
        "agency": "Agency Worker",
        "start": "Start Date",
        "leave": "Leaving Date",
        "holds_cases": "Case Holder",
    },
    "teams": {
        "team_id": "Team ID",
        "team": "Team Type",
        "name": "Team Name",
        "service": "Service",
    },
    "vacancies": {
        "team_id": "Team ID",
        "role": "Post",
        "establishment_fte": "Establishment FTE",
        "filled_fte": "Filled FTE (Permanent)",
        "vacant_fte": "Vacant FTE",
        "agency_cover_fte": "Agency Cover FTE",
        "at": "As At",
    },
    "allocations": {
        "la_child_id": "Child ID",
        "staff_id": "Allocated Worker ID",
        "start": "Allocated From",
        "end": "Allocated To",
    },
    "senior_roles": {
        "staff_id": "Staff ID",
        "role": "Role",
        "portfolio": "Portfolio",
    },
}


def write_workforce(workforce: Workforce, out_dir: Path) -> list[Path]:
    """Write the workforce as a council HR and case-system export: five CSVs, dates dd/mm/yyyy."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in CSV_COLUMNS.items():
        table: pd.DataFrame = getattr(workforce, name)[list(columns)].copy()
        for column in table.columns:
            series = table[column]
            if pd.api.types.is_datetime64_any_dtype(series):
                table[column] = series.dt.strftime("%d/%m/%Y").fillna("")
            elif pd.api.types.is_bool_dtype(series):
                table[column] = np.where(series.to_numpy(), "Y", "N")
        if "role" in table.columns:
            table["role"] = table["role"].map(ROLE_TITLES).fillna(table["role"])
        path = out_dir / f"{name}.csv"
        table.rename(columns=columns).to_csv(path, index=False)
        written.append(path)
    return written
