"""The thresholds ``plan check`` applies, read from the shipped ``rules.yaml`` or a file of yours.

A rules file of your own gives only the keys it changes; ``overview`` and ``priority_screen``
may give just ``words`` or just ``lines``. An unknown key or a wrong value is one ``ConfigError``
naming the file and the key.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from turnaround.errors import ConfigError

_SHIPPED = "rules.yaml"


class SizeLimit(BaseModel):
    """How much text may fill a page or a screen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: int = Field(gt=0)
    lines: int = Field(gt=0)


class Rules(BaseModel):
    """Every threshold, the jargon list and the acronym allowlist for ``plan check``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_priorities: int = Field(gt=0)
    max_actions_per_owner: int = Field(gt=0)
    max_sentence_words: int = Field(gt=0)
    min_reading_ease: float
    reading_ease_min_words: int = Field(ge=0)
    line_chars: int = Field(gt=0)
    overview: SizeLimit
    priority_screen: SizeLimit
    jargon: dict[str, str]
    acronym_allowlist: list[str]


def _read(text: str, name: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: not readable as YAML ({exc.__class__.__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: a rules file is a YAML mapping of rule names to values")
    return data


def _shipped() -> dict[str, Any]:
    return _read(files("turnaround.plan").joinpath(_SHIPPED).read_text("utf-8"), _SHIPPED)


def load_rules(path: Path | None = None) -> Rules:
    """The shipped rules, with any keys a rules file at ``path`` changes."""
    data = _shipped()
    name = _SHIPPED
    if path is not None:
        name = str(path)
        try:
            mine = _read(path.read_text(encoding="utf-8"), name)
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read the rules file ({exc.strerror})") from None
        for key, value in mine.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict) and key != "jargon":
                data[key] = {**data[key], **value}
            else:
                data[key] = value
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top)"
        message = (
            "is not a rule; check its spelling"
            if error["type"] == "extra_forbidden"
            else str(error["msg"]).lower()
        )
        raise ConfigError(f"{name}: {key} {message}") from None


def demo_plan_path() -> Path:
    """Where the demo plan for the synthetic city is installed."""
    return Path(str(files("turnaround.plan").joinpath("examples/demo.yaml")))
