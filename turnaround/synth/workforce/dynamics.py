"""How a kind of post moves between filled, covered by an agency worker and uncovered.

    filled      a permanent worker holds it
    covered     it is vacant, and an agency worker fills it
    uncovered   it is vacant, and nobody fills it

Permanent workers leave at the turnover rate; vacancies are filled slowly enough that the
long-run vacancy rate is the target; agency workers come and go much faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from turnaround.synth.config import SynthConfig
from turnaround.synth.workforce.days import YEAR_DAYS

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


def case_holding_dynamics(config: SynthConfig) -> PostDynamics:
    """How case-holding posts turn over, with the city's vacancy and agency targets."""

    targets = config.targets
    return PostDynamics(
        turnover=0.175,
        vacancy=targets.vacancy_rate,
        agency_cover=targets.agency_cover_of_vacancies,
    )
