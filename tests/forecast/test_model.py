"""The demand model: fitting recovers known rates, and projections conserve children."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.forecast.histories import BAND, DOB, RATES, simulate_paths, write_paths
from turnaround.errors import ConfigError
from turnaround.forecast.fit import fit_model
from turnaround.forecast.model import (
    AGEING,
    Adjustment,
    DemandModel,
    EntryChange,
    Redirect,
    project,
)
from turnaround.forecast.placement import placement_state
from turnaround.forecast.states import AGE_BANDS, LOOKED_AFTER, STATES
from turnaround.store import Store, open_store

N_BANDS, N_STATES = len(AGE_BANDS), len(STATES)
S = {name: i for i, name in enumerate(STATES)}


@pytest.fixture(scope="module")
def known_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """20,000 children moving by the known RATES for five years."""
    store = open_store(tmp_path_factory.mktemp("known") / "store.duckdb")
    children = 20_000
    write_paths(store, simulate_paths(children, seed=7), population=children * 3)
    return store


@pytest.fixture(scope="module")
def known_model(known_store: Store) -> DemandModel:
    return fit_model(known_store)


def hand_model(
    *,
    stock: dict[tuple[int, str], int] | None = None,
    flows: dict[tuple[int, str, str], float] | None = None,
    population: float = 0.0,
    prior_strength: float = 0.0,
) -> DemandModel:
    """A model written by hand: counted moves, stock and population per band."""
    counts = np.zeros((N_BANDS, N_STATES, N_STATES))
    for (b, source, target), n in (flows or {}).items():
        counts[b, S[source], S[target]] = n
    held = np.zeros((N_BANDS, N_STATES))
    for (b, state), n in (stock or {}).items():
        held[b, S[state]] = n
    bands = np.full(N_BANDS, population / N_BANDS)
    held[:, 0] = bands - held[:, 1:].sum(axis=1)
    return DemandModel(
        first_month=date(2013, 4, 1),
        stock_date=date(2014, 4, 1),
        flows=counts,
        aged_out=np.zeros((N_BANDS, N_STATES)),
        stock=held,
        population=bands,
        population_source="by hand",
        prior_strength=prior_strength,
    )


def in_care(counts: np.ndarray) -> np.ndarray:
    return np.asarray(counts[..., 1:].sum(axis=-1))


# Fitting


def test_fit_recovers_the_known_monthly_rates(known_model: DemandModel) -> None:
    rates, exposure = known_model.rates[BAND], known_model.exposure[BAND]
    for source, moves in RATES.items():
        i = S[source]
        assert exposure[i] > 300, source
        for target, p in moves.items():
            fitted = rates[i, S[target]]
            tolerance = 4 * np.sqrt(p * (1 - p) / exposure[i])
            assert abs(fitted - p) < tolerance, (source, target, fitted, p)
        others = [j for j in range(N_STATES) if j != i and STATES[j] not in moves]
        assert rates[i, others].sum() < 1e-3, source


def test_fit_counts_the_window_and_the_stock(known_store: Store, known_model: DemandModel) -> None:
    assert known_model.first_month == date(2009, 4, 1)
    assert known_model.stock_date == date(2014, 4, 1)
    # Every child is 10 to 15, so every count sits in one band.
    elsewhere = np.delete(known_model.flows, BAND, axis=0)[:, 1:, :]
    assert elsewhere.sum() == 0
    assert known_model.stock[BAND, 1:].sum() > 0
    assert known_model.stock[BAND, 0] == 20_000 - known_model.stock[BAND, 1:].sum()
    assert known_model.aged_out.sum() == 0


def test_fit_up_to_a_date_uses_only_the_returns_before_it(known_store: Store) -> None:
    early = fit_model(known_store, up_to=date(2012, 3, 31))
    assert early.stock_date == date(2012, 4, 1)
    # Three collection years of month-to-month moves: 36 months of the 20,000 children.
    assert early.flows[BAND].sum() == pytest.approx(36 * 20_000)


def one_child_store(path: Path) -> Store:
    """One child: referred 10 May 2012, on a plan 3 Aug, in care 20 Nov (U6 with an agency),
    moved to a children's home run by the council 5 Jan 2013, home on 14 Mar 2013."""
    store = open_store(path)
    rows = {
        "cin_episodes": [
            {
                "child_id": "A1",
                "episode": 1,
                "referral_date": date(2012, 5, 10),
                "closure_date": date(2013, 3, 14),
                "referral_nfa": False,
                "year": 2013,
            },
            # Another child's referral with no further action: not in need.
            {
                "child_id": "B2",
                "episode": 1,
                "referral_date": date(2012, 6, 1),
                "closure_date": date(2012, 6, 2),
                "referral_nfa": True,
                "year": 2013,
            },
        ],
        "cin_cp_plans": [
            {
                "child_id": "A1",
                "episode": 1,
                "cp_plan": 1,
                "start_date": date(2012, 8, 3),
                "end_date": date(2012, 11, 20),
                "year": 2013,
            },
        ],
        "ssda903_episodes": [
            {
                "child": "A1",
                "decom": date(2012, 11, 20),
                "place": "U6",
                "place_provider": "PR4",
                "dec": date(2013, 1, 5),
                "year": 2013,
            },
            {
                "child": "A1",
                "decom": date(2013, 1, 5),
                "place": "K2",
                "place_provider": "PR1",
                "dec": date(2013, 3, 14),
                "year": 2013,
            },
        ],
        "ssda903_header": [{"child": "A1", "dob": date(2006, 2, 1), "year": 2013}],
        "cin_children": [
            {"child_id": "A1", "dob": date(2006, 2, 1), "year": 2013},
            {"child_id": "B2", "dob": date(2008, 2, 1), "year": 2013},
        ],
    }
    for table, found in rows.items():
        store.register("_rows", pa.Table.from_pylist([{**r, "load_id": "t"} for r in found]))
        store.execute(f"insert into {table} by name select * from _rows")
        store.unregister("_rows")
    return store


