"""Each return's layout and code lists, by collection year, read from data files.

A return's schema lives in ``data/<kind>/``: ``2014.yaml`` describes collection year 2013-14 in
full, and each later ``<year>.yaml`` lists only that year's ``changes`` to the year before. A
year without a file changed nothing. ``schema_for(kind, year)`` starts from the base and
applies every change up to ``year``. Years before 2013-14 are read with the 2013-14 schema.

Changes, each one a mapping with a single key:

    add_column:    {table, after, column: {name, type, ...}}   a new column after another
    drop_column:   {table, column}
    set_column:    {table, column, <attribute>: <value>, ...}  e.g. a new element name
    add_table:     {table, canonical, columns, required}
    set_table:     {table, required}                           a table joins (or leaves) the layout
    add_codes:     {list, codes}
    remove_codes:  {list, codes}
    set_codes:     {list, codes}                               a list replaced outright
    set_flag:      {<flag>: <value>}                           a reader switch

A column: ``name`` (DfE column for SSDA903, canonical name for CIN and Annex A), ``canonical``
(defaults to ``name`` lower-cased), ``type`` (date, code, text, int, bool), ``required`` (the
value may not be blank), ``codes`` (the name of a code list), ``element`` (CIN: the XML
element), ``heading`` (Annex A: the column heading), ``min``/``max`` (int bounds), and
``dfe_name``, the DfE's name for the column, which messages show. It defaults to the return's
own convention: the CSV header for SSDA903 (``name``), the element for CIN, the heading for
Annex A; give it only where that is not the DfE's name.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from turnaround.errors import ConfigError, NotFound

ColumnType = Literal["date", "code", "text", "int", "bool"]
Kind = Literal["ssda903", "cin", "annex_a"]

KINDS: tuple[Kind, ...] = ("ssda903", "cin", "annex_a")
BASE_YEAR = 2014
"""2013-14: the first collection year described in full."""


def _file_years(kind: str) -> list[int]:
    """The collection years that have a schema file for ``kind`` (names only, nothing parsed)."""
    folder = resources.files("turnaround.returns.schema").joinpath("data", kind)
    return sorted(
        int(entry.name[:4])
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and entry.name[:4].isdigit()
    )


LATEST_YEAR = max(year for kind in KINDS for year in _file_years(kind))
"""The latest collection year described: that of the newest schema file of any return.

A year with no file for a return changed nothing in it, so every return is described up to here.
"""
EARLIEST_YEAR = 2000
"""Older files than this are refused as a wrong year; 2000-2013 are read with the base."""

_TYPES = frozenset({"date", "code", "text", "int", "bool"})


@dataclass(frozen=True)
class ColumnSchema:
    """One column of one table in one collection year."""

    name: str
    canonical: str
    type: ColumnType
    required: bool = False
    codes: str | None = None
    element: str | None = None
    heading: str | None = None
    min: int | None = None
    max: int | None = None
    dfe_name: str = ""  # the DfE's name for the column; '' means ``name``

    def __post_init__(self) -> None:
        if not self.dfe_name:
            object.__setattr__(self, "dfe_name", self.name)


@dataclass(frozen=True)
class TableSchema:
    """One table: its name in the return, its canonical name and its columns in order."""

    name: str
    canonical: str
    columns: tuple[ColumnSchema, ...]
    required: bool = True  # part of the year's layout: must be supplied (SSDA903 CSVs)
    file: str | None = None  # the usual file name (SSDA903 CSVs)
    sheet: str | None = None  # the expected sheet name (Annex A)

    @property
    def column_names(self) -> list[str]:
        """The columns' names in the return, in order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSchema:
        """The column called ``name`` (in the return or canonically)."""
        for c in self.columns:
            if name in (c.name, c.canonical, c.dfe_name):
                return c
        raise NotFound(f"{self.name} has no column {name!r}")

    def dfe_name(self, canonical: str) -> str:
        """The DfE's name for a canonical column; a column the DfE does not name (a CIN block
        number such as ``episode``) keeps its canonical name."""
        for c in self.columns:
            if c.canonical == canonical:
                return c.dfe_name
        return canonical


@dataclass(frozen=True)
class ReturnSchema:
    """Everything structural validation needs to know about one return in one year."""

    kind: Kind
    year: int
    date_format: str  # 'dd/mm/yyyy' or 'yyyy-mm-dd'
    tables: dict[str, TableSchema]  # keyed by the table's name in the return
    codes: dict[str, frozenset[str]]
    flags: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> TableSchema:
        """A table by its name in the return or its canonical name."""
        if name in self.tables:
            return self.tables[name]
        for t in self.tables.values():
            if t.canonical == name:
                return t
        raise NotFound(f"the {self.kind} return for {self.year} has no table {name!r}")

    def code_list(self, column: ColumnSchema) -> frozenset[str] | None:
        """The codes a column accepts this year, or None if it takes any value."""
        return self.codes[column.codes] if column.codes else None


