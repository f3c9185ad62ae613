"""Identifiers and places for the synthetic city: NHS numbers, UPNs, addresses, schools, GPs.

Everything here is vectorised with numpy, so a city of 400,000 children is generated in well
under a second, and every identifier carries a valid check character.

NHS numbers carry the NHS modulus 11 check digit and UPNs the Department for Education's check
letter, both computed by ``turnaround.core.identifiers`` (re-exported here). Postcodes are in
real Birmingham-area districts with made-up sectors and units, so they look right but do not
point at real homes.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

# The checks themselves are the core's; they are re-exported here for the generator's modules.
from turnaround.core.identifiers import (
    UPN_LETTERS,
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    nhs_check_digits,
    nhs_numbers_valid,
    upn_check_letter,
    upn_check_letters,
    upns_valid,
)

__all__ = [
    "POSTCODE_DISTRICTS",
    "POSTCODE_PATTERN",
    "UNIT_LETTERS",
    "UPN_LETTERS",
    "district_probabilities",
    "draw_addresses",
    "is_valid_nhs_number",
    "is_valid_upn",
    "make_gp_practices",
    "make_nhs_numbers",
    "make_schools",
    "make_upns",
    "nhs_check_digit",
    "nhs_numbers_valid",
    "postcode_sector",
    "street_names",
    "upn_check_letter",
    "upns_valid",
]

# --- NHS numbers --------------------------------------------------------------------------

# England and Wales allocate from the 400-499 and 600-799 million ranges; the stems here are
# the first nine digits.
_NHS_STEM_RANGES = ((400_000_000, 500_000_000), (600_000_000, 800_000_000))


def make_nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct valid NHS numbers as ten-digit strings, in random order."""
    sizes = np.array([hi - lo for lo, hi in _NHS_STEM_RANGES], dtype=float)
    found = np.empty(0, dtype=np.int64)
    while len(found) < n:
        batch = int((n - len(found)) * 1.15) + 64
        which = rng.choice(len(sizes), size=batch, p=sizes / sizes.sum())
        lows = np.array([lo for lo, _ in _NHS_STEM_RANGES])[which]
        stems = lows + (rng.random(batch) * sizes[which]).astype(np.int64)
        checks = nhs_check_digits(stems)
        numbers = stems[checks != 10] * 10 + checks[checks != 10]
        found = _unique_in_order(np.concatenate([found, numbers]))
    return found[:n].astype("U10")


def _unique_in_order(values: np.ndarray) -> np.ndarray:
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


# --- Unique pupil numbers -----------------------------------------------------------------


