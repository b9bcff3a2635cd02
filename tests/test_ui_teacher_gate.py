"""The library tab shows customer types and hidden facts: it opens only with the teacher password."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from roleplay.settings import Settings
from roleplay.ui.app import teacher_unlock
from tests.conftest import PROJECT_ROOT


@pytest.mark.parametrize(
    ("configured", "typed", "opened", "fragment"),
    [
        pytest.param("xi-2026", "xi-2026", True, "", id="right"),
        pytest.param("xi-2026", "xi-2025", False, "密码不对", id="wrong"),
        pytest.param("xi-2026", "", False, "密码不对", id="empty"),
        pytest.param(None, "anything", False, "ROLEPLAY_TEACHER_PASSWORD", id="not-set"),
    ],
)
def test_teacher_unlock(configured: str | None, typed: str, opened: bool, fragment: str) -> None:
    settings = Settings(library_dir=PROJECT_ROOT, teacher_password=SecretStr(configured) if configured else None)
    result, message = teacher_unlock(typed, settings)
    assert result is opened
    assert fragment in message
