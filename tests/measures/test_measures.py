"""Each measure against a small set of returns whose right answers were worked out by hand.

The returns are for 2013-14 (year 2014: 1 April 2013 to 31 March 2014), with a little of
2012-13 where a measure looks back. The area has 20,000 children, so one child is 0.5 per
10,000. The comments beside the rows give the working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from turnaround.measures.compute import compute_measures, explain
from turnaround.measures.registry import measures
from turnaround.returns.load import rebuild_clean_episodes
from turnaround.store import Store, open_store

Row = dict[str, Any]


def insert(store: Store, table: str, rows: list[Row], year: int | None = None) -> None:
    """Insert rows into a store table, casting each value to the column's type."""
    columns = store.fetchall(
        "select column_name, data_type from information_schema.columns"
        " where table_name = ? order by ordinal_position",
        [table],
    )
    frame = pd.DataFrame(rows)
    if year is not None:
        frame["year"] = year
    if "load_id" in dict(columns):
        frame["load_id"] = f"test-{year}"
    chosen = [(name, kind) for name, kind in columns if name in frame.columns]
    store.register("_rows", frame)
    store.execute(
        f"insert into {table} ({', '.join(n for n, _ in chosen)}) "
        f"select {', '.join(f'cast({n} as {k})' for n, k in chosen)} from _rows"
    )
    store.unregister("_rows")


def cin_returns(store: Store) -> None:
    insert(
        store,
        "cin_episodes",
        [
            {"child_id": "A", "episode": 1, "referral_date": "2012-11-01",
             "closure_date": "2013-01-10"},
            {"child_id": "B", "episode": 1, "referral_date": "2012-06-09",
             "closure_date": "2012-08-01"},
            {"child_id": "C", "episode": 1, "referral_date": "2013-03-31",
             "closure_date": "2013-03-31"},
        ],
        year=2013,
    )  # fmt: skip
    insert(
        store,
        "cin_episodes",
        [
            # re-referral: the last was 2012-11-01, within 12 months; open on 31 March
            {"child_id": "A", "episode": 1, "referral_date": "2013-05-01"},
            # not a re-referral: 2012-06-09 is a day more than 12 months before; closed 31 March
            {"child_id": "B", "episode": 1, "referral_date": "2013-06-10",
             "closure_date": "2014-03-31"},
            # last day of the year, exactly 12 months after the previous referral: a re-referral
            {"child_id": "C", "episode": 1, "referral_date": "2014-03-31"},
            # first day of the year, no earlier referral
            {"child_id": "D", "episode": 1, "referral_date": "2013-04-01"},
            # an old case still open: in need on 31 March, but not a referral in the year
            {"child_id": "E", "episode": 1, "referral_date": "2012-01-01"},
        ],
        year=2014,
    )  # fmt: skip
    insert(
        store,
        "cin_assessments",
        [
            # nine whole weeks with no holidays: 45 working days, in time
            {"child_id": "A", "episode": 1, "assessment": 1, "start_date": "2014-01-06",
             "authorised_date": "2014-03-10"},
            # one day more: 46
            {"child_id": "B", "episode": 1, "assessment": 1, "start_date": "2014-01-06",
             "authorised_date": "2014-03-11"},
            # over Christmas and New Year: 20 (Nov) + 20 (Dec less 25, 26) + 5 (Jan 2-8) = 45
            {"child_id": "C", "episode": 1, "assessment": 1, "start_date": "2013-11-01",
             "authorised_date": "2014-01-08"},
            # one day more: 46
            {"child_id": "D", "episode": 1, "assessment": 1, "start_date": "2013-11-01",
             "authorised_date": "2014-01-09"},
            # still going: not counted
            {"child_id": "E", "episode": 1, "assessment": 1, "start_date": "2014-03-01"},
        ],
        year=2014,
    )  # fmt: skip
    insert(
        store,
        "cin_s47",
        [
            # Dec 23, 24, 27, 30, 31, Jan 2, 3, 6-10, 13, 14: 14 working days, in time
            {"child_id": "A", "episode": 1, "s47": 1, "start_date": "2013-12-20",
             "icpc_date": "2014-01-14"},
            # exactly 15 working days, in time
            {"child_id": "B", "episode": 1, "s47": 1, "start_date": "2014-03-10",
             "icpc_date": "2014-03-31"},
            # conference falls in the next year: an enquiry this year, no conference this year
            {"child_id": "C", "episode": 1, "s47": 1, "start_date": "2014-03-10",
             "icpc_date": "2014-04-01"},
            # started last year; conference this year after Easter 2013: 16 working days, late
            {"child_id": "D", "episode": 1, "s47": 1, "start_date": "2013-03-25",
             "icpc_date": "2013-04-18"},
            # no conference needed
            {"child_id": "E", "episode": 1, "s47": 1, "start_date": "2013-09-01",
             "icpc_not_required": True},
        ],
        year=2014,
    )  # fmt: skip
    insert(
        store,
        "cin_cp_plans",
        [{"child_id": "C", "episode": 1, "cp_plan": 1, "start_date": "2011-01-01",
          "end_date": "2012-01-01", "previous_plans": 0}],
        year=2013,
    )  # fmt: skip
    insert(
        store,
        "cin_cp_plans",
        [
            {"child_id": "A", "episode": 1, "cp_plan": 1, "start_date": "2011-03-01"},
            {"child_id": "B", "episode": 1, "cp_plan": 1, "start_date": "2013-06-01",
             "previous_plans": 1},
            {"child_id": "C", "episode": 1, "cp_plan": 1, "start_date": "2013-07-01",
             "end_date": "2014-02-01", "previous_plans": 0},
            {"child_id": "D", "episode": 1, "cp_plan": 1, "start_date": "2013-09-01",
             "previous_plans": 0},
            {"child_id": "E", "episode": 1, "cp_plan": 1, "start_date": "2012-01-10",
             "end_date": "2014-01-10"},
            {"child_id": "F", "episode": 1, "cp_plan": 1, "start_date": "2012-01-10",
             "end_date": "2014-01-09"},
            {"child_id": "G", "episode": 1, "cp_plan": 1, "start_date": "2013-05-01",
             "end_date": "2014-03-31"},
        ],
        year=2014,
    )  # fmt: skip


