"""Evaluation against the synthetic city's truth, on small frames worked out by hand.

The hand-built city has four children and nine records:

    child 1  unknown to social care, at risk in 2014   S1 A1 P1      (3 partner records)
    child 2  known (cin_plan, la id C2)                S2 A2 + C2    (2 partner, 1 social care)
    child 3  unknown, at risk in 2014                  S3 H3         (2 partner records)
    child 4  contact_only (la id C4), at risk in 2014  C4            (social care record only)

and the linker (deliberately imperfect) made five clusters:

    K1 = S1 A1 S2 C2   wrong merge: child 1 with known child 2, so child 1 looks known
    K2 = P1            missed link: child 1's police record left on its own
    K3 = A2            missed link: child 2's A&E record not linked to their social care record
    K4 = S3 H3         right
    K5 = C4            right
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.errors import InputError
from turnaround.worklist.evaluate import (
    AT_RISK_NOW,
    DEFAULT_TARGET,
    FAIRNESS_COLUMNS,
    FAIRNESS_DIMENSIONS,
    HIGH_OR_SEVERE,
    IN_YEAR,
    WWCSC_THRESHOLD,
    Truth,
    by_target,
    deprivation_quintile,
    ethnic_group,
    fairness,
    linkage_quality,
    majority_person,
    record_person,
    worklist_quality,
    wrongly_known,
)

RECORDS = [  # unique_id, true person
    ("school_census:S1", 1),
    ("ae_attendances:A1", 1),
    ("police_missing:P1", 1),
    ("school_census:S2", 2),
    ("ae_attendances:A2", 2),
    ("social_care:C2", 2),
    ("school_census:S3", 3),
    ("housing_homelessness:H3", 3),
    ("social_care:C4", 4),
]
CLUSTERS = {
    "school_census:S1": "K1",
    "ae_attendances:A1": "K1",
    "school_census:S2": "K1",
    "social_care:C2": "K1",
    "police_missing:P1": "K2",
    "ae_attendances:A2": "K3",
    "school_census:S3": "K4",
    "housing_homelessness:H3": "K4",
    "social_care:C4": "K5",
}


def _truth() -> Truth:
    partner = [(uid.split(":")[0], uid.split(":")[1], p) for uid, p in RECORDS]
    partner = [row for row in partner if row[0] != "social_care"]
    return Truth(
        record_truth=pd.DataFrame(partner, columns=["source", "record_id", "person_id"]),
        known_children=pd.DataFrame({"person_id": [2, 4], "la_child_id": ["C2", "C4"]}),
        known_status=pd.DataFrame(
            {
                "person_id": [1, 2, 3, 4],
                "known_status": ["unknown", "cin_plan", "unknown", "contact_only"],
            }
        ),
        child_risk=pd.DataFrame(
            {
                "person_id": [1, 2, 3, 4, 1, 3],
                "year": [2014, 2014, 2014, 2014, 2013, 2013],
                "risk": [0.9, 0.9, 0.8, 0.7, 0.1, 0.8],
                "level": ["high"] * 6,
                # Child 2 is at risk but known (cin_plan), so not a target.
                "at_risk": [True, True, True, True, False, True],
            }
        ),
        children=pd.DataFrame(
            {
                "person_id": [1, 2, 3, 4],
                "household_id": [10, 20, 10, 30],
                "sex": ["M", "F", "F", "M"],
                "ethnicity": ["WBRI", "APKN", "BAFR", "REFU"],
                "name_group": ["white_british", "pakistani", "black_african", "white_british"],
                "disability": [False, True, False, False],
            }
        ),
        households=pd.DataFrame(
            {
                "household_id": [10, 20, 30],
                "name_group": ["white_british", "pakistani", "white_british"],
                "deprivation": [0.9, 0.1, 0.5],
                "imd_decile": [1, 10, 6],
            }
        ),
    )


def _records() -> pd.DataFrame:
    uids = [uid for uid, _ in RECORDS] + ["school_census:NOTRUTH"]
    return pd.DataFrame(
        {
            "unique_id": uids,
            "source": [uid.split(":")[0] for uid in uids],
            "record_id": [uid.split(":")[1] for uid in uids],
        }
    )


def _clusters(assignment: dict[str, str] = CLUSTERS) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": list(assignment), "cluster_id": list(assignment.values())})


def _known(clusters: pd.DataFrame) -> pd.DataFrame:
    """As linkage.link.known_children makes it: every cluster holding a social care record."""
    care = clusters[clusters["unique_id"].str.startswith("social_care:")]
    return pd.DataFrame(
        {
            "cluster_id": care["cluster_id"].to_numpy(),
            "child_id": care["unique_id"].str.split(":").str[1].to_numpy(),
            "match_probability": 1.0,
        }
    )


def _people() -> pd.Series:
    return record_person(_truth(), _records())


WORKLIST = pd.DataFrame(
    {
        "rank": [3, 1, 2],
        "cluster_id": ["K4", "K2", "K3"],
        "score": [0.5, 0.9, 0.7],
        "child_id": [None, None, None],
    }
)


def test_record_person_covers_partner_and_social_care_records_and_drops_the_rest() -> None:
    people = _people()

    assert dict(people) == dict(RECORDS)  # the record without truth is dropped
    assert people.dtype == "int64"


def test_linkage_quality_by_hand() -> None:
    quality = linkage_quality(_clusters(), _people())

    # (cluster, child) overlaps: K1 (1:2, 2:2), K2 (1:1), K3 (2:1), K4 (3:2), K5 (4:1).
    # Linked pairs: C(4,2) + C(2,2) = 6 + 1 = 7. True pairs: C(3,2)*2 + C(2,2) = 7.
    # Correct pairs: C(2,2) three times (1 in K1, 2 in K1, 3 in K4) = 3.
    assert (quality.records, quality.clusters, quality.children) == (9, 5, 4)
    assert (quality.linked_pairs, quality.true_pairs, quality.correct_pairs) == (7, 7, 3)
    assert quality.precision == pytest.approx(3 / 7)
    assert quality.recall == pytest.approx(3 / 7)
    assert quality.f1 == pytest.approx(3 / 7)
    # B-cubed precision: sum of overlap² / cluster size = 4/4 + 4/4 + 1 + 1 + 4/2 + 1 = 7; /9.
    assert quality.bcubed_precision == pytest.approx(7 / 9)
    # B-cubed recall: overlap² / child's records = 4/3 + 4/3 + 1/3 + 1/3 + 4/2 + 1 = 19/3; /9.
    assert quality.bcubed_recall == pytest.approx(19 / 27)
    # Children 1, 2, 3 have 2+ records; only child 3 is in one cluster.
    assert quality.multi_record_children == 3
    assert quality.complete == pytest.approx(1 / 3)
    # K1 and K4 have 2+ records; only K4 is one child.
    assert quality.multi_record_clusters == 2
    assert quality.pure == pytest.approx(1 / 2)


def test_perfect_clustering_scores_one() -> None:
    perfect = _clusters({uid: f"P{person}" for uid, person in RECORDS})

    quality = linkage_quality(perfect, _people())

    assert quality.precision == quality.recall == quality.f1 == 1.0
    assert quality.bcubed_precision == quality.bcubed_recall == 1.0
    assert quality.complete == quality.pure == 1.0


def test_all_singletons_have_recall_zero_and_precision_not_defined() -> None:
    singletons = _clusters({uid: uid for uid, _ in RECORDS})

    quality = linkage_quality(singletons, _people())

    # Nothing was linked, so precision has no denominator: NaN (not defined), not 1.
    assert quality.linked_pairs == 0
    assert math.isnan(quality.precision)
    assert quality.recall == 0.0
    assert quality.f1 == 0.0
    assert quality.bcubed_precision == 1.0
    assert quality.complete == 0.0
    assert math.isnan(quality.pure)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4)),  # (true child, cluster) per record
        min_size=1,
        max_size=14,
    )
)
def test_pair_counts_match_brute_force_enumeration(assignment: list[tuple[int, int]]) -> None:
    uids = [f"src:{i}" for i in range(len(assignment))]
    people = pd.Series([p for p, _ in assignment], index=uids, dtype="int64")
    clusters = pd.DataFrame({"unique_id": uids, "cluster_id": [f"K{c}" for _, c in assignment]})

    quality = linkage_quality(clusters, people)

    pairs = list(itertools.combinations(assignment, 2))
    linked = sum(a[1] == b[1] for a, b in pairs)
    true = sum(a[0] == b[0] for a, b in pairs)
    correct = sum(a == b for a, b in pairs)
    assert (quality.linked_pairs, quality.true_pairs, quality.correct_pairs) == (
        linked,
        true,
        correct,
    )
    for value in (quality.precision, quality.recall, quality.bcubed_precision):
        assert math.isnan(value) or 0.0 <= value <= 1.0
    assert 0.0 < quality.bcubed_recall <= 1.0


def test_majority_person_breaks_ties_to_the_lowest_id() -> None:
    majority = majority_person(_clusters(), _people())

    # K1 holds two records of child 1 and two of child 2.
    assert majority.to_dict() == {"K1": 1, "K2": 1, "K3": 2, "K4": 3, "K5": 4}


def test_wrongly_known_by_hand() -> None:
    clusters = _clusters()

    errors = wrongly_known(clusters, _known(clusters), _people(), _truth())

    # Unknown children with partner records: 1 and 3. Child 1's S1 and A1 sit in K1 with
    # child 2's social care record, so child 1 wrongly looks known.
    assert (errors.unknown_children, errors.wrongly_known) == (2, 1)
    assert errors.wrongly_known_rate == pytest.approx(0.5)
    # Known children with partner records and a linked social care record: child 2 only
    # (child 4 has no partner record). A2 sits alone in K3: missed.
    assert (errors.known_children, errors.missed, errors.wrong_child) == (1, 1, 0)
    assert errors.missed_rate == 1.0
    assert errors.wrong_child_rate == 0.0


def test_partner_record_linked_to_another_childs_case_is_the_wrong_child() -> None:
    clusters = _clusters({**CLUSTERS, "ae_attendances:A2": "K5"})  # A2 joins child 4's case

    errors = wrongly_known(clusters, _known(clusters), _people(), _truth())

    # Child 2's A2 is now in a known cluster, but child 4's: not missed, wrong child.
    assert (errors.known_children, errors.missed, errors.wrong_child) == (1, 0, 1)
    assert errors.wrong_child_rate == 1.0


def test_worklist_quality_top_two() -> None:
    quality = worklist_quality(WORKLIST, _clusters(), _people(), _truth(), 2014, k=2)

    # Targets in 2014: children 1, 3, 4 (child 2 is at risk but on a plan). Reachable
    # (with partner records): 1 and 3. Top two: K2 (child 1, a hit), K3 (child 2, not).
    assert (quality.targets, quality.reachable_targets) == (3, 2)
    assert (quality.considered, quality.hits) == (2, 1)
    assert quality.precision == pytest.approx(1 / 2)
    assert quality.recall == pytest.approx(1 / 3)
    assert quality.recall_reachable == pytest.approx(1 / 2)
    assert quality.best_precision == 1.0  # min(2, 3) / 2
    assert not quality.meets_precision
    assert not quality.meets_threshold


def test_worklist_quality_whole_list_and_the_wwcsc_threshold() -> None:
    quality = worklist_quality(WORKLIST, _clusters(), _people(), _truth(), 2014)

    # All three rows: K2 (child 1) and K4 (child 3) hit. 2/3 >= 0.65 on both counts.
    assert (quality.k, quality.considered, quality.hits) == (200, 3, 2)
    assert quality.precision == pytest.approx(2 / 3)
    assert quality.recall == pytest.approx(2 / 3)
    assert quality.recall_reachable == 1.0
    assert quality.best_precision == pytest.approx(3 / 200)
    assert WWCSC_THRESHOLD == 0.65
    assert quality.meets_precision and quality.meets_recall and quality.meets_threshold


def test_worklist_quality_counts_a_child_listed_twice_once() -> None:
    twice = pd.DataFrame({"rank": [1, 2], "cluster_id": ["K1", "K2"], "score": [0.9, 0.8]})

    quality = worklist_quality(twice, _clusters(), _people(), _truth(), 2014)

    # K1's majority (tie) and K2 are both child 1: one hit over two rows.
    assert quality.hits == 1
    assert quality.precision == pytest.approx(1 / 2)


def test_worklist_quality_year_changes_the_targets() -> None:
    quality = worklist_quality(WORKLIST, _clusters(), _people(), _truth(), 2013)

    # In 2013 only child 3 was at risk.
    assert (quality.targets, quality.hits) == (1, 1)
    assert quality.precision == pytest.approx(1 / 3)


def _truth_with_targets(worklist_date: str = "2014-03-31") -> Truth:
    """The hand-built truth plus who is at risk on the worklist date:

    child 1  at risk now (0.9 in March)                      a target both ways
    child 2  at risk now, but on a CIN plan                  never a target
    child 3  at risk in the year (0.8), 0.45 by the spring   high or severe only
    child 4  contact only, at risk in the year, left the city  neither
    """
    table = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "worklist_date": pd.to_datetime([worklist_date] * 4),
            "risk": [0.9, 0.9, 0.45, 0.7],
            "latest_risk": [0.9, 0.9, 0.45, 0.0],
            "level": ["severe", "severe", "high", "severe"],
            "age": [7, 12, 9, 15],
            "in_city": [True, True, True, False],
            "at_risk_now": [True, True, False, False],
            "high_or_severe": [True, True, True, False],
        }
    )
    return dataclasses.replace(_truth(), targets_now=table)


def test_targets_at_the_worklist_date_by_hand() -> None:
    truth = _truth_with_targets()

    assert truth.target_names(2014) == (IN_YEAR, AT_RISK_NOW, HIGH_OR_SEVERE)
    assert list(truth.targets(2014)) == [1, 3, 4]  # the default: at risk in the year
    assert DEFAULT_TARGET == IN_YEAR
    assert list(truth.targets(2014, AT_RISK_NOW)) == [1]
    assert list(truth.targets(2014, HIGH_OR_SEVERE)) == [1, 3]


def test_the_worklist_against_each_target_by_hand() -> None:
    top_two = by_target(WORKLIST, _clusters(), _people(), _truth_with_targets(), 2014, k=2)

    # Top two: K2 (child 1) and K3 (child 2, on a plan). Child 1 is a target every way.
    assert [t.target for t in top_two] == [IN_YEAR, AT_RISK_NOW, HIGH_OR_SEVERE]
    assert [(t.targets, t.hits) for t in top_two] == [(3, 1), (1, 1), (2, 1)]
    assert [t.precision for t in top_two] == [0.5, 0.5, 0.5]
    assert [t.recall for t in top_two] == pytest.approx([1 / 3, 1.0, 1 / 2])
    assert [t.best_precision for t in top_two] == [1.0, 0.5, 1.0]
    assert top_two[1].label.startswith("At risk at the worklist date")

    whole = by_target(WORKLIST, _clusters(), _people(), _truth_with_targets(), 2014)
    # All three rows: children 1, 2 and 3. Child 3 counts for the broader group only.
    assert [(t.hits, t.reachable_targets) for t in whole] == [(2, 2), (1, 1), (2, 2)]
    assert [t.precision for t in whole] == pytest.approx([2 / 3, 1 / 3, 2 / 3])
    assert [t.recall for t in whole] == pytest.approx([2 / 3, 1.0, 1.0])


def test_the_default_target_is_unchanged_by_the_new_ones() -> None:
    with_new = worklist_quality(WORKLIST, _clusters(), _people(), _truth_with_targets(), 2014)
    without = worklist_quality(WORKLIST, _clusters(), _people(), _truth(), 2014)

    assert with_new == without
    assert (
        worklist_quality(
            WORKLIST, _clusters(), _people(), _truth_with_targets(), 2014, target=AT_RISK_NOW
        ).targets
        == 1
    )


def test_targets_at_the_worklist_date_hold_only_in_its_year() -> None:
    older = _truth()  # a city generated before the targets table existed
    assert older.target_names(2014) == (IN_YEAR,)
    assert [t.target for t in by_target(WORKLIST, _clusters(), _people(), older, 2014)] == [IN_YEAR]
    dated_2013 = _truth_with_targets("2013-03-31")
    assert dated_2013.target_names(2014) == (IN_YEAR,)
    assert dated_2013.target_names(2013) == (IN_YEAR, AT_RISK_NOW, HIGH_OR_SEVERE)
    with pytest.raises(InputError, match="not defined for the 2014 collection year"):
        dated_2013.targets(2014, AT_RISK_NOW)
    with pytest.raises(InputError, match="no target 'peak'"):
        older.targets(2014, "peak")


def test_results_give_labelled_rows_and_plain_dicts() -> None:
    quality = worklist_quality(WORKLIST, _clusters(), _people(), _truth(), 2014)

    rows = dict(quality.rows())
    assert rows["Precision at k"] == quality.precision
    assert quality.to_dict()["hits"] == 2
    labels = [label for label, _ in linkage_quality(_clusters(), _people()).rows()]
    assert labels[0] == "Records with truth"


def test_fairness_by_sex_by_hand() -> None:
    clusters = _clusters()

    table = fairness(clusters, _known(clusters), WORKLIST, _people(), _truth(), 2014)

    assert tuple(table.columns) == FAIRNESS_COLUMNS
    by_sex = table[table["dimension"] == "sex"].set_index("group")
    girls = by_sex.loc["Female"]  # children 2 and 3
    # Child 2: 3 records, 3 true pairs, 1 correct (S2-C2). Child 3: 2 records, 1 pair, correct.
    assert girls["children"] == 2
    assert girls["linkage_recall"] == pytest.approx(2 / 4)
    assert girls["complete"] == pytest.approx(1 / 2)  # child 3 only
    assert girls["unknown_children"] == 1  # child 3, not wrongly known
    assert girls["wrongly_known_rate"] == 0.0
    assert girls["with_partner_records"] == 2
    assert girls["flagged"] == 1.0  # K3 (child 2) and K4 (child 3) are on the list
    assert girls["target_children"] == 1
    assert girls["target_recall_at_k"] == 1.0
    boys = by_sex.loc["Male"]  # child 1 (split, wrongly known, found) and child 4 (no records)
    assert boys["children"] == 1
    assert boys["linkage_recall"] == pytest.approx(1 / 3)
    assert boys["wrongly_known_rate"] == 1.0
    assert boys["target_children"] == 2
    assert boys["target_recall_at_k"] == pytest.approx(1 / 2)


def test_fairness_groups_come_in_reading_order() -> None:
    clusters = _clusters()

    table = fairness(clusters, _known(clusters), WORKLIST, _people(), _truth(), 2014)

    groups = table.groupby("dimension", sort=False)["group"].apply(list).to_dict()
    assert groups["ethnicity"] == ["White", "Asian", "Black", "Not known"]
    assert groups["deprivation"] == ["Q1 most deprived", "Q3", "Q5 least deprived"]
    assert groups["disability"] == ["Disabled", "Not disabled"]
    # Child 4 has no linkage denominator and no partner records: rates are NaN, not 0.
    unknown = table[(table["dimension"] == "ethnicity") & (table["group"] == "Not known")]
    assert unknown["children"].item() == 0
    assert math.isnan(unknown["linkage_recall"].item())
    assert unknown["target_recall_at_k"].item() == 0.0


def test_ethnic_groups_and_deprivation_quintiles() -> None:
    codes = pd.Series(["WBRI", "WIRI", "MWBC", "AIND", "BCRB", "CHNE", "OOTH", "REFU", "NOBT"])

    assert list(ethnic_group(codes)) == [
        "White", "White", "Mixed", "Asian", "Black", "Other", "Other", "Not known", "Not known",
    ]  # fmt: skip
    assert list(deprivation_quintile(pd.Series([1, 2, 3, 8, 9, 10]))) == [
        "Q1 most deprived", "Q1 most deprived", "Q2", "Q4", "Q5 least deprived",
        "Q5 least deprived",
    ]  # fmt: skip


def test_truth_read_names_missing_tables(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()

    with pytest.raises(InputError, match="missing record_truth"):
        Truth.read(tmp_path)


@pytest.mark.slow
def test_real_city_with_perfect_clusters(tmp_path: Path) -> None:
    from turnaround.synth.city import generate_city
    from turnaround.synth.config import SynthConfig

    generate_city(SynthConfig(children=1500, seed=5), tmp_path)
    truth = Truth.read(tmp_path)
    partner = truth.record_truth.loc[:, ["source", "record_id"]]
    care = pd.DataFrame({"source": "social_care", "record_id": truth.known_children["la_child_id"]})
    records = pd.concat([partner, care], ignore_index=True)
    records["unique_id"] = records["source"] + ":" + records["record_id"]
    people = record_person(truth, records)
    assert len(people) == len(records)
    clusters = pd.DataFrame(
        {"unique_id": people.index, "cluster_id": "P" + people.astype(str).to_numpy()}
    )

    quality = linkage_quality(clusters, people)
    errors = wrongly_known(clusters, _known(clusters), people, truth)

    assert quality.f1 == quality.precision == quality.recall == 1.0
    assert quality.complete == 1.0
    assert errors.unknown_children > 0 and errors.known_children > 0
    assert errors.wrongly_known == errors.missed == errors.wrong_child == 0

    year = int(truth.child_risk["year"].max())
    targets = truth.targets(year)
    listed = clusters.drop_duplicates("cluster_id")
    listed = listed[listed["cluster_id"].isin("P" + targets.astype(str))]
    worklist = pd.DataFrame({"rank": range(1, len(listed) + 1), "cluster_id": listed["cluster_id"]})
    result = worklist_quality(worklist, clusters, people, truth, year, k=50)
    assert result.targets > 0
    assert result.precision == 1.0
    assert result.hits == min(50, len(listed))

    table = fairness(clusters, _known(clusters), worklist, people, truth, year, k=50)
    assert tuple(table["dimension"].unique()) == FAIRNESS_DIMENSIONS
    assert (table["complete"].dropna() == 1.0).all()
    assert table.groupby("dimension")["target_children"].sum().eq(result.targets).all()

    # The city's truth has the targets at the worklist date: fewer than at risk in the year.
    assert truth.target_names(year) == (IN_YEAR, AT_RISK_NOW, HIGH_OR_SEVERE)
    now = truth.targets(year, AT_RISK_NOW)
    assert set(now) <= set(targets)
    assert set(now) <= set(truth.targets(year, HIGH_OR_SEVERE))


def test_the_ceiling_ranks_the_same_list_by_latent_risk_by_hand() -> None:
    # The list puts child 3 first, then child 2, then child 1. By latent risk at the date the
    # order is child 1 (0.9), child 2 (0.9, a higher id), child 3 (0.45).
    backwards = pd.DataFrame({"rank": [1, 2, 3], "cluster_id": ["K4", "K3", "K2"], "score": 1.0})
    truth = _truth_with_targets()

    top_one = {t.target: t for t in by_target(backwards, _clusters(), _people(), truth, 2014, 1)}
    # In the year (targets 1, 3, 4): the list finds child 3, the oracle child 1: 1/3 each.
    assert (top_one[IN_YEAR].hits, top_one[IN_YEAR].ceiling_hits) == (1, 1)
    assert top_one[IN_YEAR].share_of_ceiling == pytest.approx(1.0)
    # At the date (target 1 only): the list misses, the oracle finds child 1.
    now = top_one[AT_RISK_NOW]
    assert (now.hits, now.ceiling_hits, now.ceiling_recall) == (0, 1, 1.0)
    assert now.share_of_ceiling == 0.0
    # High or severe (targets 1 and 3): half each.
    broad = top_one[HIGH_OR_SEVERE]
    assert (broad.recall, broad.ceiling_recall, broad.share_of_ceiling) == (0.5, 0.5, 1.0)

    whole = by_target(backwards, _clusters(), _people(), truth, 2014)
    # With every row the oracle and the list hold the same children: the same recall.
    assert [t.share_of_ceiling for t in whole] == [1.0, 1.0, 1.0]


def test_the_oracle_does_not_rank_a_child_who_left_the_city() -> None:
    truth = _truth_with_targets()
    risk = truth.latent_risk(2014, AT_RISK_NOW)
    assert risk.to_dict() == {1: 0.9, 2: 0.9, 3: 0.45, 4: 0.0}  # child 4 left the city
    assert truth.latent_risk(2014).to_dict() == {1: 0.9, 2: 0.9, 3: 0.8, 4: 0.7}
