"""The city flattened to arrays of days, and the machinery every agency draws its events with.

Events follow the households' latent risk: each child is exposed over stretches of time
(``child_segments``, ``household_segments``) at a background rate by age band, plus an extra rate
for each of the household's active risk factors, and events are Poisson over those stretches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Population
from turnaround.synth.risk import FACTORS

BASE = -1  # factor code of events drawn from the background rate
OPEN = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Rate:
    """Relative intensity of an event: by age band, times one plus each active risk factor."""

    bands: tuple[tuple[int, int, float], ...]
    factors: Mapping[str, float]
    baseline: bool = True


@dataclass
class CityArrays:
    """The population flattened to arrays of integer days, shared by every extract."""

    children: pd.DataFrame
    person_id: np.ndarray
    household_id: np.ndarray
    dob: np.ndarray
    arrived: np.ndarray
    left: np.ndarray
    spells: pd.DataFrame
    addresses: pd.DataFrame
    parent_name: pd.Series
    text: dict[str, np.ndarray]
    start: int
    end: int  # exclusive


def to_days(values: pd.Series | np.ndarray, missing: int) -> np.ndarray:
    """Dates as integer days since 1970, with ``missing`` where there is no date."""
    as_dates = np.asarray(pd.to_datetime(values), dtype="datetime64[D]")
    out = as_dates.astype("int64")
    out[np.isnat(as_dates)] = missing
    return out


def to_day(d: date) -> int:
    """The day number of ``d``."""
    return int(np.datetime64(d, "D").astype("int64"))


def to_datetimes(days: np.ndarray) -> np.ndarray:
    """Day numbers as nanosecond datetimes."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[ns]")


def birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """The day a child born on ``dob`` turns ``years`` (29 February birthdays fall on 1 March)."""
    d = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month).astype("int64")
    shifted = (month + np.timedelta64(12 * years, "M")).astype("datetime64[D]")
    return (shifted + day_of_month.astype("timedelta64[D]")).astype("int64")


def age_at(dob: pd.Series, when: pd.Series) -> np.ndarray:
    """Age in whole years on ``when`` of a child born on ``dob``."""
    born = pd.to_datetime(dob)
    on = pd.to_datetime(when)
    years = on.dt.year - born.dt.year
    before_birthday = (on.dt.month < born.dt.month) | (
        (on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)
    )
    return (years - before_birthday.astype("int64")).to_numpy()


def third_thursday_of_january(year: int) -> date:
    """The January school census day of ``year``."""
    first = date(year, 1, 1)
    to_thursday = (3 - first.weekday()) % 7
    return first + timedelta(days=to_thursday + 14)


def prepare(population: Population, risk_spells: pd.DataFrame, config: SynthConfig) -> CityArrays:
    """Flatten the population and its risk spells to the arrays every extract draws from."""
    children = population.children.reset_index(drop=True)
    dob = to_days(children["dob"], 0)
    arrived = np.maximum(to_days(children["arrived"], -OPEN), dob)
    left = to_days(children["left"], OPEN)
    spells = risk_spells.loc[risk_spells["factor"].isin(FACTORS)]
    spells = pd.DataFrame(
        {
            "household_id": spells["household_id"].to_numpy(dtype="int64"),
            "factor": spells["factor"].to_numpy(dtype=object),
            "spell_start": to_days(spells["start"], -OPEN),
            "spell_end": to_days(spells["end"], OPEN),
        }
    )
    adults = population.adults.sort_values(["household_id", "sex", "person_id"], kind="stable")
    # Mothers first: "F" sorts before "M", so the first adult is the one agencies ask for.
    first = adults.drop_duplicates("household_id")
    parent_name = pd.Series(
        (first["forename"] + " " + first["surname"]).to_numpy(dtype=object),
        index=first["household_id"].to_numpy(dtype="int64"),
    )
    first_year = config.collection_years[-2:][0]
    return CityArrays(
        children=children,
        person_id=children["person_id"].to_numpy(dtype="int64"),
        household_id=children["household_id"].to_numpy(dtype="int64"),
        dob=dob,
        arrived=arrived,
        left=left,
        spells=spells,
        addresses=population.addresses,
        parent_name=parent_name,
        text={column: children[column].to_numpy(dtype=object) for column in TEXT_COLUMNS},
        start=to_day(date(first_year - 1, 4, 1)),
        end=to_day(date(config.end_year, 3, 31)) + 1,
    )


