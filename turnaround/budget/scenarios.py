"""Scenarios: small files that change demand, costs, or who runs the service, compared side by side.

A scenario file (see ``scenarios/*.yaml``) has three optional parts:

- ``demand``: changes the demand model applies while projecting, handed to it as a
  ``DemandAdjustment`` (entry-rate multipliers; placement-mix shifts);
- ``costs``: figures laid over the cost file, in the cost file's own layout;
- ``trust``: a trust runs the service under contract (``TrustTerms``).

A scenario's budget costs the projection made with its demand adjustment, at its costs. Each
part changes only what it names, so a scenario changes only what its file says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from turnaround.budget.budget import QUANTILES, Budget, build_budget
from turnaround.budget.costs import (
    CostConfig,
    TrustTerms,
    load_costs,
    merge,
    read_yaml,
    year_label,
)
from turnaround.errors import ConfigError, describe_invalid
from turnaround.forecast.states import AGE_BANDS, STATES, Projection

SHIPPED: tuple[str, ...] = ("early_help", "fostering_shift", "permanent_staff", "trust")
"""The scenarios shipped in ``scenarios/``, in the order reports show them."""


@dataclass(frozen=True)
class DemandAdjustment:
    """Changes to demand, as data the demand model's ``adjust`` hook applies while projecting.

    - ``entry_multipliers[state]`` scales the rate of entries into ``state`` from outside social
      care, in every age band;
    - ``band_entry_multipliers[(state, band)]`` scales it further in one age band only;
    - each ``(from_state, to_state, fraction)`` in ``mix_shifts`` sends ``fraction`` of the
      children who would move into ``from_state`` (entering care or changing placement) to
      ``to_state`` instead.

    States and bands are those of ``turnaround.forecast.states``; unnamed ones are unchanged.
    """

    entry_multipliers: Mapping[str, float] = field(default_factory=dict)
    band_entry_multipliers: Mapping[tuple[str, tuple[int, int]], float] = field(
        default_factory=dict
    )
    mix_shifts: tuple[tuple[str, str, float], ...] = ()

    def entry_multiplier(self, state: str, band: tuple[int, int] | None = None) -> float:
        """What entries into ``state`` (in ``band``, if given) are multiplied by."""
        value = self.entry_multipliers.get(state, 1.0)
        if band is not None:
            value *= self.band_entry_multipliers.get((state, band), 1.0)
        return value

    def entry_matrix(self) -> np.ndarray:
        """Entry multipliers as an array (len(STATES), len(AGE_BANDS)), ones where unchanged."""
        return np.array([[self.entry_multiplier(s, b) for b in AGE_BANDS] for s in STATES])

    @property
    def is_identity(self) -> bool:
        """True when the adjustment changes nothing."""
        return not self.mix_shifts and bool(np.all(self.entry_matrix() == 1.0))


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )


def _known_states(states: Sequence[str]) -> None:
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise ValueError(f"unknown care states: {', '.join(unknown)}")


class EntryChange(_Model):
    """Entries into ``states`` multiplied by ``multiplier``, in ``bands`` (default: all)."""

    states: tuple[str, ...] = Field(min_length=1)
    multiplier: float = Field(ge=0)
    bands: tuple[tuple[int, int], ...] | None = None
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> EntryChange:
        _known_states(self.states)
        if "not_in_care" in self.states:
            raise ValueError("entries are into social care states, not not_in_care")
        if self.bands is not None:
            unknown = [f"{a}-{b}" for a, b in self.bands if (a, b) not in AGE_BANDS]
            if unknown:
                raise ValueError(f"unknown age bands: {', '.join(unknown)}")
        return self


class MixShift(_Model):
    """``fraction`` of the children moving into ``from`` go to ``to`` instead."""

    from_state: str = Field(alias="from")
    to_state: str = Field(alias="to")
    fraction: float = Field(gt=0, le=1)
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> MixShift:
        _known_states([self.from_state, self.to_state])
        if self.from_state == self.to_state:
            raise ValueError("a mix shift moves children between two different states")
        return self


class DemandChanges(_Model):
    """The ``demand`` part of a scenario file."""

    entry_multipliers: tuple[EntryChange, ...] = ()
    mix_shifts: tuple[MixShift, ...] = ()

    @model_validator(mode="after")
    def _at_most_all(self) -> DemandChanges:
        shifted: dict[str, float] = {}
        for shift in self.mix_shifts:
            shifted[shift.from_state] = shifted.get(shift.from_state, 0.0) + shift.fraction
        over = [s for s, total in shifted.items() if total > 1 + 1e-9]
        if over:
            raise ValueError(f"more than all the flow shifted out of {', '.join(over)}")
        return self

    def adjustment(self) -> DemandAdjustment:
        """The changes as the demand model takes them."""
        by_state: dict[str, float] = {}
        by_band: dict[tuple[str, tuple[int, int]], float] = {}
        for change in self.entry_multipliers:
            for state in change.states:
                if change.bands is None:
                    by_state[state] = by_state.get(state, 1.0) * change.multiplier
                else:
                    for band in change.bands:
                        key = (state, band)
                        by_band[key] = by_band.get(key, 1.0) * change.multiplier
        return DemandAdjustment(
            entry_multipliers=by_state,
            band_entry_multipliers=by_band,
            mix_shifts=tuple((s.from_state, s.to_state, s.fraction) for s in self.mix_shifts),
        )


class Scenario(_Model):
    """One scenario file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    demand: DemandChanges = DemandChanges()
    costs: dict[str, Any] = Field(default_factory=dict)
    trust: TrustTerms | None = None

    @field_validator("costs")
    @classmethod
    def _cost_layout(cls, value: dict[str, Any]) -> dict[str, Any]:
        # A changed figure must say where it comes from, or the old figure's source would be
        # shown beside the new number.
        unsourced = _unsourced(value)
        if unsourced:
            raise ValueError(f"changed figures need a source of their own: {', '.join(unsourced)}")
        # Laid over the shipped costs so a misspelt key fails when the file is read.
        try:
            CostConfig.model_validate(_merge_for_check(value))
        except ValidationError as exc:
            raise ValueError(describe_invalid(exc)) from None
        return value

    def adjustment(self) -> DemandAdjustment:
        """The demand changes, for the model's ``adjust`` hook."""
        return self.demand.adjustment()

    def apply_costs(self, costs: CostConfig) -> CostConfig:
        """``costs`` with this scenario's cost changes laid over them."""
        if not self.costs:
            return costs
        return costs.merged(self.costs, label=f"scenario {self.name}: costs")

    @property
    def changes_staffing(self) -> bool:
        """Whether the scenario sets staffing itself (then a capacity plan does not apply)."""
        return "staffing" in self.costs

    def budget(
        self,
        projection: Projection,
        costs: CostConfig,
        *,
        staffing_by_year: Mapping[int, float] | None = None,
    ) -> Budget:
        """Cost ``projection`` (made with ``adjustment()``) under this scenario.

        ``staffing_by_year`` (a capacity plan's cost) is the social work line unless the
        scenario changes staffing itself.
        """
        return build_budget(
            projection,
            self.apply_costs(costs),
            trust=self.trust,
            name=self.name,
            label=self.label,
            staffing_by_year=None if self.changes_staffing else staffing_by_year,
        )


