"""Validate returns and bring them into the store, in one transaction.

Strict mode loads nothing if any error was found. Lenient mode loads the rows that passed and
sets the failing rows aside in ``quarantine`` with their errors, so analysts can fix them at
source. Either way the load is one transaction: a crash or a bad file leaves the store exactly
as it was, and loading the same return and year again replaces it, never duplicating it.

What is set aside is a record, never a line: every row of a canonical table is one record with
its own key in its file (``_record``: a CSV's line, an XML record's ordinal) and place
(``_where``: 'row 17', or an element path such as ``Message/Children/Child[3]/CINdetails[1]``).
Quarantine is keyed on (table, file, record), so an XML file written on one line loses only
the records that failed, each with its own child's id and only its own messages.

A record may take its children with it. In the CIN census a record that other records hang off
(``PARENTS``) is told apart by a key field: a child by its LAchildID, an episode by its
CINreferralDate, an assessment by its AssessmentActualStartDate, a protection plan by its
CPPstartDate. When that key is blank or unreadable (a structural failure, ``S-...``), what lies
under the record's element (a child's disabilities and episodes; an episode's assessments,
factors, plans, enquiries, protection plans, reviews and pre-proceedings; an assessment's
factors; a plan's reviews) cannot be placed either, and is set aside with it, its message
saying so: "quarantined with its parent Child[3]: ...". Any other failure of a parent (a bad
ethnicity code, or a DfE rule such as an assessment starting after it was authorised) sets
aside that record alone: what hangs off it is still a true record of the work.

SSDA903 records have no parents, in XML as in CSV: each table stands alone, joined by CHILD.
Every record read is either loaded or quarantined, and ``LoadedReturn`` counts both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa

from turnaround.access import Actor, loading
from turnaround.errors import ValidationFailed
from turnaround.returns.canonical import SPECS, TableSpec, store_table
from turnaround.returns.cleaning import EPISODE_COLUMNS, clean_episodes
from turnaround.returns.model import (
    FILE_COLUMN,
    LOCATION_COLUMNS,
    RECORD_COLUMN,
    ROW_COLUMN,
    WHERE_COLUMN,
    Failure,
    ReturnData,
    ValidationReport,
    failures_frame,
)
from turnaround.returns.read import read_returns
from turnaround.returns.read.ssda903_csv import refuse_incomplete
from turnaround.returns.rules import run_rules
from turnaround.store import Store

Mode = Literal["strict", "lenient"]

PARENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "cin": {
        "children": ("child_id", "LAchildID"),
        "episodes": ("referral_date", "CINreferralDate"),
        "assessments": ("start_date", "AssessmentActualStartDate"),
        "cp_plans": ("start_date", "CPPstartDate"),
    },
}
"""Per return, the tables whose records others hang off, and the key fields (canonical and
DfE names) whose structural failure sets aside everything under the record's element too."""

_CHILD_COLUMNS = ("child", "child_id")


@dataclass
class LoadedReturn:
    """What one return-year contributed to the store."""

    kind: str
    year: int
    load_id: str
    rows_loaded: dict[str, int]
    rows_quarantined: int
    failures: list[Failure] = field(default_factory=list)
    quarantined: dict[str, int] = field(default_factory=dict)  # records set aside, per table


@dataclass
class LoadResult:
    """Everything one call to ``load_returns`` did."""

    loaded: list[LoadedReturn]
    report: ValidationReport


def validate_returns(
    paths: Sequence[Path],
    *,
    year: int | None = None,
    store: Store | None = None,
    complete: bool = False,
) -> ValidationReport:
    """Read and check returns without loading them: every structural and DfE rule failure.

    ``complete`` refuses a return missing a table its year requires (ready to submit to the
    DfE); otherwise a missing table is a query and the rules that need it are not run.
    """
    returns = _read(paths, year, complete)
    return _check(returns, store)


def _read(paths: Sequence[Path], year: int | None, complete: bool) -> list[ReturnData]:
    returns = read_returns(paths, year=year)
    if complete:
        for data in returns:
            refuse_incomplete(data)
    return returns


