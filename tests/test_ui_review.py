"""Review, dashboard, export, upload and the student's own history: handlers without a browser."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from roleplay.customer.engine import ChatSession
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.store.reports import ReportFilter, ReportStore
from roleplay.transcript import Student
from roleplay.transcript.formats import to_text
from roleplay.ui.dashboard import dashboard, export, parse_filter, upload
from roleplay.ui.history import my_history, my_report
from roleplay.ui.practice import end_chat, send_message, sign_in, start_chat, submit_guess
from roleplay.ui.practice_model import PracticeContext, PracticeState, practice_context
from roleplay.ui.review import list_sessions, open_report, override_score

from .conftest import PROJECT_ROOT
from .test_review_core import _transcript

LIBRARY = Library.load(PROJECT_ROOT)
SCENARIO = "aircon_after_sales"
PERSONA = "wang_jianguo"
LINES = [
    "您好，我是客服小李，非常抱歉师傅没有按约上门，请问空调现在是什么情况？",
    "您是说空调装好第三天就不制冷了，对吗？换谁都会着急的。",
    "我马上安排师傅今天下午5点前上门，这是您的工单号A1001。",
]


@pytest.fixture
def context(tmp_path: Path) -> PracticeContext:
    settings = Settings(library_dir=PROJECT_ROOT, data_dir=tmp_path / "data", offline=True, language="zh")
    return practice_context(settings, LIBRARY)


async def _practise(
    context: PracticeContext, name: str, number: str, assignment_id: str | None = None, customer: str = PERSONA
) -> tuple[PracticeState, str]:
    """A graded offline session of one student; returns their state and the summary shown."""
    state = sign_in(context, PracticeState(), name, number).state
    if assignment_id is None:
        state = (await start_chat(context, state, SCENARIO, customer)).state
    else:
        session = await ChatSession.start(
            persona=LIBRARY.persona(PERSONA),
            scenario=LIBRARY.scenarios[SCENARIO],
            store=context.store,
            model=None,
            model_name="offline",
            rubric="default",
            student=state.student,
            assignment_id=assignment_id,
        )
        state = PracticeState(student=state.student, session=session)
    for line in LINES:
        async for _ in send_message(context, state, line):
            pass
    await end_chat(context, state)
    graded = await submit_guess(context, state, "angry", "results")
    assert graded.error == "", graded.error
    return state, graded.summary


async def test_a_graded_practice_session_is_kept_with_its_assignment(context: PracticeContext) -> None:
    state, summary = await _practise(context, "张三", "2023010512", assignment_id="hw-1")
    assert t("ui.history.not_saved", "zh") not in summary
    (row,) = ReportStore(context.store.engine).listing()
    assert state.session is not None
    assert (row.source, row.session_id, row.assignment_id) == ("practice", state.session.session_id, "hw-1")
    assert (row.student_id, row.student_name, row.persona) == ("2023010512", "张三", PERSONA)
    again = await submit_guess(context, state, "angry", "results")
    assert again.error == "" and len(ReportStore(context.store.engine).listing()) == 1, "kept once"


async def test_a_failed_save_still_shows_the_report_and_is_logged(
    context: PracticeContext, caplog: pytest.LogCaptureFixture
) -> None:
    with context.store.engine.begin() as connection:
        connection.execute(text("DROP TABLE overrides"))
        connection.execute(text("DROP TABLE reports"))
    with caplog.at_level(logging.ERROR):
        state, summary = await _practise(context, "张三", "2023010512")
    assert "总分" in summary and t("ui.history.not_saved", "zh") in summary
    assert any("saving the report" in record.message for record in caplog.records)
    assert state.session is not None
    assert (context.downloads_dir / state.session.session_id).is_dir()


async def test_history_shows_only_the_signed_in_students_sessions(context: PracticeContext) -> None:
    mine, _ = await _practise(context, "张三", "2023010512")
    await _practise(context, "张三", "2023010512")
    other, _ = await _practise(context, "李四", "2023010513")
    view = my_history(context, mine)
    assert len(view.rows) == 2 and view.figure is not None
    assert "共 2 次练习" in view.message
    assert all(row[2] == "王建国" for row in view.rows)
    store = ReportStore(context.store.engine)
    theirs = store.history("2023010513")[0].report_id
    refused = my_report(context, mine, str(theirs))
    assert (refused.error, refused.frame) == (t("ui.history.not_yours", "zh"), "")
    assert my_report(context, mine, "not-a-number").error == t("ui.history.not_yours", "zh")
    own = my_report(context, mine, view.choices[0][1])
    assert own.error == "" and own.frame.startswith("<iframe") and "张三" in own.frame and "李四" not in own.frame
    assert my_history(context, PracticeState()).message == t("ui.history.need_signin", "zh")
    assert my_report(context, PracticeState(), str(theirs)).error == t("ui.history.need_signin", "zh")
    assert len(my_history(context, other).rows) == 1


def test_history_empty_state(context: PracticeContext) -> None:
    state = PracticeState(student=Student(name="王五", student_id="2023010599"))
    view = my_history(context, state)
    assert view.message == t("ui.history.empty", "zh") and view.rows == [] and view.figure is None


async def test_a_teacher_overrides_a_score_and_the_student_sees_it(context: PracticeContext) -> None:
    student, _ = await _practise(context, "张三", "2023010512")
    listed = list_sessions(context, True, ReportFilter())
    assert listed.message == t("ui.review.count", "zh", count=1)
    report_id = listed.choices[0][1]
    opened = open_report(context, True, report_id)
    assert opened.error == "" and "张三" in opened.head and opened.frame.startswith("<iframe")
    assert opened.levels[0] == 1 and opened.levels[-1] == 5 and 3.5 in opened.levels
    assert opened.log_rows == []
    refused, view = override_score(context, True, report_id, "attitude", 4, "陈老师", "  ")
    assert (refused, view) == (t("ui.review.need_comment", "zh"), None)
    saved, view = override_score(context, True, report_id, "attitude", 5, "陈老师", "全程礼貌，态度满分")
    assert saved.startswith("✅") and "服务态度" in saved
    assert view is not None and [row[1] for row in view.log_rows] == ["陈老师"]
    assert view.log_rows[0][4] == "5" and view.log_rows[0][5] == "全程礼貌，态度满分"
    assert "陈老师" in view.frame
    (row,) = list_sessions(context, True, ReportFilter()).rows
    assert "→" in str(row[8])
    past = my_report(context, student, my_history(context, student).choices[0][1])
    assert past.note == t("ui.history.changed", "zh") and "全程礼貌" in past.frame


@pytest.mark.parametrize(
    ("customer", "shown"),
    [
        pytest.param(PERSONA, "王建国", id="named"),
        pytest.param("angry+results", "气愤型·结果型·普通", id="trait-combination"),
    ],
)
async def test_the_sessions_table_names_the_customer(context: PracticeContext, customer: str, shown: str) -> None:
    await _practise(context, "张三", "2023010512", customer=customer)
    (row,) = list_sessions(context, True, ReportFilter()).rows
    assert row[5] == shown


@pytest.mark.parametrize(
    ("call", "locked"),
    [
        pytest.param(lambda c: list_sessions(c, False, ReportFilter()).message, True, id="sessions"),
        pytest.param(lambda c: open_report(c, False, "1").error, True, id="report"),
        pytest.param(lambda c: override_score(c, False, "1", "attitude", 5, "x", "y")[0], True, id="override"),
        pytest.param(lambda c: dashboard(c, False, ReportFilter()).message, True, id="dashboard"),
        pytest.param(lambda c: export(c, False, ReportFilter()).message, True, id="export"),
    ],
)
def test_every_teacher_handler_refuses_without_the_password(
    context: PracticeContext, call: object, locked: bool
) -> None:
    assert callable(call)
    assert call(context) == t("ui.review.locked", "zh")


async def test_upload_refuses_without_the_password(context: PracticeContext, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(to_text(_transcript("2024001")), encoding="utf-8")
    view = await upload(context, False, [tmp_path / "a.txt"], "default")
    assert view.message == t("ui.review.locked", "zh") and view.rows == []
    assert ReportStore(context.store.engine).listing() == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(("", "", "", "", ""), ReportFilter(), id="empty"),
        pytest.param(
            (" 张 ", "hw-1", "2026-3-1", "2026/03/08", "resolved"),
            ReportFilter(
                student="张",
                assignment_id="hw-1",
                date_from=date(2026, 3, 1),
                date_to=date(2026, 3, 8),
                outcome="resolved",
            ),
            id="all-fields",
        ),
        pytest.param(("", "", "2026年3月1日", "", ""), ReportFilter(date_from=date(2026, 3, 1)), id="chinese-date"),
        pytest.param(("", "", "3月1日", "", ""), t("ui.review.filter.bad_date", "zh", value="3月1日"), id="bad-date"),
        pytest.param(
            ("", "", "2026-02-30", "", ""), t("ui.review.filter.bad_date", "zh", value="2026-02-30"), id="no-such-day"
        ),
        pytest.param(("", "", "2026-03-08", "2026-03-01", ""), t("ui.review.filter.bad_range", "zh"), id="backwards"),
    ],
)
def test_parse_filter(values: tuple[str, ...], expected: ReportFilter | str) -> None:
    assert parse_filter("zh", *values) == expected


async def test_empty_states_say_what_to_do(context: PracticeContext) -> None:
    assert list_sessions(context, True, ReportFilter()).message == t("ui.review.empty", "zh")
    assert dashboard(context, True, ReportFilter()).message == t("ui.review.dashboard_empty", "zh")
    assert export(context, True, ReportFilter()).message == t("ui.review.export_empty", "zh")
    await _practise(context, "张三", "2023010512")
    assert list_sessions(context, True, ReportFilter(student="李")).message == t("ui.review.no_match", "zh")
    assert open_report(context, True, "999").error == t("ui.review.not_found", "zh", report_id=999)


async def test_dashboard_and_export_of_the_class(context: PracticeContext) -> None:
    await _practise(context, "张三", "2023010512")
    await _practise(context, "李四", "2023010513")
    view = dashboard(context, True, ReportFilter())
    assert "**2** 次练习" in view.message and all(figure is not None for figure in view.figures)
    files = export(context, True, ReportFilter(student="李四"))
    assert files.csv_file is not None and files.xlsx_file is not None
    assert files.csv_file.is_relative_to(context.settings.data_dir)
    rows = list(csv.DictReader(io.StringIO(files.csv_file.read_text(encoding="utf-8-sig"))))
    assert [row["学生"] for row in rows] == ["李四"]


async def test_upload_grades_files_and_explains_the_bad_ones(context: PracticeContext, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(to_text(_transcript("2024001")), encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as book:
        book.writestr("../evil.json", "{}")
        book.writestr("b.json", _transcript("2024002").model_dump_json())
    seen: list[tuple[int, int]] = []
    view = await upload(
        context, True, [str(tmp_path / "a.txt"), str(tmp_path / "b.zip")], "default", lambda d, n: seen.append((d, n))
    )
    assert view.message == t("ui.review.upload_done", "zh", graded=2, failed=1)
    by_file = {row[0]: row for row in view.rows}
    assert by_file["b.zip/../evil.json"][5] == t("ui.review.upload.unsafe_path", "zh")
    assert by_file["a.txt"][1] == t("ui.review.upload.graded", "zh") and by_file["a.txt"][4]
    assert seen[-1] == (2, 2)
    assert {row.origin for row in ReportStore(context.store.engine).listing()} == {"a.txt", "b.zip/b.json"}
    assert (await upload(context, True, [], "default")).message == t("ui.review.upload_none", "zh")
    unknown = await upload(context, True, [str(tmp_path / "a.txt")], "nope")
    assert unknown.message == t("ui.review.upload_unknown_rubric", "zh", rubric="nope")


def test_every_review_and_history_text_is_in_both_languages_and_used() -> None:
    import yaml

    messages = yaml.safe_load((PROJECT_ROOT / "roleplay" / "locales" / "messages.yaml").read_text(encoding="utf-8"))
    code = "".join(
        path.read_text(encoding="utf-8")
        for folder in ("ui", "review", "store")
        for path in (PROJECT_ROOT / "roleplay" / folder).glob("*.py")
    )
    keys = [key for key in messages if key.startswith(("ui.review.", "ui.history."))]
    assert keys
    for key in keys:
        assert messages[key].get("zh") and messages[key].get("en"), key
        prefix = key.rsplit(".", 1)[0] + "."  # keys picked by an f-string such as f"ui.review.col.{name}"
        assert f'"{key}"' in code or f'f"{prefix}{{' in code, f"{key} is never used"
