"""The simulation's results: the council's records as tables, and the truth gathered."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnaround.synth import risk as risk_model
from turnaround.synth.calendar import day_number, from_days, next_weekday
from turnaround.synth.drift import Drift
from turnaround.synth.journeys.state import NEVER, JourneyState
from turnaround.synth.model import SocialCare
from turnaround.synth.targets import targets_at, worklist_date


@dataclass
class JourneyResult:
    """The council's records, plus ground truth gathered while simulating."""

    social_care: SocialCare
    child_risk: pd.DataFrame
    known_status: pd.DataFrame
    targets: pd.DataFrame
    drift: Drift | None = None  # the rates' drift and changes of regime, set by the simulator


class Results:
    """Turn the state's records into the council's tables once every month has run."""

    def __init__(self, state: JourneyState) -> None:
        self.state = state

    def build(self) -> JourneyResult:
        """The council's records as tables, and the truth: child risk, known status, targets."""
        state = self.state
        r = state.records
        known_mask = state.la_child_id != ""
        known = pd.DataFrame(
            {
                "person_id": state.person_id[known_mask],
                "la_child_id": state.la_child_id[known_mask].astype(str),
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
        refs = _dates(refs, ["referral_date", "closure_date"], state.end)
        refs.loc[refs["closure_date"].isna(), "closure_reason"] = ""
        social_care = SocialCare(
            known_children=known,
            contacts=_dates(
                pd.DataFrame(
                    r.contacts, columns=["la_child_id", "contact_date", "source", "outcome"]
                ),
                ["contact_date"],
                state.end,
                drop_future=True,
            ),
            early_help=_dates(
                pd.DataFrame(r.early_help, columns=["la_child_id", "start", "end"]),
                ["start", "end"],
                state.end,
                drop_future=True,
            ),
            referrals=refs[refs["referral_date"].notna()].reset_index(drop=True),
            assessments=_dates(
                pd.DataFrame(
                    r.assessments,
                    columns=["referral_id", "start_date", "authorised_date", "factors"],
                ),
                ["start_date", "authorised_date"],
                state.end,
                drop_future=True,
            ),
            cin_plans=_dates(
                pd.DataFrame(
                    [p for p in r.cin_plans if p[1] != NEVER],
                    columns=["referral_id", "start_date", "end_date"],
                ),
                ["start_date", "end_date"],
                state.end,
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
                state.end,
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
                state.end,
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
                state.end,
                drop_future=True,
                open_code=("rec", ""),
            ),
            looked_after_reviews=_dates(
                pd.DataFrame(r.reviews, columns=["la_child_id", "review_date", "review_code"]),
                ["review_date"],
                state.end,
                drop_future=True,
            ),
            missing=_dates(
                pd.DataFrame(r.missing, columns=["la_child_id", "missing", "mis_start", "mis_end"]),
                ["mis_start", "mis_end"],
                state.end,
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
                state.end,
                drop_future=True,
            ),
        )
        return JourneyResult(
            social_care=social_care,
            child_risk=self._child_risk(),
            known_status=self._known_status(),
            targets=self._targets(),
        )

    def _cp_reviews(self) -> pd.DataFrame:
        state = self.state
        rows = []
        for cp in state.records.cp_plans:
            day = cp[3] + 90
            while day < cp[4]:
                rows.append((cp[0], next_weekday(day)))
                day += 182
        return _dates(
            pd.DataFrame(rows, columns=["cp_plan_id", "review_date"]),
            ["review_date"],
            state.end,
            drop_future=True,
        )

    def _adoptions(self) -> pd.DataFrame:
        state = self.state
        df = pd.DataFrame(
            state.records.adoptions,
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
        rng = state.rng
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
            state.end,
            drop_future=True,
        )
        out.loc[out["date_placed_ceased"].isna(), "reason_placed_ceased"] = ""
        return out

    def _child_risk(self) -> pd.DataFrame:
        state = self.state
        years = state.config.collection_years
        frames = []
        for y in years:
            col = state.peak[:, y - state.first_year]
            frames.append(
                pd.DataFrame({"person_id": state.person_id, "year": y, "risk": col.round(4)})
            )
        out = pd.concat(frames, ignore_index=True)
        out = out[out["risk"] > 0].reset_index(drop=True)
        out["level"] = risk_model.risk_level(out["risk"].to_numpy())
        out["at_risk"] = out["risk"] >= risk_model.AT_RISK_FROM
        return out

    def _targets(self) -> pd.DataFrame:
        state = self.state
        day = day_number(worklist_date(state.config))
        return targets_at(state.person_id, state.recent, state.dob, state.arrived, state.left, day)

    def _known_status(self) -> pd.DataFrame:
        state = self.state
        status = np.select(
            [
                state.ever_lac,
                state.ever_cp,
                state.ever_plan,
                state.ever_assessed,
                state.ever_referred,
                state.first_contact != NEVER,
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
        return pd.DataFrame({"person_id": state.person_id, "known_status": status})


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
