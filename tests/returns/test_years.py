"""The collection year is read from the evidence: the dates decide, names support, --year rules.

Hand-built hostile variants (a folder named by the year a collection starts, several years in
one folder, ISO dates, a CIN header whose <Year> and ReferenceDate disagree with its dates, the
same year twice in one batch, a real clash), then the third-party samples, each pinned to the
year a person reading its dates would give it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from turnaround.errors import InputError
from turnaround.returns.model import ReturnData
from turnaround.returns.read import read_returns
from turnaround.returns.read.detect import YearName, name_in, read_year

THIRDPARTY = Path(__file__).parents[2].parent / "shared" / "data" / "thirdparty"
needs_thirdparty = pytest.mark.skipif(
    not THIRDPARTY.is_dir(),
    reason=f"the third-party samples are not at {THIRDPARTY} (../shared/data/thirdparty)",
)

EPISODES_HEAD = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def episodes(starts: list[str], ends: list[str] | None = None, iso: bool = False) -> str:
    """An episodes table: one child per start, ended on the matching end ('' for open)."""
    ends = ends or [""] * len(starts)
    rows = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        if iso:
            start, end = _iso(start), _iso(end)
        rec = "E13" if end else ""
        rows.append(f"C{i},{start},S,C2,N1,U1,PR1,{end},{rec},,,,")
    return "\n".join([EPISODES_HEAD, *rows]) + "\n"


def _iso(day: str) -> str:
    return "-".join(reversed(day.split("/"))) if day else ""


# Five episodes of 2017-18 (1 April 2017 to 31 March 2018): 10 dates, 9 in the year, one
# start in 2016-17 (an episode open when the year began).
Y2018 = episodes(
    ["01/05/2017", "01/06/2017", "01/07/2017", "01/08/2017", "01/02/2017"],
    ["01/09/2017", "01/10/2017", "01/11/2017", "01/12/2017", "01/03/2018"],
)
# The same children a year later, 2018-19.
Y2019 = episodes(
    ["01/05/2018", "01/06/2018", "01/07/2018", "01/08/2018", "01/02/2018"],
    ["01/09/2018", "01/10/2018", "01/11/2018", "01/12/2018", "01/03/2019"],
)


def folder(root: Path, name: str, files: dict[str, str]) -> Path:
    """A folder of CSVs written as given."""
    target = root / name
    target.mkdir(parents=True)
    for file, text in files.items():
        (target / file).write_text(text, encoding="utf-8")
    return target


def year_query(data: ReturnData) -> str:
    """The one S-YEAR query a return carries: how its year was read."""
    (found,) = [f for f in data.failures if f.rule == "S-YEAR"]
    assert found.severity == "query" and found.row is None
    return found.message


def refused(paths: list[Path], **kwargs: object) -> str:
    with pytest.raises(InputError) as caught:
        read_returns(paths, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def dates(*days: str) -> pd.Series:
    return pd.to_datetime(pd.Series(days), format="%d/%m/%Y")


# --- the rule itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("2018", (2018, 2019)),
        ("SSDA903_2020_episodes", (2020, 2021)),
        ("2017-18", (2018,)),
        ("2017_18", (2018,)),
        ("201718", (2018,)),
        ("2017-2018", (2018,)),
        ("returns 2017 18", (2018,)),
        ("2017-19", (2017, 2018)),  # not a pair: read as the single year 2017
        ("SSDA903_202_episodes", None),
        ("cin-20", None),
        ("CIN_la_issues_2887Q", None),
    ],
)
def test_a_name_gives_the_years_it_may_mean(text: str, readings: tuple[int, ...] | None) -> None:
    found = name_in(text, "name")
    assert (found.readings if found else None) == readings


def test_the_year_with_most_dates_is_read_and_the_name_says_its_convention() -> None:
    days = dates(*(["01/05/2017"] * 6 + ["01/03/2017"] * 2 + ["01/02/2018"]))
    start = read_year(days, names=[YearName("folder name '2017'", 2017, 2018)], what="dates")
    assert start.year == 2018
    assert start.evidence == (
        "collection year 2017-18 from 7 of 9 dates; folder name '2017' read as the year it starts"
    )
    end = read_year(days, names=[YearName("folder name '2018'", 2018, 2019)], what="dates")
    assert (end.year, end.evidence.split("; ")[1]) == (
        2018,
        "folder name '2018' read as the year it ends",
    )


def test_a_tie_goes_to_the_later_year() -> None:
    assert read_year(dates(*(["01/05/2017"] * 3 + ["01/05/2018"] * 3))).year == 2019


def test_a_name_holds_when_the_dates_fit_it_though_most_began_earlier() -> None:
    # Long-stay children: most starts in 2017-18, but 3 of 10 dates in 2018-19, none after.
    days = dates(*(["01/05/2017"] * 7 + ["01/05/2018"] * 3))
    reading = read_year(days, names=[name_in("2018-19", "folder name '2018-19'")], what="dates")
    assert reading.year == 2019
    assert reading.evidence.startswith(
        "collection year 2018-19: folder name '2018-19' agrees, and 3 of 10 dates fall in it"
    )


def test_a_name_is_refused_when_most_dates_come_after_its_year() -> None:
    # The old guard passed this: 17% of the dates fall in the named 2016-17, but 80% after it.
    days = dates(*(["01/05/2016"] * 2 + ["01/05/2017"] * 8))
    with pytest.raises(InputError) as caught:
        read_year(days, names=[name_in("2016-17", "folder name '2016-17'")], what="dates")
    assert str(caught.value) == (
        "names and dates disagree on the year: the folder name '2016-17' says 2016-17, but 8 of "
        "10 dates fall in 2017-18; pass --year 2017 or --year 2018 (a year is named by its 31 "
        "March)"
    )


def test_with_too_few_dates_the_name_decides_and_the_dates_pick_its_convention() -> None:
    name = YearName("folder name '2017'", 2017, 2018)
    assert read_year(dates("01/05/2017", "01/06/2017"), names=[name]).year == 2018
    bare = read_year(dates(), names=[name])
    assert bare.year == 2017 and "(the DfE's convention)" in bare.evidence


def test_dates_no_schema_describes_are_not_evidence() -> None:
    old = dates(*(["01/05/1971"] * 12))
    reading = read_year(
        old,
        names=[YearName("file name 'x_2021.xml'", 2021, 2022)],
        reference=pd.Timestamp("2023-03-31"),
        what="dates",
    )
    assert reading.year == 2023
    assert reading.evidence.startswith(
        "collection year 2022-23 from the header's ReferenceDate 2023-03-31, as the file has 12 "
        "dates, none of them in "
    )
    assert reading.evidence.endswith("; the file name 'x_2021.xml' says 2020-21 or 2021-22")


def test_nothing_to_go_on_asks_for_year() -> None:
    with pytest.raises(InputError, match=r"cannot tell the collection year .*pass --year"):
        read_year(dates(), what="episode dates")


def test_the_year_given_overrides_a_clash() -> None:
    days = dates(*(["01/05/2017"] * 10))
    reading = read_year(days, names=[YearName("file name '2014'", 2014, 2015)], given=2014)
    assert reading.year == 2014
    assert reading.evidence == (
        "collection year 2013-14 as given by --year; most of its activity dates (10 of 10) are "
        "in 2017-18"
    )


# --- SSDA903 folders ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "side"), [("2017", "starts"), ("2018", "ends")], ids=["start-year", "end-year"]
)
@pytest.mark.parametrize("iso", [False, True], ids=["dd-mm-yyyy", "iso"])
def test_a_folder_named_either_way_is_read_as_2017_18(
    tmp_path: Path, name: str, side: str, iso: bool
) -> None:
    text = Y2018 if not iso else episodes(*_columns(Y2018), iso=True)
    (data,) = read_returns([folder(tmp_path, name, {"episodes.csv": text})])
    assert data.year == 2018
    assert year_query(data) == (
        f"collection year 2017-18 from 9 of 10 episode dates; folder name '{name}' read as the "
        f"year it {side}"
    )
    # Read as the right year, no episode ends after the year: no false 'after the year' errors.
    assert data.tables["episodes"]["dec"].max() == pd.Timestamp("2018-03-01")


def _columns(text: str) -> tuple[list[str], list[str]]:
    rows = [line.split(",") for line in text.splitlines()[1:]]
    return [r[1] for r in rows], [r[7] for r in rows]


@pytest.mark.parametrize("name", ["2017-18", "201718", "2017_18", "ssda903 2017-18"])
def test_a_folder_naming_the_pair_is_read_as_it(tmp_path: Path, name: str) -> None:
    (data,) = read_returns([folder(tmp_path, name, {"episodes.csv": Y2018})])
    assert data.year == 2018
    assert year_query(data).endswith(f"folder name '{name}' agrees")


def test_a_real_clash_is_refused_naming_both_readings_and_year_settles_it(
    tmp_path: Path,
) -> None:
    target = folder(tmp_path, "2015", {"episodes.csv": Y2018})
    message = refused([target])
    assert message == (
        "episodes.csv: names and dates disagree on the year: the folder name '2015' says "
        "2014-15 or 2015-16, but 9 of 10 episode dates fall in 2017-18; pass --year 2015 or "
        "--year 2018 (a year is named by its 31 March)"
    )
    (data,) = read_returns([target], year=2018)
    assert data.year == 2018
    assert year_query(data).startswith("collection year 2017-18 as given by --year")


def test_years_in_one_folder_are_split_by_the_file_names(tmp_path: Path) -> None:
    target = folder(tmp_path, "upload", {"2017-episodes.csv": Y2018, "2018-episodes.csv": Y2019})
    found = read_returns([target])
    assert sorted((d.year, [p.name for p in d.sources]) for d in found) == [
        (2018, ["2017-episodes.csv"]),
        (2019, ["2018-episodes.csv"]),
    ]
    assert all(len(d.tables["episodes"]) == 5 for d in found)
    assert "file name '2017-episodes.csv' read as the year it starts" in year_query(found[0])


def test_a_split_folder_does_not_lend_its_own_name(tmp_path: Path) -> None:
    # The folder '2017' holds two years; it names neither, so neither clashes with it.
    target = folder(tmp_path, "2017", {"2017_episodes.csv": Y2018, "2018_episodes.csv": Y2019})
    assert sorted(d.year for d in read_returns([target])) == [2018, 2019]


def test_years_in_one_folder_are_split_by_the_dates_when_names_say_nothing(
    tmp_path: Path,
) -> None:
    target = folder(tmp_path, "upload", {"episodes_a.csv": Y2019, "episodes_b.csv": Y2018})
    found = read_returns([target])
    assert sorted((d.year, d.sources[0].name) for d in found) == [
        (2018, "episodes_b.csv"),
        (2019, "episodes_a.csv"),
    ]


def test_a_file_naming_no_year_among_files_that_do_is_refused(tmp_path: Path) -> None:
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/01/2010,WBRI,UN1,,\n"
    files = {"2017-episodes.csv": Y2018, "2018-episodes.csv": Y2019, "header.csv": header}
    message = refused([folder(tmp_path, "upload", files)])
    assert message.startswith(
        "header.csv: the folder holds files named for several years (2017-episodes.csv, "
        "2018-episodes.csv), and this one's name gives none"
    )


def test_the_same_table_twice_in_one_year_is_refused_naming_both(tmp_path: Path) -> None:
    files = {"SSDA903_2018_episodes.csv": Y2018, "SSDA903_2018_episodes_clean.csv": Y2018}
    message = refused([folder(tmp_path, "upload", files)])
    assert message == (
        "SSDA903_2018_episodes_clean.csv: two files hold the 2017-18 Episodes table "
        "(SSDA903_2018_episodes.csv and SSDA903_2018_episodes_clean.csv); load them separately"
    )


def test_the_same_year_twice_in_one_batch_is_refused_naming_both(tmp_path: Path) -> None:
    a = folder(tmp_path, "2018", {"episodes.csv": Y2018})
    b = folder(tmp_path / "copy", "2017", {"episodes.csv": Y2018})
    assert refused([a, b]) == (
        "two SSDA903 returns for 2017-18 in one batch: 2018/episodes.csv and "
        "2017/episodes.csv; load them separately"
    )
    # Apart, each loads; together with different years, both do.
    c = folder(tmp_path / "next", "2019", {"episodes.csv": Y2019})
    assert sorted(d.year for d in read_returns([a, c])) == [2018, 2019]


# --- CIN census -------------------------------------------------------------------------------

CHILD = """    <Child>
      <ChildIdentifiers><LAchildID>{cid}</LAchildID><PersonBirthDate>2010-01-01</PersonBirthDate>
      <GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>{referral}</CINreferralDate><ReferralSource>1A</ReferralSource>
      <PrimaryNeedCode>N1</PrimaryNeedCode><CINclosureDate>{closure}</CINclosureDate>
      <ReasonForClosure>RC1</ReasonForClosure><ReferralNFA>0</ReferralNFA></CINdetails>
    </Child>
