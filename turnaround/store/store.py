"""The workspace store: migrations, transactions, and the audit of what was applied."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from turnaround.errors import BackendError
from turnaround.store.backend import DuckDBBackend

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered schema change shipped with the package."""

    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migrations shipped in ``turnaround/store/migrations``, in order."""
    found = []
    for entry in resources.files("turnaround.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise BackendError("reading migrations", ValueError(f"duplicate numbers in {versions}"))
    return found


class Store(DuckDBBackend):
    """The DuckDB file of one workspace, migrated to the newest schema on open."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(path, read_only=read_only)
        if not read_only:
            self.migrate()

    def applied_versions(self) -> list[int]:
        """Versions of the migrations already recorded in this store."""
        return _applied_versions(self)

    def migrate(self, *, up_to: int | None = None) -> list[Migration]:
        """Apply every bundled migration not yet recorded (up to ``up_to``), each atomically."""
        return migrate(self, up_to=up_to)


def migrate(
    backend: DuckDBBackend, *, up_to: int | None = None, written_zone: str | None = None
) -> list[Migration]:
    """Apply the bundled migrations a store lacks, up to version ``up_to``, each atomically.

    Migrations run in ``written_zone`` (by default the machine's own, which is what DuckDB
    wrote naive times in before 0010), so turning an old naive time into an instant keeps the
    instant it meant.
    """
    zone = written_zone or backend.machine_time_zone
    backend.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null,"
        " applied_at timestamptz not null default current_timestamp)",
        step="recording migrations",
    )
    done = set(_applied_versions(backend))
    applied = []
    for migration in bundled_migrations():
        if migration.version in done or (up_to is not None and migration.version > up_to):
            continue
        label = f"migration {migration.version:04d}_{migration.name}"
        with backend.in_time_zone(zone), backend.transaction(label):
            backend.execute(migration.sql, step=label)
            backend.execute(
                "insert into schema_migrations (version, name) values (?, ?)",
                [migration.version, migration.name],
                step=f"recording {label}",
            )
        applied.append(migration)
    return applied


def _applied_versions(backend: DuckDBBackend) -> list[int]:
    if not backend.table_exists("schema_migrations"):
        return []
    rows = backend.fetchall(
        "select version from schema_migrations order by version", step="reading migrations"
    )
    return [int(r[0]) for r in rows]


def open_store(path: Path | str, *, read_only: bool = False) -> Store:
    """Open (creating and migrating if need be) the store at ``path``."""
    return Store(path, read_only=read_only)
