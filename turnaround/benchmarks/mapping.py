"""Which published DfE figure each measure is compared with, and how it becomes the measure's unit.

A measure id (the ``-- id:`` of ``turnaround/measures/sql/<id>.sql``) maps to one DfE table
(``source``), one of its columns (``metric``) and, where the table has several breakdowns, the
one to read (``category``). Most figures are used as published. Where the DfE publishes a count
but no rate, the rate per 10,000 is the count divided by the ONS estimate of children aged 0-17
for the same geography and year, times 10,000: the same denominator the DfE uses for its own
rates (the mid-year estimate before the 31 March, see ``read.py``).

Measures the DfE tables here do not cover are listed in ``NO_BENCHMARK`` with the reason, so a
comparison can say why it is blank rather than leave it blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Transform = Literal["as_published", "per_10k"]

_CLA = "Children looked after on 31 March each year"
_CLA_STARTS = "Children starting to be looked after each year"
_CLA_CEASES = "Children ceasing to be looked after each year"
_ON_31_MARCH = "CLA on 31 March"
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)


@dataclass(frozen=True)
class BenchmarkMapping:
    """Where a measure's published comparator comes from."""

    measure_id: str
    source: str  # benchmark_values.source: the DfE table
    metric: str  # benchmark_values.metric: the DfE's column
    transform: Transform = "as_published"
    category: str | None = None  # benchmark_values.category to read; None when there is one

    @property
    def described(self) -> str:
        """One line for a reader: table, column, breakdown and what is done to it."""
        where = f"{self.source}.{self.metric}"
        if self.category:
            where += f" [{self.category}]"
        if self.transform == "per_10k":
            where += " / children aged 0-17 (ONS) x 10,000"
        return where


MAPPINGS: dict[str, BenchmarkMapping] = {
    m.measure_id: m
    for m in (
        BenchmarkMapping("referrals_per_10k", "c1", "referral_count", "per_10k"),
        BenchmarkMapping("rereferrals_12m", "c1", "rereferral_percent"),
        BenchmarkMapping("cin_per_10k", "b1", "At31_episodes", "per_10k"),
        BenchmarkMapping("cp_plans_per_10k", "d5", "CPP_At31", "per_10k"),
        BenchmarkMapping("cp_plans_second_or_subsequent", "d3", "CPP_subsequent_percent"),
        BenchmarkMapping("cp_plans_open_2_years_plus", "d5", "2_years_or_more_percent"),
        BenchmarkMapping("lac_per_10k", "cla", "rate_per_10000", category=_CLA),
        BenchmarkMapping("lac_starts", "cla", "children_count", category=_CLA_STARTS),
        BenchmarkMapping("lac_ceases", "cla", "children_count", category=_CLA_CEASES),
        BenchmarkMapping(
            "lac_3_plus_placements",
            "la_cla_placement_stability",
            "children_percent",
            category=f"{_ON_31_MARCH} | With 3 or more placements during the year",
        ),
        BenchmarkMapping(
            "lac_long_term_stability",
            "la_cla_placement_stability",
            "children_percent",
            category=f"{_LONG_TERM} | Living with the same carer for at least 2 years",
        ),
        BenchmarkMapping("workforce_agency_rate", "csww", "agency_rate_fte"),
        BenchmarkMapping("workforce_vacancy_rate", "csww", "vacancy_rate_fte"),
        BenchmarkMapping("workforce_caseload", "csww", "caseload_fte"),
        BenchmarkMapping("sw_turnover_rate", "csww", "turnover_rate_fte"),
    )
}

NO_BENCHMARK: dict[str, str] = {
    "s47_per_10k": "the DfE tables loaded here publish no Section 47 enquiry figures",
    "assessments_within_45_days": (
        "the DfE table of assessment durations (C2) is not among the tables turnaround loads"
    ),
    "icpc_within_15_days": (
        "the DfE table of initial child protection conferences (D1) is not among the tables "
        "turnaround loads"
    ),
    "cp_plans_ended_2_years_plus": (
        "the DfE table of plans ended by duration (D4) is not among the tables turnaround loads"
    ),
}


def mapping_for(measure_id: str) -> BenchmarkMapping | None:
    """The published figure a measure is compared with, or None if there is none."""
    return MAPPINGS.get(measure_id)


def no_benchmark_reason(measure_id: str) -> str:
    """Why a measure has no published comparator, in a sentence fragment."""
    return NO_BENCHMARK.get(
        measure_id, f"no published DfE figure is mapped to the measure '{measure_id}'"
    )


def known_measures() -> list[str]:
    """Every measure id the mapping knows about, with or without a published figure."""
    return sorted({*MAPPINGS, *NO_BENCHMARK})
