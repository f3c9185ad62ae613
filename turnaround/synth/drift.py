"""How the city's rates move from year to year: slow drift, and now and then a change of regime.

A real council's figures are far from steady. In the DfE's local-authority tables the number of
children looked after moves by a median of 4-6% a year, children in need by 7-8%, child
protection plans by 14-17% and referrals by 10-13% (``data/panel_variability.yaml``, computed
from the published tables). A city held at fixed rates moves by a fraction of that, and flatters
every forecast and progress rating tested on it.

Each *lever* below multiplies one of the rates the journey simulator holds the city to, with one
value per collection year, held from 1 April. The four levers behind the published figures step
from year to year by changes drawn from the DfE panel's, for councils of the city's size; the
others follow a mean-reverting random walk of their logarithm. On top of that, *regimes* arrive
at random: a new front door, a court backlog, a change of director, a tightening after an
inspection, a surge of unaccompanied asylum-seeking children. Each shifts a few levers by a
step, reached over a few months.

The path is anchored on the last year: a stock's lever is exactly 1 on the last 31 March and a
flow's averages 1 over the last year, so the city's last year keeps its calibration to
Birmingham in 2014, and the years before it are a history that led there. The path, and every
regime with its date and size, are written to the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from turnaround.core.years import year_end
from turnaround.synth import variability
from turnaround.synth.calendar import day_number

YEAR = 365.25


@dataclass(frozen=True)
class Lever:
    """One rate that drifts: how far its log moves a year, and how fast it returns."""

    name: str
    label: str
    sd: float  # standard deviation of the yearly innovation in the log multiplier
    persistence: float = 0.7  # AR(1) coefficient of the log multiplier, year on year
    # A stock's calibrated figure is its count on the last 31 March, so its multiplier is 1
    # there; a flow's (referrals in the year) is the year's total, so its mean over the last
    # year is 1.
    flow: bool = True
    panel: str | None = None  # the DfE panel figure whose changes the lever's steps follow
    # The panel's steps are scaled by this, so that the figure the city reports (not the lever)
    # moves as the panel's do: a stock follows its lever with inertia (children on plans and in
    # care leave on their own schedule), and regimes and the other levers add movement of
    # their own.
    gain: float = 1.0


# The four levers behind published figures step by the DfE panel's changes (``gain`` scales
# them, measured with bench/synth_bench.py); for the others ``sd`` is the yearly innovation,
# an assumption. The persistence, also an assumption, lets a 16-year history wander without
# running away.
LEVERS: tuple[Lever, ...] = (
    Lever("referrals", "Referral volume", 0.15, panel="referrals", gain=0.9),
    Lever("in_need", "Children in need", 0.12, flow=False, panel="in_need", gain=1.6),
    Lever("cp_plans", "Child protection plans", 0.24, flow=False, panel="cp_plans", gain=0.75),
    Lever(
        "looked_after", "Children looked after", 0.06, flow=False, panel="looked_after", gain=0.8
    ),
    Lever("contacts_per_referral", "Front door threshold (contacts per referral)", 0.06),
    Lever("judgement_noise", "Front door judgement noise", 0.08),
    Lever("care_length", "Length of care spells (inverse of the exit rate)", 0.05),
    Lever("residential", "Share of placements in children's homes", 0.06),
    Lever("uasc", "Unaccompanied asylum-seeking children among entries", 0.15),
)
LEVER_NAMES = tuple(lever.name for lever in LEVERS)


@dataclass(frozen=True)
class RegimeKind:
    """A kind of change of regime, and the levers it moves (log effect ranges)."""

    kind: str
    description: str
    effects: dict[str, tuple[float, float]]
    ramp_months: tuple[int, int] = (2, 6)


# Directions follow what inspection reports describe; the sizes are assumptions.
REGIME_KINDS: tuple[RegimeKind, ...] = (
    RegimeKind(
        "new_front_door",
        "A new front door (a multi-agency safeguarding hub): fewer contacts become referrals, "
        "and its judgement is sharper",
        {
            "referrals": (-0.25, -0.10),
            "contacts_per_referral": (0.05, 0.2),
            "judgement_noise": (-0.25, -0.1),
        },
    ),
    RegimeKind(
        "court_backlog",
        "A court backlog: care proceedings take longer, so children stay in care longer",
        {"care_length": (0.1, 0.25), "looked_after": (0.04, 0.12)},
        (3, 9),
    ),
    RegimeKind(
        "new_director",
        "A change of director: a different appetite for child protection plans",
        {"cp_plans": (-0.3, 0.3), "in_need": (-0.1, 0.1)},
        (4, 12),
    ),
    RegimeKind(
        "inspection_tightening",
        "A tightening after an inadequate inspection: more referrals, plans and children in care",
        {
            "referrals": (0.1, 0.25),
            "cp_plans": (0.15, 0.4),
            "in_need": (0.05, 0.15),
            "looked_after": (0.03, 0.1),
        },
        (2, 8),
    ),
    RegimeKind(
        "uasc_surge",
        "A surge of unaccompanied asylum-seeking children arriving",
        {"uasc": (0.7, 1.3), "looked_after": (0.02, 0.06)},
        (1, 4),
    ),
)
REGIME_COLUMNS = ("start_day", "kind", "description", "lever", "log_effect", "ramp_months")
REGIMES_PER_YEAR = 0.2  # about one change of regime every five years (an assumption)


@dataclass
class Drift:
    """Each lever's log multiplier at every 31 March, and the regimes that moved them."""

    years: list[int]  # collection years, each named by its 31 March
    walk: dict[str, np.ndarray]  # lever -> log multiplier at each year's 31 March (AR part)
    regimes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REGIME_COLUMNS))
    )
    anchor: dict[str, float] = field(default_factory=dict)  # log value removed at the end

    def log_path(self, lever: str, days: np.ndarray) -> np.ndarray:
        """The lever's log multiplier on each day (integer day numbers), anchored."""
        days = np.asarray(days, dtype=np.float64)
        ends = np.array([day_number(year_end(y)) for y in self.years], dtype=np.float64)
        # Each year's value holds from 1 April: a flow's year total moves by the whole step,
        # and a stock has the year to reach its new level by 31 March.
        k = np.clip(np.searchsorted(ends, days, side="left"), 0, len(ends) - 1)
        out = self.walk[lever][k].astype(np.float64)
        mine = self.regimes[self.regimes["lever"] == lever]
        for begin, months, effect in zip(
            mine["start_day"].to_numpy(dtype=float),
            mine["ramp_months"].to_numpy(dtype=float),
            mine["log_effect"].to_numpy(dtype=float),
            strict=True,
        ):
            ramp = max(1.0, months * YEAR / 12)
            out += effect * np.clip((days - begin) / ramp, 0.0, 1.0)
        return out - self.anchor.get(lever, 0.0)

    def multiplier(self, lever: str, days: np.ndarray) -> np.ndarray:
        """The lever's multiplier on each day: 1 at the last 31 March."""
        return np.exp(self.log_path(lever, days))

    def table(self) -> pd.DataFrame:
        """Every lever's multiplier at every 31 March, for the truth."""
        ends = np.array([day_number(year_end(y)) for y in self.years])
        rows = []
        for lever in LEVERS:
            values = self.multiplier(lever.name, ends)
            rows += [
                {"year": y, "lever": lever.name, "label": lever.label, "multiplier": float(v)}
                for y, v in zip(self.years, values, strict=True)
            ]
        return pd.DataFrame(rows)

    def regime_table(self) -> pd.DataFrame:
        """Every change of regime: when, what, which lever and by how much (as a multiplier)."""
        if not len(self.regimes):
            return pd.DataFrame(
                columns=["date", "kind", "description", "lever", "multiplier", "ramp_months"]
            )
        out = self.regimes.copy()
        out["date"] = pd.to_datetime(out["start_day"], unit="D")
        out["multiplier"] = np.exp(out["log_effect"])
        return out[["date", "kind", "description", "lever", "multiplier", "ramp_months"]]


