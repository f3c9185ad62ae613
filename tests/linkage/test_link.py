"""Training and linking on a small, hand-built set of standardised records."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pyarrow as pa
import pytest
from splink import DuckDBAPI
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from turnaround.errors import BackendError
from turnaround.linkage.link import known_children, link_records, train_model
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.settings import blocking_rules

FORENAMES = [
    "JACK", "HARRY", "GEORGE", "NOAH", "LEO", "ARTHUR", "OSCAR", "ISAAC", "YUSUF", "IBRAHIM",
    "AVA", "ISLA", "GRACE", "FREYA", "LILY", "EVIE", "ZARA", "AISHA", "MAYA", "RUBY",
]  # fmt: skip
SURNAMES = [
    "JONES", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "JOHNSON", "DAVIES", "PATEL", "HUSSAIN",
    "BEGUM", "WRIGHT", "WALKER", "ROBINSON", "THOMPSON", "EVANS", "HUGHES", "AHMED", "IQBAL",
]  # fmt: skip
STREETS = ["HIGH STREET", "CHURCH ROAD", "PARK AVENUE", "MILL LANE", "STATION ROAD", "GREEN LANE"]


def sound(name: str) -> str:
    """A crude phonetic key: the first letter and the next three consonants."""
    consonants = [c for c in name[1:] if c not in "AEIOUYHW -"]
    return (name[:1] + "".join(consonants))[:4]


def record(
    uid: str,
    forename: str,
    surname: str,
    dob: str | None,
    sex: str,
    postcode: str | None,
    address: str | None,
    nhs: str | None = None,
    upn: str | None = None,
    canon: str | None = None,
) -> dict[str, object]:
    """One standardised record, derived columns filled in as standardising would."""
    source, record_id = uid.split(":")
    born = dt.date.fromisoformat(dob) if dob else None
    swapped = None
    if born and born.day <= 12 and born.day != born.month:
        swapped = born.replace(month=born.day, day=born.month)
    forename_canon = canon or forename
    return {
        "unique_id": uid,
        "source": source,
        "record_id": record_id,
        "event_date": dt.date(2025, 10, 2),
        "forename": forename,
        "surname": surname,
        "forename_canon": forename_canon,
        "forename_dm": sound(forename_canon),
        "surname_dm": sound(surname),
        "surname_first": surname.replace("-", " ").split()[0],
        "dob": born,
        "dob_swapped": swapped,
        "sex": sex,
        "postcode": postcode,
        "postcode_sector": postcode[:-2] if postcode else None,
        "address": address,
        "nhs_number": nhs,
        "upn": upn,
    }


# Each person's records carry the noise partners really send: nicknames, swapped day and
# month, typos, a move of house, missing identifiers.
PEOPLE: dict[str, list[dict[str, object]]] = {
    "oliver": [
        record("social_care:C001", "OLIVER", "SMITH", "2014-03-05", "M", "B11 1AA",
               "12 HIGH STREET", nhs="4857773456"),
        record("school_census:S001", "OLIVER", "SMITH", "2014-03-05", "M", "B11 1AA",
               "12 HIGH STREET", upn="A123456789012"),
        record("ae_attendances:A001", "OLLIE", "SMITH", "2014-05-03", "M", "B11 1AA",
               "12 HIGH ST", nhs="4857773456", canon="OLIVER"),
        record("police_notifications:P001", "OLIVER", "SMYTH", "2014-03-05", "M", "B12 9ZZ",
               "4 PARK AVENUE"),
    ],
    "sophie": [  # Oliver's sister: same surname and home, different child
        record("school_census:S002", "SOPHIE", "SMITH", "2016-09-12", "F", "B11 1AA",
               "12 HIGH STREET", upn="B987654321098"),
        record("ae_attendances:A002", "SOPHIE", "SMITH", "2016-09-12", "F", "B11 1AA",
               "12 HIGH STREET", nhs="9434765919"),
        record("health_visiting:H002", "SOPHY", "SMITH", "2016-09-12", "F", None, None,
               nhs="9434765919"),
    ],
    "amelia": [
        record("social_care:C003", "AMELIA", "KHAN", "2011-11-20", "F", "B10 0HJ",
               "88 MILL LANE", nhs="4010232137"),
        record("school_census:S003", "AMELIA", "KHAN", "2011-11-20", "F", "B10 0HJ",
               "88 MILL LANE"),
        record("ae_attendances:A003", "AMELIA", "KAHN", "2011-11-21", "F", "B10 0HJ",
               "88 MILL LANE", nhs="4010232137"),
        record("youth_justice:Y003", "MILLIE", "KHAN", "2011-11-20", "F", "B10 0HJ",
               "88 MILL LN", canon="AMELIA"),
    ],
    "mohammed": [
        record("school_census:S004", "MOHAMMED", "ALI", "2013-01-08", "M", "B8 2QT",
               "3 STATION ROAD", upn="C555555555555"),
        record("ae_attendances:A004", "MUHAMMAD", "ALI", "2013-08-01", "M", "B8 2QT",
               "3 STATION ROAD", canon="MOHAMMED"),
        record("school_census:S005", "MOHAMMED", "ALI", "2013-01-08", "M", "B8 2QT",
               "3 STATION ROAD", upn="C555555555555"),
    ],
}  # fmt: skip


def background(n: int = 150, seed: int = 7) -> list[dict[str, object]]:
    """Other children, one to three records each, so that EM has a population to learn from.

    Their records carry the same kinds of noise as the hand-built people: without any true
    matches that disagree on a field, EM drives that level's m probability to zero and
    Splink 5 refuses the value.
    """
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(n):
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
        home = (f"B{rng.randrange(1, 40)} {rng.randrange(10)}{rng.choice('ABDEFGHJ')}X",
                f"{rng.randrange(1, 200)} {rng.choice(STREETS)}")  # fmt: skip
        nhs, upn = f"{9_000_000_000 + i}", f"X{100_000_000_000 + i}"
        sex = "M" if forename in FORENAMES[:10] else "F"
        for j in range(rng.randrange(1, 4)):
            noise = rng.random()
            dob = born + dt.timedelta(days=1) if noise < 0.1 else born
            name = forename[:-1] + "Y" if 0.1 <= noise < 0.2 else forename
            if 0.45 <= noise < 0.5:  # known by a middle or preferred name
                name = rng.choice(FORENAMES)
            family = surname[:-1] + "E" if 0.2 <= noise < 0.3 else surname
            postcode, address = home
            if 0.3 <= noise < 0.4:  # moved across the city
                postcode, address = f"B{rng.randrange(40, 80)} 1AB", f"9 {rng.choice(STREETS)}"
            elif 0.4 <= noise < 0.45:  # moved round the corner
                postcode, address = home[0][:-2] + "ZZ", f"7 {rng.choice(STREETS)}"
            rows.append(
                record(
                    f"bg{j}:{i}", name, family, dob.isoformat(), sex,
                    postcode if rng.random() < 0.9 else None, address,
                    nhs=nhs if rng.random() < 0.5 else None,
                    upn=upn if rng.random() < 0.4 else None,
                )
            )  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    rows = [r for person in PEOPLE.values() for r in person] + background()
    frame = pd.DataFrame(rows, columns=list(STANDARD_COLUMNS))
    for column in ("event_date", "dob", "dob_swapped"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@pytest.fixture(scope="module")
def linked(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    model = train_model(records)
    return link_records(records, model)


def test_output_columns_follow_the_contract(linked: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pairs, clusters = linked
    assert list(pairs.columns) == [
        "unique_id_l",
        "unique_id_r",
        "match_probability",
        "match_weight",
    ]
    assert list(clusters.columns) == ["unique_id", "cluster_id"]
    assert all(isinstance(c, str) for c in clusters["cluster_id"])


def test_match_probabilities_are_probabilities(linked: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pairs, _ = linked
    assert pairs["match_probability"].between(0, 1).all()


def test_every_record_gets_one_cluster(
    records: pd.DataFrame, linked: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, clusters = linked
    assert sorted(clusters["unique_id"]) == sorted(records["unique_id"])


def test_each_person_is_one_cluster_and_people_are_apart(
    linked: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, clusters = linked
    cluster_of = dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True))
    person_clusters = {}
    for person, rows in PEOPLE.items():
        found = {cluster_of[str(r["unique_id"])] for r in rows}
        assert len(found) == 1, f"{person}'s records were split: {found}"
        person_clusters[person] = found.pop()
    assert len(set(person_clusters.values())) == len(PEOPLE)


def test_known_children_are_found(
    records: pd.DataFrame, linked: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    pairs, clusters = linked
    known = known_children(records, pairs, clusters)
    assert set(known["child_id"]) == {"C001", "C003"}
    assert list(known.columns) == ["cluster_id", "child_id", "match_probability"]
    assert known["match_probability"].between(0.95, 1).all()


def test_engine_failures_are_backend_errors_naming_the_step(
    records: pd.DataFrame, linked: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    pairs, clusters = linked
    with pytest.raises(BackendError, match="finding the clusters known to social care") as info:
        known_children(records, pairs.drop(columns="match_probability"), clusters)
    assert info.value.sql is not None and "both_ways" in info.value.sql


def blocked_pairs(*rows: dict[str, object]) -> int:
    """How many pairs of ``rows`` the prediction blocking rules admit for scoring."""
    frame = pd.DataFrame(list(rows), columns=list(STANDARD_COLUMNS))
    table = DuckDBAPI().register(pa.Table.from_pandas(frame, preserve_index=False))
    counts = count_comparisons_from_blocking_rules(
        table, blocking_rules=blocking_rules(), link_type="dedupe_only",
        record_sample_proportion=1.0,
    )  # fmt: skip
    return int(counts[-1]["cumulative_comparison_count"])


def test_blocking_admits_swapped_day_and_month_with_the_same_surname() -> None:
    # Nothing else agrees: not the first name's sound, not the home, no identifier.
    assert (
        blocked_pairs(
            record("a:1", "OLIVER", "SMITH", "2014-03-05", "M", "B11 1AA", "12 HIGH STREET"),
            record("b:1", "KEITH", "SMITH", "2014-05-03", "M", "B70 9ZZ", "4 PARK AVENUE"),
        )
        == 1
    )


def test_blocking_admits_a_wrong_birth_date_with_the_same_first_name_and_home() -> None:
    assert (
        blocked_pairs(
            record("a:1", "AMELIA", "KHAN", "2011-11-20", "F", "B10 0HJ", "88 MILL LANE"),
            record("b:1", "AMELIA", "JONES", "2008-02-14", "F", "B10 0HJ", "88 MILL LANE"),
        )
        == 1
    )


def test_blocking_leaves_out_brothers_and_sisters_at_home() -> None:
    # Same surname and home, different first name and date of birth: siblings, by the
    # million at city scale, and almost never one child.
    assert (
        blocked_pairs(
            record("a:1", "OLIVER", "SMITH", "2014-03-05", "M", "B11 1AA", "12 HIGH STREET"),
            record("b:1", "SOPHIE", "SMITH", "2016-09-12", "F", "B11 1AA", "12 HIGH STREET"),
        )
        == 0
    )
