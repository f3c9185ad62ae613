"""``Failure`` lives in the core and is still importable where it first lived."""

from __future__ import annotations

from turnaround.core.failure import Failure
from turnaround.returns import model


def test_failure_is_re_exported_by_returns_model() -> None:
    assert model.Failure is Failure
    failure = Failure("f.csv", 2, "C1", "header", "UPN", "S-UPN", "bad")
    assert failure.severity == "error"
    assert model.failures_frame([failure])["rule"].tolist() == ["S-UPN"]
