"""Every measure, read once from the ``sql/*.sql`` files shipped with the package.

A measure file starts with a header of comment lines, one ``-- key: value`` per field of
``Measure``; a line that starts ``--`` followed by at least two spaces and no key continues the
field above it, so long definitions stay readable. The header ends at the first line that is
not a comment; the rest is the query. ``sources`` is a comma-separated list of
``table.column``; ``benchmark`` may be ``none``.

A header that is wrong (an unknown or repeated key, a missing key, an id that is not the file
name, an unknown value for ``better`` or ``unit``) raises ``ConfigError`` naming the file and
the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import cast, get_args

from turnaround.errors import ConfigError, NotFound
from turnaround.measures.model import Better, Measure, Unit

REQUIRED = ("id", "title", "definition", "numerator", "denominator", "better", "unit", "sources")
OPTIONAL = ("benchmark",)
_KEY_LINE = re.compile(r"^--\s?([a-z_]+):\s*(.*)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_measure(text: str, filename: str) -> Measure:
    """Read one measure file's header and query into a ``Measure``."""
    fields: dict[str, str] = {}
    lines_of: dict[str, int] = {}
    last_key: str | None = None
    lines = text.splitlines()
    body_start = len(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.rstrip()
        if not stripped.startswith("--"):
            if stripped == "" and not fields:
                continue
            body_start = number - 1
            break
        continuation = _CONTINUATION.match(stripped)
        key_line = _KEY_LINE.match(stripped)
        if continuation and last_key is not None:
            fields[last_key] += " " + continuation[1].strip()
        elif key_line:
            key, value = key_line[1], key_line[2].strip()
            if key not in REQUIRED and key not in OPTIONAL:
                raise ConfigError(f"{filename}, line {number}: unknown header key '{key}'")
            if key in fields:
                raise ConfigError(f"{filename}, line {number}: '{key}' is given twice")
            fields[key], lines_of[key], last_key = value, number, key
        elif stripped.strip("- ") == "":
            last_key = None
        else:
            raise ConfigError(
                f"{filename}, line {number}: a header line must be '-- key: value' "
                "or continue the line above after two spaces"
            )
    missing = [key for key in REQUIRED if not fields.get(key)]
    if missing:
        raise ConfigError(
            f"{filename}, line {body_start + 1}: header is missing {', '.join(missing)}"
        )
    stem = filename.removesuffix(".sql")
    if fields["id"] != stem or not _ID.match(fields["id"]):
        raise ConfigError(
            f"{filename}, line {lines_of['id']}: id '{fields['id']}' must be the file name, "
            "in lower case with underscores"
        )
    if fields["better"] not in get_args(Better):
        raise ConfigError(
            f"{filename}, line {lines_of['better']}: better must be one of "
            f"{', '.join(get_args(Better))}"
        )
    if fields["unit"] not in get_args(Unit):
        raise ConfigError(
            f"{filename}, line {lines_of['unit']}: unit must be one of {', '.join(get_args(Unit))}"
        )
    sources = tuple(s.strip() for s in fields["sources"].split(",") if s.strip())
    for source in sources:
        if "." not in source:
            raise ConfigError(
                f"{filename}, line {lines_of['sources']}: source '{source}' must be table.column"
            )
    sql = "\n".join(lines[body_start:]).strip().rstrip(";").strip()
    if not sql:
        raise ConfigError(f"{filename}, line {body_start + 1}: the file has no query")
    benchmark = fields.get("benchmark")
    return Measure(
        id=fields["id"],
        title=fields["title"],
        definition=fields["definition"],
        numerator=fields["numerator"],
        denominator=fields["denominator"],
        better=cast(Better, fields["better"]),
        unit=cast(Unit, fields["unit"]),
        sources=sources,
        benchmark=None if not benchmark or benchmark.lower() == "none" else benchmark,
        sql=sql,
    )


@cache
def measures() -> tuple[Measure, ...]:
    """Every shipped measure, in file-name order."""
    folder = resources.files("turnaround.measures").joinpath("sql")
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".sql")), key=lambda e: e.name)
    return tuple(parse_measure(e.read_text(encoding="utf-8"), e.name) for e in entries)


def get_measure(measure_id: str) -> Measure:
    """One measure by id; ``NotFound`` lists what exists when it is not there."""
    for measure in measures():
        if measure.id == measure_id:
            return measure
    known = ", ".join(m.id for m in measures())
    raise NotFound(f"no measure called '{measure_id}' (known: {known})")


def select(ids: Iterable[str] | None = None) -> list[Measure]:
    """The measures with the given ids (all of them when ``ids`` is None), in registry order."""
    if ids is None:
        return list(measures())
    return [get_measure(i) for i in ids]


def markdown_table(found: Iterable[Measure] | None = None) -> str:
    """The measures as a Markdown table, as ``docs/measures.md`` shows them."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| id | title | definition | numerator | denominator | better | unit | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measures() if found is None else found:
        sources = ", ".join(f"`{s}`" for s in m.sources)
        lines.append(
            f"| `{m.id}` | {cell(m.title)} | {cell(m.definition)} | {cell(m.numerator)} | "
            f"{cell(m.denominator)} | {m.better} | {m.unit} | {sources} |"
        )
    return "\n".join(lines) + "\n"
