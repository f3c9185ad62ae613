"""Partner agency extracts: what schools, health, police, housing and youth justice hold.

Each agency's extract is built from events drawn for the city's children, each in the agency's
own layout, column names, date format and record ids, and then passed through that agency's
noise (``noise.PROFILES``). Events follow the households' latent risk, so a child in a household
with domestic abuse appears far more often in police notifications; but every child can appear
in any extract, so being in one is not itself a sign of risk.

Events cover the last two collection years; the school census is the January census of the
last year. Volumes are set per 10,000 children (``ROWS_PER_10K``) and so scale with the city.
Who each record really is goes in ``Extracts.truth`` and never into an extract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from turnaround.synth import noise
from turnaround.synth.config import SynthConfig
from turnaround.synth.model import Extracts, Population, SocialCare
from turnaround.synth.risk import FACTORS

StreamFactory = Callable[[str], np.random.Generator]

# Rows per 10,000 children over the two years of events, tuned so that a city the size of
# Birmingham in 2014 (281,000 children) has about a million extract rows. The school census has
# one row per pupil on roll and is not tuned; temporary accommodation follows from the
# homelessness applications accepted.
ROWS_PER_10K: dict[str, float] = {
    "ae_attendances": 11_000.0,
    "health_visiting": 4_000.0,
    "police_domestic_abuse": 6_500.0,
    "police_missing": 1_000.0,
    "housing_homelessness": 3_200.0,
    "youth_justice": 1_000.0,
}

# The column holding each extract's own record id, for joining an extract to the truth.
RECORD_ID_COLUMN: dict[str, str] = {
    "school_census": "CensusRowID",
    "ae_attendances": "AttendanceID",
    "health_visiting": "ContactID",
    "police_domestic_abuse": "NotificationID",
    "police_missing": "ReportRef",
    "housing_homelessness": "MemberRef",
    "housing_temporary_accommodation": "OccupantRef",
    "youth_justice": "YOTRef",
}

# The ages (in whole years, upper bound exclusive) each extract can hold.
AGE_RANGE: dict[str, tuple[int, int]] = {
    "school_census": (4, 17),
    "ae_attendances": (0, 18),
    "health_visiting": (0, 5),
    "police_domestic_abuse": (0, 18),
    "police_missing": (10, 18),
    "housing_homelessness": (0, 18),
    "housing_temporary_accommodation": (0, 18),
    "youth_justice": (10, 18),
}

_BASE = -1  # factor code of events drawn from the background rate
_OPEN = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class _Rate:
    """Relative intensity of an event: by age band, times one plus each active risk factor."""

    bands: tuple[tuple[int, int, float], ...]
    factors: Mapping[str, float]
    baseline: bool = True


@dataclass
class _City:
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


def build_extracts(
    population: Population,
    risk_spells: pd.DataFrame,
    social_care: SocialCare,
    config: SynthConfig,
    rng_for_stream: StreamFactory,
) -> Extracts:
    """Every partner agency's extract for the last two collection years, and the truth."""
    city = _prepare(population, risk_spells, config)
    scale = config.scale
    tables: dict[str, pd.DataFrame] = {}
    truths: list[pd.DataFrame] = []

    def add(name: str, table: pd.DataFrame, person_id: pd.Series) -> None:
        tables[name] = table.reset_index(drop=True)
        truths.append(
            pd.DataFrame(
                {
                    "source": pd.array([name] * len(table), dtype="str"),
                    "record_id": pd.array(table[RECORD_ID_COLUMN[name]].to_numpy(), dtype="str"),
                    "person_id": np.asarray(person_id, dtype="int64"),
                }
            )
        )

    def noisy(name: str, profile: str, rows: pd.DataFrame) -> pd.DataFrame:
        return noise.apply_noise(
            rows,
            noise.PROFILES[profile],
            rng_for_stream(f"extracts.{name}.noise"),
            addresses=city.addresses,
        )

    census_date = _third_thursday_of_january(config.end_year)
    rows = _school_census(city, census_date, rng_for_stream("extracts.school_census"))
    add(
        "school_census",
        _school_layout(noisy("school_census", "school", rows), config),
        rows["person_id"],
    )

    rows = _ae_attendances(
        city, ROWS_PER_10K["ae_attendances"] * scale, rng_for_stream("extracts.ae")
    )
    add("ae_attendances", _ae_layout(noisy("ae_attendances", "ae", rows)), rows["person_id"])

    rows = _health_visiting(
        city, ROWS_PER_10K["health_visiting"] * scale, rng_for_stream("extracts.health_visiting")
    )
    add(
        "health_visiting",
        _hv_layout(noisy("health_visiting", "health_visiting", rows)),
        rows["person_id"],
    )

    rows = _domestic_abuse(
        city, ROWS_PER_10K["police_domestic_abuse"] * scale, rng_for_stream("extracts.police_da")
    )
    add(
        "police_domestic_abuse",
        _da_layout(noisy("police_domestic_abuse", "police", rows)),
        rows["person_id"],
    )

    rows = _missing(
        city,
        social_care,
        ROWS_PER_10K["police_missing"] * scale,
        rng_for_stream("extracts.police_missing"),
    )
    add(
        "police_missing",
        _missing_layout(noisy("police_missing", "police", rows)),
        rows["person_id"],
    )

    applications, placements = _housing(
        city, ROWS_PER_10K["housing_homelessness"] * scale, rng_for_stream("extracts.housing")
    )
    add(
        "housing_homelessness",
        _homelessness_layout(noisy("housing_homelessness", "housing", applications)),
        applications["person_id"],
    )
    add(
        "housing_temporary_accommodation",
        _ta_layout(noisy("housing_temporary_accommodation", "housing", placements), city.end),
        placements["person_id"],
    )

    rows = _youth_justice(
        city, ROWS_PER_10K["youth_justice"] * scale, rng_for_stream("extracts.youth_justice")
    )
    add(
        "youth_justice",
        _yj_layout(noisy("youth_justice", "youth_justice", rows)),
        rows["person_id"],
    )

    truth = pd.concat(truths, ignore_index=True)
    return Extracts(tables=tables, truth=truth)


