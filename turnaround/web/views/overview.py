"""The board's overview: the plan's priorities, measures off track, budget, capacity gap and the
count of unknown children (a count only: no names, no ids)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from turnaround.budget.present import headline as budget_headline
from turnaround.store import Store
from turnaround.web.views import NO_DATA, number, returns_loaded
from turnaround.web.views.forecast import BudgetRun, run_forecast
from turnaround.web.views.workforce import capacity_gap

RAG_TAGS: dict[str, str] = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    # The plan's own rating words (turnaround.plan.progress.RATINGS).
    "off track": "govuk-tag--red",
    "at risk": "govuk-tag--orange",
    "on track": "govuk-tag--green",
    "no data": "govuk-tag--grey",
}
"""GOV.UK tag classes for each rating; the rating's word is always printed in the tag too."""


@dataclass(frozen=True)
class PlanStatus:
    """Where the checked-in plan stands: each priority's rating and the measures off track."""

    priorities: Sequence[tuple[str, str]]  # (priority title, rating word: 'at risk')
    off_track: Sequence[str]  # measure titles


def rag_class(rating: str) -> str:
    """The govuk-tag modifier for a rating word ('off track', 'at risk', 'on track', or 'Red',
    'amber', 'Green'); grey otherwise, 'no data' included."""
    return RAG_TAGS.get(rating.strip().lower(), "govuk-tag--grey")


def unknown_children(store: Store) -> int | None:
    """How many children are on the unknown-children worklist; None before it is built."""
    if not store.table_exists("unknown_worklist"):
        return None
    count = store.scalar("select count(*) from unknown_worklist", step="counting the worklist")
    return int(count or 0)


def overview_context(
    store: Store, *, plan_status: PlanStatus | None = None, run: BudgetRun | None = None
) -> dict[str, Any]:
    """Everything the board's overview shows; pass the cached forecast ``run`` to skip the model.

    Before any return is loaded there is no forecast: ``budget`` and ``gap`` are None and
    ``no_data`` says how to load one.
    """
    if run is None and returns_loaded(store):
        run = run_forecast(store)
    unknown = unknown_children(store)
    plan: dict[str, Any] | None = None
    if plan_status is not None:
        plan = {
            "priorities": [
                {"title": title, "rating": rating, "tag": rag_class(rating)}
                for title, rating in plan_status.priorities
            ],
            "off_track": list(plan_status.off_track),
        }
    planned = run[1] if run is not None else None
    return {
        "no_data": None if run is not None else NO_DATA,
        "plan": plan,
        "budget": budget_headline(run[0].budget) if run is not None else None,
        "gap": capacity_gap(planned.plan) if planned is not None else None,
        "unknown_children": unknown,
        "unknown_children_text": number(unknown) if unknown is not None else None,
    }
