"""The DfE tables turnaround knows, and how to tell which one a CSV is from its columns.

Every DfE local-authority table shares the same geography columns (``time_period``,
``geographic_level``, ``region_name``, ``old_la_code`` ...), then has its own columns. A file is
recognised by those of its own columns it has: the table whose columns it holds the largest
share of is the one it is, and any of that table's required columns it lacks are reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Geography columns every DfE local-authority table has, and which of them the loader reads.
GEOGRAPHY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
GEOGRAPHY_REQUIRED = (
    "time_period",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"

POPULATION_SOURCE = "ons_population"
POPULATION_METRIC = "population_estimate"
NEIGHBOURS_SOURCE = "statistical_neighbours"


@dataclass(frozen=True)
class DfeTable:
    """One DfE table: the id it is stored under and the columns that identify it."""

    source: str  # stored in benchmark_values.source
    title: str
    required: tuple[str, ...]  # its own columns (beyond the geography) that must be present
    category: tuple[str, ...] = ()  # columns that together name the row's breakdown

    @property
    def own_columns(self) -> tuple[str, ...]:
        """Required columns that recognise the table: all but the generic 'category'."""
        return tuple(c for c in self.required if c != "category")


TABLES = (
    DfeTable(
        "b1",
        "Children in need (B1)",
        (
            "category",
            "Anypoint_episodes",
            "Started_episodes",
            "Ended_episodes",
            "At31_episodes",
        ),
        ("category",),
    ),
    DfeTable(
        "c1",
        "Referrals and re-referrals (C1)",
        ("category", "referral_count", "rereferral_count", "rereferral_percent"),
        ("category",),
    ),
    DfeTable(
        "c3",
        "Factors identified at the end of assessment (C3)",
        ("category", "Episodes_with_assessment_factor"),
        ("category",),
    ),
    DfeTable(
        "d3",
        "Child protection plans that are a second or subsequent plan (D3)",
        ("category", "CPP_start", "CPP_subsequent", "CPP_subsequent_percent"),
        ("category",),
    ),
    DfeTable(
        "d5",
        "Child protection plans at 31 March by duration (D5)",
        ("category", "CPP_At31", "2_years_or_more", "2_years_or_more_percent"),
        ("category",),
    ),
    DfeTable(
        "cla",
        "Children looked after, starting and ceasing, per 10,000",
        ("population_type", "population_estimate", "children_count", "rate_per_10000"),
        ("population_type",),
    ),
    DfeTable(
        "la_cla_placement_stability",
        "Looked-after children's placement stability",
        ("cla_group", "placement_stability", "children_count", "children_percent"),
        ("cla_group", "placement_stability"),
    ),
    DfeTable(
        "csww",
        "Children's social work workforce indicators",
        (
            "inpost_fte",
            "turnover_rate_fte",
            "agency_rate_fte",
            "vacancy_rate_fte",
            "caseload_fte",
        ),
    ),
    DfeTable(
        POPULATION_SOURCE,
        "ONS mid-year population estimates, children aged 0 to 17",
        ("age_group", POPULATION_METRIC),
        ("age_group",),
    ),
)

# The statistical neighbour groupings are a different shape: one row per council, ten pairs of
# neighbour code and closeness. The council's code is in 'LA number' (or 'LA num').
NEIGHBOUR_CODE_COLUMNS = ("LA number", "LA num")
NEIGHBOUR_COLUMNS = tuple(f"SN{rank}" for rank in range(1, 11))


def recognise(columns: Iterable[str]) -> tuple[DfeTable | None, list[str]]:
    """The table a header belongs to (None if none fits) and the required columns it lacks."""
    header = set(columns)
    best: DfeTable | None = None
    best_share = 0.0
    for table in TABLES:
        own = table.own_columns
        share = sum(c in header for c in own) / len(own)
        if share > best_share:
            best, best_share = table, share
    if best is None:
        return None, []
    needed = GEOGRAPHY_REQUIRED + best.required
    return best, [c for c in needed if c not in header]


def is_neighbour_groupings(columns: Iterable[str]) -> bool:
    """Whether a header looks like the statistical neighbour groupings."""
    header = set(columns)
    return any(c in header for c in NEIGHBOUR_COLUMNS)
