"""Forenames as linkage folds them: nicknames to the formal names they stand for.

Two sourced lists, both described in ``data/README.md``: the ``nicknames`` package (an
Apache-2.0 list of English nicknames) says which formal names a nickname may stand for, and the
ONS's most common names for babies born in England in 1997 say which of those is the common
one. Names are clean upper case (as ``linkage.standardise.clean_names`` leaves them).
The synthetic generator's own name pools are deliberately not used: linkage is evaluated on the
generator's noise, so it must not know the generator's lists.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from importlib import resources

from nicknames import NickNamer


@cache
def forename_counts() -> dict[str, int]:
    """Babies given each of England's 100 commonest boys' and girls' names in 1997 (ONS)."""
    path = resources.files("turnaround.core").joinpath("data", "ons_baby_names_england_1997.csv")
    counts: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()):
        counts[row["name"].upper()] += int(row["count"])
    return dict(counts)


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


def formal_names_of(nickname: str) -> list[str]:
    """The formal names ``nickname`` may stand for (BILL -> ROBERT, WILL, WILLIAM, ...)."""
    return sorted(name.upper() for name in _nicknamer().canonicals_of(nickname.lower()))


def nicknames_of(name: str) -> list[str]:
    """The nicknames the list gives for the formal name ``name`` (WILLIAM -> BILL, BILLY, ...)."""
    return sorted(nick.upper() for nick in _nicknamer().nicknames_of(name.lower()))


def _fold_once(name: str) -> str:
    """One step towards a forename's canonical form; ``name`` itself when it is one."""
    counts = forename_counts()
    if name in counts:
        return name  # a common name in its own right (LIAM, JACK, ALEX)
    candidates = formal_names_of(name)
    common = [c for c in candidates if c in counts]
    if common:
        return max(common, key=lambda c: (counts[c], -common.index(c)))
    if not candidates or nicknames_of(name):
        return name  # unknown, or a formal name with nicknames of its own
    return candidates[0]


@cache
def canonical_forename(name: str) -> str:
    """The canonical form of a clean forename: BILL -> WILLIAM, KATIE -> KATIE, ZXQWY -> ZXQWY.

    A nickname folds to the commonest formal name it may stand for; a name the ONS list holds
    is canonical already. A name in several parts that is not known whole is folded on its
    first part. Folding is idempotent: the canonical form of a canonical form is itself.
    """
    seen: list[str] = [name]
    while True:
        step = _fold_once(seen[-1])
        if step == seen[-1]:
            break
        if step in seen:  # a cycle in the list: settle on its first member alphabetically
            cycle = seen[seen.index(step) :]
            return min(cycle)
        seen.append(step)
    result = seen[-1]
    if result == name and (" " in name or "-" in name):
        first = name.replace("-", " ").split(" ")[0]
        folded = canonical_forename(first)
        if folded != first:
            return folded
    return result
