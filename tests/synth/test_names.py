"""Name pools, name draws and ethnicity codes for the synthetic city."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from turnaround.synth.names import (
    ETHNICITY_CODES,
    GROUP_SHARES,
    NAME_GROUPS,
    draw_ethnicity,
    draw_forenames,
    draw_name_groups,
    draw_surnames,
    forename_pools,
    nicknames_of,
    spelling_variants,
    surname_pools,
)
from turnaround.synth.rng import rng_for

SSDA903_ETHNICITIES = {
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
}  # fmt: skip


def _draw(group: str, sex: str, n: int = 40_000, seed: int = 1) -> Counter[str]:
    rng = rng_for(seed, "names")
    names = draw_forenames(rng, np.repeat(group, n), np.repeat(sex, n))
    return Counter(names.tolist())


def test_groups_and_shares_line_up() -> None:
    assert set(GROUP_SHARES) == set(NAME_GROUPS) == set(ETHNICITY_CODES)
    assert sum(GROUP_SHARES.values()) == pytest.approx(1.0)
    for codes in ETHNICITY_CODES.values():
        assert set(codes) <= SSDA903_ETHNICITIES


def test_pools_are_large_with_thousands_of_distinct_names() -> None:
    forenames = {name for names, _ in forename_pools().values() for name in names}
    surnames = {name for names, _ in surname_pools().values() for name in names}
    assert len(forenames) >= 3_000
    assert len(surnames) >= 3_000
    for names, p in [*forename_pools().values(), *surname_pools().values()]:
        assert len(names) >= 100
        assert p.sum() == pytest.approx(1.0) and (p > 0).all()


def test_common_names_are_common_and_the_tail_is_long() -> None:
    counts = _draw("white_british", "M")
    top = [name for name, _ in counts.most_common(20)]
    assert {"Jack", "Thomas", "Oliver", "Harry", "James"} <= set(top)
    assert 0.01 < counts["Jack"] / 40_000 < 0.06
    assert len(counts) > 1_000
    assert sum(1 for c in counts.values() if c == 1) > 200


def test_every_common_spelling_of_mohammed_is_drawn() -> None:
    for group in ("pakistani", "bangladeshi"):
        counts = _draw(group, "M")
        for spelling in ("Mohammed", "Muhammad", "Mohammad"):
            assert counts[spelling] / 40_000 > 0.025, (group, spelling)
    assert _draw("pakistani", "M")["Muhammed"] > 0


def test_names_fit_their_group() -> None:
    rng = rng_for(1, "names")
    n = 30_000
    assert {"Khan", "Hussain", "Ahmed", "Ali"} <= set(
        Counter(draw_surnames(rng, np.repeat("pakistani", n)).tolist()).keys()
    )
    bangladeshi = Counter(draw_surnames(rng, np.repeat("bangladeshi", n)).tolist())
    assert {"Miah", "Uddin", "Rahman", "Begum", "Islam"} <= {
        k for k, _ in bangladeshi.most_common(15)
    }
    indian = Counter(draw_surnames(rng, np.repeat("indian", n)).tolist())
    assert indian.most_common(1)[0][0] == "Singh"
    british = Counter(draw_surnames(rng, np.repeat("white_british", n)).tolist())
    assert {"Smith", "Jones", "Taylor"} <= {k for k, _ in british.most_common(10)}
    assert "Khan" not in british
    girls = _draw("pakistani", "F")
    assert {"Maryam", "Fatima", "Zainab", "Ayesha"} <= {k for k, _ in girls.most_common(15)}
    assert not set(girls) & {"Muhammad", "Mohammed"}


def test_mixed_children_take_names_from_other_groups() -> None:
    rng = rng_for(1, "names")
    surnames = set(draw_surnames(rng, np.repeat("mixed", 20_000)).tolist())
    assert {"Smith", "Campbell", "Khan"} <= surnames


def test_draws_are_deterministic_by_seed_and_follow_inputs() -> None:
    groups = draw_name_groups(rng_for(5, "groups"), 5_000)
    sexes = np.where(np.arange(5_000) % 2 == 0, "F", "M")
    first = draw_forenames(rng_for(5, "names"), groups, sexes)
    again = draw_forenames(rng_for(5, "names"), groups, sexes)
    other = draw_forenames(rng_for(6, "names"), groups, sexes)
    assert (first == again).all()
    assert (first != other).mean() > 0.5
    assert (draw_surnames(rng_for(5, "s"), groups) == draw_surnames(rng_for(5, "s"), groups)).all()


def test_group_and_ethnicity_draws_follow_the_shares() -> None:
    groups = draw_name_groups(rng_for(1, "groups"), 100_000)
    share = Counter(groups.tolist())
    for group, expected in GROUP_SHARES.items():
        assert share[group] / 100_000 == pytest.approx(expected, abs=0.01)
    codes = draw_ethnicity(rng_for(1, "ethnicity"), groups)
    assert set(codes.tolist()) <= SSDA903_ETHNICITIES
    pakistani = Counter(codes[groups == "pakistani"].tolist())
    assert pakistani.most_common(1)[0][0] == "APKN"
    assert Counter(codes[groups == "white_british"].tolist()).most_common(1)[0][0] == "WBRI"


def test_unknown_group_or_sex_is_refused() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="martian"):
        draw_surnames(rng, np.array(["martian", "indian"]))
    with pytest.raises(ValueError, match="sex"):
        draw_forenames(rng, np.array(["indian"]), np.array(["X"]))


def test_spelling_variants_are_symmetric_and_exclude_the_name() -> None:
    variants = spelling_variants("Mohammed")
    assert {"Muhammad", "Mohammad", "Mohamed", "Muhammed"} <= set(variants)
    assert "Mohammed" not in variants
    assert "Mohammed" in spelling_variants("Muhammad")
    assert {"Shevaun", "Shivaun"} <= set(spelling_variants("siobhan"))
    assert spelling_variants("Katie") and "Katy" in spelling_variants("Katie")
    assert spelling_variants("Zzyzx") == ()


def test_nicknames() -> None:
    assert {"Bill", "Will", "Billy", "Liam"} <= set(nicknames_of("William"))
    assert {"Liz", "Beth", "Lizzie"} <= set(nicknames_of("Elizabeth"))
    assert "Mo" in nicknames_of("Muhammad")
    assert "Abdul" in nicknames_of("Abdullah")
    assert nicknames_of("Zzyzx") == ()
