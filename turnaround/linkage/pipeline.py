"""Linkage as a stage over the store: load the sources, then link them into people.

``load_sources`` reads each partner extract (and the council's own person export) with its
mapping, standardises it and replaces ``linkage_records`` in one transaction, so a bad file
leaves the store as it was. ``run_linkage`` reads those records back, trains a model without
labels, links and clusters, and writes ``linkage_runs``, ``linkage_pairs``,
``linkage_clusters`` and ``linkage_known`` in one transaction.
"""

from __future__ import annotations

import gc
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from turnaround.access import Actor, loading, use_case
from turnaround.errors import InputError, NotFound
from turnaround.linkage.link import known_children, link_records, train_model
from turnaround.linkage.model import STANDARD_COLUMNS
from turnaround.linkage.settings import MATCH_THRESHOLD
from turnaround.linkage.sources import SourceMapping
from turnaround.linkage.standardise import read_source
from turnaround.store import Store

Progress = Callable[[str, int, int], None]
Backend = Literal["duckdb", "spark"]

STORE_PAIRS_ABOVE = 0.5
"""Pairs scored below this are not stored: they explain nothing about who is who."""

KIND = "linkage"


def _quiet(step: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


def release_memory() -> None:
    """Hand memory freed between steps back to the system.

    Arrow's allocator keeps freed blocks for reuse; at Birmingham scale that held about a
    gigabyte from one step into the next and pushed the peak past 4 GB.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()


@dataclass(frozen=True)
class LoadedSources:
    """What ``load_sources`` loaded: records per source, and the load's id."""

    load_id: str
    counts: dict[str, int]

    @property
    def records(self) -> int:
        """All records loaded."""
        return sum(self.counts.values())


def load_sources(
    store: Store,
    sources: Sequence[tuple[Path, SourceMapping, date | None]],
    *,
    actor: Actor,
    progress: Progress = _quiet,
) -> LoadedSources:
    """Standardise every source and replace the store's linkage records with them, atomically.

    ``sources`` is ``(csv_path, mapping, fixed_event_date)`` per source, as
    ``sources.city_sources`` gives for a synthetic city. Two files for one source are refused.
    """
    with loading(store, actor, "linkage records", step="loading partner records") as acting:
        records = _read_sources(sources, progress)
        load_id = str(records["load_id"].iloc[0])
        with store.registered("_records", pa.Table.from_pandas(records, preserve_index=False)):
            store.execute("delete from linkage_records")
            store.execute("delete from loads where kind = ?", [KIND])
            store.execute("insert into linkage_records by name select * from _records")
        store.execute(
            "insert into loads (load_id, kind, year, source, rows_loaded, loaded_by) "
            "values (?, ?, null, ?, ?, ?)",
            [
                load_id,
                KIND,
                ", ".join(str(p) for p, _, _ in sources),
                len(records),
                acting.user.username,
            ],
        )
        acting.target = f"linkage records: {len(records)} from {len(sources)}"
    counts = records.groupby("source").size().astype(int).to_dict()
    del records
    release_memory()
    return LoadedSources(load_id, {str(k): int(v) for k, v in counts.items()})


def _read_sources(
    sources: Sequence[tuple[Path, SourceMapping, date | None]], progress: Progress
) -> pd.DataFrame:
    """Every source read and standardised into one frame, stamped with the load's id."""
    names = [mapping.source for _, mapping, _ in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"more than one file for source {', '.join(repeated)}")
    frames = []
    digest = hashlib.sha256()
    for done, (path, mapping, event_date) in enumerate(sources):
        progress(f"reading {mapping.source}", done, len(sources))
        frame = read_source(path, mapping, event_date=event_date, with_fields=True)
        frames.append(frame)
        digest.update(f"{path}:{len(frame)}".encode())
    progress("storing records", len(sources), len(sources))
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if records.empty:
        raise InputError("no records in any source")
    twice = records["unique_id"].duplicated()
    if twice.any():
        first = records[twice].iloc[0]
        path = next(p for p, m, _ in sources if m.source == first["source"])
        raise InputError(
            f"record id {first['record_id']!r} appears more than once "
            f"({int(twice.sum()):,} repeated ids); each record needs its own id",
            path=path,
        )
    load_id = f"{KIND}-{digest.hexdigest()[:12]}"
    records["load_id"] = load_id
    return records


def stored_records(store: Store) -> pd.DataFrame:
    """The standardised records in the store, in ``STANDARD_COLUMNS`` (NotFound if none)."""
    table = store.fetch_arrow(
        f"select {', '.join(STANDARD_COLUMNS)} from linkage_records order by unique_id"
    )
    if table.num_rows == 0:
        raise NotFound("no partner records in the store: run 'turnaround link' with the sources")
    return table.to_pandas(
        types_mapper={
            pa.string(): pd.StringDtype("pyarrow"),
            pa.date32(): pd.ArrowDtype(pa.date32()),
        }.get
    )


@dataclass(frozen=True)
class LinkageRun:
    """One linkage run's counts and where its outputs are."""

    run_id: str
    backend: str
    threshold: float
    records: int
    clusters: int
    known: int
    model: dict[str, Any]


def run_linkage(
    store: Store,
    *,
    backend: Backend = "duckdb",
    threshold: float = MATCH_THRESHOLD,
    actor: Actor,
    progress: Progress = _quiet,
) -> LinkageRun:
    """Train, link and cluster the stored records, and replace the linkage tables atomically."""
    with use_case(
        store, actor, "load-data", "linkage run", step="linking partner records"
    ) as acting:
        run = _link(store, backend, threshold, acting.user.username, progress)
        acting.target = f"linkage run {run.run_id}: {run.records} records, {run.clusters} people"
    progress("done", 3, 3)
    return run


def _link(
    store: Store, backend: Backend, threshold: float, user: str, progress: Progress
) -> LinkageRun:
    started = datetime.now(UTC)
    records = stored_records(store)
    progress("training the model", 0, 3)
    model = train_model(records, backend=backend)
    release_memory()
    progress("scoring and clustering pairs", 1, 3)
    pairs, clusters = link_records(records, model, threshold=threshold, backend=backend)
    release_memory()
    known = known_children(records, pairs, clusters)
    progress("storing people", 2, 3)
    run = LinkageRun(
        run_id=f"link-{uuid.uuid4().hex[:12]}",
        backend=backend,
        threshold=threshold,
        records=len(records),
        clusters=int(clusters["cluster_id"].nunique()),
        known=int(known["cluster_id"].nunique()),
        model=model,
    )
    # Every pair that holds a person together is kept, whatever the threshold.
    kept = pairs[pairs["match_probability"] >= min(STORE_PAIRS_ABOVE, threshold)]
    del records, pairs
    release_memory()
    outputs = {"linkage_pairs": kept, "linkage_clusters": clusters, "linkage_known": known}
    with store.transaction("storing linkage") as db:
        for table in (*outputs, "linkage_runs"):
            db.execute(f"delete from {table}")
        for table, frame in outputs.items():
            with db.registered("_out", pa.Table.from_pandas(frame, preserve_index=False)):
                db.execute(f"insert into {table} by name select * from _out")
        db.execute(
            "insert into linkage_runs (run_id, started_at, finished_at, backend, threshold, "
            "records, clusters, known, model, run_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                started,
                datetime.now(UTC),
                backend,
                threshold,
                run.records,
                run.clusters,
                run.known,
                json.dumps(model),
                user,
            ],
        )
    return run
