"""Standardising partner extracts into the columns linkage compares (``model.STANDARD_COLUMNS``).

Each field is cleaned the same way whichever agency wrote it:

- names: accents dropped, upper case, apostrophes removed ("O'Brien" -> "OBRIEN", the way
  many systems store it), other punctuation to spaces, titles (MR, MISS, DR, ...) and
  suffixes (JR, SNR) dropped, spaces around hyphens closed, single spaces;
- forenames folded to one canonical form (``forename_canon``, by ``core.names``) so that
  nicknames of one name agree, with a metaphone code of the canonical form and of the surname
  (DuckDB has no phonetic functions, so the codes are computed here; the metaphone code is
  what still brings spellings such as MUHAMMAD and MOHAMMED together);
- dates of birth parsed in the mapping's format, with the day-and-month-swapped reading kept
  beside them in ``dob_swapped`` for linkage to try;
- postcodes normalised to 'B11 1AA' and their sector 'B11 1';
- NHS numbers and UPNs kept only when their check character is right: an invalid identifier
  is treated as missing, never as evidence.

Work is done with pyarrow compute over whole columns; names, codes and dates repeat a lot, so
the per-value steps (canonical forenames, phonetic codes, date parsing, identifier checks) run
once per distinct value and are mapped back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import jellyfish
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from turnaround.core.identifiers import nhs_numbers_valid, upns_valid
from turnaround.core.names import canonical_forename as canonical_forename
from turnaround.errors import InputError
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.sources import (
    SourceMapping,
    as_strings,
    parse_dates,
    read_extract,
    typed_fields,
)

_TITLES = r"(?:MR|MRS|MS|MISS|MSTR|MASTER|MX|DR|REV|SIR|DAME|LADY|LORD|PROF)"
_SUFFIXES = r"(?:JR|JNR|SR|SNR)"
_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"

STRING = pd.StringDtype("pyarrow")
DATE = pd.ArrowDtype(pa.date32())


# --- reading --------------------------------------------------------------------------------


def read_source(
    csv_path: Path | str,
    mapping: SourceMapping,
    *,
    event_date: date | None = None,
    with_fields: bool = False,
) -> pd.DataFrame:
    """Read one partner extract with its mapping and standardise it.

    ``event_date`` fills the event date of an extract that has no column for it (the school
    census, whose date is the census day: see ``sources.census_day``). ``with_fields`` adds a
    ``fields`` column: the mapping's agency-specific fields as one JSON object per record.
    """
    frame = read_extract(csv_path, mapping)
    missing = [(k, c) for k, c in mapping.columns().items() if c not in frame.columns]
    if missing:
        listed = ", ".join(f"{column!r} (mapped as {key})" for key, column in missing)
        raise InputError(
            f"missing mapped column{'s' if len(missing) > 1 else ''} {listed}; "
            "check the file with 'turnaround sources check'",
            path=csv_path,
        )
    out = standardise(frame, mapping, event_date=event_date)
    if with_fields:
        out["fields"] = fields_json(frame, mapping)
    return out


def fields_json(frame: pd.DataFrame, mapping: SourceMapping) -> pd.Series:
    """Each record's agency-specific fields (typed as the mapping says) as a JSON object."""
    typed = typed_fields(frame, mapping)
    if typed.empty or not len(typed.columns):
        return pd.Series("{}", index=frame.index, dtype=STRING)
    lines = typed.to_json(orient="records", lines=True, date_format="iso").splitlines()
    return pd.Series(lines, index=frame.index, dtype=STRING)


