"""Progress against hand-set measure values: ratings, the path, worst-of, and actions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from turnaround.plan.model import PlanMeasure, parse_plan
from turnaround.plan.progress import (
    TOLERANCE,
    assess,
    default_as_at,
    measure_values,
    path_value,
    plan_measure_ids,
    rate_measure,
    worst,
)
from turnaround.store import open_store

# 31 March 2012 to 31 March 2016 is 1,461 days (29 February 2016 falls inside); to 31 March
# 2014 is 730 (29 February 2012 falls before it).
SHARE_2014 = 730 / 1461
AS_AT = date(2014, 6, 1)
WORKSPACE = Path(__file__).resolve().parents[2] / "workspace" / "turnaround.duckdb"


def higher(target: float = 90.0, by: date = date(2016, 3, 31)) -> PlanMeasure:
    """A higher-is-better measure: assessments on time, from 80% in 2012."""
    return PlanMeasure(id="assessments_within_45_days", baseline_year=2012, target=target, by=by)


def lower(target: float = 16.0) -> PlanMeasure:
    """A lower-is-better measure: caseload, from 20 in 2012."""
    return PlanMeasure(
        id="workforce_caseload", baseline_year=2012, target=target, by=date(2016, 3, 31)
    )


def test_path_is_the_straight_line_from_baseline_to_target() -> None:
    at = path_value(80.0, date(2012, 3, 31), 90.0, date(2016, 3, 31), date(2014, 3, 31))
    assert at == pytest.approx(80 + 10 * SHARE_2014)  # 84.9966...
    assert path_value(80.0, date(2012, 3, 31), 90.0, date(2016, 3, 31), date(2011, 3, 31)) == 80
    assert path_value(80.0, date(2012, 3, 31), 90.0, date(2016, 3, 31), date(2017, 3, 31)) == 90
    rated = rate_measure(higher(), {2012: 80.0, 2014: 85.1}, AS_AT)
    assert rated.path == pytest.approx(84.9966, abs=1e-4)
    assert rated.tolerance == pytest.approx(TOLERANCE * 10)


@pytest.mark.parametrize(
    ("current", "rating"),
    [
        (85.0, "on track"),  # at least the path's 84.997
        (84.5, "at risk"),  # 0.5 behind: within the tolerance of 1.0
        (82.0, "at risk"),  # 3 behind, but better than the baseline 80
        (80.0, "off track"),  # no better than the baseline
        (79.0, "off track"),
    ],
)
def test_higher_is_better(current: float, rating: str) -> None:
    rated = rate_measure(higher(), {2011: 70.0, 2012: 80.0, 2013: 81.0, 2014: current}, AS_AT)
    assert (rated.baseline, rated.current, rated.current_year) == (80.0, current, 2014)
    assert rated.rating == rating, rated.reason


@pytest.mark.parametrize(
    ("current", "rating"),
    [
        (18.0, "on track"),  # below the path's 18.001
        (18.3, "at risk"),  # 0.3 behind: within the tolerance of 0.4
        (19.0, "at risk"),  # behind, but better than the baseline 20
        (20.0, "off track"),
        (21.0, "off track"),
    ],
)
def test_lower_is_better(current: float, rating: str) -> None:
    rated = rate_measure(lower(), {2012: 20.0, 2014: current}, AS_AT)
    assert rated.path == pytest.approx(20 - 4 * SHARE_2014)
    assert rated.rating == rating, rated.reason


def test_values_after_as_at_are_not_used() -> None:
    rated = rate_measure(higher(), {2012: 80.0, 2014: 85.1, 2015: 70.0}, AS_AT)
    assert rated.current_year == 2014
    assert rated.trend == ((2012, 80.0), (2014, 85.1))


@pytest.mark.parametrize(
    "series",
    [
        {},  # nothing at all
        {2013: 82.0, 2014: 85.0},  # no baseline value
        {2012: None, 2014: 85.0},  # the baseline year could not be computed
        {2012: 80.0, 2014: None, 2011: 70.0},  # the latest year could not be computed
        {2012: 80.0, 2011: 70.0},  # nothing after the baseline year
    ],
)
def test_no_data(series: dict[int, float | None]) -> None:
    assert rate_measure(higher(), series, AS_AT).rating == "no data"


def test_no_target_is_no_data() -> None:
    measure = PlanMeasure(id="assessments_within_45_days", baseline_year=2012)
    assert rate_measure(measure, {2012: 80.0, 2014: 85.0}, AS_AT).rating == "no data"


def test_target_date_passed_unmet_is_off_track() -> None:
    late = date(2016, 6, 1)
    # 89 is better than the baseline and within the tolerance of the target, but too late.
    assert rate_measure(higher(), {2012: 80.0, 2016: 89.0}, late).rating == "off track"
    assert rate_measure(higher(), {2012: 80.0, 2016: 90.0}, late).rating == "on track"
    # Stale data after the date is judged against the target too.
    assert rate_measure(higher(), {2012: 80.0, 2015: 89.5}, late).rating == "off track"
    # Before the date, the same 89 is judged against the path (87.5 in 2015): on track.
    assert rate_measure(higher(), {2012: 80.0, 2015: 89.0}, AS_AT.replace(2015)).rating == (
        "on track"
    )


def test_holding_a_higher_is_better_measure() -> None:
    hold = higher(target=80.0)  # target equals the baseline: 'better' gives the direction
    assert rate_measure(hold, {2012: 80.0, 2014: 81.0}, AS_AT).rating == "on track"
    assert rate_measure(hold, {2012: 80.0, 2014: 75.0}, AS_AT).rating == "at risk"  # tol 8
    assert rate_measure(hold, {2012: 80.0, 2014: 70.0}, AS_AT).rating == "off track"


def test_holding_a_neither_measure_steady() -> None:
    hold = PlanMeasure(id="rereferrals_12m", baseline_year=2012, target=14.0, by=date(2016, 3, 31))
    # tolerance 1.4: on track within it either side, at risk within 2.8, off track beyond
    assert rate_measure(hold, {2012: 14.0, 2014: 12.8}, AS_AT).rating == "on track"
    assert rate_measure(hold, {2012: 14.0, 2014: 16.0}, AS_AT).rating == "at risk"
    assert rate_measure(hold, {2012: 14.0, 2014: 18.0}, AS_AT).rating == "off track"


def test_only_the_baseline_year_is_no_data_yet() -> None:
    rated = rate_measure(higher(), {2012: 80.0, 2013: 90.0}, date(2012, 6, 1))
    assert (rated.baseline, rated.current_year, rated.rating) == (80.0, 2012, "no data")


PLAN = """\
title: Test plan
vision: Every child is safe.
start: 2013-04-01
end: 2017-03-31
milestones:
  - {id: M1, title: The minister agrees the plan., date: 2015-01-31}
