"""Clean SSDA903 episodes across years into one history per child, as analysts expect.

Each year's return repeats the episodes still open from the year before, and councils' records
drift. Joining the years therefore needs a few rules. Each one is applied in this order and
recorded in the ``cleaning`` column of the rows it touched, so nothing is changed silently:

C1 duplicate  The same episode (child, start date) appears in several years, or twice in one
              year. Keep the copy from the latest return: it knows how the episode ended.
C2 overlap    An episode ends after the child's next episode starts. End it when the next
              one starts.
C3 left open  An episode is open at the end of a year, but the child is absent from the next
              year's return (which has been loaded) and has no later episode. Close it on the
              last 31 March the council reported it, with no reason.
C4 still open An episode open in the latest year loaded stays open: the child is still looked
              after.

Two derived columns help every later measure:

placement_change  True when the episode starts a new placement: a new period of care
                  (RNE S), or any change of placement (P: placement and carers; T: placement
                  with the same carers; B: legal status, placement and carers; U: legal
                  status and placement with the same carers). A change of legal status only
                  (RNE L) is not a move, so placement moves are not overcounted.
period_of_care    Numbers a child's periods of care from 1. A period ends when an episode
                  ends and the next does not start on the same day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NEW_PLACEMENT = ("S", "P", "T", "B", "U")
EPISODE_COLUMNS = [
    "child", "decom", "rne", "ls", "cin", "place", "place_provider", "dec", "rec",
    "reason_place_change", "home_post", "pl_post", "urn",
]  # fmt: skip


def clean_episodes(episodes: pd.DataFrame, years_loaded: list[int]) -> pd.DataFrame:
    """One cleaned history of episodes per child from every loaded year's episodes.

    ``episodes`` has the canonical episode columns plus ``year`` (the return it came from).
    """
    if episodes.empty:
        return pd.DataFrame(
            columns=[*EPISODE_COLUMNS, "year", "placement_change", "period_of_care", "cleaning"]
        )
    frame = episodes[[*EPISODE_COLUMNS, "year"]].copy()
    frame["cleaning"] = ""

    # C1: keep the latest return's copy of each (child, start) episode.
    frame = frame.sort_values(["child", "decom", "year"], kind="stable")
    dup = frame.duplicated(["child", "decom"], keep="last")
    kept_after_dup = frame.duplicated(["child", "decom"], keep=False) & ~dup
    frame.loc[kept_after_dup, "cleaning"] = _note(frame.loc[kept_after_dup, "cleaning"], "C1")
    frame = frame[~dup].reset_index(drop=True)

    # C2: end an episode when the child's next one starts.
    next_start = frame.groupby("child")["decom"].shift(-1)
    overlap = next_start.notna() & (frame["dec"].isna() | (frame["dec"] > next_start))
    frame.loc[overlap, "dec"] = next_start[overlap]
    frame.loc[overlap & (frame["rec"].isna() | (frame["rec"] == "")), "rec"] = "X1"
    frame.loc[overlap, "cleaning"] = _note(frame.loc[overlap, "cleaning"], "C2")

    # C3: close an episode left open in a year the child does not appear in the next year.
    latest = max(years_loaded)
    loaded = set(years_loaded)
    seen = frame.groupby("child")["year"].max()
    last_year_of_child = frame["child"].map(seen)
    is_last = next_start.isna()
    left_open = (
        is_last
        & frame["dec"].isna()
        & (last_year_of_child < latest)
        & (last_year_of_child + 1).isin(loaded)
    )
    end_of_year = pd.to_datetime(last_year_of_child.astype("Int64").astype(str) + "-03-31")
    frame.loc[left_open, "dec"] = end_of_year[left_open]
    frame.loc[left_open, "cleaning"] = _note(frame.loc[left_open, "cleaning"], "C3")

    # C4 is the absence of change: open episodes in the latest year stay open.
    frame["placement_change"] = frame["rne"].isin(NEW_PLACEMENT)
    previous_end = frame.groupby("child")["dec"].shift()
    new_period = previous_end.isna() | (frame["decom"] != previous_end) | (frame["rne"] == "S")
    frame["period_of_care"] = new_period.astype(int).groupby(frame["child"]).cumsum()
    return frame.reset_index(drop=True)


def _note(existing: pd.Series, code: str) -> pd.Series:
    return np.where(existing == "", code, existing + "," + code)  # type: ignore[return-value]
