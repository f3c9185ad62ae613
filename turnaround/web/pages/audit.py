"""``/audit``: the append-only audit log, newest first, for administrators. Read here, never
changed: nothing in the app updates or deletes an audit record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from turnaround.web.routing import Page, allow

router = APIRouter()

PAGE_SIZE = 50


def audit_sql(*, by_user: bool, by_action: bool) -> str:
    """One page of the audit log, newest first, optionally for one user and one action."""
    where = []
    if by_user:
        where.append("username = ?")
    if by_action:
        where.append("action = ?")
    clause = f"where {' and '.join(where)}" if where else ""
    return (
        "select audit_id, occurred_at, username, action, target, reason, origin, "
        f"count(*) over () as total from audit_log {clause} "
        "order by audit_id desc limit ? offset ?"
    )


@router.get("/audit", name="audit")
def audit_log(
    page: Annotated[Page, Depends(allow("view-audit"))],
    user: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=100)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """Who did what, when and from where, with filters by user and action."""
    params: list[object] = [p for p in (user, action) if p]
    params += [PAGE_SIZE, (page_number - 1) * PAGE_SIZE]
    rows = page.store.fetchall(audit_sql(by_user=bool(user), by_action=bool(action)), params)
    total = int(rows[0][7]) if rows else 0
    users = [
        r[0]
        for r in page.store.fetchall(
            "select distinct username from audit_log where username is not null order by 1"
        )
    ]
    actions = [
        r[0] for r in page.store.fetchall("select distinct action from audit_log order by 1")
    ]
    return page.render(
        "audit.html",
        {
            "rows": [
                {
                    "id": r[0],
                    "when": r[1],
                    "user": r[2] or "",
                    "action": r[3],
                    "target": r[4] or "",
                    "reason": r[5] or "",
                    "origin": r[6] or "",
                }
                for r in rows
            ],
            "users": users,
            "actions": actions,
            "user_filter": user,
            "action_filter": action,
            "page_number": page_number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
        },
    )
