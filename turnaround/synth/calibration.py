"""The city's headline figures beside the published ones they are calibrated to.

Counts are compared after scaling the published Birmingham figure to the city's size, so the
comparison holds at any size; rates and shares are compared directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.core.years import collection_period
from turnaround.synth import variability
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import City

FOSTERED = ("U1", "U2", "U3", "U4", "U5", "U6")
RESIDENTIAL = ("K1", "K2", "H5")  # children's homes, secure units and hostels
PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")


@dataclass(frozen=True)
class Figure:
    """One generated figure, the published figure it is held to, and whether it is close enough."""

    key: str
    label: str
    generated: float
    published: float
    unit: str  # 'count', 'share' or 'per10k'
    tolerance: float = 0.10
    source: str = "CALIBRATION.md, Birmingham, year to 31 March 2014"
    # For a figure held to a published range (the panel's interquartile range) not a ratio.
    low: float | None = None
    high: float | None = None

    @property
    def ratio(self) -> float:
        """Generated over published."""
        return self.generated / self.published if self.published else float("nan")

    @property
    def within(self) -> bool:
        """True when the generated figure is within the tolerance of (or range around) the
        published one."""
        if self.low is not None and self.high is not None:
            return bool(self.low <= self.generated <= self.high)
        return bool(abs(self.ratio - 1) <= self.tolerance)

    @property
    def allowed(self) -> str:
        """What "within" means for this figure, in words: '±10%' or '2.5% to 11.1%'."""
        if self.low is not None and self.high is not None:
            return f"{100 * self.low:.1f}% to {100 * self.high:.1f}%"
        return f"±{100 * self.tolerance:.0f}%"


def _open_at(starts: pd.Series, ends: pd.Series, day: pd.Timestamp) -> pd.Series:
    return (starts <= day) & (ends.isna() | (ends > day))


def headline_figures(city: City, config: SynthConfig, year: int | None = None) -> list[Figure]:
    """The calibration table for the year to 31 March ``year`` (default: the last year)."""
    year = year or config.end_year
    first, last = collection_period(year)
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    sc = city.social_care
    ch = city.population.children
    resident = (
        (ch["arrived"] <= end)
        & (ch["left"].isna() | (ch["left"] > end))
        & (ch["dob"] <= end)
        & (ch["dob"] > end - pd.DateOffset(years=18))
    )
    children = int(resident.sum())
    t = config.targets

    counts = year_counts(city, year)
    looked_after, in_need, on_plan = (
        counts["looked_after"],
        counts["in_need"],
        counts["cp_plans"],
    )
    episodes = sc.episodes
    open_eps = episodes[_open_at(episodes["decom"], episodes["dec"], end)]
    places = open_eps.drop_duplicates("la_child_id", keep="last")["place"]
    refs = sc.referrals
    rereferral = rereferral_share(refs, start, end)

    figures = [
        Figure(
            "children",
            "Children aged 0-17",
            children,
            config.children if year == config.end_year else float("nan"),
            "count",
            0.001,
            "requested size",
        ),
        Figure(
            "looked_after",
            "Children looked after at 31 March",
            looked_after,
            t.looked_after_per_10k * children / 10_000,
            "count",
        ),
        Figure(
            "in_need",
            "Children in need at 31 March",
            in_need,
            t.in_need_per_10k * children / 10_000,
            "count",
        ),
        Figure(
            "cp_plans",
            "Child protection plans at 31 March",
            on_plan,
            t.cp_plans_per_10k * children / 10_000,
            "count",
        ),
        Figure(
            "referrals",
            "Referrals in the year",
            counts["referrals"],
            t.referrals_per_10k * children / 10_000,
            "count",
        ),
        Figure(
            "rereferral", "Re-referrals within 12 months", rereferral, t.rereferral_share, "share"
        ),
        Figure(
            "fostered",
            "Looked after: fostered",
            _share(places, FOSTERED),
            t.fostered_share,
            "share",
        ),
        Figure(
            "residential",
            "Looked after: homes, secure units, hostels",
            _share(places, RESIDENTIAL),
            t.residential_share,
            "share",
            0.25,
        ),
        Figure(
            "placed_for_adoption",
            "Looked after: placed for adoption",
            _share(places, PLACED_FOR_ADOPTION),
            t.placed_for_adoption_share,
            "share",
            0.35,
        ),
        Figure(
            "placed_with_parents",
            "Looked after: placed with parents",
            _share(places, ("P1",)),
            t.placed_with_parents_share,
            "share",
            0.35,
        ),
    ]
    figures += _workforce_figures(city, config, end)
    figures += variability_figures(city, config)
    return figures


def year_counts(city: City, year: int) -> dict[str, int]:
    """Children looked after, in need and on a plan at 31 March ``year``; referrals in the year."""
    first, last = collection_period(year)
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    sc = city.social_care
    episodes, refs, cp = sc.episodes, sc.referrals, sc.cp_plans
    return {
        "looked_after": episodes[_open_at(episodes["decom"], episodes["dec"], end)][
            "la_child_id"
        ].nunique(),
        "in_need": refs[_open_at(refs["referral_date"], refs["closure_date"], end)][
            "la_child_id"
        ].nunique(),
        "cp_plans": cp[_open_at(cp["start_date"], cp["end_date"], end)]["la_child_id"].nunique(),
        "referrals": int(((refs["referral_date"] >= start) & (refs["referral_date"] <= end)).sum()),
    }


def variability_figures(city: City, config: SynthConfig) -> list[Figure]:
    """The city's median year-on-year change in four figures, against real councils of its size.

    Each is compared with the DfE panel's interquartile range for councils whose average level
    of that figure is in the same quarter as the city's (``variability.py``). With fewer than
    three collection years there are too few changes to say, and no rows are given.
    """
    years = config.collection_years
    if len(years) < 3:
        return []
    series: dict[str, list[float]] = {m.key: [] for m in variability.MEASURES}
    for year in years:
        for key, value in year_counts(city, year).items():
            series[key].append(value)
    panel = variability.stored_panel()
    out = []
    for measure in variability.MEASURES:
        values = series[measure.key]
        band = variability.band_for(measure.key, float(np.mean(values)))
        upper = "" if np.isinf(band.high) else f" to {band.high:,.0f}"
        out.append(
            Figure(
                f"{measure.key}_change",
                f"{measure.label}: median change on the year before",
                variability.median_absolute_change(values),
                band.median,
                "share",
                source=f"{panel[measure.key]['source']}; councils averaging "
                f"{band.low:,.0f}{upper if upper else ' or more'} ({band.councils} councils), "
                f"25th to 75th percentile",
                low=band.q25,
                high=band.q75,
            )
        )
    return out


def rereferral_share(refs: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of the year's referrals that came within 12 months of the child's previous one."""
    ordered = refs.sort_values(["la_child_id", "referral_date"])
    previous = ordered.groupby("la_child_id")["referral_date"].shift()
    in_year = (ordered["referral_date"] >= start) & (ordered["referral_date"] <= end)
    within = (ordered["referral_date"] - previous) <= pd.Timedelta(days=365)
    n = int(in_year.sum())
    return float((within & in_year).sum() / n) if n else float("nan")


