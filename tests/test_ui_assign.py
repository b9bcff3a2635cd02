"""Assignments in the web app, without a browser: the student's list and start, the time limit, the teacher's form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from roleplay.assignment import Assignment, AssignmentForm, build_pool, check_form
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.ui.assignments import (
    MIXED,
    action_choices,
    change_assignment,
    create_assignment,
    overview,
    pool_choice,
    pool_preview,
    table_rows,
)
from roleplay.ui.practice import end_chat, send_message, sign_in, submit_guess
from roleplay.ui.practice_assign import my_assignments, start_assignment
from roleplay.ui.practice_model import ChatUpdate, PracticeContext, PracticeState, practice_context

from .conftest import PROJECT_ROOT

LIBRARY = Library.load(PROJECT_ROOT)
SCENARIO = "aircon_after_sales"
CLASS = "电商2301"
LINE = "您好，我是客服小李，非常抱歉师傅没有按约上门，请问空调现在是什么情况？"


@pytest.fixture
def context(tmp_path: Path) -> PracticeContext:
    settings = Settings(library_dir=PROJECT_ROOT, data_dir=tmp_path / "data", offline=True, language="zh")
    return practice_context(settings, LIBRARY)


def _signed(context: PracticeContext, number: str = "2023010512", code: str | None = CLASS) -> PracticeState:
    result = sign_in(context, PracticeState(), "张三", number, code)
    assert result.error == "", result.error
    return result.state


def _set(context: PracticeContext, **changes: object) -> Assignment:
    values: dict[str, object] = {
        "title": "售后投诉练习",
        "scenario": SCENARIO,
        "rubric": "exam",
        "personas": build_pool(LIBRARY, "every_behaviour"),
        "class_code": CLASS,
        "time_limit": 20,
        "note": "先安抚情绪，再确认事实。",
    }
    draft = check_form(AssignmentForm(**(values | changes)), LIBRARY, datetime.now()).draft
    assert draft is not None
    return context.assignments.create(draft, created_by="teacher", now=datetime.now() - timedelta(hours=1))


async def _collect(updates: AsyncIterator[ChatUpdate]) -> list[ChatUpdate]:
    return [update async for update in updates]


def test_sign_in_keeps_the_class_code_and_refuses_a_bad_one(context: PracticeContext) -> None:
    signed = _signed(context)
    assert signed.student is not None and signed.student.class_name == CLASS
    assert CLASS in sign_in(context, PracticeState(), "张三", "2023010512", f" {CLASS} ").greeting
    without = sign_in(context, PracticeState(), "张三", "2023010512", "  ").state
    assert without.student is not None and without.student.class_name is None
    refused = sign_in(context, PracticeState(), "张三", "2023010512", "电商 2301")
    assert refused.state.student is None
    assert refused.error.startswith("⚠️ 班级代码只能")


async def test_the_list_shows_open_assignments_for_the_class_and_everyone(context: PracticeContext) -> None:
    mine = _set(context, title="本班作业")
    everyone = _set(context, title="全体作业", class_code="")
    _set(context, title="别班作业", class_code="电商2302")
    _set(context, title="下周作业", opens_at=(datetime.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"))
    found = await my_assignments(context, _signed(context))
    assert sorted(value for _, value in found.choices) == sorted([mine.assignment_id, everyone.assignment_id])
    assert "本班作业" in found.markdown and "全体作业" in found.markdown
    assert "别班作业" not in found.markdown and "下周作业" not in found.markdown
    assert "限时 20 分钟" in found.markdown and "未完成" in found.markdown
    for spec in mine.personas:  # the pool gives the type away: never in the student's list
        assert spec not in found.markdown
    no_code = await my_assignments(context, _signed(context, code=None))
    assert [value for _, value in no_code.choices] == [everyone.assignment_id]


@pytest.mark.parametrize(("code", "key"), [(CLASS, "ui.assign.none_for_class"), (None, "ui.assign.none_open")])
async def test_an_empty_list_says_what_to_do(context: PracticeContext, code: str | None, key: str) -> None:
    found = await my_assignments(context, _signed(context, code=code))
    assert found.choices == []
    assert found.markdown == t(key, "zh", code=code or "")


async def test_starting_an_assignment_uses_its_scenario_draw_rubric_and_note(context: PracticeContext) -> None:
    made = _set(context)
    state = _signed(context)
    started = await start_assignment(context, state, made.assignment_id)
    assert started.error == ""
    session = started.state.session
    assert session is not None and started.state.assignment == made
    assert session.scenario.scenario_id == SCENARIO
    again = await start_assignment(context, state, made.assignment_id)
    assert again.state.session is not None
    assert session.persona.persona_id == again.state.session.persona.persona_id, "a reload draws the same customer"
    assert session.persona.persona_id in {LIBRARY.persona(spec).persona_id for spec in made.personas}
    trait_names = {trait.name.zh for trait in LIBRARY.traits.values()}
    assert not [name for name in trait_names if name in started.title], "the title must not give the type away"
    assert "一位顾客" in started.title and made.title in started.title
    assert "先安抚情绪，再确认事实。" in started.brief and "限时 20 分钟" in started.brief
    assert LIBRARY.scenarios[SCENARIO].card[0].title.zh in started.brief
    assert started.countdown.startswith(f"{session.session_id}:")
    assert 1190 <= int(started.countdown.split(":")[1]) <= 1200
    saved = await context.store.run(context.store.transcript, session.session_id)
    assert saved.rubric == "exam"
    assert saved.student is not None and saved.student.class_name == CLASS
    assert await context.store.run(context.store.assignment_of, session.session_id) == made.assignment_id


async def test_finishing_marks_the_assignment_done(context: PracticeContext) -> None:
    made = _set(context, time_limit=None)
    started = await start_assignment(context, _signed(context), made.assignment_id)
    assert started.countdown == "", "no time limit, no countdown"
    await _collect(send_message(context, started.state, LINE))
    await end_chat(context, started.state)
    found = await my_assignments(context, started.state)
    assert "✅ 已完成" in found.markdown
    assert found.choices == [(f"{made.title} · ✅ 已完成", made.assignment_id)]


@pytest.mark.parametrize(
    ("changes", "code", "key"),
    [
        pytest.param({"class_code": "电商2302"}, CLASS, "ui.assign.other_class", id="other-class"),
        pytest.param({}, None, "ui.assign.other_class", id="no-class-code"),
        pytest.param({"opens_at": "2099-01-01 08:00"}, CLASS, "ui.assign.not_open_yet", id="not-open"),
    ],
)
async def test_a_student_cannot_start_what_is_not_theirs_or_not_open(
    context: PracticeContext, changes: dict[str, object], code: str | None, key: str
) -> None:
    made = _set(context, **changes)
    started = await start_assignment(context, _signed(context, code=code), made.assignment_id)
    assert started.error == t(key, "zh", opens="2099-01-01 08:00")
    assert started.state.session is None


async def test_a_closed_assignment_is_refused_even_from_an_old_page(context: PracticeContext) -> None:
    made = _set(context)
    state = _signed(context)
    listed = await my_assignments(context, state)
    assert listed.choices  # the page still offers it ...
    await change_assignment(context, made.assignment_id, "close")
    started = await start_assignment(context, state, listed.choices[0][1])  # ... but the server refuses
    assert started.error == t("ui.assign.closed", "zh")
    assert started.state.session is None
    assert (await start_assignment(context, state, None)).error == t("ui.assign.pick_one", "zh")
    assert (await start_assignment(context, state, "no-such-id")).error == t("ui.assign.gone", "zh")
    assert (await start_assignment(context, PracticeState(), made.assignment_id)).error == t(
        "ui.practice.need_signin", "zh"
    )


async def test_after_the_time_limit_the_message_is_saved_and_the_chat_ends(context: PracticeContext) -> None:
    made = _set(context, time_limit=20)
    started_at = datetime.now() - timedelta(minutes=21)  # the student started 21 minutes ago
    started = await start_assignment(context, _signed(context), made.assignment_id, now=started_at)
    state = started.state
    assert state.session is not None and state.deadline == started_at + timedelta(minutes=20)
    updates = await _collect(send_message(context, state, f"  {LINE} "))
    assert len(updates) == 1
    late = updates[0]
    assert late.closed and late.accepted
    assert late.status == t("ui.assign.time_up_saved", "zh", minutes=20)
    assert late.history[-1] == {"role": "user", "content": LINE}, "the student sees their message kept"
    saved = await context.store.run(context.store.transcript, state.session.session_id)
    assert [(turn.role, turn.text) for turn in saved.turns[1:]] == [("agent", LINE)], "saved, and no reply"
    assert saved.turns[-1].acts, "the late message is tagged, so it counts in grading"
    assert saved.ended_at is not None and saved.outcome == "ended_by_student"
    after = await _collect(send_message(context, state, "还在吗？"))
    assert after[-1].closed and not after[-1].accepted
    graded = await submit_guess(context, state, "angry", "results")
    assert graded.error == "" and graded.report_file is not None
    assert "技能考核" in graded.report_file.read_text(encoding="utf-8"), "graded with the assignment's rubric"
    again = await start_assignment(context, _signed(context), made.assignment_id)
    assert again.error == t("ui.assign.time_used", "zh", minutes=20) and again.state.session is None


async def test_starting_again_continues_the_same_clock(context: PracticeContext) -> None:
    made = _set(context, time_limit=20)
    first_start = datetime.now() - timedelta(minutes=15)
    first = await start_assignment(context, _signed(context), made.assignment_id, now=first_start)
    again = await start_assignment(context, _signed(context), made.assignment_id)  # e.g. after reloading the page
    assert again.error == ""
    assert again.state.deadline == first.state.deadline == first_start + timedelta(minutes=20)
    assert 290 <= int(again.countdown.split(":")[1]) <= 300, "about five minutes left, not twenty"
    other = await start_assignment(context, _signed(context, number="2023010513"), made.assignment_id)
    assert other.state.deadline is not None and other.state.deadline > datetime.now() + timedelta(minutes=19)


async def test_within_the_time_limit_the_customer_answers(context: PracticeContext) -> None:
    made = _set(context, time_limit=20)
    started = await start_assignment(context, _signed(context), made.assignment_id)
    last = (await _collect(send_message(context, started.state, LINE)))[-1]
    assert not last.closed and last.history[-1]["role"] == "assistant" and last.history[-1]["content"]


# --- the teacher's tab ---------------------------------------------------------------------------


async def test_the_teacher_creates_and_sees_an_assignment(context: PracticeContext) -> None:
    pool = pool_choice(LIBRARY, "every_behaviour", None, None, MIXED, "hard")
    assert len(pool) == len(LIBRARY.trait_ids("behaviour")) and all(spec.endswith("+hard") for spec in pool)
    form = AssignmentForm(title="气愤型专练", scenario=SCENARIO, rubric="default", personas=pool, class_code=CLASS)
    saved = await create_assignment(context, form)
    assert saved.created and "气愤型专练" in saved.message and CLASS in saved.message
    found = await overview(context)
    rows = table_rows(context, found)
    assert rows == [
        [
            "气愤型专练",
            CLASS,
            LIBRARY.scenarios[SCENARIO].title.zh,
            f"{len(pool)} 位",
            "-",
            "-",
            "-",
            "进行中",
            0,
            0,
        ]
    ]
    assert action_choices(context, found) == [(f"气愤型专练 · {CLASS} · 进行中", found[0].assignment.assignment_id)]
    assert "每个学生抽到其中一位" in pool_preview(LIBRARY, pool, "zh")


async def test_the_teacher_sees_every_problem_and_nothing_is_saved(context: PracticeContext) -> None:
    form = AssignmentForm(title="", scenario=SCENARIO, rubric="default", personas=[], time_limit=500)
    saved = await create_assignment(context, form)
    assert not saved.created
    assert saved.message.split("\n\n") == [
        "⚠️ **作业名称**：" + t("ui.assign.need_title", "zh"),
        "⚠️ **顾客**：" + t("ui.assign.need_persona", "zh"),
        "⚠️ **限时（分钟）**：" + t("ui.assign.bad_time_limit", "zh", limit=180),
    ]
    assert await overview(context) == []


async def test_close_reopen_archive_from_the_table(context: PracticeContext) -> None:
    made = _set(context)
    assert await change_assignment(context, None, "close") == t("ui.assign.pick_to_change", "zh")
    assert await change_assignment(context, made.assignment_id, "close") == t(
        "ui.assign.changed", "zh", title=made.title, status="已截止"
    )
    assert (await my_assignments(context, _signed(context))).choices == []
    assert "进行中" in await change_assignment(context, made.assignment_id, "reopen")
    assert "已归档" in await change_assignment(context, made.assignment_id, "archive")
    assert await change_assignment(context, "nope", "archive") == t("ui.assign.gone", "zh")


def test_every_assignment_text_is_in_both_languages_and_used() -> None:
    messages = yaml.safe_load((PROJECT_ROOT / "roleplay" / "locales" / "messages.yaml").read_text(encoding="utf-8"))
    code = "".join(path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "roleplay").rglob("*.py"))
    keys = [key for key in messages if key.startswith("ui.assign.")]
    assert keys
    for key in keys:
        assert messages[key].get("zh") and messages[key].get("en"), key
        stem = key.removeprefix("ui.assign.")
        used = f'"{key}"' in code or any(
            f'"ui.assign.{prefix}' in code and stem.startswith(prefix)
            for prefix in ("field_", "status_", "kind_", "col_")
        )
        assert used, f"{key} is never used"
