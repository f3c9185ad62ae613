"""Messages an analyst can act on: DfE names, the values that broke the rule, the right field.

Expected messages are written out by hand from the DfE's column names and the rows below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.returns import test_rules_cin as cin_cases
from tests.returns import test_rules_dolo as dolo_cases
from tests.returns import test_rules_ssda903 as lac_cases
from turnaround.returns.canonical import SPECS
from turnaround.returns.model import Failure, ReturnData
from turnaround.returns.read.cin_xml import read_cin_xml
from turnaround.returns.rules import RULES, run_rules
from turnaround.returns.rules.frames import canonical_return
from turnaround.returns.rules.registry import (
    LOOKUP,
    Rule,
    complete_tables,
    not_run,
    shown_fields,
)
from turnaround.returns.schema import LATEST_YEAR, schema_for

Rows = dict[str, list[dict[str, Any]]]


def _by_rule(failures: list[Failure], code: str) -> list[Failure]:
    return [f for f in failures if f.rule == code]


# --- Rule failures: DfE names and values ---------------------------------------------------


def test_ssda903_episode_ending_before_it_starts_shows_both_dates() -> None:
    rows = lac_cases.care(lac_cases.episode("2022-06-03", "2022-05-01"))
    (failure,) = _by_rule(run_rules(canonical_return("ssda903", 2023, rows)), "356")
    assert failure.field == "DEC"
    assert failure.table == "episodes"
    assert failure.message == (
        "The date the episode ceased is before the date the same episode started. "
        "(DEC 01/05/2022, DECOM 03/06/2022)"
    )


def test_ssda903_rule_on_episodes_shows_the_header_date_of_birth() -> None:
    rows = lac_cases.care(lac_cases.episode("2009-12-01", child="7"))
    rows["header"][0]["dob"] = "2010-01-01"
    found = _by_rule(run_rules(canonical_return("ssda903", 2023, rows)), "302")
    by_table = {f.table: f for f in found}
    assert by_table["episodes"].field == "DECOM"
    assert by_table["episodes"].message == (
        "First episode starts before child was born. (DECOM 01/12/2009, DOB 01/01/2010)"
    )
    assert by_table["header"].field == "DOB"
    assert (
        by_table["header"].message == "First episode starts before child was born. (DOB 01/01/2010)"
    )


def test_ssda903_blank_and_code_values_are_shown_as_written() -> None:
    rows = lac_cases.care(lac_cases.episode("2022-06-01", child="9", rne="S"))
    rows["header"][0]["dob"] = "2003-01-01"  # 19 when the episode started
    (failure,) = _by_rule(run_rules(canonical_return("ssda903", 2023, rows)), "352")
    assert failure.message == (
        "Child who started to be looked after was aged 18 or over. "
        "(DECOM 01/06/2022, RNE S, DOB 01/01/2003)"
    )


def test_cin_closure_before_referral_uses_element_names() -> None:
    rows = cin_cases.case(cin_cases.episode("2022-05-01", "2022-04-01"))
    (failure,) = _by_rule(run_rules(canonical_return("cin", 2023, rows)), "8630")
    assert failure.field == "CINreferralDate"
    assert failure.message.endswith("(CINreferralDate 01/05/2022, CINclosureDate 01/04/2022)")


def test_cin_plan_under_no_further_action_shows_the_episode_value() -> None:
    rows = cin_cases.case(
        cin_cases.episode("2022-05-01", referral_nfa=True),
        cin_plans=[cin_cases.item(start_date="2022-06-01")],
    )
    (failure,) = _by_rule(run_rules(canonical_return("cin", 2023, rows)), "4000")
    assert failure.table == "cin_plans"
    assert failure.field == "CINPlanStartDate"
    assert failure.message.endswith("(CINPlanStartDate 01/06/2022, ReferralNFA true)")


# --- Structural failures: DfE names --------------------------------------------------------

CIN_XML = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><Collection><CollectionName>CIN</CollectionName><Year>2023</Year>
  <ReferenceDate>2023-03-31</ReferenceDate></Collection></Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>K1</LAchildID><UPN>A123456789012</UPN>
      <PersonBirthDate>2015-01-01</PersonBirthDate><GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2022-05-01</CINreferralDate>
      <ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>
      <ReferralNFA>maybe</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""


def test_cin_structural_failures_name_the_element(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(CIN_XML, encoding="utf-8")
    (failure,) = [f for f in read_cin_xml(path).failures if f.rule == "S-TYPE"]
    assert failure.field == "ReferralNFA"
    assert failure.message == "ReferralNFA 'maybe' is not a yes/no answer"


def test_ssda903_structural_failures_name_the_csv_column(tmp_path: Path) -> None:
    import numpy as np
    import pyarrow as pa

    from turnaround.returns.structural import to_canonical

    schema = schema_for("ssda903", 2023)
    table = schema.table("episodes")
    raw = pa.table({c: pa.array(["x"], pa.string()) for c in table.column_names})
    _, failures = to_canonical(
        raw, table, schema, file="episodes.csv", rows=np.array([2]), child_column="CHILD"
    )
    dates = {f.field for f in failures if f.rule == "S-DATE"}
    assert dates == {"DECOM", "DEC"}
    assert {f.message for f in failures if f.field == "DECOM"} == {
        "DECOM 'x' is not a date (dd/mm/yyyy)"
    }


def test_dfe_names_by_return() -> None:
    assert schema_for("cin", 2023).table("episodes").column("referral_nfa").dfe_name == (
        "ReferralNFA"
    )
    assert schema_for("ssda903", 2023).table("episodes").column("decom").dfe_name == "DECOM"
    annex = schema_for("annex_a", 2023).table("list1_contacts")
    assert annex.column("age").dfe_name == "Age of Child (Years)"
    # The store keeps canonical columns: a DfE name joins back to one.
    assert schema_for("cin", 2023).table("episodes").column("ReferralNFA").canonical == (
        "referral_nfa"
    )


# --- Every rule's fields exist where its failures are reported --------------------------------


def _bad_cases() -> dict[tuple[str, str], list[tuple[Rows, int, Rows | None]]]:
    cases: dict[tuple[str, str], list[tuple[Rows, int, Rows | None]]] = {}
    for code, bad, _ in lac_cases.CASES:
        cases.setdefault(("ssda903", code), []).append((bad, lac_cases.YEAR, None))
    for code, bad, _ in lac_cases.SW_CASES:
        cases.setdefault(("ssda903", code), []).append((bad, 2024, None))
    for code, bad, _ in lac_cases.CROSS_YEAR_CASES:
        cases.setdefault(("ssda903", code), []).append((bad, lac_cases.YEAR, lac_cases.LAST_YEAR))
    for code, bad, _ in dolo_cases.DOLO_CASES:
        cases.setdefault(("ssda903", code), []).append((bad, dolo_cases.YEAR, None))
    code, bad, _, last = dolo_cases.CROSS_YEAR_DOLO
    cases.setdefault(("ssda903", code), []).append((bad, dolo_cases.YEAR, last))
    for code, bad, _ in cin_cases.CASES:
        cases.setdefault(("cin", code), []).append((bad, cin_cases.YEAR, None))
    return cases


def _reported_tables(r: Rule, cases: list[tuple[Rows, int, Rows | None]]) -> set[str]:
    """The tables a rule reports on: where its bad cases hit, and where its fields point."""
    found = {name.rpartition(".")[0] for name in r.fields if "." in name}
    found -= set(LOOKUP[r.kind])  # shown from a per-child table, not necessarily reported on it
    for rows, year, last in cases:
        tables = complete_tables(r.kind, canonical_return(r.kind, year, rows).tables)
        previous = (
            complete_tables(r.kind, canonical_return(r.kind, year - 1, last).tables)
            if (last is not None)
            else None
        )
        hits = r.check(tables, year, previous)
        found |= {t for t, labels in hits.items() if len(list(labels))}
    return found


CASES_BY_RULE = _bad_cases()


@pytest.mark.parametrize("key", sorted(RULES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_rule_field_exists_in_the_table_it_reports_on(key: tuple[str, str]) -> None:
    r = RULES[key]
    if key not in CASES_BY_RULE:  # tested from XML (pre-proceedings): one table, so that one
        assert len(r.tables) == 1, f"rule {key} has no bad case to learn where it reports"
    for name in r.fields:
        where, _, column = name.rpartition(".")
        if where:
            assert where in r.tables, f"{key}: {name} names a table the rule does not declare"
            assert column in SPECS[r.kind][where], f"{key}: {where} has no column {column}"
    if not r.fields:  # about the return as a whole (8995Q: no child has a block): no field
        return
    reported = _reported_tables(r, CASES_BY_RULE[key]) if key in CASES_BY_RULE else set(r.tables)
    assert reported, f"{key} never reported anything on its bad case"
    for year in range(2014, LATEST_YEAR + 1):
        if not r.applies_to(year):
            continue
        schema = schema_for(r.kind, year)
        for table in reported:
            # Every field is a column of its table, in some year's layout ...
            for where, column in r.fields_on(table):
                assert column in SPECS[r.kind][where], f"{key}: {where} has no column {column}"
            # ... and the one the failure names is in this year's layout of the table itself.
            fields = shown_fields(r, table, schema)
            assert fields, f"{key} {year}: no field to name on {table}"
            where, column = fields[0]
            layout = {c.canonical for c in schema.table(table).columns}
            assert where == table and column in layout, (
                f"{key} {year}: names {where}.{column} on a failure in {table}"
            )


# --- Single-table subsets never crash ----------------------------------------------------------


def _everything(kind: str) -> tuple[int, Rows]:
    """Every bad case's rows of one return kind, pooled into one return (ids may repeat)."""
    pooled: Rows = {}
    year = 2023
    for (k, _code), cases in CASES_BY_RULE.items():
        if k != kind:
            continue
        for rows, _year, _last in cases:
            for table, table_rows in rows.items():
                pooled.setdefault(table, []).extend(table_rows)
    return year, pooled


