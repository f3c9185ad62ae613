"""One load of whatever a person hands over: returns, a workforce source, or both.

``turnaround load`` and the web's upload both call ``load_files``: the detector sorts the paths,
the workforce source is checked first (so a strict load refuses before anything is written),
then the returns are loaded, then the workforce. Each goes in its own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from turnaround.access import Actor
from turnaround.errors import ValidationFailed
from turnaround.returns.load import LoadResult, Mode, load_returns
from turnaround.store import Store
from turnaround.workforce.detect import one_workforce, sort_paths
from turnaround.workforce.load import LoadedWorkforce, load_workforce, read_source, refusal


@dataclass
class IntakeResult:
    """What one call loaded: the returns (if any were given) and the workforce (if one was)."""

    returns: LoadResult | None
    workforce: LoadedWorkforce | None


def load_files(
    store: Store,
    paths: Sequence[Path],
    *,
    actor: Actor,
    year: int | None = None,
    mode: Mode = "strict",
    complete: bool = False,
) -> IntakeResult:
    """Load returns and a workforce source given together; strict loads nothing if any errs."""
    found = sort_paths(paths)
    source = one_workforce(found)
    if source is not None and mode == "strict":
        read = read_source(source.path)
        errors = [f for f in read.failures if f.severity == "error"]
        if errors:
            raise ValidationFailed(refusal(errors), failures=read.failures)
    returns = None
    if found.returns:
        returns = load_returns(
            store, found.returns, actor=actor, year=year, mode=mode, complete=complete
        )
    workforce = None
    if source is not None:
        workforce = load_workforce(store, source.path, actor=actor, mode=mode)
    return IntakeResult(returns=returns, workforce=workforce)
