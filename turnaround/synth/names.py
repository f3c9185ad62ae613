"""Names and ethnicity for the synthetic city's people.

Each child belongs to a *name group*, a rough cultural background that decides which names and
SSDA903 ethnicity codes they are drawn from. The name pools are CSV files shipped in
``data/names/``: ``forenames.csv`` (group, sex, name, weight), ``surnames.csv`` (group, name,
weight), ``variants.csv`` (variant_group, name: spellings and transliterations of one name) and
``nicknames.csv`` (name, nickname). Weights are relative frequencies with a Zipf-like long tail.
The ``mixed`` group has no pool of its own: each mixed child's forename and surname are drawn
from another group chosen by ``MIXED_BLEND``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from importlib import resources

import numpy as np

NAME_GROUPS: tuple[str, ...] = (
    "white_british",
    "pakistani",
    "indian",
    "bangladeshi",
    "black_caribbean",
    "black_african",
    "mixed",
    "other",
)

# Approximate shares of Birmingham's children by background, rounded from the 2011 census
# population aged 0-17; good enough to give the city a plausible mix, not a statistic.
GROUP_SHARES: dict[str, float] = {
    "white_british": 0.42,
    "pakistani": 0.20,
    "indian": 0.05,
    "bangladeshi": 0.05,
    "black_caribbean": 0.04,
    "black_african": 0.05,
    "mixed": 0.10,
    "other": 0.09,
}

# SSDA903 ethnicity codes recorded for children of each group, with relative weights.
ETHNICITY_CODES: dict[str, dict[str, float]] = {
    "white_british": {"WBRI": 0.95, "WIRI": 0.025, "WOTH": 0.01, "WIRT": 0.008, "WROM": 0.007},
    "pakistani": {"APKN": 0.97, "AOTH": 0.02, "REFU": 0.005, "NOBT": 0.005},
    "indian": {"AIND": 0.97, "AOTH": 0.02, "REFU": 0.005, "NOBT": 0.005},
    "bangladeshi": {"ABAN": 0.97, "AOTH": 0.02, "REFU": 0.005, "NOBT": 0.005},
    "black_caribbean": {"BCRB": 0.95, "BOTH": 0.04, "NOBT": 0.01},
    "black_african": {"BAFR": 0.95, "BOTH": 0.04, "NOBT": 0.01},
    "mixed": {"MWBC": 0.45, "MWBA": 0.12, "MWAS": 0.18, "MOTH": 0.23, "NOBT": 0.02},
    "other": {
        "AOTH": 0.22,
        "BOTH": 0.10,
        "CHNE": 0.08,
        "OOTH": 0.25,
        "WOTH": 0.30,
        "REFU": 0.03,
        "NOBT": 0.02,
    },
}

# Which group a mixed-heritage child's names come from; Birmingham's largest mixed group is
# white and black Caribbean.
MIXED_BLEND: dict[str, float] = {
    "white_british": 0.50,
    "black_caribbean": 0.22,
    "black_african": 0.08,
    "pakistani": 0.07,
    "indian": 0.05,
    "bangladeshi": 0.02,
    "other": 0.06,
}

SEXES: tuple[str, ...] = ("F", "M")


def _rows(filename: str) -> list[dict[str, str]]:
    """Rows of one shipped name file."""
    path = resources.files("turnaround.synth").joinpath("data", "names", filename)
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _pool(names: list[str], weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(weights, dtype=float)
    return np.asarray(names, dtype=object), w / w.sum()


@cache
def forename_pools() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """Forenames and their probabilities for each (group, sex)."""
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    weights: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in _rows("forenames.csv"):
        key = (row["group"], row["sex"])
        names[key].append(row["name"])
        weights[key].append(float(row["weight"]))
    return {key: _pool(names[key], weights[key]) for key in names}


@cache
def surname_pools() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Surnames and their probabilities for each group."""
    names: dict[str, list[str]] = defaultdict(list)
    weights: dict[str, list[float]] = defaultdict(list)
    for row in _rows("surnames.csv"):
        names[row["group"]].append(row["name"])
        weights[row["group"]].append(float(row["weight"]))
    return {group: _pool(names[group], weights[group]) for group in names}


