"""The student practice tab: handlers without a browser, and one real-browser session."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest
import yaml

from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.transcript import Transcript
from roleplay.ui.app import build_app, launch
from roleplay.ui.practice import (
    end_chat,
    practise_again,
    send_message,
    sign_in,
    start_chat,
    submit_guess,
)
from roleplay.ui.practice_model import ChatUpdate, PracticeContext, PracticeState, practice_context
from roleplay.ui.practice_view import RANDOM_CUSTOMER, customer_choices, guess_choices

from .browser import BROWSER_ARGS, CHROMIUM, free_port, needs_chromium, quiet_gradio
from .conftest import PROJECT_ROOT
from .fakes import ScriptedChatModel

LIBRARY = Library.load(PROJECT_ROOT)
SCENARIO = "aircon_after_sales"
PERSONA = "wang_jianguo"
LINE = "您好，我是客服小李，非常抱歉师傅没有按约上门，请问空调现在是什么情况？"
# Two lines that make the angry customer (PERSONA) escalate: the chat ends without the end button.
ESCALATING = ["请您耐心等待，我们会尽快安排。", "这个不归我管，您找安装师傅吧。"]


@pytest.fixture
def context(tmp_path: Path) -> PracticeContext:
    settings = Settings(library_dir=PROJECT_ROOT, data_dir=tmp_path / "data", offline=True, language="zh")
    return practice_context(settings, LIBRARY)


@pytest.fixture
def signed(context: PracticeContext) -> PracticeState:
    return sign_in(context, PracticeState(), "张三", "2023010512").state


async def _started(context: PracticeContext, state: PracticeState, customer: str = PERSONA) -> PracticeState:
    result = await start_chat(context, state, SCENARIO, customer)
    assert not result.error, result.error
    return result.state


async def _collect(updates: AsyncIterator[ChatUpdate]) -> list[ChatUpdate]:
    return [update async for update in updates]


@pytest.mark.parametrize(
    ("name", "number", "key"),
    [
        pytest.param("", "2023010512", "ui.practice.need_name", id="no-name"),
        pytest.param("   ", "2023010512", "ui.practice.need_name", id="blank-name"),
        pytest.param("张" * 51, "2023010512", "ui.practice.name_too_long", id="long-name"),
        pytest.param("张三", "", "ui.practice.need_number", id="no-number"),
        pytest.param("张三", "2023 0105", "ui.practice.bad_number", id="space-in-number"),
        pytest.param("张三", "学号123", "ui.practice.bad_number", id="chinese-in-number"),
        pytest.param("张三", "1" * 31, "ui.practice.bad_number", id="long-number"),
    ],
)
def test_sign_in_refuses_with_a_clear_message(context: PracticeContext, name: str, number: str, key: str) -> None:
    result = sign_in(context, PracticeState(), name, number)
    assert result.state.student is None
    assert result.error == t(key, "zh", limit=50 if "name" in key else 30)


def test_sign_in_keeps_the_trimmed_student(context: PracticeContext) -> None:
    result = sign_in(context, PracticeState(), "  张三 ", " 2023-01_05 ")
    assert result.error == ""
    assert result.state.student is not None
    assert (result.state.student.name, result.state.student.student_id) == ("张三", "2023-01_05")
    assert "张三" in result.greeting and "2023-01_05" in result.greeting


def test_customers_random_first_then_suggested_without_giving_the_type_away() -> None:
    choices = customer_choices(LIBRARY, "zh", SCENARIO)
    values = [value for _, value in choices]
    suggested = LIBRARY.scenarios[SCENARIO].suggested_personas
    assert values[0] == RANDOM_CUSTOMER
    assert values[1 : 1 + len(suggested)] == suggested
    assert sorted(values[1:]) == sorted(LIBRARY.personas)
    trait_names = {trait.name.zh for trait in LIBRARY.traits.values()}
    assert not [label for label, _ in choices if any(name in label for name in trait_names)]


def test_guess_choices_use_the_chinese_names() -> None:
    assert ("气愤型", "angry") in guess_choices(LIBRARY, "behaviour", "zh")
    assert ("Results-driven · 结果型", "results") in guess_choices(LIBRARY, "style", "en")


async def test_start_shows_the_opening_and_records_the_student(context: PracticeContext, signed: PracticeState) -> None:
    result = await start_chat(context, signed, SCENARIO, PERSONA)
    assert result.error == ""
    session = result.state.session
    assert session is not None
    assert [m["role"] for m in result.state.history] == ["assistant"]
    assert result.state.history[0]["content"] == session.turns[0].text
    assert "王建国" in result.title
    assert LIBRARY.scenarios[SCENARIO].card[0].title.zh in result.brief
    assert result.timer_key
    saved = await context.store.run(context.store.transcript, session.session_id)
    assert saved.student is not None and saved.student.student_id == "2023010512"
    assert (saved.persona, saved.scenario, saved.rubric) == (PERSONA, SCENARIO, "default")


async def test_random_customer_is_drawn_from_the_scenario_suggestions(
    context: PracticeContext, signed: PracticeState
) -> None:
    drawn = set()
    for seed in range(6):
        result = await start_chat(context, signed, SCENARIO, RANDOM_CUSTOMER, rng=random.Random(seed))
        assert result.state.session is not None
        drawn.add(result.state.session.persona.persona_id)
    assert drawn <= set(LIBRARY.scenarios[SCENARIO].suggested_personas)


@pytest.mark.parametrize(
    ("scenario", "customer", "fragment"),
    [
        pytest.param("no_such_scenario", PERSONA, "没有场景 “no_such_scenario”", id="scenario"),
        pytest.param(SCENARIO, "no_such_person", "没有顾客 “no_such_person”", id="persona"),
        pytest.param(SCENARIO, None, "没有顾客", id="no-persona"),
    ],
)
async def test_unknown_choice_says_what_is_wrong(
    context: PracticeContext, signed: PracticeState, scenario: str, customer: str | None, fragment: str
) -> None:
    result = await start_chat(context, signed, scenario, customer)
    assert fragment in result.error
    assert result.state.session is None


async def test_start_needs_a_signed_in_student(context: PracticeContext) -> None:
    result = await start_chat(context, PracticeState(), SCENARIO, PERSONA)
    assert result.error == t("ui.practice.need_signin", "zh")


async def test_sending_streams_the_reply_and_saves_both_turns(context: PracticeContext, signed: PracticeState) -> None:
    state = await _started(context, signed)
    assert state.session is not None
    before = state.session.turns[-1].state
    opening_key = f"{state.session.session_id}:1"
    updates = await _collect(send_message(context, state, f"  {LINE}  "))
    first, last = updates[0], updates[-1]
    assert first.waiting and first.timer_key == "" and first.history[-2] == {"role": "user", "content": LINE}
    assert not last.waiting and last.accepted and last.timer_key not in ("", opening_key)
    assert [m["role"] for m in last.history] == ["assistant", "user", "assistant"]
    assert last.history[-1]["content"] == state.session.turns[-1].text != ""
    assert state.session.turns[-1].state != before
    assert not state.busy
    saved = await context.store.run(context.store.transcript, state.session.session_id)
    assert [(turn.role, turn.text) for turn in saved.turns[1:]] == [
        ("agent", LINE),
        ("customer", last.history[-1]["content"]),
    ]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("   ", t("ui.practice.empty_message", "zh"), id="empty"),
        pytest.param("好" * 1001, t("ui.practice.too_long", "zh", limit=1000), id="too-long"),
    ],
)
async def test_a_message_that_cannot_be_sent_says_why(
    context: PracticeContext, signed: PracticeState, text: str, status: str
) -> None:
    state = await _started(context, signed)
    updates = await _collect(send_message(context, state, text))
    assert [(u.accepted, u.status) for u in updates] == [(False, status)]
    assert state.session is not None and len(state.session.turns) == 1


async def test_the_customer_ending_the_chat_closes_it_and_asks_for_the_guess(
    context: PracticeContext, signed: PracticeState
) -> None:
    state = await _started(context, signed)
    await _collect(send_message(context, state, "请您耐心等待，我们会尽快安排。"))
    last = (await _collect(send_message(context, state, "这个不归我管，您找安装师傅吧。")))[-1]
    assert last.closed and last.timer_key == ""
    assert "顾客升级投诉" in last.status
    assert state.session is not None
    saved = await context.store.run(context.store.transcript, state.session.session_id)
    assert saved.outcome == "escalated" and saved.ended_at is not None
    assert (await submit_guess(context, state, "angry", "results")).error == ""


async def test_a_failing_model_shows_the_notice_and_the_chat_goes_on(
    context: PracticeContext, signed: PracticeState
) -> None:
    model = ScriptedChatModel(replies=[RuntimeError("connection refused"), "好吧，那你说说什么时候能来？"])
    failing = replace(context, customer_model=model)
    state = await _started(failing, signed)
    first = await _collect(send_message(failing, state, LINE))
    assert "离线剧本" in first[-1].status
    assert first[-1].history[-1]["content"]
    second = await _collect(send_message(failing, state, "今天下午两点前师傅一定到，我是负责人小李。"))
    assert second[-1].status == ""
    streamed = [update.history[-1]["content"] for update in second]
    assert streamed[0] == "" and 0 < len(streamed[1]) < len(streamed[-1]), "the reply streams in pieces"
    assert streamed[-1].startswith(streamed[1])
    assert second[-1].history[-1]["content"] == "好吧，那你说说什么时候能来？"
    model.assert_complete()
    assert state.session is not None
    saved = await context.store.run(context.store.transcript, state.session.session_id)
    assert saved.agent_turns()[0].text == LINE


async def test_end_guess_report_and_downloads(context: PracticeContext, signed: PracticeState) -> None:
    state = await _started(context, signed)
    await _collect(send_message(context, state, LINE))
    assert (await submit_guess(context, state, "angry", "results")).error == t("ui.practice.not_ended", "zh")
    assert await end_chat(context, state) == t("ui.practice.ended", "zh")
    after_end = await _collect(send_message(context, state, "还有别的吗？"))
    assert after_end[-1].closed and not after_end[-1].accepted
    assert (await submit_guess(context, state, "angry", None)).error == t("ui.practice.need_guess", "zh")
    assert "nobody" in (await submit_guess(context, state, "nobody", "results")).error

    graded = await submit_guess(context, state, "angry", "analytical")
    assert graded.error == ""
    assert "总分" in graded.summary
    assert graded.frame.startswith("<iframe") and LINE in graded.frame
    assert graded.report_file is not None and graded.transcript_file is not None
    page = graded.report_file.read_text(encoding="utf-8")
    assert LINE in page and "张三" in page
    transcript = Transcript.model_validate(json.loads(graded.transcript_file.read_text(encoding="utf-8")))
    assert transcript.guess is not None and (transcript.guess.behaviour, transcript.guess.style) == (
        "angry",
        "analytical",
    )
    assert transcript.outcome == "ended_by_student"
    assert transcript.student is not None and transcript.student.student_id == "2023010512"
    assert transcript.agent_turns()[0].text == LINE
    assert graded.report_file.parent.is_relative_to(context.downloads_dir)

    again = practise_again(state)
    assert again.student == state.student and again.session is None and again.history == []


def test_every_practice_text_is_in_both_languages_and_used() -> None:
    messages = yaml.safe_load((PROJECT_ROOT / "roleplay" / "locales" / "messages.yaml").read_text(encoding="utf-8"))
    code = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "roleplay" / "ui").glob("*.py"))
    practice_keys = [key for key in messages if key.startswith("ui.practice.")]
    assert practice_keys
    for key in practice_keys:
        assert messages[key].get("zh") and messages[key].get("en"), key
        assert f'"{key}"' in code, f"{key} is never used"


@pytest.mark.parametrize(
    ("language", "tabs"),
    [
        pytest.param("zh", ["练习 Practice", "教师 Teacher"], id="zh"),
        pytest.param("en", ["Practice 练习", "Teacher 教师"], id="en"),
    ],
)
def test_app_has_practice_first_then_library(context: PracticeContext, language: str, tabs: list[str]) -> None:
    settings = context.settings.model_copy(update={"language": language})
    demo = build_app(settings, replace(context, settings=settings))
    labels = [block.label for block in demo.blocks.values() if isinstance(block, gr.Tab)]
    assert labels[:2] == tabs


# --- one real browser session -------------------------------------------------------------------


@needs_chromium
def test_a_student_practises_in_a_real_browser(
    context: PracticeContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    quiet_gradio(monkeypatch)
    settings = context.settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    demo = build_app(settings, replace(context, settings=settings))
    launch(demo, settings, prevent_thread_lock=True)
    url = f"http://127.0.0.1:{settings.port}/"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                for device, width, height in (("phone", 390, 844), ("desktop", 1280, 800)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    _practise(page, url, device, width, tmp_path)
                    page.close()
            finally:
                browser.close()
    finally:
        demo.close()


# Records every element of the chat input that gets disabled from now on (the lock lasts only a moment offline).
WATCH_LOCK = """() => {
  window.rpLocked = [];
  for (const e of document.querySelectorAll('#rp-chat-input textarea, #rp-send')) {
    new MutationObserver(() => { if (e.disabled) window.rpLocked.push(e.tagName); })
      .observe(e, {attributes: true, attributeFilter: ['disabled']});
  }
}"""


def _practise(page: object, url: str, device: str, width: int, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator("#mode-banner")).to_contain_text("离线模式")
    page.locator("#rp-signin").click()
    expect(page.locator("#rp-signin-message")).to_contain_text("请填写姓名")
    page.locator("#rp-name input, #rp-name textarea").first.fill("张三")
    page.locator("#rp-number input, #rp-number textarea").first.fill("2023010512")
    page.locator("#rp-signin").click()
    page.locator("#rp-scenario input").click()
    page.get_by_role("option", name=LIBRARY.scenarios[SCENARIO].title.zh).click()
    expect(page.locator("#rp-preview")).to_contain_text(LIBRARY.scenarios[SCENARIO].card[0].title.zh)
    customer_ends = device == "phone"
    if customer_ends:
        page.locator("#rp-customer input").click()
        page.get_by_role("option", name=re.compile(f"^{LIBRARY.personas[PERSONA].name.zh} ")).click()
    page.locator("#rp-start").click()
    bot = page.locator('#rp-chatbot [data-testid="bot"]')
    expect(bot).to_have_count(1)
    expect(page.locator("#rp-timer")).to_have_text(re.compile(r"顾客已等待 \d+ 秒"))
    page.evaluate(WATCH_LOCK)
    page.locator("#rp-chat-input textarea").fill(LINE)
    page.locator("#rp-chat-input textarea").press("Enter")
    expect(page.locator('#rp-chatbot [data-testid="user"]')).to_contain_text(LINE)
    expect(bot).to_have_count(2)
    expect(bot.nth(1)).not_to_be_empty()
    # The page locked the box and the send button while the customer answered, and unlocked them after.
    expect(page.locator("#rp-chat-input textarea")).to_be_enabled()
    expect(page.locator("#rp-send")).to_be_enabled()
    assert sorted(set(page.evaluate("window.rpLocked"))) == ["BUTTON", "TEXTAREA"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, device
    page.screenshot(path=str(shots / f"{device}-chat.png"), full_page=True)
    if customer_ends:  # the angry customer escalates: the input goes and the guess appears, no button pressed
        for sent, line in enumerate(ESCALATING, start=2):
            page.locator("#rp-chat-input textarea").fill(line)
            page.locator("#rp-chat-input textarea").press("Enter")
            expect(page.locator('#rp-chatbot [data-testid="user"]')).to_have_count(sent)
        expect(page.locator("#rp-status")).to_contain_text("顾客升级投诉")
        expect(page.locator("#rp-guess")).to_be_visible()
        expect(page.locator("#rp-chat-input")).to_be_hidden()
        expect(page.locator("#rp-end")).to_be_hidden()
    else:
        page.locator("#rp-end").click()
    for label, option in (("表现类型", "气愤型"), ("沟通风格", "结果型")):
        page.get_by_label(label).click()
        page.get_by_role("option", name=option).click()
    page.locator("#rp-guess").click()
    expect(page.locator("#rp-summary")).to_contain_text("总分")
    report = page.frame_locator("#rp-report iframe")
    expect(report.locator("body")).to_contain_text(LINE)
    expect(report.locator("body")).to_contain_text("张三")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, device
    page.screenshot(path=str(shots / f"{device}-report.png"))
