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


def _year(value: object) -> str:
    """'now' for the current row, else the financial year as 2014-15."""
    try:
        year = int(str(value))  # None, NaN and <NA> are the row for now
    except ValueError:
        return "now"
    return f"{year}-{(year + 1) % 100:02d}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def workforce_section(assessment: WorkforceAssessment) -> Section:
    """The capacity the service has, what it needs, and what the plan costs."""
    loads, rates = assessment.caseloads, assessment.rates
    headline = [
        ("Case-holding workers in post", f"{loads.worker_count:,} ({loads.worker_fte:,.1f} FTE)"),
        ("Open cases", f"{loads.open_cases:,}"),
        ("Median caseload", f"{loads.median:g}"),
        (f"Workers with more than {loads.threshold} cases", _pct(loads.share_above)),
        ("Unallocated cases", f"{loads.unallocated_cases:,}"),
        ("Vacancy rate (social workers)", _pct(rates.vacancy_rate)),
        ("Agency rate (social workers)", _pct(rates.agency_rate)),
        ("Turnover (permanent social workers)", _pct(rates.turnover_rate)),
        ("Team managers' median span", f"{assessment.spans.median_team_manager_span:g}"),
        (
            "Teams with no permanent manager",
            f"{len(assessment.spans.teams_without_permanent_manager):,}",
        ),
    ]
    if assessment.stability is not None:
        headline.append(
            (
                "Looked-after children with 3+ social workers in the year",
                _pct(assessment.stability.share_three_or_more),
            )
        )
    teams = [
        {
            "name": str(t["name"]),
            "workers": f"{int(t['workers']):,}",
            "cases": f"{int(t['cases']):,}",
            "median": f"{float(t['median']):g}",
            "above": _pct(float(t["share_above"])),
        }
        for t in loads.teams.to_dict("records")
    ]
    seniors = [
        {
            "staff_id": str(r["staff_id"]),
            "role": str(r["role"]).replace("_", " "),
            "services": [p.strip() for p in str(r["portfolio"]).split(";") if p.strip()],
            "flagged": bool(r["over_broad"]),
        }
        for r in assessment.senior.seniors.to_dict("records")
    ]
    needed = [
        {
            "year": _year(r["year"]),
            "cases": f"{float(r['cases']):,.0f}",
            "workers": f"{float(r['social_worker_fte']):,.1f}",
            "managers": f"{int(r['team_managers']):,}",
        }
        for r in assessment.needed.years.to_dict("records")
    ]
    plan = [
        {
            "year": str(r["financial_year"]),
            "permanent": f"£{float(r['permanent_pay']) / 1e6:,.2f}m",
            "agency": f"£{float(r['agency_cost']) / 1e6:,.2f}m",
            "recruitment": f"£{float(r['recruitment_cost']) / 1e3:,.0f}k",
            "total": f"£{float(r['total']) / 1e6:,.2f}m",
        }
        for r in assessment.plan.costs_by_year().to_dict("records")
    ]
    body = render_fragment(
        "workforce_section.html.j2",
        at=assessment.at,
        headline=headline,
        histograms=caseload_histograms(assessment),
        teams=teams,
        seniors=seniors,
        flags=assessment.senior.flags,
        needed=needed,
        target=assessment.needed,
        plan=plan,
    )
    return Section(
        id="workforce",
        title="Management capacity and the plan to strengthen it",
        body=body,
        summary=(
            f"median caseload {loads.median:g}; vacancy {_pct(rates.vacancy_rate)}; "
            f"{len(assessment.senior.flags)} senior structure flag(s)"
        ),
    )
