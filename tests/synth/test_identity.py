"""NHS numbers, UPNs, addresses, schools and GP practices for the synthetic city."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from turnaround.synth.identity import (
    POSTCODE_DISTRICTS,
    POSTCODE_PATTERN,
    UPN_LETTERS,
    draw_addresses,
    is_valid_nhs_number,
    is_valid_upn,
    make_gp_practices,
    make_nhs_numbers,
    make_schools,
    make_upns,
    nhs_check_digit,
    nhs_numbers_valid,
    postcode_sector,
    upn_check_letter,
    upns_valid,
)
from turnaround.synth.rng import rng_for

# --- NHS numbers ---


def test_check_digit_of_a_published_test_number() -> None:
    # 9 4 3 4 7 6 5 9 1 weighted 10..2: 90+36+24+28+42+30+20+27+2 = 299; 299 % 11 = 2; 11-2 = 9.
    assert nhs_check_digit("943476591") == 9
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("943 476 5919")


def test_check_digit_edge_cases() -> None:
    # 6 x 2 = 12, 12 % 11 = 1, 11 - 1 = 10: no valid number starts with these nine digits.
    assert nhs_check_digit("000000006") is None
    # A sum of 0 gives 11, which is written as 0.
    assert nhs_check_digit("000000000") == 0


@pytest.mark.parametrize(
    "value", ["9434765918", "943476591", "94347659190", "943476591X", "", "9434765919 1"]
)
def test_invalid_nhs_numbers(value: str) -> None:
    assert not is_valid_nhs_number(value)


def test_generated_nhs_numbers_are_valid_unique_and_in_range() -> None:
    numbers = make_nhs_numbers(rng_for(3, "identity"), 50_000)
    assert len(numbers) == 50_000
    assert len(set(numbers.tolist())) == 50_000
    assert nhs_numbers_valid(numbers).all()
    assert all(is_valid_nhs_number(v) for v in numbers[:2_000])
    assert set(np.char.str_len(numbers).tolist()) == {10}
    assert set(n[0] for n in numbers.tolist()) <= {"4", "6", "7"}


def test_nhs_numbers_are_deterministic_by_seed() -> None:
    first = make_nhs_numbers(rng_for(7, "identity"), 100)
    again = make_nhs_numbers(rng_for(7, "identity"), 100)
    other = make_nhs_numbers(rng_for(8, "identity"), 100)
    assert (first == again).all()
    assert not (first == other).all()


def test_vectorised_nhs_check_agrees_with_scalar() -> None:
    values = np.array(["9434765919", "9434765918", "abc", "0000000000", "4010232137"])
    expected = [is_valid_nhs_number(v) for v in values.tolist()]
    assert nhs_numbers_valid(values).tolist() == expected


@given(st.integers(0, 9_999), st.integers(0, 9), st.integers(1, 9))
def test_changing_one_digit_breaks_an_nhs_number(index: int, position: int, shift: int) -> None:
    number = str(make_nhs_numbers(np.random.default_rng(index), 1)[0])
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    assert not is_valid_nhs_number("".join(digits))


# --- UPNs ---


def test_upn_check_letter_worked_example() -> None:
    # 8 0 1 2 0 0 0 0 5 0 0 1 weighted 2..13: 16+4+10+50+13 = 93; 93 % 23 = 1 -> 'B'.
    assert upn_check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    assert not is_valid_upn("A801200005001")


def test_temporary_upn_letter_counts_by_its_place_in_the_alphabet() -> None:
    # The final 'A' counts as 0: 16+4+10+50 = 80; 80 % 23 = 11 -> 'M' (I, O and S are skipped).
    assert upn_check_letter("80120000500A") == "M"
    assert is_valid_upn("M80120000500A")
    with pytest.raises(ValueError):
        upn_check_letter("80120000500I")


@pytest.mark.parametrize(
    "value", ["B80120000500", "B8012000050011", "I801200005001", "B8012000X5001", "b801200005001"]
)
def test_malformed_upns_are_invalid(value: str) -> None:
    assert not is_valid_upn(value)


def _schools_and_years(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    estab = rng.choice(np.arange(2001, 2301), size=n).astype(str)
    years = rng.integers(2003, 2015, size=n)
    return estab, years


def test_generated_upns_are_valid_unique_and_well_formed() -> None:
    estab, years = _schools_and_years(60_000)
    upns = make_upns(rng_for(1, "upn"), "330", estab, years)
    assert len(set(upns.tolist())) == len(upns)
    assert upns_valid(upns).all()
    assert all(is_valid_upn(v) for v in upns[:2_000].tolist())
    first = upns[0]
    assert first[1:4] == "330" and first[4:8] == estab[0] and first[8:10] == f"{years[0] % 100:02d}"
    serials = np.array([int(u[10:]) for u in upns.tolist()])
    assert serials.min() == 1


def test_upns_serials_count_up_within_school_and_year() -> None:
    estab = np.array(["2001", "2001", "2001", "4001"])
    upns = make_upns(np.random.default_rng(0), "330", estab, np.array([2010, 2010, 2011, 2010]))
    assert sorted(u[10:] for u in upns[:2].tolist()) == ["001", "002"]
    assert upns[2][8:] == "11001" and upns[3][4:] == "400110001"


def test_too_many_upns_for_one_school_year_is_refused() -> None:
    with pytest.raises(ValueError, match="999"):
        make_upns(np.random.default_rng(0), "330", np.repeat("2001", 1000), np.repeat(2010, 1000))


@given(st.integers(0, 999), st.integers(0, 12), st.integers(1, 22))
def test_changing_one_character_breaks_a_upn(index: int, position: int, shift: int) -> None:
    estab, years = _schools_and_years(1)
    upn = str(make_upns(np.random.default_rng(index), "330", estab, years)[0])
    chars = list(upn)
    if position == 0:
        chars[0] = UPN_LETTERS[(UPN_LETTERS.index(chars[0]) + shift) % 23]
    else:
        chars[position] = str((int(chars[position]) + 1 + shift % 9) % 10)
    assert not is_valid_upn("".join(chars))


# --- Postcodes and addresses ---


def test_addresses_look_like_birmingham_addresses() -> None:
    rng = rng_for(2, "addresses")
    line1, postcode = draw_addresses(rng, rng.random(20_000))
    pattern = re.compile(POSTCODE_PATTERN)
    assert all(pattern.match(p) and p.startswith("B") for p in postcode.tolist())
    assert all(re.match(r"^\d+ [A-Z][A-Za-z ']+$", line) for line in line1.tolist())
    assert len(set(postcode.tolist())) > 10_000
    districts = {p.split()[0] for p in postcode.tolist()}
    assert districts <= {d[0] for d in POSTCODE_DISTRICTS}


def test_same_postcode_means_same_street() -> None:
    rng = rng_for(2, "addresses")
    line1, postcode = draw_addresses(rng, np.full(200_000, 0.93))
    street_of: dict[str, str] = {}
    for line, code in zip(line1.tolist(), postcode.tolist(), strict=True):
        street = line.split(" ", 1)[1]
        assert street_of.setdefault(code, street) == street


def test_deprived_households_live_in_deprived_districts() -> None:
    deprivation_of = {d[0]: d[2] for d in POSTCODE_DISTRICTS}
    rng = rng_for(4, "addresses")
    _, poor = draw_addresses(rng, np.full(5_000, 0.95))
    _, rich = draw_addresses(rng, np.full(5_000, 0.10))
    poor_dep = np.mean([deprivation_of[p.split()[0]] for p in poor.tolist()])
    rich_dep = np.mean([deprivation_of[p.split()[0]] for p in rich.tolist()])
    assert poor_dep > 0.8 > 0.35 > rich_dep
    sutton = sum(p.split()[0] in {"B72", "B73", "B74", "B75", "B76"} for p in rich.tolist())
    assert sutton > sum(p.split()[0] in {"B72", "B73", "B74", "B75", "B76"} for p in poor.tolist())


@pytest.mark.parametrize(
    ("postcode", "sector"), [("B11 1AA", "B11 1"), ("b9 4ew", "B9 4"), ("B111AA", "B11 1")]
)
def test_postcode_sector(postcode: str, sector: str) -> None:
    assert postcode_sector(postcode) == sector


# --- Schools and GP practices ---


def test_schools_have_unique_urns_estabs_and_names() -> None:
    schools = make_schools(rng_for(1, "schools"), 300, 80)
    assert list(schools.columns) == ["urn", "name", "phase", "postcode_district", "estab"]
    assert len(schools) == 380
    for column in ("urn", "name", "estab"):
        assert schools[column].is_unique
    assert schools["urn"].str.fullmatch(r"1(03|04|3\d|4\d)\d{3}").all()
    primary = schools[schools["phase"] == "primary"]
    secondary = schools[schools["phase"] == "secondary"]
    assert len(primary) == 300 and len(secondary) == 80
    assert primary["estab"].str.fullmatch(r"[23]\d{3}").all()
    assert secondary["estab"].str.fullmatch(r"4\d{3}").all()
    assert schools["postcode_district"].str.fullmatch(r"B\d{1,2}").all()


def test_gp_practices_have_unique_ods_codes() -> None:
    practices = make_gp_practices(rng_for(1, "gps"), 180)
    assert list(practices.columns) == ["ods_code", "name", "postcode_district"]
    assert practices["ods_code"].is_unique and practices["name"].is_unique
    assert practices["ods_code"].str.fullmatch(r"M\d{5}").all()
