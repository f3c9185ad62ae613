"""Standardising partner records: hand-worked examples, properties, and the synthetic city."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.sources import (
    DateColumn,
    SexColumn,
    SourceMapping,
    load_mapping,
    partner_mappings,
)
from turnaround.linkage.standardise import (
    canonical_forename,
    clean_names,
    clean_nhs_numbers,
    clean_postcodes,
    clean_upns,
    phonetic_code,
    read_source,
    standardise,
)
from turnaround.synth.city import generate_city
from turnaround.synth.config import SynthConfig

MAPPING = SourceMapping(
    source="police_test",
    record_id="Ref",
    event_date=DateColumn(column="When", format="%d/%m/%Y"),
    forename="First",
    surname="Last",
    dob=DateColumn(column="Born", format="%d/%m/%Y"),
    sex=SexColumn(column="Sex", codes={"Male": "M", "Female": "F"}),
    postcode="Postcode",
    address="Street",
    nhs_number="NHS",
)


def _frame(**columns: list[str]) -> pd.DataFrame:
    """Rows of a small police extract; each keyword replaces one column."""
    n = len(next(iter(columns.values())))
    base = {
        "Ref": [f"R{i}" for i in range(n)],
        "When": ["01/02/2013"] * n,
        "First": ["Amy"] * n,
        "Last": ["Smith"] * n,
        "Born": ["03/04/2005"] * n,
        "Sex": ["Female"] * n,
        "Postcode": ["B11 1AA"] * n,
        "Street": ["1 High Street"] * n,
        "NHS": [""] * n,
    }
    base.update(columns)
    return pd.DataFrame({k: pd.array(v, dtype="str") for k, v in base.items()})


def _names(values: Sequence[str | None]) -> list[str | None]:
    return clean_names(pa.array(values, pa.string())).to_pylist()


def test_names_lose_titles_punctuation_and_case() -> None:
    assert _names(["  mr  john ", "Miss. Zoë", "o'brien", "OBRIEN", "dr j. smith jr"]) == [
        "JOHN",
        "ZOE",
        "OBRIEN",
        "OBRIEN",
        "J SMITH",
    ]


def test_hyphenated_names_keep_one_hyphen() -> None:
    assert _names(["Smith - Khan", "smith--khan", "-Smith-", "Ali–Begum"]) == [
        "SMITH-KHAN",
        "SMITH-KHAN",
        "SMITH",
        "ALI-BEGUM",
    ]


def test_blank_and_punctuation_only_names_are_null() -> None:
    assert _names(["", "  ", "...", None]) == [None, None, None, None]


def test_a_title_alone_is_kept_as_the_name() -> None:
    # "Mr" with nothing after it may be someone's name; nothing is left to drop it for.
    assert _names(["Mr"]) == ["MR"]


def test_nicknames_fold_to_the_common_formal_name() -> None:
    assert canonical_forename("BILL") == canonical_forename("WILL") == "WILLIAM"
    assert canonical_forename("BOB") == "ROBERT"
    assert canonical_forename("TOMMY") == "THOMAS"
    assert canonical_forename("WILLIAM") == "WILLIAM"
    # Given names in their own right on the ONS list stay as they are.
    assert canonical_forename("BILLY") == "BILLY"
    assert canonical_forename("LIAM") == "LIAM"


def test_spellings_meet_on_their_phonetic_code_not_their_canon() -> None:
    # No sourced list of transliterations is used; the metaphone code brings them together.
    assert canonical_forename("MUHAMMAD") == "MUHAMMAD"
    assert canonical_forename("MOHAMMED") == "MOHAMMED"
    assert phonetic_code("MUHAMMAD") == phonetic_code("MOHAMMED")


def test_a_name_no_list_knows_is_its_own_canon() -> None:
    assert canonical_forename("ZXQWY") == "ZXQWY"


def test_standardised_rows_carry_canon_and_phonetic_codes() -> None:
    out = standardise(_frame(First=["Bill", "will", "Muhammad", "Mohammed"]), MAPPING)
    assert out["forename_canon"].tolist() == ["WILLIAM", "WILLIAM", "MUHAMMAD", "MOHAMMED"]
    assert out["forename_dm"].iloc[2] == out["forename_dm"].iloc[3]
    assert out["surname_dm"].iloc[0] == "SM0"


def test_surname_first_is_the_first_part() -> None:
    out = standardise(_frame(Last=["Smith-Khan", "Begum Ali", "Jones"]), MAPPING)
    assert out["surname_first"].tolist() == ["SMITH", "BEGUM", "JONES"]


def test_swapped_day_and_month_is_offered_beside_the_dob() -> None:
    out = standardise(_frame(Born=["03/04/2005", "13/04/2005", "04/04/2005", "bad", ""]), MAPPING)
    assert out["dob"].tolist()[:3] == [date(2005, 4, 3), date(2005, 4, 13), date(2005, 4, 4)]
    assert out["dob"].isna().tolist() == [False, False, False, True, True]
    assert out["dob_swapped"].iloc[0] == date(2005, 3, 4)
    assert out["dob_swapped"].isna().tolist() == [False, True, True, True, True]


def test_a_month_first_date_that_only_reads_that_way_is_read_that_way() -> None:
    out = standardise(_frame(Born=["04/13/2005"]), MAPPING)
    assert out["dob"].iloc[0] == date(2005, 4, 13)


def test_postcodes_are_normalised_or_null() -> None:
    cleaned = clean_postcodes(pa.array(["b111aa", " B11  1AA", "b1 1bb", "EC1A1BB", "nope", None]))
    assert cleaned.to_pylist() == ["B11 1AA", "B11 1AA", "B1 1BB", "EC1A 1BB", None, None]
    out = standardise(_frame(Postcode=["b111aa"]), MAPPING)
    assert out["postcode"].iloc[0] == "B11 1AA"
    assert out["postcode_sector"].iloc[0] == "B11 1"


def test_invalid_nhs_numbers_are_null() -> None:
    values = ["9434765919", "943 476 5919", "9434765918", "1111111111", "12345", ""]
    assert clean_nhs_numbers(pa.array(values)).to_pylist() == [
        "9434765919",
        "9434765919",
        None,
        None,
        None,
        None,
    ]
    out = standardise(_frame(NHS=["9434765918"]), MAPPING)
    assert out["nhs_number"].isna().all()


def test_invalid_upns_are_null() -> None:
    assert clean_upns(
        pa.array(["B801200005001", "b801200005001 ", "A801200005001"])
    ).to_pylist() == [
        "B801200005001",
        "B801200005001",
        None,
    ]


def test_sex_codes_follow_the_mapping() -> None:
    out = standardise(_frame(Sex=["Male", " female", "Unknown", ""]), MAPPING)
    assert out["sex"].tolist()[:2] == ["M", "F"]
    assert out["sex"].isna().tolist() == [False, False, True, True]


def test_a_combined_name_column_is_split() -> None:
    mapping = MAPPING.model_copy(update={"forename": None, "surname": None})
    mapping = SourceMapping.model_validate(
        {**mapping.model_dump(), "name": {"column": "Name", "order": "forename_first"}}
    )
    out = standardise(_frame(Name=["Mr John Paul Smith", "SMITH, Amy", "Khan"]), mapping)
    assert out["forename"].tolist()[:2] == ["JOHN PAUL", "AMY"]
    assert out["surname"].tolist() == ["SMITH", "SMITH", "KHAN"]
    assert pd.isna(out["forename"].iloc[2])


def test_ids_and_event_dates() -> None:
    out = standardise(_frame(Ref=[" R1", "R2"]), MAPPING)
    assert out["unique_id"].tolist() == ["police_test:R1", "police_test:R2"]
    assert out["event_date"].iloc[0] == date(2013, 2, 1)


_text = st.text(
    alphabet=st.sampled_from("abcdeABCDE xyz-'.,éØ’1"),
    max_size=20,
)


@given(st.lists(_text, min_size=1, max_size=20))
def test_cleaning_a_clean_name_changes_nothing(values: list[str]) -> None:
    once = _names(values)
    assert _names(once) == once


@settings(deadline=None)
@given(st.lists(st.sampled_from(["BILL", "MUHAMMAD", "LIAM", "MO", "KATE", "ZOE", "ALEX"])))
def test_the_canon_of_a_canon_is_itself(values: list[str]) -> None:
    for value in values:
        canon = canonical_forename(value)
        assert canonical_forename(canon) == canon


@settings(deadline=None, max_examples=50)
@given(
    st.lists(
        st.tuples(_text, _text, st.sampled_from(["03/04/2005", "31/12/2010", "x", ""])),
        max_size=15,
    )
)
def test_columns_and_row_count_are_kept(rows: list[tuple[str, str, str]]) -> None:
    frame = _frame(First=[r[0] for r in rows], Last=[r[1] for r in rows], Born=[r[2] for r in rows])
    out = standardise(frame, MAPPING)
    assert tuple(out.columns) == STANDARD_COLUMNS
    assert len(out) == len(frame)
    assert out["unique_id"].notna().all()


# --- the synthetic city -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("city")
    generated = generate_city(SynthConfig(children=2000, seed=3), out)
    return out, generated.city.extracts.truth


@pytest.mark.slow
def test_every_extract_reads_with_its_mapping(city: tuple[Path, pd.DataFrame]) -> None:
    out, truth = city
    for name in partner_mappings():
        frame = read_source(out / "extracts" / f"{name}.csv", load_mapping(name))
        assert tuple(frame.columns) == STANDARD_COLUMNS
        assert len(frame) == int((truth["source"] == name).sum())
        assert frame["unique_id"].is_unique
        assert frame["forename"].notna().mean() > 0.99


@pytest.mark.slow
def test_the_same_child_has_the_same_nhs_number_everywhere(
    city: tuple[Path, pd.DataFrame],
) -> None:
    out, truth = city
    frames = [
        read_source(out / "extracts" / f"{name}.csv", load_mapping(name))
        for name in partner_mappings()
    ]
    records = pd.concat(frames, ignore_index=True)[["source", "record_id", "nhs_number"]]
    records = records.astype({"source": str, "record_id": str})
    known = truth.astype({"source": str, "record_id": str}).merge(
        records, on=["source", "record_id"], validate="one_to_one"
    )
    assert len(known) == len(truth)
    with_nhs = known.dropna(subset=["nhs_number"])
    assert len(with_nhs) > 1000
    assert (with_nhs.groupby("person_id")["nhs_number"].nunique() == 1).all()
