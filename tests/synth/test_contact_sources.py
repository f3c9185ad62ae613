"""Contacts at the front door: how many each child gets, and which agency makes each one."""

from __future__ import annotations

import numpy as np
import pytest

from turnaround.returns.schema import schema_for
from turnaround.synth.journeys.front_door import contact_chances
from turnaround.synth.journeys.sources import AGENCIES, agency_weights, contact_sources
from turnaround.synth.risk import FACTORS


def _mask(*factors: str) -> int:
    return sum(1 << FACTORS.index(f) for f in factors)


def test_contact_chances_keep_the_month_total_and_never_pass_one() -> None:
    weight = np.array([100.0, 1.0, 1.0, 1.0, 1.0])
    p = contact_chances(weight, 3.0)
    # By hand: 3 * 100 / 104 > 1, so the first is certain and the other two contacts share
    # equally among the four left: 0.5 each.
    assert p.tolist() == pytest.approx([1.0, 0.5, 0.5, 0.5, 0.5])
    assert p.sum() == pytest.approx(3.0)


def test_contact_chances_with_more_due_than_children_are_all_certain() -> None:
    assert contact_chances(np.array([1.0, 2.0]), 5.0).tolist() == [1.0, 1.0]
    assert contact_chances(np.array([1.0, 3.0]), 1.0).tolist() == pytest.approx([0.25, 0.75])


def test_every_source_is_a_cin_referral_source_code() -> None:
    codes = schema_for("cin", 2014).codes["referral_source"]
    drawn = {code for agency in AGENCIES.values() for code, _ in agency.codes}
    assert drawn <= codes
    rng = np.random.default_rng(1)
    sources = contact_sources(
        rng, rng.integers(0, 1 << len(FACTORS), 5_000), rng.random(5_000) * 18
    )
    assert set(sources) <= codes


def test_police_contact_most_where_there_is_domestic_abuse() -> None:
    masks = np.array([0, _mask("domestic_abuse"), _mask("domestic_abuse", "neglect")])
    weights = agency_weights(masks, np.array([8.0, 8.0, 8.0]))
    police = list(AGENCIES).index("police")
    share = weights[:, police] / weights.sum(axis=1)
    assert share[0] < share[1] < share[2]
    assert share[0] < 0.1 < share[1]


def test_schools_never_contact_about_a_baby_and_health_most_about_under_fives() -> None:
    weights = agency_weights(np.array([0, 0, 0]), np.array([0.5, 3.0, 9.0]))
    schools, health = list(AGENCIES).index("schools"), list(AGENCIES).index("health")
    assert weights[0, schools] == 0 and weights[2, schools] > 0
    share = weights[:, health] / weights.sum(axis=1)
    assert share[0] > share[2] and share[1] > share[2]


def test_drawn_sources_follow_the_weights() -> None:
    rng = np.random.default_rng(7)
    n = 40_000
    masks = np.full(n, _mask("domestic_abuse", "high_risk_domestic_abuse"))
    sources = contact_sources(rng, masks, np.full(n, 8.0))
    weights = agency_weights(masks[:1], np.array([8.0]))[0]
    expected = weights[list(AGENCIES).index("police")] / weights.sum()
    assert (sources == "6").mean() == pytest.approx(expected, abs=0.01)