def schema_for(kind: str, year: int) -> ReturnSchema:
    """The schema of return ``kind`` for the collection year ending 31 March ``year``."""
    if kind not in KINDS:
        raise ConfigError(f"unknown return kind {kind!r} (expected one of {', '.join(KINDS)})")
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ConfigError(
            f"no {kind} schema for collection year {year}: "
            f"years {EARLIEST_YEAR}-{LATEST_YEAR} are described"
        )
    return _build(kind, max(year, BASE_YEAR))


def years_with_changes(kind: str) -> list[int]:
    """The collection years whose file changes the return ``kind`` (the base year first)."""
    return sorted(_documents(kind))


def annex_a_tables() -> dict[str, dict[str, ColumnType]]:
    """Annex A's canonical tables (list1_contacts ... list11_adopters) and their column types."""
    latest = schema_for("annex_a", LATEST_YEAR)
    return {t.canonical: {c.canonical: c.type for c in t.columns} for t in latest.tables.values()}


@cache
def _documents(kind: str) -> dict[int, dict[str, Any]]:
    folder = resources.files("turnaround.returns.schema").joinpath("data", kind)
    docs: dict[int, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml") and entry.name[:4].isdigit():
            text = entry.read_text(encoding="utf-8")
            try:
                docs[int(entry.name[:4])] = yaml.safe_load(text) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(
                    f"schema file {kind}/{entry.name} is not valid YAML: {exc}"
                ) from exc
    if BASE_YEAR not in docs:
        raise ConfigError(f"schema for {kind} has no base year file {BASE_YEAR}.yaml")
    return docs


@cache
def _build(kind: str, year: int) -> ReturnSchema:
    docs = _documents(kind)
    base = copy.deepcopy(docs[BASE_YEAR])
    state: dict[str, Any] = {
        "codes": {k: list(map(str, v)) for k, v in (base.get("codes") or {}).items()},
        "tables": base["tables"],
        "flags": {},
    }
    for change_year in sorted(docs):
        if BASE_YEAR < change_year <= year:
            for change in docs[change_year].get("changes") or []:
                _apply(state, change, f"{kind}/{change_year}.yaml")
    return ReturnSchema(
        kind=kind,  # type: ignore[arg-type]
        year=year,
        date_format=str(base.get("date_format", "dd/mm/yyyy")),
        tables={
            name: _table(name, spec, kind, state["codes"]) for name, spec in state["tables"].items()
        },
        codes={k: frozenset(v) for k, v in state["codes"].items()},
        flags=dict(state["flags"]),
    )


def _apply(state: dict[str, Any], change: dict[str, Any], where: str) -> None:
    (op, args), *rest = change.items()
    if rest:
        raise ConfigError(f"{where}: each change has one operation, got {list(change)}")
    tables: dict[str, Any] = state["tables"]
    codes: dict[str, list[str]] = state["codes"]

    def columns_of(table: str) -> list[dict[str, Any]]:
        if table not in tables:
            raise ConfigError(f"{where}: {op} names unknown table {table!r}")
        cols: list[dict[str, Any]] = tables[table]["columns"]
        return cols

    def index_of(cols: list[dict[str, Any]], name: str) -> int:
        for i, c in enumerate(cols):
            if c["name"] == name:
                return i
        raise ConfigError(f"{where}: {op} names unknown column {name!r}")

    if op == "add_column":
        cols = columns_of(args["table"])
        cols.insert(index_of(cols, args["after"]) + 1, dict(args["column"]))
    elif op == "drop_column":
        cols = columns_of(args["table"])
        del cols[index_of(cols, args["column"])]
    elif op == "set_column":
        cols = columns_of(args["table"])
        updates = {k: v for k, v in args.items() if k not in ("table", "column")}
        cols[index_of(cols, args["column"])].update(updates)
    elif op == "add_table":
        tables[args["table"]] = {k: v for k, v in args.items() if k != "table"}
    elif op == "set_table":
        columns_of(args["table"])
        tables[args["table"]].update({k: v for k, v in args.items() if k != "table"})
    elif op in ("add_codes", "remove_codes", "set_codes"):
        name, new = args["list"], [str(c) for c in args["codes"]]
        if op != "set_codes" and name not in codes:
            raise ConfigError(f"{where}: {op} names unknown code list {name!r}")
        if op == "add_codes":
            codes[name] = codes[name] + [c for c in new if c not in codes[name]]
        elif op == "remove_codes":
            codes[name] = [c for c in codes[name] if c not in new]
        else:
            codes[name] = new
    elif op == "set_flag":
        state["flags"].update(args)
    else:
        raise ConfigError(f"{where}: unknown change {op!r}")


def _table(name: str, spec: dict[str, Any], kind: str, codes: dict[str, list[str]]) -> TableSchema:
    columns = []
    for raw in spec["columns"]:
        col_type = raw.get("type", "text")
        if col_type not in _TYPES:
            raise ConfigError(f"{kind} {name}.{raw['name']}: unknown type {col_type!r}")
        if raw.get("codes") and raw["codes"] not in codes:
            raise ConfigError(f"{kind} {name}.{raw['name']}: unknown code list {raw['codes']!r}")
        columns.append(
            ColumnSchema(
                name=str(raw["name"]),
                canonical=str(raw.get("canonical", str(raw["name"]).lower())),
                type=col_type,
                required=bool(raw.get("required", False)),
                codes=raw.get("codes"),
                element=raw.get("element"),
                heading=raw.get("heading"),
                min=raw.get("min"),
                max=raw.get("max"),
                dfe_name=_dfe_name(raw, kind),
            )
        )
    return TableSchema(
        name=name,
        canonical=str(spec.get("canonical", name)),
        columns=tuple(columns),
        required=bool(spec.get("required", True)),
        file=spec.get("file"),
        sheet=spec.get("sheet"),
    )


def _dfe_name(raw: dict[str, Any], kind: str) -> str:
    """The DfE's name for a column: ``dfe_name`` if the file gives one, else by the return's
    convention (SSDA903: the CSV header; CIN: the XML element; Annex A: the heading)."""
    if raw.get("dfe_name"):
        return str(raw["dfe_name"])
    if kind == "cin" and raw.get("element"):
        return str(raw["element"])
    if kind == "annex_a" and raw.get("heading"):
        return str(raw["heading"])
    return str(raw["name"])


@functools.lru_cache(maxsize=4096)
def normal_name(text: str) -> str:
    """A table, column or heading name reduced for matching: upper case, letters and digits only.

    'Age of Child (Years)', ' age_of_child_years ' and 'AGE OF CHILD YEARS' all reduce alike.
    """
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True)
class Aliases:
    """Other names a return's tables and columns go by in councils' exports and other tools.

    Kept as data beside the schemas (``data/<kind>/aliases.yaml``), by collection year. Names are
    matched after ``normal_name``.
    """

    tables: dict[str, str]  # normal name of a file stem or sheet -> the table's name in the return
    columns: dict[str, dict[str, str]]  # table name -> normal name of an alias -> column name

    def table(self, name: str) -> str | None:
        """The table a file stem or sheet name is an alias of, if any."""
        return self.tables.get(normal_name(name))

    def column(self, table: str, name: str) -> str | None:
        """The column an alias stands for in ``table``, if any."""
        return self.columns.get(table, {}).get(normal_name(name))


