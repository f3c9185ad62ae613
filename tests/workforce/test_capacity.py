"""Capacity measures on a hand-built store, every expected value worked out by hand."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from tests.acting import admin
from turnaround.errors import ConfigError
from turnaround.returns.load import load_returns
from turnaround.store import Store, open_store
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig
from turnaround.workforce import capacity
from turnaround.workforce.load import load_workforce

AT = date(2014, 3, 31)
D = date.fromisoformat

# staff_id, role, team_id, manager_id, fte, agency, start, leave, holds_cases
STAFF = [
    ("D0", "director", None, None, 1.0, False, "2005-01-01", "2009-12-31", False),
    ("D1", "director", None, None, 1.0, False, "2010-01-01", None, False),
    ("SM1", "service_manager", None, "D1", 1.0, False, "2010-01-01", None, False),
    ("TM1", "team_manager", "T1", "SM1", 1.0, False, "2011-01-01", None, False),
    ("TM2", "team_manager", "T2", "SM1", 1.0, True, "2013-06-01", None, False),
    ("W1", "social_worker", "T1", "TM1", 1.0, False, "2012-01-01", None, True),
    ("W2", "social_worker", "T1", "TM1", 0.5, False, "2012-01-01", None, True),
    ("W3", "senior_practitioner", "T1", "TM1", 1.0, True, "2013-11-01", None, True),
    ("W4", "social_worker", "T2", "TM2", 1.0, False, "2011-01-01", "2014-03-31", True),
    ("W5", "social_worker", "T2", "TM2", 1.0, True, "2012-01-01", None, True),
    ("W6", "social_worker", "T3", "SM1", 1.0, False, "2013-01-01", None, True),
    # after AT: an agency leaver and a permanent leaver on the census day
    ("W7", "social_worker", "T1", "TM1", 1.0, True, "2014-04-01", "2014-06-30", True),
    ("W9", "social_worker", "T3", "SM1", 0.6, False, "2014-04-01", "2014-09-30", True),
    # left on the census day a year before: not a leaver in the year to 30 Sept 2014
    ("W8", "social_worker", "T3", "SM1", 1.0, False, "2010-01-01", "2013-09-30", True),
]
TEAMS = [
    ("T1", "assessment", "Assessment North", "Safeguarding"),
    ("T2", "cin_cp", "CP South", "Safeguarding"),
    ("T3", "looked_after", "Children in Care", "Children in Care"),
]
# team_id, role, establishment, filled, vacant, agency cover, at
VACANCIES = [
    ("T1", "social_worker", 4.0, 4.0, 0.0, 0.0, "2013-03-31"),
    ("T1", "social_worker", 4.0, 1.5, 2.5, 1.0, "2014-03-31"),
    ("T1", "team_manager", 1.0, 1.0, 0.0, 0.0, "2014-03-31"),
    ("T2", "social_worker", 3.0, 0.0, 3.0, 1.0, "2014-03-31"),
    ("T3", "social_worker", 2.0, 1.0, 1.0, 0.0, "2014-03-31"),
    ("T1", "social_worker", 10.0, 0.0, 10.0, 0.0, "2015-03-31"),
]
BROAD = "Children's Social Care; Education; Adult Social Care; Public Health; Housing"


def _allocations() -> list[tuple[str, str | None, str, str | None]]:
    rows: list[tuple[str, str | None, str, str | None]] = []
    rows += [(f"A{i}", "W1", "2013-06-01", None) for i in range(22)]  # 22 open
    rows += [(f"B{i}", "W2", "2013-06-01", None) for i in range(5)]  # 5 open
    rows += [("B5", "W2", "2013-06-01", "2014-03-01")]  # closed earlier
    rows += [("B6", "W2", "2013-06-01", "2014-03-31")]  # closes on the day: not counted
    rows += [(f"C{i}", "W3", "2013-11-01", None) for i in range(20)]  # exactly 20
    for i in range(3):  # W4 leaves on AT and hands three cases to W5 the same day
        rows += [(f"E{i}", "W4", "2013-01-01", "2014-03-31"), (f"E{i}", "W5", "2014-03-31", None)]
    rows += [("U1", None, "2014-03-01", None), ("U2", "", "2014-01-31", None)]  # waiting
    rows += [("U3", None, "2014-01-01", "2014-02-01")]  # waited, then allocated
    rows += [("U3", "W6", "2014-02-01", "2014-03-15")]
    return rows


def _insert(store: Store, table: str, rows: list[tuple[object, ...]]) -> None:
    width = len(rows[0]) + 1
    marks = ", ".join("?" for _ in range(width))
    store.executemany(f"insert into {table} values ({marks})", [(*r, "test") for r in rows])


def _staff_row(row: tuple[object, ...]) -> tuple[object, ...]:
    staff_id, role, team, manager, fte, agency, start, leave, holds = row
    return (staff_id, role, "G", team, manager, fte, agency, start, leave, holds)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    built = open_store(tmp_path / "capacity.duckdb")
    _insert(built, "workforce_staff", [_staff_row(r) for r in STAFF])
    _insert(built, "workforce_teams", list(TEAMS))
    _insert(built, "workforce_vacancies", list(VACANCIES))
    _insert(built, "workforce_allocations", list(_allocations()))
    _insert(
        built,
        "workforce_senior_roles",
        [
            ("D0", "director", "Children's Social Care"),
            ("D1", "director", BROAD),
            ("SM1", "head_of_service", "Safeguarding; Children in Care"),
        ],
    )
    return built


def test_the_default_day_is_the_latest_in_the_data(store: Store) -> None:
    assert capacity.latest_date(store) == date(2015, 3, 31)
    assert capacity.census_day(AT) == date(2013, 9, 30)
    assert capacity.census_day(date(2014, 9, 30)) == date(2014, 9, 30)


def test_caseloads_per_worker_team_and_overall(store: Store) -> None:
    result = capacity.caseloads(store, AT)
    by_worker = dict(zip(result.workers["staff_id"], result.workers["cases"], strict=True))
    # W4 left on AT, W7 had not started; W6 holds nothing but still counts, with zero.
    assert by_worker == {"W1": 22, "W2": 5, "W3": 20, "W5": 3, "W6": 0}
    assert result.allocated_cases == 50 and result.worker_count == 5
    assert result.median == 5  # 0, 3, 5, 20, 22
    assert result.share_above == pytest.approx(1 / 5)  # only W1; 20 is not above 20
    assert result.worker_fte == pytest.approx(4.5)
    assert result.cases_per_fte == pytest.approx(50 / 4.5)
    w2 = result.workers.set_index("staff_id").loc["W2"]
    assert w2["cases_per_fte"] == pytest.approx(10.0)

    teams = result.teams.set_index("team_id")
    assert teams.loc["T1", "workers"] == 3 and teams.loc["T1", "cases"] == 47
    assert teams.loc["T1", "median"] == 20
    assert teams.loc["T1", "share_above"] == pytest.approx(1 / 3)
    assert teams.loc["T1", "cases_per_fte"] == pytest.approx(47 / 2.5)
    assert teams.loc["T1", "name"] == "Assessment North"
    assert teams.loc["T2", "cases"] == 3 and teams.loc["T3", "cases"] == 0

    assert capacity.caseloads(store, AT, threshold=19).share_above == pytest.approx(2 / 5)


def test_unallocated_cases_and_their_waits(store: Store) -> None:
    result = capacity.caseloads(store, AT)
    waits = dict(
        zip(result.unallocated["child_id"], result.unallocated["waited_days"], strict=True)
    )
    assert waits == {"U1": 30, "U2": 59}  # from 1 March, and from 31 January 2014
    assert result.unallocated_cases == 2 and result.open_cases == 52
    assert result.median_wait_days == 44.5 and result.longest_wait_days == 59


def test_spans_and_teams_without_a_permanent_manager(store: Store) -> None:
    result = capacity.spans(store, AT)
    tms = dict(zip(result.team_managers["staff_id"], result.team_managers["reports"], strict=True))
    assert tms == {"TM1": 3, "TM2": 1}  # W4 has left TM2's team
    sms = result.service_managers.set_index("staff_id")["reports"].to_dict()
    assert sms == {"SM1": 2}
    assert result.median_team_manager_span == 2
    assert result.workers_per_team_manager == pytest.approx(5 / 2)
    lacking = result.teams_without_permanent_manager
    assert lacking["team_id"].tolist() == ["T2", "T3"]  # T2's is agency, T3 has none
    assert lacking["agency_managers_in_post"].tolist() == [1, 0]
    assert result.cycles == () and result.missing_managers == ()


def test_cycles_and_missing_managers_are_reported_not_followed(store: Store) -> None:
    extra = [
        ("X1", "service_manager", None, "X2", 1.0, False, "2010-01-01", None, False),
        ("X2", "service_manager", None, "X3", 1.0, False, "2010-01-01", None, False),
        ("X3", "service_manager", None, "X1", 1.0, False, "2010-01-01", None, False),
        ("X4", "team_manager", "T3", "X1", 1.0, False, "2010-01-01", None, False),
        ("Z1", "team_manager", None, "Z1", 1.0, False, "2010-01-01", None, False),
        ("Y1", "social_worker", "T3", "GHOST", 1.0, False, "2010-01-01", None, True),
        ("Y2", "social_worker", "T3", "W4", 1.0, False, "2010-01-01", None, True),
    ]
    _insert(store, "workforce_staff", [_staff_row(r) for r in extra])
    result = capacity.spans(store, AT)
    assert result.cycles == (("X1", "X2", "X3"), ("Z1",))
    assert result.missing_managers == (("Y1", "GHOST"),)
    assert result.managers_not_in_post == (("Y2", "W4"),)
    # T3 now has a permanent team manager in post.
    assert result.teams_without_permanent_manager["team_id"].tolist() == ["T2"]


def test_manager_cycles_alone() -> None:
    assert capacity.manager_cycles({"a": "b", "b": "a", "c": "a", "d": None}) == (("a", "b"),)
    assert capacity.manager_cycles({"a": "missing", "b": "a"}) == ()
    long = {str(i): str(i + 1) for i in range(10_000)} | {"10000": "0"}
    assert len(capacity.manager_cycles(long)[0]) == 10_001


def test_staffing_rates_follow_the_dfe_definitions(store: Store) -> None:
    result = capacity.staffing_rates(store, date(2014, 10, 15))
    assert result.census == date(2014, 9, 30) and result.vacancies_at == date(2014, 3, 31)
    # In post on 30 Sept 2014: permanent W1 1.0 + W2 0.5 + W6 1.0; agency W3 1.0 + W5 1.0.
    assert result.permanent_fte == pytest.approx(2.5)
    assert result.agency_fte == pytest.approx(2.0)
    assert result.agency_rate == pytest.approx(2.0 / 4.5)
    # Permanent leavers 1 Oct 2013 - 30 Sept 2014: W4 (1.0) and W9 (0.6, on the census day).
    # W7 was agency; W8 left on 30 Sept 2013, the year before.
    assert result.leavers_fte == pytest.approx(1.6)
    assert result.turnover_rate == pytest.approx(1.6 / 2.5)
    # The 31 March 2014 snapshot, social workers only: 6.5 vacant of 9 established.
    assert result.vacancy_rate == pytest.approx(6.5 / 9)
    assert result.agency_cover_fte == pytest.approx(2.0)

    teams = result.teams.set_index("team_id")
    assert teams.loc["T1", "agency_rate"] == pytest.approx(1.0 / 2.5)
    assert teams.loc["T1", "vacancy_rate"] == pytest.approx(2.5 / 4)
    assert teams.loc["T1", "turnover_rate"] == 0
    assert math.isnan(teams["turnover_rate"]["T2"])  # no permanent staff left in T2


def test_staffing_rates_over_other_roles(store: Store) -> None:
    result = capacity.staffing_rates(store, date(2014, 10, 15), roles=["team_manager"])
    assert result.vacancy_rate == 0.0 and result.establishment_fte == 1.0
    assert result.agency_rate == pytest.approx(1 / 2)  # TM1 permanent, TM2 agency


def test_stability_counts_episodes_in_the_year(store: Store) -> None:
    def episode(child: str, sw: str, start: str, end: str | None, year: int = 2014) -> tuple:
        return (child, None, sw, start, end, None, year, "test", None, None)

    store.executemany(
        "insert into ssda903_sw_episodes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            episode("A", "S1", "2013-01-01", "2013-05-01"),
            episode("A", "S2", "2013-05-01", "2013-12-01"),
            episode("A", "S3", "2013-12-01", None),
            episode("A", "S3", "2013-12-01", "2014-06-01", 2015),  # the same episode again
            episode("B", "S1", "2012-01-01", "2013-03-31"),  # ended before the year
            episode("B", "S2", "2013-03-31", "2013-06-01"),
            episode("B", "S3", "2013-06-01", None),
            episode("C", "S1", "2013-05-01", "2013-06-01"),
            episode("C", "S1", "2013-06-01", "2013-07-01"),  # the same worker again
            episode("C", "S2", "2013-07-01", None),
            episode("D", "S4", "2014-04-01", None),  # after the year
        ],
    )
    result = capacity.stability(store, 2014)
    assert (result.start, result.end) == (date(2013, 4, 1), date(2014, 3, 31))
    assert result.looked_after == 3 and result.three_or_more == 2
    assert result.share_three_or_more == pytest.approx(2 / 3)
    assert result.share_three_or_more_workers == pytest.approx(1 / 3)


def test_senior_structure_flags(store: Store) -> None:
    result = capacity.senior_structure(store, at=AT)
    assert result.directors_of_children == ("D1",)  # D0 left in 2009
    assert not result.sole_director
    assert result.flagged == ("D1",)
    assert result.flags[0] == "no director holds children's services alone"
    assert capacity.senior_structure(store, max_services=5, at=AT).flagged == ()

    store.execute(
        "update workforce_senior_roles set portfolio = ? where staff_id = 'D1'",
        ["Children's Social Care; Education"],
    )
    fixed = capacity.senior_structure(store, at=AT)
    assert fixed.sole_director and fixed.flagged == () and fixed.flags == ()


def test_posts_needed_now_and_per_year(store: Store) -> None:
    loads = capacity.caseloads(store, AT)
    spans = capacity.spans(store, AT)
    result = capacity.posts_needed(
        loads, target_caseload=13, target_span=3, demand_growth=[65, 78], spans_result=spans
    )
    # 52 open cases (50 allocated, 2 waiting) / 13 = 4.0 FTE; 4 / 3 -> 2 team managers.
    assert result.cases == 52
    assert result.social_worker_fte == pytest.approx(4.0) and result.team_managers == 2
    assert result.social_worker_gap_fte == pytest.approx(4.0 - 4.5)
    assert result.team_managers_in_post == 2 and result.team_manager_gap == 0
    years = result.years.iloc[1:]
    assert years["year"].tolist() == [2015, 2016]
    assert years["social_worker_fte"].tolist() == pytest.approx([5.0, 6.0])
    assert years["team_managers"].tolist() == [2, 2]  # 6 / 3 is exactly 2

    by_year = capacity.posts_needed(loads, 13, 3, demand_growth={2020: 13})
    assert by_year.team_manager_gap is None
    assert by_year.years.iloc[1]["social_worker_fte"] == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="must be positive"):
        capacity.posts_needed(loads, target_caseload=0)


@pytest.mark.slow
def test_a_synthetic_city_gives_plausible_numbers(tmp_path: Path) -> None:
    generate_city(SynthConfig(children=3000, seed=2), tmp_path / "city")
    store = open_store(tmp_path / "city.duckdb")
    load_workforce(store, tmp_path / "city" / "workforce", actor=admin(store))
    load_returns(store, [tmp_path / "city" / "returns"], mode="strict", actor=admin(store))

    loads = capacity.caseloads(store)
    assert loads.worker_count > 0 and 8 <= loads.median <= 35
    rates = capacity.staffing_rates(store)
    assert 0.15 <= rates.vacancy_rate <= 0.35  # calibrated to Birmingham 2014: a quarter
    assert rates.agency_cover_fte / rates.vacant_fte >= 0.6
    assert 0 < rates.agency_rate < 0.5 and 0 <= rates.turnover_rate < 0.6
    spans = capacity.spans(store)
    assert spans.cycles == () and spans.missing_managers == ()
    assert spans.median_team_manager_span >= 1  # a small city has small teams
    senior = capacity.senior_structure(store)
    assert not senior.sole_director  # the 2014 director also ran adults and housing
    year = rates.vacancies_at.year if rates.vacancies_at else 2014
    stable = capacity.stability(store, year)
    assert stable.looked_after > 0 and 0 <= stable.share_three_or_more <= 1
    needed = capacity.posts_needed(loads)
    assert needed.social_worker_fte > 0 and needed.team_managers >= 1
