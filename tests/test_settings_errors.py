"""Settings from the environment, refusal of the default secret, and the error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnaround.errors import BackendError, ConfigError, InputError, TurnaroundError
from turnaround.settings import load_settings


def test_environment_sets_the_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TURNAROUND_WORKSPACE", str(tmp_path))
    settings = load_settings()
    assert settings.workspace == tmp_path
    assert settings.store_path == tmp_path / "turnaround.duckdb"


def test_explicit_argument_beats_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TURNAROUND_WORKSPACE", "/elsewhere")
    assert load_settings(workspace=tmp_path).workspace == tmp_path


def test_default_secret_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNAROUND_ENVIRONMENT", "production")
    monkeypatch.delenv("TURNAROUND_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="TURNAROUND_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("TURNAROUND_SECRET_KEY", "a-real-secret-from-the-vault")
    assert load_settings().environment == "production"


def test_input_error_names_file_row_and_field() -> None:
    err = InputError("date is not dd/mm/yyyy", path="/x/episodes.csv", row=12, field="DECOM")
    assert str(err) == "episodes.csv, row 12, field DECOM: date is not dd/mm/yyyy"
    assert isinstance(err, TurnaroundError)


def test_backend_error_keeps_only_the_first_line() -> None:
    err = BackendError("loading", RuntimeError("Catalog Error: nope\nLINE 1: select"))
    assert str(err) == "loading failed: Catalog Error: nope"
