"""Which looked-after state an SSDA903 placement is: PLACE code and PLACE_PROVIDER together.

The provider splits fostering and residential between the council's own provision and the
market. PR1 (the council's own), PR2 (another council) and PR3 (other public provision) count
as in-house; PR4 (private) and PR5 (voluntary) as external. A missing or unknown provider
counts as in-house, the commoner case for fostering. PR0 (a parent) only goes with P1.
Codes not listed here (temporary placements T0-T4, Z1, NHS and family centre placements)
are ``other_looked_after``.
"""

from __future__ import annotations

import pyarrow as pa

EXTERNAL_PROVIDERS: frozenset[str] = frozenset({"PR4", "PR5"})
"""Private and voluntary providers: the market."""

# PLACE -> (state when in-house, state when external)
PLACEMENTS: dict[str, tuple[str, str]] = {
    **{code: ("family_and_friends", "family_and_friends") for code in ("U1", "U2", "U3")},
    **{code: ("fostering_in_house", "fostering_agency") for code in ("U4", "U5", "U6")},
    **{code: ("residential_in_house", "residential_external") for code in ("K2", "R1", "S1")},
    # A secure children's home, or a young offender institution or prison.
    "K1": ("secure", "secure"),
    "R5": ("secure", "secure"),
    "H5": ("supported_accommodation", "supported_accommodation"),
    "P2": ("supported_accommodation", "supported_accommodation"),
    "P1": ("placed_with_parents", "placed_with_parents"),
    **{code: ("placed_for_adoption", "placed_for_adoption") for code in ("A3", "A4", "A5", "A6")},
}


def placement_state(place: str | None, provider: str | None) -> str:
    """The looked-after state of one placement, from its PLACE and PLACE_PROVIDER codes."""
    pair = PLACEMENTS.get((place or "").strip().upper())
    if pair is None:
        return "other_looked_after"
    external = (provider or "").strip().upper() in EXTERNAL_PROVIDERS
    return pair[1] if external else pair[0]


def placement_table() -> pa.Table:
    """``PLACEMENTS`` as a table (place, in_house, external) for joining in SQL."""
    return pa.table(
        {
            "place": list(PLACEMENTS),
            "in_house": [pair[0] for pair in PLACEMENTS.values()],
            "external": [pair[1] for pair in PLACEMENTS.values()],
        }
    )