def standardise(
    frame: pd.DataFrame, mapping: SourceMapping, *, event_date: date | None = None
) -> pd.DataFrame:
    """One row per extract row, in ``model.STANDARD_COLUMNS``, cleaned as the module says.

    Strings come back as pyarrow-backed strings with NULL for missing, dates as date32.
    """
    n = len(frame)

    def column(name: str | None) -> pa.Array:
        if name is None:
            return pa.nulls(n, pa.string())
        return as_strings(frame[name])

    record_id = pc.utf8_trim_whitespace(column(mapping.record_id))
    if mapping.name is not None:
        forename_raw, surname_raw = split_full_names(
            column(mapping.name.column), mapping.name.order
        )
    else:
        forename_raw, surname_raw = column(mapping.forename), column(mapping.surname)
    forename = clean_names(forename_raw)
    surname = clean_names(surname_raw)
    canon = _per_unique(forename, canonical_forename)

    if mapping.dob is not None:
        dob = parse_dates(frame[mapping.dob.column], mapping.dob.format)
    else:
        dob = pa.nulls(n, pa.date32())
    if mapping.event_date is not None:
        when = parse_dates(frame[mapping.event_date.column], mapping.event_date.format)
    else:
        when = pa.repeat(pa.scalar(event_date, pa.date32()), n)

    postcode = clean_postcodes(column(mapping.postcode))
    source = pa.repeat(pa.scalar(mapping.source, pa.string()), n)
    columns: dict[str, pa.Array] = {
        "unique_id": pc.binary_join_element_wise(source, record_id, ":"),
        "source": source,
        "record_id": record_id,
        "event_date": when,
        "forename": forename,
        "surname": surname,
        "forename_canon": canon,
        "forename_dm": _per_unique(canon, phonetic_code),
        "surname_dm": _per_unique(surname, phonetic_code),
        "surname_first": _null_if_empty(pc.replace_substring_regex(surname, r"[- ].*$", "")),
        "dob": dob,
        "dob_swapped": swapped_dates(dob),
        "sex": clean_sex(column(mapping.sex.column), mapping.sex.codes)
        if mapping.sex is not None
        else pa.nulls(n, pa.string()),
        "postcode": postcode,
        "postcode_sector": pc.replace_substring_regex(postcode, r"^(.+ [0-9])[A-Z]{2}$", r"\1"),
        "address": clean_address(column(mapping.address)),
        "nhs_number": clean_nhs_numbers(column(mapping.nhs_number)),
        "upn": clean_upns(column(mapping.upn)),
    }
    table = pa.table({name: columns[name] for name in STANDARD_COLUMNS})
    out = table.to_pandas(
        types_mapper={pa.string(): STRING, pa.date32(): DATE}.get, ignore_metadata=True
    )
    out.index = frame.index
    return out


# --- names ----------------------------------------------------------------------------------


def clean_names(values: pa.Array) -> pa.Array:
    """Names in one form: upper case, no accents, titles or stray punctuation, single spaces."""
    text = as_strings(values)
    encoded = pc.dictionary_encode(text)
    return pc.take(_clean_name_text(encoded.dictionary), encoded.indices)


def _clean_name_text(text: pa.Array) -> pa.Array:
    out = pc.utf8_normalize(text, form="NFKD")
    out = pc.replace_substring_regex(out, r"\pM", "")
    out = pc.utf8_upper(out)
    out = pc.replace_substring_regex(out, r"['’‘`´]", "")
    out = pc.replace_substring_regex(out, r"[‐‑‒–—]", "-")
    out = pc.replace_substring_regex(out, r"[^A-Z\- ]+", " ")
    out = pc.replace_substring_regex(out, r"\s*-[\s-]*", "-")
    out = pc.replace_substring_regex(out, r"\s+", " ")
    out = pc.replace_substring_regex(out, r"^[ -]+|[ -]+$", "")
    out = pc.replace_substring_regex(out, rf"^(?:{_TITLES} )+", "")
    out = pc.replace_substring_regex(out, rf" {_SUFFIXES}$", "")
    return _null_if_empty(out)


def split_full_names(values: pa.Array, order: str) -> tuple[pa.Array, pa.Array]:
    """Forenames and surnames from one name column ('John SMITH', or 'SMITH, John').

    With ``order='forename_first'`` the last word is the surname; with ``surname_first`` the
    first word is. A comma always marks 'surname, forenames'.
    """
    text = as_strings(values)
    encoded = pc.dictionary_encode(text)
    fore: list[str | None] = []
    sur: list[str | None] = []
    for value in encoded.dictionary.to_pylist():
        f, s = _split_name(value, order)
        fore.append(f)
        sur.append(s)
    return (
        pc.take(pa.array(fore, pa.string()), encoded.indices),
        pc.take(pa.array(sur, pa.string()), encoded.indices),
    )


def _split_name(value: str | None, order: str) -> tuple[str | None, str | None]:
    if value is None or not value.strip():
        return None, None
    if "," in value:
        surname, _, forenames = value.partition(",")
        return forenames.strip() or None, surname.strip() or None
    words = value.split()
    if len(words) == 1:
        return None, words[0]
    if order == "surname_first":
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def phonetic_code(name: str) -> str:
    """The metaphone code of a clean name, its parts run together ('SMITH-KHAN' -> 'SM0KN')."""
    letters = "".join(ch for ch in name if "A" <= ch <= "Z")
    return jellyfish.metaphone(letters) if letters else ""


