"""Our DfE rules on Data to Insight's fake SSDA903 CSVs (2017-18) flag pinned numbers of children.

The files are ../shared/data/thirdparty/d2i903_fake (csc-validator-be-903's tests/fake_data,
with faults planted). ``test_reference_agreement`` compares these results with D2I's own
validator; this pins ours, so a change in any rule shows here without the reference venv.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from turnaround.returns.read import read_returns
from turnaround.returns.rules import RULES, run_rules
from turnaround.returns.rules.registry import flagged_children

FAKE = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty" / "d2i903_fake"

# Children flagged per rule; every other SSDA903 rule flags nobody. D2I's validator flags the
# same children except on 168 (296) and 388 (1,074): see docs/validation-rules.md.
FLAGGED = {
    "142": 10,
    "168": 2568,
    "185": 821,
    "190": 1654,
    "213": 682,
    "357": 8,
    "361": 209,
    "362": 195,
    "378": 13,
    "380": 322,
    "381": 207,
    "385": 12,
    "388": 20,
    "431": 57,
    "432": 7,
    "433": 9,
    "434": 57,
    "435": 6,
    "436": 5,
    "437": 7,
    "460": 31,
    "501": 56,
    "574": 1,
    "581": 4,
    "EPI": 541,
}

pytestmark = pytest.mark.skipif(
    not FAKE.is_dir(),
    reason=f"D2I's fake SSDA903 CSVs are not at {FAKE} (../shared/data/thirdparty)",
)


@pytest.fixture(scope="module")
def flagged() -> dict[str, set[str]]:
    """The children each rule flags on the fake data, read as 2017-18 by the product's reader."""
    [data] = read_returns([FAKE], year=2018)
    assert data.kind == "ssda903" and data.year == 2018
    return flagged_children(run_rules(data))


def test_each_rule_flags_the_pinned_number_of_children(flagged: dict[str, set[str]]) -> None:
    counts = {code: len(children) for code, children in flagged.items() if children}
    assert counts == FLAGGED
    assert set(FLAGGED) <= {code for kind, code in RULES if kind == "ssda903"}


def test_436_flags_changes_of_status_and_placement_that_kept_the_legal_status(
    flagged: dict[str, set[str]],
) -> None:
    # Checked by hand in episodes.csv: 355555 goes from V4 to V4 with RNE U on 21/03/2018,
    # 693494 from C2 to C2 with RNE U on 20/06/2017. Both were missed while 436 checked only B.
    assert {"355555", "693494"} <= flagged["436"]


def test_388_flags_an_open_x1_episode_followed_by_another(flagged: dict[str, set[str]]) -> None:
    # 643786: episode from 14/08/2017 has REC X1 and no DEC, then one starts 18/11/2017;
    # 930935: X1 with no DEC from 27/11/2017, then one starts 24/02/2018.
    assert {"643786", "930935"} <= flagged["388"]
