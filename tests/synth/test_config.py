"""The generator's settings: the years it may write are the years the schemas describe."""

from __future__ import annotations

from datetime import date

import pytest

from turnaround.errors import ConfigError
from turnaround.returns.schema import LATEST_YEAR
from turnaround.synth.config import SynthConfig


def test_the_window_runs_from_the_first_april_to_the_last_march() -> None:
    config = SynthConfig(end_year=2014, years=5)
    assert config.collection_years == [2010, 2011, 2012, 2013, 2014]
    assert (config.window_start, config.window_end) == (date(2009, 4, 1), date(2014, 3, 31))


def test_the_latest_described_year_is_accepted() -> None:
    assert SynthConfig(end_year=LATEST_YEAR).end_year == LATEST_YEAR


def test_a_year_no_schema_describes_is_refused_clearly() -> None:
    with pytest.raises(ConfigError, match=f"up to {LATEST_YEAR}; choose {LATEST_YEAR} or earlier"):
        SynthConfig(end_year=LATEST_YEAR + 1)
