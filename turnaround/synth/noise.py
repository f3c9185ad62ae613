"""The errors real partner extracts carry, applied to clean identifiers.

Each small function here makes one kind of mistake a person keying a record makes: a typo, a
nickname, a swapped day and month, a dropped half of a double surname. ``apply_noise`` applies
them to a random share of an extract's rows at the rates in an agency's ``NoiseProfile``, so a
police extract looks like a police extract and a school census looks like a school census.

The functions are pure: the same inputs and the same generator state give the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

NameLookup = Callable[[str], Sequence[str]] | Mapping[str, Sequence[str]]

# Neighbouring keys on a UK QWERTY keyboard: the keys a finger slips onto.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROW_OFFSETS = (0.0, 0.25, 0.75)


def _build_adjacency() -> dict[str, str]:
    position: dict[str, tuple[int, float]] = {}
    for row, (keys, offset) in enumerate(zip(_KEY_ROWS, _ROW_OFFSETS, strict=True)):
        for col, key in enumerate(keys):
            position[key] = (row, col + offset)
    adjacent: dict[str, str] = {}
    for key, (row, x) in position.items():
        near = [
            other
            for other, (orow, ox) in position.items()
            if other != key and abs(orow - row) <= 1 and abs(ox - x) <= 1.0
        ]
        adjacent[key] = "".join(sorted(near))
    return adjacent


KEYBOARD_NEIGHBOURS: dict[str, str] = _build_adjacency()
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _neighbour_key(rng: np.random.Generator, char: str) -> str:
    """A key next to ``char``, in the same case; any other letter if it has no neighbours."""
    lower = char.lower()
    choices = KEYBOARD_NEIGHBOURS.get(lower) or _LETTERS.replace(lower, "")
    picked = choices[int(rng.integers(len(choices)))]
    return picked.upper() if char.isupper() else picked


def typo(rng: np.random.Generator, s: str) -> str:
    """One slip of the keyboard: a neighbouring key, a dropped, an extra or two swapped letters.

    Substitution, deletion and insertion change ``s`` by edit distance 1; a transposition by 2
    (one Damerau step). Letters are preferred over spaces and punctuation, a name is never cut
    to nothing, and the empty string comes back unchanged.
    """
    if not s:
        return s
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    positions = letters or list(range(len(s)))
    swappable = [
        i for i in range(len(s) - 1) if s[i] != s[i + 1] and (s[i].isalpha() or not letters)
    ]
    ops = ["substitute", "insert"]
    if len(letters) >= 2 or (not letters and len(s) >= 2):
        ops.append("delete")
    if swappable:
        ops.append("transpose")
    op = ops[int(rng.integers(len(ops)))]
    if op == "transpose":
        i = swappable[int(rng.integers(len(swappable)))]
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    i = positions[int(rng.integers(len(positions)))]
    if op == "substitute":
        return s[:i] + _neighbour_key(rng, s[i]) + s[i + 1 :]
    if op == "delete":
        return s[:i] + s[i + 1 :]
    # An insertion is a doubled key or a neighbouring key pressed alongside the intended one.
    extra = s[i] if rng.random() < 0.4 else _neighbour_key(rng, s[i])
    return s[: i + 1] + extra + s[i + 1 :]


def _lookup(table: NameLookup, name: str) -> Sequence[str]:
    if isinstance(table, Mapping):
        return table.get(name, ())
    return table(name)


def _default_lookups() -> tuple[NameLookup, NameLookup]:
    """The name tables from ``names``, imported only when needed; empty if it is not there yet."""
    try:
        from turnaround.synth import names
    except ModuleNotFoundError as exc:
        if exc.name != "turnaround.synth.names":
            raise
        return {}, {}
    return names.spelling_variants, names.nicknames_of


def forename_variant(
    rng: np.random.Generator,
    name: str,
    variants: NameLookup | None = None,
    nicknames: NameLookup | None = None,
) -> str:
    """Another way the same forename gets written: a spelling variant or a nickname.

    Mohammed may come back as Muhammad, William as Bill. A name with no known alternative comes
    back unchanged.
    """
    if variants is None or nicknames is None:
        default_variants, default_nicknames = _default_lookups()
        variants = default_variants if variants is None else variants
        nicknames = default_nicknames if nicknames is None else nicknames
    choices = [c for c in (*_lookup(variants, name), *_lookup(nicknames, name)) if c and c != name]
    if not choices:
        return name
    return choices[int(rng.integers(len(choices)))]


def swap_day_month(d: date) -> date:
    """The date read the American way round; ``d`` itself when that is not a different date."""
    if d.day > 12 or d.day == d.month:
        return d
    return d.replace(month=d.day, day=d.month)


def wrong_year_digit(rng: np.random.Generator, d: date) -> date:
    """The date with one of the year's last two digits keyed one off (2009 → 2008 or 2019).

    A digit only moves to its neighbour (0 → 1, never 0 → 9), so the error stays near the true
    year. If no such year keeps the day valid (29 February) the date comes back unchanged.
    """
    digits = list(f"{d.year:04d}")
    options: list[int] = []
    for pos in (2, 3):
        value = int(digits[pos])
        for step in (-1, 1):
            if 0 <= value + step <= 9:
                candidate = [*digits]
                candidate[pos] = str(value + step)
                year = int("".join(candidate))
                if d.month != 2 or d.day != 29 or _is_leap(year):
                    options.append(year)
    if not options:
        return d
    return d.replace(year=options[int(rng.integers(len(options)))])


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def swap_forename_surname(forename: str, surname: str) -> tuple[str, str]:
    """Forename and surname keyed into each other's fields."""
    return surname, forename


