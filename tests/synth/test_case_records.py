"""The council's case-system person export: every known child once, noised lightly, no truth."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from turnaround.linkage.sources import SOCIAL_CARE, check_source, load_mapping
from turnaround.linkage.standardise import read_source
from turnaround.synth.calendar import day_number
from turnaround.synth.case_records import case_people, first_known_dates, write_case_people
from turnaround.synth.config import SynthConfig
from turnaround.synth.identity import is_valid_nhs_number
from turnaround.synth.journeys import simulate_journeys
from turnaround.synth.model import SocialCare
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


def _social_care(**tables: pd.DataFrame) -> SocialCare:
    """A SocialCare with only the tables given (every other one empty)."""
    empty = {f.name: pd.DataFrame() for f in dataclasses.fields(SocialCare)}
    return SocialCare(**{**empty, **tables})


def test_first_known_is_the_earliest_contact_early_help_referral_or_episode() -> None:
    when = pd.to_datetime
    sc = _social_care(
        contacts=pd.DataFrame(
            {"la_child_id": ["C1", "C1"], "contact_date": when(["2010-05-03", "2010-05-01"])}
        ),
        early_help=pd.DataFrame({"la_child_id": ["C3"], "start": when(["2011-01-01"])}),
        referrals=pd.DataFrame(
            {
                "la_child_id": ["C1", "C2", "C4"],
                "referral_date": when(["2010-05-03", "2001-02-01", None]),
            }
        ),
        episodes=pd.DataFrame(
            {"la_child_id": ["C2", "C4"], "decom": when(["2001-02-10", "1999-11-30"])}
        ),
    )

    first = first_known_dates(sc)

    assert first.to_dict() == {
        "C1": pd.Timestamp("2010-05-01"),  # the contact, two days before its referral
        "C2": pd.Timestamp("2001-02-01"),  # in care before the simulation: the referral
        "C3": pd.Timestamp("2011-01-01"),  # early help only
        "C4": pd.Timestamp("1999-11-30"),  # an episode, its referral undated
    }


def test_every_known_child_has_a_first_known_date_and_history_before_the_window(city) -> None:
    _, social_care, people = city
    first = pd.to_datetime(people["FirstKnownDate"], format="%d/%m/%Y")
    assert first.notna().all()
    expected = first_known_dates(social_care).reindex(people["PersonID"])
    assert (first.to_numpy() == expected.to_numpy()).all()  # never noised
    # Children in care when the simulation starts were known years before the first return.
    in_care_early = social_care.episodes.loc[
        social_care.episodes["decom"] < pd.Timestamp("2006-04-01"), "la_child_id"
    ].unique()
    assert len(in_care_early) > 0
    by_child = pd.Series(first.to_numpy(), index=people["PersonID"])
    assert (by_child.reindex(in_care_early) < pd.Timestamp("2006-04-01")).all()


def test_the_first_known_date_round_trips_through_the_person_mapping(city, tmp_path: Path) -> None:
    _, social_care, people = city
    path = write_case_people(people, tmp_path)
    mapping = load_mapping(SOCIAL_CARE)

    assert [f for f in check_source(mapping, path) if f.severity == "error"] == []
    read = read_source(path, mapping).set_index("record_id")["event_date"]
    expected = first_known_dates(social_care).dt.date
    assert read.reindex(expected.index).tolist() == expected.tolist()