def _share(places: pd.Series, codes: tuple[str, ...]) -> float:
    return float(places.isin(codes).mean()) if len(places) else float("nan")


def _workforce_figures(city: City, config: SynthConfig, end: pd.Timestamp) -> list[Figure]:
    vac = city.workforce.vacancies
    if vac is None or len(vac) == 0:
        return []
    last = vac[vac["at"] == vac["at"].max()]
    social_work = last[last["role"].isin(["social_worker", "senior_practitioner"])]
    if len(social_work) == 0:
        social_work = last
    establishment = float(social_work["establishment_fte"].sum())
    vacant = float(social_work["vacant_fte"].sum())
    covered = float(social_work["agency_cover_fte"].sum())
    t = config.targets
    out = [
        Figure(
            "vacancy",
            "Social work posts vacant",
            vacant / establishment if establishment else float("nan"),
            t.vacancy_rate,
            "share",
            0.10,
            "CALIBRATION.md, May 2014: 106 of 382 posts",
        ),
        Figure(
            "agency_cover",
            "Vacant posts covered by agency staff",
            covered / vacant if vacant else float("nan"),
            t.agency_cover_of_vacancies,
            "share",
            0.15,
            "CALIBRATION.md, Jan 2015: nearly all covered",
        ),
    ]
    return out


def unknown_at_risk(known_status: pd.DataFrame, child_risk: pd.DataFrame, year: int) -> int:
    """Children at risk in the year who are unknown to social care or were closed unassessed."""
    at_risk = child_risk[(child_risk["year"] == year) & child_risk["at_risk"]]["person_id"]
    status = known_status.set_index("person_id")["known_status"]
    unknown = status.reindex(at_risk).isin(["unknown", "contact_only", "closed_without_assessment"])
    return int(unknown.sum())
