"""Care histories drawn from known monthly rates, written into a store's return tables.

Every child is aged 10 to 15 for the whole window (1 April 2009 to 1 April 2014), so all of
them sit in one age band. Each month a child moves by ``RATES``; each run of months in one
state becomes one record (a CIN episode, a CP plan or an SSDA903 episode), repeated in every
collection year it is open in, as real returns repeat open spans.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from turnaround.forecast.states import AGE_BANDS, STATES
from turnaround.store import Store

FIRST_YEAR, LAST_YEAR = 2010, 2014
MONTHS = 60  # month starts 1 April 2009 (month 0) to 1 April 2014 (month 60)
DOB = date(1998, 6, 15)
BAND = AGE_BANDS.index((10, 16))

RATES: dict[str, dict[str, float]] = {
    "not_in_care": {"in_need": 0.004, "child_protection": 0.0005},
    "in_need": {"child_protection": 0.03, "not_in_care": 0.05},
    "child_protection": {"fostering_in_house": 0.02, "in_need": 0.05, "not_in_care": 0.03},
    "fostering_in_house": {"residential_external": 0.01, "not_in_care": 0.03},
    "residential_external": {"fostering_in_house": 0.02, "not_in_care": 0.02},
}
"""Known monthly probabilities of moving from one state (key) to another; the rest stay."""

PLACE = {"fostering_in_house": ("U4", "PR1"), "residential_external": ("K2", "PR4")}


def transition_matrix() -> np.ndarray:
    """``RATES`` as a (states, states) matrix whose rows sum to one."""
    n = len(STATES)
    matrix = np.zeros((n, n))
    for source, moves in RATES.items():
        i = STATES.index(source)
        for target, p in moves.items():
            matrix[i, STATES.index(target)] = p
        matrix[i, i] = 1 - sum(moves.values())
    for i in range(n):
        if matrix[i].sum() == 0:
            matrix[i, i] = 1.0
    return matrix


def simulate_paths(children: int, seed: int) -> np.ndarray:
    """Each child's state index at month starts 0..MONTHS: (children, MONTHS + 1)."""
    rng = np.random.default_rng(seed)
    matrix = transition_matrix()
    cumulative = matrix.cumsum(axis=1)
    paths = np.zeros((children, MONTHS + 1), dtype=np.int64)
    for m in range(MONTHS):
        u = rng.random(children)
        rows = cumulative[paths[:, m]]
        paths[:, m + 1] = np.minimum((u[:, None] > rows).sum(axis=1), len(STATES) - 1)
    return paths


def month_day(month: int, day: int = 15) -> date:
    """A day inside month ``month`` of the window (0 is April 2009)."""
    number = 2009 * 12 + 3 + month
    return date(number // 12, number % 12 + 1, day)


def write_paths(store: Store, paths: np.ndarray, *, population: int | None = None) -> None:
    """Write the paths as SSDA903, CIN census and population rows."""
    episodes: list[dict[str, object]] = []
    need: list[dict[str, object]] = []
    plans: list[dict[str, object]] = []
    people: set[str] = set()
    for c, path in enumerate(paths):
        child = f"K{c:06d}"
        m = 0
        while m <= MONTHS:
            state = STATES[path[m]]
            end = m
            while end + 1 <= MONTHS and path[end + 1] == path[m]:
                end += 1
            if state != "not_in_care":
                people.add(child)
                # In the state at month starts m..end: began in month m - 1, ended in month end.
                start = month_day(m - 1)
                stop = month_day(end) if end < MONTHS else None
                for row in _yearly(child, start, stop):
                    if state == "in_need":
                        need.append(row)
                    elif state == "child_protection":
                        plans.append(row)
                    else:
                        place, provider = PLACE[state]
                        episodes.append({**row, "place": place, "place_provider": provider})
            m = end + 1
    _insert(
        store,
        "ssda903_episodes",
        [
            {
                "child": r["child"],
                "decom": r["start"],
                "dec": r["stop"],
                "place": r["place"],
                "place_provider": r["place_provider"],
                "rne": "S",
                "year": r["year"],
            }
            for r in episodes
        ],
    )
    _insert(
        store,
        "cin_episodes",
        [
            {
                "child_id": r["child"],
                "episode": 1,
                "referral_date": r["start"],
                "closure_date": r["stop"],
                "referral_nfa": False,
                "year": r["year"],
            }
            for r in need
        ],
    )
    _insert(
        store,
        "cin_cp_plans",
        [
            {
                "child_id": r["child"],
                "episode": 1,
                "cp_plan": 1,
                "start_date": r["start"],
                "end_date": r["stop"],
                "year": r["year"],
            }
            for r in plans
        ],
    )
    header = [{"child": c, "sex": "1", "dob": DOB, "year": LAST_YEAR} for c in sorted(people)]
    _insert(store, "ssda903_header", header)
    children = [{"child_id": c, "dob": DOB, "year": LAST_YEAR} for c in sorted(people)]
    _insert(store, "cin_children", children)
    if population is not None:
        rows = [
            {"year": y, "la_code": "999", "children": population, "source": "local"}
            for y in range(FIRST_YEAR, LAST_YEAR + 1)
        ]
        store.register("_rows", pa.Table.from_pylist(rows))
        store.execute("insert into population by name select * from _rows")
        store.unregister("_rows")


def _yearly(child: str, start: date, stop: date | None) -> list[dict[str, object]]:
    """One row per collection year the span is open in, open (no end) before its last."""
    first = max(FIRST_YEAR, start.year + (1 if start.month >= 4 else 0))
    last = LAST_YEAR if stop is None else stop.year + (1 if stop.month >= 4 else 0)
    rows = []
    for year in range(first, last + 1):
        ended = stop if stop is not None and stop <= date(year, 3, 31) else None
        rows.append({"child": child, "start": start, "stop": ended, "year": year})
    return rows


def _insert(store: Store, table: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    frame = pa.Table.from_pylist([{**r, "load_id": "test"} for r in rows])
    store.register("_rows", frame)
    store.execute(f"insert into {table} by name select * from _rows")
    store.unregister("_rows")
