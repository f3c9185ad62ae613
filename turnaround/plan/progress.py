"""How the plan is going, computed from the data rather than reported by the people doing it.

Each plan measure is compared with the straight line from its baseline (the value on 31 March
of ``baseline_year``) to its target (on ``by``), read at the date of the latest value::

    path = baseline + (target - baseline) * elapsed / planned      (elapsed capped at planned)

The *tolerance* is ``TOLERANCE`` (10%) of the planned change |target - baseline|, or 10% of
|target| when the plan means to hold a value where it is. "Better" points from the baseline to
the target; when the two are equal it is the registry's ``better``. The rating is then:

    no data    no baseline figure, no figure for a year after it (the latest year up to as_at
               counts, even when its figure could not be worked out), or no target and date
    off track  the target date has passed and the latest value does not meet the target
    on track   the latest value is at least as good as the path
    at risk    worse than the path, but within the tolerance of it or better than the baseline
    off track  otherwise: more than the tolerance behind the path and no better than the baseline

A measure whose registry ``better`` is "neither" and whose target equals its baseline (hold it
steady) is on track within the tolerance of the target, at risk within twice it, else off track.

An outcome takes the worst rating of its measures, and a priority the worst of its outcomes, in
the order on track < no data < at risk < off track: a rating with no evidence behind it never
passes for on track. Actions are read against ``as_at`` too: overdue (due before it and not
done), blocked, and "dependency slipped" (a dependency is overdue, is not done though this
action has started, or is due after this action starts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from turnaround.core.years import year_end as year_end
from turnaround.measures.compute import compute_measures
from turnaround.measures.registry import get_measure
from turnaround.plan.model import Action, Plan, PlanMeasure
from turnaround.store.backend import DuckDBBackend

Rating = Literal["on track", "at risk", "off track", "no data"]
#: Worst last: an outcome or priority takes the worst of its parts.
RATINGS: tuple[Rating, ...] = ("on track", "no data", "at risk", "off track")
#: A word is always shown with its symbol, so the rating never rests on colour alone.
SYMBOLS: dict[str, str] = {"on track": "✓", "at risk": "!", "off track": "✗", "no data": "?"}
#: How far behind the path a measure may be and still be "at risk": a share of the planned change.
TOLERANCE = 0.10
#: The kinds of load that carry the council's own data (benchmarks are everyone's, any year).
OWN_DATA_KINDS: tuple[str, ...] = ("ssda903", "cin", "annex_a", "extract", "workforce", "synth")


def worst(ratings: Iterable[Rating]) -> Rating:
    """The worst of some ratings; "no data" when there are none."""
    found = list(ratings)
    if not found:
        return "no data"
    return max(found, key=RATINGS.index)


@dataclass(frozen=True)
class MeasureProgress:
    """One plan measure: where it started, where it is, where the path says it should be."""

    measure_id: str
    title: str
    unit: str
    better: str
    outcome_id: str
    priority_id: str
    baseline_year: int | None
    baseline: float | None
    current_year: int | None
    current: float | None
    target: float | None
    by: date | None
    path: float | None  # the planned value at the current value's date
    tolerance: float | None
    rating: Rating
    reason: str  # the rating in one plain sentence
    trend: tuple[tuple[int, float], ...]  # (collection year, value) up to as_at

    @property
    def symbol(self) -> str:
        """The rating's symbol, to show beside its word."""
        return SYMBOLS[self.rating]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        out = asdict(self)
        out["by"] = self.by.isoformat() if self.by else None
        out["trend"] = [list(point) for point in self.trend]
        return out


@dataclass(frozen=True)
class OutcomeProgress:
    """An outcome, rated as the worst of its measures."""

    outcome_id: str
    statement: str
    priority_id: str
    rating: Rating
    measure_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        return {**asdict(self), "measure_ids": list(self.measure_ids)}


