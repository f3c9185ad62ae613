"""Assessment: what happens to each month's referrals, holding plans near the published rates.

Referrals are ranked by how serious the front door judged them. The most serious go to an S47
enquiry, some of those to an initial conference and a child protection plan, in numbers a
feedback controller sets from the gap between plans open and the target; of the rest, a share set
the same way from the children in need target gets a child in need plan, and the others close.
"""

from __future__ import annotations

import numpy as np

from turnaround.synth.calendar import next_weekday
from turnaround.synth.journeys.plans import Plans
from turnaround.synth.journeys.state import NEVER, JourneyState, scale_of

NFA_SHARE = 0.09
ICPC_SHARE = 0.55  # of S47 enquiries, those that lead to an initial conference
CP_AFTER_ICPC = 0.88


class Assessment:
    """Assessments, S47 enquiries and conferences, and the factors an assessment records."""

    def __init__(self, state: JourneyState, plans: Plans) -> None:
        self.state = state
        self.plans = plans

    def decide(self, start: int) -> None:
        """Decide what happens to this month's referrals, holding plans near published rates."""
        state = self.state
        rng = state.rng
        pending = state.pending
        state.pending = []
        if not pending:
            return
        recs = [state.records.referrals[r] for r in pending]
        judged = np.array([r[8] for r in recs]) + rng.normal(0, 0.05, len(recs))
        nfa = rng.random(len(recs)) < NFA_SHARE
        assessed = np.flatnonzero(~nfa)
        order = assessed[np.argsort(-judged[assessed], kind="stable")]
        t = state.targets
        res = int(
            (
                (state.arrived <= start)
                & (state.left > start)
                & (state.dob <= start)
                & (state.eighteenth > start)
            ).sum()
        )
        scale = scale_of(res)
        cp_target = t.cp_plans_per_10k * scale * state.lever("cp_plans", start)
        month_end = start + 30
        cp_now = int(((state.cp_from <= month_end) & (state.cp_until > month_end)).sum())
        cp_starts = max(0.0, cp_target / 11.0 + 0.5 * (cp_target - cp_now))
        n_s47 = min(len(order), round(cp_starts / (ICPC_SHARE * CP_AFTER_ICPC)))
        s47_set = set(order[:n_s47].tolist())
        icpc_set = set(order[: round(ICPC_SHARE * n_s47)].tolist())
        cin_target = t.in_need_per_10k * scale * state.lever("in_need", start)
        cin_now = int(((state.busy_from <= month_end) & (state.busy_until > month_end)).sum())
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
                state.close_referral(rid, closure, "RC7")
                continue
            a_start = day + int(rng.integers(0, 8))
            a_done = a_start + int(rng.lognormal(np.log(34), 0.5))
            factors = self.factors(i, day)
            state.records.assessments.append((rid, a_start, a_done, factors))
            state.assessed_on[rid] = a_done
            state.ever_assessed[i] = True
            state.records.cases.append((rec[0], "front_door", day, a_start))
            state.records.cases.append((rec[0], "assessment", a_start, a_done))
            if k in s47_set:
                s47_day = day + int(rng.integers(0, 6))
                target = s47_day + 21  # 15 working days
                if k in icpc_set:
                    icpc = next_weekday(s47_day + int(rng.lognormal(np.log(16), 0.45)))
                    state.records.s47.append((rid, s47_day, target, icpc, False))
                    if rng.random() < CP_AFTER_ICPC:
                        self.plans.cp_plan(rid, i, icpc)
                        continue
                    self.plans.cin_plan(rid, i, icpc)
                    continue
                # The enquiry found no conference was needed (CIN rule 8868).
                state.records.s47.append((rid, s47_day, target, NEVER, True))
                if rng.random() < 0.5:
                    self.plans.cin_plan(rid, i, a_done)
                else:
                    # Closed after an S47 enquiry: not RC8, which allows no activity (rule 2990).
                    state.close_referral(rid, a_done + int(rng.integers(0, 15)), "RC7")
                continue
            if k in plan_set:
                self.plans.cin_plan(rid, i, a_done)
            else:
                state.close_referral(rid, a_done + int(rng.integers(0, 15)), "RC8")

    def factors(self, i: int, day: int) -> str:
        """CIN assessment factor codes for child ``i``, from the household's risks on ``day``."""
        state = self.state
        mask = state.household_factors(i, day)
        codes = []
        mapping = {0: "3A", 1: "2B", 2: "4B", 3: "1B", 4: "17A", 5: "5A"}
        for bit, code in mapping.items():
            if mask & (1 << bit):
                codes.append(code)
        if not codes or state.rng.random() < 0.3:
            codes.append(str(state.rng.choice(["21", "8B", "6A", "1A", "9A", "16A"])))
        return ",".join(sorted(set(codes)))
