"""The stage packages depend on each other one way only: no import cycle between them.

Every ``import`` in ``turnaround/`` (at module level or inside a function, since a deferred
import is still a dependency) is read with ``ast``; each module belongs to its top-level unit
(``turnaround.measures.summary`` to ``measures``, ``turnaround.demo`` to ``demo``). Any cycle
between units fails, naming one import on each edge so it can be found.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import turnaround

ROOT = Path(turnaround.__file__).resolve().parent


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name of a module file under ``root`` (the ``turnaround/`` folder)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """The absolute names of the turnaround modules that a module's code imports."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                if node.module:
                    yield ".".join([*base, node.module])
                else:  # ``from . import x``: x may be a module of the package
                    yield from (".".join([*base, alias.name]) for alias in node.names)
            elif node.module:
                yield node.module


def unit(module: str) -> str | None:
    """The stage a turnaround module belongs to (its top-level package or module)."""
    parts = module.split(".")
    if parts[0] != "turnaround" or len(parts) < 2:
        return None
    return parts[1]


def unit_graph(root: Path = ROOT) -> dict[str, dict[str, str]]:
    """Unit -> the units it imports, each with one importing module as the witness."""
    graph: dict[str, dict[str, str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        source = unit(module)
        if source is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = graph.setdefault(source, {})
        for name in imported(tree, module, path.name == "__init__.py"):
            target = unit(name)
            if target is not None and target != source:
                edges.setdefault(target, f"{module} imports {name}")
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one unit (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_stage_packages() -> None:
    graph = unit_graph()
    problems = []
    for group in cycles(graph):
        members = set(group)
        witnesses = [
            f"  {src} -> {dst}: {why}"
            for src in group
            for dst, why in sorted(graph[src].items())
            if dst in members
        ]
        problems.append(" <-> ".join(group) + "\n" + "\n".join(witnesses))
    assert not problems, "import cycles between stage packages:\n" + "\n".join(problems)


def test_the_budget_is_downstream_of_the_forecast() -> None:
    graph = unit_graph()
    assert "forecast" in graph["budget"]
    assert "budget" not in graph["forecast"]
    assert "measures" not in graph["benchmarks"]


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    for name, body in {
        "a/__init__.py": "",
        "a/x.py": "from turnaround.b import y\n",
        "b/__init__.py": "",
        "b/y.py": "def f():\n    from turnaround.a.x import z\n",
        "c.py": "from . import a\n",
    }.items():
        path = tmp_path / "turnaround" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    (tmp_path / "turnaround" / "__init__.py").write_text("")
    graph = unit_graph(tmp_path / "turnaround")
    assert cycles(graph) == [["a", "b"]]
    assert graph["c"] == {"a": "turnaround.c imports turnaround.a"}


@pytest.mark.parametrize(
    ("module", "is_package", "level", "target", "expected"),
    [
        ("turnaround.budget.run", False, 1, "costs", "turnaround.budget.costs"),
        ("turnaround.budget.run", False, 2, "forecast.run", "turnaround.forecast.run"),
        ("turnaround.budget", True, 1, "run", "turnaround.budget.run"),
    ],
)
def test_relative_imports_resolve(
    module: str, is_package: bool, level: int, target: str, expected: str
) -> None:
    tree = ast.Module(
        body=[ast.ImportFrom(module=target, names=[ast.alias(name="x")], level=level)],
        type_ignores=[],
    )
    assert list(imported(tree, module, is_package)) == [expected]
