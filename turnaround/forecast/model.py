"""The demand model: monthly moves between care states by age band, and its projection.

A ``DemandModel`` holds what ``fit.fit_model`` counted, so every rate can be traced to the
children behind it. ``project`` simulates it forward with two kinds of uncertainty:

- **parameters:** each run draws its own monthly rates, a Dirichlet posterior on the counted
  moves of each band and state (the counts plus ``prior_strength`` child-months spread like the
  same state's moves across all bands, so a thin band borrows from its neighbours);
- **process:** each month the children of each band and state are split between staying,
  moving and leaving by a multinomial draw, entries by a multinomial draw on the children
  outside social care, and ageing by a binomial draw (a twelfth of a band's width in years
  moves up a band each month; leaving the top band is the 18th birthday, an exit).

The children outside social care (``not_in_care``) are the pool: the band's population less
the children in social care, with the population held at the fitted stock date's. Children
enter social care only from it and leave only to it, so in every run and month the change in
the children in social care equals entries less exits, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from turnaround.errors import ConfigError, NotFound
from turnaround.forecast.states import AGE_BANDS, STATES, Projection, state_index

DEFAULT_PRIOR_STRENGTH = 6.0
"""Child-months of pooled experience added to each band and state's counted moves."""

AGEING = np.array([1.0 / (12 * (high - low)) for low, high in AGE_BANDS])
"""The monthly chance of moving up a band (of turning 18, for the top band)."""


@dataclass(frozen=True)
class DemandModel:
    """The fitted model: counted moves, the starting stock and the population, by age band.

    Arrays are indexed by band (``AGE_BANDS``) then state (``STATES``). ``flows[b, i, j]``
    counts children in band ``b`` in state ``i`` at one month start and in ``j`` at the next;
    column 0 is leaving social care and row 0 is entering it (``flows[b, 0, 0]`` is the
    child-months outside social care that did not end in an entry). ``aged_out`` counts the
    children who turned 18 in the month, left out of ``flows``. ``stock`` is the children in
    each band and state at ``stock_date``, ``stock[:, 0]`` being the pool; ``population`` the
    band's children aged 0-17 that the projection holds.
    """

    first_month: date
    stock_date: date
    flows: np.ndarray
    aged_out: np.ndarray
    stock: np.ndarray
    population: np.ndarray
    population_source: str
    prior_strength: float = DEFAULT_PRIOR_STRENGTH

    @property
    def exposure(self) -> np.ndarray:
        """Child-months observed in each band and state: (bands, states)."""
        return np.asarray(self.flows.sum(axis=2))

    def concentration(self) -> np.ndarray:
        """The Dirichlet posterior's parameters for each band and state's monthly moves."""
        return self.flows + self.prior_strength * _pooled_rows(self.flows)[None, :, :]

    @property
    def rates(self) -> np.ndarray:
        """Posterior mean monthly probabilities, ``rates[b, i, j]``; each row sums to one."""
        alpha = self.concentration()
        total = alpha.sum(axis=2, keepdims=True)
        stay = np.broadcast_to(np.eye(len(STATES)), alpha.shape)
        return np.where(total > 0, alpha / np.where(total > 0, total, 1.0), stay)

    @property
    def entry_rates(self) -> np.ndarray:
        """Monthly entries into each state per child outside social care: (bands, states)."""
        rates = self.rates[:, 0, :].copy()
        rates[:, 0] = 0.0
        return rates

    @property
    def exit_rates(self) -> np.ndarray:
        """Monthly chance of leaving social care from each state: (bands, states)."""
        rates = self.rates[:, :, 0].copy()
        rates[:, 0] = 0.0
        return rates


def _pooled_rows(flows: np.ndarray) -> np.ndarray:
    """Each state's moves over all bands as proportions; unseen states move like the average.

    An unseen social care state gets the average of the seen ones, with staying put in any
    state read as staying in the unseen one. With nothing seen at all, everyone stays.
    """
    n = len(STATES)
    pooled = flows.sum(axis=0)
    totals = pooled.sum(axis=1)
    rows = np.zeros((n, n))
    seen = totals > 0
    rows[seen] = pooled[seen] / totals[seen, None]
    care_seen = [i for i in range(1, n) if seen[i]]
    for i in range(1, n):
        if seen[i]:
            continue
        if not care_seen:
            rows[i, i] = 1.0
            continue
        average = np.zeros(n)
        for k in care_seen:
            relative = rows[k].copy()
            relative[i] += relative[k]
            relative[k] = 0.0
            average += relative * totals[k]
        rows[i] = average / average.sum()
    if not seen[0]:
        rows[0, 0] = 1.0
    return rows


