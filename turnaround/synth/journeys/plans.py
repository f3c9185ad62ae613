"""Plans: child in need plans and child protection plans, with their step-downs and categories."""

from __future__ import annotations

import numpy as np

from turnaround.synth.journeys.state import JourneyState

CP_MEDIAN_DAYS = 220
CP_SIGMA = 0.65
"""A child protection plan's planned length: lognormal, median 220 days (at least 30).

Fitted so that the plans open on any day have lasted about as long as England's did at 31 March
2014: 3 months or less 32%, 3 to 6 months 25%, 6 months to a year 26%, 1 to 2 years 14%, 2
years or more 2.6%, 1,230 of 48,300 (d5_cpps_at31march_by_duration_2013_to_2025.csv). Uncut,
these lengths give 33%, 26%, 26%, 13% and 2.9%; plans cut short when the child comes into care
or turns 18 bring the last to about 2.7% (2.4% to 3.0% over four Birmingham-scale cities).
"""


class Plans:
    """Start child in need and child protection plans, and close their referrals after them."""

    def __init__(self, state: JourneyState) -> None:
        self.state = state

    def cin_plan(self, rid: int, i: int, start: int) -> None:
        """Start a child in need plan for child ``i`` on ``start``, under referral ``rid``."""
        state = self.state
        rng = state.rng
        end = start + int(rng.lognormal(np.log(230), 0.55))
        end = max(min(end, int(state.eighteenth[i])), start + 1)
        state.records.cin_plans.append([rid, start, end])
        state.open_cin_plan[i] = len(state.records.cin_plans) - 1
        state.cin_plan_from[i] = start
        state.cin_plan_until[i] = end
        state.ever_plan[i] = True
        team = "disabled_children" if state.disabled[i] else "cin_cp"
        state.records.cases.append((state.records.referrals[rid][0], team, start, end))
        state.close_referral(rid, end + int(rng.integers(0, 20)), "RC7")
        state.latest_referral[i] = rid

    def cp_plan(self, rid: int, i: int, start: int) -> None:
        """Start a child protection plan for child ``i`` on ``start``, perhaps with a step-down."""
        state = self.state
        rng = state.rng
        length = int(rng.lognormal(np.log(CP_MEDIAN_DAYS), CP_SIGMA))
        end = max(min(start + max(length, 30), int(state.eighteenth[i])), start + 1)
        category = self._category(i, start)
        cp_id = state.new_cp_id()
        state.records.cp_plans.append(
            [
                cp_id,
                rid,
                state.records.referrals[rid][0],
                start,
                end,
                category,
                category,
                int(state.cp_count[i]),
            ]
        )
        state.cp_count[i] += 1
        state.cp_from[i] = start
        state.cp_until[i] = end
        state.open_cp[i] = len(state.records.cp_plans) - 1
        state.ever_cp[i] = True
        state.ever_plan[i] = True
        state.records.cases.append((state.records.referrals[rid][0], "cin_cp", start, end))
        if rng.random() < 0.6 and end < state.eighteenth[i] - 60:
            step_down = end + int(rng.integers(90, 270))
            state.records.cin_plans.append([rid, end, step_down])
            state.open_cin_plan[i] = len(state.records.cin_plans) - 1
            state.cin_plan_from[i] = end
            state.cin_plan_until[i] = step_down
            state.records.cases.append((state.records.referrals[rid][0], "cin_cp", end, step_down))
            state.close_referral(rid, step_down + int(rng.integers(0, 20)), "RC7")
        else:
            state.close_referral(rid, end + int(rng.integers(0, 20)), "RC7")
        state.latest_referral[i] = rid

    def _category(self, i: int, day: int) -> str:
        state = self.state
        mask = state.household_factors(i, day)
        if state.rng.random() < 0.05:
            return "SAB"
        if state.rng.random() < 0.04:
            return "MUL"
        if mask & (1 << 3):
            return "NEG"
        if mask & 1:
            return "EMO"
        if mask & (1 << 1):
            return str(state.rng.choice(["NEG", "EMO"]))
        return str(state.rng.choice(["NEG", "PHY", "EMO"], p=[0.45, 0.2, 0.35]))
