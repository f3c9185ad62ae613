"""Every command has help ending with an example, and expected errors are one line."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from turnaround.cli import app


def _commands() -> dict[str, object]:
    """Every runnable command by its full name ('synth', 'users add'), groups walked."""
    found: dict[str, object] = {}

    def walk(group: object, prefix: str) -> None:
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            full = f"{prefix}{name}"
            if hasattr(command, "commands"):
                walk(command, f"{full} ")
            else:
                found[full] = command

    walk(typer.main.get_command(app), "")
    return found


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
