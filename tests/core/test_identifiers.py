"""NHS number and UPN check characters, against values worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from turnaround.core.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    nhs_check_digits,
    nhs_numbers_valid,
    upn_check_letter,
    upn_check_letters,
    upns_valid,
)


def test_the_nhs_published_example_is_valid() -> None:
    # 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
    assert nhs_check_digit("943476591") == 9
    assert is_valid_nhs_number("943 476 5919")
    assert is_valid_nhs_number("9434765919")


def test_a_wrong_nhs_check_digit_is_invalid() -> None:
    assert not is_valid_nhs_number("9434765918")
    assert not is_valid_nhs_number("9434765910")


def test_a_remainder_of_zero_gives_check_digit_zero() -> None:
    # 4*10 + 0*9 + 0*8 + 0*7 + 0*6 + 0*5 + 0*4 + 0*3 + 2*2 = 44; 44 % 11 = 0; 11 -> 0.
    assert nhs_check_digit("400000002") == 0
    assert is_valid_nhs_number("4000000020")


def test_a_check_of_ten_means_no_valid_number() -> None:
    # 4*10 + 8*2 = 56; 56 % 11 = 1; 11 - 1 = 10: no valid number starts 400000008.
    assert nhs_check_digit("400000008") is None
    assert not any(is_valid_nhs_number(f"400000008{d}") for d in range(10))
    assert nhs_check_digits(np.array([400000008, 943476591]))[0] == 10


def test_malformed_nhs_numbers_are_invalid() -> None:
    for value in ["", "943476591", "94347659199", "943476591X", "９４３４７６５９１９"]:
        assert not is_valid_nhs_number(value)
    with pytest.raises(ValueError, match="nine digits"):
        nhs_check_digit("12345678")


def test_vectorised_nhs_check_agrees() -> None:
    values = np.array(["9434765919", "9434765918", "4000000020", "12", "943476591X"])
    assert nhs_numbers_valid(values).tolist() == [True, False, True, False, False]
    assert nhs_numbers_valid(np.array([], dtype=str)).tolist() == []


def test_the_published_upn_example_is_valid() -> None:
    # B801200005001: 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 5*10 + 0*11 + 0*12 + 1*13
    # = 16 + 4 + 10 + 50 + 13 = 93; 93 % 23 = 1; letter 1 of ABCDEFGHJKLMNPQRTUVWXYZ is B.
    assert upn_check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    assert not is_valid_upn("A801200005001")


def test_a_upn_worked_by_hand() -> None:
    # 330 2001 14 007 -> 330200114007: 3*2 + 3*3 + 0*4 + 2*5 + 0*6 + 0*7 + 1*8 + 1*9 + 4*10 +
    # 0*11 + 0*12 + 7*13 = 6 + 9 + 10 + 8 + 9 + 40 + 91 = 173; 173 % 23 = 12; letter 12 is N.
    assert upn_check_letter("330200114007") == "N"
    assert is_valid_upn("N330200114007")


def test_a_temporary_upn_counts_its_last_letter_by_the_alphabet() -> None:
    # 33020011400A: as above but position 13 is A (value 0): 173 - 91 = 82; 82 % 23 = 13: P.
    assert upn_check_letter("33020011400A") == "P"
    assert is_valid_upn("P33020011400A")
    # The letter's value is its place in the check alphabet: Z is 22, so 82 + 22*13 = 368;
    # 368 % 23 = 0: A.
    assert upn_check_letter("33020011400Z") == "A"
    with pytest.raises(ValueError, match="character 13"):
        upn_check_letter("33020011400I")  # I is never used


def test_malformed_upns_are_invalid() -> None:
    for value in ["", "N33020011400", "N3302001140077", "I330200114007", "N33020011A007"]:
        assert not is_valid_upn(value)


def test_vectorised_upn_check_agrees() -> None:
    values = np.array(
        ["B801200005001", "A801200005001", "P33020011400A", "N330200114007", "UN1", ""]
    )
    assert upns_valid(values).tolist() == [True, False, True, True, False, False]
    assert upn_check_letters(np.array(["801200005001", "330200114007"])).tolist() == ["B", "N"]


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=11, max_size=14))
def test_vectorised_and_scalar_upn_checks_agree(value: str) -> None:
    assert upns_valid(np.array([value])).tolist() == [is_valid_upn(value)]


@given(st.integers(min_value=0, max_value=999_999_999))
def test_every_valid_nhs_number_passes_both_checks(stem: int) -> None:
    nine = f"{stem:09d}"
    check = nhs_check_digit(nine)
    if check is not None:
        number = nine + str(check)
        assert is_valid_nhs_number(number)
        assert nhs_numbers_valid(np.array([number])).tolist() == [True]
