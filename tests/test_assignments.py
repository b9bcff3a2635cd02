"""Assignments, without a browser: checking the teacher's form, status by date, who sees what, the pool draw."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from roleplay.assignment import (
    Assignment,
    AssignmentDraft,
    AssignmentForm,
    build_pool,
    check_form,
    draw_persona,
    pool_labels,
    start_problem,
)
from roleplay.customer.engine import ChatSession
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.store import SessionStore, open_database
from roleplay.store.assignments import AssignmentNotFoundError, AssignmentStore
from roleplay.transcript import Student
from tests.conftest import PROJECT_ROOT

LIBRARY = Library.load(PROJECT_ROOT)
NOW = datetime(2026, 5, 4, 10, 0)
SCENARIO = "aircon_after_sales"


def _form(**changes: object) -> AssignmentForm:
    values: dict[str, object] = {
        "title": "气愤型顾客练习",
        "scenario": SCENARIO,
        "rubric": "default",
        "personas": ["wang_jianguo"],
        "class_code": "电商2301",
        "time_limit": 20,
        "opens_at": "2026-05-04 08:00",
        "closes_at": "2026-05-10 18:00",
        "note": "先安抚情绪，再确认事实。",
    }
    return AssignmentForm(**(values | changes))


def _assignment(**changes: object) -> Assignment:
    draft = check_form(_form(), LIBRARY, NOW).draft
    assert draft is not None
    values = draft.model_dump() | {"assignment_id": "a-1", "created_at": NOW, "created_by": "teacher"}
    return Assignment(**(values | changes))


@pytest.fixture
def stores(tmp_path: Path) -> tuple[SessionStore, AssignmentStore]:
    engine = open_database(f"sqlite:///{(tmp_path / 'roleplay.db').as_posix()}")
    return SessionStore(engine), AssignmentStore(engine)


def test_a_good_form_becomes_a_draft() -> None:
    checked = check_form(_form(personas=[" wang_jianguo ", "angry+results", "wang_jianguo"]), LIBRARY, NOW)
    assert checked.problems == []
    draft = checked.draft
    assert draft is not None
    assert draft.personas == ["wang_jianguo", "angry+results"], "repeats are kept once"
    assert (draft.class_code, draft.time_limit_minutes) == ("电商2301", 20)
    assert (draft.opens_at, draft.closes_at) == (datetime(2026, 5, 4, 8, 0), datetime(2026, 5, 10, 18, 0))
    assert draft.note == "先安抚情绪，再确认事实。"


def test_empty_optional_fields_mean_everyone_no_limit_always_open() -> None:
    checked = check_form(_form(class_code=" ", time_limit=None, opens_at="", closes_at=None, note=""), LIBRARY, NOW)
    assert checked.draft is not None
    draft = checked.draft
    assert (draft.class_code, draft.time_limit_minutes, draft.opens_at, draft.closes_at) == (None, None, None, None)


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        pytest.param({"title": "  "}, "title", "ui.assign.need_title", id="no-title"),
        pytest.param({"title": "题" * 101}, "title", "ui.assign.too_long", id="long-title"),
        pytest.param({"scenario": "no_such"}, "scenario", "ui.assign.unknown_scenario", id="scenario"),
        pytest.param({"rubric": ""}, "rubric", "ui.assign.unknown_rubric", id="rubric"),
        pytest.param({"personas": []}, "personas", "ui.assign.need_persona", id="no-persona"),
        pytest.param({"personas": ["wang_jianguo", "angri+results"]}, "personas", "ui.assign.bad_persona", id="bad"),
        pytest.param({"personas": ["angry"]}, "personas", "ui.assign.bad_persona", id="no-style"),
        pytest.param({"class_code": "电商 2301"}, "class_code", "ui.assign.bad_class_code", id="space-in-code"),
        pytest.param({"time_limit": 0}, "time_limit", "ui.assign.bad_time_limit", id="zero-minutes"),
        pytest.param({"time_limit": 181}, "time_limit", "ui.assign.bad_time_limit", id="too-many-minutes"),
        pytest.param({"time_limit": 12.5}, "time_limit", "ui.assign.bad_time_limit", id="fraction"),
        pytest.param({"time_limit": "半小时"}, "time_limit", "ui.assign.bad_time_limit", id="words"),
        pytest.param({"opens_at": "明天"}, "opens_at", "ui.assign.bad_date", id="bad-open"),
        pytest.param({"closes_at": "2026-02-30 10:00"}, "closes_at", "ui.assign.bad_date", id="no-such-day"),
        pytest.param({"closes_at": "2026-05-04 07:00"}, "closes_at", "ui.assign.closes_before_opens", id="before"),
        pytest.param(
            {"opens_at": "", "closes_at": "2026-05-04 09:59"}, "closes_at", "ui.assign.closes_in_past", id="past"
        ),
        pytest.param({"note": "说" * 2001}, "note", "ui.assign.too_long", id="long-note"),
    ],
)
def test_a_bad_field_is_named_with_what_is_allowed(changes: dict[str, object], field: str, key: str) -> None:
    checked = check_form(_form(**changes), LIBRARY, NOW)
    assert checked.draft is None
    assert [(p.field, p.key) for p in checked.problems] == [(field, key)]
    text = checked.problems[0].text("zh")
    assert text.startswith(f"⚠️ **{t(f'ui.assign.field_{field}', 'zh')}**：")


def test_every_problem_is_reported_at_once_and_names_the_bad_customer() -> None:
    checked = check_form(_form(title="", scenario="", personas=["ok_not", "angry+results"]), LIBRARY, NOW)
    assert [p.field for p in checked.problems] == ["title", "scenario", "personas"]
    assert "第 1 位顾客 “ok_not”" in checked.problems[2].text("zh")
    assert "Customer 1, 'ok_not'" in checked.problems[2].text("en")


@pytest.mark.parametrize(
    ("typed", "field", "expected"),
    [
        pytest.param("2026-5-6 8:30", "opens_at", datetime(2026, 5, 6, 8, 30), id="short-numbers"),
        pytest.param("2026/05/06 08:30:59", "opens_at", datetime(2026, 5, 6, 8, 30), id="slashes-seconds"),
        pytest.param("2026-05-06T08:30", "opens_at", datetime(2026, 5, 6, 8, 30), id="iso"),
        pytest.param("2026-05-06", "opens_at", datetime(2026, 5, 6, 0, 0), id="open-date-is-morning"),
        pytest.param("2026-05-06", "closes_at", datetime(2026, 5, 6, 23, 59), id="close-date-is-evening"),
    ],
)
def test_dates_as_teachers_type_them(typed: str, field: str, expected: datetime) -> None:
    other = {"closes_at": ""} if field == "opens_at" else {"opens_at": ""}
    checked = check_form(_form(**({field: typed} | other)), LIBRARY, NOW)
    assert checked.draft is not None, checked.problems
    assert getattr(checked.draft, field) == expected


@pytest.mark.parametrize(
    ("opens", "closes", "archived", "status"),
    [
        pytest.param(None, None, False, "open", id="no-dates"),
        pytest.param(NOW + timedelta(minutes=1), None, False, "scheduled", id="opens-later"),
        pytest.param(NOW, NOW + timedelta(hours=1), False, "open", id="opens-now"),
        pytest.param(NOW - timedelta(days=2), NOW, False, "closed", id="closes-now"),
        pytest.param(None, NOW - timedelta(days=1), False, "closed", id="closed"),
        pytest.param(NOW + timedelta(days=1), NOW - timedelta(days=1), False, "closed", id="closed-before-opening"),
        pytest.param(None, None, True, "archived", id="archived"),
    ],
)
def test_status_by_dates(opens: datetime | None, closes: datetime | None, archived: bool, status: str) -> None:
    assert _assignment(opens_at=opens, closes_at=closes, archived=archived).status(NOW) == status


@pytest.mark.parametrize(
    ("class_code", "student_code", "opens", "key"),
    [
        pytest.param("电商2301", "电商2301", None, None, id="own-class"),
        pytest.param("EC-2301", " ec-2301 ", None, None, id="case-and-spaces"),
        pytest.param(None, None, None, None, id="everyone-without-code"),
        pytest.param(None, "电商2302", None, None, id="everyone-with-code"),
        pytest.param("电商2301", "电商2302", None, "ui.assign.other_class", id="other-class"),
        pytest.param("电商2301", None, None, "ui.assign.other_class", id="no-code"),
        pytest.param(None, None, NOW + timedelta(hours=2), "ui.assign.not_open_yet", id="not-yet"),
    ],
)
def test_who_may_start_it(
    class_code: str | None, student_code: str | None, opens: datetime | None, key: str | None
) -> None:
    refused = start_problem(_assignment(class_code=class_code, opens_at=opens), student_code, NOW)
    assert (refused.key if refused else None) == key
    if key == "ui.assign.not_open_yet":
        assert refused is not None and "2026-05-04 12:00" in refused.text("zh")


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_a_closed_or_archived_assignment_cannot_be_started(state: str) -> None:
    changes = {"closes_at": NOW - timedelta(minutes=1)} if state == "closed" else {"archived": True}
    refused = start_problem(_assignment(**changes), "电商2301", NOW)
    assert refused is not None and refused.key == "ui.assign.closed"


def test_the_draw_is_the_same_on_every_reload_and_splits_a_class_evenly() -> None:
    pool = build_pool(LIBRARY, "every_behaviour")
    numbers = [f"20230105{n:02d}" for n in range(1, 61)]
    drawn = [draw_persona("assignment-1", pool, number) for number in numbers]
    assert drawn == [draw_persona("assignment-1", pool, number) for number in numbers]
    assert Counter(drawn) == dict.fromkeys(pool, 60 // len(pool))
    assert drawn[0] != drawn[1], "neighbours in the class meet different customers"
    small_class = Counter(draw_persona("assignment-1", pool, number) for number in numbers[:32])
    assert max(small_class.values()) - min(small_class.values()) <= 1
    firsts = {draw_persona(f"assignment-{i}", pool, numbers[0]) for i in range(20)}
    assert len(firsts) > 1, "the rotation starts somewhere else in each assignment"


def test_numbers_without_digits_are_drawn_by_a_stable_hash() -> None:
    pool = build_pool(LIBRARY, "every_style")
    names = [f"stu-{chr(97 + i)}{chr(97 + j)}" for i in range(10) for j in range(10)]
    drawn = Counter(draw_persona("a-2", pool, name) for name in names)
    assert set(drawn) == set(pool) and min(drawn.values()) >= 10
    assert draw_persona("a-2", pool, "STU-AB") == draw_persona("a-2", pool, "stu-ab")
    assert draw_persona("a-2", ["wang_jianguo"], "anyone") == "wang_jianguo"


def test_every_behaviour_pool_has_one_composable_customer_per_type() -> None:
    pool = build_pool(LIBRARY, "every_behaviour", style="analytical", difficulty="hard")
    composed = [LIBRARY.persona(spec) for spec in pool]
    assert [c.trait_id("behaviour") for c in composed] == LIBRARY.trait_ids("behaviour")
    assert {(c.trait_id("style"), c.trait_id("difficulty")) for c in composed} == {("analytical", "hard")}
    mixed = [LIBRARY.persona(spec) for spec in build_pool(LIBRARY, "every_behaviour")]
    assert len({c.trait_id("style") for c in mixed}) > 1, "without a fixed style the styles take turns"
    by_style = [LIBRARY.persona(spec) for spec in build_pool(LIBRARY, "every_style", behaviour="silent")]
    assert [c.trait_id("style") for c in by_style] == LIBRARY.trait_ids("style")
    assert {c.trait_id("behaviour") for c in by_style} == {"silent"}
    assert build_pool(LIBRARY, "single", persona=" wang_jianguo ") == ["wang_jianguo"]
    assert build_pool(LIBRARY, "single", persona="") == []


def test_pool_labels_tell_the_teacher_the_types() -> None:
    labels = pool_labels(LIBRARY, ["wang_jianguo", "silent+amiable", "nobody"], "zh")
    assert labels[0].startswith("王建国 (") and "气愤型" in labels[0]
    assert labels[1] == "沉默型·顺从型·普通"
    assert labels[2].startswith("⚠️ nobody")


def test_store_keeps_and_lists_assignments(stores: tuple[SessionStore, AssignmentStore]) -> None:
    _, store = stores
    mine = store.create(_draft(), created_by="teacher", now=NOW)
    everyone = store.create(_draft(class_code="", title="全体"), created_by="teacher", now=NOW + timedelta(seconds=1))
    later = store.create(_draft(title="下周", opens_at="2026-05-11 08:00", closes_at=""), created_by="t", now=NOW)
    assert store.get(mine.assignment_id) == mine
    assert store.all()[0].assignment_id == everyone.assignment_id, "newest first"

    def ids(found: list[Assignment]) -> set[str]:
        return {a.assignment_id for a in found}

    assert ids(store.open_for("电商2301", NOW)) == {mine.assignment_id, everyone.assignment_id}
    assert ids(store.open_for("电商2302", NOW)) == {everyone.assignment_id}
    assert ids(store.open_for(None, NOW)) == {everyone.assignment_id}
    assert later.assignment_id in ids(store.open_for("电商2301", datetime(2026, 5, 11, 8, 0)))
    assert mine.assignment_id not in ids(store.open_for("电商2301", datetime(2026, 5, 10, 18, 0)))
    with pytest.raises(AssignmentNotFoundError):
        store.get("nope")


def test_close_reopen_archive(stores: tuple[SessionStore, AssignmentStore]) -> None:
    _, store = stores
    made = store.create(_draft(), created_by="teacher", now=NOW)

    def status() -> str:
        return {o.assignment.assignment_id: o.status for o in store.overview(NOW)}[made.assignment_id]

    assert status() == "open"
    assert store.close(made.assignment_id, NOW).closes_at == NOW
    assert status() == "closed" and store.open_for("电商2301", NOW) == []
    assert store.reopen(made.assignment_id, NOW).closes_at is None
    assert status() == "open"
    store.archive(made.assignment_id)
    assert status() == "archived" and store.open_for("电商2301", NOW) == []
    store.reopen(made.assignment_id, NOW)
    assert status() == "open"


def test_completion_counts_students_not_attempts(stores: tuple[SessionStore, AssignmentStore]) -> None:
    sessions, store = stores
    made = store.create(_draft(), created_by="teacher", now=NOW)
    other = store.create(_draft(title="另一个"), created_by="teacher", now=NOW)

    async def attempt(number: str, assignment_id: str | None, finish: bool) -> None:
        chat = await ChatSession.start(
            persona=LIBRARY.persona("wang_jianguo"),
            scenario=LIBRARY.scenarios[SCENARIO],
            store=sessions,
            model=None,
            model_name="offline",
            student=Student(name="学生", student_id=number, class_name="电商2301"),
            assignment_id=assignment_id,
        )
        if finish:
            await chat.end()

    async def run() -> None:
        await attempt("01", made.assignment_id, finish=True)
        await attempt("01", made.assignment_id, finish=True)  # a second try counts once
        await attempt("02", made.assignment_id, finish=False)
        await attempt("03", made.assignment_id, finish=False)
        await attempt("03", made.assignment_id, finish=True)
        await attempt("04", None, finish=True)  # free practice counts for no assignment

    asyncio.run(run())
    counts = {o.assignment.assignment_id: (o.started, o.finished) for o in store.overview(NOW)}
    assert counts == {made.assignment_id: (3, 2), other.assignment_id: (0, 0)}
    assert store.finished_by("01") == {made.assignment_id}
    assert store.finished_by("02") == set() == store.finished_by("04")


def _draft(**changes: object) -> AssignmentDraft:
    draft = check_form(_form(**changes), LIBRARY, NOW).draft
    assert draft is not None
    return draft
