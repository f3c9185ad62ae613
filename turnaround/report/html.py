"""Assemble stage sections into one self-contained HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    """One stage's part of the report; ``body`` is trusted HTML built from escaped templates."""

    id: str
    title: str
    body: Markup
    summary: str = ""


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("turnaround.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )


def render_fragment(template: str, **context: object) -> Markup:
    """Render one of the report's fragment templates to safe HTML."""
    return Markup(_environment().get_template(template).render(**context))


def write_report(
    sections: Sequence[Section],
    out_dir: Path,
    *,
    title: str = "turnaround report",
    generated_at: datetime | None = None,
) -> Path:
    """Write ``index.html`` with every section and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            sections=sections,
            generated_at=(generated_at or datetime.now()).strftime("%d %B %Y %H:%M"),
        )
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
