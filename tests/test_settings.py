"""Settings: environment, OPENAI_* fallbacks, offline by default, arguments win."""

from __future__ import annotations

from pathlib import Path

import pytest

from roleplay.settings import load_settings

_VARS = (
    "ROLEPLAY_BASE_URL",
    "OPENAI_BASE_URL",
    "ROLEPLAY_API_KEY",
    "OPENAI_API_KEY",
    "ROLEPLAY_OFFLINE",
    "ROLEPLAY_CUSTOMER_MODEL",
    "ROLEPLAY_GRADER_MODEL",
    "ROLEPLAY_LANGUAGE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_offline_by_default() -> None:
    settings = load_settings()
    assert settings.mode == "offline"
    assert settings.language == "zh"


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        pytest.param({"OPENAI_API_KEY": "sk-x"}, "openai", id="openai-key"),
        pytest.param({"ROLEPLAY_API_KEY": "sk-x"}, "openai", id="roleplay-key"),
        pytest.param({"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}, "openai", id="base-url-only"),
        pytest.param({"OPENAI_API_KEY": "sk-x", "ROLEPLAY_OFFLINE": "true"}, "offline", id="forced-offline"),
    ],
)
def test_mode_from_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], mode: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_settings().mode == mode


def test_dotenv_file_and_argument_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ROLEPLAY_CUSTOMER_MODEL=qwen-plus\nROLEPLAY_LANGUAGE=en\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.customer_model, settings.grader, settings.language) == ("qwen-plus", "qwen-plus", "en")
    monkeypatch.setenv("ROLEPLAY_CUSTOMER_MODEL", "glm-4-flash")
    assert load_settings().customer_model == "glm-4-flash"  # environment beats .env
    assert load_settings(customer_model="deepseek-chat").customer_model == "deepseek-chat"  # argument beats both


def test_api_key_is_not_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    assert "sk-secret-123" not in repr(load_settings())