@dataclass(frozen=True)
class EntryChange:
    """Scale the entry rates into some states (all social care states when ``states`` is
    empty) for some bands (indices into ``AGE_BANDS``; all when empty) by ``factor``."""

    factor: float
    states: tuple[str, ...] = ()
    bands: tuple[int, ...] = ()
    start_month: int = 0
    ramp_months: int = 0

    def __post_init__(self) -> None:
        if self.factor < 0:
            raise ConfigError(f"an entry rate factor cannot be negative (got {self.factor})")
        _check_states(self.states)
        _check_timing(self.bands, self.start_month, self.ramp_months)


@dataclass(frozen=True)
class Redirect:
    """Send ``fraction`` of the children who would have moved into ``from_state`` (entries and
    moves from other states; not those already there) to ``to_state`` instead."""

    from_state: str
    to_state: str
    fraction: float
    bands: tuple[int, ...] = ()
    start_month: int = 0
    ramp_months: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.fraction <= 1:
            raise ConfigError(f"a redirected fraction must be 0 to 1 (got {self.fraction})")
        _check_states((self.from_state, self.to_state))
        _check_timing(self.bands, self.start_month, self.ramp_months)


@dataclass(frozen=True)
class Adjustment:
    """A scenario's changes to the fitted rates, applied in order: entries, then redirects.

    Each change starts at month ``start_month`` of the projection (0 is its start) and, when
    ``ramp_months`` is positive, phases in linearly over that many months. For example, early
    help cutting entries to care by a fifth over the first year, and a tenth of the moves into
    external residential going to in-house fostering from the second year::

        Adjustment(
            entries=(EntryChange(0.8, states=LOOKED_AFTER, ramp_months=12),),
            redirects=(Redirect("residential_external", "fostering_in_house", 0.1,
                                start_month=12),),
        )
    """

    entries: tuple[EntryChange, ...] = field(default=())
    redirects: tuple[Redirect, ...] = field(default=())

    def weights(self, month: int) -> tuple[float, ...]:
        """How far each change (entries, then redirects) has phased in at ``month``."""
        return tuple(_weight(c.start_month, c.ramp_months, month) for c in self._changes())

    def _changes(self) -> Sequence[EntryChange | Redirect]:
        return (*self.entries, *self.redirects)

    def apply(self, rates: np.ndarray, month: int) -> np.ndarray:
        """Monthly rates (..., bands, states, states) with the changes in force at ``month``."""
        out = rates.copy()
        all_bands = range(len(AGE_BANDS))
        for change, weight in zip(self._changes(), self.weights(month), strict=True):
            if weight == 0:
                continue
            bands = change.bands or all_bands
            if isinstance(change, EntryChange):
                columns = [state_index(s) for s in change.states] or list(range(1, len(STATES)))
                factor = 1 + weight * (change.factor - 1)
                for b in bands:
                    out[..., b, 0, columns] *= factor
                    entering = out[..., b, 0, 1:].sum(axis=-1)
                    scale = np.where(entering > 1, 1 / np.maximum(entering, 1e-300), 1.0)
                    out[..., b, 0, 1:] *= scale[..., None]
                    out[..., b, 0, 0] = 1 - out[..., b, 0, 1:].sum(axis=-1)
            else:
                a, c = state_index(change.from_state), state_index(change.to_state)
                for b in bands:
                    moved = out[..., b, :, a] * (weight * change.fraction)
                    moved[..., a] = 0.0
                    out[..., b, :, a] -= moved
                    out[..., b, :, c] += moved
        return out


def _weight(start: int, ramp: int, month: int) -> float:
    if month < start:
        return 0.0
    if ramp <= 0:
        return 1.0
    return min(1.0, (month - start + 1) / ramp)


def _check_states(states: Sequence[str]) -> None:
    for name in states:
        try:
            index = state_index(name)
        except NotFound as exc:
            raise ConfigError(str(exc)) from None
        if index == 0:
            raise ConfigError("not_in_care is the pool; a change must name a social care state")


def _check_timing(bands: Sequence[int], start: int, ramp: int) -> None:
    for b in bands:
        if not 0 <= b < len(AGE_BANDS):
            raise ConfigError(f"age band {b} does not exist; bands are 0 to {len(AGE_BANDS) - 1}")
    if start < 0 or ramp < 0:
        raise ConfigError("start_month and ramp_months cannot be negative")


