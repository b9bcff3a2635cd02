"""Assignments in a real browser: a teacher sets one for a class, a student of that class does it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.ui.app import build_app, launch
from roleplay.ui.practice_model import PracticeContext, practice_context

from .browser import BROWSER_ARGS, CHROMIUM, free_port, needs_chromium, quiet_gradio
from .conftest import PROJECT_ROOT

LIBRARY = Library.load(PROJECT_ROOT)
SCENARIO = "aircon_after_sales"
PASSWORD = "xi-2026"
CLASS = "电商2301"
TITLE = "售后投诉：每种表现类型"
NOTE = "先安抚情绪，再确认事实。"
LINE = "您好，我是客服小李，非常抱歉师傅没有按约上门，请问空调现在是什么情况？"


@pytest.fixture
def context(tmp_path: Path) -> PracticeContext:
    settings = Settings(
        library_dir=PROJECT_ROOT,
        data_dir=tmp_path / "data",
        offline=True,
        language="zh",
        teacher_password=SecretStr(PASSWORD),
        host="127.0.0.1",
        port=free_port(),
    )
    return practice_context(settings, LIBRARY)


@needs_chromium
def test_a_teacher_sets_an_assignment_and_a_student_of_the_class_does_it(
    context: PracticeContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    quiet_gradio(monkeypatch)
    demo = build_app(context.settings, replace(context))
    launch(demo, context.settings, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{context.settings.port}/"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                teacher = browser.new_page(viewport={"width": 1280, "height": 900})
                _set_assignment(teacher, url, tmp_path)
                student = browser.new_page(viewport={"width": 390, "height": 844})
                _do_assignment(student, url, tmp_path)
            finally:
                browser.close()
    finally:
        demo.close()
    sessions = context.store.session_ids()
    assert len(sessions) == 1
    (made,) = context.assignments.all()
    assert made.title == TITLE and made.class_code == CLASS and made.time_limit_minutes == 30
    assert made.closes_at == datetime(2099, 12, 31, 23, 59)
    assert context.store.assignment_of(sessions[0]) == made.assignment_id
    saved = context.store.transcript(sessions[0])
    assert saved.ended_at is not None and saved.turns[1].text == LINE
    assert saved.student is not None and saved.student.class_name == CLASS
    assert saved.persona in {LIBRARY.persona(spec).persona_id for spec in made.personas}


def _set_assignment(page: object, url: str, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url, wait_until="domcontentloaded")
    page.locator("#tab-library-button").click()
    page.get_by_label("教师密码").fill(PASSWORD)
    page.get_by_label("教师密码").press("Enter")
    page.locator("#tab-assignments-button").click()
    expect(page.locator("#as-empty")).to_contain_text("还没有作业")
    page.locator("#as-create").click()
    expect(page.locator("#as-form-message")).to_contain_text("作业名称")
    page.locator("#as-title input").fill(TITLE)
    page.locator("#as-scenario input").click()
    page.get_by_role("option", name=LIBRARY.scenarios[SCENARIO].title.zh).click()
    page.get_by_text("顾客池：每种表现类型各一位").click()
    expect(page.locator("#as-preview")).to_contain_text(f"顾客池共 {len(LIBRARY.trait_ids('behaviour'))} 位")
    page.locator("#as-class input").fill(CLASS)
    expect(page.locator("#as-limit input")).to_have_value("")  # empty means no limit: a 0 shown there is refused
    page.locator("#as-limit input").fill("30")
    page.locator("#as-closes input").fill("2099-12-31")  # as the hint shows it, without seconds: a date means 23:59
    page.get_by_label("给学生的说明").fill(NOTE)
    page.locator("#as-create").click()
    expect(page.locator("#as-form-message")).to_contain_text(f"已创建作业 “{TITLE}”")
    expect(page.locator("#as-table")).to_contain_text(TITLE)
    expect(page.locator("#as-table")).to_contain_text("进行中")
    expect(page.locator("#as-table")).to_contain_text("2099-12-31 23:59")
    page.screenshot(path=str(shots / "teacher-assignments.png"), full_page=True)


def _do_assignment(page: object, url: str, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url, wait_until="domcontentloaded")
    page.locator("#rp-name input").fill("张三")
    page.locator("#rp-number input").fill("2023010512")
    page.locator("#rp-class input").fill(CLASS)
    page.locator("#rp-signin").click()
    listing = page.locator("#rp-assignment-list")
    expect(listing).to_contain_text(TITLE)
    expect(listing).to_contain_text("限时 30 分钟")
    expect(listing).to_contain_text("未完成")
    page.locator("#rp-assignment").get_by_text(TITLE).click()
    page.locator("#rp-assign-start").click()
    bot = page.locator('#rp-chatbot [data-testid="bot"]')
    expect(bot).to_have_count(1)
    expect(page.locator("#rp-countdown")).to_have_text(re.compile(r"剩余时间 (30:00|29:[0-5]\d)"))
    expect(page.get_by_text(NOTE)).to_be_visible()
    trait_names = [trait.name.zh for trait in LIBRARY.traits.values() if trait.axis in ("behaviour", "style")]
    shown = page.locator("body").inner_text()
    assert "一位顾客" in shown
    assert not [name for name in trait_names if name in shown], "the customer's type must not show before the guess"
    page.locator("#rp-chat-input textarea").fill(LINE)
    page.locator("#rp-chat-input textarea").press("Enter")
    expect(page.locator('#rp-chatbot [data-testid="user"]')).to_contain_text(LINE)
    expect(bot).to_have_count(2)
    expect(bot.nth(1)).not_to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, "fits a phone"
    page.screenshot(path=str(shots / "student-assignment.png"), full_page=True)
    page.locator("#rp-end").click()
    expect(page.get_by_text("你已结束对话")).to_be_visible()
    expect(page.locator("#rp-countdown")).to_have_text("")