def build_drift(
    rng: np.random.Generator,
    first_year: int,
    last_year: int,
    window_from: int | None = None,
    levels: dict[str, float] | None = None,
) -> Drift:
    """Draw each lever's path over collection years ``first_year``..``last_year``.

    Regimes arrive only from ``window_from`` (a collection year; default the first), so the
    warm-up years before the returns begin stay calm. The walk runs backwards from the last
    year, where it is zero, so the last year keeps the calibrated rates.

    ``levels`` gives the city's expected count of each panel figure (looked after, in need,
    on a plan, referrals). A lever tied to one of them takes its yearly steps from the DfE
    panel's changes for councils of that size (``panel_steps``); the others follow an AR(1).
    """
    years = list(range(first_year - 1, last_year + 1))
    window = window_from or first_year
    walk: dict[str, np.ndarray] = {}
    for lever in LEVERS:
        if lever.panel and levels and lever.panel in levels:
            walk[lever.name] = panel_walk(rng, years, window, lever, levels[lever.panel])
            continue
        x = np.zeros(len(years))
        innovations = rng.normal(0.0, lever.sd, len(years))
        for k in range(len(years) - 2, -1, -1):
            x[k] = lever.persistence * x[k + 1] + innovations[k]
        walk[lever.name] = x
    regimes = _draw_regimes(rng, window, last_year)
    drift = Drift(years=years, walk=walk, regimes=regimes)
    end = day_number(year_end(last_year))
    last_year_days = np.arange(day_number(year_end(last_year - 1)) + 1, end + 1)
    for lever in LEVERS:
        if lever.flow:
            drift.anchor[lever.name] = float(
                np.log(np.mean(np.exp(drift.log_path(lever.name, last_year_days))))
            )
        else:
            drift.anchor[lever.name] = float(drift.log_path(lever.name, np.array([end]))[0])
    return drift