def truncate_surname(rng: np.random.Generator, surname: str) -> str:
    """One part of a double or hyphenated surname ("Smith-Khan" → "Smith" or "Khan").

    A surname with two or more parts joined by spaces keeps its first part ("Begum Ali" →
    "Begum"), as systems with one short surname field do; a hyphenated one loses either side.
    A single surname comes back unchanged.
    """
    if "-" in surname:
        parts = [p for p in surname.split("-") if p.strip()]
        if len(parts) >= 2:
            return parts[int(rng.integers(len(parts)))].strip()
    parts = surname.split()
    if len(parts) >= 2:
        return parts[0]
    return surname


_MANGLES = ("upper", "lower", "trailing_space", "strip_punctuation", "upper_no_punctuation")


def mangle(rng: np.random.Generator, s: str) -> str:
    """Case, whitespace and punctuation as extract systems mangle them ("O'Brien" → "OBRIEN")."""
    how = _MANGLES[int(rng.integers(len(_MANGLES)))]
    if how == "upper":
        out = s.upper()
    elif how == "lower":
        out = s.lower()
    elif how == "trailing_space":
        out = s + " " * int(rng.integers(1, 4))
    else:
        out = "".join(c for c in s if c not in "'’.-")
        if how == "upper_no_punctuation":
            out = out.upper()
    return out if out.strip() else s


@dataclass(frozen=True)
class NoiseProfile:
    """How often each kind of error appears in one agency's extract, as shares of its rows.

    ``nhs_present`` and ``upn_present`` are the shares of rows that keep the identifier;
    ``stale_address`` rows carry the household's address as it was ``address_lag_days`` (on
    average, exponentially distributed) before the record date.
    """

    typo: float = 0.02
    forename_variant: float = 0.03
    swap_names: float = 0.005
    truncate_surname: float = 0.1
    swap_day_month: float = 0.01
    wrong_year_digit: float = 0.005
    dob_missing: float = 0.0
    mangle: float = 0.05
    nhs_present: float = 1.0
    upn_present: float = 1.0
    stale_address: float = 0.1
    address_lag_days: float = 120.0


# Rates per agency. Schools hold clean, checked identifiers; health holds NHS numbers; police
# and housing key names from what people say at the door, and rarely know an NHS number.
PROFILES: dict[str, NoiseProfile] = {
    "school": NoiseProfile(
        typo=0.01,
        forename_variant=0.01,
        swap_names=0.001,
        truncate_surname=0.03,
        swap_day_month=0.003,
        wrong_year_digit=0.002,
        mangle=0.03,
        nhs_present=0.0,
        upn_present=0.99,
        stale_address=0.15,
        address_lag_days=150.0,
    ),
    "ae": NoiseProfile(
        typo=0.03,
        forename_variant=0.05,
        swap_names=0.005,
        truncate_surname=0.12,
        swap_day_month=0.012,
        wrong_year_digit=0.006,
        dob_missing=0.002,
        mangle=0.15,
        nhs_present=0.85,
        upn_present=0.0,
        stale_address=0.2,
        address_lag_days=200.0,
    ),
    "health_visiting": NoiseProfile(
        typo=0.015,
        forename_variant=0.02,
        swap_names=0.002,
        truncate_surname=0.05,
        swap_day_month=0.005,
        wrong_year_digit=0.002,
        mangle=0.05,
        nhs_present=0.95,
        upn_present=0.0,
        stale_address=0.1,
        address_lag_days=90.0,
    ),
    "police": NoiseProfile(
        typo=0.07,
        forename_variant=0.15,
        swap_names=0.03,
        truncate_surname=0.25,
        swap_day_month=0.04,
        wrong_year_digit=0.03,
        dob_missing=0.05,
        mangle=0.4,
        nhs_present=0.10,
        upn_present=0.0,
        stale_address=0.15,
        address_lag_days=60.0,
    ),
    "housing": NoiseProfile(
        typo=0.03,
        forename_variant=0.06,
        swap_names=0.01,
        truncate_surname=0.15,
        swap_day_month=0.02,
        wrong_year_digit=0.01,
        dob_missing=0.01,
        mangle=0.2,
        nhs_present=0.25,
        upn_present=0.0,
        stale_address=0.05,
        address_lag_days=30.0,
    ),
    "youth_justice": NoiseProfile(
        typo=0.03,
        forename_variant=0.07,
        swap_names=0.01,
        truncate_surname=0.15,
        swap_day_month=0.015,
        wrong_year_digit=0.01,
        dob_missing=0.005,
        mangle=0.1,
        nhs_present=0.4,
        upn_present=0.0,
        stale_address=0.1,
        address_lag_days=90.0,
    ),
}


def _subset(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Indices of the rows one kind of error hits."""
    return np.flatnonzero(rng.random(n) < rate)


def apply_noise(
    df: pd.DataFrame,
    profile: NoiseProfile,
    rng: np.random.Generator,
    *,
    addresses: pd.DataFrame | None = None,
    variants: NameLookup | None = None,
    nicknames: NameLookup | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with an agency's errors applied to a random share of its rows.

    ``df`` holds the clean record in the generator's own column names; any of ``forename``,
    ``surname``, ``dob``, ``nhs_number``, ``upn``, ``line1`` and ``postcode`` that are present
    get noised. Stale addresses need ``household_id`` and ``record_date`` columns and the
    population's ``addresses`` table. Only the rows an error hits are touched one by one, so a
    large extract costs little more than its noisy rows. The row count and order never change.
    """
    out = df.copy()
    n = len(out)
    if variants is None or nicknames is None:
        default_variants, default_nicknames = _default_lookups()
        variants = default_variants if variants is None else variants
        nicknames = default_nicknames if nicknames is None else nicknames

    has_names = "forename" in out.columns and "surname" in out.columns
    if has_names:
        fore = out["forename"].to_numpy(dtype=object, copy=True)
        sur = out["surname"].to_numpy(dtype=object, copy=True)
        for i in _subset(rng, n, profile.forename_variant):
            fore[i] = forename_variant(rng, fore[i], variants, nicknames)
        for i in _subset(rng, n, profile.truncate_surname):
            sur[i] = truncate_surname(rng, sur[i])
        for i in _subset(rng, n, profile.typo):
            if rng.random() < 0.5:
                fore[i] = typo(rng, fore[i])
            else:
                sur[i] = typo(rng, sur[i])
        for i in _subset(rng, n, profile.swap_names):
            fore[i], sur[i] = swap_forename_surname(fore[i], sur[i])
        for i in _subset(rng, n, profile.mangle):
            if rng.random() < 0.6:
                sur[i] = mangle(rng, sur[i])
            else:
                fore[i] = mangle(rng, fore[i])
        out["forename"] = pd.array(fore, dtype="str")
        out["surname"] = pd.array(sur, dtype="str")

    if "dob" in out.columns:
        out["dob"] = _noisy_dates(out["dob"], profile, rng)

    for column, present in (("nhs_number", profile.nhs_present), ("upn", profile.upn_present)):
        if column in out.columns:
            values = out[column].to_numpy(dtype=object, copy=True)
            values[rng.random(n) >= present] = ""
            out[column] = pd.array(values, dtype="str")

    if addresses is not None and {"household_id", "record_date"} <= set(out.columns):
        _stale_addresses(out, addresses, profile, rng)
    return out


def _noisy_dates(dob: pd.Series, profile: NoiseProfile, rng: np.random.Generator) -> pd.Series:
    """Dates of birth with swapped day and month, a mistyped year, or left blank."""
    as_dates = pd.to_datetime(dob)
    values = as_dates.to_numpy(dtype="datetime64[ns]").copy()
    n = len(values)
    swapped = _subset(rng, n, profile.swap_day_month)
    wrong_year = _subset(rng, n, profile.wrong_year_digit)
    for idx, fix in ((swapped, None), (wrong_year, rng)):
        for i in idx:
            if np.isnat(values[i]):
                continue
            d = pd.Timestamp(values[i]).date()
            new = swap_day_month(d) if fix is None else wrong_year_digit(fix, d)
            values[i] = np.datetime64(new, "ns")
    values[_subset(rng, n, profile.dob_missing)] = np.datetime64("NaT", "ns")
    return pd.Series(values, index=dob.index, name=dob.name).astype(as_dates.dtype)


def _stale_addresses(
    out: pd.DataFrame, addresses: pd.DataFrame, profile: NoiseProfile, rng: np.random.Generator
) -> None:
    """Give some rows the address the household had a while before the record date.

    An agency learns of a move late. Looking up the address in force ``lag`` days before the
    record date gives the old address exactly when the record falls within ``lag`` of a move.
    """
    n = len(out)
    hit = _subset(rng, n, profile.stale_address)
    if not len(hit):
        return
    lag = rng.exponential(profile.address_lag_days, len(hit)).astype("int64")
    asked = pd.DataFrame(
        {
            "row": hit,
            "household_id": out["household_id"].to_numpy()[hit].astype("int64"),
            "when": pd.to_datetime(out["record_date"]).to_numpy()[hit]
            - lag.astype("timedelta64[D]"),
        }
    )
    asked = asked.dropna(subset=["when"]).sort_values("when", kind="stable")
    book = addresses[["household_id", "line1", "postcode", "start"]].copy()
    book["household_id"] = book["household_id"].astype("int64")
    book["start"] = pd.to_datetime(book["start"]).astype("datetime64[ns]")
    book = book.dropna(subset=["start"]).sort_values("start", kind="stable")
    asked["when"] = asked["when"].astype("datetime64[ns]")
    found = pd.merge_asof(
        asked, book, left_on="when", right_on="start", by="household_id", direction="backward"
    ).dropna(subset=["start"])
    rows = found["row"].to_numpy()
    for column in ("line1", "postcode"):
        if column in out.columns:
            values = out[column].to_numpy(dtype=object, copy=True)
            values[rows] = found[column].to_numpy(dtype=object)
            out[column] = pd.array(values, dtype="str")