FIGURE_KEYS = frozenset({"value", "weekly", "annual", "weekly_per_child"})


def _unsourced(changes: Mapping[str, Any], path: str = "costs") -> list[str]:
    """The places in a scenario's cost changes that set a figure without a ``source``."""
    found = []
    if FIGURE_KEYS & set(changes) and not str(changes.get("source", "")).strip():
        found.append(path)
    for key, value in changes.items():
        if isinstance(value, Mapping):
            found += _unsourced(value, f"{path}.{key}")
    return found


def _merge_for_check(changes: Mapping[str, Any]) -> dict[str, Any]:
    return merge(load_costs().model_dump(), changes)


def load_scenario(path_or_name: Path | str) -> Scenario:
    """A scenario file, by path or by the name of a shipped one ('trust')."""
    if isinstance(path_or_name, str) and path_or_name in SHIPPED:
        path: Path | str = shipped_path(path_or_name)
    else:
        path = path_or_name
    raw, label = read_yaml(path, package="turnaround.budget", name="")
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe_invalid(exc)}") from None


def shipped_scenarios() -> list[Scenario]:
    """Every shipped scenario, in ``SHIPPED`` order."""
    return [load_scenario(name) for name in SHIPPED]


def shipped_path(name: str) -> Path:
    """Where a shipped scenario file lives (to copy and edit)."""
    return Path(str(resources.files("turnaround.budget").joinpath("scenarios", f"{name}.yaml")))


def compare(baseline: Budget, scenarios: Sequence[Budget]) -> pd.DataFrame:
    """Each budget's total per year and over all years, beside the baseline's, with differences.

    One row per budget and period (the baseline first): ``mean``, ``p10``, ``p50``, ``p90`` of
    the runs' totals; ``difference`` is the mean minus the baseline's mean (additive, so the
    yearly differences add up to the whole period's), ``difference_pct`` that as a share of the
    baseline. ``difference_p10``/``difference_p90`` are bands of the per-run differences, given
    when both budgets have the same runs (projections from the same seed pair up run by run).
    """
    rows = []
    for budget in (baseline, *scenarios):
        if budget.years != baseline.years:
            raise ConfigError(f"{budget.name} covers other years than the baseline")
        paired = budget.runs == baseline.runs
        for year in (*budget.years, None):
            runs = budget.total(year=year)
            base = baseline.total(year=year)
            p10, p50, p90 = np.quantile(runs, QUANTILES)
            difference = float(runs.mean() - base.mean())
            if paired:
                d10, d90 = np.quantile(runs - base, (QUANTILES[0], QUANTILES[-1]))
            else:
                d10 = d90 = np.nan
            rows.append(
                {
                    "scenario": budget.name,
                    "label": budget.label,
                    "year": year,
                    "period": year_label(year) if year is not None else "All years",
                    "mean": float(runs.mean()),
                    "p10": float(p10),
                    "p50": float(p50),
                    "p90": float(p90),
                    "difference": difference,
                    "difference_pct": difference / float(base.mean()) if base.mean() else np.nan,
                    "difference_p10": float(d10),
                    "difference_p90": float(d90),
                }
            )
    return pd.DataFrame(rows)


def side_by_side(comparison: pd.DataFrame) -> pd.DataFrame:
    """``compare``'s result with periods down and budgets across: expected totals, then
    each scenario's difference from the baseline."""
    order = list(dict.fromkeys(comparison["scenario"]))
    periods = list(dict.fromkeys(comparison["period"]))
    labels = dict(zip(comparison["scenario"], comparison["label"], strict=False))
    totals = comparison.pivot(index="period", columns="scenario", values="mean")
    differences = comparison.pivot(index="period", columns="scenario", values="difference")
    out = pd.DataFrame(index=periods)
    for name in order:
        out[labels[name]] = totals.loc[periods, name]
    for name in order[1:]:
        out[f"{labels[name]}: difference"] = differences.loc[periods, name]
    out.index.name = "period"
    return out
