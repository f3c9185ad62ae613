"""Read the CIN census XML: ``<Message><Header/><Children><Child>...`` into canonical tables.

The file streams through the guarded parser one ``<Child>`` at a time. Every row a child
yields (its identifiers, disabilities, episodes and their assessments, factors, plans,
enquiries, protection plans and reviews) is a record of its own: it gets an ordinal unique in
the file (``_record``), its element path (``_where``), such as
``Message/Children/Child[12]/CINdetails[1]/Assessments[2]/FactorsIdentifiedAtAssessment[1]/AssessmentFactors[3]``,
and the line its element starts on (``locate.py``; the ``<Child>``'s line if that cannot be
told). The child's own record (identifiers and characteristics) is ``Child[12]`` itself, so
every record of a child lies under it: ``returns.load`` sets a child's records aside with it.
Repeated blocks are numbered within the child from 1, in file order, so that child tables join
back to their parents (``canonical.CIN``).
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from turnaround.errors import InputError
from turnaround.returns import canonical
from turnaround.returns.model import Failure, ReturnData
from turnaround.returns.read import cin_blocks, detect, locate
from turnaround.returns.read.safety import DEFAULT_MAX_BYTES, check_xml, read_bytes, utf8_text
from turnaround.returns.schema import ReturnSchema, schema_for
from turnaround.returns.structural import to_canonical

_CHILD = re.compile(rb"<Child[\s>].*?</Child>", re.DOTALL)
_HEADER = re.compile(rb"<Header[\s>].*?</Header>", re.DOTALL)
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*)[\s>/]")
_BLOCKS = {
    "CINdetails", "Assessments", "FactorsIdentifiedAtAssessment", "CINPlanDates", "Section47",
    "ChildProtectionPlans", "Reviews", "ChildIdentifiers", "ChildCharacteristics",
    "Disabilities", "Child",
    cin_blocks.PRE_PROCEEDINGS,  # pre-proceedings: read by cin_blocks
}  # fmt: skip


def read_cin_xml(
    path: Path, *, year: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ReturnData:
    """One CIN census file as canonical tables and its structural failures."""
    data, had_bom = utf8_text(read_bytes(path, max_bytes), path, kind="XML")
    check_xml(data, path)
    root = _ROOT.search(data)
    if root is None or root.group(1) != b"Message":
        found = root.group(1).decode("utf-8", "replace") if root else "none"
        raise InputError(f"not a CIN census (the root element is <{found}>)", path=path)
    header: dict[str, str] = {}
    head = _HEADER.search(data)
    if head is not None:
        element = ET.fromstring(head.group())
        header = {e.tag: (e.text or "").strip() for e in element.iter() if len(e) == 0}
    rows: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    numbers: dict[str, list[dict[str, int]]] = defaultdict(list)
    unknown: dict[str, int] = {}
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    # The file is known to be well formed, so each <Child> parses on its own, in C.
    matches = list(_CHILD.finditer(data))
    lines = np.searchsorted(newlines, np.array([m.start() for m in matches], dtype=np.int64)) + 1
    tags = locate.Lines(data)
    ordinal = itertools.count(1)
    for number, (match, line) in enumerate(zip(matches, lines, strict=True), start=1):
        try:
            child = ET.fromstring(match.group())
        except ET.ParseError:
            raise InputError(
                "a <Child> element could not be read on its own (a comment or "
                "CDATA holding '<Child>'?)",
                path=path,
                row=int(line),
            ) from None
        elements = list(child.iter())
        own = tags.span(match.start(), match.end(), len(elements))
        place = _Place(
            path=f"Message/Children/Child[{number}]",
            line=int(line),
            lines={} if own is None else dict(zip(elements, own.tolist(), strict=True)),
            ordinal=ordinal,
        )
        _child(child, place, rows, numbers, unknown)
        cin_blocks.mark_unknown(child, unknown)  # pre-proceedings work: no element passed over
    reading = _year(header, rows, path, year)
    claimed = reading.year
    schema = schema_for("cin", claimed)
    tables: dict[str, pd.DataFrame] = {}
    failures: list[Failure] = [reading.failure(path.name, "children")]
    # pre-proceedings: an older file's block is read with the 2026-27 layout (cin_blocks)
    for name, table, layout in cin_blocks.tables_to_read(schema, rows):
        records = rows.get(name, [])
        raw = pa.table(
            {
                c.name: pa.array(_field(records, c.element or c.name), pa.string())
                for c in table.columns
            }
        )
        line_numbers = np.array(_field(records, "_row"), dtype=np.int64)
        ordinals = np.array(_field(records, "_record"), dtype=np.int64)
        ids = numbers.get(name, [])
        extra = {
            key: pa.array([n[key] for n in ids], pa.int64())
            for key in canonical.CIN[name]
            if key in ("episode", "assessment", "plan", "s47", "cp_plan", "pre_proceedings")
        }
        frame, found = to_canonical(
            raw,
            table,
            layout,
            file=path.name,
            rows=line_numbers,
            child_column="child_id",
            canonical_spec=canonical.CIN[name],
            extra=extra,
            records=ordinals,
            where=[str(w) for w in _field(records, "_where")],
        )
        tables[name] = frame
        failures.extend(found)
    # pre-proceedings: elements read by cin_blocks' later layout, and containers, are known
    read_elsewhere = cin_blocks.elements_read(schema, rows)
    unknown = {tag: 1 for tag in unknown if tag not in read_elsewhere}
    failures.extend(cin_blocks.layout_queries(schema, rows, path))
    failures.extend(_unknown_elements(unknown, schema, path))
    if had_bom:
        failures.append(
            Failure(
                file=path.name,
                row=None,
                child_id=None,
                table="children",
                field=None,
                rule="S-BOM",
                severity="query",
                message="the file began with a byte-order mark; it was removed",
            )
        )
    return ReturnData(kind="cin", year=claimed, tables=tables, sources=[path], failures=failures)


def _field(records: list[dict[str, str | None]], name: str) -> list[str | None]:
    """One field of every record, None where a record lacks it (mapped in C, not a loop)."""
    return list(map(dict.get, records, itertools.repeat(name)))


@dataclass
class _Place:
    """Where one ``<Child>``'s records are: its path and line, and its elements' own lines."""

    path: str
    line: int
    lines: dict[ET.Element, int]
    ordinal: Iterator[int]  # the file's record counter

    def mark(self, record: dict[str, str | None], element: ET.Element, where: str) -> None:
        """Give one record its line, its ordinal in the file and its element path."""
        record["_row"] = self.lines.get(element, self.line)  # type: ignore[assignment]
        record["_record"] = next(self.ordinal)  # type: ignore[assignment]
        record["_where"] = where


class _Steps:
    """Path steps for one element's children: ``Tag[n]``, n counting that tag's siblings."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, tag: str) -> str:
        self.seen[tag] = self.seen.get(tag, 0) + 1
        return f"{tag}[{self.seen[tag]}]"


