"""Transparent risk indicators over linked partner records, and each person's score.

The indicators live in a YAML file (``indicators.yaml`` here is the default; a council can pass
its own). Each is a plain statement ("police attended domestic abuse in the child's household")
that records from one source either show or do not, over the ``window_months`` before the
``as_of`` date. A person's score is the sum of the weights of the indicators that fired. Every
hit is kept with the record behind it, so the worklist can show exactly why a child is on it.

A ``where`` condition is DuckDB SQL over the source's agency-specific fields (declared in the
source's mapping under ``fields:``). It is checked against the loaded records before anything
is written: a misspelt field or a bad expression is a one-line error naming the indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from turnaround.access import Actor, use_case
from turnaround.errors import BackendError, ConfigError, NotFound, describe_invalid
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.store import Store

FIELD_TYPES = {"BIGINT": "BIGINT", "UBIGINT": "BIGINT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN"}


class Indicator(BaseModel):
    """One risk indicator: what it means, which records show it, and what it adds to a score."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    kind: Literal["records", "sibling_known"] = "records"
    source: str | None = None
    where: str | None = None
    ages: tuple[int, int] | None = None
    min_count: int = Field(default=1, ge=1)
    weight: float = Field(gt=0)
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.kind == "records" and not self.source:
            raise ValueError("a records indicator needs a source")
        if self.kind == "sibling_known" and (
            self.source or self.where or self.ages is not None or self.min_count != 1
        ):
            raise ValueError("sibling_known takes no source, where, ages or min_count")
        if self.where is not None and ";" in self.where:
            raise ValueError("where must be a single expression (no ';')")
        if self.ages is not None and not 0 <= self.ages[0] < self.ages[1]:
            raise ValueError("ages must be [from, to) with 0 <= from < to")
        return self


class IndicatorConfig(BaseModel):
    """The whole indicator file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_months: int = Field(default=12, ge=1, le=60)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> IndicatorConfig:
        ids = [i.id for i in self.indicators]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"indicator ids repeated: {', '.join(repeated)}")
        return self

    def by_id(self) -> dict[str, Indicator]:
        """Each indicator by its id."""
        return {i.id: i for i in self.indicators}


def load_indicators(path: Path | str | None = None) -> IndicatorConfig:
    """The indicator file at ``path``, or the shipped default."""
    if path is None:
        text = resources.files("turnaround.risk").joinpath("indicators.yaml").read_text()
        label = "indicators.yaml (shipped)"
    else:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"{file}: no such indicator file")
        text, label = file.read_text(encoding="utf-8"), str(file)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return IndicatorConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe_invalid(exc)}") from None


@dataclass(frozen=True)
class ScoreResult:
    """What ``score_people`` found: people scored, hits per indicator, and skipped indicators."""

    as_of: date
    window_start: date
    people: int
    hits: dict[str, int]
    skipped: dict[str, str]


def default_as_of(store: Store) -> date:
    """The latest partner event in the store: the worklist is as at the newest data.

    One wrongly dated record must not move the worklist's date (and with it the window every
    indicator looks back over). So a date after today is ignored, and so is one more than 31
    days after the 99th percentile of its own source's dates: an extract's dates run up to
    the day it was taken, and a record far beyond its neighbours is a typing error. (A source
    of fewer than about 100 records has its latest date as its 99th percentile, so the check
    cannot tell an outlier there.)
    """
    value = store.scalar(
        """
        with dated as (
            select source, event_date from linkage_records
            where source <> ? and event_date is not null and event_date <= current_date
        ),
        bulk as (
            select source, quantile_disc(event_date, 0.99) as p99 from dated group by source
        )
        select max(d.event_date)
        from dated d join bulk b using (source)
        where d.event_date <= b.p99 + interval 31 day
        """,
        [SOCIAL_CARE],
        step="finding the latest partner event",
    )
    if value is None:
        raise NotFound("no dated partner records in the store: run 'turnaround link' first")
    assert isinstance(value, date)
    return value


def score_people(
    store: Store,
    config: IndicatorConfig | None = None,
    *,
    actor: Actor,
    as_of: date | None = None,
) -> ScoreResult:
    """Find every indicator's hits in the window, score each person, and store both atomically.

    Needs ``linkage_clusters`` (run the linkage first). Indicators whose source has no records
    loaded are skipped and reported, not fatal: a council may not have every extract.
    """
    config = config or load_indicators()
    with use_case(
        store, actor, "load-data", "risk scores", step="scoring risk indicators"
    ) as acting:
        result = _score(store, config, as_of)
        acting.target = f"risk scores as of {result.as_of}: {result.people} people"
    return result


def _score(store: Store, config: IndicatorConfig, as_of: date | None) -> ScoreResult:
    if not store.scalar("select count(*) from linkage_clusters"):
        raise NotFound("no linked people in the store: run 'turnaround link' first")
    as_of = as_of or default_as_of(store)
    start = _months_before(as_of, config.window_months)
    loaded = {r[0] for r in store.fetchall("select distinct source from linkage_records")}
    queries: list[str] = []
    skipped: dict[str, str] = {}
    for indicator in config.indicators:
        if indicator.kind == "sibling_known":
            queries.append(_sibling_sql(indicator))
            continue
        assert indicator.source is not None
        if indicator.source not in loaded:
            skipped[indicator.id] = f"no {indicator.source} records loaded"
            continue
        sql = _records_sql(store, indicator)
        _check(store, indicator, sql, start, as_of)
        queries.append(sql)
    union = " union all ".join(queries) if queries else _EMPTY
    weights = ", ".join(f"('{i.id}', {i.weight!r})" for i in config.indicators)
    with store.transaction("scoring risk indicators") as con:
        con.execute("delete from risk_hits")
        con.execute("delete from risk_scores")
        con.execute(
            "insert into risk_hits (cluster_id, indicator, unique_id, event_date, as_of) "
            f"select cluster_id, indicator, unique_id, event_date, $as_of::date from ({union})",
            {"start": start, "as_of": as_of},
        )
        con.execute(
            f"""
            insert into risk_scores (cluster_id, score, indicators, as_of)
            with weights(indicator, weight) as (values {weights}),
            fired as (
                select distinct h.cluster_id, h.indicator, w.weight
                from risk_hits h join weights w using (indicator)
            )
            select cluster_id, sum(weight),
                   string_agg(indicator, ',' order by weight desc, indicator), $as_of::date
            from fired group by cluster_id
            """,
            {"as_of": as_of},
        )
        hits = dict(
            con.fetchall(
                "select indicator, count(distinct cluster_id) from risk_hits group by indicator"
            )
        )
        people = con.scalar("select count(*) from risk_scores")
    return ScoreResult(
        as_of=as_of,
        window_start=start,
        people=int(people),
        hits={i.id: int(hits.get(i.id, 0)) for i in config.indicators if i.id not in skipped},
        skipped=skipped,
    )


_EMPTY = (
    "select null::varchar cluster_id, null::varchar indicator, null::varchar unique_id, "
    "null::date event_date where false"
)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the last day of the month where that day is missing)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _field_columns(store: Store, source: str) -> str:
    """The source's JSON fields as typed SQL columns, typed from the values stored."""
    rows = store.fetchall(
        """
        select key, mode(json_type(fields, '$.' || key)) filter (
            where json_type(fields, '$.' || key) <> 'NULL') as type
        from (select fields, unnest(json_keys(fields)) as key
              from linkage_records where source = ?)
        group by key order by key
        """,
        [source],
        step=f"typing the fields of {source}",
    )
    columns = []
    for key, kind in rows:
        sql_type = FIELD_TYPES.get(str(kind), "VARCHAR")
        columns.append(f"try_cast(json_extract_string(r.fields, '$.{key}') as {sql_type}) as {key}")
    return "".join(f", {c}" for c in columns)


