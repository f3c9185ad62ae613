"""The care states the demand model moves children between, and what a projection holds.

This module is the contract between the forecast (``model.py``: fitting and simulation) and
everything that reads a projection (the budget, scenarios, reports). Both sides import from
here; nothing else about the model leaks out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from turnaround.errors import NotFound

STATES: tuple[str, ...] = (
    "not_in_care",  # the rest of the city's children: the pool entries come from
    "in_need",  # open child in need case, not on a plan and not looked after
    "child_protection",  # on a child protection plan
    "fostering_in_house",
    "fostering_agency",  # independent fostering agency
    "family_and_friends",  # connected persons / kinship foster care
    "residential_in_house",
    "residential_external",
    "secure",
    "supported_accommodation",
    "placed_with_parents",
    "placed_for_adoption",
    "other_looked_after",
)
"""Every state, in a fixed order: arrays indexed by state use this order."""

LOOKED_AFTER: tuple[str, ...] = STATES[3:]
"""The looked-after states, one per placement category."""

AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))
"""Age bands in whole years, [from, to): the DfE's bands for children looked after."""


def state_index(name: str) -> int:
    """The position of a state in ``STATES`` (NotFound naming the state if unknown)."""
    try:
        return STATES.index(name)
    except ValueError:
        raise NotFound(f"unknown care state {name!r}; one of {', '.join(STATES)}") from None


@dataclass(frozen=True)
class Projection:
    """Children in each state at the start of each month, for every simulation run.

    ``counts[r, m, s]`` is the number of children in state ``STATES[s]`` at the start of month
    ``m`` (month 0 is ``start``, the first of April of the first financial year; month
    ``months`` is the end of the horizon) in run ``r``, summed over age bands.
    ``entries[r, m, s]`` and ``exits[r, m, s]`` count the children who entered state ``s``
    from outside social care, or left social care from it, during month ``m``.
    """

    start: date
    months: int
    counts: np.ndarray  # (runs, months + 1, len(STATES)), float or int
    entries: np.ndarray  # (runs, months, len(STATES))
    exits: np.ndarray  # (runs, months, len(STATES))

    @property
    def runs(self) -> int:
        """How many simulation runs the projection holds."""
        return int(self.counts.shape[0])

    def month_starts(self) -> list[date]:
        """The first day of each month from ``start``, ``months + 1`` of them."""
        out = []
        year, month = self.start.year, self.start.month
        for _ in range(self.months + 1):
            out.append(date(year, month, 1))
            month += 1
            if month == 13:
                year, month = year + 1, 1
        return out

    def quantiles(
        self, states: tuple[str, ...], q: tuple[float, ...] = (0.1, 0.5, 0.9)
    ) -> np.ndarray:
        """Quantiles across runs of the total in ``states`` each month: (len(q), months + 1)."""
        idx = [state_index(s) for s in states]
        total = self.counts[:, :, idx].sum(axis=2)
        return np.quantile(total, q, axis=0)