def project(
    model: DemandModel,
    *,
    start: date | None = None,
    months: int = 60,
    runs: int = 1000,
    seed: int = 0,
    adjust: Adjustment | None = None,
) -> Projection:
    """Simulate ``runs`` futures of ``months`` months from ``start`` (default: the stock date).

    ``start`` is a month start on or after ``model.stock_date``; the months between are
    simulated unadjusted and dropped. ``adjust`` changes the rates for a scenario: entry
    rates per state and band (``EntryChange``) and the placement mix (``Redirect``), each
    from a given month and optionally phased in; see ``Adjustment``. The same model, arguments
    and ``seed`` always give the same projection.
    """
    start = start or model.stock_date
    if start.day != 1:
        raise ConfigError(f"a projection starts on the first of a month, not {start}")
    warm_up = (start.year - model.stock_date.year) * 12 + start.month - model.stock_date.month
    if warm_up < 0:
        raise ConfigError(f"the model's stock is at {model.stock_date}; cannot start at {start}")
    if months < 0 or runs < 1:
        raise ConfigError("a projection needs at least one run and no negative months")
    rng = np.random.default_rng(seed)
    n_bands, n_states = len(AGE_BANDS), len(STATES)
    base = _draw_rates(rng, model, runs)
    population = np.asarray(model.population, dtype=np.float64)
    stock = np.broadcast_to(
        np.rint(model.stock[:, 1:]).astype(np.int64), (runs, n_bands, n_states - 1)
    ).copy()
    counts = np.zeros((runs, months + 1, n_states), dtype=np.int64)
    entries = np.zeros((runs, months, n_states), dtype=np.int64)
    exits = np.zeros((runs, months, n_states), dtype=np.int64)
    pool_total = np.floor(population).astype(np.int64)
    cache: dict[tuple[float, ...], np.ndarray] = {}
    for step in range(warm_up + months):
        m = step - warm_up
        rates = base
        if adjust is not None and m >= 0:
            key = adjust.weights(m)
            if any(key):
                if key not in cache:
                    cache.clear()
                    cache[key] = adjust.apply(base, m)
                rates = cache[key]
        if m >= 0:
            _record(counts[:, m], stock, pool_total)
        stock, entered, left = _step(rng, rates, stock, pool_total)
        if m >= 0:
            entries[:, m, 1:] = entered
            exits[:, m, 1:] = left
    if months >= 0:
        _record(counts[:, months], stock, pool_total)
    return Projection(start=start, months=months, counts=counts, entries=entries, exits=exits)


def _record(out: np.ndarray, stock: np.ndarray, pool_total: np.ndarray) -> None:
    """Fill one month's counts (runs, states) from the stock (runs, bands, care states)."""
    out[:, 1:] = stock.sum(axis=1)
    out[:, 0] = np.maximum(pool_total[None, :] - stock.sum(axis=2), 0).sum(axis=1)


def _draw_rates(rng: np.random.Generator, model: DemandModel, runs: int) -> np.ndarray:
    """One set of monthly rates per run from the Dirichlet posterior: (runs, bands, s, s)."""
    alpha = model.concentration()
    draws = rng.standard_gamma(np.broadcast_to(alpha, (runs, *alpha.shape)))
    total = draws.sum(axis=3, keepdims=True)
    stay = np.broadcast_to(np.eye(len(STATES)), draws.shape)
    return np.where(total > 0, draws / np.where(total > 0, total, 1.0), stay)


def _step(
    rng: np.random.Generator, rates: np.ndarray, stock: np.ndarray, pool_total: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One month: moves, entries and exits, then ageing. Returns the new stock (runs, bands,
    care states) and each care state's entries and exits (runs, care states)."""
    runs, n_bands, n_care = stock.shape
    people = np.empty((runs, n_bands, n_care + 1), dtype=np.int64)
    people[:, :, 0] = np.maximum(pool_total[None, :] - stock.sum(axis=2), 0)
    people[:, :, 1:] = stock
    moves = _multinomial(rng, people, rates)  # (runs, bands, from, to)
    entered = moves[:, :, 0, 1:]
    left = moves[:, :, 1:, 0]
    after = moves[:, :, 1:, 1:].sum(axis=2) + entered
    older = rng.binomial(after, AGEING[None, :, None])
    after -= older
    after[:, 1:] += older[:, :-1]
    return after, entered.sum(axis=1), left.sum(axis=1) + older[:, -1]


def _multinomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Multinomial draws of ``n`` (...) over the last axis of ``p`` (..., k), by successive
    binomials: vectorised over every leading index at once."""
    k = p.shape[-1]
    out = np.empty(p.shape, dtype=np.int64)
    remaining = n.copy()
    mass_left = np.ones(n.shape)
    for j in range(k - 1):
        share = np.divide(p[..., j], mass_left, out=np.zeros(n.shape), where=mass_left > 0)
        drawn = rng.binomial(remaining, np.clip(share, 0.0, 1.0))
        out[..., j] = drawn
        remaining -= drawn
        mass_left -= p[..., j]
    out[..., k - 1] = remaining
    return out
