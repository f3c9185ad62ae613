"""Check a workforce source and bring it into the store, in one transaction.

Two layouts are read. The council's export is five CSVs from the HR and case-management systems
(the layout the synthetic city writes): ``staff.csv``, ``teams.csv``, ``vacancies.csv``,
``allocations.csv`` and ``senior_roles.csv``. Dates are dd/mm/yyyy (ISO yyyy-mm-dd is accepted
too); flags are Y or N; job titles are the usual ones ('Social Worker', 'Team Manager', ...).
Column names match ignoring case, spaces and punctuation. The DfE's children's social work
workforce census (CSWW), one file, is read by ``csww.py`` into the same tables.

Every row is checked, and every failure names the file, the row (the header is line 1) and the
field. Strict mode (the default) loads nothing if any error was found. Lenient mode loads the
rows that pass, and sets the failing rows aside in ``quarantine`` with their failures in
``validation_failures``. Queries (an extra column, something CSWW does not carry) never block a
load; they are kept with it. A source is the whole picture, history included, so each load
replaces the previous one, never adding to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from turnaround.access import Actor, loading
from turnaround.core.failure import Failure
from turnaround.errors import InputError, ValidationFailed
from turnaround.returns.model import failures_frame
from turnaround.store import Store
from turnaround.workforce.rows import FLAGS, WorkforceFile, dates

Mode = Literal["strict", "lenient"]
KIND = "workforce"

# Each file's columns: the export's header -> the store's column. Kept apart from the synthetic
# city's writer on purpose; tests/workforce checks that the two agree.
LAYOUT: dict[str, dict[str, str]] = {
    "staff": {
        "Staff ID": "staff_id",
        "Job Title": "role",
        "Grade": "grade",
        "Team ID": "team_id",
        "Line Manager ID": "manager_id",
        "FTE": "fte",
        "Agency Worker": "agency",
        "Start Date": "start_date",
        "Leaving Date": "leave_date",
        "Case Holder": "holds_cases",
    },
    "teams": {
        "Team ID": "team_id",
        "Team Type": "team",
        "Team Name": "name",
        "Service": "service",
    },
    "vacancies": {
        "Team ID": "team_id",
        "Post": "role",
        "Establishment FTE": "establishment_fte",
        "Filled FTE (Permanent)": "filled_fte",
        "Vacant FTE": "vacant_fte",
        "Agency Cover FTE": "agency_cover_fte",
        "As At": "at_date",
    },
    "allocations": {
        "Child ID": "child_id",
        "Allocated Worker ID": "staff_id",
        "Allocated From": "start_date",
        "Allocated To": "end_date",
    },
    "senior_roles": {
        "Staff ID": "staff_id",
        "Role": "role",
        "Portfolio": "portfolio",
    },
}
TABLES = {name: f"workforce_{name}" for name in LAYOUT}

ROLES = {
    "Social Worker": "social_worker",
    "Senior Practitioner": "senior_practitioner",
    "Team Manager": "team_manager",
    "Service Manager": "service_manager",
    "Head of Service": "head_of_service",
    "Assistant Director": "assistant_director",
    "Director": "director",
}
TEAM_TYPES = (
    "front_door",
    "assessment",
    "cin_cp",
    "looked_after",
    "care_leavers",
    "disabled_children",
)
# Columns the store can hold as blank: an export without them still loads, with an error each
# (so a strict load is refused and a lenient one says what it lacks).
MAY_BE_MISSING = {("staff", "Grade"), ("staff", "Team ID"), ("staff", "Line Manager ID")}
# FTE sums may be rounded to one decimal in the export.
FTE_TOLERANCE = 0.051


@dataclass
class LoadedWorkforce:
    """What one workforce source contributed to the store."""

    load_id: str
    year: int  # collection year (to 31 March) of the latest snapshot or census day
    rows_loaded: dict[str, int]
    rows_set_aside: int
    failures: list[Failure] = field(default_factory=list)
    layout: str = "export"  # 'export' (the council's five CSVs) or 'csww' (the DfE census)

    @property
    def errors(self) -> int:
        """Failures that set a row aside (or would refuse a strict load)."""
        return sum(f.severity == "error" for f in self.failures)

    @property
    def queries(self) -> int:
        """Failures kept as queries: they never block a load."""
        return len(self.failures) - self.errors


@dataclass
class WorkforceRead:
    """A workforce source read and checked: its tables, the collection year, its layout."""

    files: dict[str, WorkforceFile]
    year: int
    layout: str
    source: Path

    @property
    def failures(self) -> list[Failure]:
        """Every failure in every table."""
        return [f for item in self.files.values() for f in item.failures]


def read_workforce(folder: Path) -> dict[str, WorkforceFile]:
    """Read and check every file of the council's export; failures are kept on each file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such folder", path=folder)
    files = _read_all(folder)
    _check_fields(files)
    _check_rows(files)
    return files


