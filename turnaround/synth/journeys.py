"""Social care journeys: contact, referral, assessment, S47, conference, plans and care.

The simulation steps a month at a time. Partner agencies make contacts about children, more often
the higher a child's latent risk and the more visible the family is. The front door accepts the
contacts it judges most serious as referrals, up to the month's referral volume; how high that bar
sits is the threshold setting. Published stocks (children in need, on plans, looked after) are held
by simple feedback controllers on the flows into them, so the city keeps the published rates at any
size while who goes where is still decided by each child's risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from turnaround.synth import risk as risk_model
from turnaround.synth.calendar import (
    OPEN,
    add_years,
    day_number,
    from_days,
    next_weekday,
    to_days,
)
from turnaround.synth.care import CareSpell, plan_care_spell
from turnaround.synth.config import SynthConfig, Targets
from turnaround.synth.identity import postcode_sector
from turnaround.synth.model import Population, SocialCare

YEAR = 365.25
NEVER = -(10**9)

REFERRAL_SOURCES = (
    "1A",
    "1B",
    "1C",
    "1D",
    "2A",
    "2B",
    "3A",
    "3B",
    "3C",
    "3D",
    "3E",
    "3F",
    "4",
    "5A",
    "5B",
    "5C",
    "5D",
    "6",
    "7",
    "8",
    "9",
    "10",
)
SOURCE_WEIGHTS = (
    0.05,
    0.015,
    0.01,
    0.01,
    0.17,
    0.02,
    0.03,
    0.03,
    0.01,
    0.02,
    0.04,
    0.03,
    0.03,
    0.06,
    0.03,
    0.02,
    0.01,
    0.28,
    0.03,
    0.06,
    0.01,
    0.04,
)
POLICE = REFERRAL_SOURCES.index("6")

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

NFA_SHARE = 0.09
# How much more often agencies raise a contact about a child at high risk (times risk squared).
CONTACT_RISK_WEIGHT = 160.0
ICPC_SHARE = 0.55  # of S47 enquiries, those that lead to an initial conference
CP_AFTER_ICPC = 0.88


@dataclass
class _Records:
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


@dataclass
class JourneyResult:
    """The council's records, plus ground truth gathered while simulating."""

    social_care: SocialCare
    child_risk: pd.DataFrame
    known_status: pd.DataFrame


