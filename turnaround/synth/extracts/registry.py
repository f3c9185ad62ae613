"""The registry of partner agencies: name to agency, in the order their extracts are built.

``build_extracts`` walks it, so adding an agency is one module and one line here. The record id
columns and age ranges of every extract are read from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from turnaround.synth.extracts import health, housing, police, schools, youth_justice
from turnaround.synth.extracts.spec import Agency, ExtractSpec

AGENCIES: Mapping[str, Agency] = MappingProxyType(
    {
        agency.name: agency
        for agency in (
            schools.AGENCY,
            health.AGENCY,
            police.AGENCY,
            housing.AGENCY,
            youth_justice.AGENCY,
        )
    }
)


def extract_specs() -> Iterator[ExtractSpec]:
    """Every extract of every agency, in registry order."""
    for agency in AGENCIES.values():
        yield from agency.extracts


# The column holding each extract's own record id, for joining an extract to the truth.
RECORD_ID_COLUMN: dict[str, str] = {spec.name: spec.record_id for spec in extract_specs()}

# The ages (in whole years, upper bound exclusive) each extract can hold.
AGE_RANGE: dict[str, tuple[int, int]] = {spec.name: spec.ages for spec in extract_specs()}
