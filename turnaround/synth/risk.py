"""Latent family risk: factor spells per household, and each child's risk from them.

Each household carries a hidden propensity shared by all its factors, and its deprivation raises
every factor's onset rate, so factors cluster within households and with poverty. A factor
switches on and off over time (an alternating renewal process): onsets arrive at a rate, and each
spell lasts an exponentially distributed time.

Each spell of domestic abuse has a latent severity: the more troubled households' abuse is more
often high-risk, and a high-risk spell is also a spell of ``high_risk_domestic_abuse``. That one
grade drives both the DASH grade police record (``extracts/police.py``) and the harm to the
child. The toxic trio (domestic abuse, parental substance misuse and parental mental ill health
together) does more harm than the three apart. ``docs/synthetic-city.md`` ("Risk links and their
evidence") gives each figure's source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.synth.calendar import OPEN, add_years, from_days, to_days
from turnaround.synth.model import Population

FACTORS = (
    "domestic_abuse",
    "substance_misuse",
    "mental_health",
    "neglect",
    "poverty",
    "child_disability",
    "high_risk_domestic_abuse",
)
YEAR = 365.25


@dataclass(frozen=True)
class FactorModel:
    """How often a factor starts in a household, how long it lasts, and what it adds to risk."""

    onset_per_year: float
    mean_years: float
    propensity_loading: float
    deprivation_loading: float
    harm_weight: float


# The trio's onset rates and shared loading are set so that, in a city of this deprivation, 7.0%
# of children live with domestic abuse, 4.0% with parental substance misuse, 7.5% with parental
# mental ill health and 0.85% with all three: the Children's Commissioner's estimates (2018).
FACTOR_MODELS: dict[str, FactorModel] = {
    "domestic_abuse": FactorModel(0.0098, 1.4, 2.1, 1.6, 0.25),
    "substance_misuse": FactorModel(0.0030, 2.2, 2.1, 1.4, 0.25),
    "mental_health": FactorModel(0.0115, 1.5, 2.1, 0.9, 0.14),
    "neglect": FactorModel(0.008, 1.4, 1.1, 1.8, 0.50),
    "poverty": FactorModel(0.080, 2.5, 0.3, 2.6, 0.07),
}
DISABILITY_WEIGHT = 0.12
# A spell of domestic abuse is high-risk with a chance that rises with the household's propensity,
# logistic(HIGH_RISK_LOGIT + HIGH_RISK_LOADING * propensity): about one child in six living with
# abuse lives with high-risk abuse (SafeLives, 2015: 130,000 children).
HIGH_RISK_LOGIT = -3.0
HIGH_RISK_LOADING = 0.8
# The harm high-risk domestic abuse adds to that of any domestic abuse: together 1 - 0.75 * 0.53,
# 0.60, so that a child up to ten in it is at risk of significant harm by this alone, and about
# 62% of the children police grade High are at risk (CAADA, In plain sight, 2014).
HIGH_RISK_DA_WEIGHT = 0.47
# The harm the toxic trio adds when all three are present, beyond the three apart: 0.613 for a
# child of five to ten (an assumption; no figure for the extra harm is published).
TRIO = ("domestic_abuse", "substance_misuse", "mental_health")
TRIO_WEIGHT = 0.20

# Risk levels: cut points on the 0..1 scale. "At risk" means at risk of significant harm.
LEVELS = ("low", "medium", "high", "severe")
LEVEL_CUTS = (0.2, 0.4, 0.6)
AT_RISK_FROM = 0.6  # "severe": at risk of significant harm


def build_risk_spells(
    population: Population, rng: np.random.Generator, sim_start: int, end: int
) -> pd.DataFrame:
    """Factor spells for every household, overlapping the simulated period."""
    hh = population.households
    n_hh = len(hh)
    propensity = rng.normal(0.0, 1.0, n_hh)
    deprivation = hh["deprivation"].to_numpy()
    frames = []
    begin = sim_start - int(2 * YEAR)
    for code, model in FACTOR_MODELS.items():
        rate = (
            model.onset_per_year
            * np.exp(
                model.propensity_loading * propensity
                + model.deprivation_loading * (deprivation - 0.5)
            )
            / YEAR
        )
        mean_on = model.mean_years * YEAR
        prevalence = rate * mean_on / (1 + rate * mean_on)
        state = rng.random(n_hh) < prevalence
        t = np.full(n_hh, float(begin))
        # A spell already running at the start has a fresh exponential remainder (memoryless).
        starts: list[np.ndarray] = []
        stops: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        active = np.arange(n_hh)
        while len(active):
            mean = np.where(state[active], mean_on, 1.0 / rate[active])
            duration = rng.exponential(mean)
            on = state[active]
            if on.any():
                starts.append(t[active][on])
                stops.append(t[active][on] + duration[on])
                owners.append(active[on])
            t[active] += duration
            state[active] = ~state[active]
            active = active[t[active] <= end]
        if not starts:
            continue
        s = np.concatenate(starts).astype(np.int64)
        e = np.concatenate(stops).astype(np.int64)
        o = np.concatenate(owners)
        keep = e > begin
        frame = pd.DataFrame(
            {
                "household_id": hh["household_id"].to_numpy()[o[keep]],
                "factor": code,
                "start": s[keep],
                "end": e[keep],
            }
        )
        frames.append(frame)
        if code == "domestic_abuse":
            frames.append(_high_risk(frame, propensity[o[keep]], rng))
    # Child disability is a household factor from the disabled child's birth to 18.
    ch = population.children
    disabled = ch[ch["disability"]]
    dob = to_days(disabled["dob"])
    frames.append(
        pd.DataFrame(
            {
                "household_id": disabled["household_id"].to_numpy(),
                "factor": "child_disability",
                "start": dob,
                "end": add_years(dob, 18),
            }
        )
    )
    spells = pd.concat(frames, ignore_index=True)
    spells["start"] = np.maximum(spells["start"].to_numpy(), begin)
    spells = spells[spells["end"] > spells["start"]]
    spells = _merge_overlaps(spells)
    ongoing = spells["end"].to_numpy() > end
    start_col = from_days(spells["start"].to_numpy())
    end_col = from_days(np.where(ongoing, 0, spells["end"].to_numpy()))
    end_col[ongoing] = np.datetime64("NaT")
    out = pd.DataFrame(
        {
            "household_id": spells["household_id"].to_numpy(),
            "factor": spells["factor"].to_numpy(),
            "start": start_col,
            "end": end_col,
        }
    )
    return out.sort_values(["household_id", "factor", "start"], ignore_index=True)


def _high_risk(
    abuse: pd.DataFrame, propensity: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The spells of domestic abuse that are high-risk, as spells of their own factor."""
    chance = 1 / (1 + np.exp(-(HIGH_RISK_LOGIT + HIGH_RISK_LOADING * propensity)))
    high = rng.random(len(abuse)) < chance
    return abuse.loc[high].assign(factor="high_risk_domestic_abuse")


