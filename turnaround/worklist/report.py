"""The worklist's evaluation against a synthetic city's truth, and its report section.

``evaluate_worklist`` reads what the store holds (linked records, clusters, known matches and
the worklist) and scores it with ``evaluate.py`` against the city's ground truth. The report
section shows counts, the evaluation and the fairness table, and no names or record ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from turnaround.report.html import Section, render_fragment
from turnaround.risk.indicators import IndicatorConfig, load_indicators
from turnaround.store import Store
from turnaround.worklist.build import WorklistSummary, worklist_summary
from turnaround.worklist.entries import DEFAULT_TOP
from turnaround.worklist.evaluate import (
    WWCSC_THRESHOLD,
    KnownErrors,
    LinkageQuality,
    TargetQuality,
    Truth,
    WorklistQuality,
    by_target,
    fairness,
    linkage_quality,
    record_person,
    worklist_quality,
    wrongly_known,
)
from turnaround.worklist.present import (
    FAIRNESS_HEADINGS,
    TARGET_HEADINGS,
    evaluation_view,
    indicator_rows,
    worklist_view,
)


@dataclass(frozen=True)
class Evaluation:
    """Linkage, the dangerous error, the worklist at k, and fairness, for one city.

    ``worklist`` and ``fairness`` use the default target; ``targets`` scores the top k against
    every target the city's truth defines for the year, the default first.
    """

    year: int
    k: int
    linkage: LinkageQuality
    known: KnownErrors
    worklist: WorklistQuality
    fairness: pd.DataFrame
    targets: tuple[TargetQuality, ...] = ()


def _frame(store: Store, sql: str) -> pd.DataFrame:
    return store.fetch_arrow(sql).to_pandas()


def evaluate_worklist(store: Store, city_dir: Path | str, *, k: int = DEFAULT_TOP) -> Evaluation:
    """Score the stored linkage and worklist against the synthetic city's ground truth."""
    truth = Truth.read(city_dir)
    records = _frame(store, "select unique_id, source, record_id from linkage_records")
    clusters = _frame(store, "select unique_id, cluster_id from linkage_clusters")
    known = _frame(store, "select cluster_id, child_id, match_probability from linkage_known")
    worklist = _frame(
        store, "select rank, cluster_id, score, child_id from unknown_worklist order by rank"
    )
    # The collection year is the one ending on the 31 March on or after the worklist date.
    day = store.scalar("select max(as_of) from risk_scores", step="reading the worklist date")
    year = int(day.year + (1 if (day.month, day.day) > (3, 31) else 0)) if day else 0
    people = record_person(truth, records)
    return Evaluation(
        year=year,
        k=k,
        linkage=linkage_quality(clusters, people),
        known=wrongly_known(clusters, known, people, truth),
        worklist=worklist_quality(worklist, clusters, people, truth, year, k),
        fairness=fairness(clusters, known, worklist, people, truth, year, k),
        targets=by_target(worklist, clusters, people, truth, year, k),
    )


def unknown_section(
    store: Store,
    evaluation: Evaluation | None = None,
    config: IndicatorConfig | None = None,
) -> Section:
    """The report's section on unknown children: counts, indicators, evaluation, fairness."""
    summary: WorklistSummary = worklist_summary(store)
    config = config or load_indicators()
    hits = dict(
        store.fetchall(
            "select indicator, count(distinct cluster_id) from risk_hits group by 1",
            step="counting people by indicator",
        )
    )
    on_list = dict(
        store.fetchall(
            "select h.indicator, count(distinct h.cluster_id) from risk_hits h "
            "join unknown_worklist w using (cluster_id) group by 1",
            step="counting worklist people by indicator",
        )
    )
    view = worklist_view(summary)
    body = render_fragment(
        "unknown_section.html.j2",
        view=view,
        indicators=indicator_rows(config, hits, on_list),
        window=config.window_months,
        top=DEFAULT_TOP,
        evaluation=evaluation_view(evaluation) if evaluation else None,
        headings=FAIRNESS_HEADINGS,
        target_headings=TARGET_HEADINGS,
        threshold=WWCSC_THRESHOLD,
    )
    return Section(
        id="unknown",
        title="Children at risk who are unknown to social care",
        body=body,
        summary=f"{view.entries} children on the worklist as at {view.as_of}",
    )