"""


def census(path: Path, *, year: str | None, reference: str | None, days: list[str]) -> Path:
    """A CIN census whose header says ``year`` and ``reference``, one child per two days."""
    details = "".join(
        f"<Year>{year}</Year>" * (year is not None)
        + f"<ReferenceDate>{reference}</ReferenceDate>" * (reference is not None)
    )
    children = "".join(
        CHILD.format(cid=f"K{i}", referral=days[i], closure=days[i + 1])
        for i in range(0, len(days), 2)
    )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<Message>\n  <Header><CollectionDetails>'
        f"<Collection>CIN</Collection>{details}</CollectionDetails></Header>\n  <Children>\n"
        f"{children}  </Children>\n</Message>\n",
        encoding="utf-8",
    )
    return path


IN_2023 = ["2022-05-01", "2022-07-01", "2022-09-01", "2022-11-01", "2023-01-05", "2023-03-01"]


def test_cin_dates_beat_the_header_year_and_reference_date(tmp_path: Path) -> None:
    # D2I's samples: <Year> 2023 and ReferenceDate 2024-03-31 around a 2022-23 census.
    path = census(tmp_path / "cin.xml", year="2023", reference="2024-03-31", days=IN_2023)
    (data,) = read_returns([path])
    assert data.year == 2023
    assert year_query(data) == (
        "collection year 2022-23 from 6 of 6 referral, assessment, plan, enquiry and review "
        "dates; header's <Year> 2023 read as the year it ends; the header's ReferenceDate "
        "2024-03-31 is not 2022-23's"
    )
    # A header <Year> read the other way: dates of 2023-24 with <Year> 2023.
    later = [d.replace("2023-", "2024-").replace("2022-", "2023-") for d in IN_2023]
    (data,) = read_returns([census(tmp_path / "b.xml", year="2023", reference=None, days=later)])
    assert data.year == 2024 and "<Year> 2023 read as the year it starts" in year_query(data)


def test_the_reference_date_decides_only_when_dates_are_too_few(tmp_path: Path) -> None:
    # LIIA's samples: dummy 1971 dates, <Year> 2021, ReferenceDate 2021-03-31.
    dummy = ["1971-05-01", "1971-06-01"] * 3
    path = census(tmp_path / "cin-2022.xml", year="2021", reference="2021-03-31", days=dummy)
    (data,) = read_returns([path])
    assert data.year == 2021
    assert year_query(data).startswith(
        "collection year 2020-21 from the header's ReferenceDate 2021-03-31, as the file has 6 "
    )
    assert year_query(data).endswith("; the file name 'cin-2022.xml' says 2021-22 or 2022-23")
    # With no ReferenceDate, the header's <Year> (the DfE's convention) decides.
    (data,) = read_returns([census(tmp_path / "b.xml", year="2021", reference=None, days=dummy)])
    assert data.year == 2021 and "<Year> 2021 read as the year it ends" in year_query(data)


def test_year_overrides_the_cin_header(tmp_path: Path) -> None:
    path = census(tmp_path / "cin.xml", year="2023", reference="2023-03-31", days=IN_2023)
    (data,) = read_returns([path], year=2022)
    assert data.year == 2022
    assert year_query(data).startswith(
        "collection year 2021-22 as given by --year; most of its referral, assessment, plan, "
        "enquiry and review dates (6 of 6) are in 2022-23"
    )


def test_a_cin_header_year_far_from_its_dates_is_a_clash(tmp_path: Path) -> None:
    path = census(tmp_path / "cin.xml", year="2019", reference="2019-03-31", days=IN_2023)
    assert refused([path]) == (
        "cin.xml: names and dates disagree on the year: the header's <Year> 2019 says 2018-19 "
        "or 2019-20, but 6 of 6 referral, assessment, plan, enquiry and review dates fall in "
        "2022-23; pass --year 2019 or --year 2023 (a year is named by its 31 March)"
    )


def test_two_cin_returns_of_one_year_in_a_batch_are_refused(tmp_path: Path) -> None:
    a = census(tmp_path / "a.xml", year="2023", reference="2023-03-31", days=IN_2023)
    b = census(tmp_path / "b.xml", year="2023", reference="2023-03-31", days=IN_2023)
    message = refused([a, b])
    assert message.startswith("two CIN returns for 2022-23 in one batch: ")
    assert "/a.xml and " in message and message.endswith("/b.xml; load them separately")


# --- the third-party samples --------------------------------------------------------------

PINNED = [
    *[(f"csdm_5yrs/{y}", y + 1, "starts") for y in range(2017, 2022)],
    ("d2i903_fake", 2018, "no year in the names"),
    ("d2i903_xml/fake_903.xml", 2018, "no year in the names"),
    ("d2icin/CIN2rows.xml", 2023, "<Year> 2023 read as the year it ends"),
    ("d2icin/CIN_Census_2021.xml", 2023, "ReferenceDate 2023-03-31"),
    ("d2icin/CIN_Census_2021_copy.xml", 2023, "<Year> 2023 read as the year it ends"),
    ("d2icin/CIN_Census_2021_no_assessment_factors.xml", 2023, "<Year> 2023"),
    ("d2icin/CIN_Census_2024.xml", 2023, "<Year> 2023 read as the year it ends"),
    ("d2icin/CIN_Census_2026.xml", 2023, "<Year> 2023 read as the year it ends"),
    ("d2icin/CIN_header_issues_100.xml", 2023, "ReferenceDate 2023-03-28"),
    ("d2icin/CIN_la_issues_2887Q.xml", 2023, "ReferenceDate 2023-03-31"),
    ("d2icin/fake_CIN_data.xml", 2022, "<Year> 2022 read as the year it ends"),
    ("liia_cin/cin-2021.xml", 2021, "ReferenceDate 2021-03-31"),
    ("liia_cin/cin-no-year.xml", 2021, "ReferenceDate 2021-03-31"),
    ("liia_cin/cin-2022.xml", 2022, "ReferenceDate 2022-03-31"),
    ("liia_cin/cin-20.xml", 2023, "ReferenceDate 2023-03-31"),
    ("liia_cin/CIN_Census_2021.xml", 2023, "ReferenceDate 2023-03-31"),
    ("liia_903/SSDA903_2020_episodes.csv", 2020, "read as the year it ends"),
    ("liia_903/SSDA903_2020_episodes_clean.csv", 2020, "read as the year it ends"),
    ("liia_903/SSDA903_202_episodes.csv", 2019, "3 of 5 episode dates; no year in the names"),
    ("liia_903/SSDA903_episodes_for_testing_fixes_INPUT.csv", 2020, "9 of 37 episode dates"),
]


@needs_thirdparty
@pytest.mark.parametrize(("path", "year", "evidence"), PINNED, ids=[p for p, *_ in PINNED])
def test_the_third_party_samples_are_read_as_their_dates_say(
    path: str, year: int, evidence: str
) -> None:
    (data,) = read_returns([THIRDPARTY / path])
    assert data.year == year
    assert evidence in year_query(data)


@needs_thirdparty
def test_the_csdm_folder_named_by_its_start_has_no_false_year_end_errors() -> None:
    # Read as 2016-17 (as before), 1,026 episodes 'ceased after the year' (rule 385); as the
    # 2017-18 its dates say, 2 (planted).
    from turnaround.returns.rules import run_rules

    (data,) = read_returns([THIRDPARTY / "csdm_5yrs" / "2017"])
    assert data.year == 2018 and sum(f.rule == "385" for f in run_rules(data)) < 10
    (early,) = read_returns([THIRDPARTY / "csdm_5yrs" / "2017"], year=2017)
    assert sum(f.rule == "385" for f in run_rules(early)) > 1000


@needs_thirdparty
def test_a_2015_name_on_2019_20_dates_is_a_clash_and_year_settles_it() -> None:
    path = THIRDPARTY / "liia_903" / "SSDA903_2015_episodes.csv"
    assert refused([path]) == (
        "SSDA903_2015_episodes.csv: names and dates disagree on the year: the file name "
        "'SSDA903_2015_episodes.csv' says 2014-15 or 2015-16, but 7 of 10 episode dates fall "
        "in 2019-20; pass --year 2015 or --year 2020 (a year is named by its 31 March)"
    )
    (data,) = read_returns([path], year=2020)
    assert data.year == 2020


@needs_thirdparty
def test_the_cli_year_option_settles_a_clash(tmp_path: Path) -> None:
    path = str(THIRDPARTY / "liia_903" / "SSDA903_2015_episodes.csv")
    base = [sys.executable, "-m", "turnaround", "--workspace", str(tmp_path / "ws"), "validate"]
    out = tmp_path / "out"
    refused_run = subprocess.run(
        [*base, path, "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert refused_run.returncode == 1 and "pass --year 2015 or --year 2020" in refused_run.stderr
    given = subprocess.run(
        [*base, path, "--year", "2020", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ssda903 2019-20: " in given.stdout, given.stderr
    assert "S-YEAR" in (out / "validation.csv").read_text(encoding="utf-8")
