"""Worklist entries with names and the evidence behind them, for an authorised reviewer.

This is the only place the worklist meets names. ``view_worklist``, ``view_worklist_person``
and ``export_worklist`` are use cases (``access.use_case``): each checks the actor's role and
writes one audit record per view or export: who, when, from where, what (how many entries,
which person, which file) and why. The CSV has one row per child;
the workbook adds a sheet with one row per record behind each indicator, and a sheet that says
how to read it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import xlsxwriter

from turnaround.access import Actor, use_case
from turnaround.errors import InputError, NotFound
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.risk.indicators import IndicatorConfig, load_indicators
from turnaround.store import Store

DEFAULT_TOP = 200
"""About what a multi-agency safeguarding hub can review in a month."""


@dataclass(frozen=True)
class Evidence:
    """One record behind a fired indicator."""

    source: str
    record_id: str
    event_date: date | None


@dataclass(frozen=True)
class Fired:
    """An indicator that fired for a child, and the records that show it."""

    indicator: str
    label: str
    weight: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Entry:
    """One child on the worklist, as a reviewer sees them."""

    rank: int
    person: str
    forename: str | None
    surname: str | None
    dob: date | None
    sex: str | None
    postcode: str | None
    score: float
    identity_confidence: float
    involvement: str
    child_id: str | None
    care_match_probability: float | None
    records: int
    sources: str
    latest_event: date | None
    fired: tuple[Fired, ...] = field(default_factory=tuple)

    @property
    def why(self) -> str:
        """The explanation in one line: each indicator with its weight and how many records."""
        return "; ".join(
            f"{f.label} (+{f.weight:g}, {_records(len(f.evidence))})" for f in self.fired
        )

    @property
    def evidence_text(self) -> str:
        """The records behind the indicators, each once, as 'source record_id date' items."""
        seen = dict.fromkeys(e for f in self.fired for e in f.evidence)
        return "; ".join(f"{e.source} {e.record_id} {e.event_date or ''}".strip() for e in seen)


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


def decided_people(store: Store) -> set[str]:
    """The person references a reviewer has recorded a decision on (they leave the worklist)."""
    if not store.table_exists("worklist_decisions"):
        return set()
    rows = store.fetchall("select person from worklist_decisions")
    return {str(r[0]) for r in rows}


def _chosen_clusters(
    store: Store, top: int | None, include_decided: bool, person: str | None
) -> list[str]:
    """The cluster ids to show, by rank: decided people left out unless asked for."""
    ranked = [
        str(r[0])
        for r in store.fetchall("select cluster_id from unknown_worklist order by rank, cluster_id")
    ]
    if person is not None:
        ranked = [c for c in ranked if person_reference(c) == person]
    if not include_decided:
        decided = decided_people(store)
        if decided:
            ranked = [c for c in ranked if person_reference(c) not in decided]
    return ranked if top is None else ranked[: max(int(top), 0)]


def worklist_entries(
    store: Store,
    *,
    top: int | None = DEFAULT_TOP,
    config: IndicatorConfig | None = None,
    include_decided: bool = False,
    person: str | None = None,
) -> list[Entry]:
    """The top ``top`` entries (all if None), with names, dates and evidence.

    A person a reviewer has recorded a decision on leaves the list unless ``include_decided``;
    the others keep their rank. ``person`` (a reference such as ``P-0A1B2C3D4E``) picks one.
    Call this only behind ``view_worklist`` or ``export_worklist``, which check and audit.
    """
    config = config or load_indicators()
    labels = {i.id: (i.label, i.weight) for i in config.indicators}
    clusters = _chosen_clusters(store, top, include_decided, person)
    if not clusters:
        return []
    rows = store.fetchall(
        f"""
        with w as (
            select * from unknown_worklist where cluster_id in (select unnest($clusters))
        ),
        named as (
            select c.cluster_id,
                   mode(r.forename) filter (where r.forename is not null) as forename,
                   mode(r.surname) filter (where r.surname is not null) as surname,
                   mode(r.dob) filter (where r.dob is not null) as dob,
                   mode(r.sex) filter (where r.sex is not null) as sex,
                   arg_max(r.postcode, r.event_date)
                       filter (where r.postcode is not null and r.source <> '{SOCIAL_CARE}')
                       as postcode
            from linkage_clusters c join linkage_records r using (unique_id)
            where c.cluster_id in (select cluster_id from w)
            group by c.cluster_id
        )
        select w.rank, w.cluster_id, n.forename, n.surname, n.dob, n.sex, n.postcode, w.score,
               w.identity_confidence, w.involvement, w.child_id, w.care_match_probability,
               w.records, w.sources, w.latest_event
        from w join named n using (cluster_id) order by w.rank
        """,
        {"clusters": clusters},
        step="reading the worklist",
    )
    hits = store.fetchall(
        """
        select h.cluster_id, h.indicator, r.source, r.record_id, r.event_date
        from risk_hits h join linkage_records r using (unique_id)
        where h.cluster_id in (select unnest($clusters))
        order by h.cluster_id, h.indicator, r.event_date desc nulls last, r.record_id
        """,
        {"clusters": clusters},
        step="reading the worklist's evidence",
    )
    evidence: dict[str, dict[str, list[Evidence]]] = {}
    for cluster_id, indicator, source, record_id, when in hits:
        evidence.setdefault(cluster_id, {}).setdefault(indicator, []).append(
            Evidence(source, record_id, when)
        )
    entries = []
    for row in rows:
        cluster_id = row[1]
        fired = [
            Fired(ind, labels.get(ind, (ind, 0.0))[0], labels.get(ind, (ind, 0.0))[1], tuple(ev))
            for ind, ev in evidence.get(cluster_id, {}).items()
        ]
        fired.sort(key=lambda f: (-f.weight, f.indicator))
        entries.append(
            Entry(
                rank=int(row[0]),
                person=person_reference(cluster_id),
                forename=row[2],
                surname=row[3],
                dob=row[4],
                sex=row[5],
                postcode=row[6],
                score=float(row[7]),
                identity_confidence=float(row[8]),
                involvement=row[9],
                child_id=row[10],
                care_match_probability=None if row[11] is None else float(row[11]),
                records=int(row[12]),
                sources=row[13],
                latest_event=row[14],
                fired=tuple(fired),
            )
        )
    return entries


def person_reference(cluster_id: str) -> str:
    """A short reference for a linked person that carries no record id (stable per run)."""
    return "P-" + hashlib.blake2b(cluster_id.encode(), digest_size=5).hexdigest().upper()


def _require_worklist(store: Store) -> None:
    if not store.scalar("select count(*) from unknown_worklist"):
        raise NotFound("the worklist is empty or not built: run 'turnaround unknown'")


Memo = Callable[[Hashable, Callable[[], list[Entry]]], list[Entry]]
"""A cache a caller may lend (the web app's), called as ``memo(key, compute)``."""


def view_worklist(
    store: Store,
    actor: Actor,
    *,
    top: int | None = DEFAULT_TOP,
    reason: str | None = None,
    memo: Memo | None = None,
) -> list[Entry]:
    """The entries for an authorised actor (``view-worklist``); every view is audited.

    ``memo`` lets a caller serve the entries from its own cache; the check and the audit
    record happen on every call all the same.
    """
    with use_case(store, actor, "view-worklist", "unknown worklist", reason=reason) as acting:
        _require_worklist(store)

        def compute() -> list[Entry]:
            return worklist_entries(store, top=top)

        entries = compute() if memo is None else memo(("worklist", top), compute)
        acting.target = f"unknown worklist: {len(entries)} entries"
    return entries


@dataclass(frozen=True)
class SourceRecord:
    """One partner record behind a fired indicator, with the fields the record gave."""

    source: str
    record_id: str
    event_date: date | None
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PersonView:
    """One child on the worklist, and the records behind their indicators."""

    entry: Entry
    records: tuple[SourceRecord, ...]


def view_worklist_person(
    store: Store, actor: Actor, person: str, *, reason: str | None = None
) -> PersonView:
    """One person on the worklist (decided or not) with their records (``view-worklist``)."""
    with use_case(
        store, actor, "view-worklist", f"worklist person {person}", reason=reason
    ) as acting:
        found = worklist_entries(store, top=None, include_decided=True, person=person)
        if not found:
            raise NotFound(f"no person {person} on the worklist")
        entry = found[0]
        acting.target = f"worklist person {entry.person}"
        return PersonView(entry, tuple(_source_records(store, entry)))


def _source_records(store: Store, entry: Entry) -> list[SourceRecord]:
    """The records behind the fired indicators: agency, date and the fields the record gave."""
    wanted = {(e.source, e.record_id) for f in entry.fired for e in f.evidence}
    if not wanted:
        return []
    rows = store.fetchall(
        "select source, record_id, event_date, fields from linkage_records"
        " where record_id in (select unnest($ids))"
        " order by event_date desc nulls last, source, record_id",
        {"ids": sorted({r for _, r in wanted})},
        step="reading a person's records",
    )
    records = []
    seen: set[tuple[str, str]] = set()
    for source, record_id, when, fields in rows:
        if (source, record_id) not in wanted or (source, record_id) in seen:
            continue
        seen.add((source, record_id))
        records.append(SourceRecord(source, record_id, when, _fields(fields)))
    return records


def _fields(text: str | None) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return (("record", str(text)),)
    if isinstance(data, dict):
        return tuple((str(k), "" if v is None else str(v)) for k, v in data.items())
    return (("record", str(data)),)


CSV_COLUMNS = (
    "rank", "person", "forename", "surname", "dob", "sex", "postcode", "score",
    "identity_confidence", "involvement", "social_care_child_id", "care_match_probability",
    "records", "sources", "latest_event", "why", "evidence",
)  # fmt: skip


def _csv_row(e: Entry) -> list[object]:
    return [
        e.rank, e.person, e.forename, e.surname, e.dob, e.sex, e.postcode, f"{e.score:g}",
        f"{e.identity_confidence:.3f}", e.involvement, e.child_id,
        "" if e.care_match_probability is None else f"{e.care_match_probability:.3f}",
        e.records, e.sources, e.latest_event, e.why, e.evidence_text,
    ]  # fmt: skip


def write_csv(entries: list[Entry], path: Path) -> Path:
    """One row per child, with the explanation and its evidence as text."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            writer.writerow(["" if v is None else v for v in _csv_row(entry)])
    return path


def write_xlsx(entries: list[Entry], path: Path, config: IndicatorConfig | None = None) -> Path:
    """A workbook: the worklist, the evidence (one row per record), and how to read it."""
    config = config or load_indicators()
    book = xlsxwriter.Workbook(str(path))
    try:
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        when = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        sheet = book.add_worksheet("Worklist")
        sheet.write_row(0, 0, CSV_COLUMNS, bold)
        for r, entry in enumerate(entries, start=1):
            for c, value in enumerate(_csv_row(entry)):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, when)
                elif value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write(r, c, value, wrap if c >= 15 else None)
        sheet.freeze_panes(1, 4)
        sheet.autofilter(0, 0, max(len(entries), 1), len(CSV_COLUMNS) - 1)
        sheet.set_column(0, 14, 14)
        sheet.set_column(15, 16, 60)
        detail = book.add_worksheet("Evidence")
        detail.write_row(0, 0, ("rank", "person", "indicator", "weight", "source", "record_id",
                                "event_date"), bold)  # fmt: skip
        row = 1
        for entry in entries:
            for fired in entry.fired:
                for ev in fired.evidence:
                    detail.write_row(
                        row,
                        0,
                        (
                            entry.rank,
                            entry.person,
                            fired.label,
                            fired.weight,
                            ev.source,
                            ev.record_id,
                        ),
                    )
                    if ev.event_date is not None:
                        detail.write_datetime(row, 6, ev.event_date, when)
                    row += 1
        detail.set_column(0, 1, 10)
        detail.set_column(2, 2, 55)
        detail.set_column(3, 6, 16)
        guide = book.add_worksheet("How to read this")
        guide.set_column(0, 0, 30)
        guide.set_column(1, 3, 60)
        lines = [
            ("What this is", "Children whose partner agency records show risk indicators in "
             "the last months, and who have no social care record, or whose contact or "
             "referral was closed without an assessment. A person reviews every entry: this "
             "list is a prompt to look, not a decision."),
            ("involvement", "How far social care went: none; contact; referral closed "
             "without assessment; referral open without assessment. A child first known "
             "before the loaded returns begin is left off the list."),
            ("score", "The sum of the weights of the indicators that fired (below)."),
            ("identity_confidence", "How sure the linkage is that these records are one child: "
             "the weakest match holding them together (1 = a single record)."),
            ("care_match_probability", "For a child matched to a social care record, how sure "
             "that match is."),
            ("Confidentiality", "Identifiable data about children. Do not forward. Your export "
             "was recorded in the audit log."),
        ]  # fmt: skip
        for r, (term, text) in enumerate(lines):
            guide.write(r, 0, term, bold)
            guide.write(r, 1, text, wrap)
        start = len(lines) + 1
        guide.write_row(start, 0, ("Indicator", "Label", "Why", "Weight"), bold)
        for r, ind in enumerate(config.indicators, start=start + 1):
            guide.write_row(r, 0, (ind.id, ind.label, ind.why, ind.weight), wrap)
    finally:
        book.close()
    return path


def export_worklist(
    store: Store,
    actor: Actor,
    path: Path | str,
    *,
    top: int | None = DEFAULT_TOP,
    reason: str | None = None,
) -> Path:
    """Export the worklist as CSV or xlsx (by the file's suffix); checked and audited."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("the worklist exports as .csv or .xlsx", path=target)
    with use_case(
        store, actor, "export-worklist", f"unknown worklist to {target.name}", reason=reason
    ) as acting:
        _require_worklist(store)
        entries = worklist_entries(store, top=top)
        target.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            write_csv(entries, target)
        else:
            write_xlsx(entries, target)
        acting.target = f"unknown worklist: {len(entries)} entries to {target.name}"
    return target
