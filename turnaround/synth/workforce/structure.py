"""The council's structure: team types, services, roles and grades, teams and every post.

Posts run from the director down through assistant directors, heads of service and service
managers to team managers and the case-holding social workers and senior practitioners.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth.workforce.days import ALWAYS
from turnaround.synth.workforce.dynamics import (
    DIRECTOR_DYNAMICS,
    SENIOR_DYNAMICS,
    TEAM_MANAGER_DYNAMICS,
    PostDynamics,
)

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

CASE_HOLDERS_PER_TEAM = 7
TEAMS_PER_SERVICE_MANAGER = 5
TEAMS_PER_HEAD_OF_SERVICE = 12


@dataclass
class Post:
    """One post in the structure, with the days it exists and how it turns over."""

    role: str
    team: int  # index into teams, -1 for posts above team level
    parent: int  # index of the line manager's post, -1 for the top
    start: int  # first day the post exists (a day before the window if it always existed)
    end: int  # last day the post exists (the window's end if it still does)
    dynamics: PostDynamics
    services: tuple[str, ...] = ()


def build_teams(establishment: np.ndarray) -> tuple[pd.DataFrame, list[int]]:
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


def build_posts(
    establishment: np.ndarray,
    team_type: list[int],
    snapshots: Sequence[int],
    window_start: int,
    window_end: int,
    holding: PostDynamics,
) -> list[Post]:
    """Every post over the window, from the director down, each with the days it exists."""
    before = ALWAYS
    posts: list[Post] = []
    posts.append(Post("director", -1, -1, before, window_end, DIRECTOR_DYNAMICS))
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
        posts.append(Post("assistant_director", -1, 0, before, window_end, SENIOR_DYNAMICS))
    early = set(SERVICES[:2])
    hos_posts: list[int] = []
    for group in groups:
        ad = ad_posts[0] if n_ads == 1 or early & set(group) else ad_posts[1]
        hos_posts.append(len(posts))
        posts.append(Post("head_of_service", -1, ad, before, window_end, SENIOR_DYNAMICS, group))
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
                Post("service_manager", -1, head, before, window_end, SENIOR_DYNAMICS, (service,))
            )
            for k, team in enumerate(in_service):
                if k * n_sm // len(in_service) == j:
                    team_manager_of_team[team] = len(posts)
                    posts.append(
                        Post("team_manager", team, sm, before, window_end, TEAM_MANAGER_DYNAMICS)
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
                    Post(
                        role,
                        team,
                        team_manager_of_team[team],
                        year_start[funded[0]],
                        year_end[funded[-1]],
                        holding,
                    )
                )
    return posts
