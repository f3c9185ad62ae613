"""The register of DfE validation rules, and the runner that turns their hits into Failures.

A rule is a small function over one year's canonical tables (and, for cross-year rules, last
year's). It returns the rows that break it, per table, as index labels of that table::

    @rule(code="356", kind="ssda903", message="The date the episode ceased is before ...",
          fields=("dec", "decom"), tables=("episodes",))
    def episode_ends_before_it_starts(tables, year, previous):
        episodes = tables["episodes"]
        return {"episodes": episodes.index[episodes["dec"] < episodes["decom"]]}

``run_rules`` runs every rule that applies to a return's kind and year and reports every
failing row, never only the first.

``fields`` are canonical columns of the table a failure is reported on; the failure names the
first by its DfE name, and its message ends with the row's values of all of them, as the DfE
writes them: "... (DEC 01/05/2022, DECOM 03/06/2022)". A field written ``table.column`` is
another table's value for the same child (or CIN episode), shown beside the row's own
(``header.dob`` on an episode): a table with one row per child or episode (``LOOKUP``) that
the rule declares. It is the table's own field when the failure is on that table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from turnaround.errors import ConfigError, NotFound
from turnaround.returns.canonical import SPECS
from turnaround.returns.model import (
    FILE_COLUMN,
    RECORD_COLUMN,
    ROW_COLUMN,
    WHERE_COLUMN,
    Failure,
    ReturnData,
    Severity,
)
from turnaround.returns.schema import ReturnSchema, schema_for

RuleKind = Literal["ssda903", "cin"]
LOOKUP: dict[str, dict[str, tuple[str, ...]]] = {
    "ssda903": {t: ("child",) for t in ("header", "uasc", "oc2", "oc3", "ad1", "prev_perm")},
    "cin": {"children": ("child_id",), "episodes": ("child_id", "episode")},
}
"""Tables with one row per key (a child, a CIN episode) whose values may be shown on another
table's failures, matched on that key."""
Hits = Mapping[str, Iterable[Any]]
"""Failing rows per canonical table name, as index labels of that table's frame."""


class WholeReturn(tuple[()]):
    """A hit on the return as a whole, not on any row: no row holds what is missing."""


WHOLE_RETURN = WholeReturn()
"""Return this for a table (``{"pre_proceedings": WHOLE_RETURN}``) when the return as a whole
breaks the rule, such as no child having a block at all; it is reported once, with no row."""


class Tables(dict[str, pd.DataFrame]):
    """A return's tables, plus a memo so rules can share work such as one sort of episodes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memo: dict[str, Any] = {}


Check = Callable[[Tables, int, Tables | None], Hits]


@dataclass(frozen=True)
class Rule:
    """One DfE validation rule: what it says, what it reads and the check that applies it."""

    code: str
    kind: RuleKind
    message: str
    fields: tuple[str, ...]
    tables: tuple[str, ...]
    years: tuple[int, int | None]
    severity: Severity
    cross_year: bool
    check: Check

    def fields_on(self, table: str) -> tuple[tuple[str, str], ...]:
        """The (table, column) pairs shown on a failure reported on ``table``, its own first.

        An unqualified field is ``table``'s own; ``other.column`` is ``table``'s own if it names
        it, and is shown from ``other`` only if that has one row per key (``LOOKUP``).
        """
        own, other = [], []
        for name in self.fields:
            where, _, column = name.rpartition(".")
            if not where or where == table:
                own.append((table, column))
            elif where in LOOKUP[self.kind]:
                other.append((where, column))
        return (*own, *other)

    def applies_to(self, year: int) -> bool:
        """True if the rule was in force for the collection year ``year``."""
        first, last = self.years
        return first <= year and (last is None or year <= last)


RULES: dict[tuple[RuleKind, str], Rule] = {}


def rule(
    *,
    code: str,
    kind: RuleKind,
    message: str,
    fields: tuple[str, ...],
    tables: tuple[str, ...],
    years: tuple[int, int | None] = (2000, None),
    severity: Severity = "error",
    cross_year: bool = False,
) -> Callable[[Check], Check]:
    """Register a check as the DfE rule ``code``; ``cross_year`` rules need last year's data."""

    def register(check: Check) -> Check:
        key = (kind, code)
        if key in RULES:
            raise ConfigError(f"rule {kind} {code} registered twice")
        RULES[key] = Rule(code, kind, message, fields, tables, years, severity, cross_year, check)
        return check

    return register


