"""The front door: partner agencies' contacts, and the ones accepted as referrals.

Agencies make contacts about children, more often the higher a child's latent risk and the more
visible the family is; which agency makes each one follows what is wrong in the family
(``sources``). The front door accepts the contacts it judges most serious as referrals,
up to the month's referral volume; how high that bar sits is the threshold setting. The rest go
to early help or no further action.
"""

from __future__ import annotations

import numpy as np

from turnaround.synth.journeys.assessment import Assessment
from turnaround.synth.journeys.sources import contact_sources
from turnaround.synth.journeys.state import NEVER, YEAR, JourneyState

# How much more often agencies raise a contact about a child at high risk (times risk to the power
# CONTACT_RISK_POWER).
CONTACT_RISK_WEIGHT = 1000.0
CONTACT_RISK_POWER = 3


def contact_chances(weight: np.ndarray, due: float) -> np.ndarray:
    """Each child's chance of a contact this month, in proportion to weight, ``due`` in all.

    A chance cannot pass one, so the contacts the most worrying children cannot take go to the
    rest in proportion to their weights, and the month still has its due number of contacts.
    """
    p = np.zeros(len(weight))
    full = np.zeros(len(weight), dtype=bool)
    for _ in range(20):
        rest = weight[~full].sum()
        if rest <= 0:
            break
        p[~full] = (due - full.sum()) * weight[~full] / rest
        over = ~full & (p >= 1.0)
        if not over.any():
            break
        full |= over
        p[full] = 1.0
    return np.clip(p, 0.0, 1.0)


class FrontDoor:
    """Contacts and referrals, for the month being simulated."""

    def __init__(self, state: JourneyState, assessment: Assessment) -> None:
        self.state = state
        self.assessment = assessment

    def contacts_and_referrals(
        self,
        m: int,
        start: int,
        stop: int,
        risk: np.ndarray,
        eligible: np.ndarray,
        referrals_due: int,
    ) -> None:
        """Draw the month's contacts, accept the most serious as referrals, decide the rest."""
        state = self.state
        rng = state.rng
        idx = np.flatnonzero(eligible)
        if len(idx) == 0 or referrals_due == 0:
            return
        weight = (
            1.0
            + CONTACT_RISK_WEIGHT
            * risk[idx] ** CONTACT_RISK_POWER
            * state.visibility[state.hh[idx]]
        )
        contacts_due = (
            referrals_due
            * state.threshold["contacts_per_referral"]
            * state.levers["contacts_per_referral"][m]
        )
        p = contact_chances(weight, contacts_due)
        contacted = idx[rng.random(len(idx)) < p]
        if len(contacted) == 0:
            return
        day = rng.integers(start, stop, len(contacted))
        noise = state.threshold["judgement_noise"] * state.levers["judgement_noise"][m]
        judged = risk[contacted] + rng.normal(0, noise, len(contacted))
        recent = state.last_referral[contacted] >= day - 365
        quota_re = round(referrals_due * state.targets.rereferral_share)
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
        # Each contact comes from an agency placed to see what is wrong in the family.
        age = (day - state.dob[contacted]) / YEAR
        sources = contact_sources(rng, state.masks[m, state.hh[contacted]], age)
        for k in range(len(contacted)):
            i = int(contacted[k])
            d = int(day[k])
            source = str(sources[k])
            la_id = state.la_id(i)
            if state.first_contact[i] == NEVER:
                state.first_contact[i] = d
            if accepted[k]:
                state.records.contacts.append((la_id, d, source, "referral"))
                self._referral(i, d, source, float(risk[i]), float(judged[k]))
            elif judged[k] >= cut:
                state.records.contacts.append((la_id, d, source, "early_help"))
                end = d + 7 + int(rng.integers(60, 270))
                state.records.early_help.append((la_id, d + 7, end))
            else:
                state.records.contacts.append((la_id, d, source, "nfa"))
        self.assessment.decide(start)

    def _referral(self, i: int, day: int, source: str, risk: float, judged: float) -> None:
        state = self.state
        rid = state.new_referral_id()
        state.ever_referred[i] = True
        state.last_referral[i] = day
        need = self._need_code(i, risk)
        # [la_id, day, source, need, nfa, closure, reason, person index, judged risk]
        state.records.referrals[rid] = [
            state.la_id(i),
            day,
            source,
            need,
            False,
            NEVER,
            "",
            i,
            judged,
        ]
        state.latest_referral[i] = rid
        state.busy_from[i] = day
        state.busy_until[i] = day + 60  # provisional, fixed by the outcome below
        state.pending.append(rid)

    def _need_code(self, i: int, risk: float) -> str:
        state = self.state
        if state.disabled[i] and state.rng.random() < 0.5:
            return "N2"
        if risk > 0.3:
            return str(state.rng.choice(["N1", "N1", "N1", "N3", "N4", "N5"]))
        return str(
            state.rng.choice(
                ["N1", "N3", "N4", "N5", "N6", "N7", "N8", "N9"],
                p=[0.35, 0.08, 0.2, 0.06, 0.05, 0.06, 0.05, 0.15],
            )
        )
