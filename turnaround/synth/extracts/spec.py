"""What the registry holds: each agency, its draws of events and the extracts it sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.synth.config import SynthConfig
from turnaround.synth.extracts.events import CityArrays
from turnaround.synth.model import SocialCare

# Rows per 10,000 children over the two years of events, tuned so that a city the size of
# Birmingham in 2014 (281,000 children) has about a million extract rows. The school census has
# one row per pupil on roll and is not tuned; temporary accommodation follows from the
# homelessness applications accepted.
ROWS_PER_10K: dict[str, float] = {
    "ae_attendances": 11_000.0,
    "health_visiting": 4_000.0,
    "police_domestic_abuse": 6_500.0,
    "police_missing": 1_000.0,
    "housing_homelessness": 3_200.0,
    "youth_justice": 1_000.0,
}


@dataclass(frozen=True)
class ExtractInputs:
    """What every agency's draw may read: the flattened city, council records, settings."""

    city: CityArrays
    social_care: SocialCare
    config: SynthConfig


# A draw returns one table of clean rows per extract of its source, in the source's order.
Draw = Callable[[ExtractInputs, np.random.Generator], tuple[pd.DataFrame, ...]]
# A layout turns clean rows (after the agency's noise) into the agency's own columns.
Layout = Callable[[pd.DataFrame, ExtractInputs], pd.DataFrame]


@dataclass(frozen=True)
class ExtractSpec:
    """One extract: its file name, record id column, the ages it holds, its noise and layout."""

    name: str
    record_id: str
    ages: tuple[int, int]  # whole years, upper bound exclusive
    noise_profile: str  # a key of ``noise.PROFILES``
    layout: Layout


@dataclass(frozen=True)
class Source:
    """One draw of events from its own random stream, giving one extract or more."""

    stream: str
    draw: Draw
    extracts: tuple[ExtractSpec, ...]


@dataclass(frozen=True)
class Agency:
    """A partner agency, and the sources its extracts are drawn from, in build order."""

    name: str
    sources: tuple[Source, ...]

    @property
    def extracts(self) -> tuple[ExtractSpec, ...]:
        """Every extract the agency sends."""
        return tuple(spec for source in self.sources for spec in source.extracts)
