"""The journey simulator: step the city a month at a time through its sub-objects.

The simulator holds one ``JourneyState`` and the objects that act on it, the way Splink's linker
holds ``linker.training`` and ``linker.inference``:

    simulator.front_door    contacts, and the ones accepted as referrals
    simulator.assessment    assessments, S47 enquiries and conferences
    simulator.plans         child in need and child protection plans
    simulator.care          entries to care and the care spells that follow
    simulator.results       the council's records as tables, and the truth

Each month's step calls them in a fixed order, and so draws random numbers in a fixed order:
the same seed gives the same city.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth import risk as risk_model
from turnaround.synth.config import SynthConfig
from turnaround.synth.journeys.assessment import Assessment
from turnaround.synth.journeys.front_door import FrontDoor
from turnaround.synth.journeys.looked_after import LookedAfter
from turnaround.synth.journeys.plans import Plans
from turnaround.synth.journeys.results import JourneyResult, Results
from turnaround.synth.journeys.state import YEAR, JourneyState, scale_of
from turnaround.synth.model import Population
from turnaround.synth.targets import remember_recent


class JourneySimulator:
    """Step the city month by month, writing the council's records as children move through."""

    def __init__(
        self,
        config: SynthConfig,
        population: Population,
        spells: pd.DataFrame,
        rng: np.random.Generator,
        sim_start: int,
    ) -> None:
        self.state = JourneyState(config, population, spells, rng, sim_start)
        self.plans = Plans(self.state)
        self.assessment = Assessment(self.state, self.plans)
        self.front_door = FrontDoor(self.state, self.assessment)
        self.care = LookedAfter(self.state, self.assessment)
        self.results = Results(self.state)

    def run(self, progress: object = None) -> JourneyResult:
        """Simulate every month and return the records and the truth gathered."""
        self.care.seed_children_in_care()
        for m, start in enumerate(self.state.month_starts):
            self._step(m, int(start))
            if progress is not None:
                progress(m + 1, len(self.state.month_starts))  # type: ignore[operator]
        return self.results.build()

    def _step(self, m: int, start: int) -> None:
        state = self.state
        rng = state.rng
        mid = start + 14
        stop = int(state.month_starts[m + 1]) if m + 1 < len(state.month_starts) else state.end + 1
        age = (mid - state.dob) / YEAR
        resident = (
            (state.arrived <= mid)
            & (state.left > mid)
            & (state.dob <= mid)
            & (state.eighteenth > mid)
        )
        n_res = int(resident.sum())
        risk = state.risk_table[state.masks[m, state.hh]] * risk_model.age_multiplier(age)
        risk = np.clip(risk, 0.0, 1.0) * resident
        yi = _collection_year(mid) - state.first_year
        if 0 <= yi < state.peak.shape[1]:
            np.maximum(state.peak[:, yi], risk, out=state.peak[:, yi])
        remember_recent(state.recent, m, len(state.month_starts), risk)

        t = state.targets
        scale = scale_of(n_res)
        referrals_due = int(
            rng.poisson(t.referrals_per_10k * scale / 12 * state.levers["referrals"][m])
        )
        eligible = resident & (state.busy_until < start)
        self.front_door.contacts_and_referrals(m, start, stop, risk, eligible, referrals_due)
        self.care.entries_to_care(start, stop, risk, resident, scale)


def _collection_year(day: int) -> int:
    d = np.datetime64(int(day), "D").astype(object)
    return d.year + 1 if d.month >= 4 else d.year


def simulate_journeys(
    config: SynthConfig,
    population: Population,
    spells: pd.DataFrame,
    rng: np.random.Generator,
    sim_start: int,
    progress: object = None,
) -> JourneyResult:
    """Run the month-by-month simulation and return the council's records and the truth."""
    simulator = JourneySimulator(config, population, spells, rng, sim_start)
    result = simulator.run(progress)
    result.drift = simulator.state.drift
    return result
