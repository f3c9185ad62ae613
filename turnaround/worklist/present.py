"""The unknown children's counts as people see them: the worklist's counts, the indicators that
put children on it, the reviewers' decisions, and the evaluation against a city's truth.

``turnaround unknown``, the report's unknown children section and the web's ``/unknown`` page
all render these, so a count reads the same in each. Nothing here carries a name or an id:
the worklist's entries are shown only through the use cases that check and audit them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from turnaround.present.format import MINUS, MISSING, count, day, financial_year, number, percent
from turnaround.worklist.evaluate import AT_RISK_NOW, HIGH_OR_SEVERE, IN_YEAR

if TYPE_CHECKING:
    from turnaround.risk.indicators import IndicatorConfig
    from turnaround.worklist.build import WorklistSummary
    from turnaround.worklist.report import Evaluation

FAIRNESS_HEADINGS = {
    "dimension": "Dimension",
    "group": "Group",
    "children": "Children with 2+ records",
    "linkage_recall": "Linkage recall",
    "complete": "All records linked",
    "wrongly_known_rate": "Wrongly known",
    "flagged": "Flagged in top k",
    "target_children": "At risk, unknown",
    "target_recall_at_k": "Of those, in top k",
}
"""The fairness table's columns for people (``evaluate.fairness`` gives them by name)."""

FAIRNESS_SHORT = {
    "children": "Children",
    "linkage_recall": "Link recall",
    "wrongly_known_rate": "Wrongly known",
    "flagged": "Flagged",
    "target_children": "At risk unknown",
    "target_recall_at_k": "In top k",
}
"""Shorter headings for a terminal."""


@dataclass(frozen=True)
class Count:
    """One counted line: what is counted, and how many."""

    label: str
    value: str
    part: bool = False  # a breakdown of the line above it


@dataclass(frozen=True)
class WorklistView:
    """The worklist as built: its date and its counts, people first, the list's breakdown last."""

    as_of: str
    entries: str
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class IndicatorRow:
    """One risk indicator: its weight, the people it fired for, and those of them on the list."""

    label: str
    weight: str
    people: str
    on_list: str


@dataclass(frozen=True)
class ReviewCounts:
    """What is still waiting for review: the undecided children, and the decisions made."""

    built: bool
    as_of: str
    people: str
    by_involvement: tuple[Count, ...]
    decisions: tuple[Count, ...]
    indicators: tuple[IndicatorRow, ...]


TARGET_HEADINGS = {
    "label": "Who counts as a target",
    "targets": "Target children",
    "hits": "In the top k",
    "precision": "Precision at k",
    "recall": "Recall at k",
    "recall_reachable": "Recall, reachable",
    "ceiling_recall": "Recall ranked by latent risk (ceiling)",
    "share_of_ceiling": "Share of the ceiling",
}
"""The columns of the table comparing the targets (``evaluate.TargetQuality`` by name)."""

TARGET_SHORT = {
    "target": "Target",
    "targets": "Children",
    "hits": "In top k",
    "precision": "Precision",
    "recall": "Recall",
    "ceiling_recall": "Ceiling",
    "share_of_ceiling": "Of ceiling",
}
"""Shorter headings for a terminal, where the target is named in brief (``TARGET_NAMES``); the
recall over reachable targets is left to the report, for width."""

TARGET_NAMES = {
    IN_YEAR: "At risk in the year",
    AT_RISK_NOW: "At risk at the date",
    HIGH_OR_SEVERE: "High or severe at the date",
}
"""Each target's name in brief (``evaluate.TARGETS`` has it in full)."""


@dataclass(frozen=True)
class EvaluationView:
    """The evaluation's figures: linkage, matching to social care, the top k, and fairness."""

    k: int
    year: str
    linkage: tuple[Count, ...]
    known: tuple[Count, ...]
    worklist: tuple[Count, ...]
    fairness: tuple[dict[str, str], ...]
    targets: tuple[dict[str, str], ...] = ()


