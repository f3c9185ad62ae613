"""Mapping files: how one partner extract's layout maps onto the standard linkage columns.

Every agency writes its extract its own way. A mapping (a YAML file, one per source) names the
column holding each thing linkage needs, and how dates and sex are written, so a new source
needs a new mapping and no new code. The mappings for the synthetic city's extracts ship in
``turnaround/linkage/sources/``; ``load_mapping('police_missing')`` finds one by name and
``load_mapping(path)`` reads any other. A mapping looks like this::

    source: police_missing
    description: Police missing-person reports.
    record_id: ReportRef
    event_date: {column: ReportedDate, format: "%d-%b-%Y"}
    forename: Forename
    surname: Surname          # or, for one combined column:
                              # name: {column: ChildName, order: forename_first}
    dob: {column: DateOfBirth, format: "%d-%b-%Y"}
    sex: {column: Sex, codes: {M: M, F: F}}
    postcode: Postcode
    address: HomeAddress
    nhs_number: NHSNumber
    upn: null                 # optional keys may be left out or null

``check_source`` reads an extract with its mapping and reports every problem it finds.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from turnaround.core.years import school_census_day
from turnaround.errors import ConfigError, InputError, describe_invalid
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.returns.model import Failure

# Above this share of unparseable non-blank values in a column, the mapping is probably wrong
# (a wrong date format, a wrong column), not the data untidy.
DEFAULT_THRESHOLD = 0.05
SEX_VALUES = ("M", "F")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DateColumn(_Strict):
    """A column of dates and the strftime format they are written in."""

    column: str = Field(min_length=1)
    format: str = Field(min_length=2)

    @field_validator("format")
    @classmethod
    def _has_directives(cls, value: str) -> str:
        if "%Y" not in value and "%y" not in value:
            raise ValueError(f"date format {value!r} has no year (%Y or %y)")
        return value


class SexColumn(_Strict):
    """A column of sex and how each of its values maps to 'M' or 'F' (anything else is NULL)."""

    column: str = Field(min_length=1)
    codes: dict[str, Literal["M", "F"] | None]


class NameColumn(_Strict):
    """One column holding the whole name, and which part comes first.

    'SMITH, John' (a comma) is always read as surname then forename.
    """

    column: str = Field(min_length=1)
    order: Literal["forename_first", "surname_first"] = "forename_first"


class FieldColumn(_Strict):
    """An agency-specific column kept for the risk indicators, and how to read it.

    Written in a mapping as ``name: Column`` (text) or ``name: {column: Column, type: integer}``.
    """

    column: str = Field(min_length=1)
    type: Literal["text", "integer", "number", "boolean"] = "text"


FIELD_NAME = r"^[a-z][a-z0-9_]*$"
RESERVED_FIELD_NAMES = frozenset(
    (*STANDARD_COLUMNS, "fields", "load_id", "cluster_id", "indicator")
)
"""Names a field may not take: indicator conditions see fields beside these columns."""


class SourceMapping(_Strict):
    """Which of an extract's columns holds each standard field, and how it is written."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    record_id: str = Field(min_length=1)
    event_date: DateColumn | None = None
    forename: str | None = None
    surname: str | None = None
    name: NameColumn | None = None
    dob: DateColumn | None = None
    sex: SexColumn | None = None
    postcode: str | None = None
    address: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    fields: dict[str, FieldColumn] = Field(default_factory=dict)
    """Agency-specific columns the risk indicators use (diagnosis, DASH grade, sessions...)."""

    @field_validator("fields", mode="before")
    @classmethod
    def _short_fields(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        for name in value:
            if not isinstance(name, str) or not re.match(FIELD_NAME, name):
                raise ValueError(
                    f"field name {name!r} must be lower case letters, digits and underscores"
                )
            if name in RESERVED_FIELD_NAMES:
                raise ValueError(
                    f"field name {name!r} is a standard linkage column; choose another name"
                )
        return {k: {"column": v} if isinstance(v, str) else v for k, v in value.items()}

    @model_validator(mode="after")
    def _names_one_way(self) -> SourceMapping:
        separate = self.forename is not None or self.surname is not None
        if self.name is not None and separate:
            raise ValueError("give either name or forename and surname, not both")
        if self.name is None and (self.forename is None or self.surname is None):
            raise ValueError("give forename and surname, or name for a combined column")
        return self

    def columns(self) -> dict[str, str]:
        """Each standard field this mapping fills, with the extract column it comes from."""
        found: dict[str, str] = {"record_id": self.record_id}
        for key in ("forename", "surname", "postcode", "address", "nhs_number", "upn"):
            column = getattr(self, key)
            if column is not None:
                found[key] = column
        for key in ("event_date", "name", "dob", "sex"):
            spec = getattr(self, key)
            if spec is not None:
                found[key] = spec.column
        for key, field in self.fields.items():
            found[f"fields.{key}"] = field.column
        return found


SOCIAL_CARE = "social_care"
"""The source name of the council's own case-system person export (matched against)."""


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped with turnaround: one per synthetic extract, and the
    council's case-system person export (``SOCIAL_CARE``)."""
    folder = resources.files("turnaround.linkage").joinpath("sources")
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


def load_mapping(path_or_name: Path | str) -> SourceMapping:
    """Read a mapping from a YAML file, or a shipped one by its source name."""
    text, label = _mapping_text(path_or_name)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: a mapping file must be a set of 'key: value' lines")
    try:
        return SourceMapping.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe_invalid(exc)}") from None