def read_source(source: Path) -> WorkforceRead:
    """Read and check a workforce source: the export's folder, or one CSWW file."""
    from turnaround.workforce import csww  # csww reads into this module's tables

    source = Path(source)
    if source.is_file():
        files, year = csww.read_csww(source)
        return WorkforceRead(files, year, "csww", source)
    files = read_workforce(source)
    return WorkforceRead(files, _year(files["vacancies"].clean), "export", source)


def load_workforce(
    store: Store, source: Path, *, actor: Actor, mode: Mode = "strict"
) -> LoadedWorkforce:
    """Check a workforce source and load it, replacing the last; strict loads nothing if bad."""
    with loading(
        store,
        actor,
        KIND,
        reason=f"{mode} load of {source}",
        step="loading the workforce",
    ) as acting:
        read = read_source(source)
        failures = read.failures
        errors = [f for f in failures if f.severity == "error"]
        if mode == "strict" and errors:
            raise ValidationFailed(refusal(errors), failures=failures)
        load_id = _load_id(Path(source))
        rows_loaded: dict[str, int] = {}
        set_aside = 0
        for table in TABLES.values():
            store.execute(f"delete from {table}")
        for name in ("loads", "validation_failures", "quarantine"):
            store.execute(f"delete from {name} where kind = ?", [KIND])
        for name, item in read.files.items():
            bad_lines = item.error_lines
            good = item.clean[~item.clean.index.isin(bad_lines)]
            _insert(store, TABLES[name], good.assign(load_id=load_id))
            rows_loaded[name] = len(good)
            if bad_lines:
                set_aside += _quarantine(store, item, bad_lines, load_id, read.year)
        if failures:
            frame = failures_frame(failures)
            frame.insert(0, "load_id", load_id)
            frame.insert(1, "kind", KIND)
            frame.insert(2, "year", read.year)
            with store.registered("_failures", pa.Table.from_pandas(frame, preserve_index=False)):
                store.execute(
                    "insert into validation_failures (load_id, kind, year, source_file, source_row,"
                    " child_id, table_name, field, rule, message, severity, location) select"
                    ' load_id, kind, year, "file", "row", child_id, "table", field, rule, message,'
                    ' severity, "where" from _failures'
                )
        store.execute(
            "insert into loads (load_id, kind, year, source, rows_loaded, loaded_by) "
            "values (?, ?, ?, ?, ?, ?)",
            [
                load_id,
                KIND,
                read.year,
                str(source),
                sum(rows_loaded.values()),
                acting.user.username,
            ],
        )
        acting.target = f"{KIND} {read.year}"
    return LoadedWorkforce(load_id, read.year, rows_loaded, set_aside, failures, read.layout)


def refusal(errors: list[Failure]) -> str:
    """The one line a refused strict load says: how many, where the first is; no values."""
    # A row's error names the file, row and field; a file's error (a missing column) the file.
    first = min(errors, key=lambda f: (f.row is None, f.file, f.row or 0))
    where = Path(first.file).name + (f" row {first.row}" if first.row is not None else "")
    field = f" field {first.field}" if first.field else ""
    return (
        f"{len(errors):,} errors in {len({f.file for f in errors})} workforce file(s); nothing "
        f"was loaded (use --lenient to load the rows that pass); first: {where}{field} "
        f"(rule {first.rule})"
    )


# --- reading ----------------------------------------------------------------------------------


def _read_all(folder: Path) -> dict[str, WorkforceFile]:
    """Every file of the export; every missing file and column is named in one error."""
    files: dict[str, WorkforceFile] = {}
    problems: list[str] = []
    for name in LAYOUT:
        path = folder / f"{name}.csv"
        if not path.is_file():
            problems.append(f"the workforce export has no {name}.csv")
            continue
        item, missing = _read(path, name)
        if missing:
            problems.append(f"{path.name}: lacks columns: {', '.join(missing)}")
        files[name] = item
    if problems:
        raise InputError("; ".join(problems), path=folder)
    return files


