"""The forecast refuses a history with a year of episodes missing inside it, and says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.errors import NotFound
from turnaround.forecast.history import read_history
from turnaround.returns.load import load_returns
from turnaround.store import open_store

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,UN1,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,"
    "URN\n1,01/05/{y},S,C2,N1,U1,PR1,01/09/{y},E13,,,,\n"
)


def _year(root: Path, year: int, *, episodes: bool) -> Path:
    folder = root / str(year)
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER)
    if episodes:
        (folder / "episodes.csv").write_text(EPISODES.format(y=year - 1))
    return folder


def test_a_year_loaded_without_its_episodes_stops_the_fit_and_is_named(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    folders = [_year(tmp_path, y, episodes=y != 2019) for y in (2018, 2019, 2020)]
    load_returns(store, folders, actor=admin(store), mode="lenient")
    with pytest.raises(NotFound, match=r"the 2018-19 SSDA903 return has no Episodes table"):
        read_history(store)


def test_a_history_without_gaps_is_read(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.duckdb")
    folders = [_year(tmp_path, y, episodes=True) for y in (2018, 2019, 2020)]
    load_returns(store, folders, actor=admin(store), mode="lenient")
    history = read_history(store)
    assert history.last_year == 2020
