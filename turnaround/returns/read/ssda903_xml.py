"""Read the SSDA903 return in the DfE's XML form into the same tables as the CSVs.

Layout (the DfE's expanded SSDA903 schema): the root holds one ``<CHILD>`` per child; its
``<HEADER>`` carries the child's fields (CHILDID, SEX, DOB, ...; DUC for UASC; IN_TOUCH,
ACTIV, ACCOM for OC3; DATE_INT ... for AD1) and blocks ``<AREVIEW>``, ``<AMISSING>``,
``<OC2>``, ``<PERMANENCE>`` and ``<AD_PLACED>``; each ``<EPISODE>`` is one episode, where the
placement is called ``PL`` and the child ``CHILDID``. Element names are matched ignoring case.
Dates may be dd/mm/yyyy or yyyy-mm-dd; the latter are rewritten so one set of checks applies.

Every record (a header, an episode, a review, a missing episode, an OC2 or permanence block, a
placement for adoption; a UASC, OC3 or AD1 row from its header's fields) has its own ordinal in
the file (``_record``), its element path (``_where``: ``EXPSSDA903/CHILD[3]/EPISODE[2]``, a
header's rows ``.../CHILD[3]/HEADER[1]``) and the line its element starts on (``locate.py``;
its ``<CHILD>``'s line if that cannot be told). As in the CSVs, a record has no parent: each
table's records stand alone, joined by CHILD.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from turnaround.errors import InputError
from turnaround.returns import canonical
from turnaround.returns.model import Failure, ReturnData
from turnaround.returns.read import detect, locate
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, iter_xml, read_bytes, utf8_text
from turnaround.returns.read.ssda903_csv import bom_note
from turnaround.returns.schema import schema_for
from turnaround.returns.structural import to_canonical

_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}
_BLOCK_TABLES = {
    "EPISODE": "Episodes",
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
    "SWEPISODE": "SWEpisodes",
    "SW_EPISODE": "SWEpisodes",
}
# Header-level fields that, when present, mean the child also has a row in these tables.
_HEADER_TABLES = {"UASC": "DUC", "OC3": "IN_TOUCH", "AD1": "DATE_INT"}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CHILD_TAG = re.compile(rb"<CHILD[\s>/]", re.IGNORECASE)


def read_ssda903_xml(
    path: Path, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One SSDA903 XML file as canonical tables and its structural failures."""
    data, had_bom = utf8_text(read_bytes(path, max_bytes), path, kind="XML")
    starts = np.array([m.start() for m in _CHILD_TAG.finditer(data)], dtype=np.int64)
    lines = np.searchsorted(np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10), starts) + 1
    rows: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    index = 0
    depth = 0
    places: dict[ET.Element, tuple[str, int]] = {}  # element -> (path, start tag number)
    paths: list[tuple[str, dict[str, int]]] = [("", {})]  # open elements' paths, child counts
    ordinal = itertools.count(1)
    starts_seen = 0
    for event, element in iter_xml(data, path):
        if event == "start":
            depth += 1
            places[element] = (_step(paths, element.tag), starts_seen)
            starts_seen += 1
            continue
        depth -= 1
        paths.pop()
        if depth in (1, 2) and element.tag.upper() == "CHILD":
            line = str(int(lines[index])) if index < len(lines) else "0"
            index += 1
            _child(element, line, rows, places, ordinal)
            element.clear()
            places.clear()
    _own_lines(rows, locate.Lines(data), starts_seen)
    if depth != 0 or (index == 0 and not rows):
        raise InputError("no <CHILD> elements: not an SSDA903 XML return", path=path)
    activity = pd.to_datetime(
        pd.Series(
            [r.get(k) for r in rows["Episodes"] for k in ("DECOM", "DEC")]
            + [r.get("REVIEW") for r in rows["Reviews"]],
            dtype=object,
        ),
        format="%d/%m/%Y",
        errors="coerce",
    )
    reading = detect.read_year(
        activity,
        names=detect.path_names(path),
        given=year,
        what="episode and review dates",
        path=path,
    )
    claimed = reading.year
    schema = schema_for("ssda903", claimed)
    tables: dict[str, pd.DataFrame] = {}
    failures: list[Failure] = [reading.failure(path.name, "episodes")]
    for name, table in schema.tables.items():
        records = rows.get(name, [])
        raw = pa.table(
            {c: pa.array([r.get(c) for r in records], pa.string()) for c in table.column_names}
        )
        numbers = np.array([int(r["_row"] or 0) for r in records], dtype=np.int64)
        ordinals = np.array([int(r["_record"] or 0) for r in records], dtype=np.int64)
        frame, found = to_canonical(
            raw,
            table,
            schema,
            file=path.name,
            rows=numbers,
            child_column="CHILD",
            canonical_spec=canonical.SSDA903[table.canonical],
            records=ordinals,
            where=[str(r["_where"]) for r in records],
        )
        tables[table.canonical] = frame
        failures.extend(found)
    if had_bom:
        failures.append(bom_note(path, "header"))
    return ReturnData(
        kind="ssda903", year=claimed, tables=tables, sources=[path], failures=failures
    )


def _step(paths: list[tuple[str, dict[str, int]]], tag: str) -> str:
    """Open an element under the innermost open one: its path, ``PARENT/TAG[n]``."""
    parent, counts = paths[-1]
    counts[tag] = counts.get(tag, 0) + 1
    where = f"{parent}/{tag}[{counts[tag]}]" if parent else tag
    paths.append((where, {}))
    return where


def _child(
    child: ET.Element,
    line: str,
    rows: dict[str, list[dict[str, str | None]]],
    places: dict[ET.Element, tuple[str, int]],
    ordinal: Iterator[int],
) -> None:
    fields: dict[str, str | None] = {"_row": line}
    blocks: list[tuple[str, ET.Element]] = []
    for node in child.iter():
        tag = node.tag.upper()
        if tag in _BLOCK_TABLES:
            blocks.append((_BLOCK_TABLES[tag], node))
    header = child
    for node in child:
        if node.tag.upper() == "HEADER":
            header = node
            fields.update(_leaves(node))
        elif len(node) == 0:
            fields[_name(node.tag)] = _value(node.text)
    rows["Header"].append(_record(fields, places[header], ordinal))
    for table, field in _HEADER_TABLES.items():
        if fields.get(field):
            rows[table].append(_record(fields, places[header], ordinal))
    for table, node in blocks:
        rows[table].append(_record({**fields, **_leaves(node)}, places[node], ordinal))


def _record(
    values: dict[str, str | None], place: tuple[str, int], ordinal: Iterator[int]
) -> dict[str, str | None]:
    """One record's values with its place: element path, start tag number and ordinal."""
    where, start = place
    return {**values, "_where": where, "_start": str(start), "_record": str(next(ordinal))}


def _own_lines(
    rows: dict[str, list[dict[str, str | None]]], tags: locate.Lines, starts: int
) -> None:
    """Give each record its element's own line, if the scan of tags matched the parse."""
    if len(tags) != starts:  # a tag inside a comment or CDATA: keep each <CHILD>'s line
        return
    lines = tags.lines
    for records in rows.values():
        for r in records:
            r["_row"] = str(int(lines[int(r["_start"] or 0)]))


def _leaves(node: ET.Element) -> dict[str, str | None]:
    return {_name(e.tag): _value(e.text) for e in node if len(e) == 0}


def _name(tag: str) -> str:
    upper = tag.upper()
    return _RENAME.get(upper, upper)


def _value(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    iso = _ISO.match(text)
    return f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}" if iso else text
