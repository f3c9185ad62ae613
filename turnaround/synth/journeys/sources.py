"""Which agency makes each contact: the one placed to see what is wrong in the family.

A contact about a child comes from police more often where there is domestic abuse (most of all
high-risk abuse), and where police find neglect or drug misuse on a call-out; from health
visitors, GPs and hospitals for the youngest children and where a parent is unwell; from school
for children of school age, more often where they are neglected or a parent is unwell; from
housing where the family is poor or a parent misuses drugs. Every agency also contacts about
children whose trouble it does not itself see (its base weight).

The weights are assumptions, tuned so that the referrals the front door accepts come from each
agency in the shares England's did in 2013-14 (police 23.9%, health 14.0%, schools 13.1%; DfE,
SFR 43/2014): police make more of the contacts than of the referrals, as their notifications are
many and most are not for social care (Stanley et al., 2010; Ford et al., 2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from turnaround.synth.risk import FACTORS


@dataclass(frozen=True)
class ContactAgency:
    """One group of referral sources: its codes, when it sees children, and what it notices."""

    codes: tuple[tuple[str, float], ...]  # DfE referral source codes and their shares
    base: float
    ages: tuple[float, float] = (0.0, 18.0)  # ages the agency sees the child at all
    under_five: float = 1.0  # base weight multiplied for children under five
    factors: dict[str, float] = field(default_factory=dict)  # extra weight per active factor


AGENCIES: dict[str, ContactAgency] = {
    "police": ContactAgency(
        (("6", 1.0),),
        base=0.05,
        factors={
            "domestic_abuse": 0.2,
            "high_risk_domestic_abuse": 0.15,
            "neglect": 0.1,
            "substance_misuse": 0.08,
        },
    ),
    "schools": ContactAgency(
        (("2A", 1.0),),
        base=0.15,
        ages=(4.0, 17.0),
        factors={"neglect": 0.15, "mental_health": 0.05},
    ),
    "education": ContactAgency((("2B", 1.0),), base=0.02, ages=(2.0, 18.0)),
    "health": ContactAgency(
        (("3A", 0.2), ("3B", 0.2), ("3C", 0.06), ("3D", 0.13), ("3E", 0.25), ("3F", 0.16)),
        base=0.09,
        under_five=2.0,
        factors={"mental_health": 0.05, "substance_misuse": 0.05, "child_disability": 0.05},
    ),
    "housing": ContactAgency(
        (("4", 1.0),), base=0.015, factors={"poverty": 0.03, "substance_misuse": 0.04}
    ),
    "la_services": ContactAgency(
        (("5A", 0.5), ("5B", 0.25), ("5C", 0.17), ("5D", 0.08)),
        base=0.15,
        factors={"child_disability": 0.15},
    ),
    "individual": ContactAgency(
        (("1A", 0.59), ("1B", 0.18), ("1C", 0.115), ("1D", 0.115)), base=0.11
    ),
    "other_legal": ContactAgency((("7", 1.0),), base=0.025, factors={"substance_misuse": 0.02}),
    "other": ContactAgency((("8", 1.0),), base=0.08),
    "anonymous": ContactAgency((("9", 1.0),), base=0.01),
    "unknown": ContactAgency((("10", 1.0),), base=0.06),
}


def agency_weights(masks: np.ndarray, age_years: np.ndarray) -> np.ndarray:
    """A (contacts x agencies) array: how likely each agency is to make each contact."""
    age = np.asarray(age_years, dtype="float64")
    masks = np.asarray(masks, dtype="int64")
    out = np.zeros((len(masks), len(AGENCIES)))
    for k, agency in enumerate(AGENCIES.values()):
        sees = (age >= agency.ages[0]) & (age < agency.ages[1])
        weight = agency.base * np.where(age < 5, agency.under_five, 1.0)
        for factor, extra in agency.factors.items():
            weight = weight + extra * ((masks & (1 << FACTORS.index(factor))) > 0)
        out[:, k] = weight * sees
    return out


def contact_sources(
    rng: np.random.Generator, masks: np.ndarray, age_years: np.ndarray
) -> np.ndarray:
    """The DfE referral source code of each contact, drawn from the agencies placed to see it."""
    weights = agency_weights(masks, age_years)
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(len(weights)) * cumulative[:, -1]
    agency = (cumulative < draw[:, None]).sum(axis=1)
    agency = np.minimum(agency, len(AGENCIES) - 1)
    within = rng.random(len(weights))
    out = np.empty(len(weights), dtype=object)
    for k, spec in enumerate(AGENCIES.values()):
        here = agency == k
        if not here.any():
            continue
        shares = np.cumsum([share for _, share in spec.codes])
        pick = np.searchsorted(shares / shares[-1], within[here], side="right")
        codes = np.array([code for code, _ in spec.codes], dtype=object)
        out[here] = codes[np.minimum(pick, len(codes) - 1)]
    return out
