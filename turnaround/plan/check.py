"""Check a plan for coherence, plain English and size; every finding says where and what to do.

Codes start with the family: ``C-`` coherence, ``P-`` plain English, ``S-`` size. Broken
structure (a missing owner, an unknown reference, a cycle, a date out of place) is an error;
judgements against a threshold (owner load, priority count, wording, size) are warnings, so a
plan can be ``ok`` while it still reads badly.

A measure is *orphaned* when no action serves any outcome that holds it: nothing in the plan
moves it. An outcome no action serves is reported on its own as ``C-UNSERVED``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from turnaround.measures.registry import get_measure
from turnaround.plan import plain
from turnaround.plan.model import Action, Plan, PlanFile
from turnaround.plan.rules import Rules, load_rules

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a plan: its rule code, where it is, and what to do about it."""

    code: str
    severity: Severity
    where: str
    line: int | None
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line is not None else "plan"
        return f"{at}: {self.severity} {self.code} {self.where} {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """Every finding for one plan file, in file order."""

    source: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        """The findings that make the plan unfit to run."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that make the plan harder to read or carry out."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether the plan has no errors (it may still have warnings)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, for ``--json``."""
        return {
            "source": self.source,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [asdict(f) for f in self.findings],
        }


class _Checker:
    def __init__(self, plan_file: PlanFile, rules: Rules) -> None:
        self.file = plan_file
        self.plan: Plan = plan_file.plan
        self.rules = rules
        self.findings: list[Finding] = []
        self.horizon = f"({self.plan.start} to {self.plan.end})"

    def add(
        self, code: str, severity: Severity, where: str, path: tuple[str | int, ...], message: str
    ) -> None:
        self.findings.append(Finding(code, severity, where, self.file.line(*path), message))

    def error(self, code: str, where: str, path: tuple[str | int, ...], message: str) -> None:
        self.add(code, "error", where, path, message)

    def warn(self, code: str, where: str, path: tuple[str | int, ...], message: str) -> None:
        self.add(code, "warning", where, path, message)

    # Coherence ------------------------------------------------------------------------------

    def ids(self) -> None:
        seen: dict[str, str] = {}
        places: list[tuple[str, str, tuple[str | int, ...]]] = []
        places += [
            ("milestone", m.id, ("milestones", i, "id")) for i, m in enumerate(self.plan.milestones)
        ]
        for p, priority in enumerate(self.plan.priorities):
            places.append(("priority", priority.id, ("priorities", p, "id")))
            for o, outcome in enumerate(priority.outcomes):
                places.append(("outcome", outcome.id, ("priorities", p, "outcomes", o, "id")))
        places += [("action", a.id, ("actions", i, "id")) for i, a in enumerate(self.plan.actions)]
        for kind, ident, path in places:
            if ident in seen:
                self.error(
                    "C-DUPLICATE-ID",
                    f"{kind} {ident}",
                    path,
                    f"has the same id as {seen[ident]}: give each part of the plan its own id",
                )
            else:
                seen[ident] = f"{kind} {ident}"
        for p, o, _, outcome in self.plan.outcomes():
            listed: set[str] = set()
            for m, measure in enumerate(outcome.measures):
                if measure.id in listed:
                    path = ("priorities", p, "outcomes", o, "measures", m, "id")
                    self.error(
                        "C-DUPLICATE-ID",
                        f"measure {measure.id} in outcome {outcome.id}",
                        path,
                        "is listed twice in this outcome: keep one",
                    )
                listed.add(measure.id)

    def actions(self) -> None:
        outcomes = self.plan.outcome_ids()
        milestones = {m.id: m for m in self.plan.milestones}
        for i, action in enumerate(self.plan.actions):
            where = f"action {action.id}"
            if action.owner is None:
                self.error(
                    "C-OWNER",
                    where,
                    ("actions", i),
                    "has no owner: name the role and the person who answers for it",
                )
            if action.due is None:
                self.error(
                    "C-DUE",
                    where,
                    ("actions", i),
                    f"has no due date: give it one within the plan's horizon {self.horizon}",
                )
            if not action.serves:
                self.error(
                    "C-SERVES",
                    where,
                    ("actions", i),
                    "serves no outcome: list the outcome ids it moves under 'serves', or drop it",
                )
            for k, outcome_id in enumerate(action.serves):
                if outcome_id not in outcomes:
                    self.error(
                        "C-SERVES-UNKNOWN",
                        where,
                        ("actions", i, "serves", k),
                        f"serves '{outcome_id}', which is not an outcome in the plan: "
                        f"use one of {', '.join(outcomes) or 'the outcome ids'}",
                    )
            if action.start and action.due and action.start > action.due:
                self.error(
                    "C-START-DUE",
                    where,
                    ("actions", i, "start"),
                    f"starts on {action.start}, after it is due on {action.due}: "
                    "move the start earlier or the due date later",
                )
            for field in ("start", "due"):
                self.in_horizon(getattr(action, field), where, ("actions", i, field), field)
            if action.milestone is not None:
                milestone = milestones.get(action.milestone)
                if milestone is None:
                    self.error(
                        "C-MILESTONE-UNKNOWN",
                        where,
                        ("actions", i, "milestone"),
                        f"serves milestone '{action.milestone}', which the plan does not "
                        "have: add it under 'milestones' or fix the id",
                    )
                elif action.due and action.due > milestone.date:
                    self.error(
                        "C-MILESTONE-LATE",
                        where,
                        ("actions", i, "due"),
                        f"is due on {action.due}, after milestone {milestone.id} on "
                        f"{milestone.date}: bring it forward to {milestone.date} or "
                        "earlier",
                    )

    def in_horizon(
        self, when: date | None, where: str, path: tuple[str | int, ...], what: str
    ) -> None:
        if when is not None and not self.plan.start <= when <= self.plan.end:
            self.error(
                "C-HORIZON",
                where,
                path,
                f"has its {what} date {when} outside the plan's horizon {self.horizon}: "
                "move it inside, or change the plan's start or end",
            )

    def dates(self) -> None:
        if self.plan.start > self.plan.end:
            self.error(
                "C-HORIZON",
                "plan",
                ("start",),
                f"starts on {self.plan.start}, after it ends on {self.plan.end}: swap them",
            )
        for i, milestone in enumerate(self.plan.milestones):
            self.in_horizon(
                milestone.date, f"milestone {milestone.id}", ("milestones", i, "date"), "milestone"
            )

    def outcomes(self) -> None:
        served = {outcome_id for a in self.plan.actions for outcome_id in a.serves}
        moved = {m.id for _, _, _, o in self.plan.outcomes() if o.id in served for m in o.measures}
        orphans_seen: set[str] = set()
        for p, o, _, outcome in self.plan.outcomes():
            where = f"outcome {outcome.id}"
            base = ("priorities", p, "outcomes", o)
            if not outcome.measures:
                self.error(
                    "C-MEASURE",
                    where,
                    base,
                    "has no measure: add one from 'turnaround measures' so we know when "
                    "it has happened",
                )
            if outcome.id not in served:
                self.error(
                    "C-UNSERVED",
                    where,
                    base,
                    "is served by no action: add an action that moves it, or drop the outcome",
                )
            for m, measure in enumerate(outcome.measures):
                at = f"measure {measure.id} in {where}"
                path = (*base, "measures", m)
                if measure.baseline_year is None:
                    self.error(
                        "C-BASELINE",
                        at,
                        path,
                        "has no baseline_year: give the collection year its starting "
                        "value comes from",
                    )
                if measure.target is None:
                    unit = get_measure(measure.id).unit
                    self.error(
                        "C-TARGET", at, path, f"has no target: give the value ({unit}) to reach"
                    )
                if measure.by is None:
                    self.error(
                        "C-BY",
                        at,
                        path,
                        f"has no 'by' date: give the date to reach the target, within "
                        f"the plan's horizon {self.horizon}",
                    )
                self.in_horizon(measure.by, at, (*path, "by"), "target")
                if measure.id not in moved and measure.id not in orphans_seen:
                    orphans_seen.add(measure.id)
                    self.error(
                        "C-ORPHAN",
                        at,
                        path,
                        "is orphaned: no action serves an outcome it measures, so "
                        "nothing moves it; add an action that serves "
                        f"{outcome.id}",
                    )

    def dependencies(self) -> None:
        by_id: dict[str, tuple[int, Action]] = {}
        for i, action in enumerate(self.plan.actions):
            by_id.setdefault(action.id, (i, action))
        for i, action in enumerate(self.plan.actions):
            where = f"action {action.id}"
            for k, dep in enumerate(action.depends_on):
                path = ("actions", i, "depends_on", k)
                if dep not in by_id:
                    self.error(
                        "C-DEPENDS-UNKNOWN",
                        where,
                        path,
                        f"depends on '{dep}', which is not an action in the plan: fix "
                        "the id or remove it",
                    )
                    continue
                before = by_id[dep][1]
                if action.due and before.due and action.due < before.due:
                    self.error(
                        "C-DEP-ORDER",
                        where,
                        ("actions", i, "due"),
                        f"is due on {action.due}, before {dep}, which it depends on, is "
                        f"due on {before.due}: make it due on {before.due} or later",
                    )
        for cycle in find_cycles({a.id: a.depends_on for a in self.plan.actions}):
            i = by_id[cycle[0]][0]
            self.error(
                "C-CYCLE",
                f"action {cycle[0]}",
                ("actions", i, "depends_on"),
                f"is in a dependency cycle, {' → '.join(cycle)}: remove one of these "
                "dependencies so the actions can happen in order",
            )

    def load(self) -> None:
        limit = self.rules.max_actions_per_owner
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for i, action in enumerate(self.plan.actions):
            if action.owner is not None:
                who = action.owner.name or action.owner.role
                counts[who] += 1
                first.setdefault(who, i)
        for who, n in counts.items():
            if n > limit:
                self.warn(
                    "C-OWNER-LOAD",
                    f"owner {who}",
                    ("actions", first[who], "owner"),
                    f"owns {n} actions, more than {limit}: share them out or merge some",
                )

    def shape(self) -> None:
        n = len(self.plan.priorities)
        if n > self.rules.max_priorities:
            self.warn(
                "C-PRIORITIES",
                "plan",
                ("priorities",),
                f"has {n} priorities, more than {self.rules.max_priorities}: merge or drop "
                "some, so the few that matter stand out",
            )
        count = len(plain.sentences(self.plan.vision))
        if count != 1:
            self.warn("C-VISION", "vision", ("vision",), f"is {count} sentences: say it in one")

    # Plain English --------------------------------------------------------------------------

    def texts(self) -> Iterator[tuple[str, tuple[str | int, ...], str]]:
        """Every text a reader meets, in reading order, with where it is."""
        yield "vision", ("vision",), self.plan.vision
        for p, priority in enumerate(self.plan.priorities):
            yield f"priority {priority.id}", ("priorities", p, "title"), priority.title
            if priority.why:
                yield f"priority {priority.id}", ("priorities", p, "why"), priority.why
            for o, outcome in enumerate(priority.outcomes):
                path = ("priorities", p, "outcomes", o, "statement")
                yield f"outcome {outcome.id}", path, outcome.statement
        for i, action in enumerate(self.plan.actions):
            yield f"action {action.id}", ("actions", i, "do"), action.do

    def wording(self) -> None:
        rules = self.rules
        known = set(rules.acronym_allowlist)
        reported: set[str] = set()
        for where, path, text in self.texts():
            for sentence, n in plain.long_sentences(text, rules.max_sentence_words):
                self.warn(
                    "P-LONG",
                    where,
                    path,
                    f"has a sentence of {n} words ('{_clip(sentence)}'): split it so each "
                    f"has {rules.max_sentence_words} or fewer",
                )
            if len(plain.words(text)) >= rules.reading_ease_min_words:
                ease = plain.reading_ease(text)
                if ease < rules.min_reading_ease:
                    self.warn(
                        "P-EASE",
                        where,
                        path,
                        f"is hard to read (reading ease {ease:.0f}, below "
                        f"{rules.min_reading_ease:g}): use shorter words and "
                        "sentences",
                    )
            passive = plain.passive_phrases(text)
            if passive:
                self.warn(
                    "P-PASSIVE",
                    where,
                    path,
                    f"uses the passive voice ({', '.join(repr(p) for p in passive)}): say "
                    "who does it, e.g. 'we will ...'",
                )
            terms = plain.jargon(text, rules.jargon)
            if terms:
                said = ", ".join(plain.suggest(t, rules.jargon) for t in terms)
                self.warn("P-JARGON", where, path, f"uses jargon: {said}")
            for acronym, spelt in plain.acronyms(text):
                if spelt:
                    known.add(acronym)
                elif acronym not in known and acronym not in reported:
                    reported.add(acronym)
                    self.warn(
                        "P-ACRONYM",
                        where,
                        path,
                        f"uses '{acronym}' before spelling it out: write the words in full "
                        f"the first time, then '({acronym})'",
                    )
        for i, action in enumerate(self.plan.actions):
            n = len(plain.sentences(action.do))
            if n > 1:
                self.warn(
                    "P-ONE-SENTENCE",
                    f"action {action.id}",
                    ("actions", i, "do"),
                    f"is {n} sentences: make it one, or split it into {n} actions",
                )

    # Size -----------------------------------------------------------------------------------

    def size(self) -> None:
        rules = self.rules
        overview = [self.plan.vision]
        for _, _, _, outcome in self.plan.outcomes():
            overview += [outcome.statement, *(_title(m.id) for m in outcome.measures)]
        overview += [p.title for p in self.plan.priorities]
        words, lines = _measure(overview, rules.line_chars)
        limit = rules.overview
        if words > limit.words or lines > limit.lines:
            self.warn(
                "S-OVERVIEW",
                "plan",
                ("priorities",),
                f"has a strategic overview of {words} words and {lines} lines, more than "
                f"one page ({limit.words} words, {limit.lines} lines): shorten the vision, "
                "priorities, outcomes or measures",
            )
        limit = rules.priority_screen
        for p, priority in enumerate(self.plan.priorities):
            screen = [priority.title, priority.why or ""]
            ids = [o.id for o in priority.outcomes]
            for outcome in priority.outcomes:
                screen += [outcome.statement, *(_title(m.id) for m in outcome.measures)]
            screen += [a.do for a in self.plan.actions if any(o in a.serves for o in ids)]
            words, lines = _measure(screen, rules.line_chars)
            if words > limit.words or lines > limit.lines:
                self.warn(
                    "S-PRIORITY",
                    f"priority {priority.id}",
                    ("priorities", p),
                    f"takes {words} words and {lines} lines, more than one screen "
                    f"({limit.words} words, {limit.lines} lines): cut its actions or "
                    "outcomes, or split it",
                )


def _title(measure_id: str) -> str:
    return get_measure(measure_id).title


def _measure(texts: list[str], line_chars: int) -> tuple[int, int]:
    """Words, and lines when each text starts a line and wraps at ``line_chars``."""
    present = [t for t in texts if t.strip()]
    words = sum(len(plain.words(t)) for t in present)
    lines = sum(max(1, math.ceil(len(t) / line_chars)) for t in present)
    return words, lines


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each dependency cycle once, as ids from its first node in file order back to it."""
    order = {node: i for i, node in enumerate(graph)}
    cycles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1 while on the stack, 2 when done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                loop = stack[stack.index(nxt) :]
                start = min(range(len(loop)), key=lambda k: order[loop[k]])
                loop = loop[start:] + loop[:start]
                if tuple(loop) not in seen:
                    seen.add(tuple(loop))
                    cycles.append([*loop, loop[0]])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    return cycles


def check_plan(plan_file: PlanFile, rules: Rules | None = None) -> CheckReport:
    """Every finding for a plan, in file order; ``rules`` defaults to the shipped rules."""
    checker = _Checker(plan_file, rules or load_rules())
    checker.ids()
    checker.dates()
    checker.actions()
    checker.outcomes()
    checker.dependencies()
    checker.load()
    checker.shape()
    checker.wording()
    checker.size()
    ordered = sorted(checker.findings, key=lambda f: (f.line is None, f.line or 0))
    return CheckReport(plan_file.source, tuple(ordered))
