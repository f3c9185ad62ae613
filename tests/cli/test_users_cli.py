"""``turnaround users``: the first administrator, then only administrators manage users."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from turnaround.store import open_store


def _run(workspace: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnaround", "--workspace", str(workspace), "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def _audit(workspace: Path) -> list[tuple[object, ...]]:
    store = open_store(workspace / "turnaround.duckdb")
    try:
        return store.fetchall("select username, action, target, origin from audit_log")
    finally:
        store.close()


def test_users_bootstraps_an_administrator_then_refuses_anyone_else(tmp_path: Path) -> None:
    password = "correct horse battery\n"
    first = _run(tmp_path, "add", "ana", "--role", "analyst", "--password-stdin", stdin=password)
    assert first.returncode == 1
    assert "first user must be an administrator" in first.stderr

    root = _run(
        tmp_path, "add", "root", "--role", "administrator", "--password-stdin", stdin=password
    )
    assert root.returncode == 0, root.stderr
    added = _run(
        tmp_path,
        "add", "ana", "--role", "analyst", "--password-stdin", "--user", "root",
        stdin=password,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    for args in (
        ("list", "--user", "ana"),
        ("add", "eve", "--role", "administrator", "--password-stdin", "--user", "ana"),
        ("set-role", "ana", "--role", "administrator", "--user", "ana"),
        ("list",),
    ):
        refused = _run(tmp_path, *args, stdin=password)
        assert refused.returncode == 1, args
        lines = [ln for ln in refused.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert "manage-users" in lines[0] or "needs a named user" in lines[0]

    short = _run(
        tmp_path, "add", "bo", "--role", "viewer", "--password-stdin", "--user", "root",
        stdin="short\n",
    )  # fmt: skip
    assert short.returncode == 1 and "at least 10 characters" in short.stderr

    listed = _run(tmp_path, "list", "--user", "root")
    assert listed.returncode == 0, listed.stderr
    assert "ana" in listed.stdout and "analyst" in listed.stdout and "eve" not in listed.stdout
    assert _audit(tmp_path) == [
        ("root", "manage-users", "user root as administrator", "cli"),
        ("root", "manage-users", "user ana as analyst", "cli"),
    ]