def panel_steps(rng: np.random.Generator, n: int, band: variability.Band) -> np.ndarray:
    """``n`` absolute yearly changes with the spread real councils of one size band show.

    The changes are drawn from a distribution through the band's quartiles (straight lines
    between 0, the 25th, 50th and 75th percentiles, and a tail to twice the 75th), one from
    each of ``n`` equal slices of it in random order. So even a short history has the typical
    spread: with four years, the middle two changes lie between the quartiles.
    """
    probs = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    values = np.array([0.0, band.q25, band.median, band.q75, 2 * band.q75])
    u = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    return np.interp(u, probs, values)


def panel_walk(
    rng: np.random.Generator, years: list[int], window: int, lever: Lever, level: float
) -> np.ndarray:
    """A lever's log path, anchored at zero in the last year, stepping by the panel's changes.

    Steps inside the collection window and before it are drawn separately, so each has the
    panel's spread. A step's direction is random, but leans back towards the starting level
    the further the path has wandered, as real councils' figures do (an assumption).
    """
    band = variability.band_for(lever.panel or "", level)
    n_steps = len(years) - 1
    in_window = sum(1 for y in years[1:] if y > window)
    steps = np.concatenate(
        [panel_steps(rng, n_steps - in_window, band), panel_steps(rng, in_window, band)]
    )
    steps = np.minimum(steps * lever.gain, 0.9)
    x = np.zeros(len(years))
    for k in range(n_steps - 1, -1, -1):
        # Year k's level is year k+1's over the ratio of the two. The ratio is a rise (1 + c)
        # or a fall (1 - c); the draw takes year k back towards zero more often than not.
        toward_zero = rng.random() < 0.5 + 0.4 * np.tanh(abs(x[k + 1]) / 0.25)
        rise = (x[k + 1] > 0) == toward_zero
        ratio = 1 + steps[k] if rise else 1 - steps[k]
        x[k] = x[k + 1] - np.log(ratio)
    return x


def _draw_regimes(rng: np.random.Generator, first_year: int, last_year: int) -> pd.DataFrame:
    begin = day_number(year_end(first_year - 1)) + 1
    end = day_number(year_end(last_year))
    n = int(rng.poisson(REGIMES_PER_YEAR * (last_year - first_year + 1)))
    rows = []
    for _ in range(n):
        kind = REGIME_KINDS[int(rng.integers(len(REGIME_KINDS)))]
        start = int(rng.integers(begin, end))
        ramp = int(rng.integers(kind.ramp_months[0], kind.ramp_months[1] + 1))
        for lever, (lo, hi) in kind.effects.items():
            rows.append(
                {
                    "start_day": start,
                    "kind": kind.kind,
                    "description": kind.description,
                    "lever": lever,
                    "log_effect": float(rng.uniform(lo, hi)),
                    "ramp_months": ramp,
                }
            )
    return pd.DataFrame(rows, columns=list(REGIME_COLUMNS)).sort_values(
        "start_day", ignore_index=True
    )


def steady(first_year: int, last_year: int) -> Drift:
    """A drift that never moves: every lever 1 throughout (for tests)."""
    years = list(range(first_year - 1, last_year + 1))
    return Drift(
        years=years,
        walk={lever.name: np.zeros(len(years)) for lever in LEVERS},
    )
