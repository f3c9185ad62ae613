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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from turnaround.errors import ConfigError
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
from turnaround.returns.schema import schema_for

RuleKind = Literal["ssda903", "cin"]
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
    not run: it gets one query-level failure saying so (see ``not_run``), never silence.
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
        for table, labels in r.check(tables, data.year, last).items():
            if isinstance(labels, WholeReturn):
                failures.append(_whole_return_failure(r, table, data))
                continue
            failures.extend(_failures(r, table, tables[table], labels, child_column))
    return failures


def _whole_return_failure(r: Rule, table: str, data: ReturnData) -> Failure:
    return Failure(
        file=", ".join(sorted(p.name for p in data.sources)),
        row=None,
        child_id=None,
        table=table,
        field=r.fields[0] if r.fields else None,
        rule=r.code,
        message=r.message,
        severity=r.severity,
    )


NOT_RUN = "not run: needs "
"""How the message of a rule that could not run begins (``not_run`` finds them)."""


def _not_run(r: Rule, data: ReturnData, needs: list[str]) -> Failure:
    schema = schema_for(data.kind, data.year)
    named = []
    for name in needs:
        table = schema.table(name)
        named.append(f"the {table.name} table ({table.file})" if table.file else table.name)
    return Failure(
        file="",
        row=None,
        child_id=None,
        table=needs[0],
        field=None,
        rule=r.code,
        message=NOT_RUN + " and ".join(named),
        severity="query",
    )


def not_run(failures: Iterable[Failure]) -> dict[str, str]:
    """The rules a run could not apply, each with what it needed ('needs the Header table')."""
    return {
        f.rule: f.message.removeprefix("not run: ")
        for f in failures
        if f.severity == "query" and f.message.startswith(NOT_RUN)
    }


def _failures(
    r: Rule, table: str, frame: pd.DataFrame, labels: Iterable[Any], child_column: str
) -> list[Failure]:
    index = pd.Index(labels).unique()
    if index.empty:
        return []
    rows = frame.loc[index]
    files = rows[FILE_COLUMN].astype(object).to_numpy() if FILE_COLUMN in rows else None
    lines = rows[ROW_COLUMN].astype(object).to_numpy() if ROW_COLUMN in rows else None
    records = _column(rows, RECORD_COLUMN)
    places = _column(rows, WHERE_COLUMN)
    children = rows[child_column].astype(object).to_numpy()
    field = r.fields[0] if r.fields else None
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
                message=r.message,
                severity=r.severity,
                where=None if places[i] is None else str(places[i]),
                record=None if records[i] is None else int(records[i]),
            )
        )
    return out


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
