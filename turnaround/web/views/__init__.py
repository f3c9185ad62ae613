"""What each web page shows, computed from the store with no HTTP: one ``*_context`` per page.

Each context function returns a plain dict of figures already formatted for people, which its
template in ``turnaround/web/templates/pages`` renders. Aggregate pages (overview, measures,
forecast, workforce) carry no child-level data; the measure drill-down checks
``view-identifiable`` and writes an audit record itself.
"""

from __future__ import annotations

from turnaround.present.format import day, number, percent
from turnaround.store import Store

# The formatters live in turnaround.present.format, shared with the CLI and the report.
__all__ = ["NO_DATA", "day", "number", "percent", "returns_loaded"]

NO_DATA = "No data loaded yet: load returns with turnaround load or the Data page."
"""What an aggregate page says, in GOV.UK inset text, before any return is loaded."""


def returns_loaded(store: Store) -> bool:
    """Whether any SSDA903 episodes are loaded: the forecast and most measures need them."""
    if not store.table_exists("ssda903_episodes"):
        return False
    return bool(
        store.scalar(
            "select exists (select 1 from ssda903_episodes)", step="looking for loaded episodes"
        )
    )
