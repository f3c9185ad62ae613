"""The report's measures section: a row per measure with a small trend chart and benchmarks."""

from __future__ import annotations

from markupsafe import Markup
from matplotlib.figure import Figure

from turnaround.measures.present import measure_rows
from turnaround.measures.summary import MeasureSummary
from turnaround.present.format import MISSING
from turnaround.report.charts import svg_figure
from turnaround.report.html import Section, render_fragment


def trend_chart(summary: MeasureSummary) -> Markup:
    """The council's line (solid, circles) and England's (dashed, squares), labelled."""
    fig = Figure(figsize=(3.2, 1.6), dpi=100)
    ax = fig.add_subplot()
    years = [v.year for v in summary.values if v.value is not None]
    values = [v.value for v in summary.values if v.value is not None]
    ax.plot(years, values, marker="o", linestyle="-", color="#1d70b8", label="This council")
    span = (min(years), max(years)) if years else (0, 0)
    england = [
        (b.year, b.england)
        for b in summary.benchmarks
        if b.england is not None and span[0] <= b.year <= span[1]
    ]
    if england:
        ax.plot(
            [y for y, _ in england],
            [v for _, v in england],
            marker="s",
            linestyle="--",
            color="#505a5f",
            label="England",
        )
    ax.tick_params(labelsize=7)
    ax.set_xticks(sorted({*years, *(y for y, _ in england)}))
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{int(x) % 100:02d}")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6, frameon=False, loc="best")
    fig.tight_layout(pad=0.3)
    chart = svg_figure(fig)
    return Markup(
        f'<figure role="img" aria-label="{summary.measure.title}: trend">{chart}</figure>'
    )


def measures_section(summaries: list[MeasureSummary]) -> Section:
    """One row per measure: definition, latest value, benchmarks, and the trend chart."""
    rows = [
        {"measure": row, "chart": trend_chart(s) if len(s.values) > 1 else Markup("")}
        for s, row in zip(summaries, measure_rows(summaries), strict=True)
    ]
    body = render_fragment("measures_section.html.j2", rows=rows, missing=MISSING)
    return Section(
        id="measures",
        title="Performance measures",
        body=body,
        summary=f"{len(summaries)} measures, trended and compared with England",
    )
