"""Forename folding from the sourced lists (ONS 1997 names, the nicknames package)."""

from __future__ import annotations

from turnaround.core.names import canonical_forename, forename_counts, formal_names_of


def test_the_ons_list_has_its_hundred_names_a_sex() -> None:
    counts = forename_counts()
    assert counts["JACK"] == 9296 and counts["CHLOE"] == 7018
    assert len(counts) == 199  # CHARLIE is on both lists, its counts added
    assert counts["CHARLIE"] == 471 + 2075


def test_a_nickname_folds_to_its_commonest_formal_name() -> None:
    assert {"ROBERT", "WILLIAM"} <= set(formal_names_of("BILL"))
    assert canonical_forename("BILL") == "WILLIAM"  # 4,251 Williams against 2,092 Roberts
    assert canonical_forename("JIM") == "JAMES"


def test_names_in_several_parts_fold_on_their_first() -> None:
    assert canonical_forename("BILL JAMES") == "WILLIAM"
    assert canonical_forename("ZXQWY-BOB") == "ZXQWY-BOB"


def test_folding_is_idempotent() -> None:
    for name in ["BILL", "BOB", "KATIE", "MO", "ALEX", "JONNY", "LIZZIE", "ROBBIE"]:
        canon = canonical_forename(name)
        assert canonical_forename(canon) == canon
