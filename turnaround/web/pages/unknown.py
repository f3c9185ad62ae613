"""``/unknown``: counts of children unknown to social care, the worklist, and reviewers' decisions.

The counts page shows no child-level detail. The worklist, a child's page and the exports carry
names, so they go through the library's use cases (``view_worklist``, ``view_worklist_person``,
``export_worklist``), which check ``view-worklist`` (or ``export-worklist``) and audit every
view; a reviewer's decision (``record_decision``, ``review-worklist``) takes the child off it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from turnaround.access import may
from turnaround.errors import InputError
from turnaround.risk.indicators import load_indicators
from turnaround.store import Store
from turnaround.web.routing import Page, allow
from turnaround.worklist.build import INVOLVEMENT
from turnaround.worklist.decisions import (
    DECISIONS,
    decision_counts,
    decisions,
    record_decision,
)
from turnaround.worklist.entries import (
    DEFAULT_TOP,
    Entry,
    decided_people,
    export_worklist,
    person_reference,
    view_worklist,
    view_worklist_person,
)
from turnaround.worklist.present import ReviewCounts, indicator_rows, review_counts

router = APIRouter()

FLASH_KEY = "flash"
MAX_TOP = 5000
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def worklist_counts(store: Store) -> ReviewCounts:
    """Counts only: people on the worklist (undecided), by involvement, decisions, indicators."""
    rows = store.fetchall("select cluster_id, involvement from unknown_worklist")
    decided = decided_people(store)
    open_rows = [(str(c), str(i)) for c, i in rows if person_reference(str(c)) not in decided]
    by_involvement = {name: 0 for name in INVOLVEMENT}
    for _, involvement in open_rows:
        by_involvement[involvement] = by_involvement.get(involvement, 0) + 1
    open_clusters = [c for c, _ in open_rows]
    hits = (
        dict(
            store.fetchall(
                "select indicator, count(distinct cluster_id) from risk_hits"
                " where cluster_id in (select unnest($clusters)) group by indicator",
                {"clusters": open_clusters},
            )
        )
        if open_clusters
        else {}
    )
    config = load_indicators()
    # The indicators that put the most waiting children on the list come first.
    people = {i.id: int(hits.get(i.id, 0)) for i in config.indicators}
    order = sorted(config.indicators, key=lambda i: (-people[i.id], i.label))
    rows_by_label = {r.label: r for r in indicator_rows(config, people)}
    as_of = store.scalar("select max(as_of) from unknown_worklist") if rows else None
    return review_counts(
        as_of,
        by_involvement,
        {DECISIONS[k]: n for k, n in decision_counts(store).items()},
        (rows_by_label[i.label] for i in order),
    )


@router.get("/unknown", name="unknown")
def unknown(page: Annotated[Page, Depends(allow("view-aggregates"))]) -> HTMLResponse:
    """How many children are on the worklist, and why; no names."""
    # The app holds the store open, so the worklist changes only through decisions made here,
    # which move the data version.
    counts = page.cache.get(("unknown-counts",), lambda: worklist_counts(page.store))
    assert page.user is not None
    return page.render(
        "pages/unknown.html",
        {
            "counts": counts,
            "may_view": may(page.user.role, "view-worklist"),
            "may_export": may(page.user.role, "export-worklist"),
        },
    )


def _on_worklist(store: Store) -> bool:
    return bool(store.scalar("select count(*) from unknown_worklist"))


@router.get("/unknown/worklist", name="worklist")
def worklist(
    page: Annotated[Page, Depends(allow("view-worklist"))],
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
) -> HTMLResponse:
    """The ranked worklist with names, for the safeguarding hub; the view is audited."""
    assert page.user is not None
    flash = page.request.session.pop(FLASH_KEY, None)
    entries: list[Entry] = []
    built = _on_worklist(page.store)
    if built:
        # The entries take ~0.4 s at Birmingham scale, so they come from the app's cache (a
        # decision moves the data version); view_worklist still checks and audits every view.
        entries = view_worklist(page.store, page.actor, top=top, memo=page.cache.get)
    return page.render(
        "pages/worklist.html",
        {
            "entries": entries,
            "built": built,
            "top": top,
            "flash": flash,
            "may_export": may(page.user.role, "export-worklist"),
        },
    )


def _person_context(page: Page, person: str) -> dict[str, Any]:
    """One person's page, viewed (checked and audited) through ``view_worklist_person``."""
    viewed = view_worklist_person(page.store, page.actor, person)
    entry = viewed.entry
    why = {i.id: i.why for i in load_indicators().indicators}
    return {
        "entry": entry,
        "why": {f.indicator: why.get(f.indicator, "") for f in entry.fired},
        "records": [
            {
                "source": r.source,
                "record_id": r.record_id,
                "date": r.event_date,
                "fields": list(r.fields),
            }
            for r in viewed.records
        ],
        "earlier": decisions(page.store, person),
        "choices": list(DECISIONS.items()),
        "decision": "",
        "reason": "",
        "errors": [],
    }


@router.get("/unknown/people/{person}", name="worklist_person")
def person_page(
    person: str, page: Annotated[Page, Depends(allow("view-worklist"))]
) -> HTMLResponse:
    """One child on the worklist: why they are there, the records behind it, and the form."""
    return page.render("pages/person.html", _person_context(page, person))


@router.post("/unknown/people/{person}/decision", name="worklist_decision", response_model=None)
def decide(
    person: str,
    page: Annotated[Page, Depends(allow("review-worklist"))],
    decision: Annotated[str, Form(max_length=50)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Record a reviewer's decision; the child leaves the worklist."""
    assert page.user is not None
    errors: list[tuple[str, str]] = []
    if decision not in DECISIONS:
        errors.append(("decision", "Select what happens next for this child"))
    if not reason.strip():
        errors.append(("reason", "Enter the reason for the decision"))
    if not errors:
        try:
            record_decision(page.store, page.actor, person, decision, reason)
        except InputError as exc:
            errors.append((exc.field or "reason", str(exc)))
        else:
            page.request.session[FLASH_KEY] = "Decision recorded"
            return RedirectResponse("/unknown/worklist", status_code=303)
    context = _person_context(page, person)  # NotFound for a person not on the worklist
    context.update(decision=decision, reason=reason, errors=errors)
    return page.render("pages/person.html", context, status_code=400)


def _export(page: Page, kind: str, top: int) -> Response:
    assert page.user is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"unknown-worklist.{kind}"
        export_worklist(page.store, page.actor, path, top=top)
        content = path.read_bytes()
    return Response(
        content,
        media_type=_MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="unknown-worklist.{kind}"'},
    )


@router.get("/unknown/export.csv", name="worklist_csv")
async def export_csv(
    page: Annotated[Page, Depends(allow("export-worklist"))],
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
) -> Response:
    """The worklist as CSV (audited)."""
    return await run_in_threadpool(_export, page, "csv", top)


@router.get("/unknown/export.xlsx", name="worklist_xlsx")
async def export_xlsx(
    page: Annotated[Page, Depends(allow("export-worklist"))],
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
) -> Response:
    """The worklist as an Excel workbook (audited)."""
    return await run_in_threadpool(_export, page, "xlsx", top)
