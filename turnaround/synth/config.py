"""Settings for the synthetic city, with defaults calibrated to Birmingham in 2014.

Every published figure used here is cited in ``../shared/data/CALIBRATION.md``; rates are per
10,000 children aged 0-17 so that a city of any size keeps them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from turnaround.core.years import year_end, year_start
from turnaround.errors import ConfigError
from turnaround.returns.schema import EARLIEST_YEAR, LATEST_YEAR

BIRMINGHAM_CHILDREN_2014 = 281_019
DEMO_CHILDREN = 25_000

Threshold = Literal["high", "typical", "low"]


class Targets(BaseModel):
    """Published figures the generator is tuned to hit, as rates so they scale with size."""

    model_config = ConfigDict(frozen=True)

    referrals_per_10k: float = Field(13_815 / BIRMINGHAM_CHILDREN_2014 * 10_000)
    rereferral_share: float = 0.138
    in_need_per_10k: float = Field(9_123 / BIRMINGHAM_CHILDREN_2014 * 10_000)
    cp_plans_per_10k: float = Field(844 / BIRMINGHAM_CHILDREN_2014 * 10_000)
    looked_after_per_10k: float = Field(1_801 / BIRMINGHAM_CHILDREN_2014 * 10_000)
    fostered_share: float = 0.73
    residential_share: float = 0.11
    placed_for_adoption_share: float = 81 / 1_801
    placed_with_parents_share: float = 92 / 1_801
    vacancy_rate: float = 0.25
    agency_cover_of_vacancies: float = 0.85
    average_caseload: float = 19.0


class SynthConfig(BaseModel):
    """What to generate: size, seed, the years covered and how high referral thresholds sit."""

    model_config = ConfigDict(frozen=True)

    children: int = Field(
        DEMO_CHILDREN, ge=200, le=5_000_000, description="Children 0-17 at the end."
    )
    seed: int = Field(1, ge=0)
    end_year: int = Field(2014, ge=2014, description="Last collection year (to 31 March).")
    years: int = Field(5, ge=1, le=30, description="Collection years written.")
    threshold: Threshold = Field("high", description="'high' mimics Birmingham in 2014.")
    la_code: str = "330"
    la_name: str = "Birmingham (synthetic)"
    targets: Targets = Field(default_factory=Targets)

    @field_validator("end_year")
    @classmethod
    def _described_by_the_schema(cls, end_year: int) -> int:
        # The generator writes every return in the layout ``returns.schema`` gives its year, so
        # it can only write years a schema file describes.
        if end_year > LATEST_YEAR:
            raise ConfigError(
                f"end_year {end_year}: the return schemas describe collection years up to "
                f"{LATEST_YEAR}; choose {LATEST_YEAR} or earlier (or add a schema file for "
                f"{end_year} under turnaround/returns/schema/data)"
            )
        return end_year

    @model_validator(mode="after")
    def _first_year_described(self) -> SynthConfig:
        first = self.end_year - self.years + 1
        if first < EARLIEST_YEAR:
            raise ConfigError(
                f"years {self.years} back from {self.end_year} would start in {first}; the "
                f"return schemas describe collection years from {EARLIEST_YEAR}"
            )
        return self

    @property
    def collection_years(self) -> list[int]:
        """Collection years written, each named by the year its 31 March falls in."""
        return list(range(self.end_year - self.years + 1, self.end_year + 1))

    @property
    def window_start(self) -> date:
        """1 April at the start of the first collection year."""
        return year_start(self.end_year - self.years + 1)

    @property
    def window_end(self) -> date:
        """31 March that ends the last collection year."""
        return year_end(self.end_year)

    @property
    def scale(self) -> float:
        """Children in tens of thousands: multiply a per-10k rate by this to get a count."""
        return self.children / 10_000
