"""The report's section on management capacity: caseloads, spans, rates, the senior structure
as a simple organisation chart, the posts needed and the costed plan. No child-level data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from markupsafe import Markup

from turnaround.report.charts import svg_figure
from turnaround.report.html import Section, render_fragment
from turnaround.workforce.assess import WorkforceAssessment
from turnaround.workforce.present import workforce_view


def caseload_histograms(assessment: WorkforceAssessment) -> Markup:
    """One small histogram of cases per worker for each team, with the threshold marked."""
    workers = assessment.caseloads.workers
    teams = assessment.caseloads.teams
    n = max(len(teams), 1)
    cols = min(4, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.0 * rows), squeeze=False)
    top = max(int(workers["cases"].max()) if len(workers) else 1, assessment.caseloads.threshold)
    bins = range(0, top + 3, 2)
    for ax, team in zip(axes.flat, teams.itertuples(), strict=False):
        cases = workers.loc[workers["team_id"] == team.team_id, "cases"]
        ax.hist(cases, bins=bins, color="#1d70b8")
        ax.axvline(assessment.caseloads.threshold, color="#d4351c", linewidth=1)
        ax.set_title(str(team.name), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(teams) :]:
        ax.set_visible(False)
    fig.supxlabel(f"Cases per worker (red line: {assessment.caseloads.threshold})", fontsize=8)
    fig.tight_layout()
    return svg_figure(fig)


def workforce_section(assessment: WorkforceAssessment) -> Section:
    """The capacity the service has, what it needs, and what the plan costs."""
    view = workforce_view(assessment)
    seniors = [
        {
            "staff_id": str(r["staff_id"]),
            "role": str(r["role"]).replace("_", " "),
            "services": [p.strip() for p in str(r["portfolio"]).split(";") if p.strip()],
            "flagged": bool(r["over_broad"]),
        }
        for r in assessment.senior.seniors.to_dict("records")
    ]
    body = render_fragment(
        "workforce_section.html.j2",
        view=view,
        histograms=caseload_histograms(assessment),
        seniors=seniors,
    )
    return Section(
        id="workforce",
        title="Management capacity and the plan to strengthen it",
        body=body,
        summary=view.summary,
    )