def rules_for(kind: str, year: int) -> list[Rule]:
    """The rules that apply to one return kind in one collection year, in code order."""
    _load_rule_modules()
    return sorted(
        (r for r in RULES.values() if r.kind == kind and r.applies_to(year)),
        key=lambda r: r.code,
    )


def _load_rule_modules() -> None:
    # Importing registers the rules; done lazily so the registry has no import cycle.
    from turnaround.returns.rules import cin, ssda903  # noqa: F401


def complete_tables(kind: str, tables: Mapping[str, pd.DataFrame]) -> Tables:
    """The tables with every canonical table and column present, empty or all-NA if absent."""
    out = Tables()
    for name, spec in SPECS[kind].items():
        frame = tables.get(name)
        if frame is None:
            frame = _empty(spec)
        else:
            missing = [c for c in spec if c not in frame.columns]
            if missing:
                frame = frame.assign(**{c: _blank(spec[c], len(frame)) for c in missing})
        out[name] = frame
    return out


def _empty(spec: Mapping[str, str]) -> pd.DataFrame:
    columns = {c: _blank(t, 0) for c, t in spec.items()}
    columns[FILE_COLUMN] = pd.Series([], dtype="string")
    columns[ROW_COLUMN] = pd.Series([], dtype="Int64")
    columns[RECORD_COLUMN] = pd.Series([], dtype="Int64")
    columns[WHERE_COLUMN] = pd.Series([], dtype="string")
    return pd.DataFrame(columns)


def _blank(column_type: str, n: int) -> pd.Series:
    dtype = {"date": "datetime64[ns]", "int": "Int64", "bool": "boolean"}.get(column_type, "string")
    return pd.Series([None] * n, dtype=dtype)


def run_rules(
    data: ReturnData, previous: ReturnData | None = None, only: Iterable[str] | None = None
) -> list[Failure]:
    """Every failure of every DfE rule that applies to this return's kind and year.

    Cross-year rules run only when last year's return is given; ``only`` limits the run to
    some rule codes. A rule that needs a table the return does not have (``data.absent``) is
    not run: it gets one query-level failure saying so (see ``not_run``), never silence; so is
    a cross-year rule that needs a table last year's return does not have.
    """
    wanted = set(only) if only is not None else None
    tables = complete_tables(data.kind, data.tables)
    last = complete_tables(previous.kind, previous.tables) if previous is not None else None
    child_column = "child" if data.kind == "ssda903" else "child_id"
    absent = set(data.absent)
    failures: list[Failure] = []
    for r in rules_for(data.kind, data.year):
        if (r.cross_year and last is None) or (wanted is not None and r.code not in wanted):
            continue
        needs = [t for t in r.tables if t in absent]
        if needs:
            failures.append(_not_run(r, data, needs))
            continue
        needs_last = [t for t in r.tables if r.cross_year and previous and t in previous.absent]
        if needs_last and previous is not None:
            # named by last year's layout: "needs the 2017-18 return's Episodes table"
            failures.append(_not_run(r, previous, needs_last, last_year=True))
            continue
        for table, labels in r.check(tables, data.year, last).items():
            if isinstance(labels, WholeReturn):
                failures.append(_whole_return_failure(r, table, data))
                continue
            failures.extend(_failures(r, table, tables, labels, child_column, data.year))
    return failures


