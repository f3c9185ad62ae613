"""The risk links against their evidence: DASH grades, harm, co-occurrence, the front door."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turnaround.synth import evidence, risk
from turnaround.synth.calendar import day_number
from turnaround.synth.config import SynthConfig
from turnaround.synth.extracts import build_extracts
from turnaround.synth.extracts.police import DASH_BY_SEVERITY, DASH_GRADES, dash_grades
from turnaround.synth.journeys import simulate_journeys
from turnaround.synth.model import City, Risk
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.rng import rng_for
from turnaround.synth.workforce import build_workforce


@pytest.fixture(scope="module")
def city() -> City:
    config = SynthConfig(children=6_000, seed=11)
    start = simulation_start(config)
    pop = build_population(config, rng_for(11, "population"), start)
    spells = risk.build_risk_spells(pop, rng_for(11, "risk"), start, day_number(config.window_end))
    journeys = simulate_journeys(config, pop, spells, rng_for(11, "journeys"), start)
    extracts = build_extracts(
        pop, spells, journeys.social_care, config, lambda name: rng_for(11, name)
    )
    workforce = build_workforce(journeys.social_care.cases, config, rng_for(11, "workforce"))
    return City(
        population=pop,
        risk=Risk(spells=spells, child_risk=journeys.child_risk),
        social_care=journeys.social_care,
        extracts=extracts,
        workforce=workforce,
    )


def test_dash_grades_follow_the_abuse_severity() -> None:
    rng = np.random.default_rng(3)
    n = 30_000
    in_spell = np.repeat([False, True, True], n)
    high = np.repeat([False, False, True], n)
    grades = dash_grades(rng, in_spell, high).reshape(3, n)
    for row, state in enumerate(("none", "standard", "high")):
        shares = [(grades[row] == g).mean() for g in DASH_GRADES]
        assert shares == pytest.approx(list(DASH_BY_SEVERITY[state]), abs=0.01), state
    high_share = [(grades[row] == "High").mean() for row in range(3)]
    assert high_share[0] < high_share[1] < high_share[2]


def test_masks_on_match_the_spells_by_hand() -> None:
    spells = pd.DataFrame(
        {
            "household_id": [1, 1, 2],
            "factor": ["neglect", "poverty", "domestic_abuse"],
            "start": pd.to_datetime(["2013-01-10", "2013-02-20", "2013-01-01"]),
            "end": pd.to_datetime(["2013-03-01", None, "2013-01-05"]),
        }
    )
    day = np.array([day_number(pd.Timestamp(d).date()) for d in ("2013-02-25", "2013-01-03")])
    masks = evidence.masks_on(spells, np.array([1, 2]), day)
    assert masks.tolist() == [
        evidence.mask_of("neglect", "poverty"),
        evidence.mask_of("domestic_abuse"),
    ]
    # The end day is not part of a spell; a household with no spells has none.
    later = np.array([day_number(pd.Timestamp("2013-01-05").date())])
    assert evidence.masks_on(spells, np.array([2]), later).tolist() == [0]
    assert evidence.masks_on(spells, np.array([3]), later).tolist() == [0]


def test_table_risk_of_the_trio_and_of_neglect_by_hand() -> None:
    assert evidence.table_risk(evidence.TRIO, 7.0) == pytest.approx(1 - 0.75 * 0.75 * 0.86 * 0.8)
    assert evidence.table_risk(("neglect",), 0.5) == pytest.approx(0.5 * 1.25)
    assert evidence.table_risk(("domestic_abuse",), 7.0) < risk.AT_RISK_FROM


def test_most_children_police_grade_high_risk_are_at_risk_of_significant_harm(city) -> None:
    then, in_year = evidence.high_dash_at_risk(city)
    # CAADA (2014): 62% of children exposed to high-risk abuse were directly harmed.
    assert 0.45 < then <= in_year < 0.8


def test_few_police_notifications_lead_to_an_assessment(city) -> None:
    # Stanley et al. (2010): 5% of notifications were followed by an initial assessment.
    assert 0.02 < evidence.police_notification_assessed(city) < 0.10


def test_the_trio_co_occurs_as_the_childrens_commissioner_estimates(city) -> None:
    prevalence = evidence.factor_prevalence(city, 2014)
    assert prevalence["all_three"] <= min(prevalence[f] for f in evidence.TRIO)
    assert prevalence["any"] >= max(prevalence[f] for f in evidence.TRIO)
    for factor, published in evidence.TRIO_PREVALENCE_2018.items():
        assert published / 2 < prevalence[factor] < published * 2, factor


def test_referrals_come_from_each_agency_as_in_england(city) -> None:
    mix = evidence.source_mix(city, 2014, "referral")
    assert sum(mix.values()) == pytest.approx(1.0)
    for group, published in evidence.REFERRAL_SHARES_2014.items():
        assert abs(mix[group] - published) < 0.06, group
    contacts = evidence.source_mix(city, 2014)
    assert contacts["police"] > contacts["anonymous"]


def test_neglected_pupils_are_persistently_absent_more_often(city) -> None:
    table = city.extracts.tables["school_census"]
    truth = city.extracts.truth
    truth = truth.loc[truth["source"] == "school_census"].set_index("record_id")["person_id"]
    person = truth.reindex(table["CensusRowID"]).to_numpy()
    household = (
        city.population.children.set_index("person_id")["household_id"].reindex(person).to_numpy()
    )
    day = np.full(len(person), day_number(pd.Timestamp("2014-01-16").date()))
    masks = evidence.masks_on(city.risk.spells, household, day)
    absent = (table["SessionsMissed"] >= 0.1 * table["SessionsPossible"]).to_numpy()
    neglect = (masks & evidence.mask_of("neglect")) > 0
    assert absent[neglect].mean() > 2 * absent[masks == 0].mean()


def test_risk_links_name_a_source_for_every_figure(city) -> None:
    links = evidence.risk_links(city, 2014)
    keys = [link.key for link in links]
    assert len(keys) == len(set(keys))
    assert {"high_dash_at_risk", "trio_risk_5_10", "notification_assessed_90d"} <= set(keys)
    assert all(link.source for link in links if link.published is not None)