def episode(
    child: str,
    decom: str,
    rne: str,
    place: str,
    dec: str | None = None,
    rec: str | None = None,
    ls: str = "C2",
    home: str = "B11 1",
    pl: str | None = "B12 3",
) -> Row:
    """One SSDA903 episode; most fields take a default that matters to no measure."""
    return {
        "child": child, "decom": decom, "rne": rne, "ls": ls, "cin": "N1", "place": place,
        "place_provider": "PR1", "dec": dec, "rec": rec, "home_post": home, "pl_post": pl,
    }  # fmt: skip


def ssda903_returns(store: Store) -> None:
    insert(
        store,
        "ssda903_header",
        [
            {"child": "L1", "sex": "M", "dob": "2005-01-01"},
            {"child": "L2", "sex": "F", "dob": "2004-05-05"},
            {"child": "L3", "sex": "F", "dob": "2006-02-02"},
            {"child": "L4", "sex": "M", "dob": "1997-06-01"},  # 16 on 31 March 2014
            {"child": "L5", "sex": "M", "dob": "2008-08-08"},
            {"child": "L6", "sex": "F", "dob": "2003-03-03"},
        ],
        year=2014,
    )
    insert(
        store,
        "ssda903_episodes",
        [
            # in the same foster home since 2010: stable; one placement this year
            episode("L1", "2010-06-01", "S", "U1", pl="B13 2"),
            # moved in June 2012, less than two years ago; placed in Leicester, 32 miles
            episode("L2", "2011-01-01", "S", "U1", "2012-06-01", "X1", home="B8 1"),
            episode("L2", "2012-06-01", "P", "U4", home="B8 1", pl="LE1 5"),
            # placed for adoption in 2013; with the foster home before it, over two years
            episode("L3", "2011-02-01", "S", "U1", "2013-01-15", "X1"),
            episode("L3", "2013-01-15", "P", "A5", pl=None),
            # open on 1 April, two moves in the year, a change of legal status only in between:
            # three placements; now in Coventry, outside the area but 13 miles away
            episode("L4", "2010-01-01", "S", "U1", "2013-05-01", "X1", pl="B31 2"),
            episode("L4", "2013-05-01", "P", "U4", "2013-08-01", "X1", pl="B66 1"),
            episode("L4", "2013-08-01", "L", "U4", "2013-11-01", "X1", ls="C1", pl="B66 1"),
            episode("L4", "2013-11-01", "P", "R1", pl="CV4 7"),
            # came into care in the year and moved twice: three placements
            episode("L5", "2013-10-01", "S", "U1", "2013-12-01", "X1"),
            episode("L5", "2013-12-01", "P", "U1", "2014-02-01", "X1"),
            episode("L5", "2014-02-01", "P", "U1"),
            # moved on 1 April itself: the old placement does not count, so two placements
            episode("L6", "2012-05-01", "S", "U1", "2013-04-01", "X1", pl="B11 4"),
            episode("L6", "2013-04-01", "P", "U1", "2013-09-01", "X1", pl="B11 4"),
            episode("L6", "2013-09-01", "P", "U1", pl="B11 4"),
            # short breaks only: left out of everything
            episode("L7", "2013-01-01", "S", "U1", ls="V3"),
            # in and out in the year
            episode("L8", "2013-05-01", "S", "U1", "2013-09-01", "E13"),
            # adopted: 460 days from care to the adoptive family
            episode("L9", "2011-06-01", "S", "U1", "2012-09-03", "X1"),
            episode("L9", "2012-09-03", "P", "A5", "2013-07-01", "E11", pl=None),
            # adopted by the foster carers they moved to 70 days after coming into care
            episode("L10", "2011-11-01", "S", "U1", "2012-01-10", "X1"),
            episode("L10", "2012-01-10", "P", "U4", "2013-02-01", "X1"),
            episode("L10", "2013-02-01", "U", "A4", "2014-03-01", "E12", ls="E1"),
            # adopted, but coming into care is not in the returns: listed, left out
            episode("L11", "2012-01-01", "P", "A5", "2013-06-01", "E11", pl=None),
        ],
        year=2014,
    )
    rebuild_clean_episodes(store)
    insert(
        store,
        "ssda903_missing",
        [
            {"child": "L1", "missing": "M", "mis_start": "2013-06-01", "mis_end": "2013-06-02"},
            {"child": "L1", "missing": "M", "mis_start": "2013-06-01", "mis_end": "2013-06-02"},
            {"child": "L1", "missing": "M", "mis_start": "2013-07-01", "mis_end": "2013-07-01"},
            {"child": "L2", "missing": "A", "mis_start": "2013-08-01", "mis_end": "2013-08-01"},
            {"child": "L4", "missing": "M", "mis_start": "2013-03-30", "mis_end": "2013-03-31"},
            {"child": "X99", "missing": "M", "mis_start": "2013-05-05", "mis_end": "2013-05-06"},
        ],
        year=2014,
    )
    insert(
        store,
        "ssda903_oc2",
        [
            {"child": "L1", "sdq_score": 10, "health_assessment": True, "teeth_check": True},
            {"child": "L2", "sdq_score": 20, "health_assessment": False, "teeth_check": True},
            {"child": "L3", "sdq_score": None, "health_assessment": True, "teeth_check": None},
        ],
        year=2014,
    )
    insert(
        store,
        "ssda903_oc3",
        [
            {"child": "Y1", "in_touch": "YES", "activ": "F2", "accom": "B1"},
            {"child": "Y2", "in_touch": "YES", "activ": "G5", "accom": "C2"},
            {"child": "Y3", "in_touch": "NO", "activ": "0", "accom": "0"},
            {"child": "Y4", "in_touch": "DIED", "activ": None, "accom": None},
        ],
        year=2014,
    )