def _child(
    child: ET.Element,
    place: _Place,
    rows: dict[str, list[dict[str, str | None]]],
    numbers: dict[str, list[dict[str, int]]],
    unknown: dict[str, int],
) -> None:
    ident: dict[str, str | None] = {}
    details: list[ET.Element] = []
    disabilities: list[tuple[ET.Element, str]] = []
    sections = _Steps()
    for section in child:
        at = f"{place.path}/{sections(section.tag)}"
        if section.tag == "CINdetails":
            details.append(section)
        elif section.tag in ("ChildIdentifiers", "ChildCharacteristics"):
            held = 0  # only lists of disabilities hold records; count just those
            for e in section:
                if len(e) == 0:
                    ident[e.tag] = _text(e)
                    unknown[e.tag] = 1
                elif e.tag == "Disabilities":
                    held += 1
                    within = f"{at}/Disabilities[{held}]"
                    items = _Steps()
                    for d in e:
                        step = items(d.tag)
                        if d.tag == "Disability":
                            disabilities.append((d, f"{within}/{step}"))
    place.mark(ident, child, place.path)
    cid = ident.get("LAchildID")
    rows["children"].append(ident)
    numbers["children"].append({})
    for element, where in disabilities:
        record = {"LAchildID": cid, "Disability": _text(element)}
        place.mark(record, element, where)
        rows["disabilities"].append(record)
        numbers["disabilities"].append({})
    for ep_no, detail in enumerate(details, start=1):
        episode = _leaves(detail, unknown)
        episode["LAchildID"] = cid
        ep_where = f"{place.path}/CINdetails[{ep_no}]"
        place.mark(episode, detail, ep_where)
        rows["episodes"].append(episode)
        numbers["episodes"].append({"episode": ep_no})
        counts = {"Assessments": 0, "CINPlanDates": 0, "Section47": 0, "ChildProtectionPlans": 0}
        for block in detail:
            tag = block.tag
            if tag == cin_blocks.PRE_PROCEEDINGS:  # pre-proceedings (2026-27): cin_blocks
                counts[tag] = counts.get(tag, 0) + 1
                record = cin_blocks.pre_proceedings(block, unknown)
                record["LAchildID"] = cid
                place.mark(record, block, f"{ep_where}/{tag}[{counts[tag]}]")
                rows[cin_blocks.TABLE].append(record)
                numbers[cin_blocks.TABLE].append({"episode": ep_no, "pre_proceedings": counts[tag]})
                continue
            if tag not in counts:
                continue
            counts[tag] += 1
            n = counts[tag]
            record = _leaves(block, unknown)
            record["LAchildID"] = cid
            block_where = f"{ep_where}/{tag}[{n}]"
            place.mark(record, block, block_where)
            table, key = _BLOCK_TABLES[tag]
            rows[table].append(record)
            numbers[table].append({"episode": ep_no, key: n})
            lists = _Steps()
            for inner in block:
                if inner.tag not in ("FactorsIdentifiedAtAssessment", "Reviews"):
                    continue
                list_where = f"{block_where}/{lists(inner.tag)}"
                items = _Steps()
                for item in inner:
                    where = f"{list_where}/{items(item.tag)}"
                    if inner.tag == "FactorsIdentifiedAtAssessment":
                        factor = {"LAchildID": cid, "AssessmentFactors": _text(item)}
                        place.mark(factor, item, where)
                        rows["assessment_factors"].append(factor)
                        numbers["assessment_factors"].append({"episode": ep_no, "assessment": n})
                    else:
                        review = {"LAchildID": cid, "CPPreviewDate": _text(item)}
                        place.mark(review, item, where)
                        rows["cp_reviews"].append(review)
                        numbers["cp_reviews"].append({"episode": ep_no, "cp_plan": n})


