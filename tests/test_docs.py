"""The docs that describe the code stay true to it: the layout lists in the README and
docs/development.md, the rule tables in docs/validation-rules.md and the measures table in
docs/measures.md. Each is checked both ways: nothing in the code is missing from the doc, and
nothing in the doc is missing from the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from turnaround.measures.registry import markdown_table, measures
from turnaround.returns.rules import RULES, Rule

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "turnaround"
LAYOUT_DOCS = (ROOT / "README.md", ROOT / "docs" / "development.md")

# A layout line: indentation (two spaces a level), a folder (ending /) or a module (.py), then
# what it is for after at least two spaces. Longer descriptions continue on deeper lines.
_ENTRY = re.compile(r"^(?P<indent> *)(?P<name>[A-Za-z_][\w.]*(?:/|\.py))(?: {2,}(?P<what>\S.*))?$")
_CONTINUATION_INDENT = 8


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of the same or higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n") if heading + "\n" in text else text.index(heading)
    body = text[start + len(heading) :]
    following = re.search(rf"^#{{1,{len(level)}}} ", body, flags=re.MULTILINE)
    return body[: following.start()] if following else body


def layout_entries(text: str) -> dict[str, str]:
    """Every path the Layout section's tree lists (``turnaround/returns/read``), with its note."""
    layout = section(text, "## Layout")
    block = re.search(r"^```\n(.*?)^```", layout, flags=re.MULTILINE | re.DOTALL)
    assert block, "the Layout section has no ``` block listing the tree"
    entries: dict[str, str] = {}
    parents: list[str] = []
    last: str | None = None
    for line in block[1].splitlines():
        if not line.strip():
            continue
        entry = _ENTRY.match(line)
        if entry is None:
            indent = len(line) - len(line.lstrip(" "))
            assert last is not None and indent >= _CONTINUATION_INDENT, f"cannot read {line!r}"
            entries[last] += " " + line.strip()
            continue
        depth, rest = divmod(len(entry["indent"]), 2)
        assert rest == 0 and depth <= len(parents), f"badly indented: {line!r}"
        parents = parents[:depth]
        name = entry["name"].removesuffix("/")
        last = "/".join([*parents, name])
        assert last not in entries, f"{last} is listed twice"
        entries[last] = entry["what"] or ""
        if entry["name"].endswith("/"):
            parents.append(name)
    return entries


def package_tree() -> set[str]:
    """Every package (a folder with an __init__.py) and top-level module, as the docs name them."""
    found = {f"turnaround/{p.name}" for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    for folder, _dirs, files in os.walk(PACKAGE):  # does not follow the vendor-assets symlink
        path = Path(folder)
        if path != PACKAGE and "__init__.py" in files:
            found.add(f"turnaround/{path.relative_to(PACKAGE).as_posix()}")
    return found


def test_the_layout_parser_reads_nesting_and_continuations() -> None:
    text = (
        "## Layout\n\nIntro.\n\n```\nturnaround/\n  a.py        one\n  pkg/        two\n"
        "                and more\n    sub/      three\n  other/      four\ntests/  five\n```\n"
        "## Next\n"
    )
    assert layout_entries(text) == {
        "turnaround": "",
        "turnaround/a.py": "one",
        "turnaround/pkg": "two and more",
        "turnaround/pkg/sub": "three",
        "turnaround/other": "four",
        "tests": "five",
    }


@pytest.mark.parametrize("doc", LAYOUT_DOCS, ids=lambda p: p.name)
def test_the_layout_lists_every_package_and_nothing_else(doc: Path) -> None:
    entries = layout_entries(doc.read_text(encoding="utf-8"))
    listed = {path for path in entries if path.startswith("turnaround/")}
    tree = package_tree()
    assert not tree - listed, f"{doc.name} does not list {sorted(tree - listed)}"
    assert not listed - tree, f"{doc.name} lists {sorted(listed - tree)}, not in the tree"
    for path in listed:
        assert entries[path].strip(), f"{doc.name} does not say what {path} is for"
    for path in set(entries) - listed - {"turnaround"}:
        assert (ROOT / path).exists(), f"{doc.name} lists {path}, which does not exist"


# --- docs/validation-rules.md ---------------------------------------------------------------

RULE_SECTIONS = {"ssda903": "## SSDA903", "cin": "## CIN census"}


def table_rows(text: str) -> list[list[str]]:
    """The cells of every row of the first Markdown table in ``text`` (header and rule left out)."""
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    rows = []
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def rule_section(kind: str) -> tuple[str, str]:
    """The heading line and body of the rule table section for one return kind."""
    text = (ROOT / "docs" / "validation-rules.md").read_text(encoding="utf-8")
    start = text.index(RULE_SECTIONS[kind])
    heading = text[start:].splitlines()[0]
    return heading, section(text, heading)


def expected_notes(rule: Rule) -> list[str]:
    """What the Notes cell must say about a rule's reach, from the registry."""
    notes = []
    if rule.cross_year:
        notes.append("needs last year's return")
    if rule.severity != "error":
        notes.append(rule.severity)
    first, last = rule.years
    if first > 2000:  # the registry's "always" is 2000
        notes.append(f"from {first}")
    if last is not None:
        notes.append(f"until {last}")
    return notes


@pytest.mark.parametrize("kind", sorted(RULE_SECTIONS))
def test_the_rule_table_is_the_registry(kind: str) -> None:
    heading, body = rule_section(kind)
    registered = {r.code: r for r in RULES.values() if r.kind == kind}
    rows = table_rows(body)
    documented = [row[0] for row in rows]
    assert len(documented) == len(set(documented)), f"{kind}: a code is listed twice"
    missing, extra = set(registered) - set(documented), set(documented) - set(registered)
    assert not missing, f"{kind}: registered but not in the doc: {sorted(missing)}"
    assert not extra, f"{kind}: in the doc but not registered: {sorted(extra)}"
    assert f"({len(registered)} rules)" in heading, f"{heading!r}: {len(registered)} rules"
    for code, message, fields, tables, notes in rows:
        rule = registered[code]
        assert message == rule.message.strip(), f"{kind} {code}: the message differs"
        assert fields == ", ".join(rule.fields), f"{kind} {code}: the fields differ"
        assert tables == ", ".join(rule.tables), f"{kind} {code}: the tables differ"
        for note in expected_notes(rule):
            assert note in notes, f"{kind} {code}: the notes do not say {note!r}"
        if "needs last year's return" in notes:
            assert rule.cross_year, f"{kind} {code} is not a cross-year rule"
        said = re.search(r"\bfrom (\d{4})\b", notes)
        if said:
            assert int(said[1]) == rule.years[0], f"{kind} {code}: in force from {rule.years[0]}"


# --- docs/measures.md -----------------------------------------------------------------------


def test_the_measures_table_is_the_registry() -> None:
    text = (ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
    body = section(text, "## The measures")
    table = "\n".join(ln for ln in body.splitlines() if ln.startswith("|")) + "\n"
    assert table == markdown_table(), "regenerate the table: markdown_table() in measures/registry"
    ids = [row[0].strip("`") for row in table_rows(body)]
    assert ids == [m.id for m in measures()]
