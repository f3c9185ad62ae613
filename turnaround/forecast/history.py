"""Each child's care state at the start of every month, rebuilt from the loaded returns.

A child's state at the start of a month is their state at the end of the day before. Three
kinds of span say it, and where they overlap the highest wins:

- looked after (SSDA903 episodes, DECOM to DEC), in the placement's category (``placement.py``);
- on a child protection plan (CIN census ``cin_cp_plans``, start to end);
- in need (CIN census ``cin_episodes``, referral to closure; referrals with no further action
  are left out).

A span covers the month starting on day ``d`` when it began before ``d`` and had not ended
before ``d``. Returns repeat the spans still open at the year end, so each span is taken from
the latest return holding it; one left open in a return that is not the latest ended on that
year's 31 March. Only children aged 0 to 17 on the day count, by their date of birth in the
SSDA903 header or the CIN census (of any year: a date of birth says nothing of what happened
later).

The window runs from the first of April before the first collection year that both returns
cover (the 903 alone if the CIN census is not loaded) to the first of April after the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from turnaround.errors import NotFound
from turnaround.forecast.placement import placement_table
from turnaround.forecast.states import AGE_BANDS, STATES
from turnaround.returns.absent import gaps
from turnaround.store.backend import DuckDBBackend

BAND_STARTS = np.array([band[0] for band in AGE_BANDS])


def month_number(day: date) -> int:
    """Months since year 0 of the month ``day`` falls in: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """The first day of the month ``month_number`` gave ``number`` for."""
    return date(number // 12, number % 12 + 1, 1)


def collection_year(day: date) -> int:
    """The collection year ``day`` falls in: the year of the 31 March that ends it."""
    return day.year + (1 if day.month >= 4 else 0)


def return_years_sql() -> str:
    """The collection years each return holds, up to a cap ($1)."""
    return (
        "select 'ssda903' as source, min(year) as first, max(year) as last"
        " from ssda903_episodes where year <= $1"
        " union all select 'cin', min(year), max(year) from cin_episodes where year <= $1"
    )


def monthly_states_sql() -> str:
    """One row per child and month start in [$2, $3] (month numbers): the child's state, and
    their age in whole years that day and at the next month start. Returns up to year $1."""
    return """
with care as (
    select e.child, e.decom as start_date,
           case when e.dec is null and e.year < e.last_year then make_date(e.year, 3, 31)
                else e.dec end as end_date,
           coalesce(case when upper(trim(e.place_provider)) in ('PR4', 'PR5') then p.external
                         else p.in_house end, 'other_looked_after') as state,
           3 as priority
    from (
        select *, max(year) over () as last_year,
               row_number() over (partition by child, decom
                                  order by year desc, source_row desc) as pick
        from ssda903_episodes
        where year <= $1 and child is not null and decom is not null
    ) e
    left join _forecast_places p on upper(trim(e.place)) = p.place
    where e.pick = 1
),
need as (
    select child_id as child, referral_date as start_date,
           case when closure_date is null and year < last_year then make_date(year, 3, 31)
                else closure_date end as end_date,
           'in_need' as state, 1 as priority
    from (
        select *, max(year) over () as last_year,
               row_number() over (partition by child_id, referral_date
                                  order by year desc, source_row desc) as pick
        from cin_episodes
        where year <= $1 and child_id is not null and referral_date is not null
          and not coalesce(referral_nfa, false)
    )
    where pick = 1
),
protection as (
    select child_id as child, start_date,
           case when end_date is null and year < last_year then make_date(year, 3, 31)
                else end_date end as end_date,
           'child_protection' as state, 2 as priority
    from (
        select *, max(year) over () as last_year,
               row_number() over (partition by child_id, start_date
                                  order by year desc, source_row desc) as pick
        from cin_cp_plans
        where year <= $1 and child_id is not null and start_date is not null
    )
    where pick = 1
),
spans as (
    select * from care union all select * from need union all select * from protection
),
months as (
    select child, state, priority, start_date,
           unnest(range(greatest(year(start_date) * 12 + month(start_date), $2),
                        least(coalesce(year(end_date) * 12 + month(end_date) - 1, $3), $3) + 1))
               as m
    from spans
),
per_month as (
    select child, m,
           arg_max(state, priority * 1000000 + (start_date - date '1900-01-01')) as state
    from months
    group by child, m
),
births as (
    select child, max(dob) as dob
    from (
        select child, dob from ssda903_header
        union all select child_id, dob from cin_children
    )
    where dob is not null
    group by child
),
dated as (
    select p.child, p.m, p.state, b.dob,
           last_day(make_date((p.m - 1) // 12, (p.m - 1) % 12 + 1, 1)) as day,
           last_day(make_date(p.m // 12, p.m % 12 + 1, 1)) as next_day
    from per_month p join births b on b.child = p.child
)
select child, m, state,
       date_sub('year', dob, day) as age,
       date_sub('year', dob, next_day) as age_next
from dated
where dob <= day and date_sub('year', dob, day) < 18
order by child, m
"""


@dataclass(frozen=True)
class CareHistory:
    """Every child's state each month start in the window, as parallel arrays.

    Rows are sorted by child, then month. ``month`` holds month numbers (``month_number``);
    ``state`` indexes ``STATES``; ``band`` indexes ``AGE_BANDS``; ``leaves_at_18`` says the
    child is 18 by the next month start.
    """

    first_month: int
    last_month: int
    last_year: int
    child: np.ndarray
    month: np.ndarray
    state: np.ndarray
    band: np.ndarray
    leaves_at_18: np.ndarray

    @property
    def months(self) -> int:
        """How many month starts the window holds."""
        return self.last_month - self.first_month + 1

    def stocks(self) -> np.ndarray:
        """Children in each band and state each month start: (months, bands, states)."""
        out = np.zeros((self.months, len(AGE_BANDS), len(STATES)), dtype=np.int64)
        np.add.at(out, (self.month - self.first_month, self.band, self.state), 1)
        return out


def read_history(store: DuckDBBackend, *, up_to: date | None = None) -> CareHistory:
    """Rebuild month-start states from the returns loaded for collection years up to ``up_to``.

    ``up_to`` (a day) limits the returns to the collection years that end by it and the
    window to the month starts on or before the day after it; None uses everything loaded.
    """
    cap = collection_year(up_to) if up_to is not None else 9999
    years = store.fetch_arrow(return_years_sql(), [cap], step="reading the return years")
    spans = {row["source"]: row for row in years.to_pylist()}
    care = spans.get("ssda903")
    if care is None or care["first"] is None:
        raise NotFound("no SSDA903 episodes are loaded for the forecast to fit on")
    first, last = int(care["first"]), int(care["last"])
    cin = spans.get("cin")
    if cin is not None and cin["first"] is not None:
        first, last = max(first, int(cin["first"])), min(last, int(cin["last"]))
        if first > last:
            raise NotFound("the SSDA903 and CIN census returns loaded cover no common year")
    _refuse_gaps(store, first, last)
    first_month = month_number(date(first - 1, 4, 1))
    last_month = month_number(date(last, 4, 1))
    if up_to is not None:
        last_month = min(last_month, month_number(up_to + timedelta(days=1)))
    if last_month <= first_month:
        raise NotFound(f"the returns up to {up_to} hold less than a month of history")
    store.register("_forecast_places", placement_table())
    rows = store.fetch_arrow(
        monthly_states_sql(), [last, first_month, last_month], step="rebuilding care histories"
    )
    codes = {name: i for i, name in enumerate(STATES)}
    age = rows.column("age").to_numpy()
    return CareHistory(
        first_month=first_month,
        last_month=last_month,
        last_year=last,
        child=pd.factorize(rows.column("child").to_pandas())[0],
        month=rows.column("m").to_numpy().astype(np.int64),
        state=np.array([codes[s] for s in rows.column("state").to_pylist()], dtype=np.int64),
        band=np.searchsorted(BAND_STARTS, age, side="right") - 1,
        leaves_at_18=rows.column("age_next").to_numpy() >= 18,
    )


def _refuse_gaps(store: DuckDBBackend, first: int, last: int) -> None:
    """Refuse a history with a year of episodes missing inside it: it would read as no care."""
    held = store.fetch_arrow(
        "select distinct year from ssda903_episodes where year between $1 and $2",
        [first, last],
        step="checking the return years",
    )
    missing = sorted(set(range(first, last + 1)) - set(held.column(0).to_pylist()))
    if not missing:
        return
    absent = gaps(store)
    reasons = [
        absent.get(("ssda903_episodes", y), f"no {y - 1}-{y % 100:02d} SSDA903 episodes are loaded")
        for y in missing
    ]
    raise NotFound(
        f"the forecast cannot fit across a gap: {'; '.join(reasons)} (load that year's episodes)"
    )


def observed_stocks(store: DuckDBBackend, *, up_to: date | None = None) -> pd.DataFrame:
    """Children in each state on each 31 March the returns cover: one row per year.

    The index is the year of the 31 March; the columns are ``STATES`` (``not_in_care`` is 0:
    the returns do not count the children outside social care). ``up_to`` uses only the
    returns ending by then: what was known at the time, before later returns revised it.
    """
    history = read_history(store, up_to=up_to)
    stocks = history.stocks().sum(axis=1)
    rows = {}
    for offset in range(history.months):
        day = month_start(history.first_month + offset)
        if day.month == 4:
            rows[day.year] = stocks[offset]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(STATES)).sort_index()