def _whole_return_failure(r: Rule, table: str, data: ReturnData) -> Failure:
    return Failure(
        file=", ".join(sorted(p.name for p in data.sources)),
        row=None,
        child_id=None,
        table=table,
        field=_field_name(r, table, schema_for(data.kind, data.year)),
        rule=r.code,
        message=r.message,
        severity=r.severity,
    )


NOT_RUN = "not run: needs "
"""How the message of a rule that could not run begins (``not_run`` finds them)."""


def _not_run(r: Rule, data: ReturnData, needs: list[str], *, last_year: bool = False) -> Failure:
    schema = schema_for(data.kind, data.year)
    whose = f"the {data.year - 1}-{data.year % 100:02d} return's " if last_year else "the "
    named = []
    for name in needs:
        table = schema.table(name)
        label = f"{table.name} table ({table.file})" if table.file else f"{table.name} table"
        named.append(whose + label)
    return Failure.about_file("", needs[0], r.code, NOT_RUN + " and ".join(named))


def not_run(failures: Iterable[Failure]) -> dict[str, str]:
    """The rules a run could not apply, each with what it needed ('needs the Header table')."""
    return {
        f.rule: f.message.removeprefix("not run: ")
        for f in failures
        if f.severity == "query" and f.message.startswith(NOT_RUN)
    }


def _failures(
    r: Rule, table: str, tables: Tables, labels: Iterable[Any], child_column: str, year: int
) -> list[Failure]:
    frame = tables[table]
    index = pd.Index(labels).unique()
    if index.empty:
        return []
    rows = frame.loc[index]
    files = rows[FILE_COLUMN].astype(object).to_numpy() if FILE_COLUMN in rows else None
    lines = rows[ROW_COLUMN].astype(object).to_numpy() if ROW_COLUMN in rows else None
    records = _column(rows, RECORD_COLUMN)
    places = _column(rows, WHERE_COLUMN)
    children = rows[child_column].astype(object).to_numpy()
    schema = schema_for(r.kind, year)
    field = _field_name(r, table, schema)
    shown = shown_values(r, table, rows, tables, schema)
    out = []
    for i in range(len(rows)):
        line = lines[i] if lines is not None else None
        child = children[i]
        out.append(
            Failure(
                file=str(files[i]) if files is not None and not pd.isna(files[i]) else "",
                row=None if line is None or pd.isna(line) else int(line),
                child_id=None if pd.isna(child) else str(child),
                table=table,
                field=field,
                rule=r.code,
                message=r.message + shown[i],
                severity=r.severity,
                where=None if places[i] is None else str(places[i]),
                record=None if records[i] is None else int(records[i]),
            )
        )
    return out


def shown_fields(r: Rule, table: str, schema: ReturnSchema) -> tuple[tuple[str, str], ...]:
    """``r.fields_on(table)`` less any of ``table``'s own that its year's layout lacks (URN
    before 2014-15): a value a return could not hold is not shown as blank."""
    try:
        layout = {c.canonical for c in schema.table(table).columns}
    except NotFound:
        return r.fields_on(table)
    return tuple((t, c) for t, c in r.fields_on(table) if t != table or c in layout)


def _field_name(r: Rule, table: str, schema: ReturnSchema) -> str | None:
    """The DfE's name for the first field a rule reports on ``table``."""
    fields = shown_fields(r, table, schema)
    if not fields:
        return None
    where, column = fields[0]
    return _dfe_name(schema, where, column)


def _dfe_name(schema: ReturnSchema, table: str, column: str) -> str:
    try:
        return schema.table(table).dfe_name(column)
    except NotFound:  # a table this year's layout lacks (read empty): its canonical name
        return column.upper() if schema.kind == "ssda903" else column


