"""The canonical tables every later stage reads. Raw files are never read past this point.

Names: a return's tables land in the store as ``<kind>_<table>`` (``ssda903_episodes``,
``cin_cp_plans``, ``annex_a_list1_contacts``) with three extra columns: ``year`` (collection
year), ``load_id`` and ``source_row``. In memory (``ReturnData.tables``) they are keyed by the
bare table name and carry ``_file`` and ``_row``.

Types: 'date' is a calendar date (pandas datetime64, NaT when blank); 'code' and 'text' are
strings (pandas NA when blank; codes are upper-cased and stripped); 'int' is a nullable
integer; 'bool' is a nullable boolean ('1'/'0', 'true'/'false', 'Y'/'N'). Sex is always
'M', 'F' or 'U', whatever the year's coding (1/2/0/9 or M/F/U).
"""

from __future__ import annotations

from typing import Literal

ColumnType = Literal["date", "code", "text", "int", "bool"]
TableSpec = dict[str, ColumnType]

SSDA903: dict[str, TableSpec] = {
    "header": {"child": "text", "sex": "code", "dob": "date", "ethnic": "code", "upn": "code",
               "mother": "int", "mc_dob": "date"},
    "episodes": {"child": "text", "decom": "date", "rne": "code", "ls": "code", "cin": "code",
                 "place": "code", "place_provider": "code", "dec": "date", "rec": "code",
                 "reason_place_change": "code", "home_post": "text", "pl_post": "text",
                 "urn": "code"},
    "reviews": {"child": "text", "dob": "date", "review": "date", "review_code": "code"},
    "uasc": {"child": "text", "sex": "code", "dob": "date", "duc": "date"},
    "oc2": {"child": "text", "dob": "date", "sdq_score": "int", "sdq_reason": "code",
            "convicted": "bool", "health_check": "bool", "immunisations": "bool",
            "teeth_check": "bool", "health_assessment": "bool", "substance_misuse": "bool",
            "intervention_received": "bool", "intervention_offered": "bool"},
    "oc3": {"child": "text", "dob": "date", "in_touch": "code", "activ": "code", "accom": "code"},
    "ad1": {"child": "text", "dob": "date", "date_int": "date", "date_match": "date",
            "foster_care": "bool", "nb_adoptr": "code", "sex_adoptr": "code", "ls_adoptr": "code"},
    "placed_adoption": {"child": "text", "dob": "date", "date_placed": "date",
                        "date_placed_ceased": "date", "reason_placed_ceased": "code"},
    "prev_perm": {"child": "text", "dob": "date", "prev_perm": "code", "la_perm": "code",
                  "date_perm": "text"},
    "missing": {"child": "text", "dob": "date", "missing": "code", "mis_start": "date",
                "mis_end": "date"},
    "sw_episodes": {"child": "text", "dob": "date", "sw_id": "text", "sw_decom": "date",
                    "sw_dec": "date", "sw_reason": "code"},
    "dolo": {"child": "text", "dob": "date", "dolo_start": "date", "dolo_end": "date"},
}  # fmt: skip
"""SSDA903: the DfE column names, lower-cased. Columns a year lacks are present and all NA.

``dolo`` (Deprivation of Liberty Orders) joins the return in 2026-27; its store table comes from
migration 0011, not 0003."""

CIN: dict[str, TableSpec] = {
    "children": {"child_id": "text", "upn": "code", "former_upn": "code", "upn_unknown": "code",
                 "dob": "date", "expected_dob": "date", "sex": "code", "death_date": "date",
                 "ethnicity": "code"},
    "disabilities": {"child_id": "text", "disability": "code"},
    "episodes": {"child_id": "text", "episode": "int", "referral_date": "date",
                 "referral_source": "code", "primary_need": "code", "closure_date": "date",
                 "closure_reason": "code", "referral_nfa": "bool", "icpc_date": "date"},
    "assessments": {"child_id": "text", "episode": "int", "assessment": "int",
                    "start_date": "date", "review_date": "date", "authorised_date": "date"},
    "assessment_factors": {"child_id": "text", "episode": "int", "assessment": "int",
                           "factor": "code"},
    "cin_plans": {"child_id": "text", "episode": "int", "plan": "int", "start_date": "date",
                  "end_date": "date"},
    "s47": {"child_id": "text", "episode": "int", "s47": "int", "start_date": "date",
            "icpc_target": "date", "icpc_date": "date", "icpc_not_required": "bool"},
    "cp_plans": {"child_id": "text", "episode": "int", "cp_plan": "int", "start_date": "date",
                 "end_date": "date", "initial_category": "code", "latest_category": "code",
                 "previous_plans": "int"},
    "cp_reviews": {"child_id": "text", "episode": "int", "cp_plan": "int", "review_date": "date"},
    # From 2026-27 (schema/data/cin/2027.yaml); read from older files too, with a query.
    "pre_proceedings": {"child_id": "text", "episode": "int", "pre_proceedings": "int",
                        "start_date": "date", "lbp_sent_date": "date", "fgdm_offered": "bool",
                        "fgdm_facilitated": "bool", "initial_meeting_date": "date",
                        "review_meetings": "int", "step_decision_date": "date",
                        "outcome": "code", "court_application_date": "date",
                        "letter_initiating_date": "date"},
}  # fmt: skip
"""CIN census: one row per element; ``episode``, ``assessment`` and so on number the repeated
blocks within a child from 1, in file order, so child tables join back to their parents."""

from turnaround.returns.schema import annex_a_tables  # noqa: E402  (schema never imports us)

ANNEX_A: dict[str, TableSpec] = annex_a_tables()
"""Annex A lists 1-11, keyed 'list1_contacts' ... 'list11_adopters'; filled in by ``schema``."""

SPECS: dict[str, dict[str, TableSpec]] = {"ssda903": SSDA903, "cin": CIN, "annex_a": ANNEX_A}


def store_table(kind: str, table: str) -> str:
    """The store's name for a canonical table."""
    return f"{kind}_{table}"


SQL_TYPES: dict[str, str] = {
    "date": "DATE", "code": "VARCHAR", "text": "VARCHAR", "int": "BIGINT", "bool": "BOOLEAN",
}  # fmt: skip
BOOKKEEPING = {
    "year": "INTEGER NOT NULL",
    "load_id": "VARCHAR NOT NULL",
    "source_file": "VARCHAR",
    "source_row": "INTEGER",
}


def create_table_sql(kind: str, table: str, spec: TableSpec) -> str:
    """The DDL for one canonical table in the store."""
    columns = [f"    {name} {SQL_TYPES[kind_]}" for name, kind_ in spec.items()]
    columns += [f"    {name} {sql}" for name, sql in BOOKKEEPING.items()]
    return f"create table {store_table(kind, table)} (\n" + ",\n".join(columns) + "\n);\n"


def canonical_ddl() -> str:
    """DDL for every canonical table: what the migrations, 0003 and later, must contain."""
    parts = [
        create_table_sql(kind, table, spec)
        for kind, tables in SPECS.items()
        for table, spec in tables.items()
    ]
    return "\n".join(parts)
