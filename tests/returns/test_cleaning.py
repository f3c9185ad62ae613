"""Episode cleaning across years: each documented rule, on hand-built episodes."""

from __future__ import annotations

import pandas as pd

from turnaround.returns.cleaning import EPISODE_COLUMNS, clean_episodes


def _episodes(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (year, child, decom, dec, rne, ls, place, rec)."""
    records = []
    for year, child, decom, dec, rne, ls, place, rec in rows:
        record = dict.fromkeys(EPISODE_COLUMNS, None)
        record.update(
            child=child,
            decom=pd.Timestamp(decom),
            dec=pd.Timestamp(dec) if dec else pd.NaT,
            rne=rne,
            ls=ls,
            place=place,
            rec=rec,
            year=year,
        )
        records.append(record)
    return pd.DataFrame(records)


def test_an_episode_repeated_across_years_is_kept_once_from_the_latest_return() -> None:
    eps = _episodes([
        (2013, "A", "2012-06-01", None, "S", "C2", "U4", None),
        (2014, "A", "2012-06-01", "2013-09-01", "S", "C2", "U4", "E4A"),
    ])  # fmt: skip
    out = clean_episodes(eps, [2013, 2014])
    assert len(out) == 1
    assert out.loc[0, "dec"] == pd.Timestamp("2013-09-01")
    assert out.loc[0, "rec"] == "E4A"
    assert out.loc[0, "cleaning"] == "C1"


def test_overlapping_episodes_end_when_the_next_starts() -> None:
    eps = _episodes([
        (2014, "B", "2013-05-01", "2013-08-10", "S", "V2", "U6", "X1"),
        (2014, "B", "2013-08-01", None, "P", "V2", "U4", None),
    ])  # fmt: skip
    out = clean_episodes(eps, [2014])
    assert out.loc[0, "dec"] == pd.Timestamp("2013-08-01")
    assert out.loc[0, "cleaning"] == "C2"
    assert pd.isna(out.loc[1, "dec"])
    assert out["period_of_care"].tolist() == [1, 1]


def test_an_episode_left_open_is_closed_when_the_child_vanishes_next_year() -> None:
    eps = _episodes([
        (2013, "C", "2012-10-01", None, "S", "V2", "U6", None),
        (2014, "D", "2013-10-01", None, "S", "V2", "U6", None),
    ])  # fmt: skip
    out = clean_episodes(eps, [2013, 2014]).set_index("child")
    assert out.loc["C", "dec"] == pd.Timestamp("2013-03-31")
    assert out.loc["C", "cleaning"] == "C3"
    assert pd.isna(out.loc["D", "dec"])  # C4: still looked after in the latest year


def test_not_closed_when_the_next_year_was_not_loaded() -> None:
    eps = _episodes([(2012, "E", "2011-10-01", None, "S", "V2", "U6", None)])
    out = clean_episodes(eps, [2012, 2014])
    assert pd.isna(out.loc[0, "dec"])


def test_a_change_of_legal_status_only_is_not_a_placement_move() -> None:
    eps = _episodes([
        (2014, "F", "2013-04-10", "2013-06-01", "S", "C1", "U6", "X1"),
        (2014, "F", "2013-06-01", "2013-09-01", "L", "C2", "U6", "X1"),
        (2014, "F", "2013-09-01", "2013-12-01", "P", "C2", "U4", "X1"),
        (2014, "F", "2013-12-01", "2014-01-05", "U", "E1", "A5", "E11"),
        (2014, "F", "2014-02-01", None, "S", "V2", "K2", None),
    ])  # fmt: skip
    out = clean_episodes(eps, [2014])
    assert out["placement_change"].tolist() == [True, False, True, True, True]
    assert out["period_of_care"].tolist() == [1, 1, 1, 1, 2]


def test_empty_input_gives_an_empty_table_with_the_columns() -> None:
    out = clean_episodes(_episodes([]).reindex(columns=[*EPISODE_COLUMNS, "year"]), [2014])
    assert out.empty
    assert {"placement_change", "period_of_care", "cleaning"} <= set(out.columns)
