"""The city's households and children over the simulated window.

Households form, have children one to four years apart, move home inside the city, and some move
in or out of the area. The number of households is chosen so that exactly the requested number
of children aged 0-17 live in the city on the last 31 March.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from turnaround.synth import identity, names
from turnaround.synth.calendar import OPEN, add_years, day_number, from_days
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Population

YEAR = 365.25
# Children per household (of those with any child), roughly English family sizes.
FAMILY_SIZE = np.array([0.42, 0.35, 0.15, 0.05, 0.03])
MIGRATION_PER_YEAR = 0.035  # share of households moving into (and out of) the city each year
MOVES_PER_YEAR = 0.11  # share of households moving address within the city each year
DISABILITY_RATE = 0.035
HALF_SIBLING_SHARE = 0.12  # households where one child carries another surname
DOUBLE_SURNAME_SHARE = 0.04


def simulation_start(config: SynthConfig, warmup_years: int = 3) -> int:
    """Day the simulation starts: a few years before the first collection year."""
    start = config.window_start
    return day_number(start.replace(year=start.year - warmup_years))


def build_population(config: SynthConfig, rng: np.random.Generator, sim_start: int) -> Population:
    """Generate households, children, addresses and adults for the whole window."""
    end = day_number(config.window_end)
    # Draw more households than needed, then keep them in random order until the count of
    # children resident at the end reaches the target exactly.
    # Births spread over the window as well as the 26 years before it, so a longer window needs
    # more households for the same number of children at the end.
    span = (end - sim_start) / YEAR
    guess = int(config.children / 1.55 * 1.9 * max(1.0, (span + 26) / 34)) + 200
    while True:
        households, children = _draw_families(rng, guess, sim_start, end)
        resident_at_end = (
            (children["arrived"] <= end)
            & (children["left"] > end)
            & (children["dob"] > add_years(np.array([end]), -18)[0])
            & (children["dob"] <= end)
        )
        per_household = np.bincount(
            children["hh"][resident_at_end], minlength=len(households["hh"])
        )
        cumulative = np.cumsum(per_household)
        if len(cumulative) and cumulative[-1] >= config.children:
            break
        guess *= 2  # too few drawn (a long window, or a small city's bad luck): draw again
    cut = int(np.searchsorted(cumulative, config.children)) + 1
    keep_hh = np.arange(cut)
    keep_child = children["hh"] < cut
    # Households with the target reached exactly: trim the last household's extra children.
    overshoot = int(cumulative[cut - 1] - config.children) if cut <= len(cumulative) else 0
    if overshoot > 0:
        last = np.flatnonzero(keep_child & resident_at_end & (children["hh"] == cut - 1))
        keep_child[last[-overshoot:]] = False
    hh = {k: v[keep_hh] for k, v in households.items()}
    ch = {k: v[keep_child] for k, v in children.items()}
    return _assemble(config, rng, hh, ch, sim_start, end)


def _draw_families(
    rng: np.random.Generator, n_households: int, sim_start: int, end: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Households with their children's birth dates and their time in the city."""
    deprivation = rng.beta(2.6, 1.7, n_households)  # a deprived city: skewed towards 1
    group = rng.choice(
        np.array(names.NAME_GROUPS), size=n_households, p=_group_shares(deprivation.mean())
    )
    size = rng.choice(np.arange(1, 6), size=n_households, p=FAMILY_SIZE)
    # The eldest child's birth is spread so that every age is present across the window.
    earliest = sim_start - int(18 * YEAR) - int(8 * YEAR)
    first_birth = rng.integers(earliest, end + 1, n_households)
    # In the city before the window (most), or moving in during it; some move out during it.
    window = end - sim_start
    years = window / YEAR
    moved_in = rng.random(n_households) < MIGRATION_PER_YEAR * years / (
        1 + MIGRATION_PER_YEAR * years
    )
    arrived = np.where(
        moved_in, rng.integers(sim_start, end + 1, n_households), np.iinfo(np.int64).min // 4
    )
    moves_out = rng.random(n_households) < MIGRATION_PER_YEAR * years / (
        1 + MIGRATION_PER_YEAR * years
    )
    left = np.where(moves_out, rng.integers(sim_start, end + 1, n_households), OPEN)
    left = np.where(left <= arrived, OPEN, left)

    hh_index = np.repeat(np.arange(n_households), size)
    order = np.concatenate([np.arange(s) for s in size]) if n_households else np.array([], int)
    gaps = rng.gamma(4.0, 0.7, size=len(hh_index)) * YEAR * (order > 0) + 300 * (order > 0)
    # cumulative gaps within a household
    cum = np.zeros(len(hh_index))
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    csum = np.cumsum(gaps)
    cum = csum - np.repeat(csum[starts] - gaps[starts], size)
    dob = first_birth[hh_index] + cum.astype(np.int64)
    # Keep children born by the end and not yet 18 when the simulation starts.
    alive = (dob <= end) & (add_years(dob, 18) > sim_start)
    households = {
        "hh": np.arange(n_households),
        "deprivation": deprivation,
        "group": group,
        "arrived": arrived,
        "left": left,
    }
    child_arrived = np.maximum(dob, arrived[hh_index])
    children = {
        "hh": hh_index[alive],
        "dob": dob[alive],
        "arrived": child_arrived[alive],
        "left": left[hh_index][alive],
    }
    # Drop children whose family left before they were born.
    ok = children["arrived"] < children["left"]
    children = {k: v[ok] for k, v in children.items()}
    return households, children


