"""Back-testing the demand model against history and against two naive forecasts.

For each origin year t the returns allow, the model is fitted on the collection years up to t
(``fit_model(store, up_to=31 March t)``) and its median projection of the 31 March stocks of
t+1 to t+3 is compared with what the returns show. The naive forecasts are the last value (the
31 March t stock) and a linear trend (a least-squares line through every 31 March stock up to
t; the last value when there is only one). Errors are percentages of the actual stock:
MAPE, the mean absolute one, and bias, the mean signed one (positive: forecasts too high).
A stock of zero has no percentage error and is left out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from turnaround.forecast.fit import fit_model
from turnaround.forecast.history import observed_stocks
from turnaround.forecast.model import project
from turnaround.forecast.states import LOOKED_AFTER, STATES
from turnaround.store.backend import DuckDBBackend

SERIES: dict[str, tuple[str, ...]] = {
    "looked_after": LOOKED_AFTER,
    **{state: (state,) for state in LOOKED_AFTER},
    "child_protection": ("child_protection",),
    "in_need": ("in_need",),
}
"""What is forecast and scored: the looked-after total, each placement category, CP and CIN."""

METHODS = ("model", "last_value", "linear_trend")


def backtest_forecasts(
    store: DuckDBBackend,
    *,
    horizons: int = 3,
    runs: int = 200,
    seed: int = 0,
    origins: list[int] | None = None,
) -> pd.DataFrame:
    """Every back-test forecast: origin, horizon, year, series, method, predicted, actual.

    ``origins`` are years whose 31 March the forecasts start from; by default every year with
    at least one year of history before it and one after.
    """
    actual = observed_stocks(store)
    years = [int(y) for y in actual.index]
    if origins is None:
        origins = [t for t in years[1:] if t + 1 in actual.index]
    totals = pd.DataFrame(
        {name: actual[list(states)].sum(axis=1) for name, states in SERIES.items()}
    )
    rows = []
    for t in origins:
        model = fit_model(store, up_to=date(t, 3, 31))
        ahead = [h for h in range(1, horizons + 1) if t + h in actual.index]
        if not ahead:
            continue
        projection = project(model, months=12 * max(ahead), runs=runs, seed=seed)
        # The baselines see only what the model saw: the returns up to t, before any revision.
        known = observed_stocks(store, up_to=date(t, 3, 31))
        history = pd.DataFrame(
            {name: known[list(states)].sum(axis=1) for name, states in SERIES.items()}
        ).loc[[y for y in known.index if y <= t]]
        for name, states in SERIES.items():
            median = np.median(
                projection.counts[:, :, [STATES.index(s) for s in states]].sum(axis=2), axis=0
            )
            for h in ahead:
                predicted = {
                    "model": float(median[12 * h]),
                    "last_value": float(history[name].iloc[-1]),
                    "linear_trend": _trend(history[name], t + h),
                }
                for method in METHODS:
                    rows.append(
                        {
                            "origin": t,
                            "horizon": h,
                            "year": t + h,
                            "series": name,
                            "method": method,
                            "predicted": predicted[method],
                            "actual": float(totals[name].to_numpy()[years.index(t + h)]),
                        }
                    )
    return pd.DataFrame(
        rows,
        columns=["origin", "horizon", "year", "series", "method", "predicted", "actual"],
    )


def backtest(
    store: DuckDBBackend,
    *,
    horizons: int = 3,
    runs: int = 200,
    seed: int = 0,
    origins: list[int] | None = None,
) -> pd.DataFrame:
    """The back-test table: per series and method, forecasts scored, MAPE and bias (%)."""
    forecasts = backtest_forecasts(store, horizons=horizons, runs=runs, seed=seed, origins=origins)
    return score(forecasts)


def score(forecasts: pd.DataFrame) -> pd.DataFrame:
    """MAPE and bias per series and method from ``backtest_forecasts`` rows."""
    scored = forecasts[forecasts["actual"] > 0].copy()
    scored["error"] = (scored["predicted"] - scored["actual"]) / scored["actual"] * 100
    order = {name: i for i, name in enumerate(SERIES)}
    table = (
        scored.groupby(["series", "method"], sort=False)["error"]
        .agg(
            forecasts="count",
            mape=lambda e: float(np.abs(e).mean()),
            bias="mean",
        )
        .reset_index()
    )
    table["_series"] = table["series"].map(order)
    table["_method"] = table["method"].map({m: i for i, m in enumerate(METHODS)})
    table = table.sort_values(["_series", "_method"]).drop(columns=["_series", "_method"])
    return table.reset_index(drop=True)


def _trend(history: pd.Series, year: int) -> float:
    """A least-squares line through the yearly stocks, read at ``year`` (never below zero)."""
    if len(history) < 2:
        return float(history.iloc[-1])
    x = history.index.to_numpy(dtype=np.float64)
    slope, intercept = np.polyfit(x, history.to_numpy(dtype=np.float64), 1)
    return max(0.0, float(slope * year + intercept))