def _read(path: Path, name: str) -> tuple[WorkforceFile, list[str]]:
    raw = read_csv_text(path)
    by_normal = {normal_name(c): c for c in raw.columns}
    renamed: dict[str, str] = {}
    missing: list[str] = []
    item = WorkforceFile(name, path, raw, pd.DataFrame(index=raw.index))
    for header in LAYOUT[name]:
        found = by_normal.get(normal_name(header))
        if found is not None:
            renamed[found] = header
        elif (name, header) in MAY_BE_MISSING:
            item.note(header, "W-COLUMN", f"the column {header!r} is missing", "error")
        else:
            missing.append(header)
    extra = [c for c in raw.columns if c not in renamed]
    if extra:
        item.note(
            None,
            "W-EXTRA",
            f"extra columns kept aside, not loaded: {', '.join(extra)}",
            "query",
        )
    raw = raw.rename(columns=renamed)
    for header in LAYOUT[name]:
        if header not in raw.columns:
            raw[header] = ""
    item.raw = raw[list(LAYOUT[name])]
    if "Child ID" in item.raw.columns:
        item.person = "Child ID"
    return item, missing


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV as text, trimmed, indexed by line number (the header is line 1)."""
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=True
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot be read as CSV: {str(exc).splitlines()[0]}", path=path) from None
    except pd.errors.EmptyDataError:
        raise InputError("is empty", path=path) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.map(str.strip)
    raw.index = pd.RangeIndex(2, 2 + len(raw))
    return raw


def normal_name(name: str) -> str:
    """A column name compared ignoring case, spaces and punctuation."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _check_fields(files: dict[str, WorkforceFile]) -> None:
    """Type every field, recording a failure for each value that is not what it should be."""
    for name, item in files.items():
        for header, column in LAYOUT[name].items():
            text = item.raw[header]
            blank = text.eq("")
            kind = _KINDS.get((name, column), "text")
            if kind in ("id", "required"):
                item.fail(text.index[blank], header, "W-REQUIRED", "must not be blank")
                item.clean[column] = text
            elif kind == "optional":
                item.clean[column] = text.where(~blank, None)
            elif kind == "role":
                codes = {
                    **{k.upper(): v for k, v in ROLES.items()},
                    **{v.upper(): v for v in ROLES.values()},
                }
                mapped = text.str.upper().map(codes)
                item.fail(
                    text.index[mapped.isna()],
                    header,
                    "W-CODE",
                    "'{value}' is not a job title turnaround knows (" + ", ".join(ROLES) + ")",
                )
                item.clean[column] = mapped
            elif kind == "team_type":
                ok = text.isin(TEAM_TYPES)
                item.fail(
                    text.index[~ok],
                    header,
                    "W-CODE",
                    "'{value}' is not a team type (" + ", ".join(TEAM_TYPES) + ")",
                )
                item.clean[column] = text
            elif kind in ("fte", "number"):
                value = pd.to_numeric(text.where(~blank), errors="coerce")
                upper = 1.0 if kind == "fte" else np.inf
                lower_ok = value.gt(0) if kind == "fte" else value.ge(0)
                bad = value.isna() | ~lower_ok | value.gt(upper)
                limit = "more than 0 and at most 1" if kind == "fte" else "0 or more"
                item.fail(
                    text.index[bad],
                    header,
                    "W-NUMBER",
                    "'{value}' is not a number " + limit,
                )
                item.clean[column] = value
            elif kind == "flag":
                value = text.str.upper().map(FLAGS)
                item.fail(
                    text.index[value.isna()],
                    header,
                    "W-FLAG",
                    "'{value}' is not Y or N",
                )
                item.clean[column] = value.astype(object)
            elif kind in ("date", "optional_date"):
                value = dates(text)
                bad = value.isna() & ~blank if kind == "optional_date" else value.isna()
                item.fail(
                    text.index[bad],
                    header,
                    "W-DATE",
                    "'{value}' is not a date (dd/mm/yyyy)",
                )
                item.clean[column] = value
            else:
                item.clean[column] = text.where(~blank, None)


_KINDS = {
    ("staff", "staff_id"): "id",
    ("staff", "role"): "role",
    ("staff", "grade"): "optional",
    ("staff", "team_id"): "optional",
    ("staff", "manager_id"): "optional",
    ("staff", "fte"): "fte",
    ("staff", "agency"): "flag",
    ("staff", "start_date"): "date",
    ("staff", "leave_date"): "optional_date",
    ("staff", "holds_cases"): "flag",
    ("teams", "team_id"): "id",
    ("teams", "team"): "team_type",
    ("teams", "name"): "required",
    ("teams", "service"): "required",
    ("vacancies", "team_id"): "id",
    ("vacancies", "role"): "role",
    ("vacancies", "establishment_fte"): "number",
    ("vacancies", "filled_fte"): "number",
    ("vacancies", "vacant_fte"): "number",
    ("vacancies", "agency_cover_fte"): "number",
    ("vacancies", "at_date"): "date",
    ("allocations", "child_id"): "id",
    ("allocations", "staff_id"): "optional",  # blank: a spell with nobody allocated
    ("allocations", "start_date"): "date",
    ("allocations", "end_date"): "optional_date",
    ("senior_roles", "staff_id"): "id",
    ("senior_roles", "role"): "role",
    ("senior_roles", "portfolio"): "required",
}