def child_segments(city: CityArrays, rate: Rate, weight: np.ndarray | None = None) -> pd.DataFrame:
    """Stretches of time over which a child is exposed to an event, with their intensity.

    One stretch per child and age band at the background rate, and one per overlap with each of
    the household's risk spells at that factor's extra rate.
    """
    n = len(city.person_id)
    child_weight = np.ones(n) if weight is None else weight
    pieces: list[pd.DataFrame] = []
    for low, high, band_weight in rate.bands:
        start = np.maximum.reduce([np.full(n, city.start), city.arrived, birthday(city.dob, low)])
        end = np.minimum.reduce([np.full(n, city.end), city.left, birthday(city.dob, high)])
        keep = start < end
        band = pd.DataFrame(
            {
                "child": np.flatnonzero(keep),
                "household_id": city.household_id[keep],
                "start": start[keep],
                "end": end[keep],
                "weight": band_weight * child_weight[keep],
            }
        )
        if rate.baseline:
            pieces.append(band.assign(factor=BASE))
        for code, factor in enumerate(FACTORS):
            extra = rate.factors.get(factor, 0.0)
            if extra <= 0:
                continue
            spells = city.spells.loc[city.spells["factor"] == factor]
            both = band.merge(
                spells[["household_id", "spell_start", "spell_end"]], on="household_id"
            )
            both["start"] = np.maximum(both["start"], both["spell_start"])
            both["end"] = np.minimum(both["end"], both["spell_end"])
            both = both.loc[both["start"] < both["end"]]
            pieces.append(
                both[["child", "household_id", "start", "end"]].assign(
                    weight=both["weight"] * extra, factor=code
                )
            )
    if not pieces:
        return pd.DataFrame(columns=["child", "household_id", "start", "end", "weight", "factor"])
    return pd.concat(pieces, ignore_index=True)


def draw_events(
    segments: pd.DataFrame,
    rng: np.random.Generator,
    *,
    total: float | None = None,
    per_year: float | None = None,
    unit: str = "child",
) -> pd.DataFrame:
    """Poisson events over the segments: ``total`` in all, or ``per_year`` per unit of weight."""
    length = (segments["end"] - segments["start"]).to_numpy(dtype="float64")
    mass = segments["weight"].to_numpy(dtype="float64") * length
    if total is not None:
        # Household events list several children: aim the expected rows, not events, at total.
        rows = mass * segments["kids"].to_numpy(dtype="float64") if "kids" in segments else mass
        scale = total / rows.sum() if rows.sum() > 0 else 0.0
    else:
        scale = (per_year or 0.0) / 365.25
    counts = rng.poisson(mass * scale)
    pick = np.repeat(np.arange(len(segments)), counts)
    offset = np.floor(rng.random(len(pick)) * length[pick]).astype("int64")
    return pd.DataFrame(
        {
            unit: segments[unit].to_numpy()[pick],
            "day": segments["start"].to_numpy(dtype="int64")[pick] + offset,
            "factor": segments["factor"].to_numpy()[pick],
        }
    )


def household_segments(city: CityArrays, rate: Rate) -> pd.DataFrame:
    """Stretches of household time, each with the household's average number of children.

    Household events list every child resident on the day, so ``kids`` (the average number of
    the household's children in the city over the window) turns expected events into expected
    rows.
    """
    low, high = rate.bands[0][0], rate.bands[-1][1]
    start = np.maximum.reduce(
        [np.full(len(city.dob), city.start), city.arrived, birthday(city.dob, low)]
    )
    end = np.minimum.reduce([np.full(len(city.dob), city.end), city.left, birthday(city.dob, high)])
    present = np.clip(end - start, 0, None) / (city.end - city.start)
    kids = pd.Series(present).groupby(city.household_id).sum()
    kids = kids.loc[kids > 0]
    homes = pd.DataFrame(
        {
            "household_id": kids.index.to_numpy(dtype="int64"),
            "start": city.start,
            "end": city.end,
            "weight": 1.0,
            "kids": kids.to_numpy(dtype="float64"),
        }
    )
    pieces = [homes.assign(factor=BASE)] if rate.baseline else []
    for code, factor in enumerate(FACTORS):
        extra = rate.factors.get(factor, 0.0)
        if extra <= 0:
            continue
        spells = city.spells.loc[city.spells["factor"] == factor]
        both = homes.merge(spells[["household_id", "spell_start", "spell_end"]], on="household_id")
        both["start"] = np.maximum(both["start"], both["spell_start"])
        both["end"] = np.minimum(both["end"], both["spell_end"])
        both = both.loc[both["start"] < both["end"]]
        pieces.append(
            both[["household_id", "start", "end", "kids"]].assign(weight=extra, factor=code)
        )
    return pd.concat(pieces, ignore_index=True)


