"""The store: migrations recorded once, transactions all-or-nothing, errors wrapped."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from turnaround.errors import BackendError
from turnaround.store import Backend, open_store
from turnaround.store.store import bundled_migrations


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
        store.con.execute("insert into users (username, role) values ('bob', 'viewer')")
        store.con.execute("insert into users (username, role) values ('ann', 'viewer')")
    names = store.fetch_arrow("select username from users order by 1").column(0).to_pylist()
    assert names == ["ann"]


def test_python_error_inside_transaction_rolls_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb")
    with pytest.raises(ValueError), store.transaction("step"):
        store.con.execute("insert into users (username, role) values ('cy', 'viewer')")
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