@cache
def _variant_index() -> dict[str, tuple[str, ...]]:
    members: dict[str, list[str]] = defaultdict(list)
    for row in _rows("variants.csv"):
        members[row["variant_group"]].append(row["name"])
    index: dict[str, list[str]] = defaultdict(list)
    for spellings in members.values():
        for name in spellings:
            for other in spellings:
                if other.casefold() != name.casefold() and other not in index[name.casefold()]:
                    index[name.casefold()].append(other)
    return {key: tuple(value) for key, value in index.items()}


@cache
def _nickname_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = defaultdict(list)
    for row in _rows("nicknames.csv"):
        index[row["name"].casefold()].append(row["nickname"])
    return {key: tuple(value) for key, value in index.items()}


def spelling_variants(name: str) -> tuple[str, ...]:
    """Other spellings or transliterations of ``name`` (never ``name`` itself)."""
    return _variant_index().get(name.strip().casefold(), ())


def nicknames_of(name: str) -> tuple[str, ...]:
    """Short or familiar forms people use for ``name``, e.g. William -> Bill, Will."""
    return _nickname_index().get(name.strip().casefold(), ())


def draw_name_groups(rng: np.random.Generator, n: int) -> np.ndarray:
    """Name groups for ``n`` households or children, in Birmingham's proportions."""
    shares = np.array([GROUP_SHARES[g] for g in NAME_GROUPS])
    return np.asarray(NAME_GROUPS, dtype=object)[
        rng.choice(len(NAME_GROUPS), size=n, p=shares / shares.sum())
    ]


def draw_ethnicity(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """An SSDA903 ethnicity code for each person, given their name group."""
    groups = np.asarray(groups)
    out = np.empty(len(groups), dtype=object)
    for group in NAME_GROUPS:
        mask = groups == group
        count = int(mask.sum())
        if count:
            codes = ETHNICITY_CODES[group]
            p = np.array(list(codes.values()))
            out[mask] = np.asarray(list(codes), dtype=object)[
                rng.choice(len(codes), size=count, p=p / p.sum())
            ]
    _check_known(groups, out)
    return out


def _resolve_mixed(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Groups with each ``mixed`` entry replaced by the group its name is drawn from."""
    groups = np.asarray(groups).astype(object)
    mask = groups == "mixed"
    count = int(mask.sum())
    if count:
        blend = np.array(list(MIXED_BLEND.values()))
        groups[mask] = np.asarray(list(MIXED_BLEND), dtype=object)[
            rng.choice(len(blend), size=count, p=blend / blend.sum())
        ]
    return groups


def _check_known(groups: np.ndarray, out: np.ndarray) -> None:
    missing = np.asarray([value is None for value in out], dtype=bool)
    if missing.any():
        unknown = sorted({str(g) for g in np.asarray(groups)[missing]})
        raise ValueError(f"unknown name group(s): {', '.join(unknown)}")


def draw_forenames(rng: np.random.Generator, groups: np.ndarray, sexes: np.ndarray) -> np.ndarray:
    """A forename for each person, drawn from their group's pool for their sex ('M' or 'F')."""
    sexes = np.asarray(sexes)
    resolved = _resolve_mixed(rng, groups)
    pools = forename_pools()
    out = np.empty(len(resolved), dtype=object)
    for group in NAME_GROUPS:
        if group == "mixed":
            continue
        in_group = resolved == group
        for sex in SEXES:
            mask = in_group & (sexes == sex)
            count = int(mask.sum())
            if count:
                names, p = pools[(group, sex)]
                out[mask] = names[rng.choice(len(names), size=count, p=p)]
    if len(out) and (bad := ~np.isin(sexes, SEXES)).any():
        raise ValueError(f"sex must be 'M' or 'F', got {sorted(set(sexes[bad].tolist()))}")
    _check_known(groups, out)
    return out


def draw_surnames(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A surname for each person (or household), drawn from their group's pool."""
    resolved = _resolve_mixed(rng, groups)
    pools = surname_pools()
    out = np.empty(len(resolved), dtype=object)
    for group in NAME_GROUPS:
        if group == "mixed":
            continue
        mask = resolved == group
        count = int(mask.sum())
        if count:
            names, p = pools[group]
            out[mask] = names[rng.choice(len(names), size=count, p=p)]
    _check_known(groups, out)
    return out
