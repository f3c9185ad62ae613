"""The 2026-27 Deprivation of Liberty Orders rules: each fires on a bad case and not a good one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.returns.test_rules_ssda903 import Rows, care, episode, fired
from turnaround.returns.rules import run_rules
from turnaround.returns.rules.frames import canonical_return

YEAR = 2027  # 1 April 2026 to 31 March 2027


def dolo(start: str | None, end: str | None = None, child: str = "1", **values: Any) -> dict:
    return {"child": child, "dob": "2010-01-01", "dolo_start": start, "dolo_end": end, **values}


IN_CARE = episode("2026-01-01", place="K2")

DOLO_CASES: list[tuple[str, Rows, Rows]] = [
    ("700", care(IN_CARE, dolo=[dolo(None)]), care(IN_CARE, dolo=[dolo("2026-05-01")])),
    (
        "702",
        care(IN_CARE, dolo=[dolo("2026-05-01", "2026-05-01")]),
        care(IN_CARE, dolo=[dolo("2026-05-01", "2026-05-02")]),
    ),
    ("703", care(IN_CARE, dolo=[dolo("2027-04-01")]), care(IN_CARE, dolo=[dolo("2027-03-31")])),
    (
        "704",
        care(IN_CARE, dolo=[dolo("2026-01-01", "2026-03-31")]),
        care(IN_CARE, dolo=[dolo("2026-01-01", "2026-04-01")]),
    ),
    (
        "705",
        care(IN_CARE, dolo=[dolo("2026-05-01"), dolo("2026-06-01")]),
        care(IN_CARE, dolo=[dolo("2026-05-01", "2026-05-20"), dolo("2026-06-01")]),
    ),
    (
        "707",
        care(episode("2026-01-01", "2026-09-01", place="K2"), dolo=[dolo("2026-05-01")]),
        care(
            episode("2026-01-01", "2026-09-01", place="K2"), dolo=[dolo("2026-05-01", "2026-08-01")]
        ),
    ),
    ("708", care(IN_CARE, dolo=[dolo("2010-01-01")]), care(IN_CARE, dolo=[dolo("2010-01-02")])),
    (
        "709",
        care(episode("2026-01-01", place="U1"), dolo=[dolo("2026-05-01", "2026-06-01")]),
        care(episode("2026-01-01", place="Z12"), dolo=[dolo("2026-05-01", "2026-06-01")]),
    ),
    (
        "710",
        care(episode("2026-01-01", place="K1"), dolo=[dolo("2026-05-01", "2026-06-01")]),
        # An episode that ended before the order began does not overlap it.
        care(
            episode("2026-01-01", "2026-04-30", place="K1", rec="X1"),
            episode("2026-04-30", place="K2", rne="P"),
            dolo=[dolo("2026-05-01", "2026-06-01")],
        ),
    ),
]
CROSS_YEAR_DOLO = (
    "706",
    care(IN_CARE, dolo=[dolo("2026-06-01")]),
    care(IN_CARE, dolo=[dolo("2026-02-01")]),
    {"episodes": [IN_CARE], "dolo": [dolo("2026-02-01")]},
)


@pytest.mark.parametrize(("code", "bad", "good"), DOLO_CASES, ids=[c[0] for c in DOLO_CASES])
def test_dolo_rule(code: str, bad: Rows, good: Rows) -> None:
    assert fired(bad, code, year=YEAR)
    assert not fired(good, code, year=YEAR)


def test_an_open_order_last_year_must_carry_on() -> None:
    code, bad, good, last = CROSS_YEAR_DOLO
    assert fired(bad, code, year=YEAR, last=last)
    assert not fired(good, code, year=YEAR, last=last)


def test_dolo_rules_are_not_in_force_before_2026_27() -> None:
    bad = DOLO_CASES[0][1]
    assert not fired(bad, "700", year=YEAR - 1)


def test_710_flags_both_the_order_and_the_episode() -> None:
    rows = care(episode("2026-01-01", place="K1"), dolo=[dolo("2026-05-01", "2026-06-01")])
    failures = run_rules(canonical_return("ssda903", YEAR, rows), only=["710"])
    assert sorted(f.table for f in failures) == ["dolo", "episodes"]


def test_a_rule_needing_an_absent_table_is_not_run_and_says_so() -> None:
    data = canonical_return("ssda903", YEAR, care(IN_CARE))
    data.absent = ["dolo"]
    failures = run_rules(data, only=["700", "710", "356"])
    assert {(f.rule, f.severity, f.message) for f in failures} == {
        ("700", "query", "not run: needs the DoLo table (DoLo.csv)"),
        ("710", "query", "not run: needs the DoLo table (DoLo.csv)"),
    }