def _group_shares(_mean_deprivation: float) -> np.ndarray:
    shares = np.array([names.GROUP_SHARES[g] for g in names.NAME_GROUPS], dtype=float)
    return shares / shares.sum()


def _assemble(
    config: SynthConfig,
    rng: np.random.Generator,
    hh: dict[str, np.ndarray],
    ch: dict[str, np.ndarray],
    sim_start: int,
    end: int,
) -> Population:
    """Give the kept households and children identities, addresses and schools."""
    # Renumber households densely in the order kept.
    old_ids, hh_pos = np.unique(ch["hh"], return_inverse=True)
    lookup = {k: v[old_ids] for k, v in hh.items()}
    n_hh = len(old_ids)
    n = len(hh_pos)
    household_id = np.arange(1, n_hh + 1, dtype=np.int64)
    groups = lookup["group"]
    family_surname = names.draw_surnames(rng, groups)
    # A second surname for half-siblings and double-barrelled names.
    other_surname = names.draw_surnames(rng, groups)
    child_group = groups[hh_pos]
    sex = np.where(rng.random(n) < 0.512, "M", "F")
    surname = family_surname[hh_pos].astype(object)
    half = rng.random(n) < HALF_SIBLING_SHARE * 0.5
    surname[half] = other_surname[hh_pos][half]
    double_hh = rng.random(n_hh) < DOUBLE_SURNAME_SHARE
    double = double_hh[hh_pos] & ~half
    surname[double] = (
        family_surname[hh_pos][double].astype(object) + "-" + other_surname[hh_pos][double]
    )
    forename = names.draw_forenames(rng, child_group, sex)
    middle = np.where(rng.random(n) < 0.55, names.draw_forenames(rng, child_group, sex), "")
    ethnicity = names.draw_ethnicity(rng, child_group)

    # Order children by household then birth, and give them stable person ids.
    order = np.lexsort((ch["dob"], hh_pos))
    person_id = np.empty(n, dtype=np.int64)
    person_id[order] = np.arange(1, n + 1)

    # Addresses: one at arrival, then moves within the city at a steady rate.
    addresses = _address_history(rng, household_id, lookup, sim_start, end)

    # Schools and GP practices, near home in spirit if not in geography.
    scale = max(config.children / 281_000, 0.002)
    schools = identity.make_schools(rng, max(int(300 * scale), 4), max(int(80 * scale), 2))
    practices = identity.make_gp_practices(rng, max(int(200 * scale), 3))
    age_at_end = (end - ch["dob"]) / YEAR
    primary = schools[schools["phase"] == "primary"].reset_index(drop=True)
    secondary = schools[schools["phase"] == "secondary"].reset_index(drop=True)
    pri_pick = rng.integers(0, len(primary), n)
    sec_pick = rng.integers(0, len(secondary), n)
    at_primary = (age_at_end >= 4) & (age_at_end < 11)
    at_secondary = (age_at_end >= 11) & (age_at_end < 16)
    resident_end = (ch["arrived"] <= end) & (ch["left"] > end)
    school_urn = np.where(
        at_primary & resident_end,
        primary["urn"].to_numpy()[pri_pick],
        np.where(at_secondary & resident_end, secondary["urn"].to_numpy()[sec_pick], ""),
    )
    # A UPN is allocated at school entry (age 4-5) for children of school age in the window.
    school_entry = add_years(ch["dob"], 5)
    has_upn = school_entry <= end
    entry_year = (
        school_entry.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    ) % 100
    estab = np.where(
        pri_pick % 2 == 0,
        primary["estab"].to_numpy()[pri_pick],
        primary["estab"].to_numpy()[(pri_pick + 1) % len(primary)],
    )
    upn_all = identity.make_upns(rng, config.la_code, estab, entry_year)
    upn = np.where(has_upn, upn_all, "")
    gp = practices["ods_code"].to_numpy()[rng.integers(0, len(practices), n_hh)][hh_pos]

    children = pd.DataFrame(
        {
            "person_id": person_id,
            "household_id": household_id[hh_pos],
            "forename": forename,
            "middle_name": middle,
            "surname": surname.astype(str),
            "sex": sex,
            "dob": from_days(ch["dob"]),
            "ethnicity": ethnicity,
            "name_group": child_group,
            "nhs_number": identity.make_nhs_numbers(rng, n),
            "upn": upn,
            "disability": rng.random(n) < DISABILITY_RATE,
            "arrived": from_days(np.maximum(ch["arrived"], ch["dob"])),
            "left": _nat_where_open(ch["left"]),
            "school_urn": school_urn,
            "gp_practice": gp,
        }
    ).sort_values("person_id", ignore_index=True)
    households = pd.DataFrame(
        {
            "household_id": household_id,
            "name_group": groups,
            "deprivation": lookup["deprivation"],
            "imd_decile": np.clip(10 - np.floor(lookup["deprivation"] * 10), 1, 10).astype(int),
        }
    )
    adults = _adults(rng, households, family_surname, children)
    return Population(households=households, children=children, addresses=addresses, adults=adults)


