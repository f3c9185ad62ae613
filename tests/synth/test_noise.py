"""The errors partner extracts carry: each small mistake, and the driver that applies them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from turnaround.synth import noise
from turnaround.synth.noise import (
    PROFILES,
    NoiseProfile,
    apply_noise,
    forename_variant,
    mangle,
    swap_day_month,
    swap_forename_surname,
    truncate_surname,
    typo,
    wrong_year_digit,
)

VARIANTS = {"Mohammed": ("Muhammad", "Mohammad", "Mohamed"), "Muhammad": ("Mohammed",)}
NICKNAMES = {"William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth")}

names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'- "),
    min_size=1,
    max_size=20,
)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def is_transposition(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


@given(names, seeds)
def test_a_typo_is_one_edit_or_one_transposition(name: str, seed: int) -> None:
    out = typo(np.random.default_rng(seed), name)
    distance = levenshtein(name, out)
    assert distance == 1 or (distance == 2 and is_transposition(name, out))


@given(names, seeds)
def test_a_typo_never_empties_a_name(name: str, seed: int) -> None:
    out = typo(np.random.default_rng(seed), name)
    assert out
    if any(c.isalpha() for c in name):
        assert any(c.isalpha() for c in out)


def test_a_typo_uses_neighbouring_keys() -> None:
    rng = np.random.default_rng(0)
    seen = {typo(rng, "a") for _ in range(200)}
    inserted_or_swapped = {s for s in seen if len(s) == 2}
    assert seen - inserted_or_swapped <= {"q", "w", "s", "z"}
    assert typo(rng, "") == ""


@given(dates)
def test_swapping_day_and_month_exchanges_them_or_leaves_the_date(d: date) -> None:
    out = swap_day_month(d)
    if d.day <= 12 and d.day != d.month:
        assert (out.year, out.month, out.day) == (d.year, d.day, d.month)
    else:
        assert out == d


@given(dates, seeds)
def test_a_wrong_year_digit_changes_exactly_one_digit(d: date, seed: int) -> None:
    out = wrong_year_digit(np.random.default_rng(seed), d)
    assert (out.month, out.day) == (d.month, d.day)
    changed = sum(a != b for a, b in zip(f"{d.year:04d}", f"{out.year:04d}", strict=True))
    if out == d:
        assert (d.month, d.day) == (2, 29)
    else:
        assert changed == 1
        assert abs(out.year - d.year) in (1, 10)


def test_a_wrong_year_digit_reads_like_a_keying_slip() -> None:
    rng = np.random.default_rng(1)
    seen = {wrong_year_digit(rng, date(2009, 6, 15)).year for _ in range(100)}
    assert seen == {2008, 2019}


@given(
    st.lists(
        st.sampled_from(["Smith", "Khan", "Begum", "Ali", "O'Brien", "Lee"]), min_size=1, max_size=3
    ),
    st.sampled_from(["-", " "]),
    seeds,
)
def test_truncating_a_surname_keeps_one_of_its_parts(
    parts: list[str], joiner: str, seed: int
) -> None:
    surname = joiner.join(parts)
    out = truncate_surname(np.random.default_rng(seed), surname)
    assert out in parts
    if joiner == " " and len(parts) > 1:
        assert out == parts[0]


def test_truncating_double_surnames() -> None:
    rng = np.random.default_rng(2)
    assert {truncate_surname(rng, "Smith-Khan") for _ in range(50)} == {"Smith", "Khan"}
    assert truncate_surname(rng, "Begum Ali") == "Begum"
    assert truncate_surname(rng, "Jones") == "Jones"


def test_forename_variants_and_nicknames() -> None:
    rng = np.random.default_rng(3)
    seen = {forename_variant(rng, "Mohammed", VARIANTS, NICKNAMES) for _ in range(100)}
    assert seen == {"Muhammad", "Mohammad", "Mohamed"}
    assert forename_variant(rng, "William", VARIANTS, NICKNAMES) in {"Bill", "Will", "Billy"}
    assert forename_variant(rng, "Zebedee", VARIANTS, NICKNAMES) == "Zebedee"


def test_forename_lookups_can_be_functions() -> None:
    rng = np.random.default_rng(4)
    out = forename_variant(
        rng, "William", lambda n: (), lambda n: ("Bill",) if n == "William" else ()
    )
    assert out == "Bill"


def test_swapping_forename_and_surname() -> None:
    assert swap_forename_surname("Aisha", "Begum") == ("Begum", "Aisha")


@given(names.filter(lambda s: any(c.isalpha() for c in s)), seeds)
def test_mangling_keeps_a_name(name: str, seed: int) -> None:
    out = mangle(np.random.default_rng(seed), name)
    assert out.strip()

    def letters(s: str) -> str:
        # Mangling changes case, spacing and punctuation only: the letters stay.
        return "".join(s.replace("'", "").replace("-", "").upper().split())

    assert letters(out) == letters(name)


def test_mangling_obrien() -> None:
    rng = np.random.default_rng(5)
    seen = {mangle(rng, "O'Brien") for _ in range(200)}
    assert "OBRIEN" in seen
    assert "O'BRIEN" in seen


def _records(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    forenames = np.array(["Mohammed", "William", "Aisha", "O'Neil", "Jo"], dtype=object)
    surnames = np.array(["Smith-Khan", "Begum Ali", "O'Brien", "Li", "Jones"], dtype=object)
    return pd.DataFrame(
        {
            "forename": pd.array(forenames[rng.integers(5, size=n)], dtype="str"),
            "surname": pd.array(surnames[rng.integers(5, size=n)], dtype="str"),
            "dob": pd.to_datetime("2005-01-01")
            + pd.to_timedelta(rng.integers(0, 4000, n), unit="D"),
            "nhs_number": pd.array((4_000_000_000 + np.arange(n)).astype(str), dtype="str"),
            "upn": pd.array(np.char.add("A", (10**11 + np.arange(n)).astype(str)), dtype="str"),
            "household_id": np.arange(n, dtype="int64") % 50,
            "record_date": pd.to_datetime("2013-06-01")
            + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "line1": pd.array(["1 New Road"] * n, dtype="str"),
            "postcode": pd.array(["B2 2BB"] * n, dtype="str"),
        }
    )


NOISY = NoiseProfile(
    typo=0.3,
    forename_variant=0.3,
    swap_names=0.1,
    truncate_surname=0.5,
    swap_day_month=0.2,
    wrong_year_digit=0.2,
    dob_missing=0.05,
    mangle=0.4,
    nhs_present=0.5,
    upn_present=0.8,
    stale_address=0.5,
)


@given(seeds, st.integers(min_value=0, max_value=300))
def test_apply_noise_is_deterministic_and_keeps_every_row(seed: int, n: int) -> None:
    records = _records(n)
    first = apply_noise(
        records, NOISY, np.random.default_rng(seed), variants=VARIANTS, nicknames=NICKNAMES
    )
    again = apply_noise(
        records, NOISY, np.random.default_rng(seed), variants=VARIANTS, nicknames=NICKNAMES
    )
    pd.testing.assert_frame_equal(first, again)
    assert len(first) == n
    assert list(first.columns) == list(records.columns)
    assert (first["forename"].str.strip() != "").all()
    assert (first["surname"].str.strip() != "").all()


def test_apply_noise_hits_rows_at_the_profile_rates() -> None:
    n = 20_000
    records = _records(n)
    out = apply_noise(
        records, NOISY, np.random.default_rng(9), variants=VARIANTS, nicknames=NICKNAMES
    )
    assert abs((out["nhs_number"] != "").mean() - 0.5) < 0.02
    assert abs((out["upn"] != "").mean() - 0.8) < 0.02
    assert abs(out["dob"].isna().mean() - 0.05) < 0.01
    kept = out["nhs_number"] != ""
    assert (out.loc[kept, "nhs_number"] == records.loc[kept, "nhs_number"]).all()
    changed_dob = (out["dob"] != records["dob"]) & out["dob"].notna()
    assert 0.2 < changed_dob.mean() < 0.45
    assert (out["forename"] != records["forename"]).mean() > 0.3
    assert records.equals(_records(n)), "the input must not be changed"


def test_clean_profile_changes_nothing() -> None:
    clean = NoiseProfile(
        typo=0,
        forename_variant=0,
        swap_names=0,
        truncate_surname=0,
        swap_day_month=0,
        wrong_year_digit=0,
        mangle=0,
        stale_address=0,
    )
    records = _records(500)
    out = apply_noise(records, clean, np.random.default_rng(0), variants={}, nicknames={})
    pd.testing.assert_frame_equal(out, records)


def test_a_stale_address_is_the_one_before_a_recent_move() -> None:
    addresses = pd.DataFrame(
        {
            "household_id": np.array([1, 1, 2], dtype="int64"),
            "line1": pd.array(["1 Old Lane", "2 New Street", "3 Only Road"], dtype="str"),
            "postcode": pd.array(["B1 1AA", "B2 2BB", "B3 3CC"], dtype="str"),
            "start": pd.to_datetime(["2000-01-01", "2013-05-01", "2000-01-01"]),
            "end": pd.to_datetime(["2013-05-01", None, None]),
        }
    )
    records = pd.DataFrame(
        {
            "household_id": np.array([1, 1, 2], dtype="int64"),
            "record_date": pd.to_datetime(["2013-05-10", "2016-01-01", "2013-05-10"]),
            "line1": pd.array(["2 New Street", "2 New Street", "3 Only Road"], dtype="str"),
            "postcode": pd.array(["B2 2BB", "B2 2BB", "B3 3CC"], dtype="str"),
        }
    )
    profile = NoiseProfile(stale_address=1.0, address_lag_days=10_000.0)
    stale = apply_noise(records, profile, np.random.default_rng(1), addresses=addresses)
    # A long lag reaches back before the move for the first record; the last has never moved.
    assert stale["postcode"].iloc[2] == "B3 3CC"
    assert set(stale["postcode"].iloc[:2]) <= {"B1 1AA", "B2 2BB"}
    prompt = NoiseProfile(stale_address=1.0, address_lag_days=1e-9)
    fresh = apply_noise(records, prompt, np.random.default_rng(1), addresses=addresses)
    assert list(fresh["postcode"]) == list(records["postcode"])


def test_every_profile_is_a_valid_set_of_rates() -> None:
    assert {"school", "ae", "health_visiting", "police", "housing", "youth_justice"} <= set(
        PROFILES
    )
    for profile in PROFILES.values():
        for name, value in vars(profile).items():
            if name != "address_lag_days":
                assert 0.0 <= value <= 1.0
    assert PROFILES["police"].nhs_present < PROFILES["housing"].nhs_present
    assert PROFILES["police"].typo > PROFILES["school"].typo


@pytest.mark.parametrize("rows", [0, 1])
def test_tiny_frames(rows: int) -> None:
    out = apply_noise(
        _records(rows), PROFILES["police"], np.random.default_rng(0), variants={}, nicknames={}
    )
    assert len(out) == rows


def test_default_lookups_load_lazily() -> None:
    variants, nicknames = noise._default_lookups()
    rng = np.random.default_rng(0)
    assert isinstance(forename_variant(rng, "William", variants, nicknames), str)
