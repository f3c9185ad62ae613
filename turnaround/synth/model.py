"""The synthetic city's tables, as they pass between the generator's modules.

Every table is a pandas DataFrame with the columns listed here. Dates are ``datetime64[ns]``
normalised to midnight (``NaT`` where absent); strings are plain ``str`` ("" where absent unless
noted). ``person_id`` is the ground-truth identity and must never reach a return or an extract;
returns use ``la_child_id`` (the council's own child id), extracts use their own record ids.

Population (``population.py``)
------------------------------
households
    household_id int64, name_group str, deprivation float (0 least .. 1 most deprived),
    imd_decile int (1 most deprived .. 10 least)
children
    person_id int64, household_id int64, forename str, middle_name str, surname str,
    sex str ('M' | 'F'), dob date, ethnicity str (SSDA903 code, e.g. 'WBRI', 'APKN'),
    name_group str (one of names.NAME_GROUPS), nhs_number str (10 digits, valid check),
    upn str (13 chars, valid check letter; "" for a child never of school age in the window),
    disability bool, arrived date (birth or move-in), left date (NaT = still here at the end),
    school_urn str ("" if not of school age at the end), gp_practice str (ODS code)
addresses
    household_id int64, line1 str ("12 Church Road"), postcode str ("B11 1AA"),
    start date, end date (NaT = current). A household has one address at a time.
adults
    household_id int64, person_id int64 (distinct from children's), forename str, surname str,
    sex str, dob date. Parents and carers; used for police and housing extracts.

Latent risk (``risk.py``)
-------------------------
risk_spells
    household_id int64, factor str (one of risk.FACTORS), start date, end date (NaT = ongoing
    at the end). Non-overlapping per (household, factor).
child_risk (ground truth)
    person_id int64, year int (collection year), risk float (0..1 peak in the year),
    level str ('low' | 'medium' | 'high' | 'severe'), at_risk bool
targets (ground truth, ``targets.py``): one row per child with any risk in the last 3 months
    person_id int64, worklist_date date (31 March ending the last year), risk float (peak
    in the last 3 months), latest_risk float (the last month), level str, age int (completed
    years on the date), in_city bool (living in the city on the date), at_risk_now bool (risk
    >= 0.6, under 18 and in the city on the date), high_or_severe bool (the same, risk >= 0.4)

Social care (``journeys.py``), all keyed by la_child_id str (e.g. 'C0012345')
------------------------------------------------------------------------------------------
known_children
    person_id int64, la_child_id str
contacts
    la_child_id, contact_date, source str (CIN referral source code), outcome str
    ('referral' | 'nfa' | 'early_help')
early_help
    la_child_id, start date, end date
referrals  (one per CIN episode)
    referral_id int64, la_child_id, referral_date, source str, primary_need str ('N1'..'N9'),
    nfa bool (closed at referral with no further action), closure_date date (NaT = open),
    closure_reason str ('RC1'..'RC8', "" if open)
assessments
    referral_id, start_date, authorised_date (NaT if not yet), factors str (comma-separated
    CIN assessment factor codes, e.g. '3A,4A')
cin_plans
    referral_id, start_date, end_date
s47
    referral_id, start_date, icpc_target date, icpc_date date (NaT if none held),
    icpc_not_required bool
cp_plans
    cp_plan_id int64, referral_id, la_child_id, start_date, end_date, initial_category str
    ('NEG' | 'PHY' | 'EMO' | 'SAB' | 'MUL'), latest_category str, previous_plans int
cp_reviews
    cp_plan_id, review_date
episodes  (SSDA903 episodes, already valid: no overlaps, placement provider blank for temporary)
    la_child_id, decom date, rne str, ls str, cin str ('N1'..'N8'), place str,
    place_provider str, dec date (NaT = open), rec str ("" if open), reason_place_change str,
    home_post str (postcode district+sector, e.g. 'B11 1'), pl_post str, urn str ('XXXXXXX' or "")
looked_after_reviews
    la_child_id, review_date, review_code str ('PN0'..'PN7')
missing
    la_child_id, missing str ('M' missing | 'A' away), mis_start date, mis_end date
adoptions
    la_child_id, date_int (decision adoption in best interests), date_match, date_placed,
    date_placed_ceased, reason_placed_ceased str, foster_care bool, date_adopted (the adoption
    order, NaT if none), nb_adoptr str ('1'|'2'),
    sex_adoptr str ('M1','F1','MM','FF','MF'), ls_adoptr str ('L0'..'L4')
uasc
    la_child_id, duc date (date the child ceases to be a UASC: 18th birthday)
prev_perm
    la_child_id, prev_perm str ('P1','P2','P3','P4','Z1'), la_perm str, date_perm str
cases  (open social work cases, for allocation to workers)
    la_child_id, team str (one of workforce.TEAMS), start date, end date (NaT = open)

Partner extracts (``extracts.py``)
----------------------------------
Each extract is a DataFrame in its own layout (``Extracts.tables[name]``), plus
``Extracts.truth``: source str, record_id str, person_id int64 (the true child behind the row).

Workforce (``workforce.py``)
----------------------------
teams: team_id, team str, name, service str
staff: staff_id, role, grade, team_id, manager_id, fte, agency bool, start, leave (NaT),
       holds_cases bool
vacancies: team_id, role, establishment_fte, filled_fte, vacant_fte, agency_cover_fte, at date
allocations: la_child_id, staff_id, start, end (NaT)
senior_roles: staff_id, role, portfolio str (semicolon-separated services)
sw_episodes: la_child_id, sw_id, sw_decom, sw_dec, sw_reason
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Population:
    """People and places of the city over the whole simulated window."""

    households: pd.DataFrame
    children: pd.DataFrame
    addresses: pd.DataFrame
    adults: pd.DataFrame


@dataclass
class Risk:
    """Latent family risk: factor spells per household, each child's yearly level, and who
    is at risk on the worklist date."""

    spells: pd.DataFrame
    child_risk: pd.DataFrame
    # How the city's rates drifted (lever multipliers at each 31 March) and its changes of
    # regime (date, kind, lever, multiplier): see synth/drift.py.
    drift: pd.DataFrame | None = None
    regimes: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None  # who is a target at the worklist date: synth/targets.py


@dataclass
class SocialCare:
    """What the council's own records hold about the children it knows."""

    known_children: pd.DataFrame
    contacts: pd.DataFrame
    early_help: pd.DataFrame
    referrals: pd.DataFrame
    assessments: pd.DataFrame
    cin_plans: pd.DataFrame
    s47: pd.DataFrame
    cp_plans: pd.DataFrame
    cp_reviews: pd.DataFrame
    episodes: pd.DataFrame
    looked_after_reviews: pd.DataFrame
    missing: pd.DataFrame
    adoptions: pd.DataFrame
    uasc: pd.DataFrame
    prev_perm: pd.DataFrame
    cases: pd.DataFrame


@dataclass
class Extracts:
    """Partner agency extracts, each in its own layout, and the truth behind every record."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame


@dataclass
class Workforce:
    """Staff, teams, vacancies and who holds which case."""

    teams: pd.DataFrame
    staff: pd.DataFrame
    vacancies: pd.DataFrame
    allocations: pd.DataFrame
    senior_roles: pd.DataFrame
    sw_episodes: pd.DataFrame


@dataclass
class City:
    """Everything generated for one synthetic local authority."""

    population: Population
    risk: Risk
    social_care: SocialCare
    extracts: Extracts
    workforce: Workforce
    figures: dict[str, float] = field(default_factory=dict)