def _nat_where_open(days: np.ndarray) -> np.ndarray:
    out = from_days(np.where(days >= OPEN, 0, days))
    out[days >= OPEN] = np.datetime64("NaT")
    return out


def _address_history(
    rng: np.random.Generator,
    household_id: np.ndarray,
    lookup: dict[str, np.ndarray],
    sim_start: int,
    end: int,
) -> pd.DataFrame:
    """Each household's addresses over the window, one at a time, with dated moves."""
    n_hh = len(household_id)
    first = np.maximum(lookup["arrived"], sim_start - int(2 * YEAR))
    last = np.minimum(lookup["left"], end + 1)
    span_years = np.maximum(last - first, 1) / YEAR
    n_moves = rng.poisson(MOVES_PER_YEAR * span_years)
    n_addr = n_moves + 1
    idx = np.repeat(np.arange(n_hh), n_addr)
    # Move dates: sorted uniform draws inside each household's span.
    u = rng.random(len(idx))
    starts_pos = np.concatenate([[0], np.cumsum(n_addr)[:-1]])
    order_in = np.arange(len(idx)) - np.repeat(starts_pos, n_addr)
    move_day = first[idx] + (u * (last[idx] - first[idx])).astype(np.int64)
    # Sort move days within each household, then the first address starts at `first`.
    sort = np.lexsort((move_day, idx))
    move_day = move_day[sort]
    start = np.where(order_in == 0, first[idx], move_day)
    nxt = np.append(start[1:], OPEN)
    is_last = np.append(idx[1:] != idx[:-1], True)
    stop = np.where(is_last, OPEN, nxt)
    line1, postcode = identity.draw_addresses(rng, lookup["deprivation"][idx])
    out = pd.DataFrame(
        {
            "household_id": household_id[idx],
            "line1": line1,
            "postcode": postcode,
            "start": from_days(start),
            "end": _nat_where_open(stop),
        }
    )
    return out


def _adults(
    rng: np.random.Generator,
    households: pd.DataFrame,
    family_surname: np.ndarray,
    children: pd.DataFrame,
) -> pd.DataFrame:
    """A mother (or main carer) for every household and a second adult for some."""
    n_hh = len(households)
    eldest = children.groupby("household_id")["dob"].min().reindex(households["household_id"])
    eldest_days = eldest.to_numpy().astype("datetime64[D]").astype(np.int64)
    second = rng.random(n_hh) < 0.6
    idx = np.concatenate([np.arange(n_hh), np.flatnonzero(second)])
    is_second = np.concatenate([np.zeros(n_hh, bool), np.ones(int(second.sum()), bool)])
    groups = households["name_group"].to_numpy()[idx]
    sex = np.where(is_second, "M", "F")
    mother_age = rng.normal(27, 5.5, len(idx)).clip(16, 45) + np.where(is_second, 2.5, 0)
    dob = eldest_days[idx] - (mother_age * YEAR).astype(np.int64)
    return pd.DataFrame(
        {
            "household_id": households["household_id"].to_numpy()[idx],
            "person_id": np.arange(len(idx), dtype=np.int64) + 10_000_000,
            "forename": names.draw_forenames(rng, groups, sex),
            "surname": family_surname[idx],
            "sex": sex,
            "dob": from_days(dob),
        }
    ).sort_values(["household_id", "person_id"], ignore_index=True)