def make_upns(
    rng: np.random.Generator,
    la_code: str,
    establishment: np.ndarray,
    year_allocated: np.ndarray,
) -> np.ndarray:
    """Distinct permanent UPNs: check letter, LA, establishment, two-digit year, serial.

    ``establishment`` holds the four-digit DfE establishment numbers of the allocating schools
    and ``year_allocated`` the calendar years (or two-digit years) of allocation. Serials run
    001, 002, ... within each school and year, in a random order across the children.
    """
    if len(la_code) != 3 or not la_code.isdigit():
        raise ValueError(f"LA code must be three digits, got {la_code!r}")
    estab = np.asarray(establishment, dtype="U4")
    years = np.asarray(year_allocated, dtype=np.int64) % 100
    if len(estab) != len(years):
        raise ValueError("establishment and year_allocated must be the same length")
    if len(estab) == 0:
        return np.empty(0, dtype="U13")
    if not (np.char.str_len(estab) == 4).all() or not np.char.isdigit(estab).all():
        raise ValueError("establishment numbers must be four digits")
    keys = estab.astype(np.int64) * 100 + years
    order = rng.permutation(len(keys))
    order = order[np.argsort(keys[order], kind="stable")]
    sorted_keys = keys[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    serial = np.empty(len(keys), dtype=np.int64)
    serial[order] = np.arange(len(order)) - group_start + 1
    if serial.max() > 999:
        raise ValueError("more than 999 UPNs for one school in one year")
    numbers = (int(la_code) * 10_000 + estab.astype(np.int64)) * 100_000 + years * 1000 + serial
    bodies = np.char.zfill(numbers.astype("U12"), 12)
    return np.char.add(upn_check_letters(bodies), bodies)


# --- Postcodes and addresses --------------------------------------------------------------

# Real postcode districts in and around Birmingham: (district, area, deprivation 0..1,
# relative share of Birmingham's households). Deprivation is a rough reading of how deprived
# the district is overall (after the Indices of Deprivation), not an official score.
POSTCODE_DISTRICTS: tuple[tuple[str, str, float, float], ...] = (
    ("B1", "City Centre", 0.45, 0.5),
    ("B2", "City Centre", 0.40, 0.1),
    ("B3", "Jewellery Quarter", 0.40, 0.3),
    ("B4", "Gun Quarter", 0.55, 0.3),
    ("B5", "Digbeth", 0.75, 0.8),
    ("B6", "Aston", 0.92, 1.2),
    ("B7", "Nechells", 0.93, 0.8),
    ("B8", "Saltley", 0.92, 1.3),
    ("B9", "Bordesley Green", 0.93, 1.3),
    ("B10", "Small Heath", 0.94, 1.0),
    ("B11", "Sparkhill", 0.92, 1.6),
    ("B12", "Balsall Heath", 0.90, 1.0),
    ("B13", "Moseley", 0.40, 1.1),
    ("B14", "Kings Heath", 0.55, 1.5),
    ("B15", "Edgbaston", 0.45, 0.8),
    ("B16", "Ladywood", 0.78, 0.9),
    ("B17", "Harborne", 0.30, 0.9),
    ("B18", "Hockley", 0.90, 0.9),
    ("B19", "Lozells", 0.95, 0.8),
    ("B20", "Handsworth Wood", 0.72, 1.2),
    ("B21", "Handsworth", 0.90, 1.0),
    ("B23", "Erdington", 0.68, 1.5),
    ("B24", "Tyburn", 0.78, 1.0),
    ("B25", "Yardley", 0.72, 0.8),
    ("B26", "Sheldon", 0.55, 1.0),
    ("B27", "Acocks Green", 0.62, 1.0),
    ("B28", "Hall Green", 0.45, 0.9),
    ("B29", "Selly Oak", 0.58, 1.4),
    ("B30", "Stirchley", 0.52, 1.0),
    ("B31", "Northfield", 0.68, 1.5),
    ("B32", "Quinton", 0.70, 1.1),
    ("B33", "Stechford", 0.85, 1.3),
    ("B34", "Shard End", 0.88, 0.8),
    ("B35", "Castle Vale", 0.85, 0.5),
    ("B36", "Hodge Hill", 0.84, 1.1),
    ("B37", "Chelmsley Wood", 0.80, 0.3),
    ("B38", "Kings Norton", 0.70, 0.9),
    ("B42", "Perry Barr", 0.70, 1.0),
    ("B43", "Great Barr", 0.55, 0.5),
    ("B44", "Kingstanding", 0.85, 1.1),
    ("B45", "Frankley", 0.70, 0.6),
    ("B46", "Coleshill", 0.35, 0.1),
    ("B47", "Wythall", 0.20, 0.1),
    ("B48", "Alvechurch", 0.15, 0.05),
    ("B62", "Halesowen", 0.40, 0.1),
    ("B63", "Halesowen", 0.40, 0.1),
    ("B64", "Cradley Heath", 0.65, 0.1),
    ("B65", "Rowley Regis", 0.65, 0.1),
    ("B66", "Smethwick", 0.82, 0.3),
    ("B67", "Smethwick", 0.60, 0.15),
    ("B68", "Oldbury", 0.55, 0.1),
    ("B69", "Oldbury", 0.70, 0.1),
    ("B70", "West Bromwich", 0.80, 0.1),
    ("B71", "West Bromwich", 0.70, 0.1),
    ("B72", "Sutton Coldfield", 0.20, 0.4),
    ("B73", "Boldmere", 0.15, 0.5),
    ("B74", "Four Oaks", 0.10, 0.5),
    ("B75", "Sutton Coldfield", 0.25, 0.6),
    ("B76", "Walmley", 0.18, 0.5),
    ("B90", "Shirley", 0.25, 0.2),
    ("B91", "Solihull", 0.15, 0.15),
    ("B92", "Olton", 0.30, 0.2),
    ("B93", "Dorridge", 0.05, 0.05),
    ("B94", "Earlswood", 0.08, 0.03),
)

# Districts inside the city boundary, where its schools and GP practices are.
_OUTSIDE_CITY = {"B37", "B46", "B47", "B48", "B90", "B91", "B92", "B93", "B94"} | {
    f"B{n}" for n in range(62, 72)
}

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$"

_DEPRIVATION_BANDWIDTH = 0.12
_DEPRIVATION_BINS = 41


@cache
def street_names() -> tuple[str, ...]:
    """Street names used for addresses, from the shipped list."""
    path = resources.files("turnaround.synth").joinpath("data", "names", "streets.csv")
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    return tuple(row["street"] for row in rows)


def _district_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = np.array([d[0] for d in POSTCODE_DISTRICTS], dtype=object)
    deprivation = np.array([d[2] for d in POSTCODE_DISTRICTS])
    share = np.array([d[3] for d in POSTCODE_DISTRICTS])
    return names, deprivation, share


def district_probabilities(deprivation: float) -> np.ndarray:
    """Chance of each district in ``POSTCODE_DISTRICTS`` for a household this deprived."""
    _, district_dep, share = _district_arrays()
    closeness = np.exp(-0.5 * ((district_dep - deprivation) / _DEPRIVATION_BANDWIDTH) ** 2)
    p = share * closeness
    return p / p.sum()


def draw_addresses(
    rng: np.random.Generator, deprivation: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A first address line and postcode for each household, near its level of deprivation.

    Districts whose deprivation is close to the household's are favoured. The street follows
    from the postcode, so households sharing a postcode share a street.
    """
    deprivation = np.clip(np.asarray(deprivation, dtype=float), 0.0, 1.0)
    n = len(deprivation)
    names, _, _ = _district_arrays()
    bins = np.rint(deprivation * (_DEPRIVATION_BINS - 1)).astype(np.int64)
    district = np.empty(n, dtype=np.int64)
    for b in np.unique(bins):
        mask = bins == b
        p = district_probabilities(b / (_DEPRIVATION_BINS - 1))
        district[mask] = rng.choice(len(p), size=int(mask.sum()), p=p)
    sector = rng.integers(1, 10, size=n)
    unit = rng.integers(0, len(UNIT_LETTERS) ** 2, size=n)
    letters = np.array(list(UNIT_LETTERS), dtype=object)
    unit_text = letters[unit // len(UNIT_LETTERS)] + letters[unit % len(UNIT_LETTERS)]
    postcode = names[district] + " " + sector.astype(str).astype(object) + unit_text

    streets = np.array(street_names(), dtype=object)
    place = (district * 10 + sector) * len(UNIT_LETTERS) ** 2 + unit
    street = streets[(place * 2_654_435_761 + 97) % len(streets)]
    house = np.minimum(rng.gamma(1.4, 35.0, size=n).astype(np.int64) + 1, 450)
    line1 = house.astype(str).astype(object) + " " + street
    return line1, postcode


def postcode_sector(postcode: str) -> str:
    """The sector of a full postcode: 'B11 1AA' -> 'B11 1'."""
    text = " ".join(postcode.upper().split())
    if " " not in text:
        text = f"{text[:-3]} {text[-3:]}"
    return text[:-2]


# --- Schools and GP practices -------------------------------------------------------------

_AREAS = (
    "Acocks Green",
    "Allens Croft",
    "Anderton Park",
    "Billesley",
    "Birchfield",
    "Blakesley Hall",
    "Bordesley Green",
    "Bournville",
    "Brookvale",
    "Calshot",
    "Castle Vale",
    "Chandos",
    "Cofton",
    "Colmore",
    "Cotteridge",
    "Digbeth",
    "Erdington",
    "Four Oaks",
    "Frankley",
    "Gilbertstone",
    "Great Barr",
    "Greet",
    "Hall Green",
    "Handsworth",
    "Handsworth Wood",
    "Harborne",
    "Highfield",
    "Hodge Hill",
    "Hockley",
    "Kings Heath",
    "Kings Norton",
    "Kingstanding",
    "Kitts Green",
    "Ladypool",
    "Ladywood",
    "Longbridge",
    "Lozells",
    "Lyndon Green",
    "Marlborough",
    "Moseley",
    "Nechells",
    "Northfield",
    "Oldknow",
    "Perry Barr",
    "Quinton",
    "Rednal",
    "Rookery",
    "Saltley",
    "Selly Oak",
    "Selly Park",
    "Shard End",
    "Sheldon",
    "Small Heath",
    "Somerville",
    "Sparkbrook",
    "Sparkhill",
    "Starbank",
    "Stechford",
    "Stirchley",
    "Sutton Coldfield",
    "Timberley",
    "Tyburn",
    "Walmley",
    "Ward End",
    "Washwood Heath",
    "Welford",
    "Weoley Castle",
    "Wilkes Green",
    "Witton",
    "Yardley",
    "Yarnfield",
    "Boldmere",
    "Bartley Green",
    "Woodgate Valley",
    "Druids Heath",
)
_FAITH = (
    "St Mary's C of E", "St Joseph's Catholic", "St Anne's Catholic", "St Bernadette's Catholic",
    "Holy Family Catholic", "St John's C of E", "St Thomas C of E", "Our Lady of Lourdes Catholic",
    "St Edmund Campion Catholic", "Christ Church C of E", "St Francis C of E", "St Chad's Catholic",
    "St Peter's C of E", "St Augustine's Catholic", "St Margaret Mary Catholic",
    "St Clare's Catholic", "St Barnabas C of E", "St Michael's C of E", "Al-Hijrah", "Al-Furqan",
    "Nishkam", "Khalsa",
    "King David", "Hamd House", "Bishop Challoner Catholic", "St Paul's Catholic",
)  # fmt: skip
_PRIMARY_KINDS = (
    "Primary School",
    "Junior and Infant School",
    "Community Primary School",
    "Primary Academy",
    "Infant School",
    "Junior School",
    "Nursery and Primary School",
)
_SECONDARY_KINDS = (
    "Academy", "School", "Secondary School", "High School", "College", "School for Girls",
    "School for Boys", "Community School", "Technology College",
)  # fmt: skip
_GP_KINDS = ("Medical Centre", "Health Centre", "Surgery", "Medical Practice", "Family Practice")


def _city_districts() -> tuple[np.ndarray, np.ndarray]:
    names, _, share = _district_arrays()
    inside = np.array([name not in _OUTSIDE_CITY for name in names])
    return names[inside], share[inside] / share[inside].sum()


def _pick_names(
    rng: np.random.Generator, bases: tuple[str, ...], kinds: tuple[str, ...], n: int
) -> np.ndarray:
    unique_bases = dict.fromkeys(bases)
    candidates = np.array([f"{b} {kind}" for b in unique_bases for kind in kinds], dtype=object)
    if n > len(candidates):
        raise ValueError(f"can only name {len(candidates)} distinct places, asked for {n}")
    return candidates[rng.choice(len(candidates), size=n, replace=False)]


def make_schools(rng: np.random.Generator, n_primary: int, n_secondary: int) -> pd.DataFrame:
    """The city's schools: URN, name, phase, postcode district and DfE establishment number."""
    if not 0 <= n_primary <= 1999 or not 0 <= n_secondary <= 999:
        raise ValueError("at most 1999 primary and 999 secondary schools")
    n = n_primary + n_secondary
    # Council-maintained schools in Birmingham have URNs from 103xxx-104xxx; academies
    # converted since 2010 have 13xxxx-14xxxx.
    urn_pool = np.r_[np.arange(103_000, 105_000), np.arange(136_000, 146_000)]
    maintained = rng.random(n) < 0.65
    urns = np.empty(n, dtype=np.int64)
    old, new = urn_pool[urn_pool < 105_000], urn_pool[urn_pool >= 105_000]
    urns[maintained] = rng.choice(old, size=int(maintained.sum()), replace=False)
    urns[~maintained] = rng.choice(new, size=int((~maintained).sum()), replace=False)
    primary_estab = np.sort(rng.choice(np.arange(2001, 4000), size=n_primary, replace=False))
    secondary_estab = np.sort(rng.choice(np.arange(4001, 5000), size=n_secondary, replace=False))
    bases = _AREAS + _FAITH + tuple(s.rsplit(" ", 1)[0] for s in street_names()[:150])
    names = np.r_[
        _pick_names(rng, bases, _PRIMARY_KINDS, n_primary),
        _pick_names(rng, _AREAS + _FAITH, _SECONDARY_KINDS, n_secondary),
    ]
    districts, share = _city_districts()
    return pd.DataFrame(
        {
            "urn": urns.astype(str),
            "name": names.astype(str),
            "phase": np.r_[np.repeat("primary", n_primary), np.repeat("secondary", n_secondary)],
            "postcode_district": districts[rng.choice(len(districts), size=n, p=share)].astype(str),
            "estab": np.r_[primary_estab, secondary_estab].astype(str),
        }
    )


def make_gp_practices(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The city's GP practices: ODS code (e.g. 'M85012'), name and postcode district."""
    # Birmingham practices' ODS codes sit in the M85, M88, M89 and M91 blocks.
    pool = np.r_[np.arange(85_000, 86_000), np.arange(88_000, 90_000), np.arange(91_000, 92_000)]
    if not 0 <= n <= len(pool):
        raise ValueError(f"at most {len(pool)} GP practices")
    codes = np.sort(rng.choice(pool, size=n, replace=False))
    bases = _AREAS + tuple(s.rsplit(" ", 1)[0] for s in street_names()[:200])
    districts, share = _city_districts()
    return pd.DataFrame(
        {
            "ods_code": np.char.add("M", codes.astype("U5")),
            "name": _pick_names(rng, bases, _GP_KINDS, n).astype(str),
            "postcode_district": districts[rng.choice(len(districts), size=n, p=share)].astype(str),
        }
    )