def _records_sql(store: Store, indicator: Indicator) -> str:
    """SQL for the hits of one records indicator, with $start and $as_of parameters."""
    assert indicator.source is not None
    conditions = ["r.event_date > $start", "r.event_date <= $as_of"]
    if indicator.where:
        conditions.append(f"({indicator.where})")
    if indicator.ages is not None:
        low, high = indicator.ages
        age = "date_sub('year', r.dob, r.event_date)"
        conditions.append(f"r.dob is not null and {age} >= {low} and {age} < {high}")
    source = indicator.source.replace("'", "''")
    hits = f"""
        select c.cluster_id, '{indicator.id}' as indicator, r.unique_id, r.event_date
        from (select r.*{_field_columns(store, indicator.source)}
              from linkage_records r where r.source = '{source}') r
        join linkage_clusters c using (unique_id)
        where {" and ".join(conditions)}
    """
    if indicator.min_count == 1:
        return hits
    return f"""
        select * from ({hits}) h
        qualify count(*) over (partition by h.cluster_id) >= {indicator.min_count}
    """


def _sibling_sql(indicator: Indicator) -> str:
    """SQL for 'another child at the same address is known to social care'.

    The person's address is that of their latest partner record in the window; it matches a
    social care record at the same postcode and first address line that belongs to somebody
    else. The social care record is the evidence.

    "Somebody else" is another cluster that is not plainly the same child left unlinked: a
    social care record with the person's date of birth and a similar forename (Jaro-Winkler
    0.85 or more), or with forename and surname swapped, is taken to be the child's own record,
    not a sibling's. Twins share a date of birth but not a forename, so they still count.
    """
    same = "jaro_winkler_similarity(coalesce(lower({a}), ''), coalesce(lower({b}), '')) >= 0.85"
    own_record = (
        f"(s.dob = l.dob and ({same.format(a='s.forename', b='l.forename')}"
        f" or ({same.format(a='s.forename', b='l.surname')}"
        f" and {same.format(a='s.surname', b='l.forename')})))"
    )
    return f"""
        select l.cluster_id, '{indicator.id}' as indicator, s.unique_id, l.event_date
        from (
            select c.cluster_id, r.postcode, r.address, r.event_date, r.dob, r.forename,
                   r.surname
            from linkage_records r join linkage_clusters c using (unique_id)
            where r.source <> '{SOCIAL_CARE}' and r.postcode is not null
              and r.address is not null
              and r.event_date > $start and r.event_date <= $as_of
            qualify row_number() over (
                partition by c.cluster_id order by r.event_date desc, r.unique_id) = 1
        ) l
        join linkage_records s
          on s.source = '{SOCIAL_CARE}' and s.postcode = l.postcode and s.address = l.address
        join linkage_clusters sc on sc.unique_id = s.unique_id
        where sc.cluster_id <> l.cluster_id and not coalesce({own_record}, false)
    """


def _check(store: Store, indicator: Indicator, sql: str, start: date, as_of: date) -> None:
    """Run the indicator's query once on its own, so a bad ``where`` fails by name.

    Run in full, not just planned: a cast that fails on some value only fails when run.
    """
    try:
        store.execute(f"select count(*) from ({sql})", {"start": start, "as_of": as_of})
    except BackendError as exc:
        first = str(exc.cause).strip().splitlines()[0]
        raise ConfigError(f"indicator {indicator.id}: {first}") from None
