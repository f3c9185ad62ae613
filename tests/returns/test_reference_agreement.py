"""Our rules flag the same children as Data to Insight's validators.

SSDA903 is compared with csc-validator-be-903 on the synthetic city and on D2I's own fake
SSDA903 CSVs (../shared/data/thirdparty/d2i903_fake, 2017-18); the CIN census with
csc-validator-be-cin on the city's census, on the same census with errors sown in (the city is
too clean to trip most rules) and on the fake-data XML files published with csc-validator-be-cin.

Slow: it generates (or reuses) a small city under bench/results/ and runs the reference
validators in their own virtual environment (bench/reference_validators.py creates it on first
use). Where we disagree on purpose the rule is listed in KNOWN or KNOWN_CIN with the reason,
also written up in docs/validation-rules.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"
D2I903_FAKE = THIRDPARTY / "d2i903_fake"

# Rule code -> why our flagged children may differ from theirs.
KNOWN = {
    "435": "their check compares blank URN/postcode/provider with ==, so a blank never counts "
    "as unchanged and they miss placement changes that changed nothing",
}


# Rule code -> why our flagged children differ from theirs on D2I's fake SSDA903 CSVs. In each,
# one side's children include all of the other's.
KNOWN_D2I903_FAKE = {
    "168": "they check only the UPN's shape; we also check its check letter, which is wrong "
    "on about 22 in 23 of the fake UPNs",
    "388": "their rule 365 writes 31/03/2018 into every blank DEC of the episodes table all "
    "later rules share, so every open last episode coded X1 (the fake data codes them so) "
    "looks like an X1 that ends the care; run alone, their 388 skips an X1 with a blank DEC "
    "that is followed by another episode, which we flag",
}

# CIN rule code -> why our flagged children may differ from theirs.
KNOWN_CIN = {
    "8832": "their merge swaps the suffixes of the CIN-details and plan row numbers, so they "
    "flag whichever children own the rows with those numbers, not the NFA episodes' plans",
    "8935": "they count open plans per (child, plan number within its episode), so two open "
    "plans in one episode are missed",
    "8940": "they tell plans apart by their number within the episode, so the first plans of two "
    "episodes are taken for the same plan and never compared",
    "8841": "their reader keeps only the first CPPreviewDate of each <Reviews> group, so later "
    "reviews in the group are never checked",
    "8520": "on fake data whose ReferenceDate is not 31 March: they end the census year on the "
    "file's ReferenceDate, we on 31 March of the collection year",
}

# D2I's fake_data/*.xml (MIT licence): in ../shared/data/thirdparty/d2icin, or copied into
# bench/results/d2i-fake-data/ by hand (the wheel on PyPI does not ship them).
D2I_FAKE_DATA = [
    "CIN2rows.xml",
    "CIN_Census_2024.xml",
    "fake_CIN_data_first20.xml",
    "CIN_Census_2021.xml",
]
D2I_READER_CRASHES: dict[str, str] = {}


def _bench():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("validate_bench", BENCH / "validate_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# `make test` runs one quick case of each kind on a small city; the full matrix (larger city,
# both years, more scrambling) takes several minutes and runs with `make reference`.
QUICK = 5_000
FULL = 20_000


@pytest.mark.slow
@pytest.mark.parametrize(
    ("year", "children"),
    [
        (2014, QUICK),
        pytest.param(2013, FULL, marks=pytest.mark.reference),
        pytest.param(2014, FULL, marks=pytest.mark.reference),
    ],
)
def test_ssda903_agrees_with_reference(year: int, children: int) -> None:
    bench = _bench()
    root = bench.city_folder(children, 7)
    _, _, ours = bench.ours(root / str(year), year, root / str(year - 1))
    _, theirs = bench.theirs(root / str(year), year, root / str(year - 1))
    table = bench.agreement(ours, theirs)
    differing = table[(table["ours"] != table["both"]) | (table["theirs"] != table["both"])]
    assert set(differing["rule"]) <= set(KNOWN), differing.to_string()


def _assert_cin_agrees(path: Path, year: int | None, ruleset_year: int) -> None:
    bench = _bench()
    _, _, ours = bench.ours_cin(path, year)
    _, theirs = bench.theirs_cin(path, ruleset_year)
    table = bench.agreement(ours, theirs, "cin")
    differing = table[(table["ours"] != table["both"]) | (table["theirs"] != table["both"])]
    assert set(differing["rule"]) <= set(KNOWN_CIN), differing.to_string()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("year", "scramble", "children"),
    [
        (2014, (1, 0.08), QUICK),
        *(
            pytest.param(year, scramble, FULL, marks=pytest.mark.reference)
            for year in (2013, 2014)
            for scramble in (None, (1, 0.08), (3, 0.25))
        ),
    ],
)
def test_cin_agrees_with_reference_on_the_city(
    year: int, scramble: tuple[int, float] | None, children: int
) -> None:
    bench = _bench()
    path = bench.cin_census(children, 7, year)
    if scramble is not None:
        path = bench.scrambled_cin(path, *scramble)
    _assert_cin_agrees(path, year, year)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        *D2I_FAKE_DATA,
        *(
            pytest.param(name, marks=pytest.mark.xfail(reason=why, strict=False))
            for name, why in D2I_READER_CRASHES.items()
        ),
    ],
)
def test_cin_agrees_with_reference_on_their_fake_data(name: str) -> None:
    # ../shared/data/thirdparty/d2icin holds most of them; the rest are copied in by hand
    shared, copied = THIRDPARTY / "d2icin" / name, BENCH / "results" / "d2i-fake-data" / name
    path = shared if shared.exists() else copied
    if not path.exists():
        pytest.skip(f"{name} is in neither {shared.parent} nor {copied.parent}")
    header_year = int(path.read_text().split("<Year>")[1][:4])
    _assert_cin_agrees(path, None, header_year)


@pytest.mark.slow
@pytest.mark.skipif(
    not D2I903_FAKE.is_dir(),
    reason=f"D2I's fake SSDA903 CSVs are not at {D2I903_FAKE} (../shared/data/thirdparty)",
)
def test_ssda903_agrees_with_reference_on_their_fake_data() -> None:
    bench = _bench()
    from reference_validators import VENV

    if not (VENV / "bin" / "python").exists():
        pytest.skip(f"no reference venv at {VENV}: run bench/reference_validators.py once")
    _, _, ours = bench.ours(D2I903_FAKE, 2018, None)
    _, theirs = bench.theirs(D2I903_FAKE, 2018, None)
    table = bench.agreement(ours, theirs)
    assert table["ours"].sum() > 5_000  # the rules ran on the data, not on empty tables
    differing = table[(table["ours"] != table["both"]) | (table["theirs"] != table["both"])]
    assert set(differing["rule"]) <= set(KNOWN_D2I903_FAKE), differing.to_string()
    nested = differing["both"] == differing[["ours", "theirs"]].min(axis=1)
    assert nested.all(), differing.to_string()
