"""Journeys: records consistent with each other, in order, and calibrated by rate."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from turnaround.synth.calendar import day_number
from turnaround.synth.config import SynthConfig
from turnaround.synth.journeys import JourneySimulator, simulate_journeys
from turnaround.synth.population import build_population, simulation_start
from turnaround.synth.risk import build_risk_spells
from turnaround.synth.rng import rng_for


@pytest.fixture(scope="module")
def journeys():
    config = SynthConfig(children=8_000, seed=2)
    start = simulation_start(config)
    pop = build_population(config, rng_for(2, "population"), start)
    spells = build_risk_spells(pop, rng_for(2, "risk"), start, day_number(config.window_end))
    return config, pop, simulate_journeys(config, pop, spells, rng_for(2, "journeys"), start)


def test_every_record_belongs_to_a_known_child(journeys) -> None:
    _, _, result = journeys
    sc = result.social_care
    known = set(sc.known_children["la_child_id"])
    for name in ("contacts", "referrals", "episodes", "looked_after_reviews", "missing", "cases"):
        assert set(getattr(sc, name)["la_child_id"]) <= known, name
    assert sc.known_children["person_id"].is_unique
    assert sc.known_children["la_child_id"].is_unique


def test_dates_run_in_order(journeys) -> None:
    _, _, result = journeys
    sc = result.social_care
    refs = sc.referrals.set_index("referral_id")
    closed = refs["closure_date"].notna()
    assert (refs.loc[closed, "closure_date"] >= refs.loc[closed, "referral_date"]).all()
    a = sc.assessments.join(refs, on="referral_id")
    assert (a["start_date"] >= a["referral_date"]).all()
    done = a["authorised_date"].notna()
    assert (a.loc[done, "authorised_date"] > a.loc[done, "start_date"]).all()
    cp = sc.cp_plans
    ended = cp["end_date"].notna()
    assert (cp.loc[ended, "end_date"] >= cp.loc[ended, "start_date"]).all()


def test_every_cp_plan_follows_an_s47_and_a_conference(journeys) -> None:
    _, _, result = journeys
    sc = result.social_care
    conferences = sc.s47[sc.s47["icpc_date"].notna()]
    joined = sc.cp_plans.merge(conferences, on="referral_id", how="left", suffixes=("", "_s47"))
    in_window = joined["start_date"] >= pd.Timestamp("2010-01-01")
    assert joined.loc[in_window, "icpc_date"].notna().all()
    assert (joined.loc[in_window, "start_date"] == joined.loc[in_window, "icpc_date"]).all()


def test_a_childs_care_episodes_never_overlap(journeys) -> None:
    _, _, result = journeys
    eps = result.social_care.episodes.sort_values(["la_child_id", "decom"])
    nxt = eps.groupby("la_child_id")["decom"].shift(-1)
    assert not (eps["dec"].isna() & nxt.notna()).any(), "only the last episode is open"
    assert not (eps["dec"].notna() & nxt.notna() & (eps["dec"] > nxt)).any()


def test_a_child_has_one_open_cin_episode_at_a_time(journeys) -> None:
    _, _, result = journeys
    refs = result.social_care.referrals.sort_values(["la_child_id", "referral_date"])
    nxt = refs.groupby("la_child_id")["referral_date"].shift(-1)
    overlap = nxt.notna() & (refs["closure_date"].isna() | (refs["closure_date"] > nxt))
    assert not overlap.any()


def test_unknown_children_have_no_records_and_known_ones_do(journeys) -> None:
    _, pop, result = journeys
    status = result.known_status.set_index("person_id")["known_status"]
    known_ids = set(result.social_care.known_children["person_id"])
    assert set(status.index[status != "unknown"]) == known_ids
    assert len(status) == len(pop.children)


def test_ground_truth_risk_has_years_and_levels(journeys) -> None:
    config, _, result = journeys
    cr = result.child_risk
    assert set(cr["year"]) == set(config.collection_years)
    assert (cr["at_risk"] == (cr["level"] == "severe")).all()


def test_an_episode_closes_only_after_its_assessment_is_authorised(journeys) -> None:
    _, _, result = journeys
    sc = result.social_care
    joined = sc.assessments.merge(sc.referrals, on="referral_id")
    both = joined["authorised_date"].notna() & joined["closure_date"].notna()
    assert (joined.loc[both, "closure_date"] >= joined.loc[both, "authorised_date"]).all()


def _small_simulator(seed: int) -> JourneySimulator:
    config = SynthConfig(children=2_000, seed=seed)
    start = simulation_start(config)
    pop = build_population(config, rng_for(seed, "population"), start)
    spells = build_risk_spells(pop, rng_for(seed, "risk"), start, day_number(config.window_end))
    return JourneySimulator(config, pop, spells, rng_for(seed, "journeys"), start)


def test_every_part_of_the_journey_acts_on_the_one_shared_state() -> None:
    sim = _small_simulator(3)
    parts = (sim.front_door, sim.assessment, sim.plans, sim.care, sim.results)
    assert all(part.state is sim.state for part in parts)
    assert sim.front_door.assessment is sim.assessment is sim.care.assessment
    assert sim.assessment.plans is sim.plans


def test_a_fixed_seed_still_gives_the_same_journeys() -> None:
    # Pinned from the generator before its split into sub-objects: the same seed must give the
    # same city, so a change here means the random draws moved. Update only on purpose (last:
    # issue 16's placement moves and shorter child protection plans).
    sc = _small_simulator(3).run().social_care
    fingerprints = {
        name: (len(frame), hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16])
        for name in ("contacts", "referrals", "cp_plans", "episodes", "adoptions")
        for frame in [getattr(sc, name)]
    }
    # Re-pinned on purpose for issue 16: the latent risk, the contact weights and sources
    # (risk links from evidence), the rates' drift, placement moves and plan durations changed.
    assert fingerprints == {
        "contacts": (2160, "155e06b37a81f44c"),
        "referrals": (662, "f74c417277ccb67a"),
        "cp_plans": (81, "bf539a46ad3efaba"),
        "episodes": (139, "67f0b66c776f7d11"),
        "adoptions": (8, "ba1ceecc1ca57be4"),
    }
