"""Review and history in a real browser: a teacher overrides a score and exports the class; students see only
their own sessions and cannot open the teacher pages."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from roleplay.settings import Settings
from roleplay.ui.app import build_app, launch
from roleplay.ui.practice_model import PracticeContext, practice_context

from .browser import BROWSER_ARGS, CHROMIUM, free_port, needs_chromium, quiet_gradio
from .conftest import PROJECT_ROOT
from .test_ui_review import LIBRARY, _practise

PASSWORD = "xi-2026"
pytestmark = needs_chromium


@pytest.fixture
def app_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The whole app on a free port, with two graded sessions of 张三 and one of 李四."""
    quiet_gradio(monkeypatch)
    settings = Settings(
        library_dir=PROJECT_ROOT,
        data_dir=tmp_path / "data",
        offline=True,
        language="zh",
        host="127.0.0.1",
        port=free_port(),
        teacher_password=SecretStr(PASSWORD),
    )
    context: PracticeContext = practice_context(settings, LIBRARY)

    async def seed() -> None:
        for name, number in (("张三", "2023010512"), ("张三", "2023010512"), ("李四", "2023010513")):
            await _practise(context, name, number)

    with ThreadPoolExecutor(1) as worker:  # playwright's own event loop may already run in this thread
        worker.submit(asyncio.run, seed()).result()
    demo = build_app(settings, replace(context, settings=settings))
    launch(demo, settings, prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _unlock(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="教师 Teacher").click()
    page.get_by_label("教师密码").fill(PASSWORD)
    page.get_by_role("button", name="进入教师页面").click()
    page.get_by_role("tab", name="成绩", exact=True).click()
    expect(page.locator("#rv-message")).to_contain_text("共 3 条记录")


def _choose(page: Any, field: str, option: str, exact: bool = False) -> None:
    page.locator(f"{field} input").click()
    page.get_by_role("option", name=option, exact=exact).first.click()


def test_a_teacher_opens_a_report_overrides_a_score_and_sees_the_log(
    browser: Any, app_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    for device, width, height in (("desktop", 1280, 800), ("phone", 390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        _unlock(page, app_url)
        expect(page.locator("#rv-table")).to_contain_text("李四")
        page.locator("#rv-student input, #rv-student textarea").first.fill("张三")
        page.locator("#rv-apply").click()
        expect(page.locator("#rv-message")).to_contain_text("共 2 条记录")
        expect(page.locator("#rv-table")).not_to_contain_text("李四")
        _choose(page, "#rv-pick", "#1 · 张三")
        expect(page.locator("#rv-head")).to_contain_text("报告 #1")
        expect(page.frame_locator("#rv-report iframe").locator("body")).to_contain_text("张三")
        _choose(page, "#rv-dimension", "服务态度")
        _choose(page, "#rv-level", "5", exact=True)
        page.locator("#rv-teacher input").fill("陈老师")
        page.locator("#rv-save").click()
        expect(page.locator("#rv-saved")).to_contain_text("请写一句说明")
        page.locator("#rv-comment textarea").fill(f"全程礼貌（{device}）")
        page.locator("#rv-save").click()
        expect(page.locator("#rv-saved")).to_contain_text("已保存：服务态度")
        expect(page.locator("#rv-saved")).to_contain_text("→ 5，")
        expect(page.locator("#rv-dimension input")).to_have_value(re.compile("服务态度"))
        expect(page.locator("#rv-log")).to_contain_text("陈老师")
        expect(page.locator("#rv-log")).to_contain_text(f"全程礼貌（{device}）")
        expect(page.frame_locator("#rv-report iframe").locator("body")).to_contain_text("老师调整了")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, device
        page.screenshot(path=str(tmp_path / f"{device}-review.png"), full_page=True)
        page.close()


def test_a_teacher_exports_the_class_csv_and_sees_the_dashboard(browser: Any, app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _unlock(page, app_url)
    page.get_by_role("tab", name="看板").click()
    page.locator("#rv-dashboard-refresh").click()
    expect(page.locator("#rv-dashboard-message")).to_contain_text("3")
    expect(page.locator("#rv-chart-0 .js-plotly-plot")).to_be_visible(timeout=30_000)  # plotly.js loads lazily
    expect(page.locator("#rv-chart-2 .js-plotly-plot")).to_be_visible(timeout=30_000)  # plotly.js loads lazily
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.get_by_role("tab", name="导出").click()
    page.locator("#rv-export-make").click()
    expect(page.locator("#rv-export-message")).to_contain_text("已导出 3 条记录")
    with page.expect_download() as waiting:
        page.locator("#rv-export-csv").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert sorted(row["学生"] for row in rows) == ["张三", "张三", "李四"]
    assert all(row["总分"] for row in rows)
    page.close()


def test_a_student_sees_only_their_own_history_and_not_the_teacher_pages(
    browser: Any, app_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(app_url, wait_until="domcontentloaded")
    page.locator("#rp-name input, #rp-name textarea").first.fill("李四")
    page.locator("#rp-number input, #rp-number textarea").first.fill("2023010513")
    page.locator("#rp-signin").click()
    page.get_by_text("我的练习记录").click()
    expect(page.locator("#rp-history-message")).to_contain_text("共 1 次练习")
    expect(page.locator("#rp-history-table")).to_contain_text("王建国")
    expect(page.locator("#rp-history-chart .js-plotly-plot")).to_be_visible(timeout=30_000)  # plotly.js loads lazily
    page.locator("#rp-history-pick input").click()
    expect(page.get_by_role("option")).to_have_count(1)
    page.get_by_role("option").first.click()
    expect(page.frame_locator("#rp-history-report iframe").locator("body")).to_contain_text("李四")
    expect(page.frame_locator("#rp-history-report iframe").locator("body")).not_to_contain_text("张三")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.screenshot(path=str(tmp_path / "phone-history.png"), full_page=True)

    page.get_by_role("tab", name="教师 Teacher").click()
    page.get_by_label("教师密码").fill("guess")
    page.get_by_role("button", name="进入教师页面").click()
    expect(page.get_by_text("密码不对")).to_be_visible()
    expect(page.get_by_role("tab", name="成绩", exact=True)).to_have_count(0)
    expect(page.locator("#rv-table")).to_have_count(0)
    page.close()
