"""Parts of the CIN census XML that ``cin_xml`` hands over: the pre-proceedings block, and the
check that no element of a ``<Child>`` is passed over without a word.

The pre-proceedings and family group decision-making block (``<PreProceedingsandFGDM>``,
module 5) joins each ``<CINdetails>`` in 2026-27 (``schema/data/cin/2027.yaml``). A file whose
year is older is still read: its blocks are checked and stored with the 2026-27 layout, and one
S-LAYOUT query says so.

``cin_xml`` records every element it meets in ``unknown``; those that no layout read are
reported as S-ELEMENT queries. ``mark_unknown`` adds the places ``cin_xml`` does not look into:
elements directly under ``<Child>``, containers inside the identifiers and characteristics, and
strays inside the lists of disabilities, factors and reviews.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from turnaround.returns.model import Failure
from turnaround.returns.schema import ReturnSchema, TableSchema, schema_for

PRE_PROCEEDINGS = "PreProceedingsandFGDM"
TABLE = "pre_proceedings"
INTRODUCED = 2027
"""2026-27, the first collection year whose layout has the block."""

# Every container the census nests, with the containers each may hold. The leaves of the
# blocks are checked against the year's schema by cin_xml; the lists below hold one leaf each.
CONTAINERS: dict[str, frozenset[str]] = {
    "Child": frozenset({"ChildIdentifiers", "ChildCharacteristics", "CINdetails"}),
    "ChildIdentifiers": frozenset({"Disabilities"}),  # cin_xml reads it in either section
    "ChildCharacteristics": frozenset({"Disabilities"}),
    "Disabilities": frozenset(),
    "CINdetails": frozenset(
        {"Assessments", "CINPlanDates", "Section47", "ChildProtectionPlans", PRE_PROCEEDINGS}
    ),
    "Assessments": frozenset({"FactorsIdentifiedAtAssessment"}),
    "FactorsIdentifiedAtAssessment": frozenset(),
    "CINPlanDates": frozenset(),
    "Section47": frozenset(),
    "ChildProtectionPlans": frozenset({"Reviews"}),
    "Reviews": frozenset(),
    PRE_PROCEEDINGS: frozenset(),
}
_LISTS = {"Disabilities": "Disability", "FactorsIdentifiedAtAssessment": "AssessmentFactors",
          "Reviews": "CPPreviewDate"}  # fmt: skip


def pre_proceedings(block: ET.Element, unknown: dict[str, int]) -> dict[str, str | None]:
    """One ``<PreProceedingsandFGDM>`` as its leaf values by element name.

    Every element met goes into ``unknown``, as ``cin_xml`` does for the other blocks; the
    reader reports those its layout does not read. A nested container is never read.
    """
    values: dict[str, str | None] = {}
    for e in block:
        unknown[e.tag] = 1
        if len(e) == 0:
            values[e.tag] = e.text.strip() if e.text is not None else None
    return values


def mark_unknown(child: ET.Element, unknown: dict[str, int]) -> None:
    """Note the elements of one ``<Child>`` that ``cin_xml``'s walk passes over."""
    for section in child:
        if section.tag not in CONTAINERS["Child"]:
            unknown[section.tag] = 1
        elif section.tag != "CINdetails":  # CINdetails and its blocks: cin_xml sees every one
            _inside(section, unknown)


def _inside(container: ET.Element, unknown: dict[str, int]) -> None:
    allowed = CONTAINERS[container.tag]
    item = _LISTS.get(container.tag)
    for e in container:
        if len(e):
            if e.tag in allowed:
                _inside(e, unknown)
            else:
                unknown[e.tag] = 1
        elif item is not None and e.tag != item:
            unknown[e.tag] = 1


def tables_to_read(
    schema: ReturnSchema, rows: Mapping[str, Sequence[object]]
) -> Iterator[tuple[str, TableSchema, ReturnSchema]]:
    """Each table to read from the file: its name, layout, and the schema that layout is from.

    The year's own tables, and the pre-proceedings table in the 2026-27 layout for an older
    file (empty unless the file holds the block), so every canonical table is there.
    """
    for name, table in schema.tables.items():
        yield name, table, schema
    if TABLE not in schema.tables:
        later = schema_for(schema.kind, INTRODUCED)
        yield TABLE, later.tables[TABLE], later


def elements_read(schema: ReturnSchema, rows: Mapping[str, Sequence[object]]) -> set[str]:
    """Elements read beyond the year's own layout (so not unknown), and every known container."""
    known = set(CONTAINERS)
    for name, table, layout in tables_to_read(schema, rows):
        if layout is not schema and rows.get(name):
            known |= {c.element for c in table.columns if c.element}
    return known


def layout_queries(
    schema: ReturnSchema, rows: Mapping[str, Sequence[object]], path: Path
) -> list[Failure]:
    """An S-LAYOUT query for a block read with a later year's layout than the file's own."""
    blocks = len(rows.get(TABLE, ()))
    if TABLE in schema.tables or not blocks:
        return []
    own = f"{schema.year - 1}-{schema.year % 100:02d}"
    later = f"{INTRODUCED - 1}-{INTRODUCED % 100:02d}"
    return [
        Failure(
            file=path.name,
            row=None,
            child_id=None,
            table=TABLE,
            field=PRE_PROCEEDINGS,
            rule="S-LAYOUT",
            severity="query",
            message=f"<{PRE_PROCEEDINGS}> belongs to the {later} census layout, not the file's "
            f"{own}; its {blocks} block(s) were read with the {later} layout and stored",
        )
    ]
