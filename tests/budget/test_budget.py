"""The budget: exact costs from hand-built projections, inflation, bands, and totals that add up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.budget.budget import WEEKS_PER_YEAR, build_budget, child_weeks
from turnaround.budget.costs import (
    SERVICE_LINES,
    CostConfig,
    load_costs,
    staffing_from_store,
)
from turnaround.errors import ConfigError
from turnaround.forecast.states import LOOKED_AFTER, STATES, Projection, state_index
from turnaround.store import Store


def projection(counts: np.ndarray, start: date = date(2015, 4, 1)) -> Projection:
    """A projection from counts (runs, months + 1, states); flows are not needed for costs."""
    runs, points, states = counts.shape
    months = points - 1
    return Projection(
        start=start,
        months=months,
        counts=counts,
        entries=np.zeros((runs, months, states)),
        exits=np.zeros((runs, months, states)),
    )


def constant(children: Mapping[str, float], *, runs: int = 1, months: int = 60) -> Projection:
    """Every run holds the same children in each state all the time."""
    counts = np.zeros((runs, months + 1, len(STATES)))
    for state, n in children.items():
        counts[:, :, state_index(state)] = n
    return projection(counts)


def sourced(value: float) -> dict[str, Any]:
    return {"value": value, "source": "test"}


def simple_costs(**changes: Any) -> CostConfig:
    """Round numbers at 2015-16 prices, no inflation, so costs can be worked out by hand."""
    unit = {
        s: {"weekly": 0, "price_year": "2015-16", "provider": "none", "source": "test"}
        for s in LOOKED_AFTER
    }
    unit["fostering_in_house"] = {**unit["fostering_in_house"], "weekly": 500}
    unit["residential_external"] = {**unit["residential_external"], "weekly": 3000}
    unit["supported_accommodation"] = {**unit["supported_accommodation"], "weekly": 800}
    data: dict[str, Any] = {
        "unit_costs": unit,
        "inflation": {"default": 0.0, "source": "test"},
        "staffing": {
            "price_year": 2015,
            "social_workers_fte": sourced(100),
            "salary": sourced(30_000),
            "on_costs": sourced(0.25),
            "agency_premium": sourced(0.5),
            "agency_share": sourced(0.2),
        },
        "overheads": {"rate": sourced(0.1)},
        "safeguarding": {"annual": 1_000_000, "price_year": 2015, "source": "test"},
        "early_help": {"annual": 500_000, "price_year": 2015, "source": "test"},
    }
    return CostConfig.model_validate(data).merged(changes)


def test_one_run_of_constant_counts_costs_exactly_what_hand_arithmetic_says() -> None:
    children = {"fostering_in_house": 10, "residential_external": 2, "supported_accommodation": 1}
    budget = build_budget(constant(children), simple_costs())
    assert budget.years == (2015, 2016, 2017, 2018, 2019)
    assert budget.lines == SERVICE_LINES
    fostering = 10 * 52.18 * 500  # 260,900
    residential = 2 * 52.18 * 3000  # 313,080
    other = 1 * 52.18 * 800  # 41,744
    social_work = 100 * 30_000 * 1.25 * (1 + 0.2 * 0.5)  # 4,125,000
    overheads = 0.1 * 100 * 30_000  # 300,000
    expected = {
        "residential": residential,
        "fostering": fostering,
        "other_placements": other,
        "social_work": social_work,
        "safeguarding": 1_000_000,
        "early_help": 500_000,
        "overheads": overheads,
    }
    frame = budget.frame()
    for line, value in expected.items():
        rows = frame[frame["line"] == line]
        assert rows["p50"].tolist() == pytest.approx([value] * 5, rel=1e-12)
        assert rows["p10"].tolist() == rows["p90"].tolist() == rows["p50"].tolist()
    year = 6_540_724.0
    assert sum(expected.values()) == pytest.approx(year)
    assert budget.total().tolist() == pytest.approx([5 * year], rel=1e-12)
    assert budget.table().loc["2015-16 to 2019-20", "total"] == pytest.approx(5 * year)


def test_child_weeks_average_the_twelve_month_starts_of_each_year() -> None:
    counts = np.zeros((1, 61, len(STATES)))
    counts[0, :, state_index("secure")] = np.arange(61)  # 0, 1, ..., 60
    weeks = child_weeks(projection(counts))[0, :, state_index("secure")]
    # Year k averages months 12k .. 12k + 11: 5.5, 17.5, ...; month 60 (the end) is not a year.
    assert weeks.tolist() == pytest.approx([(12 * k + 5.5) * WEEKS_PER_YEAR for k in range(5)])


def test_inflation_compounds_from_each_figures_price_year() -> None:
    costs = simple_costs(inflation={"default": 0.10, "rates": {"2017-18": 0.05}})
    budget = build_budget(constant({"fostering_in_house": 10}), costs)
    fostering = budget.line("fostering")[0]
    base = 10 * 52.18 * 500
    assert fostering.tolist() == pytest.approx(
        [
            base,
            base * 1.1,
            base * 1.1 * 1.05,
            base * 1.1 * 1.05 * 1.1,
            base * 1.1 * 1.05 * 1.1 * 1.1,
        ],
        rel=1e-12,
    )
    social_work = budget.line("social_work")[0]
    assert social_work[2] == pytest.approx(4_125_000 * 1.155)


def test_a_figure_priced_after_the_forecast_year_is_deflated() -> None:
    costs = simple_costs(
        inflation={"default": 0.10},
        unit_costs={"fostering_in_house": {"weekly": 605, "price_year": "2017-18"}},
    )
    assert costs.inflation.factor(2017, 2015) == pytest.approx(1 / 1.21)
    assert costs.weekly("fostering_in_house", 2015) == pytest.approx(500)
    assert costs.weekly("fostering_in_house", 2017) == pytest.approx(605)


def test_caseload_sets_the_social_work_fte_from_open_cases() -> None:
    costs = simple_costs(staffing={"caseload": sourced(15)})
    budget = build_budget(
        constant(
            {
                "in_need": 900,
                "child_protection": 300,
                "fostering_in_house": 300,
                "not_in_care": 10_000,
            }
        ),
        costs,
    )
    # 1,500 open cases / 15 = 100 FTE, the same as the fixed default, so the same cost.
    assert budget.line("social_work")[0].tolist() == pytest.approx([4_125_000] * 5)


def test_bands_are_taken_from_runs_and_are_in_order() -> None:
    rng = np.random.default_rng(1)
    counts = rng.poisson(40, size=(200, 61, len(STATES))).astype(float)
    budget = build_budget(projection(counts), load_costs())
    frame = budget.frame()
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    totals = budget.totals()
    assert (totals["p10"] < totals["p50"]).all() and (totals["p50"] < totals["p90"]).all()
    # A total's band is the quantile of each run's total, not the sum of the lines' quantiles.
    runs = budget.cost[:, 0, :].sum(axis=1)
    assert totals.loc[0, "p90"] == pytest.approx(float(np.quantile(runs, 0.9)))
    assert totals.loc[0, "p90"] != pytest.approx(frame[frame["year"] == 2015]["p90"].sum())


@settings(max_examples=40, deadline=None)
@given(
    runs=st.integers(1, 6),
    years=st.integers(1, 5),
    seed=st.integers(0, 2**31),
    inflation=st.floats(-0.05, 0.2),
)
def test_the_budget_adds_up(runs: int, years: int, seed: int, inflation: float) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.uniform(0, 500, size=(runs, 12 * years + 1, len(STATES)))
    costs = load_costs().merged({"inflation": {"default": inflation}})
    budget = build_budget(projection(counts), costs)
    cost = budget.cost
    assert cost.shape == (runs, years, len(SERVICE_LINES))
    assert np.allclose(budget.total(), cost.sum(axis=(1, 2)), rtol=1e-12)
    by_year = sum(budget.total(year=y) for y in budget.years)
    by_line = sum(budget.total(line=line) for line in budget.lines)
    assert np.allclose(by_year, budget.total(), rtol=1e-12)
    assert np.allclose(by_line, budget.total(), rtol=1e-12)
    table = budget.table()
    lines = list(budget.lines)
    assert np.allclose(table[lines].sum(axis=1), table["total"], rtol=1e-12)
    years_only = table.iloc[:-1]
    assert np.allclose(years_only.sum(axis=0), table.iloc[-1], rtol=1e-12)
    assert table.iloc[-1]["total"] == pytest.approx(float(budget.total().mean()), rel=1e-12)


def test_a_projection_must_start_on_1_april_and_cover_a_year() -> None:
    counts = np.zeros((1, 61, len(STATES)))
    with pytest.raises(ConfigError, match="1 April"):
        build_budget(projection(counts, start=date(2015, 1, 1)), simple_costs())
    with pytest.raises(ConfigError, match="12 months"):
        build_budget(projection(np.zeros((1, 7, len(STATES)))), simple_costs())


def test_the_shipped_costs_carry_a_source_for_every_figure() -> None:
    costs = load_costs()
    rows = costs.assumptions()
    assert {r.item for r in rows} >= set(LOOKED_AFTER)
    assert all(r.source.strip() for r in rows)
    for state in ("fostering_in_house", "residential_in_house"):
        assert "Birmingham Section 251" in costs.unit_costs[state].source
    for state in ("fostering_agency", "residential_external"):
        assert "Competition and Markets Authority" in costs.unit_costs[state].source


def test_the_shipped_costs_reproduce_birminghams_2013_14_outturn() -> None:
    # 196 children in residential care and 1,317 fostered, constant through 2013-14, in a city
    # of 281,000 children (safeguarding and early help are costed per child in the city).
    counts = np.zeros((1, 13, len(STATES)))
    counts[0, :, state_index("residential_in_house")] = 196
    counts[0, :, state_index("fostering_in_house")] = 1317
    counts[0, :, state_index("not_in_care")] = 281_000 - 196 - 1317
    budget = build_budget(projection(counts, start=date(2013, 4, 1)), load_costs())
    assert budget.line("residential")[0, 0] == pytest.approx(25.8e6, rel=0.02)
    assert budget.line("fostering")[0, 0] == pytest.approx(43.3e6, rel=0.02)
    staff_lines = sum(budget.line(x)[0, 0] for x in ("social_work", "overheads", "safeguarding"))
    assert staff_lines == pytest.approx(51.3e6, rel=0.01)


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "costs.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_bad_cost_file_names_the_file_and_every_bad_key(tmp_path: Path) -> None:
    data = load_costs().model_dump()
    data["unit_costs"]["fostering_agency"]["weekly"] = -5
    data["staffing"]["price_year"] = "2013-15"
    data["overheads"]["rate"]["colour"] = "blue"
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_costs(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "unit_costs.fostering_agency.weekly" in message
    assert "staffing.price_year" in message
    assert "overheads.rate.colour" in message

    data = load_costs().model_dump()
    del data["unit_costs"]["secure"]
    data["unit_costs"]["foster_care"] = data["unit_costs"]["fostering_in_house"]
    with pytest.raises(ConfigError, match="not looked-after states: foster_care; missing: secure"):
        load_costs(_write(tmp_path, data))


def test_a_missing_or_unreadable_cost_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_costs(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit_costs: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_costs(bad)


def test_staffing_comes_from_the_workforce_export_when_one_is_loaded() -> None:
    store = Store(":memory:")
    defaults = load_costs().staffing
    assert staffing_from_store(store, defaults) == defaults  # nothing loaded: defaults stand
    rows = [
        ("s1", "social_worker", 1.0, False, None),
        ("s2", "social_worker", 1.0, True, None),
        ("s3", "senior_practitioner", 0.5, False, None),
        ("s4", "social_worker", 1.0, True, date(2014, 1, 31)),  # has left
        ("s5", "team_manager", 1.0, False, None),  # not a social worker post
    ]
    for staff_id, role, fte, agency, leave in rows:
        store.execute(
            "insert into workforce_staff (staff_id, role, fte, agency, start_date, leave_date, "
            "holds_cases, load_id) values (?, ?, ?, ?, date '2012-01-01', ?, true, 'w1')",
            [staff_id, role, fte, agency, leave],
        )
    staffing = load_costs(store=store).staffing
    assert staffing.social_workers_fte.value == 2.5
    assert staffing.agency_share.value == pytest.approx(0.4)
    assert "workforce export" in staffing.social_workers_fte.source
    assert staffing.salary == defaults.salary


def test_a_plans_staffing_is_scaled_to_the_trusts_terms() -> None:
    from turnaround.budget.scenarios import load_scenario

    counts = np.zeros((1, 13, len(STATES)))
    counts[0, :, state_index("not_in_care")] = 1000
    costs = load_costs()
    trust = load_scenario("trust").trust
    assert trust is not None
    plan = {2013: 1_000_000.0}
    council = build_budget(projection(counts, start=date(2013, 4, 1)), costs, staffing_by_year=plan)
    under_trust = build_budget(
        projection(counts, start=date(2013, 4, 1)), costs, trust=trust, staffing_by_year=plan
    )
    ratio = trust.delivery_costs(costs).staffing.cost_per_fte() / costs.staffing.cost_per_fte()
    assert ratio > 1  # TUPE on-costs
    assert council.line("social_work")[0, 0] == pytest.approx(1_000_000.0)
    assert under_trust.line("social_work")[0, 0] == pytest.approx(1_000_000.0 * ratio)
