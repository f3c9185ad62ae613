"""Fitting the demand model: counting month-to-month moves in the rebuilt care histories.

For every pair of consecutive month starts in the window, each child aged 0 to 17 at the
first is counted once in ``flows[band, from, to]`` (band at the first month start):

- in a social care state at both: a stay or a move between states;
- in a social care state, then in none: an exit (``to`` is ``not_in_care``), unless the child
  turned 18, which is counted in ``aged_out`` instead (the model ages children out itself);
- in none, then in a social care state: an entry (``from`` is ``not_in_care``, band at the
  second month start, which catches babies born into care).

Entries are a rate per child outside social care. That pool is the band's share of the
council's 0-17 population (the ``population`` table, for the council ``council_code`` names;
the benchmarks loader fills it, the synthetic city writes its own) less the children in social
care. Ages are taken as evenly spread, so a band holds its width over 18 of the children.
With no population loaded the pool is sized from England's rate of children looked after
(``ENGLAND_LOOKED_AFTER_PER_10000``); the projected entries barely depend on the pool's size,
because the rate is fitted per child of the same pool.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from turnaround.forecast.history import (
    CareHistory,
    collection_year,
    month_start,
    read_history,
)
from turnaround.forecast.model import DemandModel
from turnaround.forecast.states import AGE_BANDS, LOOKED_AFTER, STATES
from turnaround.store.backend import DuckDBBackend

ENGLAND_LOOKED_AFTER_PER_10000 = 60.0
"""Children looked after per 10,000 children in England on 31 March 2014 (DfE SFR 36/2014)."""

BAND_SHARES = np.array([(high - low) / 18 for low, high in AGE_BANDS])


def fit_model(
    store: DuckDBBackend, *, up_to: date | None = None, la_code: str | None = None
) -> DemandModel:
    """Fit the demand model on the returns in the store, using only those ending by ``up_to``.

    The starting stock is the last month start in the window (1 April after the last
    collection year used, when ``up_to`` is a 31 March or None).
    """
    history = read_history(store, up_to=up_to)
    stocks = history.stocks()
    population, source = _population(store, history, stocks, la_code)
    flows, aged_out = count_flows(history, population, stocks)
    stock = stocks[-1].astype(np.float64)
    stock[:, 0] = np.maximum(population[-1] - stock[:, 1:].sum(axis=1), 0.0)
    return DemandModel(
        first_month=month_start(history.first_month),
        stock_date=month_start(history.last_month),
        flows=flows,
        aged_out=aged_out,
        stock=stock,
        population=population[-1],
        population_source=source,
    )


def count_flows(
    history: CareHistory, population: np.ndarray, stocks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Month-to-month moves by band: ``flows`` (bands, states, states) and ``aged_out``.

    ``population`` is (months, bands): the 0-17 children in each band at each month start;
    ``stocks`` is ``history.stocks()``. ``flows[b, 0, 0]`` is the child-months spent outside
    social care that did not end in an entry.
    """
    bands, states = len(AGE_BANDS), len(STATES)
    flows = np.zeros((bands, states, states), dtype=np.float64)
    aged_out = np.zeros((bands, states), dtype=np.float64)
    child, month, state, band = history.child, history.month, history.state, history.band
    last = history.last_month
    same_next = np.zeros(len(child), dtype=bool)
    if len(child) > 1:
        same_next[:-1] = (child[1:] == child[:-1]) & (month[1:] == month[:-1] + 1)
    same_prev = np.zeros(len(child), dtype=bool)
    same_prev[1:] = same_next[:-1]
    observed = month < last
    moved = observed & same_next
    nxt = np.flatnonzero(moved) + 1
    np.add.at(flows, (band[moved], state[moved], state[nxt]), 1)
    left = observed & ~same_next
    out = left & ~history.leaves_at_18
    np.add.at(flows, (band[out], state[out], 0), 1)
    old = left & history.leaves_at_18
    np.add.at(aged_out, (band[old], state[old]), 1)
    came = (month > history.first_month) & ~same_prev
    np.add.at(flows, (band[came], np.zeros(int(came.sum()), dtype=np.int64), state[came]), 1)
    pool = population[:-1] - stocks[:-1, :, 1:].sum(axis=2)
    flows[:, 0, 0] = np.maximum(pool.sum(axis=0) - flows[:, 0, 1:].sum(axis=1), 0.0)
    return flows, aged_out


def _population(
    store: DuckDBBackend, history: CareHistory, stocks: np.ndarray, la_code: str | None
) -> tuple[np.ndarray, str]:
    """Children 0-17 in each band at each month start (months, bands), and where from."""
    by_year = _population_by_year(store, la_code)
    # Only the years the returns cover: a store may also hold published estimates for later
    # years (or for the real council a synthetic city is scaled from), which are not the
    # population these rates were measured on.
    last_year = collection_year(month_start(history.last_month)) - 1
    covered = {year: n for year, n in by_year.items() if year <= last_year}
    by_year = covered or by_year
    if by_year:
        known = np.array(sorted(by_year))
        totals = []
        for offset in range(history.months):
            year = collection_year(month_start(history.first_month + offset))
            nearest = int(known[np.argmin(np.abs(known - year))])
            totals.append(by_year[nearest])
        source = f"population table ({', '.join(str(y) for y in known)})"
        return np.outer(totals, BAND_SHARES), source
    looked_after = [STATES.index(s) for s in LOOKED_AFTER]
    per_month = stocks[:, :, looked_after].sum(axis=(1, 2)).astype(np.float64)
    total = max(per_month.mean(), 1.0) * 10_000 / ENGLAND_LOOKED_AFTER_PER_10000
    source = (
        f"no population loaded: {total:,.0f} children, from England's "
        f"{ENGLAND_LOOKED_AFTER_PER_10000:g} looked after per 10,000"
    )
    return np.outer(np.full(history.months, total), BAND_SHARES), source


def _population_by_year(store: DuckDBBackend, la_code: str | None) -> dict[int, float]:
    if not store.table_exists("population"):
        return {}
    from turnaround.measures.compute import council_code

    code = council_code(store, la_code)
    if code is None:
        return {}
    rows = store.fetch_arrow(
        "select year, children from population where la_code = ?",
        [code],
        step="reading the population",
    ).to_pylist()
    return {int(row["year"]): float(row["children"]) for row in rows}
