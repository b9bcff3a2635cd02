"""Settings, resolved once at the edge: argument > environment (or ``.env``) > default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_library_dir() -> Path:
    """The folder holding ``personas/`` and ``rubrics/``: the project checkout, else the current folder."""
    project = _PACKAGE_DIR.parent
    if (project / "personas").is_dir():
        return project
    return Path.cwd()


class Settings(BaseSettings):
    """Every setting of the app and CLI; environment variables start with ``ROLEPLAY_``."""

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", env_file=".env", extra="ignore")

    library_dir: Path = Field(default_factory=default_library_dir, description="holds personas/ and rubrics/")
    data_dir: Path = Field(default=Path("data"), description="database, saved transcripts and reports")
    language: Literal["zh", "en"] = Field(default="zh", description="language of the UI and the customer")
    host: str = Field(
        default="127.0.0.1", description="address the web app listens on; 0.0.0.0 for a classroom"
    )
    port: int = Field(default=7860, ge=1, le=65535, description="port of the web app")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit arguments winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
