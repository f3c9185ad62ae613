"""What each web page shows, computed from the store with no HTTP: one ``*_context`` per page.

Each context function returns a plain dict of figures already formatted for people, which its
template in ``turnaround/web/templates/pages`` renders. Aggregate pages (overview, measures,
forecast, workforce) carry no child-level data; the measure drill-down checks
``view-identifiable`` and writes an audit record itself.
"""

from __future__ import annotations

import math
from datetime import date

from turnaround.store import Store

NO_DATA = "No data loaded yet: load returns with turnaround load or the Data page."
"""What an aggregate page says, in GOV.UK inset text, before any return is loaded."""


def percent(share: float | None) -> str:
    """A share (0.25) as a percentage to one decimal place ('25.0%'), '–' when unknown."""
    if share is None or not math.isfinite(share):
        return "–"
    return f"{100 * share:.1f}%"


def number(value: float | None, places: int = 0) -> str:
    """A count or FTE with thousands commas ('1,234' or '40.8'), '–' when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.{places}f}"


def day(value: date) -> str:
    """A date as GOV.UK writes it: '31 March 2014'."""
    return f"{value.day} {value:%B %Y}"


def returns_loaded(store: Store) -> bool:
    """Whether any SSDA903 episodes are loaded: the forecast and most measures need them."""
    if not store.table_exists("ssda903_episodes"):
        return False
    return bool(
        store.scalar(
            "select exists (select 1 from ssda903_episodes)", step="looking for loaded episodes"
        )
    )