@cache
def aliases_for(kind: str, year: int) -> Aliases:
    """The aliases in force for return ``kind`` in collection year ``year``.

    ``aliases.yaml`` maps each table to ``names`` (other file stems or sheet names) and
    ``columns`` (column name -> its other names). Any entry may be a mapping
    ``{name: ..., years: [first, last]}`` to limit it to some collection years (``last`` may be
    null). A missing file means no aliases.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown return kind {kind!r} (expected one of {', '.join(KINDS)})")
    entry = resources.files("turnaround.returns.schema").joinpath("data", kind, "aliases.yaml")
    if not entry.is_file():
        return Aliases(tables={}, columns={})
    try:
        doc = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"aliases file {kind}/aliases.yaml is not valid YAML: {exc}") from exc
    tables: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    for table, spec in (doc.get("tables") or {}).items():
        for alias in _in_force(spec.get("names") or [], year, f"{kind}/aliases.yaml {table}"):
            tables[normal_name(alias)] = str(table)
        for column, names in (spec.get("columns") or {}).items():
            where = f"{kind}/aliases.yaml {table}.{column}"
            for alias in _in_force(names or [], year, where):
                columns.setdefault(str(table), {})[normal_name(alias)] = str(column)
    return Aliases(tables=tables, columns=columns)


def _in_force(entries: list[Any], year: int, where: str) -> list[str]:
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
            continue
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: an alias is a name or {{name, years}}, got {entry!r}")
        first, last = [*(entry.get("years") or [EARLIEST_YEAR]), None][:2]
        if int(first) <= year and (last is None or year <= int(last)):
            out.append(str(entry["name"]))
    return out