def _subset(kind: str, year: int, rows: Rows, keep: set[str]) -> ReturnData:
    data = canonical_return(kind, year, {t: r for t, r in rows.items() if t in keep})  # type: ignore[arg-type]
    data.absent = sorted(set(SPECS[kind]) - keep)
    return data


@pytest.mark.parametrize("kind", ["ssda903", "cin"])
@pytest.mark.parametrize("year", [2023, LATEST_YEAR])
def test_each_single_table_subset_runs_without_crashing(kind: str, year: int) -> None:
    _, rows = _everything(kind)
    for table in SPECS[kind]:
        data = _subset(kind, year, rows, {table})
        previous = _subset(kind, year - 1, rows, {table})
        failures = run_rules(data, previous)
        skipped = not_run(failures)
        for r in RULES.values():
            if r.kind == kind and r.applies_to(year) and set(r.tables) - {table}:
                assert r.code in skipped, f"{kind} {r.code} ran with only {table}"


@pytest.mark.parametrize("kind", ["ssda903", "cin"])
def test_present_but_empty_tables_do_not_crash(kind: str) -> None:
    empty = canonical_return(kind, LATEST_YEAR, {})  # type: ignore[arg-type]
    assert [f for f in run_rules(empty, empty) if f.row is not None] == []


@pytest.mark.parametrize("code", ["184", "203", "302", "352", "386", "460", "502"])
def test_date_rules_are_not_run_without_the_tables_they_use(code: str) -> None:
    _, rows = _everything("ssda903")
    r = RULES[("ssda903", code)]
    for table in SPECS["ssda903"]:
        data = _subset("ssda903", 2023, rows, set(SPECS["ssda903"]) - {table})
        failures = run_rules(data, _subset("ssda903", 2022, rows, set(SPECS["ssda903"]) - {table}))
        if table in r.tables:
            assert code in not_run(failures), (code, table)


# --- Summaries group by rule, with an example ------------------------------------------------


def test_summary_groups_a_rule_with_the_first_rows_values_as_example() -> None:
    from turnaround.returns.model import ValidationReport
    from turnaround.returns.report import summary_by_rule

    rows = lac_cases.care(
        lac_cases.episode("2022-06-03", "2022-05-01", child="1"),
        lac_cases.episode("2022-09-01", "2022-08-01", child="2"),
    )
    failures = _by_rule(run_rules(canonical_return("ssda903", 2023, rows)), "356")
    summary = summary_by_rule(ValidationReport(returns=[], failures=failures))
    assert summary.to_dict("records") == [
        {
            "File": "episodes.csv",
            "Rule": "356",
            "Severity": "error",
            "Message": "The date the episode ceased is before the date the same episode started.",
            "Rows": 2,
            "Example": "DEC 01/05/2022, DECOM 03/06/2022",
        }
    ]
