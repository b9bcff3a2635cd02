"""The library tab shows customer types and hidden facts: it opens only with the teacher password."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr

from roleplay.i18n import t
from roleplay.library import Library
from roleplay.library.describe import describe_persona
from roleplay.settings import Settings
from roleplay.ui.app import build_app, launch, teacher_unlock
from tests.browser import BROWSER_ARGS, CHROMIUM, free_port, needs_chromium, quiet_gradio
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


@needs_chromium
def test_teacher_pages_exist_only_after_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the password, neither the page nor the API holds teacher content; after it, the library opens."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    quiet_gradio(monkeypatch)
    settings = Settings(
        library_dir=PROJECT_ROOT,
        data_dir=tmp_path / "data",
        offline=True,
        teacher_password=SecretStr("xi-2026"),
        host="127.0.0.1",
        port=free_port(),
    )
    demo = build_app(settings)
    launch(demo, settings, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{settings.port}/"
    library = Library.load(PROJECT_ROOT)
    persona = next(iter(library.personas.values()))
    traits_line = next(
        line for line in describe_persona(library.persona(persona.persona_id), "zh").splitlines() if "特征组合" in line
    )
    try:
        with urllib.request.urlopen(f"{url}config") as response:
            config = response.read().decode()
        assert traits_line not in config and "特征组合" not in config  # no persona's type is in the page
        assert "persona_markdown" not in config and "scenario_markdown" not in config
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.goto(url, wait_until="domcontentloaded")
                page.locator("#tab-library-button").click()
                page.get_by_label("教师密码").fill("xi-2025")
                page.locator("#teacher-open").click()
                sync_api.expect(page.get_by_text("密码不对")).to_be_visible()
                page.get_by_label("教师密码").fill("xi-2026")
                page.locator("#teacher-open").click()
                sync_api.expect(page.get_by_text(t("ui.tab.personas", "zh")).first).to_be_visible()
                sync_api.expect(page.get_by_text("特征组合").first).to_be_visible()
            finally:
                browser.close()
    finally:
        demo.close()