def test_fit_counts_one_childs_moves_by_hand(tmp_path: Path) -> None:
    model = fit_model(one_child_store(tmp_path / "one.duckdb"))
    band = AGE_BANDS.index((5, 10))  # aged 6 and 7 through the year
    flows = model.flows[band]
    # Month starts 1 Apr 2012 .. 1 Apr 2013: in need on 1 Jun-1 Aug (3), on a plan 1 Sep-1 Nov
    # (3), agency fostering 1 Dec-1 Jan (2), in-house residential 1 Feb-1 Mar (2).
    expected = {
        ("not_in_care", "in_need"): 1,
        ("in_need", "in_need"): 2,
        ("in_need", "child_protection"): 1,
        ("child_protection", "child_protection"): 2,
        ("child_protection", "fostering_agency"): 1,
        ("fostering_agency", "fostering_agency"): 1,
        ("fostering_agency", "residential_in_house"): 1,
        ("residential_in_house", "residential_in_house"): 1,
        ("residential_in_house", "not_in_care"): 1,
    }
    care = flows.copy()
    care[0, 0] = 0
    for (source, target), n in expected.items():
        assert care[S[source], S[target]] == n, (source, target)
    assert care.sum() == sum(expected.values())
    assert model.stock[:, 1:].sum() == 0
    # No population loaded: a pool sized from England's rate, per the documented fallback.
    assert "no population" in model.population_source


@pytest.mark.parametrize(
    ("place", "provider", "state"),
    [
        ("U1", "PR1", "family_and_friends"),
        ("U3", "PR4", "family_and_friends"),
        ("U4", "PR1", "fostering_in_house"),
        ("U6", "PR2", "fostering_in_house"),
        ("U5", "PR5", "fostering_agency"),
        ("U6", None, "fostering_in_house"),
        ("K2", "PR1", "residential_in_house"),
        ("K2", "PR4", "residential_external"),
        ("R1", "PR5", "residential_external"),
        ("K1", "PR2", "secure"),
        ("H5", "PR4", "supported_accommodation"),
        ("P2", "PR1", "supported_accommodation"),
        ("P1", "PR0", "placed_with_parents"),
        ("A4", "PR1", "placed_for_adoption"),
        ("T1", None, "other_looked_after"),
        (None, None, "other_looked_after"),
    ],
)
def test_placement_state(place: str | None, provider: str | None, state: str) -> None:
    assert placement_state(place, provider) == state


