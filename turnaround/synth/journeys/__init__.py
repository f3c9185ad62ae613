"""Social care journeys: contact, referral, assessment, S47, conference, plans and care.

The simulation steps a month at a time. Partner agencies make contacts about children, more often
the higher a child's latent risk and the more visible the family is. The front door accepts the
contacts it judges most serious as referrals, up to the month's referral volume; how high that bar
sits is the threshold setting. Published stocks (children in need, on plans, looked after) are held
by simple feedback controllers on the flows into them, so the city keeps the published rates at any
size while who goes where is still decided by each child's risk.

``JourneySimulator`` (``simulator``) holds the shared ``JourneyState`` (``state``) and one small
object per part of the journey: ``front_door``, ``assessment``, ``plans``, ``looked_after`` (as
``simulator.care``) and ``results``. ``sources`` says which agency makes each contact.
"""

from __future__ import annotations

from turnaround.synth.journeys.assessment import CP_AFTER_ICPC, ICPC_SHARE, NFA_SHARE
from turnaround.synth.journeys.front_door import CONTACT_RISK_WEIGHT
from turnaround.synth.journeys.results import JourneyResult
from turnaround.synth.journeys.simulator import JourneySimulator, simulate_journeys
from turnaround.synth.journeys.sources import AGENCIES as CONTACT_AGENCIES
from turnaround.synth.journeys.sources import contact_sources
from turnaround.synth.journeys.state import ENGLAND_2014, NEVER, THRESHOLDS, YEAR, JourneyState

__all__ = [
    "CONTACT_AGENCIES",
    "CONTACT_RISK_WEIGHT",
    "CP_AFTER_ICPC",
    "ENGLAND_2014",
    "ICPC_SHARE",
    "NEVER",
    "NFA_SHARE",
    "THRESHOLDS",
    "YEAR",
    "JourneyResult",
    "JourneySimulator",
    "JourneyState",
    "contact_sources",
    "simulate_journeys",
]