def _check_rows(files: dict[str, WorkforceFile]) -> None:
    """Rules across fields and files: unique ids, references that exist, dates in order."""
    staff, teams = files["staff"], files["teams"]
    staff_ids = set(staff.clean["staff_id"].dropna()) - {""}
    team_ids = set(teams.clean["team_id"].dropna()) - {""}

    for item, column, header in ((staff, "staff_id", "Staff ID"), (teams, "team_id", "Team ID")):
        ids = item.clean[column]
        repeated = ids.duplicated(keep="first") & ids.ne("")
        item.fail(
            ids.index[repeated],
            header,
            "W-UNIQUE",
            "{value} appears more than once",
        )

    def must_exist(
        item: WorkforceFile, column: str, header: str, known: set[str], where: str
    ) -> None:
        values = item.clean[column]
        unknown = values.notna() & values.ne("") & ~values.isin(known)
        item.fail(
            values.index[unknown],
            header,
            "W-REF",
            "{value} is not in " + where,
        )

    must_exist(staff, "team_id", "Team ID", team_ids, "teams.csv")
    must_exist(staff, "manager_id", "Line Manager ID", staff_ids, "staff.csv")
    must_exist(files["vacancies"], "team_id", "Team ID", team_ids, "teams.csv")
    must_exist(files["allocations"], "staff_id", "Allocated Worker ID", staff_ids, "staff.csv")
    must_exist(files["senior_roles"], "staff_id", "Staff ID", staff_ids, "staff.csv")

    own = staff.clean
    self_managed = own["manager_id"].notna() & own["manager_id"].eq(own["staff_id"])
    staff.fail(
        own.index[self_managed],
        "Line Manager ID",
        "W-REF",
        "a member of staff cannot be their own line manager",
    )
    _in_order(staff, "start_date", "leave_date", "Leaving Date", "the start date")
    _in_order(files["allocations"], "start_date", "end_date", "Allocated To", "Allocated From")

    posts = files["vacancies"].clean
    sums = (posts["establishment_fte"] - posts["filled_fte"] - posts["vacant_fte"]).abs()
    files["vacancies"].fail(
        posts.index[sums.gt(FTE_TOLERANCE)],
        "Vacant FTE",
        "W-SUM",
        "{value} is not the establishment FTE less the filled FTE",
    )
    files["vacancies"].fail(
        posts.index[posts["agency_cover_fte"].gt(posts["vacant_fte"] + FTE_TOLERANCE)],
        "Agency Cover FTE",
        "W-SUM",
        "{value} is more than the vacant FTE",
    )


def _in_order(item: WorkforceFile, start: str, end: str, header: str, after: str) -> None:
    frame = item.clean
    backwards = frame[end].notna() & frame[start].notna() & (frame[end] < frame[start])
    item.fail(frame.index[backwards], header, "W-ORDER", "{value} is before " + after)


# --- writing ----------------------------------------------------------------------------------


def _insert(store: Store, table: str, frame: pd.DataFrame) -> None:
    with store.registered("_incoming", pa.Table.from_pandas(frame, preserve_index=False)):
        columns = ", ".join(frame.columns)
        store.execute(f"insert into {table} ({columns}) select {columns} from _incoming")


def _quarantine(
    store: Store, item: WorkforceFile, lines: list[int], load_id: str, year: int
) -> int:
    by_line: dict[int, list[Failure]] = {}
    for failure in item.failures:
        if failure.row is not None and failure.severity == "error":
            by_line.setdefault(int(failure.row), []).append(failure)
    records = []
    for line in lines:
        broken = by_line[line]
        records.append(
            (
                load_id,
                KIND,
                year,
                item.name,
                str(item.path),
                line,
                broken[0].child_id,
                json.dumps(item.raw.loc[line].to_dict(), sort_keys=True),
                ",".join(sorted({f.rule for f in broken})),
                " | ".join(dict.fromkeys(f"{f.field}: {f.message}" for f in broken)),
            )
        )
    store.executemany(
        "insert into quarantine (load_id, kind, year, table_name, source_file, source_row,"
        " child_id, record, rules, messages) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        records,
    )
    return len(records)


def _year(vacancies: pd.DataFrame) -> int:
    """The collection year (to 31 March) of the latest vacancy snapshot; 0 if there is none."""
    latest = vacancies["at_date"].dropna().max() if len(vacancies) else pd.NaT
    if pd.isna(latest):
        return 0
    return int(latest.year + (1 if latest.month > 3 else 0))


def _load_id(folder: Path) -> str:
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:10]
    return f"{KIND}-{digest}"