priorities:
  - id: P1
    title: See children quickly.
    outcomes:
      - id: P1.1
        statement: Assessments are on time.
        measures:
          - {id: assessments_within_45_days, baseline_year: 2012, target: 90, by: 2016-03-31}
          - {id: workforce_caseload, baseline_year: 2012, target: 16, by: 2016-03-31}
      - id: P1.2
        statement: Conferences are on time.
        measures:
          - {id: icpc_within_15_days, baseline_year: 2012, target: 90, by: 2016-03-31}
  - id: P2
    title: Keep children settled.
    outcomes:
      - id: P2.1
        statement: Children move home less.
        measures:
          - {id: lac_3_plus_placements, baseline_year: 2012, target: 5, by: 2016-03-31}
      - id: P2.2
        statement: Children have a plan for their future.
actions:
  - {id: A1, do: We will fix the rota., due: 2015-01-31, status: in progress,
     milestone: M1, serves: [P1.1]}
  - {id: A2, do: We will train the team., start: 2015-03-01, due: 2015-05-31,
     depends_on: [A1], serves: [P1.1]}
  - {id: A3, do: We will hire managers., due: 2015-01-01, status: done, milestone: M1,
     serves: [P1.1]}
  - {id: A4, do: We will open a hub., start: 2014-12-01, due: 2015-08-31, status: in progress,
     depends_on: [A5], serves: [P1.2]}
  - {id: A5, do: We will find a building., due: 2015-06-30, serves: [P1.2]}
  - {id: A6, do: We will write the guide., start: 2015-01-05, due: 2015-04-30,
     depends_on: [A3], serves: [P2.1]}
  - {id: A7, do: We will move the team., start: 2015-04-01, due: 2015-09-30,
     depends_on: [A5], serves: [P1.2]}
  - {id: A8, do: We will buy laptops., due: 2015-09-30, status: blocked, serves: [P2.1]}
