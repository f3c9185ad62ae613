"""Splink settings for linking standardised partner records about children.

The columns are those of ``model.STANDARD_COLUMNS``. Each comparison is a small function so
that its levels can be read, tested and argued about one at a time. Levels run from the most
to the least specific; the first level whose condition holds wins.

Design notes:

* Address is ONE comparison over postcode and first line together. Families move, and when
  postcode, sector and address line were separate comparisons, EM treated their agreement as
  independent evidence and over-counted it; recall fell to 0.76.
* NHS number and UPN are compared exactly and only where valid: standardising has already
  set invalid ones to NULL, so a NULL is "no evidence" rather than disagreement.
* Names carry term-frequency adjustments at the exact level, so agreeing on MOHAMMED counts
  for less than agreeing on a rare name.
* Blocking pairs each field with at least one other (a date of birth with a name's sound or
  the postcode, a first name with the postcode); never a date of birth, a name or a postcode
  alone. At Birmingham scale (1.2 million records) a date of birth alone admits 95 million
  pairs and a surname sound alone 2.5 billion; the rules below admit 5 million, and still
  admit 98.75% of the truly matching pairs, where the loose rules (dob alone, swapped dob
  alone, surname sound and birth year) admitted 98.93% from 290 million (measured against
  the synthetic city's ground truth). The few lost disagree on nearly everything, so they
  scored below the match threshold anyway.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

MATCH_THRESHOLD = 0.95
"""Match probability at or above which two records are clustered as one person."""

IDENTIFIER_DISAGREEMENT = 0.002
"""Chance that two records of the same child carry different valid NHS numbers (or UPNs)."""

U_MAX_PAIRS = 5e6
"""Random pairs sampled to estimate u probabilities (how often levels agree by chance)."""

EM_MAX_PAIRS = 2e6
"""Blocked pairs each EM session samples down to; more adds time, not accuracy."""


def blocking_rules() -> list[BlockingRuleCreator]:
    """Rules that choose which pairs are scored; a pair is scored if any rule admits it."""
    return [
        # Most duplicates share a date of birth exactly, and with it a name or a home.
        block_on("dob", "surname_dm"),
        block_on("dob", "forename_dm"),
        block_on("dob", "postcode"),
        # Day and month swapped (US-style entry at a front desk). One direction suffices:
        # swapping is its own inverse, so the condition is symmetric.
        CustomRule("l.dob_swapped = r.dob and l.surname_dm = r.surname_dm"),
        # A typo in the date of birth still leaves both names' sounds and the birth year.
        block_on("surname_dm", "forename_dm", "year(dob)"),
        # A badly wrong date of birth: first name and the home. Not surname and the home:
        # that admits brothers and sisters by the million, for a handful of true pairs.
        block_on("forename_dm", "postcode"),
        block_on("nhs_number"),
        block_on("upn"),
    ]


def training_blocking_rules() -> list[BlockingRuleCreator]:
    """The EM sessions' rules; each trains the comparisons its rule leaves free.

    The first trains names, address, identifiers and sex; the second trains date of birth
    (and address, identifiers and sex again). Both are loose on purpose, so that their pairs
    include non-matches that agree on the blocked fields, and are sampled down to
    ``EM_MAX_PAIRS`` at scale.
    """
    return [block_on("dob"), block_on("surname_dm", "forename_dm")]


def forename_comparison() -> ComparisonCreator:
    """First name, after nicknames are folded (BILL -> WILLIAM), with term frequencies."""
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_description="forename_canon: exact (tf) / close spelling / sound / weak",
        comparison_levels=[
            cll.NullLevel("forename_canon"),
            cll.ExactMatchLevel("forename_canon", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("forename_canon", 0.92),
            # Same sound, different spelling (CATHERINE / KATHRYN).
            cll.ExactMatchLevel("forename_dm"),
            cll.JaroWinklerLevel("forename_canon", 0.80),
            cll.ElseLevel(),
        ],
    )


def surname_comparison() -> ComparisonCreator:
    """Surname with term frequencies; a shared first part catches double-barrelled names."""
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_description="surname: exact (tf) / first part / close / sound / weak",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            # SMITH-JONES against SMITH: a child often gains or drops one parent's name.
            cll.ExactMatchLevel("surname_first"),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.ExactMatchLevel("surname_dm"),
            cll.JaroWinklerLevel("surname", 0.80),
            cll.ElseLevel(),
        ],
    )


def dob_comparison() -> ComparisonCreator:
    """Date of birth: exact, day and month swapped, one digit wrong, within a year."""
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="dob: exact / swapped day-month / one digit / within a year",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_swapped_l = dob_r", label_for_charts="Day and month swapped"),
            cll.LevenshteinLevel(ColumnExpression("dob").cast_to_string(), 1).configure(
                label_for_charts="One digit different"
            ),
            cll.AbsoluteDateDifferenceLevel(
                "dob", input_is_string=False, threshold=1, metric="year"
            ).configure(label_for_charts="Within a year"),
            cll.ElseLevel(),
        ],
    )


def address_comparison() -> ComparisonCreator:
    """Where the child lives, as one comparison over postcode and first address line."""
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="address: same home / same postcode / same line / same sector",
        comparison_levels=[
            # Only "no evidence" when neither postcode nor address line can be compared.
            cll.CustomLevel(
                "(postcode_l is null or postcode_r is null) "
                "and (address_l is null or address_r is null)"
            ).configure(is_null_level=True, label_for_charts="Nothing to compare"),
            # Built from library levels, not raw SQL, so that Spark gets its own dialect.
            cll.And(
                cll.ExactMatchLevel("postcode"), cll.JaroWinklerLevel("address", 0.9)
            ).configure(label_for_charts="Same postcode and address line"),
            cll.ExactMatchLevel("postcode"),
            # Same line, mistyped or missing postcode.
            cll.JaroWinklerLevel("address", 0.95),
            # Moved a few streets away, or a postcode typo in the last two letters.
            cll.ExactMatchLevel("postcode_sector"),
            cll.ElseLevel(),
        ],
    )


def identifier_comparison(column: str) -> ComparisonCreator:
    """Exact match on a checked identifier (nhs_number, upn); NULL means absent or invalid.

    The chance that one child's records carry two different valid identifiers is fixed, not
    trained: it is so rare that EM drives it to exactly zero, which Splink 5 refuses (and
    which would make a disagreement an absolute veto, when in life it is a clerical slip).
    """
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=f"{column}: exact / different",
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.ElseLevel().configure(
                m_probability=IDENTIFIER_DISAGREEMENT, fix_m_probability=True
            ),
        ],
    )


def sex_comparison() -> ComparisonCreator:
    """Recorded sex: weak evidence, but disagreement is informative."""
    return cl.ExactMatch("sex")


def comparisons() -> list[ComparisonCreator]:
    """All the comparisons that score a pair of records."""
    return [
        forename_comparison(),
        surname_comparison(),
        dob_comparison(),
        address_comparison(),
        identifier_comparison("nhs_number"),
        identifier_comparison("upn"),
        sex_comparison(),
    ]


def linkage_settings() -> SettingsCreator:
    """The settings for deduplicating partner and social care records into people."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=list(comparisons()),
        blocking_rules_to_generate_predictions=list(blocking_rules()),
        additional_columns_to_retain=["source", "record_id"],
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )
