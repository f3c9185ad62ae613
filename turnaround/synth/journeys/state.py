"""The state every part of the journey simulation shares: the city, each child's state, records.

``JourneyState`` holds everything that changes as the months run, so that the front door,
assessment, plans and care (each a small object in its own module) read and write one state
explicitly rather than each other's attributes. All of them draw from the state's one random
generator, in the order the month's step calls them: that order is what makes a seed a city.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from turnaround.core.years import collection_year
from turnaround.synth import risk as risk_model
from turnaround.synth.calendar import OPEN, add_years, day_number, from_days, to_days
from turnaround.synth.config import SynthConfig, Targets
from turnaround.synth.drift import LEVER_NAMES, Drift, build_drift
from turnaround.synth.identity import postcode_sector
from turnaround.synth.model import Population
from turnaround.synth.rng import rng_for
from turnaround.synth.targets import RECENT_MONTHS

YEAR = 365.25
NEVER = -(10**9)

# Contacts per referral, and how noisy the front door's view of risk is, by threshold.
THRESHOLDS = {
    "high": {"contacts_per_referral": 3.2, "judgement_noise": 0.16},
    "typical": {"contacts_per_referral": 2.4, "judgement_noise": 0.10},
    "low": {"contacts_per_referral": 1.8, "judgement_noise": 0.08},
}
# England's rates, for the 'typical' and 'low' settings (CALIBRATION.md, 2014).
ENGLAND_2014 = Targets(
    referrals_per_10k=573.0,
    rereferral_share=0.235,
    in_need_per_10k=346.0,
    cp_plans_per_10k=42.1,
    looked_after_per_10k=60.0,
)


def scale_of(resident: int) -> float:
    """Children resident, in units of 10,000: published rates are per 10,000 children."""
    return resident / 10_000


@dataclass
class Records:
    """The council's records as they are written, one list per kind, in integer days."""

    contacts: list[tuple] = field(default_factory=list)
    early_help: list[tuple] = field(default_factory=list)
    referrals: dict[int, list] = field(default_factory=dict)
    assessments: list[tuple] = field(default_factory=list)
    cin_plans: list[list] = field(default_factory=list)
    s47: list[tuple] = field(default_factory=list)
    cp_plans: list[list] = field(default_factory=list)
    episodes: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    missing: list[tuple] = field(default_factory=list)
    adoptions: list[tuple] = field(default_factory=list)
    uasc: list[tuple] = field(default_factory=list)
    prev_perm: list[tuple] = field(default_factory=list)
    cases: list[tuple] = field(default_factory=list)


