"""The capacity plan: hand-computed quarters, the recruitment lag and cap, and costs that add up."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.budget.costs import CostConfig, Inflation, Sourced, load_costs
from turnaround.errors import ConfigError, InputError
from turnaround.workforce.plan import (
    CapacityPlan,
    InPost,
    PlanAssumptions,
    build_plan,
    plan_assumptions,
    plan_staffing_cost,
)


def costs(inflation: float = 0.0) -> CostConfig:
    """£40,000 a permanent FTE (no on-costs), £60,000 an agency one; prices from 2014-15."""
    base = load_costs()
    staffing = base.staffing.model_copy(
        update={
            "salary": Sourced(value=40_000, source="test"),
            "on_costs": Sourced(value=0.0, source="test"),
            "agency_premium": Sourced(value=0.5, source="test"),
            "price_year": 2014,
        }
    )
    return base.model_copy(
        update={
            "staffing": staffing,
            "inflation": Inflation(default=inflation, rates={}, source="test"),
        }
    )


def assume(**values: float) -> PlanAssumptions:
    """Plan assumptions with no turnover or conversion, no lag, and ample capacity by default."""
    figures: dict[str, float] = {
        "recruitment_months": 0,
        "starters_per_quarter": 1000,
        "manager_starters_per_quarter": 1000,
        "agency_conversion": 0,
        "turnover": 0,
        "recruitment_cost": 1000,
        **values,
    }
    data: dict[str, Any] = {k: {"value": v, "source": "test"} for k, v in figures.items()}
    return plan_assumptions({**data, "price_year": 2014})


def plan(
    permanent: float,
    agency: float,
    need: float | list[float],
    *,
    managers: float = 0.0,
    managers_needed: float = 0.0,
    inflation: float = 0.0,
    **values: float,
) -> CapacityPlan:
    needs = need if isinstance(need, list) else [need]
    return build_plan(
        InPost(permanent=permanent, agency=agency, managers=managers),
        [(2014 + k, n, managers_needed) for k, n in enumerate(needs)],
        assumptions=assume(**values),
        costs=costs(inflation),
    )


def column(p: CapacityPlan, name: str) -> list[float]:
    return [round(getattr(q, name), 9) for q in p.quarters]


def test_one_quarter_by_hand() -> None:
    # 8 permanent, 2 agency, 10 posts; 20% a year leave, a quarter of agency convert, 4-month lag
    p = plan(8, 2, 10, turnover=0.2, agency_conversion=0.25, recruitment_months=4)
    q = p.quarters[0]
    assert q.label == "2014-15 Q1"
    assert str(q.start) == "2014-04-01"
    assert q.leavers == pytest.approx(0.4)  # 8 * 0.2 / 4
    assert q.starters == 0  # recruits take two quarters
    assert q.converted == pytest.approx(0.5)  # 2 * 0.25, within the gap of 10 - 7.6
    assert q.permanent == pytest.approx(8.1)  # 8 - 0.4 + 0.5
    assert q.recruiting == pytest.approx(1.9)  # for Q3's 10 posts
    assert q.agency == pytest.approx(1.9)
    assert q.permanent_pay == pytest.approx(81_000)  # 8.1 * 40,000 / 4
    assert q.agency_cost == pytest.approx(28_500)  # 1.9 * 60,000 / 4
    assert q.recruitment_cost == 0
    assert q.total == pytest.approx(109_500)
    assert [x.label for x in p.quarters] == [f"2014-15 Q{k}" for k in (1, 2, 3, 4)]
    assert [str(x.start) for x in p.quarters] == [
        "2014-04-01",
        "2014-07-01",
        "2014-10-01",
        "2015-01-01",
    ]


@pytest.mark.parametrize(
    ("months", "arrive"),
    [(0, [10, 0, 0, 0]), (3, [0, 10, 0, 0]), (4, [0, 0, 10, 0]), (6, [0, 0, 10, 0])],
)
def test_starters_arrive_after_the_lag(months: float, arrive: list[float]) -> None:
    p = plan(0, 10, 10, recruitment_months=months)
    assert column(p, "starters") == arrive
    assert column(p, "recruiting") == [10, 0, 0, 0]  # those on their way are counted
    on = [sum(arrive[: k + 1]) for k in range(4)]
    assert column(p, "permanent") == on
    assert column(p, "agency") == [10 - x for x in on]


def test_capacity_caps_starters() -> None:
    p = plan(0, 10, 10, starters_per_quarter=3)
    assert column(p, "starters") == [3, 3, 3, 1]
    assert column(p, "permanent") == [3, 6, 9, 10]
    assert column(p, "agency") == [7, 4, 1, 0]


def test_conversion_halves_agency_each_quarter() -> None:
    # nobody can be recruited within the year, so only conversion fills posts
    p = plan(0, 8, 8, agency_conversion=0.5, recruitment_months=24)
    assert column(p, "converted") == [4, 2, 1, 0.5]
    assert column(p, "permanent") == [4, 6, 7, 7.5]
    assert column(p, "agency") == [4, 2, 1, 0.5]
    assert column(p, "starters") == [0, 0, 0, 0]


def test_conversion_stops_at_the_gap() -> None:
    # Q1: 5 convert, 5 recruited; Q2: the 5 recruits arrive and fill every post
    p = plan(0, 10, 10, agency_conversion=0.5, recruitment_months=3)
    assert column(p, "converted") == [5, 0, 0, 0]
    assert column(p, "recruiting") == [5, 0, 0, 0]
    assert column(p, "permanent") == [5, 10, 10, 10]
    assert column(p, "agency") == [5, 0, 0, 0]


def test_turnover_replaced_at_once() -> None:
    p = plan(100, 0, 100, turnover=0.2)
    assert column(p, "leavers") == [5, 5, 5, 5]
    assert column(p, "starters") == [5, 5, 5, 5]
    assert column(p, "permanent") == [100] * 4
    assert column(p, "agency") == [0] * 4
    assert column(p, "recruitment_cost") == [5000] * 4


def test_turnover_with_a_lag_is_covered_by_agency() -> None:
    p = plan(100, 0, 100, turnover=0.2, recruitment_months=3)
    q1, q2 = p.quarters[:2]
    assert (q1.leavers, q1.permanent, q1.recruiting, q1.agency) == pytest.approx((5, 95, 5, 5))
    # Q2: 95 * 0.05 = 4.75 leave, Q1's 5 arrive
    assert (q2.leavers, q2.starters, q2.permanent) == pytest.approx((4.75, 5, 95.25))
    assert (q2.recruiting, q2.agency) == pytest.approx((4.75, 4.75))


def test_managers_recruited_but_not_covered_by_agency() -> None:
    p = plan(
        10,
        0,
        10,
        managers=2,
        managers_needed=5,
        manager_starters_per_quarter=1,
        recruitment_months=3,
    )
    assert column(p, "manager_recruiting") == [1, 1, 1, 0]
    assert column(p, "manager_starters") == [0, 1, 1, 1]
    assert column(p, "managers") == [2, 3, 4, 5]
    assert column(p, "managers_unfilled") == [3, 2, 1, 0]
    assert column(p, "agency") == [0] * 4
    assert column(p, "recruitment_cost") == [0, 1000, 1000, 1000]


def test_zero_gap_gives_no_hires() -> None:
    p = plan(10, 0, 10, turnover=0.0, agency_conversion=0.5)
    assert column(p, "recruiting") == [0] * 4
    assert column(p, "starters") == [0] * 4
    assert column(p, "converted") == [0] * 4
    assert p.costs_by_year().loc[2014, "recruitment_cost"] == 0


def test_more_staff_than_posts_means_no_agency_and_no_redundancy() -> None:
    p = plan(12, 3, 10)
    assert column(p, "permanent") == [12] * 4
    assert column(p, "agency") == [0] * 4
    assert column(p, "recruiting") == [0] * 4


def test_need_rising_next_year_is_recruited_for_ahead() -> None:
    # a two-quarter lag: Q3 and Q4 recruit for next year's Q1 and Q2
    p = plan(10, 0, [10, 14], recruitment_months=6)
    assert column(p, "recruiting")[:4] == [0, 0, 4, 0]
    assert column(p, "starters")[4:6] == [4, 0]
    assert column(p, "agency")[4:] == [0] * 4


def test_costs_add_up_across_quarters_and_years() -> None:
    p = plan(
        50,
        30,
        [80, 90, 90, 85, 85],
        turnover=0.15,
        agency_conversion=0.1,
        starters_per_quarter=4,
        recruitment_months=4,
        inflation=0.02,
    )
    frame = p.frame()
    assert len(frame) == 20
    by_year = p.costs_by_year()
    assert list(by_year.index) == [2014, 2015, 2016, 2017, 2018]
    for year in by_year.index:
        quarters = frame[frame["year"] == year]
        for name in ("permanent_pay", "agency_cost", "recruitment_cost", "total"):
            assert by_year.loc[year, name] == pytest.approx(quarters[name].sum(), rel=1e-12)
        parts = by_year.loc[year, ["permanent_pay", "agency_cost", "recruitment_cost"]].sum()
        assert by_year.loc[year, "total"] == pytest.approx(parts, rel=1e-12)
    assert by_year["total"].sum() == pytest.approx(frame["total"].sum(), rel=1e-12)
    assert p.total() == pytest.approx(frame["total"].sum(), rel=1e-12)
    assert plan_staffing_cost(p) == pytest.approx(by_year["total"].to_dict(), rel=1e-12)


def test_yearly_cost_by_hand_with_inflation() -> None:
    # 10 permanent all along at £40,000, 10% a year on prices from 2014-15
    p = plan(10, 0, [10, 10], inflation=0.1)
    assert plan_staffing_cost(p) == pytest.approx({2014: 400_000, 2015: 440_000})


def test_costs_staff_as_the_budget_does() -> None:
    # 6 permanent and 4 agency throughout: the budget's FTE * cost_per_fte with a 40% agency share
    p = plan(6, 4, 10, recruitment_months=24)
    config = costs()
    staffing = config.staffing.model_copy(
        update={"agency_share": Sourced(value=0.4, source="test")}
    )
    assert plan_staffing_cost(p)[2014] == pytest.approx(10 * staffing.cost_per_fte())
    assert plan_staffing_cost(p)[2014] == pytest.approx(480_000)


@settings(max_examples=60, deadline=None)
@given(
    permanent=st.floats(0, 500),
    agency=st.floats(0, 300),
    needs=st.lists(st.floats(0, 600), min_size=1, max_size=5),
    turnover=st.floats(0, 1),
    conversion=st.floats(0, 1),
    cap=st.floats(0, 50),
    months=st.floats(0, 12),
)
def test_agency_fills_the_gap_and_staff_are_conserved(
    permanent: float,
    agency: float,
    needs: list[float],
    turnover: float,
    conversion: float,
    cap: float,
    months: float,
) -> None:
    p = plan(
        permanent,
        agency,
        needs,
        turnover=turnover,
        agency_conversion=conversion,
        starters_per_quarter=cap,
        recruitment_months=months,
    )
    before = permanent
    for q in p.quarters:
        assert q.agency == pytest.approx(max(q.social_workers_needed - q.permanent, 0), abs=1e-9)
        assert q.permanent + q.agency >= q.social_workers_needed - 1e-9
        assert q.permanent == pytest.approx(before - q.leavers + q.starters + q.converted, abs=1e-9)
        assert q.starters <= cap + 1e-9
        assert min(q.leavers, q.starters, q.converted, q.recruiting) >= 0
        before = q.permanent
    assert math.fsum(plan_staffing_cost(p).values()) == pytest.approx(p.total(), rel=1e-12)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("turnover", 1.5),
        ("agency_conversion", 1.01),
        ("turnover", -0.1),
        ("recruitment_months", -1),
        ("starters_per_quarter", -5),
        ("recruitment_cost", -1),
    ],
)
def test_bad_assumptions_are_config_errors(name: str, value: float) -> None:
    with pytest.raises(ConfigError, match=name):
        plan_assumptions({name: {"value": value, "source": "test"}})
    with pytest.raises(ConfigError, match=name):
        PlanAssumptions().merged({name: {"value": value}})


def test_bad_assumptions_slipped_past_the_model_are_caught_by_build_plan() -> None:
    bad = PlanAssumptions().model_copy(
        update={"turnover": Sourced.model_construct(value=2.0, source="test")}
    )
    with pytest.raises(ConfigError, match="turnover"):
        build_plan(InPost(1, 0, 0), [(2014, 1, 0)], assumptions=bad, costs=costs())


def test_unknown_and_sourceless_assumptions_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="typo"):
        plan_assumptions({"typo": {"value": 1, "source": "x"}})
    with pytest.raises(ConfigError, match="turnover"):
        plan_assumptions({"turnover": {"value": 0.1, "source": ""}})


@pytest.mark.parametrize(
    ("in_post", "needs", "match"),
    [
        (InPost(-1, 0, 0), [(2014, 1, 0)], "permanent"),
        (InPost(1, 0, 0), [], "no posts needed"),
        (InPost(1, 0, 0), [(2014, -1, 0)], "2014-15"),
        (InPost(1, 0, 0), [(2014, 1, 0), (2016, 1, 0)], "consecutive"),
    ],
)
def test_bad_inputs_are_input_errors(
    in_post: InPost, needs: list[tuple[int, float, float]], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        build_plan(in_post, needs, costs=costs())


def test_defaults_carry_sources_for_the_assumptions_sheet() -> None:
    rows = PlanAssumptions().assumptions()
    assert {r.item for r in rows} == {
        "recruitment_months",
        "starters_per_quarter",
        "manager_starters_per_quarter",
        "agency_conversion",
        "turnover",
        "recruitment_cost",
    }
    assert all(r.source for r in rows)
    assert PlanAssumptions().lag_quarters == 2