@dataclass(frozen=True)
class PriorityProgress:
    """A priority, rated as the worst of its outcomes."""

    priority_id: str
    title: str
    rating: Rating

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True)
class ActionProgress:
    """An action read against the date: overdue, blocked, or held up by what it depends on."""

    action_id: str
    do: str
    owner: str | None
    team: str | None
    start: date | None
    due: date | None
    status: str
    overdue: bool
    blocked: bool
    slipped: tuple[str, ...]  # one plain sentence per dependency that slipped

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        out = asdict(self)
        out["start"] = self.start.isoformat() if self.start else None
        out["due"] = self.due.isoformat() if self.due else None
        out["slipped"] = list(self.slipped)
        return out


@dataclass(frozen=True)
class MilestoneProgress:
    """A milestone and the actions that must be done by it."""

    milestone_id: str
    title: str
    date: date
    actions: int
    done: int
    passed: bool  # its date is before as_at

    @property
    def met(self) -> bool:
        """Every action tied to it is done."""
        return self.done == self.actions

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        return {**asdict(self), "date": self.date.isoformat(), "met": self.met}


@dataclass(frozen=True)
class Progress:
    """The whole plan's progress at one date."""

    plan_title: str
    as_at: date
    measures: tuple[MeasureProgress, ...]
    outcomes: tuple[OutcomeProgress, ...]
    priorities: tuple[PriorityProgress, ...]
    actions: tuple[ActionProgress, ...]
    milestones: tuple[MilestoneProgress, ...]

    def rating_counts(self) -> dict[str, int]:
        """How many measures have each rating, in the order on track to no data."""
        order = ("on track", "at risk", "off track", "no data")
        return {r: sum(1 for m in self.measures if m.rating == r) for r in order}

    def overdue(self) -> list[ActionProgress]:
        """Actions past their due date and not done."""
        return [a for a in self.actions if a.overdue]

    def action(self, action_id: str) -> ActionProgress | None:
        """One action's progress by id."""
        return next((a for a in self.actions if a.action_id == action_id), None)

    def measures_for(self, outcome_id: str) -> list[MeasureProgress]:
        """The measures of one outcome."""
        return [m for m in self.measures if m.outcome_id == outcome_id]

    def outcome(self, outcome_id: str) -> OutcomeProgress | None:
        """One outcome's progress by id."""
        return next((o for o in self.outcomes if o.outcome_id == outcome_id), None)

    def priority(self, priority_id: str) -> PriorityProgress | None:
        """One priority's progress by id."""
        return next((p for p in self.priorities if p.priority_id == priority_id), None)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for JSON and for keeping the report in the store."""
        return {
            "plan_title": self.plan_title,
            "as_at": self.as_at.isoformat(),
            "rating_counts": self.rating_counts(),
            "measures": [m.to_dict() for m in self.measures],
            "outcomes": [o.to_dict() for o in self.outcomes],
            "priorities": [p.to_dict() for p in self.priorities],
            "actions": [a.to_dict() for a in self.actions],
            "milestones": [m.to_dict() for m in self.milestones],
        }


def _day(when: date | None) -> str:
    return f"{when.day} {when:%B %Y}" if when else "no date"


def _fmt(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def path_value(baseline: float, base_date: date, target: float, by: date, at: date) -> float:
    """The straight-line planned value at ``at``: the baseline before, the target after ``by``."""
    if by <= base_date:
        return target
    share = (at - base_date).days / (by - base_date).days
    share = min(max(share, 0.0), 1.0)
    return baseline + (target - baseline) * share


def rate_measure(
    measure: PlanMeasure,
    series: Mapping[int, float | None],
    as_at: date,
    *,
    outcome_id: str = "",
    priority_id: str = "",
) -> MeasureProgress:
    """Rate one plan measure from its values by collection year, as at a date."""
    definition = get_measure(measure.id)
    trend = tuple(
        (year, float(value))
        for year, value in sorted(series.items())
        if value is not None and year_end(year) <= as_at
    )
    baseline = None
    if measure.baseline_year is not None and year_end(measure.baseline_year) <= as_at:
        found = series.get(measure.baseline_year)
        baseline = float(found) if found is not None else None
    # The latest year counts even when its figure could not be computed: an old figure would
    # pass off as current.
    years = [year for year in series if year_end(year) <= as_at]
    current_year = max(years) if years else None
    found_current = series.get(current_year) if current_year is not None else None
    current = float(found_current) if found_current is not None else None

    def result(
        rating: Rating, reason: str, path: float | None = None, tolerance: float | None = None
    ) -> MeasureProgress:
        return MeasureProgress(
            measure.id,
            definition.title,
            definition.unit,
            definition.better,
            outcome_id,
            priority_id,
            measure.baseline_year,
            baseline,
            current_year,
            current,
            measure.target,
            measure.by,
            path,
            tolerance,
            rating,
            reason,
            trend,
        )

    if measure.baseline_year is None:
        return result("no data", "No baseline year is set.")
    if baseline is None:
        return result(
            "no data", f"There is no value for the baseline year {measure.baseline_year}."
        )
    if current_year is None or current_year <= measure.baseline_year:
        return result("no data", "There is no figure after the baseline year yet.")
    if current is None:
        return result("no data", f"The figure for {current_year} could not be worked out.")
    if measure.target is None or measure.by is None:
        return result("no data", "No target and date are set to measure against.")
    target, by = measure.target, measure.by
    base_date, at = year_end(measure.baseline_year), year_end(current_year)
    path = path_value(baseline, base_date, target, by, at)
    change = abs(target - baseline)
    tolerance = TOLERANCE * (change if change else abs(target))
    direction = 0
    if target != baseline:
        direction = 1 if target > baseline else -1
    elif definition.better != "neither":
        direction = 1 if definition.better == "higher" else -1

    if direction == 0:
        # Holding steady: closeness to the target is all that counts.
        gap = abs(current - target)
        if gap <= tolerance:
            return result(
                "on track",
                f"{_fmt(current)} is within {_fmt(tolerance)} of "
                f"{_fmt(target)}, the level to hold.",
                path,
                tolerance,
            )
        if as_at > by:
            return result(
                "off track",
                f"The target date {_day(by)} has passed and "
                f"{_fmt(current)} is not at {_fmt(target)}.",
                path,
                tolerance,
            )
        if gap <= 2 * tolerance:
            return result(
                "at risk",
                f"{_fmt(current)} has drifted from {_fmt(target)}, the level to hold.",
                path,
                tolerance,
            )
        return result(
            "off track",
            f"{_fmt(current)} is far from {_fmt(target)}, the level to hold.",
            path,
            tolerance,
        )

    def gain(value: float) -> float:
        return direction * value

    if as_at > by and gain(current) < gain(target):
        return result(
            "off track",
            f"The target date {_day(by)} has passed and "
            f"{_fmt(current)} has not reached {_fmt(target)}.",
            path,
            tolerance,
        )
    if gain(current) >= gain(path):
        return result(
            "on track",
            f"{_fmt(current)} is at least as good as {_fmt(path)}, "
            "where the plan expected it to be.",
            path,
            tolerance,
        )
    if gain(path) - gain(current) <= tolerance:
        return result(
            "at risk",
            f"{_fmt(current)} is a little behind {_fmt(path)}, where the plan expected it to be.",
            path,
            tolerance,
        )
    if gain(current) > gain(baseline):
        return result(
            "at risk",
            f"{_fmt(current)} is better than the baseline "
            f"{_fmt(baseline)} but behind the plan's {_fmt(path)}.",
            path,
            tolerance,
        )
    return result(
        "off track",
        f"{_fmt(current)} is no better than the baseline "
        f"{_fmt(baseline)}; the plan expected {_fmt(path)}.",
        path,
        tolerance,
    )


def _started(action: Action, as_at: date) -> bool:
    return action.status in ("in progress", "done") or (
        action.start is not None and action.start <= as_at
    )


def _overdue(action: Action, as_at: date) -> bool:
    return action.due is not None and action.due < as_at and action.status != "done"


def assess_action(action: Action, by_id: Mapping[str, Action], as_at: date) -> ActionProgress:
    """One action read against the date and against the actions it depends on."""
    slipped: list[str] = []
    for dep_id in action.depends_on:
        dep = by_id.get(dep_id)
        if dep is None:
            continue  # 'plan check' reports unknown ids; progress has nothing to read
        if _overdue(dep, as_at):
            slipped.append(f"{dep.id} is overdue: it was due {_day(dep.due)}.")
        elif dep.status != "done" and _started(action, as_at):
            slipped.append(f"{dep.id} is not done, but this action has started.")
        elif dep.due is not None and action.start is not None and dep.due > action.start:
            slipped.append(
                f"{dep.id} is due {_day(dep.due)}, after this action starts "
                f"on {_day(action.start)}."
            )
    return ActionProgress(
        action.id,
        action.do,
        str(action.owner) if action.owner else None,
        action.team,
        action.start,
        action.due,
        action.status,
        _overdue(action, as_at),
        action.status == "blocked",
        tuple(slipped),
    )


def assess(plan: Plan, values: Mapping[str, Mapping[int, float | None]], as_at: date) -> Progress:
    """Rate every measure, outcome, priority, action and milestone of a plan as at a date."""
    measures: list[MeasureProgress] = []
    outcomes: list[OutcomeProgress] = []
    for _, _, priority, outcome in plan.outcomes():
        rated = [
            rate_measure(
                m, values.get(m.id, {}), as_at, outcome_id=outcome.id, priority_id=priority.id
            )
            for m in outcome.measures
        ]
        measures.extend(rated)
        outcomes.append(
            OutcomeProgress(
                outcome.id,
                outcome.statement,
                priority.id,
                worst(m.rating for m in rated),
                tuple(m.id for m in outcome.measures),
            )
        )
    priorities = [
        PriorityProgress(p.id, p.title, worst(o.rating for o in outcomes if o.priority_id == p.id))
        for p in plan.priorities
    ]
    by_id = {a.id: a for a in plan.actions}
    actions = [assess_action(a, by_id, as_at) for a in plan.actions]
    milestones = []
    for milestone in plan.milestones:
        tied = [a for a in plan.actions if a.milestone == milestone.id]
        milestones.append(
            MilestoneProgress(
                milestone.id,
                milestone.title,
                milestone.date,
                len(tied),
                sum(1 for a in tied if a.status == "done"),
                milestone.date < as_at,
            )
        )
    return Progress(
        plan.title,
        as_at,
        tuple(measures),
        tuple(outcomes),
        tuple(priorities),
        tuple(actions),
        tuple(milestones),
    )


def plan_measure_ids(plan: Plan) -> list[str]:
    """The measure ids a plan names, each once, in file order."""
    return list(dict.fromkeys(m.id for _, _, _, o in plan.outcomes() for m in o.measures))


def measure_values(store: DuckDBBackend, ids: Iterable[str]) -> dict[str, dict[int, float | None]]:
    """The named measures' values by collection year, computed from the store."""
    wanted = list(dict.fromkeys(ids))
    out: dict[str, dict[int, float | None]] = {measure_id: {} for measure_id in wanted}
    if not wanted:
        return out
    for value in compute_measures(store, wanted):
        out[value.measure_id][value.year] = value.value
    return out


def default_as_at(
    store: DuckDBBackend, values: Mapping[str, Mapping[int, float | None]] | None = None
) -> date:
    """31 March of the latest collection year of the council's own data in the store."""
    if store.table_exists("loads"):
        marks = ", ".join("?" for _ in OWN_DATA_KINDS)
        latest = store.scalar(
            f"select max(year) from loads where kind in ({marks})",
            list(OWN_DATA_KINDS),
            step="finding the latest year loaded",
        )
        if latest is not None:
            return year_end(int(latest))
    years = [y for series in (values or {}).values() for y, v in series.items() if v is not None]
    return year_end(max(years)) if years else date.today()


def assess_store(store: DuckDBBackend, plan: Plan, as_at: date | None = None) -> Progress:
    """The plan's progress from the measures in the store, as at ``as_at`` or the data's end."""
    values = measure_values(store, plan_measure_ids(plan))
    return assess(plan, values, as_at or default_as_at(store, values))