# --- dates, sex, places, identifiers -------------------------------------------------------


def swapped_dates(dob: pa.Array) -> pa.Array:
    """Each date with its day and month swapped, where that is a valid and different date."""
    days = dob.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    valid = ~np.isnat(days)
    months = days.astype("datetime64[M]")
    day = (days - months).astype("int64") + 1
    month = months.astype("int64") % 12 + 1
    years = days.astype("datetime64[Y]")
    ok = valid & (day <= 12) & (day != month)
    swapped = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        new_month = years[ok].astype("datetime64[M]") + (day[ok] - 1).astype("timedelta64[M]")
        swapped[ok] = new_month.astype("datetime64[D]") + (month[ok] - 1).astype("timedelta64[D]")
    return pa.array(swapped, type=pa.date32(), mask=np.isnat(swapped))


def clean_sex(values: pa.Array, codes: Mapping[str, str | None]) -> pa.Array:
    """'M', 'F' or NULL, by the mapping's codes, matched ignoring case and spaces."""
    key = pc.utf8_upper(pc.utf8_trim_whitespace(as_strings(values)))
    known = {code.strip().upper(): sex for code, sex in codes.items()}
    lookup = pa.array(list(known), pa.string())
    found = pa.array(list(known.values()), pa.string())
    return pc.take(found, pc.index_in(key, value_set=lookup))


def clean_postcodes(values: pa.Array) -> pa.Array:
    """UK postcodes as 'B11 1AA'; NULL for anything that is not one."""
    text = pc.utf8_upper(as_strings(values))
    text = pc.replace_substring_regex(text, r"[^A-Z0-9]", "")
    valid = pc.match_substring_regex(text, _POSTCODE)
    spaced = pc.replace_substring_regex(text, r"^(.+)([0-9][A-Z]{2})$", r"\1 \2")
    return pc.if_else(valid, spaced, pa.scalar(None, pa.string()))


def clean_address(values: pa.Array) -> pa.Array:
    """An address line in upper case with punctuation as spaces and single spaces."""
    text = pc.utf8_upper(as_strings(values))
    text = pc.replace_substring_regex(text, r"[^A-Z0-9 ]+", " ")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    return _null_if_empty(text)


def clean_nhs_numbers(values: pa.Array) -> pa.Array:
    """Ten-digit NHS numbers whose check digit is right; NULL otherwise.

    Spaces and hyphens ('943 476 5919') are dropped. Numbers of one repeated digit pass the
    modulus 11 check but are placeholders systems key for 'unknown', so they are NULL too.
    """
    text = pc.replace_substring_regex(as_strings(values), r"[\s-]", "")

    def check(uniques: np.ndarray) -> np.ndarray:
        ok = nhs_numbers_valid(uniques)
        placeholder = np.array([len(set(u)) == 1 for u in uniques], dtype=bool)
        return ok & ~placeholder

    return _keep_valid(text, check)


def clean_upns(values: pa.Array) -> pa.Array:
    """Unique pupil numbers whose check letter is right (temporary UPNs too); NULL otherwise."""
    text = pc.replace_substring_regex(pc.utf8_upper(as_strings(values)), r"\s", "")

    return _keep_valid(text, upns_valid)


# --- helpers --------------------------------------------------------------------------------


def _null_if_empty(text: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _per_unique(values: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """``fn`` applied once per distinct non-null value and mapped back; '' becomes NULL."""
    encoded = pc.dictionary_encode(values)
    results = [fn(v) or None for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(results, pa.string()), encoded.indices)


def _keep_valid(text: pa.Array, check: Callable[[np.ndarray], np.ndarray]) -> pa.Array:
    """``text`` where ``check`` passes its distinct value, else NULL."""
    encoded = pc.dictionary_encode(text)
    uniques = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=str)
    ok = check(uniques) if len(uniques) else np.zeros(0, dtype=bool)
    kept = pc.if_else(pa.array(ok, pa.bool_()), encoded.dictionary, pa.scalar(None, pa.string()))
    return pc.take(kept, encoded.indices)