# Projection


def test_projection_conserves_children_exactly(known_model: DemandModel) -> None:
    projection = project(known_model, runs=50, months=60, seed=3)
    change = np.diff(in_care(projection.counts), axis=1)
    assert np.array_equal(change, projection.entries.sum(axis=2) - projection.exits.sum(axis=2))
    assert (projection.counts >= 0).all()
    assert (projection.entries[:, :, 0] == 0).all() and (projection.exits[:, :, 0] == 0).all()
    total = projection.counts.sum(axis=2)
    assert (total == total[0, 0]).all()  # the pool is the population less those in care


@settings(max_examples=25, deadline=None)
@given(
    stock=st.lists(st.integers(0, 40), min_size=N_STATES - 1, max_size=N_STATES - 1),
    moves=st.lists(st.floats(0, 50), min_size=N_STATES, max_size=N_STATES),
    seed=st.integers(0, 2**32 - 1),
)
def test_conservation_holds_for_any_rates(stock: list[int], moves: list[float], seed: int) -> None:
    flows = {}
    for i, state in enumerate(STATES):
        flows[(3, state, STATES[(i + 1) % N_STATES])] = moves[i]
        flows[(3, state, state)] = 10.0
    model = hand_model(
        stock={(3, s): n for s, n in zip(STATES[1:], stock, strict=True)},
        flows=flows,
        population=5_000,
        prior_strength=1.0,
    )
    projection = project(model, runs=8, months=24, seed=seed)
    change = np.diff(in_care(projection.counts), axis=1)
    assert np.array_equal(change, projection.entries.sum(axis=2) - projection.exits.sum(axis=2))
    assert (projection.counts >= 0).all()


def test_zero_rates_leave_an_empty_system_empty() -> None:
    projection = project(hand_model(population=10_000), runs=20, months=24)
    assert in_care(projection.counts).sum() == 0
    assert projection.entries.sum() == 0 and projection.exits.sum() == 0
    assert (projection.counts[:, :, 0] == 10_000).all()


def test_everyone_leaving_leaves_in_one_month() -> None:
    model = hand_model(
        stock={(2, "in_need"): 10}, flows={(2, "in_need", "not_in_care"): 100}, population=100
    )
    projection = project(model, runs=5, months=3)
    assert (projection.counts[:, 0, S["in_need"]] == 10).all()
    assert (projection.counts[:, 1:, 1:] == 0).all()
    assert (projection.exits[:, 0, S["in_need"]] == 10).all()


def test_ageing_out_at_18_by_hand() -> None:
    """With no moves, 1/24 of the top band turns 18 each month: 1000 * (23/24)**12 remain."""
    top = len(AGE_BANDS) - 1
    model = hand_model(
        stock={(top, "fostering_in_house"): 1000},
        flows={(top, "fostering_in_house", "fostering_in_house"): 1e6},
    )
    projection = project(model, runs=400, months=12)
    remaining = projection.counts[:, 12, S["fostering_in_house"]]
    expected = 1000 * (1 - AGEING[top]) ** 12
    assert remaining.mean() == pytest.approx(expected, abs=2.0)
    assert projection.exits.sum(axis=(1, 2)).mean() == pytest.approx(1000 - expected, abs=2.0)


def test_an_unseen_state_stays_empty_and_takes_the_average_moves_when_filled() -> None:
    flows = {
        (3, "fostering_in_house", "fostering_in_house"): 900.0,
        (3, "fostering_in_house", "not_in_care"): 100.0,
    }
    model = hand_model(stock={(3, "fostering_in_house"): 50}, flows=flows, prior_strength=6.0)
    assert np.isfinite(model.rates).all()
    secure = model.rates[3, S["secure"]]
    assert secure[S["secure"]] == pytest.approx(0.9) and secure[0] == pytest.approx(0.1)
    projection = project(model, runs=20, months=12)
    assert (projection.counts[:, :, S["secure"]] == 0).all()