class JourneySimulator:
    """Step the city month by month, writing the council's records as children move through."""

    def __init__(
        self,
        config: SynthConfig,
        population: Population,
        spells: pd.DataFrame,
        rng: np.random.Generator,
        sim_start: int,
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
        self._next_la_id = 1
        self._next_referral = 1
        self._next_cp = 1
        self.records = _Records()
        self._pending: list[int] = []
        self.assessed_on: dict[int, int] = {}
        years = config.collection_years
        self.first_year = years[0] - 4
        self.peak = np.zeros((self.n, years[-1] - self.first_year + 1), dtype=np.float32)

    # ---- helpers -------------------------------------------------------------------------
    def _home_sectors(self, population: Population) -> np.ndarray:
        """Each child's home postcode sector, from the household's last known address."""
        last = population.addresses.drop_duplicates("household_id", keep="last")
        sector = pd.Series(
            [postcode_sector(p) for p in last["postcode"]], index=last["household_id"].to_numpy()
        )
        return sector.reindex(self.hh).fillna("B1 1").to_numpy()

    def _la_id(self, i: int) -> str:
        if not self.la_child_id[i]:
            self.la_child_id[i] = f"C{self._next_la_id:07d}"
            self._next_la_id += 1
        return str(self.la_child_id[i])

    def _scale(self, resident: int) -> float:
        return resident / 10_000

    def _collection_year(self, day: int) -> int:
        d = np.datetime64(int(day), "D").astype(object)
        return d.year + 1 if d.month >= 4 else d.year

    # ---- the monthly step ----------------------------------------------------------------
    def run(self, progress: object = None) -> JourneyResult:
        """Simulate every month and return the records and the truth gathered."""
        self._seed_children_in_care()
        for m, start in enumerate(self.month_starts):
            self._step(m, int(start))
            if progress is not None:
                progress(m + 1, len(self.month_starts))  # type: ignore[operator]
        return self._result()

    def _step(self, m: int, start: int) -> None:
        rng = self.rng
        mid = start + 14
        stop = int(self.month_starts[m + 1]) if m + 1 < len(self.month_starts) else self.end + 1
        age = (mid - self.dob) / YEAR
        resident = (
            (self.arrived <= mid) & (self.left > mid) & (self.dob <= mid) & (self.eighteenth > mid)
        )
        n_res = int(resident.sum())
        risk = self.risk_table[self.masks[m, self.hh]] * risk_model.age_multiplier(age)
        risk = np.clip(risk, 0.0, 1.0) * resident
        yi = self._collection_year(mid) - self.first_year
        if 0 <= yi < self.peak.shape[1]:
            np.maximum(self.peak[:, yi], risk, out=self.peak[:, yi])

        t = self.targets
        scale = self._scale(n_res)
        referrals_due = int(rng.poisson(t.referrals_per_10k * scale / 12))
        eligible = resident & (self.busy_until < start)
        self._contacts_and_referrals(m, start, stop, risk, eligible, referrals_due)
        self._entries_to_care(start, stop, risk, resident, scale)

    def _contacts_and_referrals(
        self,
        m: int,
        start: int,
        stop: int,
        risk: np.ndarray,
        eligible: np.ndarray,
        referrals_due: int,
    ) -> None:
        rng = self.rng
        idx = np.flatnonzero(eligible)
        if len(idx) == 0 or referrals_due == 0:
            return
        weight = 1.0 + CONTACT_RISK_WEIGHT * risk[idx] ** 2 * self.visibility[self.hh[idx]]
        contacts_due = referrals_due * self.threshold["contacts_per_referral"]
        p = np.minimum(1.0, contacts_due * weight / weight.sum())
        contacted = idx[rng.random(len(idx)) < p]
        if len(contacted) == 0:
            return
        day = rng.integers(start, stop, len(contacted))
        judged = risk[contacted] + rng.normal(0, self.threshold["judgement_noise"], len(contacted))
        recent = self.last_referral[contacted] >= day - 365
        quota_re = round(referrals_due * self.targets.rereferral_share)
        order_re = np.flatnonzero(recent)[np.argsort(-judged[recent], kind="stable")]
        order_new = np.flatnonzero(~recent)[np.argsort(-judged[~recent], kind="stable")]
        take_re = order_re[:quota_re]
        take_new = order_new[: referrals_due - len(take_re)]
        if len(take_re) + len(take_new) < referrals_due:
            take_re = order_re[: referrals_due - len(take_new)]
        accepted = np.zeros(len(contacted), dtype=bool)
        accepted[take_re] = True
        accepted[take_new] = True
        # Contacts not accepted: early help for the more worrying, no further action otherwise.
        rejected = np.flatnonzero(~accepted)
        cut = np.quantile(judged[rejected], 0.75) if len(rejected) else 0.0
        da_active = (self.masks[m, self.hh[contacted]] & 1) > 0
        sources = rng.choice(
            len(REFERRAL_SOURCES),
            size=len(contacted),
            p=np.array(SOURCE_WEIGHTS) / sum(SOURCE_WEIGHTS),
        )
        sources = np.where(da_active & (rng.random(len(contacted)) < 0.6), POLICE, sources)
        for k in range(len(contacted)):
            i = int(contacted[k])
            d = int(day[k])
            source = REFERRAL_SOURCES[int(sources[k])]
            la_id = self._la_id(i)
            if self.first_contact[i] == NEVER:
                self.first_contact[i] = d
            if accepted[k]:
                self.records.contacts.append((la_id, d, source, "referral"))
                self._referral(i, d, source, float(risk[i]), float(judged[k]))
            elif judged[k] >= cut:
                self.records.contacts.append((la_id, d, source, "early_help"))
                end = d + 7 + int(rng.integers(60, 270))
                self.records.early_help.append((la_id, d + 7, end))
            else:
                self.records.contacts.append((la_id, d, source, "nfa"))
        self._apply_outcome_quotas(start)

    def _referral(self, i: int, day: int, source: str, risk: float, judged: float) -> None:
        rid = self._next_referral
        self._next_referral += 1
        self.ever_referred[i] = True
        self.last_referral[i] = day
        need = self._need_code(i, risk)
        # [la_id, day, source, need, nfa, closure, reason, person index, judged risk]
        self.records.referrals[rid] = [
            self._la_id(i),
            day,
            source,
            need,
            False,
            NEVER,
            "",
            i,
            judged,
        ]
        self.latest_referral[i] = rid
        self.busy_from[i] = day
        self.busy_until[i] = day + 60  # provisional, fixed by the outcome below
        self._pending.append(rid)

    def _need_code(self, i: int, risk: float) -> str:
        if self.disabled[i] and self.rng.random() < 0.5:
            return "N2"
        if risk > 0.3:
            return str(self.rng.choice(["N1", "N1", "N1", "N3", "N4", "N5"]))
        return str(
            self.rng.choice(
                ["N1", "N3", "N4", "N5", "N6", "N7", "N8", "N9"],
                p=[0.35, 0.08, 0.2, 0.06, 0.05, 0.06, 0.05, 0.15],
            )
        )

    def _apply_outcome_quotas(self, start: int) -> None:
        """Decide what happens to this month's referrals, holding plans near published rates."""
        rng = self.rng
        pending = self._pending
        self._pending = []
        if not pending:
            return
        recs = [self.records.referrals[r] for r in pending]
        judged = np.array([r[8] for r in recs]) + rng.normal(0, 0.05, len(recs))
        nfa = rng.random(len(recs)) < NFA_SHARE
        assessed = np.flatnonzero(~nfa)
        order = assessed[np.argsort(-judged[assessed], kind="stable")]
        t = self.targets
        res = int(
            (
                (self.arrived <= start)
                & (self.left > start)
                & (self.dob <= start)
                & (self.eighteenth > start)
            ).sum()
        )
        scale = self._scale(res)
        cp_target = t.cp_plans_per_10k * scale
        month_end = start + 30
        cp_now = int(((self.cp_from <= month_end) & (self.cp_until > month_end)).sum())
        cp_starts = max(0.0, cp_target / 11.0 + 0.5 * (cp_target - cp_now))
        n_s47 = min(len(order), round(cp_starts / (ICPC_SHARE * CP_AFTER_ICPC)))
        s47_set = set(order[:n_s47].tolist())
        icpc_set = set(order[: round(ICPC_SHARE * n_s47)].tolist())
        cin_target = t.in_need_per_10k * scale
        cin_now = int(((self.busy_from <= month_end) & (self.busy_until > month_end)).sum())
        p_plan = float(
            np.clip(0.5 + 2.0 * (cin_target - cin_now) / max(cin_target, 1.0), 0.03, 0.95)
        )
        rest = [k for k in order if k not in s47_set]
        n_plan = round(p_plan * len(rest))
        plan_set = set(rest[:n_plan])
        for k, rid in enumerate(pending):
            rec = recs[k]
            i = int(rec[7])
            day = int(rec[1])
            if nfa[k]:
                closure = day + int(rng.integers(0, 4))
                rec[4] = True
                # No further action at referral: closed without an assessment, so not RC8,
                # which means "closed after assessment" (CIN rule 8825Q).
                self._close_referral(rid, closure, "RC7")
                continue
            a_start = day + int(rng.integers(0, 8))
            a_done = a_start + int(rng.lognormal(np.log(34), 0.5))
            factors = self._factors(i, day)
            self.records.assessments.append((rid, a_start, a_done, factors))
            self.assessed_on[rid] = a_done
            self.ever_assessed[i] = True
            self.records.cases.append((rec[0], "front_door", day, a_start))
            self.records.cases.append((rec[0], "assessment", a_start, a_done))
            if k in s47_set:
                s47_day = day + int(rng.integers(0, 6))
                target = s47_day + 21  # 15 working days
                if k in icpc_set:
                    icpc = next_weekday(s47_day + int(rng.lognormal(np.log(16), 0.45)))
                    self.records.s47.append((rid, s47_day, target, icpc, False))
                    if rng.random() < CP_AFTER_ICPC:
                        self._cp_plan(rid, i, icpc)
                        continue
                    self._cin_plan(rid, i, icpc)
                    continue
                # The enquiry found no conference was needed (CIN rule 8868).
                self.records.s47.append((rid, s47_day, target, NEVER, True))
                if rng.random() < 0.5:
                    self._cin_plan(rid, i, a_done)
                else:
                    # Closed after an S47 enquiry: not RC8, which allows no activity (rule 2990).
                    self._close_referral(rid, a_done + int(rng.integers(0, 15)), "RC7")
                continue
            if k in plan_set:
                self._cin_plan(rid, i, a_done)
            else:
                self._close_referral(rid, a_done + int(rng.integers(0, 15)), "RC8")

    def _household_factors(self, i: int, day: int) -> int:
        """The bit mask of risk factors active in child ``i``'s household in ``day``'s month."""
        m = int(
            np.clip(
                np.searchsorted(self.month_starts, day, side="right") - 1,
                0,
                len(self.month_starts) - 1,
            )
        )
        return int(self.masks[m, self.hh[i]])

    def _factors(self, i: int, day: int) -> str:
        mask = self._household_factors(i, day)
        codes = []
        mapping = {0: "3A", 1: "2B", 2: "4B", 3: "1B", 4: "17A", 5: "5A"}
        for bit, code in mapping.items():
            if mask & (1 << bit):
                codes.append(code)
        if not codes or self.rng.random() < 0.3:
            codes.append(str(self.rng.choice(["21", "8B", "6A", "1A", "9A", "16A"])))
        return ",".join(sorted(set(codes)))

    def _close_referral(self, rid: int, day: int, reason: str) -> None:
        rec = self.records.referrals[rid]
        i = int(rec[7])
        # An episode never closes before its assessment is authorised (CIN rule 8867).
        day = max(day, self.assessed_on.get(rid, day))
        rec[5] = day
        rec[6] = reason
        self.busy_until[i] = day

    def _cin_plan(self, rid: int, i: int, start: int) -> None:
        rng = self.rng
        end = start + int(rng.lognormal(np.log(230), 0.55))
        end = max(min(end, int(self.eighteenth[i])), start + 1)
        self.records.cin_plans.append([rid, start, end])
        self.open_cin_plan[i] = len(self.records.cin_plans) - 1
        self.cin_plan_from[i] = start
        self.cin_plan_until[i] = end
        self.ever_plan[i] = True
        team = "disabled_children" if self.disabled[i] else "cin_cp"
        self.records.cases.append((self.records.referrals[rid][0], team, start, end))
        self._close_referral(rid, end + int(rng.integers(0, 20)), "RC7")
        self.latest_referral[i] = rid

    def _cp_plan(self, rid: int, i: int, start: int) -> None:
        rng = self.rng
        length = int(rng.lognormal(np.log(250), 0.7))
        end = max(min(start + max(length, 30), int(self.eighteenth[i])), start + 1)
        category = self._category(i, start)
        cp_id = self._next_cp
        self._next_cp += 1
        self.records.cp_plans.append(
            [
                cp_id,
                rid,
                self.records.referrals[rid][0],
                start,
                end,
                category,
                category,
                int(self.cp_count[i]),
            ]
        )
        self.cp_count[i] += 1
        self.cp_from[i] = start
        self.cp_until[i] = end
        self.open_cp[i] = len(self.records.cp_plans) - 1
        self.ever_cp[i] = True
        self.ever_plan[i] = True
        self.records.cases.append((self.records.referrals[rid][0], "cin_cp", start, end))
        if rng.random() < 0.6 and end < self.eighteenth[i] - 60:
            step_down = end + int(rng.integers(90, 270))
            self.records.cin_plans.append([rid, end, step_down])
            self.open_cin_plan[i] = len(self.records.cin_plans) - 1
            self.cin_plan_from[i] = end
            self.cin_plan_until[i] = step_down
            self.records.cases.append((self.records.referrals[rid][0], "cin_cp", end, step_down))
            self._close_referral(rid, step_down + int(rng.integers(0, 20)), "RC7")
        else:
            self._close_referral(rid, end + int(rng.integers(0, 20)), "RC7")
        self.latest_referral[i] = rid

    def _category(self, i: int, day: int) -> str:
        mask = self._household_factors(i, day)
        if self.rng.random() < 0.05:
            return "SAB"
        if self.rng.random() < 0.04:
            return "MUL"
        if mask & (1 << 3):
            return "NEG"
        if mask & 1:
            return "EMO"
        if mask & (1 << 1):
            return str(self.rng.choice(["NEG", "EMO"]))
        return str(self.rng.choice(["NEG", "PHY", "EMO"], p=[0.45, 0.2, 0.35]))

    # ---- care ------------------------------------------------------------------------------
    def _entries_to_care(
        self, start: int, stop: int, risk: np.ndarray, resident: np.ndarray, scale: float
    ) -> None:
        rng = self.rng
        t = self.targets
        target = t.looked_after_per_10k * scale
        projected = int(((self.lac_from <= stop) & (self.lac_until > stop)).sum())
        due = max(0.0, target * 0.40 / 12 + 0.3 * (target - projected))
        n_due = int(rng.poisson(due)) if due > 0 else 0
        if n_due == 0:
            return
        not_in_care = resident & (self.lac_until < start)
        on_plan = (
            not_in_care
            & ((self.cp_until > start) | (self.cin_plan_until > start))
            & (self.busy_until > start)
        )
        candidates = np.flatnonzero(on_plan)
        chosen: list[int] = []
        if len(candidates):
            w = risk[candidates] ** 2 + 0.002
            n_take = min(n_due, len(candidates))
            chosen = rng.choice(candidates, size=n_take, replace=False, p=w / w.sum()).tolist()
        # UASC: a small share of entries are older children arriving alone.
        uasc_due = int(rng.binomial(n_due, 0.04))
        if uasc_due:
            age = (start - self.dob) / YEAR
            pool = np.flatnonzero(
                resident
                & (self.lac_until < start)
                & (age >= 14)
                & (age < 17.5)
                & (self.arrived >= start - 90)
                & (self.busy_until < start)
            )
            if len(pool):
                for i in rng.choice(pool, size=min(uasc_due, len(pool)), replace=False):
                    self._enter_care(
                        int(i), int(rng.integers(start, stop)), emergency=False, uasc=True
                    )
        for i in chosen:
            self._enter_care(int(i), int(rng.integers(start, stop)), emergency=rng.random() < 0.3)

    def _enter_care(
        self, i: int, day: int, *, emergency: bool, uasc: bool = False, pathway: str | None = None
    ) -> None:
        rng = self.rng
        # Care starts after any plan already under way, never before it.
        if self.cp_until[i] > day:
            day = max(day, int(self.cp_from[i]) + 1)
        if self.cin_plan_until[i] > day:
            day = max(day, int(self.cin_plan_from[i]) + 1)
        if day >= self.eighteenth[i] - 2:
            return
        rid = int(self.latest_referral[i])
        closure = self.records.referrals[rid][5] if rid >= 0 else NEVER
        if rid < 0 or (closure != NEVER and closure < day - 1):
            rid = self._new_referral_for_care(i, day)
        day = max(day, int(self.records.referrals[rid][1]))
        if day >= self.eighteenth[i] - 2:
            return
        need = "N4" if uasc else str(self.records.referrals[rid][3])
        if need not in ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"):
            need = "N1"
        spell = plan_care_spell(
            rng,
            day,
            int(self.dob[i]),
            need,
            emergency,
            str(self.sectors[i]),
            self.all_sectors,
            pathway,
        )
        self._write_spell(i, rid, day, spell, uasc)

    def _new_referral_for_care(self, i: int, day: int) -> int:
        # A new CIN episode begins after the last one closed, never inside it.
        ref_day = max(day - int(self.rng.integers(0, 20)), int(self.busy_until[i]) + 1)
        rid = self._next_referral
        self._next_referral += 1
        need = "N1"
        self.records.referrals[rid] = [
            self._la_id(i),
            ref_day,
            "5A",
            need,
            False,
            NEVER,
            "",
            i,
            1.0,
        ]
        self.ever_referred[i] = True
        self.last_referral[i] = ref_day
        a_done = ref_day + int(self.rng.integers(5, 40))
        self.records.assessments.append((rid, ref_day, a_done, self._factors(i, ref_day)))
        self.assessed_on[rid] = a_done
        self.ever_assessed[i] = True
        self.latest_referral[i] = rid
        self.busy_from[i] = ref_day
        return rid

    def _write_spell(self, i: int, rid: int, day: int, spell: CareSpell, uasc: bool) -> None:
        rng = self.rng
        la_id = self._la_id(i)
        self.ever_lac[i] = True
        for ep in spell.episodes:
            self.records.episodes.append((la_id, *ep))
        for review_day, code in spell.reviews:
            self.records.reviews.append((la_id, review_day, code))
        for kind, s, e in spell.missing:
            self.records.missing.append((la_id, kind, s, e))
        if spell.adoption is not None:
            date_int, date_match, ceased, reason, order, with_carer = spell.adoption
            # PlacedAdoption's DATE_PLACED is the decision that the child should be placed
            # for adoption, taken with the best-interests decision (DfE rule 523).
            self.records.adoptions.append(
                (
                    la_id,
                    date_int,
                    NEVER if date_match is None else date_match,
                    date_int,
                    NEVER if ceased is None else ceased,
                    reason,
                    with_carer,
                    NEVER if order is None else order,
                )
            )
        if uasc:
            self.records.uasc.append((la_id, int(self.eighteenth[i])))
        # Every child starting care has a previous-permanence record (DfE rule 630);
        # Z1 means none, or not known.
        if rng.random() < 0.04:
            perm = str(rng.choice(["P1", "P2", "P3", "P4"]))
            when = np.datetime64(int(day - rng.integers(200, 2000)), "D").astype(object)
            la = str(rng.choice([self.config.la_code, "331", "332", "333", "334", "335"]))
            self.records.prev_perm.append((la_id, perm, la, when.strftime("%d/%m/%Y")))
        else:
            self.records.prev_perm.append((la_id, "Z1", "", ""))
        # A child protection plan ends when the child becomes looked after.
        if self.cp_until[i] > day and self.open_cp[i] >= 0:
            self.records.cp_plans[self.open_cp[i]][4] = day
            self.cp_until[i] = day
        if self.cin_plan_until[i] > day and self.open_cin_plan[i] >= 0:
            plan = self.records.cin_plans[self.open_cin_plan[i]]
            if plan[1] >= day:  # a step-down plan that never began: the child came into care
                plan[1] = plan[2] = NEVER
            else:
                plan[2] = day
            self.cin_plan_until[i] = day
        self.lac_from[i] = day
        self.lac_until[i] = spell.end
        sixteenth = int(add_years(np.array([self.dob[i]]), 16)[0])
        self.records.cases.append((la_id, "looked_after", day, min(spell.end, max(sixteenth, day))))
        if spell.end > sixteenth:
            self.records.cases.append((la_id, "care_leavers", max(sixteenth, day), spell.end))
        reason = {
            "E11": "RC1",
            "E12": "RC1",
            "E41": "RC3",
            "E45": "RC4",
            "E46": "RC4",
            "E47": "RC4",
            "E48": "RC4",
        }.get(spell.exit_reason, "RC7")
        self._close_referral(
            rid, spell.end + (0 if spell.open_at_18 else int(rng.integers(0, 30))), reason
        )
        self.latest_referral[i] = rid

    def _seed_children_in_care(self) -> None:
        """Children already in long-term care when the simulation starts."""
        rng = self.rng
        start = self.sim_start
        age = (start - self.dob) / YEAR
        resident = (self.arrived <= start) & (self.left > start) & (age >= 0.5) & (age < 17.5)
        scale = self._scale(int(resident.sum()))
        n_seed = round(self.targets.looked_after_per_10k * scale * 0.55)
        pool = np.flatnonzero(resident)
        if len(pool) == 0 or n_seed == 0:
            return
        w = 1.0 + 8.0 * self.visibility[self.hh[pool]] * (age[pool] > 5)
        chosen = rng.choice(pool, size=min(n_seed, len(pool)), replace=False, p=w / w.sum())
        for i in chosen:
            years_in = rng.uniform(0.3, min(age[i], 9.0))
            day = start - int(years_in * YEAR)
            self._new_referral_for_care(int(i), day)
            self._enter_care(int(i), day, emergency=False, pathway="long")
        self._pending = []

    # ---- results --------------------------------------------------------------------------
    def _result(self) -> JourneyResult:
        r = self.records
        known_mask = self.la_child_id != ""
        known = pd.DataFrame(
            {
                "person_id": self.person_id[known_mask],
                "la_child_id": self.la_child_id[known_mask].astype(str),
            }
        )
        refs = pd.DataFrame.from_dict(
            r.referrals,
            orient="index",
            columns=[
                "la_child_id",
                "referral_date",
                "source",
                "primary_need",
                "nfa",
                "closure_date",
                "closure_reason",
                "_i",
                "_judged",
            ],
        )
        refs.index.name = "referral_id"
        refs = refs.reset_index().drop(columns=["_i", "_judged"])
        refs["referral_id"] = refs["referral_id"].astype(np.int64)
        refs = _dates(refs, ["referral_date", "closure_date"], self.end)
        refs.loc[refs["closure_date"].isna(), "closure_reason"] = ""
        social_care = SocialCare(
            known_children=known,
            contacts=_dates(
                pd.DataFrame(
                    r.contacts, columns=["la_child_id", "contact_date", "source", "outcome"]
                ),
                ["contact_date"],
                self.end,
                drop_future=True,
            ),
            early_help=_dates(
                pd.DataFrame(r.early_help, columns=["la_child_id", "start", "end"]),
                ["start", "end"],
                self.end,
                drop_future=True,
            ),
            referrals=refs[refs["referral_date"].notna()].reset_index(drop=True),
            assessments=_dates(
                pd.DataFrame(
                    r.assessments,
                    columns=["referral_id", "start_date", "authorised_date", "factors"],
                ),
                ["start_date", "authorised_date"],
                self.end,
                drop_future=True,
            ),
            cin_plans=_dates(
                pd.DataFrame(
                    [p for p in r.cin_plans if p[1] != NEVER],
                    columns=["referral_id", "start_date", "end_date"],
                ),
                ["start_date", "end_date"],
                self.end,
                drop_future=True,
            ),
            s47=_dates(
                pd.DataFrame(
                    r.s47,
                    columns=[
                        "referral_id",
                        "start_date",
                        "icpc_target",
                        "icpc_date",
                        "icpc_not_required",
                    ],
                ),
                ["start_date", "icpc_target", "icpc_date"],
                self.end,
                drop_future=True,
            ),
            cp_plans=_dates(
                pd.DataFrame(
                    r.cp_plans,
                    columns=[
                        "cp_plan_id",
                        "referral_id",
                        "la_child_id",
                        "start_date",
                        "end_date",
                        "initial_category",
                        "latest_category",
                        "previous_plans",
                    ],
                ),
                ["start_date", "end_date"],
                self.end,
                drop_future=True,
            ),
            cp_reviews=self._cp_reviews(),
            episodes=_dates(
                pd.DataFrame(
                    r.episodes,
                    columns=[
                        "la_child_id",
                        "decom",
                        "rne",
                        "ls",
                        "cin",
                        "place",
                        "place_provider",
                        "dec",
                        "rec",
                        "reason_place_change",
                        "home_post",
                        "pl_post",
                        "urn",
                    ],
                ),
                ["decom", "dec"],
                self.end,
                drop_future=True,
                open_code=("rec", ""),
            ),
            looked_after_reviews=_dates(
                pd.DataFrame(r.reviews, columns=["la_child_id", "review_date", "review_code"]),
                ["review_date"],
                self.end,
                drop_future=True,
            ),
            missing=_dates(
                pd.DataFrame(r.missing, columns=["la_child_id", "missing", "mis_start", "mis_end"]),
                ["mis_start", "mis_end"],
                self.end,
                drop_future=True,
            ),
            adoptions=self._adoptions(),
            uasc=_dates(pd.DataFrame(r.uasc, columns=["la_child_id", "duc"]), ["duc"], None),
            prev_perm=pd.DataFrame(
                r.prev_perm, columns=["la_child_id", "prev_perm", "la_perm", "date_perm"]
            ),
            cases=_dates(
                pd.DataFrame(r.cases, columns=["la_child_id", "team", "start", "end"]),
                ["start", "end"],
                self.end,
                drop_future=True,
            ),
        )
        return JourneyResult(
            social_care=social_care,
            child_risk=self._child_risk(),
            known_status=self._known_status(),
        )

    def _cp_reviews(self) -> pd.DataFrame:
        rows = []
        for cp in self.records.cp_plans:
            day = cp[3] + 90
            while day < cp[4]:
                rows.append((cp[0], next_weekday(day)))
                day += 182
        return _dates(
            pd.DataFrame(rows, columns=["cp_plan_id", "review_date"]),
            ["review_date"],
            self.end,
            drop_future=True,
        )

    def _adoptions(self) -> pd.DataFrame:
        df = pd.DataFrame(
            self.records.adoptions,
            columns=[
                "la_child_id",
                "date_int",
                "date_match",
                "date_placed",
                "date_placed_ceased",
                "reason_placed_ceased",
                "foster_care",
                "date_adopted",
            ],
        )
        n = len(df)
        rng = self.rng
        df["foster_care"] = df["foster_care"].astype(bool)  # adopted by the foster carer (A5)
        df["nb_adoptr"] = np.where(rng.random(n) < 0.78, "2", "1")
        couple = df["nb_adoptr"] == "2"
        sex = np.where(
            couple,
            rng.choice(["MF", "MM", "FF"], n, p=[0.86, 0.07, 0.07]),
            rng.choice(["F1", "M1"], n, p=[0.9, 0.1]),
        )
        df["sex_adoptr"] = sex
        # Legal status of adopters, consistent with their sexes (DfE rules 514, 520, 524):
        # L0 single; L11 / L3 married / unmarried different-gender couple;
        # L12 / L2 / L4 married / civil partners / unmarried same-gender couple.
        mixed = rng.choice(["L11", "L3"], n, p=[0.75, 0.25])
        same = rng.choice(["L12", "L2", "L4"], n, p=[0.4, 0.4, 0.2])
        df["ls_adoptr"] = np.where(~couple, "L0", np.where(sex == "MF", mixed, same))
        out = _dates(
            df,
            ["date_int", "date_match", "date_placed", "date_placed_ceased", "date_adopted"],
            self.end,
            drop_future=True,
        )
        out.loc[out["date_placed_ceased"].isna(), "reason_placed_ceased"] = ""
        return out

    def _child_risk(self) -> pd.DataFrame:
        years = self.config.collection_years
        frames = []
        for y in years:
            col = self.peak[:, y - self.first_year]
            frames.append(
                pd.DataFrame({"person_id": self.person_id, "year": y, "risk": col.round(4)})
            )
        out = pd.concat(frames, ignore_index=True)
        out = out[out["risk"] > 0].reset_index(drop=True)
        out["level"] = risk_model.risk_level(out["risk"].to_numpy())
        out["at_risk"] = out["risk"] >= risk_model.AT_RISK_FROM
        return out

    def _known_status(self) -> pd.DataFrame:
        status = np.select(
            [
                self.ever_lac,
                self.ever_cp,
                self.ever_plan,
                self.ever_assessed,
                self.ever_referred,
                self.first_contact != NEVER,
            ],
            [
                "looked_after",
                "child_protection",
                "cin_plan",
                "assessed",
                "closed_without_assessment",
                "contact_only",
            ],
            "unknown",
        )
        return pd.DataFrame({"person_id": self.person_id, "known_status": status})


def _dates(
    df: pd.DataFrame,
    cols: list[str],
    end: int | None,
    *,
    drop_future: bool = False,
    open_code: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Turn integer-day columns into dates; anything after the window's end is not yet known."""
    df = df.copy()
    if drop_future and end is not None and len(df):
        df = df[df[cols[0]].to_numpy(dtype=np.int64) <= end].reset_index(drop=True)
    for c in cols:
        raw = df[c].to_numpy(dtype=np.int64) if len(df) else np.array([], dtype=np.int64)
        unknown = (raw == NEVER) | ((raw > end) if end is not None else False)
        values = from_days(np.where(unknown, 0, raw))
        values[unknown] = np.datetime64("NaT")
        df[c] = values
        if open_code is not None and c == cols[-1]:
            df.loc[unknown, open_code[0]] = open_code[1]
    return df


def simulate_journeys(
    config: SynthConfig,
    population: Population,
    spells: pd.DataFrame,
    rng: np.random.Generator,
    sim_start: int,
    progress: object = None,
) -> JourneyResult:
    """Run the month-by-month simulation and return the council's records and the truth."""
    return JourneySimulator(config, population, spells, rng, sim_start).run(progress)
