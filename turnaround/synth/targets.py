"""Who the worklist should find on its date: the truth's targets at the worklist date.

The worklist is dated the end of the last collection year (31 March): the partner extracts run
to it, and so does the newest partner event the worklist is scored from. On that date a child
is a target when they are

* **at risk now**: latent risk at or above ``risk.AT_RISK_FROM`` (0.6, severe) in at least one
  of the last ``RECENT_MONTHS`` simulated months (January to March), and
* under 18 and living in the city on the date.

The broader **high or severe** group uses the same window and conditions with risk at or above
``HIGH_FROM`` (0.4, the cut between medium and high in ``risk.LEVEL_CUTS``). Whether the child
is known to social care is kept apart, in ``known_status``: the evaluation joins the two.

The older target stays beside them: peak risk in any month of the collection year, in
``child_risk``. It also counts children who had stopped being at risk by the autumn, who had
turned 18 and who had left the city.
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd

from turnaround.synth.calendar import add_years, from_days
from turnaround.synth.config import SynthConfig
from turnaround.synth.risk import AT_RISK_FROM, LEVEL_CUTS, risk_level

RECENT_MONTHS = 3
"""How many of the last simulated months count towards risk 'at the worklist date'."""

HIGH_FROM = LEVEL_CUTS[1]
"""Risk at or above this is 'high' or 'severe' (0.4)."""

NOT_KNOWN_STATUSES: tuple[str, ...] = ("unknown", "contact_only", "closed_without_assessment")
"""Known statuses that count as not known to social care, as for the older target."""

COLUMNS: tuple[str, ...] = (
    "person_id",
    "worklist_date",
    "risk",
    "latest_risk",
    "level",
    "age",
    "in_city",
    "at_risk_now",
    "high_or_severe",
)


def worklist_date(config: SynthConfig) -> date:
    """The date the worklist is taken to be as at: the end of the last collection year."""
    return config.window_end


def remember_recent(recent: np.ndarray, month: int, months: int, risk: np.ndarray) -> None:
    """Keep month ``month``'s risk (of ``months``) in ``recent`` if it is one of the last few.

    ``recent`` is (children x RECENT_MONTHS); column ``RECENT_MONTHS - 1`` is the last month.
    """
    slot = month - (months - recent.shape[1])
    if slot >= 0:
        recent[:, slot] = risk


def targets_at(
    person_id: np.ndarray,
    recent: np.ndarray,
    dob: np.ndarray,
    arrived: np.ndarray,
    left: np.ndarray,
    day: int,
) -> pd.DataFrame:
    """Each child with any risk in the last months, and whether they are a target on ``day``.

    ``recent`` is the risk in each of the last months (0 when the child was not resident
    mid-month); ``dob``, ``arrived`` and ``left`` are integer days (``left`` far in the future
    for children who never left). A child leaving on ``day`` is no longer in the city on it.
    """
    peak = recent.max(axis=1) if recent.shape[1] else np.zeros(len(person_id))
    keep = np.flatnonzero(peak > 0)
    born = dob[keep]
    eighteenth = add_years(born, 18)
    under_18 = (born <= day) & (eighteenth > day)
    in_city = (arrived[keep] <= day) & (left[keep] > day)
    # Rounded as child_risk rounds its peaks, so the two compare exactly.
    risk = peak[keep].astype(np.float32).round(4)
    eligible = under_18 & in_city
    return pd.DataFrame(
        {
            "person_id": person_id[keep],
            "worklist_date": from_days(np.full(len(keep), day)),
            "risk": risk,
            "latest_risk": recent[keep, -1].astype(np.float32).round(4),
            "level": risk_level(risk),
            "age": _age(born, day),
            "in_city": in_city,
            "at_risk_now": eligible & (risk >= AT_RISK_FROM),
            "high_or_severe": eligible & (risk >= HIGH_FROM),
        },
        columns=list(COLUMNS),
    )


def _age(born: np.ndarray, day: int) -> np.ndarray:
    """Completed years of age on ``day`` (a 29 February birthday falls on 28 February, as in
    ``calendar.add_years``)."""
    d = np.datetime64(int(day), "D")
    b = born.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(int) - b.astype("datetime64[Y]").astype(int)
    birthday = _month_day(b)
    if not calendar.isleap(int(d.astype("datetime64[Y]").astype(int)) + 1970):
        birthday = np.where(birthday == 229, 228, birthday)
    return (years - (birthday > _month_day(np.array([d]))[0])).astype(np.int64)


def _month_day(days: np.ndarray) -> np.ndarray:
    """Month and day as one number (5 March is 305), to compare birthdays across years."""
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    return month * 100 + dom


def unknown_targets(
    targets: pd.DataFrame, known_status: pd.DataFrame, column: str = "at_risk_now"
) -> pd.Index:
    """Person ids flagged in ``column`` whose known status counts as not known."""
    flagged = targets.loc[targets[column].astype(bool), "person_id"]
    status = known_status.set_index("person_id")["known_status"]
    not_known = status.reindex(flagged).isin(NOT_KNOWN_STATUSES).to_numpy()
    return pd.Index(np.sort(flagged.to_numpy()[not_known]), name="person_id")
