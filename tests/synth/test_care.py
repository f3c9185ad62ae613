"""One care spell: valid SSDA903 episodes, whatever the child's age and route into care."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.synth.calendar import add_years
from turnaround.synth.care import TEMPORARY, plan_care_spell

SECTORS = np.array(["B11 1", "B8 2", "B23 5"])
RNE = {"S", "P", "L", "T", "U", "B"}
LS = {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}
REC = {
    "E11",
    "E12",
    "E2",
    "E3",
    "E4A",
    "E4B",
    "E13",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "E14",
    "E15",
    "E16",
    "E17",
    "X1",
}


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    age_days=st.integers(0, 6_500),
    emergency=st.booleans(),
)
def test_spell_episodes_are_contiguous_and_valid(seed: int, age_days: int, emergency: bool) -> None:
    rng = np.random.default_rng(seed)
    entry = 16_000
    dob = entry - age_days
    spell = plan_care_spell(rng, entry, dob, "N1", emergency, "B11 1", SECTORS)
    eps = spell.episodes
    assert eps, "a spell has at least one episode"
    assert eps[0][0] == entry and eps[0][1] == "S"
    for k, ep in enumerate(eps):
        decom, rne, ls, _cin, place, provider, dec, rec, reason, *_ = ep
        assert decom < dec or (decom == dec and k == len(eps) - 1), "ends after it starts"
        assert rne in RNE and ls in LS and rec in REC
        if place in TEMPORARY:
            assert provider == "", "temporary placements have no provider"
            assert 0 < k < len(eps) - 1, "care never starts or ends in a temporary placement"
            assert dec - decom <= 7, "a temporary placement lasts under a week"
        if k + 1 < len(eps):
            assert dec == eps[k + 1][0], "the next episode starts the day this one ends"
            assert rec == "X1"
        if rne == "L":
            assert place == eps[k - 1][4], "a change of legal status only keeps the placement"
            assert reason == ""
    assert eps[-1][6] == spell.end
    assert eps[-1][7] != "X1"
    eighteenth = int(add_years(np.array([dob]), 18)[0])
    assert spell.end <= eighteenth
    for _kind, start, stop in spell.missing:
        assert entry <= start <= stop


def test_a_baby_can_be_placed_for_adoption_and_adopted() -> None:
    outcomes = set()
    for seed in range(200):
        rng = np.random.default_rng(seed)
        spell = plan_care_spell(rng, 16_000, 15_900, "N1", False, "B11 1", SECTORS, "adoption")
        outcomes.add(spell.exit_reason)
        if spell.adoption is not None:
            date_int, date_match, ceased, reason, order, with_carer = spell.adoption
            if date_match is None:  # the plan was reversed, with a reason, and no order
                assert ceased is not None and ceased > date_int and reason.startswith("RD")
                assert order is None
                continue
            assert ceased is None and reason == ""
            order_granted = min(e[0] for e in spell.episodes if e[2] == "E1")
            assert date_int <= order_granted  # DfE rule 554
            placed = min(e[0] for e in spell.episodes if e[4] in ("A5", "A6"))
            assert date_int < date_match < placed
            places = [e[4] for e in spell.episodes if e[0] >= placed]
            assert all(p == ("A5" if with_carer else "A6") for p in places)  # rule 335
    assert {"E11", "E12"} & outcomes


def test_children_who_reach_18_in_care_leave_on_their_birthday() -> None:
    rng = np.random.default_rng(1)
    dob = 16_000 - int(16.5 * 365.25)
    spell = plan_care_spell(rng, 16_000, dob, "N1", False, "B11 1", SECTORS, "long")
    assert spell.open_at_18
    assert spell.end == int(add_years(np.array([dob]), 18)[0])
    assert spell.exit_reason in {"E5", "E6", "E8", "E9", "E17"}
