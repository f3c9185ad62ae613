"""Small charts rendered to inline SVG, readable without colour alone."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from markupsafe import Markup
from matplotlib.figure import Figure


def svg_figure(fig: Figure) -> Markup:
    """Serialise a matplotlib figure to an inline SVG string (no external files)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    start = svg.find("<svg")
    return Markup(svg[start:])
