"""The synthetic city's section of the HTML report: what was generated and how it calibrates."""

from __future__ import annotations

from turnaround.report.html import Section, render_fragment
from turnaround.synth.city import GeneratedCity
from turnaround.synth.config import SynthConfig


def city_section(generated: GeneratedCity, config: SynthConfig) -> Section:
    """Describe the generated city and show its calibration table."""
    city = generated.city
    counts = {
        "Children ever in the city during the window": len(city.population.children),
        "Households": len(city.population.households),
        "Children known to social care": len(city.social_care.known_children),
        "Contacts": len(city.social_care.contacts),
        "Referrals": len(city.social_care.referrals),
        "Care episodes (SSDA903)": len(city.social_care.episodes),
        "Child protection plans": len(city.social_care.cp_plans),
        "Partner agency records": int(sum(len(t) for t in city.extracts.tables.values())),
        "Staff records": len(city.workforce.staff),
    }
    extracts = {name: len(table) for name, table in sorted(city.extracts.tables.items())}
    within = sum(f.within for f in generated.figures)
    summary = (
        f"{config.children:,} children, seed {config.seed}; "
        f"{within} of {len(generated.figures)} figures within tolerance"
    )
    body = render_fragment(
        "synth_section.html.j2",
        config=config,
        counts=counts,
        extracts=extracts,
        figures=generated.figures,
        unknown_at_risk=generated.unknown_at_risk,
        out_dir=generated.out_dir,
    )
    return Section(id="city", title="The synthetic city", body=body, summary=summary)
