"""The package's boundaries, checked on the source: who may import what, and who holds the store.

- Nothing outside the generator imports it, except the demo and the commands that run it: the
  product must work on a council's own files with the generator deleted.
- Only ``turnaround.store`` holds the DuckDB connection: every other stage goes through the
  backend's methods, so each failure is a ``BackendError`` naming its step and carrying its SQL.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "turnaround"
MAY_IMPORT_SYNTH = {"synth", "demo.py", "cli/synth.py", "cli/demo.py"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            if node.module == "turnaround":
                found += [(node.lineno, f"turnaround.{alias.name}") for alias in node.names]
    return found


def _allowed_synth(relative: str) -> bool:
    return relative in MAY_IMPORT_SYNTH or relative.split("/")[0] in MAY_IMPORT_SYNTH


def test_nothing_outside_the_generator_imports_it() -> None:
    offenders = []
    for path in _modules():
        relative = _relative(path)
        if _allowed_synth(relative):
            continue
        for line, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "turnaround.synth" or name.startswith("turnaround.synth."):
                offenders.append(f"{relative}:{line} imports {name}")
    assert offenders == []


def test_only_the_store_touches_the_connection() -> None:
    offenders = []
    for path in _modules():
        relative = _relative(path)
        if relative.startswith("store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("con", "_con"):
                offenders.append(f"{relative}:{node.lineno} uses .{node.attr}")
    assert offenders == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from turnaround.synth.identity import nhs_check\n", True),
        ("import turnaround.synth\n", True),
        ("from turnaround import synth\n", True),
        ("from turnaround.core import identifiers\n", False),
    ],
)
def test_the_import_check_sees_every_form(source: str, caught: bool) -> None:
    names = [name for _, name in _imports(ast.parse(source))]
    assert (
        any(n == "turnaround.synth" or n.startswith("turnaround.synth.") for n in names) is caught
    )