def _merge_overlaps(spells: pd.DataFrame) -> pd.DataFrame:
    """Join overlapping spells of the same factor in the same household (siblings' disability)."""
    spells = spells.sort_values(["household_id", "factor", "start"], ignore_index=True)
    key_change = (spells["household_id"].ne(spells["household_id"].shift())) | (
        spells["factor"].ne(spells["factor"].shift())
    )
    running_end = spells.groupby(["household_id", "factor"])["end"].cummax().shift()
    new_group = key_change | (spells["start"] > running_end)
    group = new_group.cumsum()
    merged = spells.groupby(group).agg(
        household_id=("household_id", "first"),
        factor=("factor", "first"),
        start=("start", "min"),
        end=("end", "max"),
    )
    return merged.reset_index(drop=True)


def factor_masks(spells: pd.DataFrame, n_households: int, month_starts: np.ndarray) -> np.ndarray:
    """A (months x households) bit mask: bit i set when FACTORS[i] is active mid-month."""
    mids = month_starts + 14
    masks = np.zeros((len(month_starts), n_households + 1), dtype=np.uint8)
    start = to_days(spells["start"])
    end_raw = spells["end"]
    end = np.where(end_raw.isna(), OPEN, to_days(end_raw.fillna(pd.Timestamp(0))))
    bit = np.array([1 << FACTORS.index(f) for f in spells["factor"]], dtype=np.uint8)
    hh = spells["household_id"].to_numpy()
    first = np.searchsorted(mids, start, side="left")
    last = np.searchsorted(mids, end, side="left")  # months whose midpoint is before the end
    for b in np.unique(bit):
        sel = bit == b
        diff = np.zeros((len(month_starts) + 1, n_households + 1), dtype=np.int16)
        np.add.at(diff, (first[sel], hh[sel]), 1)
        np.add.at(diff, (last[sel], hh[sel]), -1)
        on = np.cumsum(diff[:-1], axis=0) > 0
        masks |= (on * b).astype(np.uint8)
    return masks


def harm_weight(code: str) -> float:
    """The chance that one factor alone harms a child (before the weight for age)."""
    if code == "child_disability":
        return DISABILITY_WEIGHT
    if code == "high_risk_domestic_abuse":
        return HIGH_RISK_DA_WEIGHT
    return FACTOR_MODELS[code].harm_weight


def household_risk_table() -> np.ndarray:
    """Risk for each combination of factors: one minus the chance of no harm from any of them.

    Each factor harms independently, and the toxic trio together adds one more chance of harm.
    """
    trio = sum(1 << FACTORS.index(code) for code in TRIO)
    table = np.zeros(1 << len(FACTORS))
    for mask in range(len(table)):
        no_harm = 1.0
        for i, code in enumerate(FACTORS):
            if mask & (1 << i):
                no_harm *= 1 - harm_weight(code)
        if mask & trio == trio:
            no_harm *= 1 - TRIO_WEIGHT
        table[mask] = 1 - no_harm
    return table


def age_multiplier(age_years: np.ndarray) -> np.ndarray:
    """Babies and young children are most vulnerable to the same household risk."""
    return np.select([age_years < 2, age_years < 5, age_years < 11], [1.25, 1.12, 1.0], 0.92)


def risk_level(risk: np.ndarray) -> np.ndarray:
    """Name the level for each risk value."""
    return np.array(LEVELS)[np.searchsorted(np.array(LEVEL_CUTS), risk, side="right")]