def involvement_label(name: str) -> str:
    """A social care involvement as a breakdown line: 'social care involvement: none'."""
    return f"social care involvement: {name}"


def weight(value: float) -> str:
    """An indicator's weight as it adds to a score: '+2', '+0.5', '−1'."""
    text = f"{abs(value):g}"
    return f"{MINUS}{text}" if value < 0 else f"+{text}"


def worklist_view(summary: WorklistSummary) -> WorklistView:
    """The counts every face shows for the worklist just built (no child-level detail)."""
    counts = (
        Count("People found by linking the records", count(summary.people)),
        Count("With at least one risk indicator", count(summary.scored)),
        Count("Matched to an assessed child (left off the list)", count(summary.known_assessed)),
        Count(
            "Matched to a child known before the returns (left off the list)",
            count(summary.known_before),
        ),
        Count("On the worklist", count(summary.entries)),
        *(
            Count(involvement_label(name), count(n), part=True)
            for name, n in summary.by_involvement.items()
        ),
    )
    return WorklistView(as_of=day(summary.as_of), entries=count(summary.entries), counts=counts)


def indicator_rows(
    config: IndicatorConfig,
    people: Mapping[str, int],
    on_list: Mapping[str, int] | None = None,
) -> tuple[IndicatorRow, ...]:
    """Each indicator with the people it fired for (and, given, those on the worklist)."""
    return tuple(
        IndicatorRow(
            label=i.label,
            weight=weight(i.weight),
            people=count(int(people.get(i.id, 0))),
            on_list=count(int(on_list.get(i.id, 0))) if on_list is not None else MISSING,
        )
        for i in config.indicators
    )


def review_counts(
    as_of: date | None,
    by_involvement: Mapping[str, int],
    decisions: Mapping[str, int],
    indicators: Iterable[IndicatorRow],
) -> ReviewCounts:
    """The web's counts page: children waiting for review by involvement, and the decisions."""
    waiting = sum(by_involvement.values())
    return ReviewCounts(
        built=as_of is not None,
        as_of=day(as_of),
        people=count(waiting),
        by_involvement=tuple(
            Count(name.capitalize(), count(n)) for name, n in by_involvement.items()
        ),
        decisions=tuple(Count(label, count(n)) for label, n in decisions.items()),
        indicators=tuple(indicators),
    )


def format_value(value: object, label: str = "") -> str:
    """A result value for people: shares to 3 places, counts with commas, years as 2013-14."""
    if label == "Collection year" and isinstance(value, int):
        return financial_year(value - 1)  # the 2014 collection covers 2013-14
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return number(value, 3)  # precision and recall read to three places; NaN is missing
    return str(value)


def fairness_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The fairness table formatted for people: rates as percentages, counts with commas."""
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key in FAIRNESS_HEADINGS:
            value = record.get(key)
            if key in ("dimension", "group"):
                row[key] = str(value)
            elif key in ("children", "target_children"):
                row[key] = count(int(value or 0))
            else:
                row[key] = MISSING if value is None or pd.isna(value) else percent(value)
        rows.append(row)
    return rows


def _counts(rows: list[tuple[str, object]]) -> tuple[Count, ...]:
    return tuple(Count(label, format_value(value, label)) for label, value in rows)


def evaluation_view(evaluation: Evaluation) -> EvaluationView:
    """The evaluation as every face shows it."""
    return EvaluationView(
        k=evaluation.k,
        year=financial_year(evaluation.year - 1) if evaluation.year else MISSING,
        linkage=_counts(evaluation.linkage.rows()),
        known=_counts(evaluation.known.rows()),
        worklist=_counts(evaluation.worklist.rows()),
        fairness=tuple(fairness_rows(evaluation.fairness)),
        targets=tuple(
            {
                "target": TARGET_NAMES.get(t.target, t.target),
                **{key: format_value(t.to_dict()[key], key) for key in TARGET_HEADINGS},
            }
            for t in evaluation.targets
        ),
    )
