"""``/data``: the loads so far, uploading a return or extract, and the quarantined rows."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from turnaround.access import Actor
from turnaround.errors import InputError, ValidationFailed
from turnaround.present.format import count
from turnaround.returns.present import collection_year, loaded_lines, stored_loads
from turnaround.settings import Settings
from turnaround.store import Store
from turnaround.web.routing import Page, allow
from turnaround.workforce.intake import IntakeResult, load_files
from turnaround.workforce.present import workforce_load_line

router = APIRouter()

PAGE_SIZE = 100
FAILURES_SHOWN = 1000
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,200}$")


def loads_sql() -> str:
    """The loads so far, newest first, with their rows set aside and their validation failures
    counted by severity."""
    return """
        select l.load_id, l.kind, l.year, l.source, l.rows_loaded, l.loaded_at, l.loaded_by,
               count(f.rule) filter (where f.severity = 'error') as errors,
               count(f.rule) filter (where f.severity <> 'error') as queries,
               (select count(*) from quarantine q where q.load_id = l.load_id) as quarantined
        from loads l left join validation_failures f using (load_id)
        group by all
        order by l.loaded_at desc, l.load_id
    """


@router.get("/data", name="data")
def data(page: Annotated[Page, Depends(allow("load-data"))]) -> HTMLResponse:
    """The loads so far, each with its validation failures counted."""
    rows = page.store.fetchall(loads_sql())
    loads = stored_loads(
        (r[1], r[2], Path(str(r[3])).name, r[4], r[9], r[7], r[8], r[5], r[6]) for r in rows
    )
    quarantined = page.store.scalar("select count(*) from quarantine")
    return page.render("data.html", {"loads": loads, "quarantined": count(quarantined or 0)})


@router.get("/data/upload", name="upload_form")
def upload_form(page: Annotated[Page, Depends(allow("load-data"))]) -> HTMLResponse:
    """The upload form."""
    return page.render("upload.html", {})


def save_and_load(
    store: Store,
    settings: Settings,
    files: list[tuple[str, bytes]],
    year: int | None,
    actor: Actor,
) -> IntakeResult:
    """Write the uploaded files to a private temporary folder and load them in strict mode:
    returns, the workforce export's files or a CSWW census, as the CLI's ``load`` does."""
    uploads = settings.workspace / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads) as folder:
        for name, content in files:
            (Path(folder) / name).write_bytes(content)
        return load_files(store, [Path(folder)], actor=actor, year=year, mode="strict")


@router.post("/data/upload", name="upload")
async def upload(
    page: Annotated[Page, Depends(allow("load-data"))],
    files: Annotated[list[UploadFile] | None, File()] = None,
    year: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """Load the uploaded return or extract; show its validation report if it is refused."""
    assert page.user is not None
    errors: list[tuple[str, str]] = []  # (field id, message) for the error summary
    chosen = [f for f in files or [] if f.filename]
    names = [Path(f.filename or "").name for f in chosen]
    if not chosen:
        errors.append(("files", "Select a return or extract to upload"))
    for name in names:
        if not _SAFE_NAME.match(name):
            errors.append(("files", f"Rename {name!r}: use letters, numbers, spaces, . _ - ( )"))
    year_value: int | None = None
    if year.strip():
        if not re.fullmatch(r"20\d\d", year.strip()):
            errors.append(("year", "Enter the collection year as 4 digits, like 2014"))
        else:
            year_value = int(year.strip())
    context: dict[str, Any] = {"year": year, "errors": errors}
    if errors:
        return page.render("upload.html", context, status_code=400)
    contents = [(name, await f.read()) for name, f in zip(names, chosen, strict=True)]
    try:
        result = await run_in_threadpool(
            save_and_load,
            page.store,
            page.request.app.state.settings,
            contents,
            year_value,
            page.actor,
        )
    except ValidationFailed as exc:
        failures = sorted(exc.failures, key=lambda f: (f.severity != "error", f.file, f.row or 0))
        context.update(
            refused=str(exc),
            failures=failures[:FAILURES_SHOWN],
            more=max(0, len(failures) - FAILURES_SHOWN),
            errors=[("files", str(exc))],
        )
        return page.render("upload.html", context, status_code=422)
    except InputError as exc:
        context["errors"] = [("files", str(exc))]
        return page.render("upload.html", context, status_code=400)
    page.cache.bump()
    lines = loaded_lines(result.returns) if result.returns else ()
    if result.workforce is not None:
        lines = (*lines, workforce_load_line(result.workforce))
    context["loaded"] = lines
    return page.render("upload.html", context)


def quarantine_sql() -> str:
    """One page of quarantined rows, newest load first; the record itself is not shown."""
    return """
        select q.kind, q.year, q.table_name, q.source_file, q.source_row, q.rules, q.messages,
            q.location
        from quarantine q left join loads l using (load_id)
        order by l.loaded_at desc nulls last, q.load_id, q.source_file, q.source_row
        limit ? offset ?
    """


@router.get("/data/quarantine", name="quarantine")
def quarantine(
    page: Annotated[Page, Depends(allow("load-data"))],
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The rows a lenient load set aside, 100 a page."""
    total_row = page.store.fetchone("select count(*) from quarantine")
    total = int(total_row[0]) if total_row else 0
    rows = page.store.fetchall(quarantine_sql(), [PAGE_SIZE, (page_number - 1) * PAGE_SIZE])
    items = [
        {
            "kind": r[0],
            "year": collection_year(r[1]),
            "table": r[2],
            "file": Path(str(r[3])).name,
            "row": r[4],
            "rules": r[5],
            "messages": r[6],
            "where": r[7],
        }
        for r in rows
    ]
    pages = max(1, -(-total // PAGE_SIZE))
    return page.render(
        "quarantine.html",
        {"rows": items, "total": count(total), "page_number": page_number, "pages": pages},
    )