def test_same_seed_same_projection_and_another_seed_differs(known_model: DemandModel) -> None:
    a = project(known_model, runs=30, months=24, seed=11)
    b = project(known_model, runs=30, months=24, seed=11)
    c = project(known_model, runs=30, months=24, seed=12)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.entries, b.entries)
    assert not np.array_equal(a.counts, c.counts)


def test_quantiles_are_ordered_and_spread(known_model: DemandModel) -> None:
    projection = project(known_model, runs=200, months=60)
    p10, p50, p90 = projection.quantiles(LOOKED_AFTER)
    assert (p10 <= p50).all() and (p50 <= p90).all()
    assert p90[-1] > p10[-1]
    assert p10[0] == p90[0] == known_model.stock[:, 3:].sum()


def test_a_later_start_warms_up_from_the_stock(known_model: DemandModel) -> None:
    projection = project(known_model, start=date(2015, 4, 1), runs=10, months=12)
    assert projection.start == date(2015, 4, 1) and projection.counts.shape == (10, 13, N_STATES)
    with pytest.raises(ConfigError):
        project(known_model, start=date(2013, 4, 1))


# Scenario hooks


def test_entry_change_to_zero_stops_entries(known_model: DemandModel) -> None:
    stop = Adjustment(entries=(EntryChange(0.0),))
    projection = project(known_model, runs=20, months=24, adjust=stop)
    assert projection.entries.sum() == 0


def test_entry_change_scales_entries_for_the_named_state_only(known_model: DemandModel) -> None:
    half = Adjustment(entries=(EntryChange(0.5, states=("in_need",), bands=(BAND,)),))
    base = known_model.rates
    adjusted = half.apply(base, 0)
    assert adjusted[BAND, 0, S["in_need"]] == pytest.approx(base[BAND, 0, S["in_need"]] / 2)
    assert adjusted[BAND, 0, S["child_protection"]] == base[BAND, 0, S["child_protection"]]
    assert np.array_equal(np.delete(adjusted, BAND, axis=0), np.delete(base, BAND, axis=0))
    assert np.array_equal(adjusted[:, 1:], base[:, 1:])
    assert np.allclose(adjusted.sum(axis=2), 1.0)


def test_redirect_moves_inflows_but_not_the_existing_stock(known_model: DemandModel) -> None:
    all_of_it = Adjustment(redirects=(Redirect("residential_external", "fostering_in_house", 1),))
    base = known_model.rates
    adjusted = all_of_it.apply(base, 0)
    r, f = S["residential_external"], S["fostering_in_house"]
    column = np.delete(adjusted[:, :, r], r, axis=1)
    assert (column == 0).all()
    assert np.array_equal(adjusted[:, r, r], base[:, r, r])
    assert np.allclose(adjusted.sum(axis=2), 1.0)
    assert adjusted[BAND, f, f] == pytest.approx(base[BAND, f, f] + base[BAND, f, r])
    projection = project(known_model, runs=20, months=36, adjust=all_of_it)
    residential = projection.counts[:, :, r]
    assert (np.diff(residential, axis=1) <= 0).all()


def test_changes_phase_in_from_their_start_month() -> None:
    change = EntryChange(0.0, start_month=12, ramp_months=4)
    adjust = Adjustment(entries=(change,))
    assert [adjust.weights(m)[0] for m in (0, 11, 12, 13, 15, 40)] == [0, 0, 0.25, 0.5, 1, 1]


def test_bad_changes_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown care state"):
        Redirect("residential", "fostering_in_house", 0.5)
    with pytest.raises(ConfigError, match="pool"):
        EntryChange(2.0, states=("not_in_care",))
    with pytest.raises(ConfigError):
        Redirect("secure", "fostering_in_house", 1.5)
    with pytest.raises(ConfigError):
        EntryChange(1.0, bands=(7,))


def test_dob_is_in_the_expected_band() -> None:
    assert AGE_BANDS[BAND] == (10, 16) and DOB.year == 1998
