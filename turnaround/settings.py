"""The one settings object, built at the entry point and passed down.

Values come from arguments first, then ``TURNAROUND_*`` environment variables, then defaults.
Secrets only ever come from the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from turnaround.errors import ConfigError, describe_invalid

DEV_SECRET = "development-only-secret-do-not-use"


class Settings(BaseSettings):
    """Settings for one run of turnaround."""

    model_config = SettingsConfigDict(env_prefix="TURNAROUND_", extra="ignore", frozen=True)

    workspace: Path = Field(Path("workspace"), description="Folder for the store, files, reports.")
    environment: Literal["development", "production"] = Field(
        "development", description="'production' refuses the default secret."
    )
    secret_key: SecretStr = Field(SecretStr(DEV_SECRET), description="Signs web sessions.")
    user: str | None = Field(None, description="The user the CLI acts as.")
    engine: Literal["duckdb", "spark"] = Field("duckdb", description="Engine for heavy stages.")
    la_code: str | None = Field(None, description="The council's old 3-digit DfE code, e.g. 330.")
    session_hours: float = Field(8.0, gt=0, description="Hours a web login lasts.")
    host: str = Field("127.0.0.1", description="Address 'turnaround serve' listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port 'turnaround serve' listens on.")
    benchmarks: Path | None = Field(
        None, description="Folder of DfE tables the demo loads for comparison (../shared/data/dfe)."
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError(
                "set TURNAROUND_SECRET_KEY: the default secret is for development only"
            )
        return self

    @property
    def uses_dev_secret(self) -> bool:
        """Whether sessions are signed with the development-only secret."""
        return self.secret_key.get_secret_value() == DEV_SECRET

    @property
    def store_path(self) -> Path:
        """The DuckDB file that holds every table of the workspace."""
        return self.workspace / "turnaround.duckdb"

    @property
    def city_dir(self) -> Path:
        """Where the synthetic city's files are written."""
        return self.workspace / "city"

    @property
    def report_dir(self) -> Path:
        """Where HTML, PDF and Excel reports are written."""
        return self.workspace / "report"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigError(f"settings: {describe_invalid(exc)}") from None
