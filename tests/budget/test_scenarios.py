"""Scenarios: each changes only what its file says; the trust's contract; the comparison."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from turnaround.budget.budget import Budget, build_budget
from turnaround.budget.costs import CONTRACT_LINES, SERVICE_LINES, load_costs
from turnaround.budget.scenarios import (
    SHIPPED,
    DemandAdjustment,
    Scenario,
    compare,
    load_scenario,
    shipped_path,
    shipped_scenarios,
    side_by_side,
)
from turnaround.errors import ConfigError
from turnaround.forecast.states import AGE_BANDS, LOOKED_AFTER, STATES, Projection


def random_projection(runs: int = 50, seed: int = 3) -> Projection:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(60, size=(runs, 61, len(STATES))).astype(float)
    return Projection(
        start=date(2015, 4, 1),
        months=60,
        counts=counts,
        entries=np.zeros((runs, 60, len(STATES))),
        exits=np.zeros((runs, 60, len(STATES))),
    )


def changed_lines(baseline: Budget, other: Budget) -> set[str]:
    lines = set(baseline.lines) | set(other.lines)
    return {line for line in lines if not np.array_equal(baseline.line(line), other.line(line))}


def test_every_shipped_scenario_loads() -> None:
    scenarios = shipped_scenarios()
    assert [s.name for s in scenarios] == list(SHIPPED)
    for scenario in scenarios:
        assert shipped_path(scenario.name).is_file()
        assert scenario.label and scenario.description


def test_the_demand_changes_are_data_for_the_models_adjust_hook() -> None:
    early, shift, staff, trust = shipped_scenarios()
    adjustment = early.adjustment()
    assert adjustment.entry_multiplier("not_in_care") == 1.0
    for state in ("in_need", "child_protection", *LOOKED_AFTER):
        assert adjustment.entry_multiplier(state) == 0.9
        assert adjustment.entry_multiplier(state, AGE_BANDS[0]) == 0.9
    assert adjustment.mix_shifts == ()
    assert shift.adjustment().mix_shifts == (("residential_external", "fostering_in_house", 0.2),)
    assert shift.adjustment().entry_matrix().tolist() == np.ones((len(STATES), 5)).tolist()
    assert staff.adjustment().is_identity and trust.adjustment().is_identity
    assert not early.adjustment().is_identity and not shift.adjustment().is_identity


def test_band_multipliers_compound_with_the_state_multiplier() -> None:
    scenario = Scenario.model_validate(
        {
            "name": "teens",
            "label": "Fewer teenagers into care",
            "description": "test",
            "demand": {
                "entry_multipliers": [
                    {"states": ["residential_external"], "multiplier": 0.5, "why": "t"},
                    {
                        "states": ["residential_external"],
                        "multiplier": 0.8,
                        "bands": [[10, 16]],
                        "why": "t",
                    },
                ]
            },
        }
    )
    adjustment = scenario.adjustment()
    assert adjustment.entry_multiplier("residential_external", (10, 16)) == pytest.approx(0.4)
    assert adjustment.entry_multiplier("residential_external", (5, 10)) == 0.5
    assert adjustment.entry_multiplier("residential_external") == 0.5
    matrix = adjustment.entry_matrix()
    row = STATES.index("residential_external")
    assert matrix[row].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.4, 0.5])
    assert DemandAdjustment().is_identity


EXPECTED_CHANGES = {
    "early_help": {"early_help"},  # plus fewer entries, through the model
    "fostering_shift": set(),  # demand only: the cheaper placements come through the model
    "permanent_staff": {"social_work"},
    # Its own external residential price, TUPE on-costs, and the contract's lines.
    "trust": {"residential", "social_work", *CONTRACT_LINES},
}


@pytest.mark.parametrize("name", SHIPPED)
def test_a_scenario_changes_only_what_it_says(name: str) -> None:
    projection = random_projection()
    costs = load_costs()
    baseline = build_budget(projection, costs)
    budget = load_scenario(name).budget(projection, costs)
    assert changed_lines(baseline, budget) == EXPECTED_CHANGES[name]


def test_permanent_staff_removes_most_of_the_agency_premium() -> None:
    projection = random_projection(runs=1)
    costs = load_costs()
    baseline = build_budget(projection, costs).line("social_work")[0]
    scenario = load_scenario("permanent_staff").budget(projection, costs).line("social_work")[0]
    staffing = costs.staffing
    ratio = (1 + 0.05 * staffing.agency_premium.value) / (
        1 + staffing.agency_share.value * staffing.agency_premium.value
    )
    assert scenario.tolist() == pytest.approx((baseline * ratio).tolist(), rel=1e-12)


def test_the_trust_pays_set_up_once_and_its_fee_every_year() -> None:
    projection = random_projection()
    costs = load_costs()
    trust = load_scenario("trust")
    assert trust.trust is not None
    terms = trust.trust
    budget = trust.budget(projection, costs)
    assert budget.lines == SERVICE_LINES + CONTRACT_LINES
    set_up = budget.line("trust_set_up")
    assert (set_up[:, 0] == terms.set_up.value).all()
    assert (set_up[:, 1:] == 0).all()
    assert float(budget.total(line="trust_set_up").mean()) == terms.set_up.value
    in_scope = sum(budget.line(line) for line in terms.scope)
    assert np.allclose(budget.line("trust_fee"), 0.03 * in_scope, rtol=1e-12)
    assert (budget.line("trust_fee") > 0).all()
    commissioning = budget.line("commissioning")
    factors = [costs.inflation.factor(2013, y) for y in budget.years]
    assert np.allclose(commissioning, 500_000 * np.array(factors), rtol=1e-12)


def test_the_trusts_staff_transfer_on_their_terms_plus_pension_on_costs() -> None:
    projection = random_projection(runs=1)
    costs = load_costs()
    baseline = build_budget(projection, costs).line("social_work")[0]
    trust = load_scenario("trust").budget(projection, costs).line("social_work")[0]
    on = costs.staffing.on_costs.value
    assert trust.tolist() == pytest.approx((baseline * (1 + on + 0.02) / (1 + on)).tolist())


def _scenario_file(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_bad_scenario_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    base = {"name": "mine", "label": "Mine", "description": "test"}
    path = _scenario_file(
        tmp_path,
        {
            **base,
            "demand": {
                "mix_shifts": [
                    {"from": "residential", "to": "fostering_in_house", "fraction": 0.5, "why": "t"}
                ]
            },
        },
    )
    with pytest.raises(ConfigError, match=r"mine\.yaml: demand\.mix_shifts\.0: .*residential"):
        load_scenario(path)
    path = _scenario_file(tmp_path, {**base, "costs": {"staffing": {"agency_shar": 0.1}}})
    with pytest.raises(ConfigError, match=r"mine\.yaml: costs: staffing\.agency_shar"):
        load_scenario(path)
    path = _scenario_file(
        tmp_path,
        {
            **base,
            "demand": {
                "mix_shifts": [
                    {"from": "secure", "to": "fostering_in_house", "fraction": 0.7, "why": "t"},
                    {"from": "secure", "to": "residential_external", "fraction": 0.7, "why": "t"},
                ]
            },
        },
    )
    with pytest.raises(ConfigError, match="more than all the flow shifted out of secure"):
        load_scenario(path)
    with pytest.raises(ConfigError, match="no such file"):
        load_scenario(tmp_path / "absent.yaml")


def test_compare_sets_each_scenario_beside_the_baseline() -> None:
    projection = random_projection()
    costs = load_costs()
    baseline = build_budget(projection, costs)
    budgets = [s.budget(projection, costs) for s in shipped_scenarios()]
    comparison = compare(baseline, budgets)
    assert len(comparison) == (1 + len(budgets)) * 6
    base_rows = comparison[comparison["scenario"] == "baseline"]
    assert (base_rows["difference"] == 0).all()
    for budget in budgets:
        rows = comparison[comparison["scenario"] == budget.name]
        yearly, whole = rows[rows["year"].notna()], rows[rows["year"].isna()].iloc[0]
        assert whole["difference"] == pytest.approx(yearly["difference"].sum(), rel=1e-9)
        assert whole["mean"] == pytest.approx(float(budget.total().mean()), rel=1e-12)
        assert whole["p10"] <= whole["p50"] <= whole["p90"]
        # Within a pound: where every run differs by the same amount the band is a point.
        assert whole["difference_p10"] - 1 <= whole["difference"] <= whole["difference_p90"] + 1
    trust = comparison[(comparison["scenario"] == "trust") & comparison["year"].isna()].iloc[0]
    assert trust["difference"] > 0  # a fee and set-up on the same service cost more
    staff = comparison[comparison["scenario"] == "permanent_staff"]
    assert (staff["difference"] < 0).all()

    wide = side_by_side(comparison)
    assert list(wide.index) == [*(f"{y}-{(y + 1) % 100:02d}" for y in baseline.years), "All years"]
    assert wide.shape[1] == 1 + 2 * len(budgets)
    assert wide.iloc[-1, 0] == pytest.approx(wide.iloc[:-1, 0].sum())


def test_compare_refuses_budgets_for_other_years() -> None:
    costs = load_costs()
    baseline = build_budget(random_projection(), costs)
    rng = np.random.default_rng(0)
    counts = rng.poisson(5, size=(2, 25, len(STATES))).astype(float)
    short = build_budget(
        Projection(
            start=date(2015, 4, 1),
            months=24,
            counts=counts,
            entries=np.zeros((2, 24, len(STATES))),
            exits=np.zeros((2, 24, len(STATES))),
        ),
        costs,
        name="short",
    )
    with pytest.raises(ConfigError, match="short covers other years"):
        compare(baseline, [short])


def test_a_changed_figure_without_its_own_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cheaper.yaml"
    path.write_text(
        "name: cheaper\nlabel: Cheaper\ndescription: Cheaper homes.\n"
        "costs:\n  unit_costs:\n    residential_external:\n      weekly: 2000\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"costs\.unit_costs\.residential_external"):
        load_scenario(path)
