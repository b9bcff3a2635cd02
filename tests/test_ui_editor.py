"""The teacher's library editor page: handlers without a browser, and one real-browser edit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.store import SessionNotFoundError
from roleplay.ui.app import build_app, launch
from roleplay.ui.editor_handlers import (
    check_text,
    duplicate_file,
    files_of,
    open_file,
    restore_version,
    save_text,
    send_trial,
    start_trial,
)
from roleplay.ui.editor_model import EditorContext, EditorState, TrialUpdate, editor_context
from roleplay.ui.practice import sign_in, start_chat
from roleplay.ui.practice_model import PracticeContext, PracticeState, practice_context

from .browser import BROWSER_ARGS, CHROMIUM, free_port, needs_chromium, quiet_gradio
from .conftest import PROJECT_ROOT

PERSONA = "personas/wang_jianguo.yaml"
PASSWORD = "xi-2026"


@pytest.fixture
def practice(library_copy: Path, tmp_path: Path) -> PracticeContext:
    settings = Settings(
        library_dir=library_copy,
        data_dir=tmp_path / "data",
        offline=True,
        language="zh",
        teacher_password=SecretStr(PASSWORD),
    )
    return practice_context(settings, Library.load(library_copy))


@pytest.fixture
def context(practice: PracticeContext) -> EditorContext:
    return editor_context(practice)


@pytest.fixture
def teacher() -> EditorState:
    return EditorState(teacher=True)


def _opened(context: EditorContext, relative: str = PERSONA) -> EditorState:
    result = open_file(context, EditorState(teacher=True), relative, None)
    assert result.text is not None, result.error
    return result.state


async def _collect(updates: AsyncIterator[TrialUpdate]) -> list[TrialUpdate]:
    return [update async for update in updates]


async def test_nothing_works_before_the_teacher_password(context: EditorContext, library_copy: Path) -> None:
    locked = EditorState(relative=PERSONA, saved_text="")
    text = (library_copy / PERSONA).read_text(encoding="utf-8")
    message = t("ui.editor.locked", "zh")
    assert files_of(context, locked, "persona") == []
    assert open_file(context, locked, PERSONA, None).error == message
    assert check_text(context, locked, text).check == message
    assert save_text(context, locked, text.replace("age: 48", "age: 49"), "x").message == message
    assert restore_version(context, locked, "20260101T000000000000", "x").message == message
    assert duplicate_file(context, locked, "copy_of_wang", "x", text).error == message
    assert (await start_trial(context, locked, text, "wang_jianguo", "aircon_after_sales")).status == message
    assert [u.status for u in await _collect(send_trial(context, locked, "您好"))] == [message]
    assert (library_copy / PERSONA).read_text(encoding="utf-8") == text
    assert not list(library_copy.glob("personas/copy_of_wang.yaml"))


def test_the_file_list_is_grouped_by_kind(context: EditorContext, teacher: EditorState) -> None:
    personas = files_of(context, teacher, "persona")
    traits = files_of(context, teacher, "trait")
    assert ("王建国 · wang_jianguo", PERSONA) in personas
    assert all(path.startswith("personas/traits/") for _, path in traits)
    assert all(path.startswith("rubrics/") for _, path in files_of(context, teacher, "rubric"))


def test_open_shows_the_text_check_preview_and_trial_choices(context: EditorContext, teacher: EditorState) -> None:
    result = open_file(context, teacher, PERSONA, None)
    assert result.text is not None and "persona_id: wang_jianguo" in result.text
    assert result.check == t("ui.editor.valid", "zh", file=PERSONA)
    assert "王建国" in result.preview and "`angry`" in result.preview
    assert result.versions == []
    assert result.trial.customer == "wang_jianguo" and result.trial.scenario == "aircon_after_sales"


def test_a_trait_is_previewed_inside_a_customer(context: EditorContext, teacher: EditorState) -> None:
    result = open_file(context, teacher, "personas/traits/buying/female.yaml", None)
    assert result.trial.customer is not None and "buying:female" in result.trial.customer
    assert t("ui.editor.preview_combination", "zh", spec=result.trial.customer) in result.preview


@pytest.mark.parametrize(
    ("relative", "key"),
    [
        pytest.param("../secret.yaml", "ui.editor.refused.outside", id="outside"),
        pytest.param("personas/nobody.yaml", "ui.editor.refused.missing", id="missing"),
        pytest.param(None, "ui.editor.refused.empty_path", id="nothing-picked"),
    ],
)
def test_open_refuses_with_a_clear_message(
    context: EditorContext, teacher: EditorState, relative: str | None, key: str
) -> None:
    result = open_file(context, teacher, relative, None)
    assert result.text is None
    assert result.error == t(key, "zh", detail=relative or "")


def test_unsaved_changes_are_kept_until_open_is_clicked_again(context: EditorContext) -> None:
    state = _opened(context)
    edited = state.saved_text.replace("age: 48", "age: 49")
    first = open_file(context, state, "personas/li_meiling.yaml", edited)
    assert first.text is None and first.error == t("ui.editor.unsaved", "zh", file=PERSONA)
    second = open_file(context, first.state, "personas/li_meiling.yaml", edited)
    assert second.text is not None and second.state.relative == "personas/li_meiling.yaml"


def test_the_code_box_dropping_the_final_newline_is_not_an_unsaved_change(context: EditorContext) -> None:
    state = _opened(context)
    result = open_file(context, state, "personas/li_meiling.yaml", state.saved_text.strip())
    assert result.text is not None, result.error


def test_live_check_locates_errors_in_plain_words(context: EditorContext) -> None:
    state = _opened(context)
    result = check_text(context, state, state.saved_text.replace("behaviour: angry", "behaviour: angy"))
    assert t("ui.editor.invalid", "zh", file=PERSONA, count=1) in result.check
    assert "`personas/wang_jianguo.yaml` 第 29 行" in result.check and "字段 `traits.behaviour`" in result.check
    assert "allowed: angry, arrogant" in result.check
    assert result.preview == t("ui.editor.preview_broken", "zh")


def test_save_reloads_the_library_the_practice_tab_uses(
    practice: PracticeContext, context: EditorContext, library_copy: Path
) -> None:
    state = _opened(context)
    refused = save_text(context, state, state.saved_text.replace("age: 48", "age: 480"), "李老师")
    assert refused.message == t("ui.editor.not_saved", "zh") and "age" in refused.check
    assert practice.library.personas["wang_jianguo"].age == 48
    result = save_text(context, state, state.saved_text.replace("age: 48", "age: 49"), "李老师")
    assert result.saved and result.message.startswith("✅")
    assert practice.library.personas["wang_jianguo"].age == 49
    assert (library_copy / PERSONA).read_text(encoding="utf-8").count("age: 49") == 1
    assert result.versions is not None and len(result.versions) == 2
    assert "李老师" in result.versions[0][0] and t("ui.editor.version_current", "zh") in result.versions[0][0]


def test_restore_puts_the_old_text_back_in_the_editor(context: EditorContext, library_copy: Path) -> None:
    state = _opened(context)
    original = state.saved_text
    save_text(context, state, original.replace("age: 48", "age: 49"), "李老师")
    assert restore_version(context, state, None, "李老师").message == t("ui.editor.pick_version", "zh")
    oldest = context.editor.versions(PERSONA)[-1].version_id
    result = restore_version(context, state, oldest, "王老师")
    assert result.saved and result.text == original
    assert (library_copy / PERSONA).read_text(encoding="utf-8") == original
    assert state.saved_text == original


def test_duplicate_opens_the_new_file(context: EditorContext, library_copy: Path) -> None:
    state = _opened(context)
    unsaved = duplicate_file(context, state, "wang_copy", "李老师", state.saved_text + "# note\n")
    assert unsaved.error == t("ui.editor.unsaved", "zh", file=PERSONA)
    refused = duplicate_file(context, state, "Wang Copy", "李老师", state.saved_text)
    assert refused.error == t("ui.editor.refused.bad_id", "zh", detail="Wang Copy")
    result = duplicate_file(context, state, "wang_copy", "李老师", state.saved_text)
    assert result.text is not None and "persona_id: wang_copy" in result.text
    assert result.state.relative == "personas/wang_copy.yaml"
    assert result.message == t("ui.editor.duplicated", "zh", file="personas/wang_copy.yaml")
    assert (library_copy / "personas" / "wang_copy.yaml").is_file()


async def test_a_students_next_chat_can_use_a_new_persona_at_once(
    practice: PracticeContext, context: EditorContext
) -> None:
    state = _opened(context)
    assert duplicate_file(context, state, "wang_copy", "李老师", state.saved_text).text is not None
    student = sign_in(practice, PracticeState(), "张三", "2023010512").state
    started = await start_chat(practice, student, "aircon_after_sales", "wang_copy")
    assert not started.error and started.state.session is not None
    assert started.state.session.persona.persona_id == "wang_copy"


async def test_trial_chat_uses_the_unsaved_text_and_shows_the_state_trace(
    practice: PracticeContext, context: EditorContext
) -> None:
    state = _opened(context)
    calmer = state.saved_text.replace("initial_state: {patience: 3.5}", "initial_state: {patience: 9, emotion: 1}")
    started = await start_trial(context, state, calmer, "wang_jianguo", "aircon_after_sales")
    assert started.accepted and len(started.history) == 1, started.status
    assert state.trial is not None and state.trial.persona.initial_state.patience == 9
    assert "<table" in started.trace and "9.0" in started.trace
    updates = await _collect(send_trial(context, state, "非常抱歉让您久等了，请问空调现在是什么情况？"))
    last = updates[-1]
    assert [m["role"] for m in last.history] == ["assistant", "user", "assistant"] and last.history[-1]["content"]
    assert "道歉" in last.trace and "开放式提问" in last.trace
    assert last.trace.count("<tr>") == 3  # header, opening, one exchange
    assert "<svg" in last.trace
    with pytest.raises(SessionNotFoundError):  # trial chats never land among the students' sessions
        practice.store.transcript(state.trial.session_id)


async def test_trial_chat_says_what_is_missing(context: EditorContext) -> None:
    state = _opened(context)
    assert [u.status for u in await _collect(send_trial(context, state, "您好"))] == [
        t("ui.editor.try_need_start", "zh")
    ]
    no_scenario = await start_trial(context, state, state.saved_text, "wang_jianguo", None)
    assert no_scenario.status == t("ui.editor.try_no_scenario", "zh")
    broken = state.saved_text.replace("age: 48", "age: 480")
    unknown = await start_trial(context, state, broken, "wang_jianguo", "aircon_after_sales")
    assert unknown.status.startswith("⚠️") and "wang_jianguo" in unknown.status


def test_every_editor_text_is_in_both_languages_and_used() -> None:
    messages = yaml.safe_load((PROJECT_ROOT / "roleplay" / "locales" / "messages.yaml").read_text(encoding="utf-8"))
    code = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "roleplay").rglob("*.py"))
    keys = [key for key in messages if key.startswith("ui.editor.")]
    assert keys
    for key in keys:
        assert messages[key].get("zh") and messages[key].get("en"), key
        family = key.rsplit(".", 1)[0] + "."  # t(f"ui.editor.kind.{kind}") uses the whole family
        used = {f'"{key}"', f"'{key}'", f'f"{family}{{'}
        assert any(form in code for form in used), f"{key} is never used"


# --- one real browser edit ---------------------------------------------------------------------


@needs_chromium
def test_a_teacher_fixes_a_persona_in_a_real_browser(
    practice: PracticeContext, library_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    quiet_gradio(monkeypatch)
    settings = practice.settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    demo = build_app(settings)
    launch(demo, settings, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{settings.port}/"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                _edit(page, url, tmp_path)
                page.close()
            finally:
                browser.close()
    finally:
        demo.close()
    saved = (library_copy / PERSONA).read_text(encoding="utf-8")
    assert "\nage: 49\n" in saved and "age: 48" not in saved
    editor = editor_context(practice).editor
    versions = editor.versions(PERSONA)
    assert [v.record.action for v in versions] == ["save", "before_editing"]
    assert "\nage: 48\n" in versions[1].record.text and versions[0].record.author == "李老师"


def _edit(page: object, url: str, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="教师 Teacher").click()
    page.get_by_label("教师密码").fill(PASSWORD)
    page.get_by_role("button", name="进入教师页面").click()
    page.get_by_role("tab", name="编辑", exact=True).click()
    page.locator("#ed-file input").click()
    page.get_by_role("option", name="王建国 · wang_jianguo").click()
    page.locator("#ed-open").click()
    check = page.locator("#ed-check")
    expect(check).to_contain_text("没有问题")
    page.locator("#ed-author input, #ed-author textarea").first.fill("李老师")
    age_line = page.locator("#ed-code .cm-line", has_text="age: 48")
    age_line.click()
    page.keyboard.press("End")
    page.keyboard.type("0")  # age: 480, beyond the allowed 95
    expect(check).to_contain_text("personas/wang_jianguo.yaml")
    expect(check).to_contain_text("第 5 行")
    expect(check).to_contain_text("age")
    expect(check).to_contain_text("less than or equal to 95")
    page.locator("#ed-save").click()
    expect(page.locator("#ed-save-message")).to_contain_text("没有保存")
    page.screenshot(path=str(shots / "editor-error.png"), full_page=True)
    page.locator("#ed-code .cm-line", has_text="age: 480").click()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("9")  # age: 49
    expect(check).to_contain_text("没有问题")
    page.locator("#ed-save").click()
    expect(page.locator("#ed-save-message")).to_contain_text("已保存")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.screenshot(path=str(shots / "editor-saved.png"), full_page=True)