_BLOCK_TABLES = {
    "Assessments": ("assessments", "assessment"),
    "CINPlanDates": ("cin_plans", "plan"),
    "Section47": ("s47", "s47"),
    "ChildProtectionPlans": ("cp_plans", "cp_plan"),
}


def _leaves(block: ET.Element, unknown: dict[str, int]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for e in block:
        if len(e) == 0:
            values[e.tag] = _text(e)
            unknown[e.tag] = 1
        elif e.tag not in _BLOCKS:
            unknown[e.tag] = 1
    return values


def _text(e: ET.Element) -> str | None:
    return e.text.strip() if e.text is not None else None


# The census's activity dates, by table: when referrals, assessments, plans, enquiries and
# reviews happened. Births and deaths say nothing about the census year.
_ACTIVITY_DATES = {
    "episodes": ("CINreferralDate", "CINclosureDate", "DateOfInitialCPC"),
    "assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
    "cin_plans": ("CINPlanStartDate", "CINPlanEndDate"),
    "s47": ("S47ActualStartDate", "DateOfInitialCPC"),
    "cp_plans": ("CPPstartDate", "CPPendDate"),
    "cp_reviews": ("CPPreviewDate",),
}


def _year(
    header: dict[str, str],
    rows: dict[str, list[dict[str, str | None]]],
    path: Path,
    given: int | None,
) -> detect.YearReading:
    """The census year: its activity dates decide; the header's <Year> is a name beside the
    file's, and its ReferenceDate decides only when there are too few dates (``detect``)."""
    dates = [
        r.get(k)
        for table, keys in _ACTIVITY_DATES.items()
        for r in rows.get(table, [])
        for k in keys
    ]
    series = pd.to_datetime(
        pd.Series([d for d in dates if d], dtype=object), format="%Y-%m-%d", errors="coerce"
    )
    names = detect.path_names(path)
    stated = header.get("Year", "")
    if len(stated) == 4 and stated.isdigit():
        names = [detect.YearName(f"header's <Year> {stated}", int(stated), int(stated) + 1), *names]
    reference = pd.to_datetime(
        pd.Series([header.get("ReferenceDate", "")], dtype=object),
        format="%Y-%m-%d",
        errors="coerce",
    ).iloc[0]
    return detect.read_year(
        series,
        names=names,
        given=given,
        reference=None if pd.isna(reference) else pd.Timestamp(reference),
        what="referral, assessment, plan, enquiry and review dates",
        path=path,
    )


def _unknown_elements(unknown: dict[str, int], schema: ReturnSchema, path: Path) -> list[Failure]:
    known = {c.element for t in schema.tables.values() for c in t.columns} | {"Disability"}
    return [
        Failure(
            file=path.name,
            row=None,
            child_id=None,
            table="episodes",
            field=tag,
            rule="S-ELEMENT",
            severity="query",
            message=f"<{tag}> is not part of the {schema.year - 1}-{schema.year % 100:02d} "
            "census layout and was ignored",
        )
        for tag in sorted(unknown)
        if tag not in known
    ]