def _check(returns: list[ReturnData], store: Store | None) -> ValidationReport:
    by_key = {(r.kind, r.year): r for r in returns}
    failures: list[Failure] = []
    for data in returns:
        previous = by_key.get((data.kind, data.year - 1))
        if previous is None and store is not None:
            previous = _from_store(store, data.kind, data.year - 1)
        found = list(data.failures)
        if data.kind in ("ssda903", "cin"):
            found += run_rules(data, previous)
        data.failures = found
        failures += found
    return ValidationReport(returns=returns, failures=failures)


def load_returns(
    store: Store,
    paths: Sequence[Path],
    *,
    actor: Actor,
    year: int | None = None,
    mode: Mode = "strict",
    complete: bool = False,
) -> LoadResult:
    """Validate returns and load them; strict loads nothing if anything is in error.

    ``complete`` refuses a return missing a table its year requires, as ``validate_returns``.
    """
    with loading(
        store,
        actor,
        "returns",
        reason=f"{mode} load of {len(paths)} path(s)",
        step="loading returns",
    ) as acting:
        returns = _read(paths, year, complete)
        report = _check(returns, store)
        if mode == "strict" and report.errors:
            raise ValidationFailed(
                f"{len(report.errors):,} errors in {len({f.file for f in report.errors})} "
                "file(s); nothing was loaded (use --lenient to load the rows that pass)",
                failures=report.failures,
            )
        loaded = [_load_one(store, data, acting.user.username) for data in returns]
        if any(r.kind == "ssda903" for r in returns):
            rebuild_clean_episodes(store)
        acting.target = ", ".join(f"{r.kind} {r.year}" for r in returns)
    return LoadResult(loaded=loaded, report=report)


def _load_id(data: ReturnData) -> str:
    digest = hashlib.sha256()
    for path in sorted(data.sources):
        digest.update(str(path).encode())
    return f"{data.kind}-{data.year}-{digest.hexdigest()[:10]}"


def _load_one(store: Store, data: ReturnData, user: str | None) -> LoadedReturn:
    load_id = _load_id(data)
    errors = [f for f in data.failures if f.severity == "error" and _key(f) is not None]
    bad: dict[tuple[str, str, int], list[Failure]] = {}
    for failure in errors:
        bad.setdefault((failure.table, failure.file, int(_key(failure) or 0)), []).append(failure)
    parents = failing_parents(data.kind, errors)
    rows_loaded: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for name in ("loads", "validation_failures", "quarantine", "extra_columns", "absent_tables"):
        store.execute(f"delete from {name} where kind = ? and year = ?", [data.kind, data.year])
    for table, spec in SPECS[data.kind].items():
        target = store_table(data.kind, table)
        store.execute(f"delete from {target} where year = ?", [data.year])
        frame = data.tables.get(table)
        if frame is None or frame.empty:
            rows_loaded[table] = 0
            continue
        files = frame[FILE_COLUMN].astype(str).tolist()
        keys = record_keys(frame)
        own = [(table, f, r) in bad for f, r in zip(files, keys, strict=True)]
        taken = taken_by_parents(frame, parents)
        failing = pd.Series(
            [o or t is not None for o, t in zip(own, taken, strict=True)], index=frame.index
        )
        good = frame[~failing]
        _insert(store, target, spec, good, data.year, load_id)
        rows_loaded[table] = len(good)
        if failing.any():
            reasons = {
                label: (bad.get((table, f, r), []), t)
                for label, f, r, t, fail in zip(
                    frame.index, files, keys, taken, failing, strict=True
                )
                if fail
            }
            quarantined[table] = _quarantine(
                store, data, table, frame[failing], reasons, parents, load_id
            )
    for table, extra in data.extras.items():
        _keep_extra_columns(store, data, table, extra, load_id)
    for table in data.absent:
        store.execute(
            "insert into absent_tables (load_id, kind, year, table_name) values (?, ?, ?, ?)",
            [load_id, data.kind, data.year, table],
        )
    if data.failures:
        failures = failures_frame(data.failures)
        failures.insert(0, "load_id", load_id)
        failures.insert(1, "kind", data.kind)
        failures.insert(2, "year", data.year)
        with store.registered("_failures", pa.Table.from_pandas(failures, preserve_index=False)):
            store.execute(
                "insert into validation_failures (load_id, kind, year, source_file, source_row,"
                " child_id, table_name, field, rule, message, severity, location) select"
                ' load_id, kind, year, "file", "row", child_id, "table", field, rule, message,'
                ' severity, "where" from _failures'
            )
    store.execute("delete from loads where load_id = ?", [load_id])
    store.execute(
        "insert into loads (load_id, kind, year, source, rows_loaded, loaded_by) "
        "values (?, ?, ?, ?, ?, ?)",
        [
            load_id,
            data.kind,
            data.year,
            "; ".join(sorted(str(p) for p in data.sources)),
            sum(rows_loaded.values()),
            user,
        ],
    )
    return LoadedReturn(
        data.kind,
        data.year,
        load_id,
        rows_loaded,
        sum(quarantined.values()),
        data.failures,
        quarantined,
    )


