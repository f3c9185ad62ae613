"""The council's case-system person export: every known child once, noised lightly, no truth."""

from __future__ import annotations

import pandas as pd
import pytest

from turnaround.synth.calendar import day_number
from turnaround.synth.case_records import case_people
from turnaround.synth.config import SynthConfig
from turnaround.synth.identity import is_valid_nhs_number
from turnaround.synth.journeys import simulate_journeys
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.risk import build_risk_spells
from turnaround.synth.rng import rng_for


@pytest.fixture(scope="module")
def city():
    config = SynthConfig(children=3_000, seed=21)
    start = simulation_start(config)
    pop = build_population(config, rng_for(21, "population"), start)
    spells = build_risk_spells(pop, rng_for(21, "risk"), start, day_number(config.window_end))
    result = simulate_journeys(config, pop, spells, rng_for(21, "journeys"), start)
    people = case_people(pop, result.social_care, rng_for(21, "case-records"))
    return pop, result.social_care, people


def test_every_known_child_appears_once(city) -> None:
    _, social_care, people = city
    assert people["PersonID"].is_unique
    assert set(people["PersonID"]) == set(social_care.known_children["la_child_id"])


def test_no_ground_truth_column_and_mostly_the_true_details(city) -> None:
    pop, social_care, people = city
    assert not {c.lower() for c in people.columns} & {"person_id", "household_id", "risk"}
    truth = social_care.known_children.merge(pop.children, on="person_id").set_index("la_child_id")
    joined = people.set_index("PersonID").join(truth)
    same_surname = (joined["LastName"] == joined["surname"]).mean()
    assert 0.85 < same_surname < 1.0  # lightly noised, as staff type what they are told
    dob = pd.to_datetime(joined["DateOfBirth"], format="%d/%m/%Y")
    assert 0.97 < (dob == joined["dob"]).mean() < 1.0
    recorded = joined["NHSNumber"].astype(str).str.len() == 10
    assert 0.7 < recorded.mean() < 0.9
    assert all(is_valid_nhs_number(v) for v in joined.loc[recorded, "NHSNumber"])
