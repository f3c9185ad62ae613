"""Who the worklist should find on its date: targets worked by hand, and in a small city."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from turnaround.synth.calendar import OPEN, day_number
from turnaround.synth.config import SynthConfig
from turnaround.synth.journeys import simulate_journeys
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.risk import build_risk_spells
from turnaround.synth.rng import rng_for
from turnaround.synth.targets import (
    COLUMNS,
    RECENT_MONTHS,
    remember_recent,
    targets_at,
    unknown_targets,
    worklist_date,
)

DAY = day_number(date(2014, 3, 31))
MONTHS = 5  # November to March: months -5 .. -1 before the worklist date


def _days(*when: str) -> np.ndarray:
    return np.array([day_number(date.fromisoformat(w)) for w in when], dtype=np.int64)


def _hand_built() -> pd.DataFrame:
    """Eight children through five months of risk, to 31 March 2014.

    1  at risk (0.7) in month -4 only (December)            not a target now
    2  at risk in month -1, but 18 on 31 March             not a target
    3  at risk in month -2, left the city on 20 March      not a target
    4  exactly 0.6 in month -3 (January), aged 10          a target
    5  0.45 in month -1                                    high or severe only
    6  0.39 in month -1                                    neither (medium)
    7  at risk in month -1, eighteen tomorrow              a target, aged 17
    8  at risk in month -1, left on the worklist date      not in the city on it
    """
    risk_by_month = np.zeros((MONTHS, 8))
    risk_by_month[1, 0] = 0.7
    risk_by_month[4, 1] = 0.65
    risk_by_month[3, 2] = 0.9
    risk_by_month[2, 3] = 0.6
    risk_by_month[4, 4] = 0.45
    risk_by_month[4, 5] = 0.39
    risk_by_month[4, 6] = 0.8
    risk_by_month[4, 7] = 0.8
    recent = np.zeros((8, RECENT_MONTHS), dtype=np.float32)
    for month in range(MONTHS):
        remember_recent(recent, month, MONTHS, risk_by_month[month].astype(np.float32))
    dob = _days(
        "2005-06-01", "1996-03-31", "2004-01-01", "2003-07-15",
        "2010-02-01", "2012-09-09", "1996-04-01", "2001-01-01",
    )  # fmt: skip
    arrived = _days(*["2000-01-01"] * 8)
    left = np.full(8, OPEN, dtype=np.int64)
    left[2] = day_number(date(2014, 3, 20))
    left[7] = DAY
    return targets_at(np.arange(1, 9), recent, dob, arrived, left, DAY)


def test_only_the_last_three_months_are_remembered() -> None:
    recent = np.zeros((2, RECENT_MONTHS), dtype=np.float32)
    for month in range(MONTHS):
        remember_recent(recent, month, MONTHS, np.array([month, 10 * month], dtype=np.float32))

    assert recent.tolist() == [[2, 3, 4], [20, 30, 40]]


def test_targets_at_the_worklist_date_by_hand() -> None:
    table = _hand_built().set_index("person_id")

    assert tuple(table.reset_index().columns) == COLUMNS
    assert 1 not in table.index  # no risk in the last three months at all
    assert table["at_risk_now"].to_dict() == {
        2: False, 3: False, 4: True, 5: False, 6: False, 7: True, 8: False,
    }  # fmt: skip
    assert table["high_or_severe"].to_dict() == {
        2: False, 3: False, 4: True, 5: True, 6: False, 7: True, 8: False,
    }  # fmt: skip
    assert table["age"].to_dict() == {2: 18, 3: 10, 4: 10, 5: 4, 6: 1, 7: 17, 8: 13}
    assert table["in_city"].to_dict() == {
        2: True, 3: False, 4: True, 5: True, 6: True, 7: True, 8: False,
    }  # fmt: skip
    assert table.loc[4, "risk"] == 0.6 and table.loc[4, "latest_risk"] == 0.0
    assert table["level"].to_dict() == {
        2: "severe", 3: "severe", 4: "severe", 5: "high", 6: "medium", 7: "severe", 8: "severe",
    }  # fmt: skip
    assert (table["worklist_date"] == pd.Timestamp("2014-03-31")).all()


def test_unknown_targets_leave_out_children_social_care_knows() -> None:
    status = pd.DataFrame(
        {
            "person_id": [4, 5, 7],
            "known_status": ["contact_only", "closed_without_assessment", "assessed"],
        }
    )

    table = _hand_built()

    assert list(unknown_targets(table, status)) == [4]
    assert list(unknown_targets(table, status, "high_or_severe")) == [4, 5]


def test_the_worklist_date_ends_the_last_collection_year() -> None:
    assert worklist_date(SynthConfig(children=500, end_year=2014)) == date(2014, 3, 31)


@pytest.fixture(scope="module")
def city():
    config = SynthConfig(children=3_000, seed=21)
    start = simulation_start(config)
    pop = build_population(config, rng_for(21, "population"), start)
    spells = build_risk_spells(pop, rng_for(21, "risk"), start, day_number(config.window_end))
    return config, pop, simulate_journeys(config, pop, spells, rng_for(21, "journeys"), start)


def test_a_citys_targets_now_are_a_narrower_set_than_the_years(city) -> None:
    config, pop, result = city
    targets = result.targets
    assert targets["person_id"].is_unique
    now = targets[targets["at_risk_now"]]
    assert len(now) > 0
    assert (now["risk"] >= 0.6).all() and (now["age"] < 18).all() and now["in_city"].all()
    assert set(now["person_id"]) <= set(targets.loc[targets["high_or_severe"], "person_id"])
    year = result.child_risk[result.child_risk["year"] == config.end_year]
    in_year = set(year.loc[year["at_risk"], "person_id"])
    assert set(now["person_id"]) < in_year  # strictly fewer: some stopped, left or turned 18
    # The last three months fall in the last year, so their risk never exceeds its peak.
    peak = year.set_index("person_id")["risk"]
    assert (targets["risk"].to_numpy() <= peak.reindex(targets["person_id"]).to_numpy()).all()
    # Nobody who left before the date, or was 18 on it, is a target.
    children = pop.children.set_index("person_id").loc[now["person_id"]]
    assert (children["left"].isna() | (children["left"] > pd.Timestamp("2014-03-31"))).all()
    assert (children["dob"] > pd.Timestamp("1996-03-31")).all()