def workforce(store: Store) -> None:
    staff = [
        ("S1", "social_worker", 1.0, False, "2010-01-01", None, True),
        ("S2", "social_worker", 0.5, True, "2013-06-01", None, True),
        ("S3", "team_manager", 1.0, False, "2012-01-01", None, False),
        ("S4", "social_worker", 1.0, False, "2010-01-01", "2013-09-30", True),  # left that day
        ("S5", "social_worker", 1.0, True, "2013-10-01", None, True),  # not yet started
    ]
    insert(
        store,
        "workforce_staff",
        [
            {"staff_id": s, "role": r, "fte": f, "agency": a, "start_date": st,
             "leave_date": lv, "holds_cases": h, "team_id": "T1"}
            for s, r, f, a, st, lv, h in staff
        ],
    )  # fmt: skip
    allocations = [
        ("c1", "S1", "2013-01-01", None),
        ("c2", "S1", "2013-02-01", "2013-10-15"),
        ("c3", "S1", "2013-09-30", None),
        ("c4", "S2", "2013-09-01", None),
        ("c5", "S2", "2013-08-01", "2013-09-30"),  # ended that day
        ("c6", None, "2013-09-01", None),  # waiting for a worker
        ("c7", "S3", "2013-09-01", None),  # a manager who does not hold cases
    ]
    insert(
        store,
        "workforce_allocations",
        [{"child_id": c, "staff_id": s, "start_date": a, "end_date": b}
         for c, s, a, b in allocations],
    )  # fmt: skip
    vacancies = [
        ("T1", "social_worker", 10, 9, "2013-09-30"),  # an older snapshot in the same year
        ("T1", "social_worker", 10, 3, "2014-03-31"),
        ("T1", "team_manager", 2, 0, "2014-03-31"),
        ("T2", "social_worker", 8, 1, "2014-03-31"),
    ]
    insert(
        store,
        "workforce_vacancies",
        [{"team_id": t, "role": r, "establishment_fte": e, "filled_fte": e - v,
          "vacant_fte": v, "agency_cover_fte": 0, "at_date": d} for t, r, e, v, d in vacancies],
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("measures") / "w.duckdb"
    store = open_store(path)
    insert(store, "population", [{"year": 2014, "la_code": "330", "children": 20_000,
                                  "source": "ons"}])  # fmt: skip
    cin_returns(store)
    ssda903_returns(store)
    workforce(store)
    return store


EXPECTED_2014 = {
    "referrals_per_10k": 2.0,  # A, B, C, D
    "rereferrals_12m": 50.0,  # A and C of four
    "assessments_within_45_days": 50.0,  # A and C of four
    "s47_per_10k": 2.0,  # A, B, C, E
    "icpc_within_15_days": 200 / 3,  # A and B of A, B, D
    "cin_per_10k": 2.0,  # A, C, D, E
    "cp_plans_per_10k": 1.5,  # A, B, D
    "cp_plans_open_2_years_plus": 100 / 3,  # A of A, B, D
    "cp_plans_second_or_subsequent": 50.0,  # B (recorded) and C (in the store) of B, C, D, G
    "cp_plans_ended_2_years_plus": 25.0,  # E (exactly two years) of C, E, F, G
    "lac_per_10k": 3.0,  # L1-L6
    "lac_starts": 2,  # L5, L8
    "lac_ceases": 4,  # L8, L9, L10, L11
    "lac_3_plus_placements": 100 / 3,  # L4, L5 of L1-L6
    "lac_long_term_stability": 200 / 3,  # L1 and L3 of L1, L2, L3
    "lac_placed_far_or_outside": 40.0,  # L2, L4 of L1, L2, L4, L5, L6 (L3 unknown)
    "lac_placed_outside_and_far": 20.0,  # L2
    "lac_went_missing": 10.0,  # L1 of the ten looked after in the year
    "lac_went_away": 10.0,  # L2
    "lac_missing_incidents": 3,  # L1 twice (the repeat row once), X99 once
    "lac_away_incidents": 1,
    "health_assessments_up_to_date": 200 / 3,
    "dental_checks_up_to_date": 200 / 3,
    "sdq_average": 15.0,
    "care_leavers_in_touch": 50.0,
    "care_leavers_in_eet": 25.0,
    "care_leavers_suitable_accommodation": 25.0,
    "adoption_days_care_to_adoptive_family": 265.0,  # (460 + 70) / 2; L11 left out
    "workforce_agency_rate": 20.0,  # 0.5 of 2.5 FTE
    "workforce_caseload": 4 / 1.5,  # c1, c2, c3, c4 over S1 and S2
    "workforce_vacancy_rate": 20.0,  # 4 of 20 FTE on the latest snapshot
}


def test_every_measure_has_a_hand_worked_answer() -> None:
    assert {m.id for m in measures()} == set(EXPECTED_2014)


@pytest.mark.parametrize("measure_id", sorted(EXPECTED_2014))
def test_measure_matches_the_hand_worked_answer(store: Store, measure_id: str) -> None:
    values = {v.year: v for v in compute_measures(store, [measure_id])}
    assert values[2014].value == pytest.approx(EXPECTED_2014[measure_id])


def test_rates_without_a_population_have_no_value(store: Store) -> None:
    values = {v.year: v for v in compute_measures(store, ["referrals_per_10k"])}
    assert values[2013].numerator == 3
    assert values[2013].value is None


def test_a_year_with_nothing_to_count_is_zero_not_missing(store: Store) -> None:
    values = {v.year: v for v in compute_measures(store, ["rereferrals_12m"])}
    assert values[2013].value == 0.0
    plans = {v.year: v for v in compute_measures(store, ["cp_plans_ended_2_years_plus"])}
    assert plans[2013].value is None  # no plan ended in 2012-13: no denominator


def test_children_with_no_record_are_not_in_the_denominator(store: Store) -> None:
    health = explain(store, "health_assessments_up_to_date", 2014)
    assert list(health["subject_id"]) == ["L1", "L2", "L3"]  # L4 has no OC2 record
    missing = explain(store, "lac_went_missing", 2014)
    assert "X99" not in set(missing["subject_id"])  # not looked after
    distance = explain(store, "lac_placed_far_or_outside", 2014).set_index("subject_id")
    assert distance.loc["L3", "denominator"] == 0
    assert distance.loc["L3", "record"].startswith("left out")


def test_respite_children_are_left_out(store: Store) -> None:
    assert "L7" not in set(explain(store, "lac_per_10k", 2014)["subject_id"])


def test_placement_count_is_explained(store: Store) -> None:
    rows = explain(store, "lac_3_plus_placements", 2014).set_index("subject_id")
    assert rows.loc["L4", "record"].startswith("placements in the year: 3")
    assert rows.loc["L6", "record"].startswith("placements in the year: 2")


def test_council_defaults_to_the_only_one_in_population(store: Store) -> None:
    far = compute_measures(store, ["lac_placed_far_or_outside"])
    also_far = compute_measures(store, ["lac_placed_far_or_outside"], la_code="330")
    assert far == also_far
    # as seen from Leicester, L1, L4, L5 and L6 are placed outside the area too
    from_leicester = compute_measures(store, ["lac_placed_far_or_outside"], la_code="856")
    assert from_leicester[0].value == pytest.approx(100.0)
