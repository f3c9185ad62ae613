"""Children looked after: who enters care each month, the children already in care, and the
records each care spell writes (episodes, reviews, missing, adoption, UASC, permanence).

Entries are held near the published rate by a feedback controller; who enters is drawn from the
children on a plan, weighted by risk, plus a few unaccompanied asylum-seeking children.
"""

from __future__ import annotations

import numpy as np

from turnaround.synth.calendar import add_years
from turnaround.synth.care import CareSpell, plan_care_spell
from turnaround.synth.journeys.assessment import Assessment
from turnaround.synth.journeys.state import NEVER, YEAR, JourneyState, scale_of


class LookedAfter:
    """Entries to care and the care spells that follow, for the month being simulated."""

    def __init__(self, state: JourneyState, assessment: Assessment) -> None:
        self.state = state
        self.assessment = assessment

    def seed_children_in_care(self) -> None:
        """Children already in long-term care when the simulation starts."""
        state = self.state
        rng = state.rng
        start = state.sim_start
        age = (start - state.dob) / YEAR
        resident = (state.arrived <= start) & (state.left > start) & (age >= 0.5) & (age < 17.5)
        scale = scale_of(int(resident.sum()))
        n_seed = round(state.targets.looked_after_per_10k * scale * 0.55)
        pool = np.flatnonzero(resident)
        if len(pool) == 0 or n_seed == 0:
            return
        w = 1.0 + 8.0 * state.visibility[state.hh[pool]] * (age[pool] > 5)
        chosen = rng.choice(pool, size=min(n_seed, len(pool)), replace=False, p=w / w.sum())
        for i in chosen:
            years_in = rng.uniform(0.3, min(age[i], 9.0))
            day = start - int(years_in * YEAR)
            self._new_referral_for_care(int(i), day)
            self._enter_care(int(i), day, emergency=False, pathway="long")
        state.pending = []

    def entries_to_care(
        self, start: int, stop: int, risk: np.ndarray, resident: np.ndarray, scale: float
    ) -> None:
        """Bring the month's children into care, holding the looked-after rate near target."""
        state = self.state
        rng = state.rng
        t = state.targets
        target = t.looked_after_per_10k * scale * state.lever("looked_after", start)
        projected = int(((state.lac_from <= stop) & (state.lac_until > stop)).sum())
        due = max(0.0, target * 0.40 / 12 + 0.3 * (target - projected))
        n_due = int(rng.poisson(due)) if due > 0 else 0
        if n_due == 0:
            return
        not_in_care = resident & (state.lac_until < start)
        on_plan = (
            not_in_care
            & ((state.cp_until > start) | (state.cin_plan_until > start))
            & (state.busy_until > start)
        )
        candidates = np.flatnonzero(on_plan)
        chosen: list[int] = []
        if len(candidates):
            w = risk[candidates] ** 2 + 0.002
            n_take = min(n_due, len(candidates))
            chosen = rng.choice(candidates, size=n_take, replace=False, p=w / w.sum()).tolist()
        # UASC: a small share of entries are older children arriving alone.
        uasc_due = int(rng.binomial(n_due, min(0.5, 0.04 * state.lever("uasc", start))))
        if uasc_due:
            age = (start - state.dob) / YEAR
            pool = np.flatnonzero(
                resident
                & (state.lac_until < start)
                & (age >= 14)
                & (age < 17.5)
                & (state.arrived >= start - 90)
                & (state.busy_until < start)
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
        state = self.state
        rng = state.rng
        # Care starts after any plan already under way, never before it.
        if state.cp_until[i] > day:
            day = max(day, int(state.cp_from[i]) + 1)
        if state.cin_plan_until[i] > day:
            day = max(day, int(state.cin_plan_from[i]) + 1)
        if day >= state.eighteenth[i] - 2:
            return
        rid = int(state.latest_referral[i])
        closure = state.records.referrals[rid][5] if rid >= 0 else NEVER
        if rid < 0 or (closure != NEVER and closure < day - 1):
            rid = self._new_referral_for_care(i, day)
        day = max(day, int(state.records.referrals[rid][1]))
        if day >= state.eighteenth[i] - 2:
            return
        need = "N4" if uasc else str(state.records.referrals[rid][3])
        if need not in ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"):
            need = "N1"
        spell = plan_care_spell(
            rng,
            day,
            int(state.dob[i]),
            need,
            emergency,
            str(state.sectors[i]),
            state.all_sectors,
            pathway,
            length_scale=state.lever("care_length", day),
            residential_weight=state.lever("residential", day),
        )
        self._write_spell(i, rid, day, spell, uasc)

    def _new_referral_for_care(self, i: int, day: int) -> int:
        state = self.state
        # A new CIN episode begins after the last one closed, never inside it.
        ref_day = max(day - int(state.rng.integers(0, 20)), int(state.busy_until[i]) + 1)
        rid = state.new_referral_id()
        need = "N1"
        state.records.referrals[rid] = [
            state.la_id(i),
            ref_day,
            "5A",
            need,
            False,
            NEVER,
            "",
            i,
            1.0,
        ]
        state.ever_referred[i] = True
        state.last_referral[i] = ref_day
        a_done = ref_day + int(state.rng.integers(5, 40))
        state.records.assessments.append(
            (rid, ref_day, a_done, self.assessment.factors(i, ref_day))
        )
        state.assessed_on[rid] = a_done
        state.ever_assessed[i] = True
        state.latest_referral[i] = rid
        state.busy_from[i] = ref_day
        return rid

    def _write_spell(self, i: int, rid: int, day: int, spell: CareSpell, uasc: bool) -> None:
        state = self.state
        rng = state.rng
        la_id = state.la_id(i)
        state.ever_lac[i] = True
        for ep in spell.episodes:
            state.records.episodes.append((la_id, *ep))
        for review_day, code in spell.reviews:
            state.records.reviews.append((la_id, review_day, code))
        for kind, s, e in spell.missing:
            state.records.missing.append((la_id, kind, s, e))
        if spell.adoption is not None:
            date_int, date_match, ceased, reason, order, with_carer = spell.adoption
            # PlacedAdoption's DATE_PLACED is the decision that the child should be placed
            # for adoption, taken with the best-interests decision (DfE rule 523).
            state.records.adoptions.append(
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
            state.records.uasc.append((la_id, int(state.eighteenth[i])))
        # Every child starting care has a previous-permanence record (DfE rule 630);
        # Z1 means none, or not known.
        if rng.random() < 0.04:
            perm = str(rng.choice(["P1", "P2", "P3", "P4"]))
            when = np.datetime64(int(day - rng.integers(200, 2000)), "D").astype(object)
            la = str(rng.choice([state.config.la_code, "331", "332", "333", "334", "335"]))
            state.records.prev_perm.append((la_id, perm, la, when.strftime("%d/%m/%Y")))
        else:
            state.records.prev_perm.append((la_id, "Z1", "", ""))
        # A child protection plan ends when the child becomes looked after.
        if state.cp_until[i] > day and state.open_cp[i] >= 0:
            state.records.cp_plans[state.open_cp[i]][4] = day
            state.cp_until[i] = day
        if state.cin_plan_until[i] > day and state.open_cin_plan[i] >= 0:
            plan = state.records.cin_plans[state.open_cin_plan[i]]
            if plan[1] >= day:  # a step-down plan that never began: the child came into care
                plan[1] = plan[2] = NEVER
            else:
                plan[2] = day
            state.cin_plan_until[i] = day
        state.lac_from[i] = day
        state.lac_until[i] = spell.end
        sixteenth = int(add_years(np.array([state.dob[i]]), 16)[0])
        state.records.cases.append(
            (la_id, "looked_after", day, min(spell.end, max(sixteenth, day)))
        )
        if spell.end > sixteenth:
            state.records.cases.append((la_id, "care_leavers", max(sixteenth, day), spell.end))
        reason = {
            "E11": "RC1",
            "E12": "RC1",
            "E41": "RC3",
            "E45": "RC4",
            "E46": "RC4",
            "E47": "RC4",
            "E48": "RC4",
        }.get(spell.exit_reason, "RC7")
        state.close_referral(
            rid, spell.end + (0 if spell.open_at_18 else int(rng.integers(0, 30))), reason
        )
        state.latest_referral[i] = rid
