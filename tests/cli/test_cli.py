"""Every command has help ending with an example, expected errors are one line, and the root
group lists every command without importing it."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import typer
import typer.main
from typer.core import TyperGroup

import turnaround.cli
from turnaround.access import add_user
from turnaround.cli import app
from turnaround.cli.app import COMMANDS
from turnaround.store import open_store

# What a command may pull in only when it runs: each costs more than the CLI takes to start.
HEAVY = ("pandas", "splink", "matplotlib", "weasyprint", "fastapi", "pyarrow", "openpyxl")


def _commands() -> dict[str, object]:
    """Every runnable command by its full name ('synth', 'users add'), groups walked."""
    found: dict[str, object] = {}

    def walk(group: TyperGroup, ctx: typer.Context, prefix: str) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"{prefix}{name} is listed but cannot be loaded"
            full = f"{prefix}{name}"
            if isinstance(command, TyperGroup):
                walk(command, typer.Context(command, parent=ctx, info_name=name), f"{full} ")
            else:
                found[full] = command

    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    walk(root, typer.Context(root, info_name="turnaround"), "")
    return found


def _eager_root() -> TyperGroup:
    """The root group built after importing every command module, as an eager CLI would."""
    for module in pkgutil.iter_modules(turnaround.cli.__path__):
        importlib.import_module(f"turnaround.cli.{module.name}")
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return root


# Runs the CLI as ``python -m turnaround`` does, then writes every module it imported to a file.
_RECORD_MODULES = """
import atexit, json, sys
out, *argv = sys.argv[1:]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["turnaround", *argv]
from turnaround.cli import main
main()
"""


def _imported_by(tmp_path: Path, *argv: str) -> set[str]:
    """The modules a fresh ``turnaround ARGV`` imports by the time it exits."""
    record = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RECORD_MODULES, str(record), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(record.read_text(encoding="utf-8")))


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands()
    assert {"synth", "demo", "validate", "load", "users add"} <= set(commands)
    for name, command in commands.items():
        text = command.help or ""  # type: ignore[attr-defined]
        assert text.strip(), f"{name} has no help"
        assert f"Example: turnaround {name}" in text, f"{name} help has no example"


def test_every_command_is_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in _commands():
        assert f"turnaround {name}" in docs, f"docs/cli.md does not describe {name}"


def test_bad_option_value_is_one_clear_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "turnaround", "synth", "--children", "5", "--out", "/tmp/never"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "children" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_lazy_table_matches_the_commands_the_modules_define() -> None:
    root = _eager_root()
    ctx = typer.Context(root, info_name="turnaround")
    # Names only: the eager order is whichever module the test session happened to import first.
    assert sorted(root.commands) == sorted(COMMANDS), "the table's command names drifted"
    for name, lazy in COMMANDS.items():
        command = root.commands[name]
        real = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        assert lazy.help == real, f"the root's help line for {name} differs from its docstring"
        # the module named in the table is the one that defines the command
        defined_in = getattr(command.callback, "__module__", None)
        if isinstance(command, TyperGroup):
            defined_in = next(
                (
                    getattr(sub.callback, "__module__", None)
                    for sub in command.commands.values()
                    if sub.callback is not None
                ),
                None,
            )
        assert defined_in == lazy.module, f"{name} lives in {defined_in}, not {lazy.module}"
    assert root.list_commands(ctx) == list(COMMANDS)


def test_help_lists_every_command_without_importing_any(tmp_path: Path) -> None:
    imported = _imported_by(tmp_path, "--help")
    command_modules = {lazy.module for lazy in COMMANDS.values()}
    assert not imported & command_modules, imported & command_modules
    assert not {m for m in imported if m.split(".")[0] in HEAVY}


def test_help_shows_each_command_with_its_docstring_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "turnaround", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    assert done.returncode == 0, done.stderr
    for name, lazy in COMMANDS.items():
        first_words = " ".join(lazy.help.split()[:6])
        assert any(
            line.strip(" │").startswith(name) and first_words in line
            for line in done.stdout.splitlines()
        ), f"{name} is not listed with its help line"


def test_users_list_imports_only_its_own_command_module(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    store = open_store(workspace / "turnaround.duckdb")
    add_user(store, "root", "administrator")
    store.close()
    imported = _imported_by(
        tmp_path, "--workspace", str(workspace), "users", "list", "--user", "root"
    )
    others = {lazy.module for lazy in COMMANDS.values()} - {"turnaround.cli.users"}
    assert "turnaround.cli.users" in imported
    assert not imported & others, imported & others
    # Not even pandas: DuckDB's Python client imports it at a query's first bound parameter
    # (duckdb#18658), so the role check and the listing must bind none.
    heavy = {m for m in imported if m.split(".")[0] in HEAVY}
    assert not heavy, heavy


def test_a_mistyped_command_gets_a_suggestion() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "turnaround", "usrs"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "No such command 'usrs'. Did you mean 'users'?" in done.stderr


def test_an_unknown_command_is_refused_without_loading_anything() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    assert root.get_command(typer.Context(root, info_name="turnaround"), "no-such") is None
