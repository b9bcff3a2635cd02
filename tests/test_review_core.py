"""Reports kept in the database: save, filter, overrides, effective totals, history, analytics, export, upload."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.review.analytics import class_analytics
from roleplay.review.export import export_class, export_tables
from roleplay.review.figures import levels_figure, outcomes_figure, progress_figure, skills_figure
from roleplay.review.upload import MAX_TOTAL_BYTES, grade_uploads, unpack
from roleplay.store import SessionStore, open_database
from roleplay.store.reports import OverrideError, ReportFilter, ReportNotFoundError, ReportStore
from roleplay.transcript import Student, Transcript, Turn
from roleplay.transcript.formats import to_csv, to_text

from .conftest import PROJECT_ROOT
from .report_samples import make_report

LIBRARY = Library.load(PROJECT_ROOT)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    return open_database(f"sqlite:///{(tmp_path / 'roleplay.db').as_posix()}")


@pytest.fixture
def store(engine: Any) -> ReportStore:
    return ReportStore(engine)


def _report(student_id: str, name: str, when: datetime, **changes: Any) -> Report:
    """The sample report (levels 4, 1, 4 of weight 10 each: total 60, passed) of one student at one time."""
    changes = {"total": 60.0, "passed": True, "session_id": f"s-{student_id}-{when:%m%d%H}"} | changes
    return make_report(
        student=Student(name=name, student_id=student_id),
        started_at=when,
        provenance=make_report().provenance.model_copy(update={"graded_at": when}),
        **changes,
    )


def _class(store: ReportStore) -> dict[str, int]:
    """Three sessions: two of 张伟 (one for an assignment), one of 李娜 with another outcome and customer."""
    return {
        "first": store.save(_report("2024031", "张伟", datetime(2026, 3, 1, 9)), source="practice"),
        "second": store.save(
            _report("2024031", "张伟", datetime(2026, 3, 8, 9)), source="practice", assignment_id="hw-1"
        ),
        "other": store.save(
            _report("2024032", "李娜", datetime(2026, 3, 8, 10), outcome="walked_out", persona="zhao_kai"),
            source="upload",
            origin="li.txt",
        ),
    }


def test_saved_report_comes_back_whole_with_its_columns(store: ReportStore) -> None:
    report = _report("2024031", "张伟", datetime(2026, 3, 1, 9))
    report_id = store.save(report, source="practice", assignment_id="hw-1")
    saved = store.get(report_id)
    assert saved.report == report
    assert (saved.source, saved.assignment_id, saved.overrides) == ("practice", "hw-1", [])
    (row,) = store.listing()
    assert (row.student_id, row.persona, row.scenario, row.outcome) == (
        "2024031",
        "wang_jianguo",
        "aircon_after_sales",
        "resolved",
    )
    assert (row.rubric_id, row.grader, row.total, row.session_id) == (
        "default",
        "qwen-plus",
        report.total,
        "s-2024031-030109",
    )
    with pytest.raises(ReportNotFoundError):
        store.get(report_id + 1)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(ReportFilter(), ["other", "second", "first"], id="all-newest-first"),
        pytest.param(ReportFilter(student="张"), ["second", "first"], id="by-name"),
        pytest.param(ReportFilter(student="032"), ["other"], id="by-part-of-number"),
        pytest.param(ReportFilter(assignment_id="hw-1"), ["second"], id="by-assignment"),
        pytest.param(ReportFilter(outcome="walked_out"), ["other"], id="by-outcome"),
        pytest.param(ReportFilter(date_from=date(2026, 3, 8)), ["other", "second"], id="from-date"),
        pytest.param(ReportFilter(date_to=date(2026, 3, 1)), ["first"], id="to-date-inclusive"),
        pytest.param(ReportFilter(student="王"), [], id="nobody"),
    ],
)
def test_listing_filters(store: ReportStore, where: ReportFilter, expected: list[str]) -> None:
    ids = _class(store)
    assert [row.report_id for row in store.listing(where)] == [ids[name] for name in expected]


def test_override_keeps_the_original_logs_who_and_when_and_recomputes_the_total(store: ReportStore) -> None:
    report_id = store.save(_report("2024031", "张伟", datetime(2026, 3, 1, 9)), source="practice")
    graded = store.get(report_id).report
    assert [d.level for d in graded.dimensions] == [4, 1, 4]
    before = datetime.now()
    first = store.add_override(report_id, "attitude", 3, "第4句之后马上道歉了", " 陈老师 ")
    second = store.add_override(report_id, "attitude", 2.5, "再看一遍，语气仍然生硬", "李老师")
    assert (first.teacher, first.original_level, first.new_level) == ("陈老师", 1, 3)
    assert (second.original_level, second.new_level) == (3, 2.5)
    assert before <= first.created_at <= second.created_at <= datetime.now()
    saved = store.get(report_id)
    assert saved.report == graded, "the report as graded is never changed"
    assert [e.comment for e in saved.overrides] == ["第4句之后马上道歉了", "再看一遍，语气仍然生硬"]
    effective = saved.effective
    assert [d.level for d in effective.dimensions] == [4, 2.5, 4]
    assert effective.total == round(100 * (4 + 2.5 + 4) / 5 / 3, 1) == 70.0
    assert effective.passed is True
    assert any("李老师" in flag and "2.5" in flag for flag in effective.flags)
    (row,) = store.listing()
    assert (row.total, row.original_total, row.overridden) == (70.0, graded.total, True)
    assert saved.overridden_dimensions == ["attitude"]


def test_a_chat_too_short_to_pass_stays_not_passed_after_an_override(store: ReportStore) -> None:
    short = _report("2024031", "张伟", datetime(2026, 3, 1, 9), total=80.0, passed=False)
    report_id = store.save(short, source="practice")
    store.add_override(report_id, "attitude", 5, "态度很好", "陈老师")
    assert store.get(report_id).effective.passed is False


@pytest.mark.parametrize(
    ("dimension", "level", "comment", "teacher", "key"),
    [
        pytest.param("attitude", 3, "", "陈老师", "ui.review.need_comment", id="no-comment"),
        pytest.param("attitude", 3, "好", "  ", "ui.review.need_teacher", id="no-teacher"),
        pytest.param("attitude", 6, "好", "陈老师", "ui.review.bad_level", id="above-scale"),
        pytest.param("attitude", 0, "好", "陈老师", "ui.review.bad_level", id="below-scale"),
        pytest.param("attitude", 3.3, "好", "陈老师", "ui.review.bad_level", id="not-a-half-step"),
        pytest.param("attitude", None, "好", "陈老师", "ui.review.bad_level", id="no-level"),
        pytest.param("courage", 3, "好", "陈老师", "ui.review.unknown_dimension", id="unknown-dimension"),
        pytest.param("attitude", 3, "好" * 2001, "陈老师", "ui.review.comment_too_long", id="long-comment"),
    ],
)
def test_a_bad_override_is_refused_with_a_clear_message(
    store: ReportStore, dimension: str, level: float | None, comment: str, teacher: str, key: str
) -> None:
    report_id = store.save(_report("2024031", "张伟", datetime(2026, 3, 1, 9)), source="practice")
    with pytest.raises(OverrideError) as caught:
        store.add_override(report_id, dimension, level, comment, teacher)
    assert caught.value.key == key
    assert caught.value.message("zh").startswith("⚠️")
    if key == "ui.review.unknown_dimension":
        assert "listen_feelings, attitude, satisfy" in caught.value.message("en")
    assert store.get(report_id).overrides == []


def test_history_is_only_that_students_and_a_report_id_cannot_reach_anothers(store: ReportStore) -> None:
    ids = _class(store)
    history = store.history("2024031")
    assert [s.report_id for s in history] == [ids["first"], ids["second"]]
    assert store.history("") == [] and store.history("2024") == []
    assert store.student_report("2024031", ids["first"]) is not None
    assert store.student_report("2024031", ids["other"]) is None
    assert store.student_report("", ids["other"]) is None
    assert store.student_report("2024031", 999) is None


def test_class_analytics_on_a_known_set(store: ReportStore) -> None:
    ids = _class(store)
    store.add_override(ids["first"], "attitude", 3, "有道歉", "陈老师")
    data = class_analytics(store.find(), LIBRARY, "zh")
    assert data.sessions == 3
    # first: 4,3,4 -> 73.3; second and other: 4,1,4 -> 60.0
    assert data.mean_total == round((73.3 + 60.0 + 60.0) / 3, 1)
    assert data.pass_rate == 1.0
    counts = {(c.dimension_id, c.level): c.count for c in data.levels}
    assert counts == {
        ("listen_feelings", 4): 3,
        ("attitude", 1): 2,
        ("attitude", 3): 1,
        ("satisfy", 4): 3,
    }
    assert [c.dimension for c in data.levels][:1] == ["听情感"]
    point = data.skills[0]
    assert [p.report_id for p in data.skills] == [ids["first"], ids["second"], ids["other"]]
    assert (point.agent_turns, point.open_questions, point.closed_questions, point.other_questions) == (3, 1, 1, 0)
    assert (point.restate_fact, point.restate_feeling) == (1, 1)
    outcomes = {(o.behaviour, o.outcome): o.count for o in data.outcomes}
    behaviour = {p: LIBRARY.persona(p).trait_id("behaviour") for p in ("wang_jianguo", "zhao_kai")}
    assert outcomes == {(behaviour["wang_jianguo"], "resolved"): 2, (behaviour["zhao_kai"], "walked_out"): 1}
    names = {o.behaviour_name for o in data.outcomes}
    assert names <= {trait.name.zh for trait in LIBRARY.traits.values()}
    for figure in (levels_figure(data, "zh"), skills_figure(data, "zh"), outcomes_figure(data, "zh")):
        assert figure is not None and figure.data
    assert progress_figure([s.effective for s in store.history("2024031")], "zh") is not None


def test_analytics_of_nothing_draws_nothing() -> None:
    data = class_analytics([], LIBRARY, "en")
    assert (data.sessions, data.mean_total, data.pass_rate) == (0, None, None)
    assert levels_figure(data, "en") is None and skills_figure(data, "en") is None
    assert outcomes_figure(data, "en") is None and progress_figure([], "en") is None


def test_export_has_effective_scores_and_says_which_were_overridden(store: ReportStore, tmp_path: Path) -> None:
    ids = _class(store)
    store.add_override(ids["first"], "attitude", 3, "有道歉", "陈老师")
    exported = export_class(store.find(), LIBRARY, tmp_path / "exports", "zh")
    assert (exported.rows, exported.skipped) == (3, 0)
    rows = list(csv.DictReader(io.StringIO(exported.csv_file.read_text(encoding="utf-8-sig"))))
    assert [r["编号"] for r in rows] == [str(ids[k]) for k in ("first", "second", "other")]
    assert [r["总分"] for r in rows] == ["73.3", "60.0", "60.0"]
    assert [r["老师调整"] for r in rows] == ["服务态度", "", ""]
    assert [r["学号"] for r in rows] == ["2024031", "2024031", "2024032"]
    assert [r["作业"] for r in rows] == ["", "hw-1", ""]
    assert rows[2]["文件"] == "li.txt" and rows[2]["来源"] == "上传"
    assert rows[0]["服务态度"] == "3.0" and rows[1]["服务态度"] == "1.0"
    book = load_workbook(exported.xlsx_file)
    assert book.sheetnames == ["成绩", "维度统计"]
    assert book["成绩"].max_row == 4


def test_export_lists_reports_whose_rubric_is_gone(store: ReportStore) -> None:
    gone = make_report(provenance=make_report().provenance.model_copy(update={"rubric_id": "old_exam"}))
    store.save(gone, source="practice")
    _class(store)
    tables = export_tables(store.find(), LIBRARY, "en")
    assert len(tables["summary"][1]) == 3
    assert tables["failed"][1] == [["s-42", "the rubric 'old_exam' is no longer in the library"]]


# --- upload ---------------------------------------------------------------------------------------

CHAT = [
    ("customer", "你们的空调装好第三天就不制冷了！"),
    ("agent", "您好，非常抱歉给您添麻烦了，能具体说说是什么情况吗？"),
    ("customer", "开机吹热风，显示E4。"),
    ("agent", "跟您确认一下，开机吹热风、显示E4，对吗？"),
    ("customer", "对。"),
    ("agent", "我马上安排师傅今天下午5点前上门，这是您的工单号A1001。"),
]


def _transcript(student_id: str) -> Transcript:
    return Transcript(
        persona="wang_jianguo",
        scenario="aircon_after_sales",
        student=Student(name="学生" + student_id[-1], student_id=student_id),
        turns=[Turn(role=role, text=text) for role, text in CHAT],  # type: ignore[arg-type]
    )


def _uploads(folder: Path) -> list[Path]:
    folder.mkdir()
    (folder / "a.json").write_text(_transcript("2024001").model_dump_json(), encoding="utf-8")
    (folder / "b.txt").write_text(to_text(_transcript("2024002")), encoding="utf-8")
    (folder / "c.csv").write_text(to_csv(_transcript("2024003")), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK")
    archive = folder / "class.zip"
    with zipfile.ZipFile(archive, "w") as book:
        book.writestr("class/d.json", _transcript("2024004").model_dump_json())
        book.writestr("../x.json", _transcript("2024005").model_dump_json())
        book.writestr("/etc/y.txt", "客服: 您好")
        book.writestr("inner.zip", b"PK")
        book.writestr("class/", b"")
        book.writestr("__MACOSX/._d.json", b"junk")
    return [folder / name for name in ("a.json", "b.txt", "c.csv", "broken.json", "notes.docx", "class.zip")]


def test_unpack_refuses_unsafe_entries_and_explains_each(tmp_path: Path) -> None:
    unpacked = unpack(_uploads(tmp_path / "in"), tmp_path / "work", "en")
    assert [name for _, name in unpacked.files] == ["a.json", "b.txt", "c.csv", "broken.json", "class.zip/class/d.json"]
    assert all(path.parent == tmp_path / "work" for path, _ in unpacked.files)
    reasons = {r.file: r.reason for r in unpacked.refused}
    assert reasons == {
        "notes.docx": t("ui.review.upload.bad_type", "en", suffix=".docx"),
        "class.zip/../x.json": t("ui.review.upload.unsafe_path", "en"),
        "class.zip//etc/y.txt": t("ui.review.upload.unsafe_path", "en"),
        "class.zip/inner.zip": t("ui.review.upload.nested_zip", "en"),
    }
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "work" / ".." / "x.json").exists()


def test_unpack_caps_the_total_size(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MAX_TOTAL_BYTES + 1))
    unpacked = unpack([big], tmp_path / "work", "zh")
    assert unpacked.files == []
    assert [r.reason for r in unpacked.refused] == [t("ui.review.upload.too_big", "zh", limit=20)]


def test_upload_grades_each_file_saves_reports_and_reports_progress(
    store: ReportStore, engine: Any, tmp_path: Path
) -> None:
    sessions = SessionStore(engine)
    progress: list[tuple[int, int]] = []
    results = asyncio.run(
        grade_uploads(
            _uploads(tmp_path / "in"),
            tmp_path / "work",
            rubric=LIBRARY.rubrics["default"],
            library=LIBRARY,
            judge=None,
            reports=store,
            run=sessions.run,
            language="zh",
            on_progress=lambda done, total: progress.append((done, total)),
        )
    )
    status = {r.file: r.status for r in results}
    assert status == {
        "notes.docx": "failed",
        "class.zip/../x.json": "failed",
        "class.zip//etc/y.txt": "failed",
        "class.zip/inner.zip": "failed",
        "a.json": "graded",
        "b.txt": "graded",
        "c.csv": "graded",
        "broken.json": "failed",
        "class.zip/class/d.json": "graded",
    }
    broken = next(r for r in results if r.file == "broken.json")
    assert "not valid JSON" in broken.reason
    assert progress[0] == (0, 5) and progress[-1] == (5, 5) and len(progress) == 6
    saved = {row.origin: row for row in store.listing()}
    assert set(saved) == {"a.json", "b.txt", "c.csv", "class.zip/class/d.json"}
    assert all(row.source == "upload" and row.total is not None for row in saved.values())
    assert saved["a.json"].student_id == "2024001" and saved["b.txt"].student_id == "2024002"
    graded = {r.file: r for r in results if r.status == "graded"}
    assert graded["a.json"].report_id == saved["a.json"].report_id
    report = store.get(saved["a.json"].report_id).report
    assert report.source == "a.json" and report.persona_name is not None
    assert json.loads(report.model_dump_json())["provenance"]["rubric_id"] == "default"


def test_a_practice_session_is_kept_once_but_uploads_of_the_same_chat_are_not_merged(store: ReportStore) -> None:
    report = _report("2024031", "张伟", datetime(2026, 3, 1, 9))
    first = store.save(report, source="practice")
    assert store.save(report.model_copy(update={"total": 99.0}), source="practice") == first
    assert store.get(first).report.total == 60.0
    uploads = {store.save(report, source="upload", origin=name) for name in ("a.json", "b.json")}
    assert len(uploads) == 2 and first not in uploads
    assert {row.session_id for row in store.listing() if row.source == "upload"} == {None}


def test_assignments_with_reports_are_named_by_their_title(store: ReportStore, engine: Any) -> None:
    from sqlalchemy.orm import Session

    from roleplay.store.schema import AssignmentRow

    with Session(engine) as session, session.begin():
        session.add(
            AssignmentRow(
                assignment_id="hw-1",
                title="第三周：气愤型顾客",
                scenario="aircon_after_sales",
                personas=["wang_jianguo"],
                created_at=datetime(2026, 3, 1),
                created_by="陈老师",
            )
        )
    assert store.assignments() == []
    _class(store)
    store.save(_report("2024033", "王五", datetime(2026, 3, 9, 9)), source="practice", assignment_id="gone-7")
    assert store.assignments() == [("gone-7", "gone-7"), ("hw-1", "第三周：气愤型顾客")]