def shown_values(
    r: Rule,
    table: str,
    rows: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    schema: ReturnSchema,
) -> np.ndarray:
    """Per failing row, ' (DEC 01/05/2022, DECOM 03/06/2022)': its values of the rule's fields.

    Vectorised over the failing rows: one formatting pass per field, not per row.
    """
    parts: list[pd.Series] = []
    for where, column in shown_fields(r, table, schema):
        if where == table:
            values = rows[column] if column in rows else pd.Series(pd.NA, index=rows.index)
        else:
            values = _looked_up(tables[where], rows, LOOKUP[schema.kind][where], column)
        label = _dfe_name(schema, where, column)
        parts.append(label + " " + format_values(values, schema.kind))
    if not parts:
        return np.full(len(rows), "", dtype=object)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ", " + part
    return (" (" + joined + ")").to_numpy(dtype=object)


def _looked_up(
    other: pd.DataFrame, rows: pd.DataFrame, keys: tuple[str, ...], column: str
) -> pd.Series:
    """``other``'s ``column`` for each row, matched on ``keys`` (first match; NA if none)."""
    if not set(keys) <= set(rows.columns):
        return pd.Series(pd.NA, index=rows.index)
    by_key = other.drop_duplicates(list(keys)).set_index(list(keys))[column]
    wanted = rows[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(rows[list(keys)])
    # reindex, not Series.map: map fails on an empty mapper of dates (pandas casts to float).
    return pd.Series(by_key.reindex(wanted).to_numpy(), index=rows.index, dtype=by_key.dtype)


def format_values(values: pd.Series, kind: str) -> pd.Series:
    """Values as the DfE writes them: dates dd/mm/yyyy, yes/no 1/0 (CIN true/false), 'blank'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%d/%m/%Y")
    elif pd.api.types.is_bool_dtype(values):
        yes, no = ("true", "false") if kind == "cin" else ("1", "0")
        text = values.astype("boolean").map({True: yes, False: no}, na_action="ignore")
    else:
        text = values.astype("string")
    return text.astype(object).where(values.notna().to_numpy(), "blank").astype(str)


def split_message(rule_code: str, message: str) -> tuple[str, str]:
    """A failure's message as the rule's own words and the values shown after them.

    ``("The date ... started.", "DEC 01/05/2022, DECOM 03/06/2022")``; a message that is not a
    registered rule's with values (a structural failure) comes back whole, with no values.
    """
    _load_rule_modules()
    for kind in ("ssda903", "cin"):
        r = RULES.get((kind, rule_code))
        if r is not None and message.startswith(r.message + " (") and message.endswith(")"):
            return r.message, message[len(r.message) + 2 : -1]
    return message, ""


def _column(rows: pd.DataFrame, name: str) -> list[Any]:
    """A bookkeeping column's values with None for NA, or all None if the frame lacks it."""
    if name not in rows:
        return [None] * len(rows)
    return [None if pd.isna(v) else v for v in rows[name].astype(object)]


def flagged_children(failures: Iterable[Failure]) -> dict[str, set[str]]:
    """The children each rule flagged, for comparing with another validator."""
    out: dict[str, set[str]] = {}
    for f in failures:
        if f.child_id is not None:
            out.setdefault(f.rule, set()).add(f.child_id)
    return out


def isin(values: pd.Series, of: Iterable[Any]) -> pd.Series:
    """``values.isin(of)`` as a plain boolean Series, NA counting as not in.

    Done by Arrow: pandas' own ``isin`` on strings takes about 80 ms for 15,000 child ids
    against 2 ms here, and membership tests are most of what these rules do.
    """
    wanted = of if isinstance(of, pd.Series | pd.Index) else pd.Series(list(of), dtype=object)
    found = pc.is_in(
        pa.array(values, from_pandas=True), value_set=pa.array(wanted, from_pandas=True)
    )
    flags = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return pd.Series(flags, index=values.index)


def as_index(mask: pd.Series | np.ndarray, frame: pd.DataFrame) -> pd.Index:
    """The index labels of ``frame`` where a boolean mask (NA counting as False) is true."""
    values = mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else mask
    return frame.index[values]