def _key(failure: Failure) -> int | None:
    """The record a failure is about: its record key, or (from older callers) its line."""
    return failure.record if failure.record is not None else failure.row


def record_keys(frame: pd.DataFrame) -> list[int]:
    """Each row's record key in its file (its line, for a frame without record keys)."""
    column = RECORD_COLUMN if RECORD_COLUMN in frame else ROW_COLUMN
    return [int(v) for v in frame[column].astype("int64")]


def failing_parents(kind: str, errors: Sequence[Failure]) -> dict[str, dict[str, list[Failure]]]:
    """Per file, the places of parent records whose key is blank or unreadable, with why."""
    keys = PARENTS.get(kind, {})
    out: dict[str, dict[str, list[Failure]]] = {}
    for failure in errors:
        structural = failure.rule.startswith("S-")
        if structural and failure.where and failure.field in keys.get(failure.table, ()):
            out.setdefault(failure.file, {}).setdefault(failure.where, []).append(failure)
    return out


def taken_by_parents(
    frame: pd.DataFrame, parents: dict[str, dict[str, list[Failure]]]
) -> list[str | None]:
    """For each row, the place of the nearest failing parent it lies under, or None."""
    if not parents or WHERE_COLUMN not in frame:
        return [None] * len(frame)
    out: list[str | None] = []
    for file, where in zip(
        frame[FILE_COLUMN].astype(str), frame[WHERE_COLUMN].astype(str), strict=True
    ):
        failing = parents.get(file)
        found = None
        if failing:
            cut = where.rfind("/")
            while cut > 0:
                if where[:cut] in failing:
                    found = where[:cut]
                    break
                cut = where.rfind("/", 0, cut)
        out.append(found)
    return out


def short_place(where: str) -> str:
    """A place as people name it: from its first numbered step ('Child[3]/CINdetails[1]')."""
    steps = where.split("/")
    first = next((i for i, step in enumerate(steps) if step.endswith("]")), 0)
    return "/".join(steps[first:])


def _insert(
    store: Store, target: str, spec: TableSpec, frame: pd.DataFrame, year: int, load_id: str
) -> None:
    columns = list(spec)
    out = frame.reindex(columns=columns).copy()
    out["year"] = year
    out["load_id"] = load_id
    out["source_file"] = frame[FILE_COLUMN].astype(str).to_numpy()
    out["source_row"] = frame[ROW_COLUMN].astype("int64").to_numpy()
    arrow = pa.Table.from_pandas(out, preserve_index=False)
    selects = []
    for name, kind in spec.items():
        cast = {"date": "DATE", "int": "BIGINT", "bool": "BOOLEAN"}.get(kind, "VARCHAR")
        selects.append(f"cast({name} as {cast})")
    selects += ["year", "load_id", "source_file", "source_row"]
    with store.registered("_incoming", arrow):
        store.execute(f"insert into {target} select {', '.join(selects)} from _incoming")


def _keep_extra_columns(
    store: Store, data: ReturnData, table: str, extra: pd.DataFrame, load_id: str
) -> None:
    """Keep a table's extra columns as read, one row per filled value, beside the load."""
    names = [c for c in extra.columns if c not in (FILE_COLUMN, ROW_COLUMN)]
    long = extra.melt(
        id_vars=[FILE_COLUMN, ROW_COLUMN], value_vars=names, var_name="column_name"
    ).dropna(subset=["value"])
    long = long[long["value"].astype(str).str.strip() != ""]
    if long.empty:
        return
    out = pd.DataFrame(
        {
            "load_id": load_id,
            "kind": data.kind,
            "year": data.year,
            "table_name": table,
            "source_file": long[FILE_COLUMN].astype(str).to_numpy(),
            "source_row": long[ROW_COLUMN].astype("int64").to_numpy(),
            "column_name": long["column_name"].astype(str).to_numpy(),
            "value": long["value"].astype(str).to_numpy(),
        }
    )
    with store.registered("_extra", pa.Table.from_pandas(out, preserve_index=False)):
        store.execute("insert into extra_columns select * from _extra")


