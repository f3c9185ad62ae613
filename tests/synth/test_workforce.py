"""The synthetic workforce: calibration, allocation rules, hierarchy and the CSV export."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from turnaround.errors import InputError
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Workforce
from turnaround.synth.workforce import (
    CSV_COLUMNS,
    PLAIN_RULES,
    ROLE_TITLES,
    SW_REASONS,
    TEAMS,
    allocate_cases,
    build_workforce,
    write_workforce,
)

# Arrivals per 10,000 children a year and mean length in days, by team type: a rough stand-in for
# the journey simulation, giving open caseloads of the right order.
CASE_PROFILE = {
    "front_door": (490, 6),
    "assessment": (490, 35),
    "cin_cp": (150, 280),
    "looked_after": (25, 800),
    "care_leavers": (10, 900),
    "disabled_children": (10, 700),
}


def synthetic_cases(config: SynthConfig, seed: int = 5) -> pd.DataFrame:
    """Cases with Poisson arrivals and exponential lengths, some open before the window starts."""
    rng = np.random.default_rng(seed)
    first = np.datetime64(config.window_start, "D")
    last = np.datetime64(config.window_end, "D")
    span = int((last - first).astype(int))
    frames = []
    for team, (rate, mean) in CASE_PROFILE.items():
        n = rng.poisson(rate * config.scale * (span + 3 * mean) / 365.25)
        start = rng.integers(-3 * mean, span + 1, n)
        end = start + np.ceil(rng.exponential(mean, n)).astype(int)
        keep = end >= 0
        start_day = first + start[keep].astype("timedelta64[D]")
        end_day = first + end[keep].astype("timedelta64[D]")
        end_day = np.where(end_day > last, np.datetime64("NaT"), end_day)
        children = rng.integers(0, max(10, config.children // 5), keep.sum())
        frames.append(
            pd.DataFrame(
                {
                    "la_child_id": [f"C{c:07d}" for c in children],
                    "team": team,
                    "start": pd.to_datetime(start_day),
                    "end": pd.to_datetime(end_day),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@cache
def city(children: int, seed: int = 1) -> tuple[SynthConfig, pd.DataFrame, Workforce]:
    config = SynthConfig(children=children, seed=seed)
    cases = synthetic_cases(config)
    return config, cases, build_workforce(cases, config, np.random.default_rng(seed))


SIZES = [10_000, 60_000]


def last_march(config: SynthConfig) -> pd.Timestamp:
    return pd.Timestamp(config.window_end)


# --- calibration ------------------------------------------------------------------------------


@pytest.mark.parametrize("children", SIZES)
def test_vacancy_and_agency_rates_hit_the_targets_at_the_last_31_march(children: int) -> None:
    config, _, workforce = city(children)
    vacancies = workforce.vacancies
    final = vacancies[
        (vacancies["at"] == last_march(config))
        & vacancies["role"].isin(["social_worker", "senior_practitioner"])
    ]
    vacant = final["vacant_fte"].sum()
    assert vacant / final["establishment_fte"].sum() == pytest.approx(
        config.targets.vacancy_rate, abs=0.02
    )
    assert final["agency_cover_fte"].sum() / vacant == pytest.approx(
        config.targets.agency_cover_of_vacancies, abs=0.06
    )


def test_vacancy_table_adds_up_and_covers_every_31_march() -> None:
    config, _, workforce = city(10_000)
    vacancies = workforce.vacancies
    assert sorted(vacancies["at"].dt.year.unique()) == config.collection_years
    assert np.allclose(
        vacancies["establishment_fte"] - vacancies["filled_fte"], vacancies["vacant_fte"]
    )
    assert (vacancies["vacant_fte"] >= -1e-9).all()
    assert set(vacancies["team_id"]) <= set(workforce.teams["team_id"])


@pytest.mark.parametrize("children", SIZES)
def test_caseloads_average_near_the_target_with_a_long_tail(children: int) -> None:
    config, _, workforce = city(children)
    caseloads, fte = caseloads_on(workforce, last_march(config))
    assert caseloads.sum() / fte == pytest.approx(config.targets.average_caseload, rel=0.12)
    assert caseloads.max() >= 1.4 * config.targets.average_caseload
    if children >= 60_000:
        assert (caseloads >= 30).sum() >= 3


def caseloads_on(workforce: Workforce, day: pd.Timestamp) -> tuple[pd.Series, float]:
    staff = workforce.staff
    holders = staff[
        staff["holds_cases"]
        & (staff["start"] <= day)
        & (staff["leave"].isna() | (staff["leave"] > day))
    ]
    allocations = workforce.allocations
    live = allocations[
        (allocations["staff_id"] != "")
        & (allocations["start"] <= day)
        & (allocations["end"].isna() | (allocations["end"] > day))
    ]
    counts = live.groupby("staff_id").size().reindex(holders["staff_id"], fill_value=0)
    return counts, float(holders["fte"].sum())


def test_permanent_turnover_is_that_of_a_failing_service() -> None:
    config, _, workforce = city(60_000)
    staff = workforce.staff
    permanent = staff[staff["holds_cases"] & ~staff["agency"]]
    end = last_march(config)
    leavers, in_post = 0, 0.0
    for year in range(3):
        stop = end - pd.Timedelta(days=365 * year)
        begin = stop - pd.Timedelta(days=365)
        leavers += int(((permanent["leave"] > begin) & (permanent["leave"] <= stop)).sum())
        in_post += float(
            (
                (permanent["start"] <= begin)
                & (permanent["leave"].isna() | (permanent["leave"] > begin))
            ).sum()
        )
    assert 0.10 <= leavers / in_post <= 0.30


def test_agency_workers_stay_for_less_time_than_permanent_staff() -> None:
    _, _, workforce = city(60_000)
    staff = workforce.staff
    left = staff[staff["leave"].notna() & staff["holds_cases"]]
    tenure = (left["leave"] - left["start"]).dt.days
    assert tenure[left["agency"]].median() < tenure[~left["agency"]].median() / 2


# --- teams, staff and the hierarchy -----------------------------------------------------------


def test_teams_are_named_by_type_and_area_and_sit_in_services() -> None:
    _, _, workforce = city(60_000)
    teams = workforce.teams
    assert set(teams["team"]) == set(TEAMS)
    assert teams["team_id"].is_unique and teams["name"].is_unique
    assert (teams["team"] == "cin_cp").sum() >= 3
    names = teams.loc[teams["team"] == "assessment", "name"]
    assert names.str.fullmatch(r"Assessment Team (North|South|East|West|Central) \d+").all()
    assert set(teams["service"]) == {
        "Early Help and Front Door",
        "Safeguarding",
        "Children in Care",
        "Disabled Children",
    }


def test_every_team_has_a_team_manager_post_and_some_are_not_permanent() -> None:
    config, _, workforce = city(60_000)
    vacancies = workforce.vacancies
    managers = vacancies[vacancies["role"] == "team_manager"]
    assert set(managers["team_id"]) == set(workforce.teams["team_id"])
    final = managers[managers["at"] == last_march(config)]
    assert (final["filled_fte"] < 1).sum() >= 1


def test_hierarchy_has_no_cycles_and_every_manager_exists() -> None:
    for children in SIZES:
        _, _, workforce = city(children)
        staff = workforce.staff
        manager_of = dict(zip(staff["staff_id"], staff["manager_id"], strict=True))
        named = {m for m in manager_of.values() if m}
        assert named <= set(manager_of)
        assert (staff.loc[staff["manager_id"] == "", "role"] == "director").all()
        for person in manager_of:
            seen = set()
            while person:
                assert person not in seen
                seen.add(person)
                person = manager_of[person]


def test_staff_rows_are_well_formed() -> None:
    _, _, workforce = city(10_000)
    staff = workforce.staff
    assert staff["staff_id"].is_unique
    assert set(staff["role"]) <= set(ROLE_TITLES)
    assert (staff["leave"].isna() | (staff["leave"] > staff["start"])).all()
    assert (
        staff["holds_cases"].eq(staff["role"].isin(["social_worker", "senior_practitioner"])).all()
    )
    assert staff["fte"].between(0.5, 1.0).all()
    assert (staff.loc[staff["agency"], "fte"] == 1.0).mean() > 0.9
    assert (staff["fte"] < 1).any()
    team_based = staff["role"].isin(["social_worker", "senior_practitioner", "team_manager"])
    assert staff.loc[team_based, "team_id"].isin(workforce.teams["team_id"]).all()
    assert (staff.loc[~team_based, "team_id"] == "").all()


def test_senior_roles_show_the_directors_wide_portfolio() -> None:
    _, _, workforce = city(60_000)
    senior = workforce.senior_roles
    assert set(senior["staff_id"]) <= set(workforce.staff["staff_id"])
    director = senior[senior["role"] == "director"]
    assert len(director) >= 1
    for portfolio in director["portfolio"]:
        assert {"Adult Social Care", "Public Health", "Housing"} <= set(portfolio.split("; "))
    heads = senior[senior["role"] == "head_of_service"]
    sizes = heads["portfolio"].str.split("; ").str.len()
    assert sizes.between(1, 3).all()


# --- allocation -------------------------------------------------------------------------------


def test_no_case_is_held_outside_employment_or_by_a_non_case_holder() -> None:
    _, _, workforce = city(60_000)
    held = workforce.allocations[workforce.allocations["staff_id"] != ""].merge(
        workforce.staff, on="staff_id", suffixes=("", "_staff")
    )
    assert len(held) == (workforce.allocations["staff_id"] != "").sum()
    assert held["holds_cases"].all()
    assert (held["start"] >= held["start_staff"]).all()
    ends_in_post = held["leave"].isna() | (held["end"].notna() & (held["end"] <= held["leave"]))
    assert ends_in_post.all()


def test_cases_pass_on_when_their_worker_leaves() -> None:
    _, _, workforce = city(60_000)
    allocations = workforce.allocations
    staff = workforce.staff.set_index("staff_id")
    held = allocations[allocations["staff_id"] != ""]
    leave = held["staff_id"].map(staff["leave"])
    handed_on = held[held["end"].notna() & (held["end"] == leave)]
    assert len(handed_on) > 100
    following = allocations.merge(
        handed_on[["la_child_id", "end"]],
        left_on=["la_child_id", "start"],
        right_on=["la_child_id", "end"],
    )
    # A few cases close on their worker's last day; every other one passes on that day.
    assert len(following) >= 0.98 * len(handed_on)
    children_with_changes = held.groupby("la_child_id")["staff_id"].nunique()
    assert (children_with_changes >= 3).sum() > 50


def test_each_cases_allocations_are_contiguous_and_some_wait() -> None:
    config, cases, workforce = city(10_000)
    allocations = workforce.allocations
    window_start = pd.Timestamp(config.window_start)
    in_window = cases[cases["end"].isna() | (cases["end"] >= window_start)]
    assert set(allocations["la_child_id"]) == set(in_window["la_child_id"])
    assert (allocations["end"].isna() | (allocations["end"] >= allocations["start"])).all()
    unallocated = allocations[allocations["staff_id"] == ""]
    assert 0 < len(unallocated) < 0.1 * len(allocations)
    waits = (unallocated["end"] - unallocated["start"]).dt.days
    assert waits.max() > 60


def test_hand_built_roster_gives_the_expected_allocations() -> None:
    config = SynthConfig(children=1_000, end_year=2014, years=1)
    day = pd.Timestamp
    teams = pd.DataFrame(
        {
            "team_id": ["T001"],
            "team": ["looked_after"],
            "name": ["Children in Care Team 1"],
            "service": ["Children in Care"],
        }
    )
    staff = pd.DataFrame(
        {
            "staff_id": ["A", "B", "M"],
            "role": ["social_worker", "social_worker", "team_manager"],
            "grade": ["GR5", "GR5", "GR7"],
            "team_id": ["T001", "T001", "T001"],
            "manager_id": ["M", "M", ""],
            "fte": [1.0, 1.0, 1.0],
            "agency": [False, True, False],
            "start": [day("2012-01-01"), day("2013-10-01"), day("2010-01-01")],
            "leave": [day("2013-10-01"), pd.NaT, pd.NaT],
            "holds_cases": [True, True, False],
        }
    )
    cases = pd.DataFrame(
        {
            "la_child_id": ["C1", "C2", "C3", "C4"],
            "team": ["looked_after"] * 4,
            "start": [day("2013-05-01"), day("2013-06-01"), day("2013-07-01"), day("2013-11-01")],
            "end": [day("2013-08-01"), pd.NaT, day("2014-01-15"), pd.NaT],
        }
    )
    allocations = allocate_cases(cases, staff, teams, config, np.random.default_rng(0), PLAIN_RULES)
    got = allocations.sort_values(["la_child_id", "start"]).reset_index(drop=True)
    for column in ("start", "end"):
        got[column] = got[column].astype("datetime64[ns]")
    expected = pd.DataFrame(
        {
            # C1 closes while A is still there; C2 and C3 pass to B, A's successor, on A's last
            # day; C4 opens after A has gone.
            "la_child_id": ["C1", "C2", "C2", "C3", "C3", "C4"],
            "staff_id": ["A", "A", "B", "A", "B", "B"],
            "start": pd.to_datetime(
                ["2013-05-01", "2013-06-01", "2013-10-01", "2013-07-01", "2013-10-01", "2013-11-01"]
            ).astype("datetime64[ns]"),
            "end": pd.to_datetime(
                ["2013-08-01", "2013-10-01", None, "2013-10-01", "2014-01-15", None]
            ).astype("datetime64[ns]"),
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_cases_wait_when_nobody_can_take_them() -> None:
    config = SynthConfig(children=1_000, end_year=2014, years=1)
    teams = pd.DataFrame(
        {"team_id": ["T001"], "team": ["cin_cp"], "name": ["CP 1"], "service": ["Safeguarding"]}
    )
    staff = pd.DataFrame(
        {
            "staff_id": ["A"],
            "role": ["social_worker"],
            "grade": ["GR5"],
            "team_id": ["T001"],
            "manager_id": [""],
            "fte": [1.0],
            "agency": [False],
            "start": [pd.Timestamp("2013-09-01")],
            "leave": [pd.NaT],
            "holds_cases": [True],
        }
    )
    cases = pd.DataFrame(
        {
            "la_child_id": ["C1"],
            "team": ["cin_cp"],
            "start": [pd.Timestamp("2013-06-01")],
            "end": [pd.NaT],
        }
    )
    got = allocate_cases(cases, staff, teams, config, np.random.default_rng(0), PLAIN_RULES)
    assert got["staff_id"].tolist() == ["", "A"]
    assert got["start"].tolist() == [pd.Timestamp("2013-06-01"), pd.Timestamp("2013-09-01")]
    assert got["end"].iloc[0] == pd.Timestamp("2013-09-01") and pd.isna(got["end"].iloc[1])


def test_unknown_team_type_is_refused() -> None:
    config = SynthConfig(children=1_000)
    cases = pd.DataFrame(
        {
            "la_child_id": ["C1"],
            "team": ["youth_offending"],
            "start": [pd.Timestamp("2013-06-01")],
            "end": [pd.NaT],
        }
    )
    with pytest.raises(InputError, match="youth_offending"):
        build_workforce(cases, config, np.random.default_rng(0))


# --- SSDA903 social worker episodes -----------------------------------------------------------


def test_sw_episodes_never_overlap_and_use_the_903_reasons() -> None:
    _, _, workforce = city(60_000)
    episodes = workforce.sw_episodes.sort_values(["la_child_id", "sw_decom"])
    assert len(episodes) > 100
    same_child = episodes["la_child_id"].eq(episodes["la_child_id"].shift(-1))
    next_start = episodes["sw_decom"].shift(-1)
    overlapping = same_child & (episodes["sw_dec"].isna() | (episodes["sw_dec"] > next_start))
    assert not overlapping.any()
    assert (episodes["sw_dec"].isna() | (episodes["sw_dec"] > episodes["sw_decom"])).all()
    assert set(episodes["sw_reason"]) <= {*SW_REASONS, ""}
    assert {"LEFTRL", "FCONTA", "MANAGE", "TSPROC"} <= set(episodes["sw_reason"])
    first = ~episodes["la_child_id"].duplicated()
    assert (episodes.loc[~first, "sw_reason"] != "").all()
    assert set(episodes["sw_id"]) <= set(workforce.staff["staff_id"])


# --- determinism and export -------------------------------------------------------------------


def test_same_seed_same_workforce_and_another_seed_differs() -> None:
    config, cases, first = city(10_000)
    again = build_workforce(cases, config, np.random.default_rng(1))
    for name in ("teams", "staff", "vacancies", "allocations", "senior_roles", "sw_episodes"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    other = build_workforce(cases, config, np.random.default_rng(2))
    assert not other.staff.equals(first.staff)


def test_write_workforce_round_trips_through_read_csv(tmp_path: Path) -> None:
    _, _, workforce = city(10_000)
    paths = write_workforce(workforce, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{name}.csv" for name in CSV_COLUMNS)
    for name, columns in CSV_COLUMNS.items():
        original = getattr(workforce, name)
        read = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(read.columns) == list(columns.values())
        assert len(read) == len(original)
        back = read.rename(columns={v: k for k, v in columns.items()})
        for column in columns:
            values = original[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                parsed = pd.to_datetime(back[column].replace("", None), format="%d/%m/%Y")
                pd.testing.assert_series_equal(
                    parsed.astype("datetime64[ns]"), values, check_names=False
                )
            elif pd.api.types.is_bool_dtype(values):
                assert (back[column] == np.where(values, "Y", "N")).all()
            elif pd.api.types.is_float_dtype(values):
                assert np.allclose(back[column].astype(float), values)
            elif column == "role":
                assert (back[column] == values.map(ROLE_TITLES).fillna(values)).all()
            else:
                assert (back[column] == values.astype(str)).all()
    dates = pd.read_csv(tmp_path / "staff.csv", dtype=str)["Start Date"]
    assert dates.str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert re.fullmatch(r"E\d{6}", workforce.staff["staff_id"].iloc[0])