def _mapping_text(path_or_name: Path | str) -> tuple[str, str]:
    as_path = Path(path_or_name)
    if as_path.suffix in (".yaml", ".yml") or as_path.exists():
        if not as_path.is_file():
            raise ConfigError(f"no mapping file at {as_path}")
        return as_path.read_text(encoding="utf-8"), as_path.name
    name = str(path_or_name)
    if name not in shipped_mappings():
        known = ", ".join(shipped_mappings())
        raise ConfigError(f"no mapping named {name!r}; shipped mappings are: {known}")
    entry = resources.files("turnaround.linkage").joinpath("sources", f"{name}.yaml")
    return entry.read_text(encoding="utf-8"), f"{name}.yaml"


def read_extract(csv_path: Path | str, mapping: SourceMapping) -> pd.DataFrame:
    """An extract as the agency wrote it: every column as text, blanks as empty strings."""
    path = Path(csv_path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    header = _header(path, mapping)
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(encoding=mapping.encoding),
            parse_options=pa_csv.ParseOptions(delimiter=mapping.delimiter),
            convert_options=pa_csv.ConvertOptions(
                column_types={column: pa.string() for column in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot be read as CSV: {first}", path=path) from None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _header(path: Path, mapping: SourceMapping) -> list[str]:
    try:
        with path.open(encoding=mapping.encoding, newline="") as handle:
            return next(csv.reader(handle, delimiter=mapping.delimiter), [])
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"cannot be read as {mapping.encoding}: {exc}", path=path) from None


def parse_dates(values: pd.Series | pa.Array, fmt: str) -> pa.Array:
    """Dates written in ``fmt`` as a date32 array; NULL where blank or unparseable.

    A day-first or month-first date that only parses with the day and month the other way
    round (13/25/2010 in a %d/%m/%Y column) is read that way round.
    """
    text = as_strings(values)
    encoded = pc.dictionary_encode(text)
    uniques = encoded.dictionary
    parsed = _strptime(uniques, fmt)
    if "%d" in fmt and "%m" in fmt:
        swapped_fmt = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
        parsed = pc.coalesce(parsed, _strptime(uniques, swapped_fmt))
    return pc.take(parsed, encoded.indices)


def _strptime(uniques: pa.Array, fmt: str) -> pa.Array:
    parsed = pd.to_datetime(
        pd.Series(uniques.to_numpy(zero_copy_only=False), dtype=object),
        format=fmt,
        errors="coerce",
    )
    days = parsed.to_numpy(dtype="datetime64[D]")
    return pa.array(days, type=pa.date32(), mask=np.isnat(days))


def as_strings(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one pyarrow string array, missing values as NULL."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else pc.cast(values, pa.string())
    if isinstance(values.dtype, pd.StringDtype | pd.ArrowDtype):
        array = pa.array(values, from_pandas=True)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array if array.type == pa.string() else pc.cast(array, pa.string())
    objects = values.astype(object).where(values.notna(), None).to_numpy()
    return pa.array([None if v is None else str(v) for v in objects], type=pa.string())


def check_source(
    mapping: SourceMapping, csv_path: Path | str, *, threshold: float = DEFAULT_THRESHOLD
) -> list[Failure]:
    """Every problem reading an extract with its mapping: columns, ids, dates, codes, numbers.

    Missing columns and duplicate or blank record ids are errors, as is a column where more
    than ``threshold`` of the non-blank values cannot be read (a wrong format, most likely).
    Single unreadable values (a date, a sex code, an identifier failing its check) are queries:
    standardising treats them as missing.
    """
    # Imported here because standardise builds on this module's reading and date parsing.
    from turnaround.linkage.standardise import clean_nhs_numbers, clean_postcodes, clean_upns

    path = Path(csv_path)
    frame = read_extract(path, mapping)
    checker = _Checker(path.name, mapping.source, threshold)
    present = set(frame.columns)
    for key, column in mapping.columns().items():
        if column not in present:
            checker.file_error(column, "S-COLUMN", f"no column {column!r} (mapped as {key})")
    if checker.failures:
        return checker.failures
    ids = frame[mapping.record_id]
    checker.record_ids = ids.to_numpy(dtype=object)
    blank = (ids.str.strip() == "").to_numpy(dtype=bool)
    checker.rows(blank, mapping.record_id, "S-ID", "record id is blank", "error")
    duplicated = (ids.duplicated(keep="first") & ~blank).to_numpy(dtype=bool)
    checker.rows(duplicated, mapping.record_id, "S-ID", "record id appears twice", "error")
    for spec, what in ((mapping.dob, "date of birth"), (mapping.event_date, "event date")):
        if spec is not None:
            parsed = parse_dates(frame[spec.column], spec.format)
            checker.unreadable(
                frame[spec.column],
                parsed.is_null().to_numpy(zero_copy_only=False),
                spec.column,
                "S-DATE",
                f"{what} is not a date written {spec.format}",
            )
    if mapping.sex is not None:
        raw = frame[mapping.sex.column]
        known = {code.strip().upper() for code in mapping.sex.codes}
        unknown = ~raw.str.strip().str.upper().isin(known).to_numpy(dtype=bool)
        checker.unreadable(
            raw,
            unknown,
            mapping.sex.column,
            "S-CODE",
            f"sex is not one of the mapped codes ({', '.join(sorted(mapping.sex.codes))})",
        )
    cleaners = (
        (mapping.postcode, clean_postcodes, "S-POSTCODE", "not a valid UK postcode"),
        (mapping.nhs_number, clean_nhs_numbers, "S-NHS", "NHS number fails its check digit"),
        (mapping.upn, clean_upns, "S-UPN", "UPN fails its check letter"),
    )
    for mapped, clean, rule, message in cleaners:
        if mapped is not None:
            cleaned = clean(as_strings(frame[mapped]))
            checker.unreadable(
                frame[mapped],
                cleaned.is_null().to_numpy(zero_copy_only=False),
                mapped,
                rule,
                message,
            )
    typed = typed_fields(frame, mapping)
    for name, field in mapping.fields.items():
        if field.type != "text":
            checker.unreadable(
                frame[field.column],
                typed[name].isna().to_numpy(dtype=bool),
                field.column,
                "S-FIELD",
                f"{name} is not {'a' if field.type != 'integer' else 'an'} {field.type}",
            )
    return checker.failures


TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})


def typed_fields(frame: pd.DataFrame, mapping: SourceMapping) -> pd.DataFrame:
    """The mapping's agency-specific fields from an extract, each read as its declared type.

    Blank or unreadable values are missing (``check_source`` reports the unreadable ones).
    """
    out: dict[str, pd.Series] = {}
    for name, field in mapping.fields.items():
        text = frame[field.column].astype("string").str.strip()
        text = text.where(text != "")
        if field.type == "integer":
            number = pd.to_numeric(text, errors="coerce")
            whole = number.where(number.round() == number)
            out[name] = whole.astype("Int64")
        elif field.type == "number":
            out[name] = pd.to_numeric(text, errors="coerce").astype("Float64")
        elif field.type == "boolean":
            lowered = text.str.lower()
            flag = pd.Series(pd.NA, index=frame.index, dtype="boolean")
            flag[lowered.isin(TRUE_WORDS).fillna(False).to_numpy(dtype=bool)] = True
            flag[lowered.isin(FALSE_WORDS).fillna(False).to_numpy(dtype=bool)] = False
            out[name] = flag
        else:
            out[name] = text
    return pd.DataFrame(out, index=frame.index)


class _Checker:
    """Collects failures for one extract, with CSV line numbers (the header is line 1)."""

    def __init__(self, file: str, source: str, threshold: float) -> None:
        self.file = file
        self.source = source
        self.threshold = threshold
        self.failures: list[Failure] = []
        self.record_ids: np.ndarray = np.empty(0, dtype=object)

    def file_error(self, field: str | None, rule: str, message: str) -> None:
        self.failures.append(Failure(self.file, None, None, self.source, field, rule, message))

    def rows(
        self,
        hit: np.ndarray,
        field: str,
        rule: str,
        message: str,
        severity: Literal["error", "query"],
    ) -> None:
        for index in np.flatnonzero(hit).tolist():
            record = self.record_ids[index] if len(self.record_ids) else None
            self.failures.append(
                Failure(
                    self.file,
                    index + 2,
                    str(record) if record else None,
                    self.source,
                    field,
                    rule,
                    message,
                    severity,
                )
            )

    def unreadable(
        self, raw: pd.Series, unread: np.ndarray, field: str, rule: str, message: str
    ) -> None:
        """Queries for non-blank values that could not be read, and an error if too many."""
        given = (raw.fillna("").str.strip() != "").to_numpy(dtype=bool)
        bad = unread & given
        self.rows(bad, field, rule, message, "query")
        n_given = int(given.sum())
        if n_given and bad.sum() / n_given > self.threshold:
            share = bad.sum() / n_given
            self.file_error(
                field,
                rule,
                f"{share:.0%} of {n_given:,} values cannot be read ({message}); "
                f"more than {self.threshold:.0%} suggests the mapping is wrong",
            )


def partner_mappings() -> list[str]:
    """The shipped mappings of partner agency extracts (every one but the council's own)."""
    return [name for name in shipped_mappings() if name != SOCIAL_CARE]


def city_sources(
    city_dir: Path | str, end_year: int
) -> list[tuple[Path, SourceMapping, date | None]]:
    """Where a synthetic city keeps each source, its mapping, and any fixed event date.

    Partner extracts are ``extracts/<source>.csv``; the council's person export is
    ``social_care/people.csv``. The school census has no date column: its records are dated
    the census day of ``end_year``.
    """
    folder = Path(city_dir)
    found = [
        (
            folder / "extracts" / f"{name}.csv",
            load_mapping(name),
            census_day(end_year) if name == "school_census" else None,
        )
        for name in partner_mappings()
    ]
    found.append((folder / "social_care" / "people.csv", load_mapping(SOCIAL_CARE), None))
    return found


def folder_sources(
    folder: Path | str,
    census_year: int,
    *,
    people: Path | str | None = None,
    mappings: Path | str | None = None,
) -> list[tuple[Path, SourceMapping, date | None]]:
    """Every CSV in ``folder`` with its mapping, plus the council's person export.

    A CSV's mapping is the YAML file of the same name in ``mappings`` if there is one, else the
    shipped mapping of that name; a CSV with neither is an error naming it. ``folder`` may also
    be a whole export (or synthetic city) with ``extracts/`` and ``social_care/people.csv``.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError("no such folder", path=root)
    extracts = root / "extracts" if (root / "extracts").is_dir() else root
    if people is None and (root / "social_care" / "people.csv").is_file():
        people = root / "social_care" / "people.csv"
    if people is None:
        raise InputError(
            "no social care person export: pass --people with the case system's person CSV",
            path=root,
        )
    own = Path(mappings) if mappings is not None else None
    shipped = set(partner_mappings())
    found: list[tuple[Path, SourceMapping, date | None]] = []
    for csv_path in sorted(extracts.glob("*.csv")):
        name = csv_path.stem
        if own is not None and (own / f"{name}.yaml").is_file():
            mapping = load_mapping(own / f"{name}.yaml")
        elif name in shipped:
            mapping = load_mapping(name)
        else:
            raise InputError(
                f"no mapping for this extract: write {name}.yaml (see docs/linkage.md) "
                "and pass --mappings",
                path=csv_path,
            )
        fixed = census_day(census_year) if mapping.event_date is None else None
        found.append((csv_path, mapping, fixed))
    if not found:
        raise InputError("no partner extracts (*.csv) in the folder", path=extracts)
    found.append((Path(people), load_mapping(SOCIAL_CARE), None))
    return found


def census_day(year: int) -> date:
    """The January school census day of ``year``: its third Thursday."""
    return school_census_day(year)