def children_on_day(
    city: CityArrays, incidents: pd.DataFrame, ages: tuple[int, int]
) -> pd.DataFrame:
    """Each incident joined to every child living in its household on the day, in age range."""
    kids = pd.DataFrame({"household_id": city.household_id, "child": np.arange(len(city.dob))})
    rows = incidents.merge(kids, on="household_id")
    child = rows["child"].to_numpy()
    day = rows["day"].to_numpy()
    keep = (
        (city.arrived[child] <= day)
        & (day < city.left[child])
        & (birthday(city.dob[child], ages[0]) <= day)
        & (day < birthday(city.dob[child], ages[1]))
    )
    return rows.loc[keep].sort_values(["day", "incident", "child"], kind="stable")


def resident_on(
    city: CityArrays, child: np.ndarray, day: np.ndarray, ages: tuple[int, int]
) -> np.ndarray:
    """Whether each child lives in the city on the day and is within ``ages``."""
    return (
        (city.arrived[child] <= day)
        & (day < city.left[child])
        & (birthday(city.dob[child], ages[0]) <= day)
        & (day < birthday(city.dob[child], ages[1]))
    )


TEXT_COLUMNS = (
    "forename",
    "middle_name",
    "surname",
    "sex",
    "nhs_number",
    "upn",
    "school_urn",
    "gp_practice",
)


def person_rows(city: CityArrays, child: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    """The clean identity of each event's child, and the address they lived at on the day."""
    columns: dict[str, np.ndarray] = {
        "person_id": city.person_id[child],
        "household_id": city.household_id[child],
        "record_date": to_datetimes(day),
        "dob": to_datetimes(city.dob[child]),
    }
    for column in TEXT_COLUMNS:
        columns[column] = city.text[column][child]
    rows = pd.DataFrame(columns)
    line1, postcode = address_on(city, rows["household_id"].to_numpy(), day)
    rows["line1"] = line1
    rows["postcode"] = postcode
    return rows


def address_on(
    city: CityArrays, household_id: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each household's address in force on the day (its first address if none yet)."""
    book = city.addresses[["household_id", "line1", "postcode", "start"]].copy()
    book["household_id"] = book["household_id"].astype("int64")
    book["start"] = pd.to_datetime(book["start"]).astype("datetime64[ns]")
    book = book.sort_values("start", kind="stable")
    asked = pd.DataFrame(
        {"row": np.arange(len(day)), "household_id": household_id, "when": to_datetimes(day)}
    ).sort_values("when", kind="stable")
    found = pd.merge_asof(asked, book, left_on="when", right_on="start", by="household_id")
    first = book.drop_duplicates("household_id").set_index("household_id")
    line1 = found["line1"].to_numpy(dtype=object)
    postcode = found["postcode"].to_numpy(dtype=object)
    gap = pd.isna(found["start"]).to_numpy()
    if gap.any():
        ids = found["household_id"].to_numpy()[gap]
        line1[gap] = first["line1"].reindex(ids).fillna("").to_numpy(dtype=object)
        postcode[gap] = first["postcode"].reindex(ids).fillna("").to_numpy(dtype=object)
    order = found["row"].to_numpy()
    out_line1 = np.empty(len(day), dtype=object)
    out_postcode = np.empty(len(day), dtype=object)
    out_line1[order] = line1
    out_postcode[order] = postcode
    return out_line1, out_postcode


def factor_at(
    city: CityArrays, child: np.ndarray, day: np.ndarray, factors: tuple[str, ...]
) -> np.ndarray:
    """Whether any of ``factors`` is active in each child's household on the day."""
    return household_factor_at(city, city.household_id[child], day, factors)


def household_factor_at(
    city: CityArrays, household_id: np.ndarray, day: np.ndarray, factors: tuple[str, ...]
) -> np.ndarray:
    """Whether any of ``factors`` is active in each household on the day."""
    spells = city.spells.loc[city.spells["factor"].isin(factors)]
    asked = pd.DataFrame(
        {"row": np.arange(len(household_id)), "household_id": household_id, "day": day}
    )
    both = asked.merge(spells, on="household_id")
    inside = (both["spell_start"] <= both["day"]) & (both["day"] < both["spell_end"])
    hit = np.zeros(len(household_id), dtype=bool)
    hit[both.loc[inside, "row"].to_numpy()] = True
    return hit


def pick_from(
    rng: np.random.Generator, options: tuple[str, ...], n: int, p: list[float] | None = None
) -> np.ndarray:
    """``n`` draws from ``options``, with probabilities ``p`` (equal if not given)."""
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def time_of_day(rng: np.random.Generator, n: int, evening: bool) -> np.ndarray:
    """Times of day as hh:mm, centred on the evening or the afternoon."""
    hours = (rng.normal(20 if evening else 15, 4.5, n).round().astype("int64")) % 24
    minutes = rng.integers(0, 60, n)
    return np.char.add(
        np.char.add(np.char.zfill(hours.astype(str), 2), ":"), np.char.zfill(minutes.astype(str), 2)
    ).astype(object)
