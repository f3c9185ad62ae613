"""The tables a loaded return did not supply, as every later stage needs to say so.

A lenient load of a partial return (an episodes-only SSDA903 extract, a header without its
episodes) records each table it lacked in ``absent_tables``. The measures and the forecast
read this to say what they could not compute, instead of counting an absent table as zero.
"""

from __future__ import annotations

from turnaround.errors import NotFound
from turnaround.returns.schema import schema_for
from turnaround.store.backend import DuckDBBackend

LABELS = {"ssda903": "SSDA903", "cin": "CIN census", "annex_a": "Annex A"}

# Store tables built from a loaded table: a year absent from the one is absent from the other.
DERIVED = {"ssda903_episodes": ("ssda903_episodes_clean",)}


def gaps(store: DuckDBBackend) -> dict[tuple[str, int], str]:
    """Each (store table, year) a loaded return did not supply, with words saying so."""
    if not store.table_exists("absent_tables"):
        return {}
    rows = store.fetch_arrow("select distinct kind, year, table_name from absent_tables")
    out = {}
    for kind, year, table in zip(*(rows.column(i).to_pylist() for i in range(3)), strict=True):
        try:
            name = schema_for(kind, year).table(table).name
        except (NotFound, ValueError):
            name = table
        label = LABELS.get(kind, kind)
        words = f"the {year - 1}-{year % 100:02d} {label} return has no {name} table"
        stored = f"{kind}_{table}"
        for target in (stored, *DERIVED.get(stored, ())):
            out[(target, int(year))] = words
    return out
