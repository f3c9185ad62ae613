"""What an improvement plan file holds, and reading one with a line number for every problem.

A plan is a YAML file a person writes and checks in::

    title: Children's services improvement plan
    vision: Every child at risk in the city is known, safe and helped early.
    start: 2013-04-01          # the plan's horizon
    end: 2017-03-31
    milestones:
      - id: M1
        title: The minister agrees the plan is in place.
        date: 2014-12-31
    priorities:
      - id: P1
        title: Find the children at risk we do not know about.
        outcomes:
          - id: P1.1
            statement: Children at risk are referred the first time.
            measures:
              - id: rereferrals_12m     # an id from the measures registry
                baseline_year: 2013     # the baseline value comes from the data for this year
                target: 18
                by: 2016-03-31
    actions:
      - id: A1
        do: We will check every partner signal in the front door each day.
        owner: {role: Head of the front door, name: Sam Patel}
        team: Front door
        start: 2014-11-01
        due: 2015-01-31
        serves: [P1.1]           # outcomes this action moves
        depends_on: []
        milestone: M1            # optional: the milestone it must be done by
        status: in progress
        evidence: [https://intranet.example/front-door-rota]

The schema is strict about shapes (unknown keys, wrong types, unknown measure ids, keys given twice)
and loose about completeness: an action with no owner or due date still loads, so that
``plan check`` can report it with everything else that is missing (and ids used twice), each
with its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from turnaround.errors import NotFound, ValidationFailed
from turnaround.measures.registry import get_measure

Status = Literal["not started", "in progress", "done", "blocked"]
STATUSES: tuple[str, ...] = ("not started", "in progress", "done", "blocked")

#: A place in the plan file: keys and list indexes from the top, e.g. ("actions", 3, "due").
Path_ = tuple[str | int, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Owner(_Strict):
    """Who answers for an action: their role, and their name where there is one."""

    role: str = Field(min_length=1)
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


class PlanMeasure(_Strict):
    """A measure from the registry, with the year its baseline comes from and its target."""

    id: str
    baseline_year: int | None = Field(None, ge=2000, le=2100)
    target: float | None = None
    by: date | None = None

    @field_validator("id")
    @classmethod
    def _known(cls, value: str) -> str:
        try:
            get_measure(value)
        except NotFound:
            raise ValueError(
                f"'{value}' is not a measure; 'turnaround measures' lists the ids"
            ) from None
        return value


class Outcome(_Strict):
    """A change the plan means to make, and the measures that show it."""

    id: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    measures: list[PlanMeasure] = Field(default_factory=list)


class Priority(_Strict):
    """One of the plan's few priorities, with its outcomes."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    why: str | None = None
    outcomes: list[Outcome] = Field(default_factory=list)


class Action(_Strict):
    """One thing someone will do, in one sentence."""

    id: str = Field(min_length=1)
    do: str = Field(min_length=1)
    owner: Owner | None = None
    team: str | None = None
    start: date | None = None
    due: date | None = None
    serves: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    milestone: str | None = None
    status: Status = "not started"
    evidence: list[str] = Field(default_factory=list)


class Milestone(_Strict):
    """A date the plan answers to, such as the minister's deadline."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: date


class Plan(_Strict):
    """The whole plan: one vision, a few priorities, their outcomes and the actions."""

    title: str = Field(min_length=1)
    vision: str = Field(min_length=1)
    start: date
    end: date
    milestones: list[Milestone] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)

    def outcomes(self) -> Iterator[tuple[int, int, Priority, Outcome]]:
        """Every outcome with its priority and their positions in the file."""
        for p, priority in enumerate(self.priorities):
            for o, outcome in enumerate(priority.outcomes):
                yield p, o, priority, outcome

    def outcome_ids(self) -> dict[str, Outcome]:
        """Outcomes by id."""
        return {outcome.id: outcome for _, _, _, outcome in self.outcomes()}

    def priority_of(self, outcome_id: str) -> Priority | None:
        """The priority an outcome sits under."""
        for _, _, priority, outcome in self.outcomes():
            if outcome.id == outcome_id:
                return priority
        return None

    def actions_for(self, outcome_id: str) -> list[Action]:
        """The actions that serve an outcome, in file order."""
        return [a for a in self.actions if outcome_id in a.serves]

    def teams(self) -> list[str]:
        """Every team named on an action, in first-seen order."""
        return list(dict.fromkeys(a.team for a in self.actions if a.team))


@dataclass(frozen=True)
class PlanFile:
    """A plan read from a file, with the line each part starts on."""

    plan: Plan
    source: str  # the file's name, for messages
    text: str  # the file as read, for history and diffs
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *where: str | int) -> int | None:
        """The line of ``where`` or, failing that, of the nearest part that contains it."""
        return _nearest_line(self.lines, tuple(where))


def _nearest_line(lines: dict[Path_, int], path: Path_) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


@dataclass(frozen=True)
class SchemaProblem:
    """One way the file does not fit the schema."""

    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line is not None else "file"
        return f"{at}, {self.where}: {self.message}"


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported with its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_map(node: yaml.Node, path: Path_, out: dict[Path_, int], problems: list[str]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(f"line {key_node.start_mark.line + 1}: '{key}' is given twice")
            seen.add(key)
            out[(*path, key)] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), out, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out, problems)


def _where(loc: Path_, data: Any) -> str:
    """A readable place for an error: the nearest id, then the field, e.g. 'action A3, due'."""
    names = {"priorities": "priority", "outcomes": "outcome", "actions": "action",
             "milestones": "milestone", "measures": "measure"}  # fmt: skip
    parts: list[str] = []
    node = data
    for i, step in enumerate(loc):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(step, int):
            kind = names.get(str(loc[i - 1]), "item") if i else "item"
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1:] = [f"{kind} {ident}" if ident else f"{kind} {step + 1}"]
        else:
            parts.append(str(step))
    return ", ".join(parts) or "plan"


def parse_plan(text: str, source: str = "plan.yaml") -> PlanFile:
    """Read a plan from YAML text; ``ValidationFailed`` lists every problem with its line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValidationFailed(f"{line}not readable as YAML ({problem})", path=source) from None
    if not isinstance(data, dict) or node is None:
        raise ValidationFailed("a plan is a YAML mapping with title, vision, start, end, "
                               "priorities and actions", path=source)  # fmt: skip
    lines: dict[Path_, int] = {}
    duplicates: list[str] = []
    _line_map(node, (), lines, duplicates)
    if duplicates:
        raise ValidationFailed(f"{duplicates[0]}", failures=duplicates, path=source)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc: Path_ = tuple(error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "is not a key a plan has here; check its spelling"
            problems.append(SchemaProblem(_nearest_line(lines, loc), _where(loc, data), message))
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(f"{first}{more}", failures=problems, path=source) from None
    return PlanFile(plan, source, text, lines)


def read_plan(path: Path) -> PlanFile:
    """Read a plan file; a missing or unreadable file is a one-line error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no plan file at {path}") from None
    except UnicodeDecodeError:
        raise ValidationFailed("is not UTF-8 text", path=path) from None
    return parse_plan(text, path.name)