class JourneyState:
    """The city as arrays, each child's place in the system, the counters and the records."""

    def __init__(
        self,
        config: SynthConfig,
        population: Population,
        spells: pd.DataFrame,
        rng: np.random.Generator,
        sim_start: int,
        drift: Drift | None = None,
    ) -> None:
        self.config = config
        self.rng = rng
        self.targets = config.targets if config.threshold == "high" else ENGLAND_2014
        self.threshold = THRESHOLDS[config.threshold]
        ch = population.children
        self.n = len(ch)
        self.person_id = ch["person_id"].to_numpy()
        self.hh = ch["household_id"].to_numpy()
        self.dob = to_days(ch["dob"])
        self.arrived = to_days(ch["arrived"])
        self.left = np.where(ch["left"].isna(), OPEN, to_days(ch["left"].fillna(pd.Timestamp(0))))
        self.eighteenth = add_years(self.dob, 18)
        self.disabled = ch["disability"].to_numpy()
        n_hh = int(population.households["household_id"].max())
        self.visibility = np.exp(rng.normal(-0.1, 0.7, n_hh + 1))
        self.sim_start = sim_start
        self.end = day_number(config.window_end)
        months = pd.date_range(from_days(np.array([sim_start]))[0], periods=400, freq="MS")
        month_days = to_days(months.values)
        self.month_starts = month_days[month_days <= self.end]
        self.drift = drift or build_drift(
            rng_for(config.seed, "drift"),
            collection_year(np.datetime64(int(sim_start), "D").astype(object)),
            config.end_year,
            window_from=config.collection_years[0],
            levels=self._expected_levels(config),
        )
        # Each lever's multiplier in the middle of each month.
        self.levers = {
            name: self.drift.multiplier(name, self.month_starts + 14) for name in LEVER_NAMES
        }
        self.masks = risk_model.factor_masks(spells, n_hh, self.month_starts)
        self.risk_table = risk_model.household_risk_table()
        self.sectors = self._home_sectors(population)
        self.all_sectors = np.unique(self.sectors)
        # State per child.
        self.busy_from = np.full(self.n, NEVER, dtype=np.int64)
        self.busy_until = np.full(self.n, NEVER, dtype=np.int64)
        self.last_referral = np.full(self.n, NEVER, dtype=np.int64)
        self.cp_from = np.full(self.n, NEVER, dtype=np.int64)
        self.cp_until = np.full(self.n, NEVER, dtype=np.int64)
        self.cin_plan_from = np.full(self.n, NEVER, dtype=np.int64)
        self.cin_plan_until = np.full(self.n, NEVER, dtype=np.int64)
        self.lac_from = np.full(self.n, NEVER, dtype=np.int64)
        self.lac_until = np.full(self.n, NEVER, dtype=np.int64)
        self.cp_count = np.zeros(self.n, dtype=np.int64)
        self.latest_referral = np.full(self.n, -1, dtype=np.int64)
        self.open_cp = np.full(self.n, -1, dtype=np.int64)
        self.open_cin_plan = np.full(self.n, -1, dtype=np.int64)
        self.first_contact = np.full(self.n, NEVER, dtype=np.int64)
        self.ever_referred = np.zeros(self.n, dtype=bool)
        self.ever_assessed = np.zeros(self.n, dtype=bool)
        self.ever_plan = np.zeros(self.n, dtype=bool)
        self.ever_cp = np.zeros(self.n, dtype=bool)
        self.ever_lac = np.zeros(self.n, dtype=bool)
        self.la_child_id = np.full(self.n, "", dtype=object)
        self.next_la_id = 1
        self.next_referral = 1
        self.next_cp = 1
        self.records = Records()
        self.pending: list[int] = []  # this month's referrals
        self.assessed_on: dict[int, int] = {}
        years = config.collection_years
        self.first_year = years[0] - 4
        self.peak = np.zeros((self.n, years[-1] - self.first_year + 1), dtype=np.float32)
        # Each child's risk in the last few months, for the targets at the worklist date.
        self.recent = np.zeros((self.n, RECENT_MONTHS), dtype=np.float32)

    def _home_sectors(self, population: Population) -> np.ndarray:
        """Each child's home postcode sector, from the household's last known address."""
        last = population.addresses.drop_duplicates("household_id", keep="last")
        sector = pd.Series(
            [postcode_sector(p) for p in last["postcode"]], index=last["household_id"].to_numpy()
        )
        return sector.reindex(self.hh).fillna("B1 1").to_numpy()

    def _expected_levels(self, config: SynthConfig) -> dict[str, float]:
        """The city's expected count of each figure the DfE panel has, from its size."""
        t, scale = self.targets, config.scale
        return {
            "looked_after": t.looked_after_per_10k * scale,
            "in_need": t.in_need_per_10k * scale,
            "cp_plans": t.cp_plans_per_10k * scale,
            "referrals": t.referrals_per_10k * scale,
        }

    def month_of(self, day: int) -> int:
        """Index of the simulated month ``day`` falls in."""
        m = np.searchsorted(self.month_starts, day, side="right") - 1
        return int(np.clip(m, 0, len(self.month_starts) - 1))

    def lever(self, name: str, day: int) -> float:
        """The drift multiplier of lever ``name`` in ``day``'s month (1 in the last year)."""
        return float(self.levers[name][self.month_of(day)])

    def la_id(self, i: int) -> str:
        """Child ``i``'s council id, given the first time the council hears of them."""
        if not self.la_child_id[i]:
            self.la_child_id[i] = f"C{self.next_la_id:07d}"
            self.next_la_id += 1
        return str(self.la_child_id[i])

    def new_referral_id(self) -> int:
        """The next referral's id."""
        rid = self.next_referral
        self.next_referral += 1
        return rid

    def new_cp_id(self) -> int:
        """The next child protection plan's id."""
        cp_id = self.next_cp
        self.next_cp += 1
        return cp_id

    def household_factors(self, i: int, day: int) -> int:
        """The bit mask of risk factors active in child ``i``'s household in ``day``'s month."""
        return int(self.masks[self.month_of(day), self.hh[i]])

    def close_referral(self, rid: int, day: int, reason: str) -> None:
        """Close referral ``rid`` on ``day`` (not before its assessment) for ``reason``."""
        rec = self.records.referrals[rid]
        i = int(rec[7])
        # An episode never closes before its assessment is authorised (CIN rule 8867).
        day = max(day, self.assessed_on.get(rid, day))
        rec[5] = day
        rec[6] = reason
        self.busy_until[i] = day
