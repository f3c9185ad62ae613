"""The store: migrations recorded once, transactions all-or-nothing, errors wrapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from turnaround.errors import BackendError
from turnaround.store import Backend, DuckDBBackend, Store, open_store
from turnaround.store.store import bundled_migrations, migrate
from turnaround.times import local_time


def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    store = open_store(path)
    versions = [m.version for m in bundled_migrations()]
    assert store.applied_versions() == versions
    store.close()
    again = open_store(path)
    assert again.migrate() == []
    assert again.applied_versions() == versions
    assert again.table_exists("audit_log")
    again.close()


def test_migration_numbers_are_unique_and_ordered() -> None:
    versions = [m.version for m in bundled_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


def test_failed_transaction_leaves_store_unchanged(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    store.execute("insert into users (username, role) values (?, ?)", ["ann", "analyst"])
    with pytest.raises(BackendError), store.transaction("loading users"):
        store.execute("insert into users (username, role) values ('bob', 'viewer')")
        store.execute("insert into users (username, role) values ('ann', 'viewer')")
    names = store.fetch_arrow("select username from users order by 1").column(0).to_pylist()
    assert names == ["ann"]


def test_python_error_inside_transaction_rolls_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValueError), store.transaction("step"):
        store.execute("insert into users (username, role) values ('cy', 'viewer')")
        raise ValueError("boom")
    assert store.fetch_arrow("select count(*) as n from users").column(0)[0].as_py() == 0


def test_backend_errors_name_the_step_and_keep_the_sql(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(BackendError) as info:
        store.fetch_arrow("select * from no_such_table", step="counting referrals")
    assert str(info.value).startswith("counting referrals failed:")
    assert info.value.sql == "select * from no_such_table"


def test_store_implements_the_backend_interface_with_arrow(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    assert isinstance(store, Backend)
    store.register("people", pa.table({"id": [1, 2, 3]}))
    assert store.table_exists("people")
    out = store.fetch_arrow("select sum(id) as s from people where id > ?", [1])
    assert out.column("s")[0].as_py() == 5


def _store_at_version_9(path: Path) -> None:
    """A workspace as it was before migration 0010, with naive times in its rows."""
    old = DuckDBBackend(path)
    migrate(old, up_to=9)
    old.execute(
        "insert into audit_log (occurred_at, username, action, target, origin) values"
        " ('2026-07-01 13:00:00', 'ann', 'load-data', 'ssda903 2026', 'cli'),"
        " ('2026-12-01 09:30:00', 'bob', 'view-worklist', 'worklist', 'web 10.0.0.1')"
    )
    old.execute(
        "insert into loads (load_id, kind, year, source, rows_loaded, loaded_at)"
        " values ('L1', 'ssda903', 2026, 'episodes.csv', 10, '2026-07-01 12:59:00')"
    )
    old.execute(
        "insert into users (username, role, created_at)"
        " values ('ann', 'analyst', '2026-01-02 08:00:00')"
    )
    old.execute(
        "insert into worklist_decisions (person, decision, reason, decided_by, decided_at)"
        " values ('P1', 'refer', 'school and police both concerned', 'ann', '2026-03-29 00:30:00')"
    )
    old.close()


def _column_types(store: Store, table: str) -> dict[str, str]:
    rows = store.fetchall(
        "select column_name, data_type from information_schema.columns where table_name = ?",
        [table],
        step=f"describing {table}",
    )
    return {name: kind for name, kind in rows}


def test_migration_0010_turns_naive_times_into_instants_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _store_at_version_9(path)
    old = DuckDBBackend(path)
    # The old times were written by a machine on UTC, as this one is.
    applied = migrate(old, written_zone="UTC", up_to=10)
    assert [m.version for m in applied] == [10]
    old.close()
    store = open_store(path)
    assert 10 in store.applied_versions()  # and any later migration, applied by open_store
    timed = {
        "audit_log": "occurred_at",
        "loads": "loaded_at",
        "users": "created_at",
        "plan_versions": "checked_in_at",
        "plan_progress_reports": "made_at",
        "worklist_decisions": "decided_at",
        "linkage_runs": "started_at",
        "schema_migrations": "applied_at",
    }
    for table, column in timed.items():
        assert _column_types(store, table)[column] == "TIMESTAMP WITH TIME ZONE", table
    assert _column_types(store, "linkage_runs")["finished_at"] == "TIMESTAMP WITH TIME ZONE"
    assert store.fetchall("select audit_id, occurred_at, username from audit_log order by 1") == [
        (1, datetime(2026, 7, 1, 13, 0, tzinfo=UTC), "ann"),
        (2, datetime(2026, 12, 1, 9, 30, tzinfo=UTC), "bob"),
    ]
    assert store.scalar("select loaded_at from loads") == datetime(2026, 7, 1, 12, 59, tzinfo=UTC)
    assert store.scalar("select created_at from users") == datetime(2026, 1, 2, 8, tzinfo=UTC)
    assert store.scalar("select decided_at from worklist_decisions") == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )
    # Defaults still stamp new rows, now with the instant.
    store.execute("insert into audit_log (username, action) values ('cy', 'view-plan')")
    newest = store.scalar("select occurred_at from audit_log where username = 'cy'")
    assert newest.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - newest) < timedelta(minutes=5)
    assert store.scalar("select count(*) from audit_log") == 3


def test_migration_0010_reads_old_times_in_the_zone_they_were_written_in(tmp_path: Path) -> None:
    path = tmp_path / "london.duckdb"
    _store_at_version_9(path)
    old = DuckDBBackend(path)
    migrate(old, written_zone="Europe/London")
    # 13:00 on 1 July was BST (UTC+1); 09:30 on 1 December was GMT.
    assert old.fetchall("select occurred_at from audit_log order by audit_id") == [
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC),),
        (datetime(2026, 12, 1, 9, 30, tzinfo=UTC),),
    ]
    # The backend is back on UTC once the migrations are done.
    assert old.scalar("select current_setting('TimeZone')") == "UTC"
    old.close()


def test_audit_rows_either_side_of_the_october_clock_change_stay_distinct(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    # 25 October 2026: the clocks go back at 02:00 BST, so 01:30 happens twice in London.
    first = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London"), fold=0)  # BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("Europe/London"), fold=1)  # GMT
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    store.executemany(
        "insert into audit_log (occurred_at, username, action, target) values (?, ?, ?, ?)",
        [[first, "ann", "view-worklist", "before"], [second, "ann", "view-worklist", "after"]],
        step="writing the audit log",
    )
    rows = store.fetchall(
        "select target, occurred_at from audit_log order by occurred_at", step="reading the audit"
    )
    assert [r[0] for r in rows] == ["before", "after"]
    assert rows[0][1] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert rows[1][1] == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert store.scalar("select count(distinct occurred_at) from audit_log") == 2
    # People read them on the London clock, and the zone tells the two apart.
    assert [local_time(r[1]) for r in rows] == ["25 Oct 2026 01:30 BST", "25 Oct 2026 01:30 GMT"]


def test_times_read_back_in_utc_whatever_the_machine_zone(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    store.execute(
        "insert into audit_log (occurred_at, action) values (?, 'x')",
        [datetime(2026, 7, 1, 12, tzinfo=UTC)],
    )
    scoped = store.cursor()
    try:
        # A cursor is a fresh DuckDB session; it must not fall back to the machine's zone.
        assert scoped.scalar("select current_setting('TimeZone')") == "UTC"
        assert scoped.scalar("select cast(occurred_at as varchar) from audit_log") == (
            "2026-07-01 12:00:00+00"
        )
    finally:
        scoped.close()
    assert store.fetchone("select occurred_at, 1 from audit_log where false") is None
    frame = store.fetch_df("select occurred_at from audit_log")
    assert str(frame["occurred_at"].dtype) == "datetime64[us, UTC]"


def test_a_time_zone_that_is_not_a_zone_name_is_refused(tmp_path: Path) -> None:
    from turnaround.errors import ConfigError

    store = open_store(tmp_path / "w.duckdb")
    with (
        pytest.raises(ConfigError, match="not a time zone name"),
        store.in_time_zone("UTC'; drop table users; --"),
    ):
        pass
    assert store.table_exists("users")
    with store.in_time_zone("Europe/London"):
        assert store.scalar("select current_setting('TimeZone')") == "Europe/London"
    assert store.scalar("select current_setting('TimeZone')") == "UTC"