def write_extracts(extracts: Extracts, out_dir: Path | str) -> list[Path]:
    """Write each extract as ``<name>.csv`` in ``out_dir``; the truth is not written here."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
    for name, table in extracts.tables.items():
        path = out / f"{name}.csv"
        pa_csv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path, options)
        written.append(path)
    return written


# --- shared machinery -----------------------------------------------------------------------


def _days(values: pd.Series | np.ndarray, missing: int) -> np.ndarray:
    """Dates as integer days since 1970, with ``missing`` where there is no date."""
    as_dates = np.asarray(pd.to_datetime(values), dtype="datetime64[D]")
    out = as_dates.astype("int64")
    out[np.isnat(as_dates)] = missing
    return out


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype("int64"))


def _to_datetimes(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[ns]")


def _birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """The day a child born on ``dob`` turns ``years`` (29 February birthdays fall on 1 March)."""
    d = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month).astype("int64")
    shifted = (month + np.timedelta64(12 * years, "M")).astype("datetime64[D]")
    return (shifted + day_of_month.astype("timedelta64[D]")).astype("int64")


def _age_at(dob: pd.Series, when: pd.Series) -> np.ndarray:
    """Age in whole years on ``when`` of a child born on ``dob``."""
    born = pd.to_datetime(dob)
    on = pd.to_datetime(when)
    years = on.dt.year - born.dt.year
    before_birthday = (on.dt.month < born.dt.month) | (
        (on.dt.month == born.dt.month) & (on.dt.day < born.dt.day)
    )
    return (years - before_birthday.astype("int64")).to_numpy()


def _third_thursday_of_january(year: int) -> date:
    first = date(year, 1, 1)
    to_thursday = (3 - first.weekday()) % 7
    return first + timedelta(days=to_thursday + 14)


def _prepare(population: Population, risk_spells: pd.DataFrame, config: SynthConfig) -> _City:
    children = population.children.reset_index(drop=True)
    dob = _days(children["dob"], 0)
    arrived = np.maximum(_days(children["arrived"], -_OPEN), dob)
    left = _days(children["left"], _OPEN)
    spells = risk_spells.loc[risk_spells["factor"].isin(FACTORS)]
    spells = pd.DataFrame(
        {
            "household_id": spells["household_id"].to_numpy(dtype="int64"),
            "factor": spells["factor"].to_numpy(dtype=object),
            "spell_start": _days(spells["start"], -_OPEN),
            "spell_end": _days(spells["end"], _OPEN),
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
    return _City(
        children=children,
        person_id=children["person_id"].to_numpy(dtype="int64"),
        household_id=children["household_id"].to_numpy(dtype="int64"),
        dob=dob,
        arrived=arrived,
        left=left,
        spells=spells,
        addresses=population.addresses,
        parent_name=parent_name,
        text={column: children[column].to_numpy(dtype=object) for column in _TEXT_COLUMNS},
        start=_day(date(first_year - 1, 4, 1)),
        end=_day(date(config.end_year, 3, 31)) + 1,
    )


def _child_segments(city: _City, rate: _Rate, weight: np.ndarray | None = None) -> pd.DataFrame:
    """Stretches of time over which a child is exposed to an event, with their intensity.

    One stretch per child and age band at the background rate, and one per overlap with each of
    the household's risk spells at that factor's extra rate.
    """
    n = len(city.person_id)
    child_weight = np.ones(n) if weight is None else weight
    pieces: list[pd.DataFrame] = []
    for low, high, band_weight in rate.bands:
        start = np.maximum.reduce([np.full(n, city.start), city.arrived, _birthday(city.dob, low)])
        end = np.minimum.reduce([np.full(n, city.end), city.left, _birthday(city.dob, high)])
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
            pieces.append(band.assign(factor=_BASE))
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


def _draw(
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


def _household_segments(city: _City, rate: _Rate) -> pd.DataFrame:
    """Stretches of household time, each with the household's average number of children.

    Household events list every child resident on the day, so ``kids`` (the average number of
    the household's children in the city over the window) turns expected events into expected
    rows.
    """
    low, high = rate.bands[0][0], rate.bands[-1][1]
    start = np.maximum.reduce(
        [np.full(len(city.dob), city.start), city.arrived, _birthday(city.dob, low)]
    )
    end = np.minimum.reduce(
        [np.full(len(city.dob), city.end), city.left, _birthday(city.dob, high)]
    )
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
    pieces = [homes.assign(factor=_BASE)] if rate.baseline else []
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


def _children_on_day(city: _City, incidents: pd.DataFrame, ages: tuple[int, int]) -> pd.DataFrame:
    """Each incident joined to every child living in its household on the day, in age range."""
    kids = pd.DataFrame({"household_id": city.household_id, "child": np.arange(len(city.dob))})
    rows = incidents.merge(kids, on="household_id")
    child = rows["child"].to_numpy()
    day = rows["day"].to_numpy()
    keep = (
        (city.arrived[child] <= day)
        & (day < city.left[child])
        & (_birthday(city.dob[child], ages[0]) <= day)
        & (day < _birthday(city.dob[child], ages[1]))
    )
    return rows.loc[keep].sort_values(["day", "incident", "child"], kind="stable")


def _resident(city: _City, child: np.ndarray, day: np.ndarray, ages: tuple[int, int]) -> np.ndarray:
    return (
        (city.arrived[child] <= day)
        & (day < city.left[child])
        & (_birthday(city.dob[child], ages[0]) <= day)
        & (day < _birthday(city.dob[child], ages[1]))
    )


_TEXT_COLUMNS = (
    "forename",
    "middle_name",
    "surname",
    "sex",
    "nhs_number",
    "upn",
    "school_urn",
    "gp_practice",
)


def _person_rows(city: _City, child: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    """The clean identity of each event's child, and the address they lived at on the day."""
    columns: dict[str, np.ndarray] = {
        "person_id": city.person_id[child],
        "household_id": city.household_id[child],
        "record_date": _to_datetimes(day),
        "dob": _to_datetimes(city.dob[child]),
    }
    for column in _TEXT_COLUMNS:
        columns[column] = city.text[column][child]
    rows = pd.DataFrame(columns)
    line1, postcode = _address_on(city, rows["household_id"].to_numpy(), day)
    rows["line1"] = line1
    rows["postcode"] = postcode
    return rows


def _address_on(
    city: _City, household_id: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each household's address in force on the day (its first address if none yet)."""
    book = city.addresses[["household_id", "line1", "postcode", "start"]].copy()
    book["household_id"] = book["household_id"].astype("int64")
    book["start"] = pd.to_datetime(book["start"]).astype("datetime64[ns]")
    book = book.sort_values("start", kind="stable")
    asked = pd.DataFrame(
        {"row": np.arange(len(day)), "household_id": household_id, "when": _to_datetimes(day)}
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


def _factor_at(
    city: _City, child: np.ndarray, day: np.ndarray, factors: tuple[str, ...]
) -> np.ndarray:
    """Whether any of ``factors`` is active in each child's household on the day."""
    spells = city.spells.loc[city.spells["factor"].isin(factors)]
    asked = pd.DataFrame(
        {"row": np.arange(len(child)), "household_id": city.household_id[child], "day": day}
    )
    both = asked.merge(spells, on="household_id")
    inside = (both["spell_start"] <= both["day"]) & (both["day"] < both["spell_end"])
    hit = np.zeros(len(child), dtype=bool)
    hit[both.loc[inside, "row"].to_numpy()] = True
    return hit


def _fmt(values: pd.Series | np.ndarray, fmt: str) -> np.ndarray:
    """Dates written in an agency's own format; blank where there is no date."""
    arr = pa.array(
        np.asarray(pd.to_datetime(values), dtype="datetime64[s]"), type=pa.timestamp("s")
    )
    text = pc.fill_null(pc.strftime(arr, format=fmt), "")
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def _ids(prefix: str, n: int, width: int = 7) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _pick(
    rng: np.random.Generator, options: tuple[str, ...], n: int, p: list[float] | None = None
) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _time_of_day(rng: np.random.Generator, n: int, evening: bool) -> np.ndarray:
    hours = (rng.normal(20 if evening else 15, 4.5, n).round().astype("int64")) % 24
    minutes = rng.integers(0, 60, n)
    return np.char.add(
        np.char.add(np.char.zfill(hours.astype(str), 2), ":"), np.char.zfill(minutes.astype(str), 2)
    ).astype(object)


def _sex_word(sex: pd.Series) -> np.ndarray:
    return np.where(sex.to_numpy(dtype=object) == "F", "Female", "Male").astype(object)


def _str(
    values: np.ndarray | pd.Series,
) -> pd.arrays.ArrowStringArray | pd.api.extensions.ExtensionArray:
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _table(columns: dict[str, object]) -> pd.DataFrame:
    """An extract table: every column as text, the way the agency's CSV holds it."""
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        out[name] = arr if arr.dtype.kind in "iu" else _str(arr.astype(object))
    return pd.DataFrame(out)


# --- the school census --------------------------------------------------------------------


def _school_census(city: _City, census: date, rng: np.random.Generator) -> pd.DataFrame:
    """Every child on a school roll on census day, with autumn-term attendance and exclusions."""
    day = _day(census)
    year_start = _day(date(census.year - 1, 9, 1))
    year_start_age = np.zeros(len(city.dob), dtype="int64")
    for years in range(3, 18):
        year_start_age[_birthday(city.dob, years) <= year_start - 1] = years
    c = city.children
    on_roll = (
        (city.arrived <= day)
        & (day < city.left)
        & (year_start_age >= 4)
        & (year_start_age <= 15)
        & (c["school_urn"].to_numpy(dtype=object) != "")
        & (c["upn"].to_numpy(dtype=object) != "")
    )
    child = np.flatnonzero(on_roll)
    n = len(child)
    days = np.full(n, day, dtype="int64")
    rows = _person_rows(city, child, days)
    rows["ncy"] = year_start_age[child] - 4
    troubled = _factor_at(city, child, days, ("neglect", "substance_misuse", "mental_health"))
    poor = _factor_at(city, child, days, ("poverty",))
    # Autumn term: about 144 sessions, fewer for a child who joined part way through.
    term_start = _day(date(census.year - 1, 9, 3))
    term_days = 144
    joined = np.clip((city.arrived[child] - term_start) * 5 // 7 * 2, 0, term_days - 10)
    possible = term_days - joined
    absence_rate = np.where(troubled, rng.beta(1.6, 7.0, n), rng.beta(1.1, 20.0, n))
    missed = rng.binomial(possible, absence_rate)
    unauthorised_share = np.where(troubled, rng.beta(3, 3, n), rng.beta(1.2, 4, n))
    unauthorised = rng.binomial(missed, unauthorised_share)
    secondary = rows["ncy"].to_numpy() >= 7
    exclusion_rate = np.where(troubled, 0.15, 0.012) * np.where(secondary, 2.5, 0.6)
    rows["sessions_possible"] = possible
    rows["sessions_missed"] = missed
    rows["sessions_unauthorised"] = unauthorised
    rows["exclusions"] = rng.poisson(exclusion_rate)
    rows["fsm"] = np.where(rng.random(n) < np.where(poor, 0.8, 0.12), "true", "false")
    disabled = c["disability"].to_numpy(dtype=bool)[child]
    sen_draw = rng.random(n)
    rows["sen"] = np.where(
        disabled,
        np.where(sen_draw < 0.45, "E", np.where(sen_draw < 0.9, "K", "N")),
        np.where(sen_draw < 0.012, "E", np.where(sen_draw < 0.14, "K", "N")),
    )
    order = rows.sort_values(["school_urn", "surname", "forename"], kind="stable").index
    return rows.loc[order].reset_index(drop=True)


def _school_layout(rows: pd.DataFrame, config: SynthConfig) -> pd.DataFrame:
    ncy = rows["ncy"].to_numpy()
    return _table(
        {
            "CensusRowID": _ids(f"SC{config.end_year % 100:02d}-", len(rows)),
            "URN": rows["school_urn"],
            "UPN": rows["upn"],
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "MiddleNames": rows["middle_name"],
            "DOB": _fmt(rows["dob"], "%Y-%m-%d"),
            "Gender": rows["sex"],
            "NCYearActual": np.where(ncy == 0, "R", ncy.astype(str)).astype(object),
            "Postcode": rows["postcode"],
            "FSMEligible": rows["fsm"],
            "SENProvision": rows["sen"],
            "SessionsPossible": rows["sessions_possible"].to_numpy(dtype="int64"),
            "SessionsMissed": rows["sessions_missed"].to_numpy(dtype="int64"),
            "SessionsUnauthorised": rows["sessions_unauthorised"].to_numpy(dtype="int64"),
            "FixedTermExclusions": rows["exclusions"].to_numpy(dtype="int64"),
        }
    )


# --- health ---------------------------------------------------------------------------------

AE_RATE = _Rate(
    bands=((0, 1, 2.8), (1, 5, 1.6), (5, 16, 1.0), (16, 18, 1.3)),
    factors={
        "neglect": 0.6,
        "domestic_abuse": 0.5,
        "substance_misuse": 0.5,
        "mental_health": 0.4,
        "poverty": 0.2,
        "child_disability": 1.0,
    },
)
# Injuries to babies and toddlers in households with neglect or domestic abuse, per child-year.
AE_INJURY_RATE = _Rate(
    bands=((0, 2, 1.0),), factors={"neglect": 0.5, "domestic_abuse": 0.3}, baseline=False
)
_AE_COMPLAINTS = (
    ("Illness - respiratory", "Illness", 0.22),
    ("Illness - fever", "Illness", 0.14),
    ("Illness - gastrointestinal", "Illness", 0.11),
    ("Illness - rash", "Illness", 0.05),
    ("Abdominal pain", "Illness", 0.06),
    ("Injury - fall", "Injury", 0.16),
    ("Injury - limb", "Injury", 0.1),
    ("Head injury", "Injury", 0.06),
    ("Burn or scald", "Injury", 0.02),
    ("Poisoning or ingestion", "Poisoning", 0.02),
    ("Other", "Other", 0.06),
)
_AE_OLDER = (
    ("Self-harm", "Self-harm"),
    ("Overdose", "Poisoning"),
    ("Alcohol intoxication", "Poisoning"),
    ("Assault", "Injury"),
    ("Mental health crisis", "Mental health"),
)
_AE_INJURIES = (
    ("Head injury", "Injury"),
    ("Injury - limb", "Injury"),
    ("Bruising", "Injury"),
    ("Burn or scald", "Injury"),
    ("Poisoning or ingestion", "Poisoning"),
)


def _ae_attendances(city: _City, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Emergency department attendances: illness and injury for all, more in troubled homes."""
    injuries = _draw(_child_segments(city, AE_INJURY_RATE), rng, per_year=1.0)
    general = _draw(_child_segments(city, AE_RATE), rng, total=max(total - len(injuries), 0.0))
    events = pd.concat([general.assign(kind=0), injuries.assign(kind=1)], ignore_index=True)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = _person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    base = np.array([w for _, _, w in _AE_COMPLAINTS])
    which = rng.choice(len(_AE_COMPLAINTS), size=n, p=base / base.sum())
    complaint = np.array([c for c, _, _ in _AE_COMPLAINTS], dtype=object)[which]
    group = np.array([g for _, g, _ in _AE_COMPLAINTS], dtype=object)[which]
    age = _age_at(rows["dob"], rows["record_date"])
    older = (age >= 12) & (events["factor"].to_numpy() != _BASE) & (rng.random(n) < 0.3)
    older |= (age >= 13) & (rng.random(n) < 0.02)
    k = rng.integers(len(_AE_OLDER), size=n)
    complaint[older] = np.array([c for c, _ in _AE_OLDER], dtype=object)[k[older]]
    group[older] = np.array([g for _, g in _AE_OLDER], dtype=object)[k[older]]
    injured = events["kind"].to_numpy() == 1
    k = rng.integers(len(_AE_INJURIES), size=n)
    complaint[injured] = np.array([c for c, _ in _AE_INJURIES], dtype=object)[k[injured]]
    group[injured] = np.array([g for _, g in _AE_INJURIES], dtype=object)[k[injured]]
    rows["complaint"] = complaint
    rows["group"] = group
    rows["arrival_time"] = _time_of_day(rng, n, evening=False)
    rows["arrival_mode"] = np.where(rng.random(n) < 0.18, "Ambulance", "Walk-in")
    return rows


def _ae_layout(rows: pd.DataFrame) -> pd.DataFrame:
    return _table(
        {
            "AttendanceID": _ids("ED", len(rows), 8),
            "ArrivalDate": _fmt(rows["record_date"], "%d/%m/%Y"),
            "ArrivalTime": rows["arrival_time"],
            "ArrivalMode": rows["arrival_mode"],
            "NHSNumber": rows["nhs_number"],
            "PatientForename": rows["forename"],
            "PatientSurname": rows["surname"],
            "DateOfBirth": _fmt(rows["dob"], "%d/%m/%Y"),
            "Sex": _sex_word(rows["sex"]),
            "Postcode": rows["postcode"],
            "GPPractice": rows["gp_practice"],
            "PresentingComplaint": rows["complaint"],
            "DiagnosisGroup": rows["group"],
        }
    )


HV_RATE = _Rate(
    bands=((0, 1, 1.6), (1, 5, 1.0)),
    factors={
        "domestic_abuse": 10.0,
        "substance_misuse": 10.0,
        "mental_health": 8.0,
        "neglect": 14.0,
        "poverty": 2.0,
        "child_disability": 4.0,
    },
)
_HV_CONCERN = {
    "domestic_abuse": "Domestic abuse disclosed",
    "substance_misuse": "Parental substance misuse",
    "mental_health": "Parental mental health",
    "neglect": "Home conditions",
    "poverty": "Housing or financial hardship",
    "child_disability": "Developmental concern",
}
_HV_BACKGROUND = (
    "Missed appointments",
    "Feeding or growth",
    "Development review concern",
    "Parenting support",
    "Postnatal low mood",
    "Home conditions",
)


def _health_visiting(city: _City, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Concerns health visitors record about under-fives, mostly in households at risk."""
    events = _draw(_child_segments(city, HV_RATE), rng, total=total)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = _person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    factor = events["factor"].to_numpy()
    # A concern raised during a spell is often recorded under another heading.
    named = (factor != _BASE) & (rng.random(n) < 0.7)
    concern = _pick(rng, _HV_BACKGROUND, n)
    names = np.array([_HV_CONCERN[f] for f in FACTORS], dtype=object)
    concern[named] = names[factor[named]]
    rows["concern"] = concern
    rows["contact_type"] = _pick(rng, ("Home visit", "Clinic", "Telephone"), n, [0.55, 0.3, 0.15])
    rows["parent"] = (
        city.parent_name.reindex(rows["household_id"]).fillna("").to_numpy(dtype=object)
    )
    return rows


def _hv_layout(rows: pd.DataFrame) -> pd.DataFrame:
    return _table(
        {
            "ContactID": _ids("HV", len(rows)),
            "ContactDate": _fmt(rows["record_date"], "%d.%m.%Y"),
            "ContactType": rows["contact_type"],
            "NHSNumber": rows["nhs_number"],
            "ChildSurname": rows["surname"],
            "ChildForename": rows["forename"],
            "ChildDOB": _fmt(rows["dob"], "%d.%m.%Y"),
            "ChildSex": rows["sex"],
            "ParentCarer": rows["parent"],
            "Postcode": rows["postcode"],
            "GPPractice": rows["gp_practice"],
            "ConcernType": rows["concern"],
        }
    )


# --- police ---------------------------------------------------------------------------------

DA_RATE = _Rate(
    bands=((0, 18, 1.0),),
    factors={"domestic_abuse": 60.0, "substance_misuse": 3.0, "mental_health": 1.0},
)


def _domestic_abuse(city: _City, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Police notifications of domestic abuse: one row per child living in the household."""
    incidents = _draw(_household_segments(city, DA_RATE), rng, total=total, unit="household_id")
    incidents["incident"] = np.arange(len(incidents))
    grade = _pick(rng, ("Standard", "Medium", "High"), len(incidents), [0.6, 0.3, 0.1])
    in_spell = incidents["factor"].to_numpy() == FACTORS.index("domestic_abuse")
    grade[in_spell] = _pick(
        rng, ("Standard", "Medium", "High"), int(in_spell.sum()), [0.35, 0.4, 0.25]
    )
    incidents["grade"] = grade
    incidents["time"] = _time_of_day(rng, len(incidents), evening=True)
    listed = _children_on_day(city, incidents, AGE_RANGE["police_domestic_abuse"])
    # Incident references follow the order incidents were reported.
    seen = listed.drop_duplicates("incident")["incident"].to_numpy()
    ref_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    rows = _person_rows(city, listed["child"].to_numpy(), listed["day"].to_numpy())
    number = ref_number.reindex(listed["incident"].to_numpy()).to_numpy()
    year = rows["record_date"].dt.year.to_numpy() % 100
    rows["incident_ref"] = np.char.add(
        np.char.add(np.char.add("DA/", np.char.zfill(year.astype(str), 2)), "/"),
        np.char.zfill(number.astype(str), 6),
    ).astype(object)
    rows["child_no"] = listed.groupby("incident").cumcount().to_numpy() + 1
    rows["grade"] = listed["grade"].to_numpy()
    rows["time"] = listed["time"].to_numpy()
    rows["adult"] = city.parent_name.reindex(rows["household_id"]).fillna("").to_numpy(dtype=object)
    return rows


def _da_layout(rows: pd.DataFrame) -> pd.DataFrame:
    notification = np.char.add(
        np.char.add(rows["incident_ref"].to_numpy(dtype=str), "-"),
        np.char.zfill(rows["child_no"].to_numpy().astype(str), 2),
    ).astype(object)
    return _table(
        {
            "NotificationID": notification,
            "IncidentRef": rows["incident_ref"],
            "IncidentDateTime": np.char.add(
                np.char.add(_fmt(rows["record_date"], "%Y-%m-%d").astype(str), " "),
                rows["time"].to_numpy(dtype=str),
            ).astype(object),
            "ChildSurname": rows["surname"],
            "ChildForename": rows["forename"],
            "ChildDOB": _fmt(rows["dob"], "%d/%m/%Y"),
            "ChildGender": rows["sex"],
            "NHSNumber": rows["nhs_number"],
            "AddressLine1": rows["line1"],
            "Postcode": rows["postcode"],
            "AdultInvolved": rows["adult"],
            "DASHGrade": rows["grade"],
        }
    )


MISSING_RATE = _Rate(
    bands=((10, 13, 0.4), (13, 16, 1.0), (16, 18, 0.8)),
    factors={
        "domestic_abuse": 4.0,
        "substance_misuse": 4.0,
        "mental_health": 3.0,
        "neglect": 6.0,
        "poverty": 0.5,
    },
)


def _missing(
    city: _City, social_care: SocialCare, total: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Police missing-person reports: looked-after children's missing episodes, and others."""
    known = social_care.known_children[["person_id", "la_child_id"]]
    episodes = social_care.missing.merge(known, on="la_child_id")
    # Police hear of nearly every episode of going missing from care, and some of being away.
    reported = rng.random(len(episodes)) < np.where(episodes["missing"] == "M", 0.95, 0.3)
    episodes = episodes.loc[reported]
    position = pd.Series(np.arange(len(city.person_id)), index=city.person_id)
    child = position.reindex(episodes["person_id"].to_numpy()).to_numpy()
    day = _days(episodes["mis_start"], -_OPEN)
    ok = ~np.isnan(child) & (day >= city.start) & (day < city.end)
    child = child[ok].astype("int64")
    day = day[ok]
    keep = _resident(city, child, day, AGE_RANGE["police_missing"])
    from_care = pd.DataFrame(
        {"child": child[keep], "day": day[keep], "factor": _BASE, "care": True}
    )
    others = _draw(
        _child_segments(city, MISSING_RATE), rng, total=max(total - len(from_care), 0.3 * total)
    ).assign(care=False)
    events = pd.concat([from_care, others], ignore_index=True)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = _person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    rows["missing_from"] = np.where(events["care"].to_numpy(dtype=bool), "Care placement", "Home")
    rows["hours"] = np.maximum(1, np.round(rng.lognormal(2.6, 1.0, n))).astype("int64")
    rows["time"] = _time_of_day(rng, n, evening=True)
    return rows


def _missing_layout(rows: pd.DataFrame) -> pd.DataFrame:
    year = rows["record_date"].dt.year.to_numpy().astype(str)
    ref = np.char.add(
        np.char.add(np.char.add("MP", year), "-"),
        np.char.zfill(np.arange(1, len(rows) + 1).astype(str), 6),
    )
    return _table(
        {
            "ReportRef": ref.astype(object),
            "ReportedDate": _fmt(rows["record_date"], "%d-%b-%Y"),
            "ReportedTime": rows["time"],
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "DateOfBirth": _fmt(rows["dob"], "%d-%b-%Y"),
            "Sex": rows["sex"],
            "NHSNumber": rows["nhs_number"],
            "HomeAddress": rows["line1"],
            "Postcode": rows["postcode"],
            "MissingFrom": rows["missing_from"],
            "HoursMissing": rows["hours"].to_numpy(dtype="int64"),
        }
    )


# --- housing --------------------------------------------------------------------------------

HOMELESS_RATE = _Rate(
    bands=((0, 18, 1.0),),
    factors={"poverty": 40.0, "domestic_abuse": 8.0, "substance_misuse": 4.0, "mental_health": 3.0},
)
_LOSS_REASON = {
    "poverty": "Rent arrears",
    "domestic_abuse": "Violent breakdown of relationship",
    "substance_misuse": "Termination of assured shorthold tenancy",
    "mental_health": "Parents, relatives or friends no longer willing to accommodate",
}
_LOSS_OTHER = (
    "Termination of assured shorthold tenancy",
    "Parents, relatives or friends no longer willing to accommodate",
    "Non-violent breakdown of relationship",
    "Mortgage arrears",
    "Other",
)
_DECISIONS = (
    "Accepted",
    "Not homeless",
    "Intentionally homeless",
    "Not in priority need",
    "Pending",
)


def _housing(
    city: _City, total: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Homelessness applications listing the household's children, and the stays that follow."""
    apps = _draw(_household_segments(city, HOMELESS_RATE), rng, total=total, unit="household_id")
    apps["incident"] = np.arange(len(apps))
    m = len(apps)
    factor = apps["factor"].to_numpy()
    reason = _pick(rng, _LOSS_OTHER, m)
    for code, f in enumerate(FACTORS):
        if f in _LOSS_REASON:
            hit = (factor == code) & (rng.random(m) < 0.6)
            reason[hit] = _LOSS_REASON[f]
    apps["reason"] = reason
    apps["decision"] = _pick(rng, _DECISIONS, m, [0.5, 0.15, 0.07, 0.06, 0.22])
    listed = _children_on_day(city, apps, AGE_RANGE["housing_homelessness"])
    seen = listed.drop_duplicates("incident")["incident"].to_numpy()
    app_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    applications = _person_rows(city, listed["child"].to_numpy(), listed["day"].to_numpy())
    applications["application"] = app_number.reindex(listed["incident"].to_numpy()).to_numpy()
    applications["member"] = listed.groupby("incident").cumcount().to_numpy() + 1
    applications["reason"] = listed["reason"].to_numpy()
    applications["decision"] = listed["decision"].to_numpy()
    applications["applicant"] = (
        city.parent_name.reindex(applications["household_id"]).fillna("").to_numpy(dtype=object)
    )

    # Temporary accommodation: most accepted or pending applications lead to one or more stays.
    housed = apps.loc[apps["decision"].isin(["Accepted", "Pending"])]
    housed = housed.loc[rng.random(len(housed)) < 0.7]
    stays = 1 + rng.poisson(0.6, len(housed))
    pick = np.repeat(np.arange(len(housed)), stays)
    stay_no = np.concatenate([np.arange(s) for s in stays]) if len(stays) else np.zeros(0, "int64")
    length = np.maximum(7, rng.exponential(110, len(pick))).astype("int64")
    # Each stay starts when the one before ends; the first within three weeks of applying.
    lengths = pd.Series(length).groupby(pick).cumsum().to_numpy() - length
    start = (
        housed["day"].to_numpy()[pick] + rng.integers(0, 22, len(pick)) * (stay_no == 0) + lengths
    )
    placements = pd.DataFrame(
        {
            "household_id": housed["household_id"].to_numpy()[pick],
            "day": start,
            "end_day": start + length,
            "incident": np.arange(len(pick)),
            "kind": _pick(
                rng,
                ("Bed and breakfast", "Hostel", "Private sector leased", "Council stock"),
                len(pick),
                [0.15, 0.3, 0.35, 0.2],
            ),
        }
    )
    placements = placements.loc[placements["day"] < city.end]
    occupants = _children_on_day(city, placements, AGE_RANGE["housing_temporary_accommodation"])
    seen = occupants.drop_duplicates("incident")["incident"].to_numpy()
    ta_number = pd.Series(np.arange(1, len(seen) + 1), index=seen)
    ta = _person_rows(city, occupants["child"].to_numpy(), occupants["day"].to_numpy())
    ta["placement"] = ta_number.reindex(occupants["incident"].to_numpy()).to_numpy()
    ta["occupant"] = occupants.groupby("incident").cumcount().to_numpy() + 1
    ta["end_day"] = occupants["end_day"].to_numpy()
    ta["kind"] = occupants["kind"].to_numpy()
    return applications, ta


def _homelessness_layout(rows: pd.DataFrame) -> pd.DataFrame:
    app = np.char.add("HA", np.char.zfill(rows["application"].to_numpy().astype(str), 6))
    member = np.char.add(
        np.char.add(app, "-"), np.char.zfill(rows["member"].to_numpy().astype(str), 2)
    )
    return _table(
        {
            "MemberRef": member.astype(object),
            "ApplicationRef": app.astype(object),
            "ApplicationDate": _fmt(rows["record_date"], "%d/%m/%Y"),
            "ApplicantName": rows["applicant"],
            "Relationship": np.where(
                rows["sex"].to_numpy(dtype=object) == "F", "Daughter", "Son"
            ).astype(object),
            "MemberForename": rows["forename"],
            "MemberSurname": rows["surname"],
            "MemberDOB": _fmt(rows["dob"], "%d/%m/%Y"),
            "NHSNumber": rows["nhs_number"],
            "LastSettledAddress": rows["line1"],
            "Postcode": rows["postcode"],
            "ReasonForLoss": rows["reason"],
            "Decision": rows["decision"],
        }
    )


def _ta_layout(rows: pd.DataFrame, window_end: int) -> pd.DataFrame:
    ref = np.char.add("TA", np.char.zfill(rows["placement"].to_numpy().astype(str), 7))
    occupant = np.char.add(np.char.add(ref, "/"), rows["occupant"].to_numpy().astype(str))
    end_day = rows["end_day"].to_numpy(dtype="int64")
    ended = pd.Series(
        np.where(end_day < window_end, _to_datetimes(end_day), np.datetime64("NaT", "ns"))
    )
    return _table(
        {
            "OccupantRef": occupant.astype(object),
            "PlacementRef": ref.astype(object),
            "PlacementStart": _fmt(rows["record_date"], "%Y%m%d"),
            "PlacementEnd": _fmt(ended, "%Y%m%d"),
            "AccommodationType": rows["kind"],
            "OccupantSurname": rows["surname"],
            "OccupantForename": rows["forename"],
            "OccupantDOB": _fmt(rows["dob"], "%Y%m%d"),
            "NHSNo": rows["nhs_number"],
            "PreviousPostcode": rows["postcode"],
        }
    )


# --- youth justice --------------------------------------------------------------------------

YJ_RATE = _Rate(
    bands=((10, 12, 0.15), (12, 14, 0.5), (14, 16, 1.2), (16, 18, 1.6)),
    factors={
        "substance_misuse": 3.0,
        "domestic_abuse": 2.0,
        "neglect": 2.5,
        "mental_health": 1.5,
        "poverty": 1.0,
    },
)
_OFFENCES = (
    "Violence against the person",
    "Theft and handling",
    "Criminal damage",
    "Drugs",
    "Public order",
    "Robbery",
    "Motoring",
    "Other",
)
_OUTCOMES = (
    "Triage",
    "Youth Caution",
    "Youth Conditional Caution",
    "Referral Order",
    "Youth Rehabilitation Order",
    "Detention and Training Order",
)


def _youth_justice(city: _City, total: float, rng: np.random.Generator) -> pd.DataFrame:
    """Youth offending team cases: older boys, and children in troubled homes, far more often."""
    boys = city.children["sex"].to_numpy(dtype=object) == "M"
    events = _draw(_child_segments(city, YJ_RATE, np.where(boys, 3.0, 1.0)), rng, total=total)
    events = events.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(events)
    rows = _person_rows(city, events["child"].to_numpy(), events["day"].to_numpy())
    rows["offence"] = _pick(rng, _OFFENCES, n, [0.24, 0.2, 0.14, 0.1, 0.1, 0.05, 0.07, 0.1])
    rows["outcome"] = _pick(rng, _OUTCOMES, n, [0.25, 0.3, 0.12, 0.2, 0.1, 0.03])
    return rows


def _yj_layout(rows: pd.DataFrame) -> pd.DataFrame:
    return _table(
        {
            "YOTRef": _ids("YOT", len(rows), 6),
            "Surname": rows["surname"],
            "Forename": rows["forename"],
            "DOB": _fmt(rows["dob"], "%Y-%m-%d"),
            "Gender": _sex_word(rows["sex"]),
            "NHSNumber": rows["nhs_number"],
            "Address": rows["line1"],
            "Postcode": rows["postcode"],
            "OffenceDate": _fmt(rows["record_date"], "%Y-%m-%d"),
            "OffenceType": rows["offence"],
            "Outcome": rows["outcome"],
        }
    )