"""

VALUES: dict[str, dict[int, float | None]] = {
    "assessments_within_45_days": {2012: 80.0, 2014: 86.0},  # on track
    "workforce_caseload": {2012: 20.0, 2014: 21.0},  # off track
    "icpc_within_15_days": {2012: 80.0, 2014: 86.0},  # on track
    "lac_3_plus_placements": {2014: 9.0},  # no baseline: no data
}


def test_outcomes_and_priorities_take_the_worst_rating() -> None:
    progress = assess(parse_plan(PLAN).plan, VALUES, date(2015, 2, 1))
    ratings = {o.outcome_id: o.rating for o in progress.outcomes}
    assert ratings == {
        "P1.1": "off track",
        "P1.2": "on track",
        "P2.1": "no data",
        "P2.2": "no data",
    }
    assert {p.priority_id: p.rating for p in progress.priorities} == {
        "P1": "off track",
        "P2": "no data",
    }
    assert progress.rating_counts() == {"on track": 2, "at risk": 0, "off track": 1, "no data": 1}
    assert worst(["on track", "no data"]) == "no data"
    assert worst(["no data", "at risk"]) == "at risk"
    assert worst([]) == "no data"


def test_actions_overdue_blocked_and_slipped() -> None:
    progress = assess(parse_plan(PLAN).plan, VALUES, date(2015, 2, 1))
    assert [a.action_id for a in progress.overdue()] == ["A1"]  # A3 is done, so not overdue
    assert [a.action_id for a in progress.actions if a.blocked] == ["A8"]
    slipped = {a.action_id: a.slipped for a in progress.actions if a.slipped}
    assert set(slipped) == {"A2", "A4", "A7"}
    assert "A1 is overdue" in slipped["A2"][0]  # the dependency is overdue
    assert "not done, but this action has started" in slipped["A4"][0]
    assert "after this action starts" in slipped["A7"][0]  # A5 due 30 June, A7 starts 1 April
    milestone = progress.milestones[0]
    assert (milestone.actions, milestone.done, milestone.passed, milestone.met) == (
        2,
        1,
        True,
        False,
    )


def test_to_dict_is_plain_json() -> None:
    import json

    progress = assess(parse_plan(PLAN).plan, VALUES, date(2015, 2, 1))
    data = json.loads(json.dumps(progress.to_dict()))
    assert data["as_at"] == "2015-02-01"
    assert data["measures"][0]["rating"] == "on track"
    assert data["actions"][0]["overdue"] is True


def test_default_as_at_is_the_end_of_the_latest_year_of_own_data(tmp_path: Path) -> None:
    store = open_store(tmp_path / "t.duckdb")
    assert default_as_at(store, {"x": {2013: 1.0, 2014: None}}) == date(2013, 3, 31)
    store.execute(
        "insert into loads (load_id, kind, year, source) values"
        " ('a', 'cin', 2014, 'f'), ('b', 'benchmarks', 2025, 'g')"
    )
    assert default_as_at(store) == date(2014, 3, 31)
    store.close()


def test_measure_values_from_a_real_store(tmp_path: Path) -> None:
    if not WORKSPACE.exists():
        pytest.skip("no demo workspace store; 'make demo' builds one")
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(WORKSPACE.read_bytes())
    store = open_store(copy, read_only=True)
    ids = plan_measure_ids(parse_plan(PLAN).plan)
    values = measure_values(store, ids)
    assert set(values) == set(ids)
    assert values["assessments_within_45_days"][2014] is not None
    store.close()
