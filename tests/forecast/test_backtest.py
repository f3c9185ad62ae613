"""The back-test: forecasts from each origin year, scored against what the returns show."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.forecast.histories import simulate_paths, write_paths
from turnaround.forecast.backtest import METHODS, SERIES, backtest, backtest_forecasts, score
from turnaround.forecast.history import observed_stocks
from turnaround.store import Store, open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("backtest") / "store.duckdb")
    write_paths(store, simulate_paths(5_000, seed=3), population=15_000)
    return store


def test_observed_stocks_are_the_31_march_counts(store: Store) -> None:
    stocks = observed_stocks(store)
    assert list(stocks.index) == [2009, 2010, 2011, 2012, 2013, 2014]
    assert stocks.loc[2009].sum() == 0  # every child starts outside social care
    assert stocks["in_need"].to_numpy()[-1] > 0


def test_forecasts_cover_every_origin_horizon_series_and_method(store: Store) -> None:
    forecasts = backtest_forecasts(store, runs=20)
    # Origins 2010-2013; horizons up to three years while the returns last: 3+3+2+1.
    assert sorted(forecasts["origin"].unique()) == [2010, 2011, 2012, 2013]
    assert len(forecasts) == 9 * len(SERIES) * len(METHODS)
    stocks = observed_stocks(store)
    row = forecasts[(forecasts["origin"] == 2012) & (forecasts["series"] == "in_need")]
    last = row[row["method"] == "last_value"]
    assert (last["predicted"] == stocks.at[2012, "in_need"]).all()
    assert list(last["actual"]) == [stocks.at[2013, "in_need"], stocks.at[2014, "in_need"]]


def test_score_by_hand() -> None:
    forecasts = pd.DataFrame(
        {
            "series": ["looked_after"] * 3,
            "method": ["model"] * 3,
            "predicted": [110.0, 90.0, 5.0],
            "actual": [100.0, 100.0, 0.0],  # a zero stock has no percentage error
        }
    )
    table = score(forecasts)
    assert table.to_dict("records") == [
        {"series": "looked_after", "method": "model", "forecasts": 2, "mape": 10.0, "bias": 0.0}
    ]


def test_backtest_table_has_a_row_per_series_and_method(store: Store) -> None:
    table = backtest(store, runs=20, origins=[2012])
    assert list(table.columns) == ["series", "method", "forecasts", "mape", "bias"]
    assert list(table["series"].unique()) == [s for s in SERIES if s in set(table["series"])]
    assert set(table["method"]) == set(METHODS)
    in_need = table[table["series"] == "in_need"].set_index("method")
    assert (in_need["forecasts"] == 2).all()
    assert in_need["mape"].to_numpy()[0] < 25  # model first