def _quarantine(
    store: Store,
    data: ReturnData,
    table: str,
    rows: pd.DataFrame,
    reasons: dict[object, tuple[list[Failure], str | None]],
    parents: dict[str, dict[str, list[Failure]]],
    load_id: str,
) -> int:
    """Set records aside with their own failures, and any parent's that took them along.

    ``reasons`` holds, per row label, the row's own failures and the place of the failing
    parent that takes it along (or None); ``parents`` those parents' failures (see
    ``failing_parents``).
    """
    child_column = next((c for c in _CHILD_COLUMNS if c in rows), None)
    records = []
    for label, row in rows.iterrows():
        own, parent = reasons[label]
        file = str(row[FILE_COLUMN])
        messages = list(dict.fromkeys(f.message for f in own))
        rules = {f.rule for f in own}
        if parent is not None:
            because = parents[file][parent]
            rules |= {f.rule for f in because}
            said = " | ".join(dict.fromkeys(f.message for f in because))
            messages.append(f"quarantined with its parent {short_place(parent)}: {said}")
        child = row[child_column] if child_column is not None else None
        if child is None or pd.isna(child):
            child = next((f.child_id for f in own if f.child_id is not None), None)
        values = {
            k: (None if pd.isna(v) else str(v)) for k, v in row.items() if k not in LOCATION_COLUMNS
        }
        where = row[WHERE_COLUMN] if WHERE_COLUMN in rows else None
        records.append(
            (
                load_id,
                data.kind,
                data.year,
                table,
                file,
                int(row[ROW_COLUMN]),
                None if child is None else str(child),
                json.dumps(values, sort_keys=True),
                ",".join(sorted(rules)),
                " | ".join(messages),
                None if where is None or pd.isna(where) else str(where),
            )
        )
    store.executemany(
        "insert into quarantine (load_id, kind, year, table_name, source_file, source_row,"
        " child_id, record, rules, messages, location) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        records,
    )
    return len(records)


def rebuild_clean_episodes(store: Store) -> int:
    """Rebuild the cleaned cross-year episode history from every loaded SSDA903 year."""
    cols = ", ".join(EPISODE_COLUMNS)
    episodes = store.fetch_df(f"select {cols}, year from ssda903_episodes")
    years = [
        int(y) for (y,) in store.fetchall("select distinct year from ssda903_episodes order by 1")
    ]
    clean = clean_episodes(episodes, years) if years else clean_episodes(episodes, [0])
    store.execute("delete from ssda903_episodes_clean")
    if len(clean):
        with store.registered("_clean", pa.Table.from_pandas(clean, preserve_index=False)):
            store.execute(
                "insert into ssda903_episodes_clean select child, cast(decom as date), rne, ls,"
                " cin, place, place_provider, cast(dec as date), rec, reason_place_change,"
                " home_post, pl_post, urn, year, placement_change, period_of_care, cleaning"
                " from _clean"
            )
    return len(clean)


def _from_store(store: Store, kind: str, year: int) -> ReturnData | None:
    """Last year's return as canonical tables, read back from the store (for cross-year rules)."""
    if kind not in SPECS:
        return None
    tables: dict[str, pd.DataFrame] = {}
    for table, spec in SPECS[kind].items():
        name = store_table(kind, table)
        if not store.table_exists(name):
            return None
        cols = ", ".join(spec)
        frame = store.fetch_df(
            f"select {cols}, source_file as {FILE_COLUMN}, source_row as {ROW_COLUMN} "
            f"from {name} where year = ?",
            [year],
        )
        tables[table] = frame
    if all(frame.empty for frame in tables.values()):
        return None
    absent = [
        str(row[0])
        for row in store.fetchall(
            "select distinct table_name from absent_tables where kind = ? and year = ?",
            [kind, year],
        )
    ]
    return ReturnData(kind=kind, year=year, tables=tables, sources=[], absent=absent)  # type: ignore[arg-type]
