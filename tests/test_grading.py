"""Grading: tagger scores, the judge's validation and retry, samples, and the batch over files."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from roleplay.grading.batch import collect, grade_batch, load_reports
from roleplay.grading.grade import grade_transcript
from roleplay.grading.judge import Judge, answer_schema, parse_answer, sentences
from roleplay.grading.metrics import score_dimension
from roleplay.grading.slots import JudgeSlots
from roleplay.grading.tagger_grade import agent_labels, annotate
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.llm import chat_model, released_after
from roleplay.mockserver import MockBehaviour, MockOpenAIServer
from roleplay.settings import Settings
from roleplay.transcript import Transcript, Turn, write_transcript
from tests.conftest import PROJECT_ROOT
from tests.fakes import ScriptedChatModel

LIBRARY = Library.load(PROJECT_ROOT)
RUBRIC = LIBRARY.rubrics["default"]
START = datetime(2026, 11, 30, 9, 0, 0)
LINES = [
    ("customer", "你们的空调装好第三天就不制冷了，我都打了两次电话了！"),
    ("agent", "您好，我是客服小林。装好才三天就不制冷，换谁都会着急的，真的很抱歉。能跟我具体说说是什么情况吗？"),
    ("customer", "开机吹的是热风，面板上显示E4，家里还有老人。"),
    ("agent", "跟您确认一下，开机吹热风、面板显示E4，对吗？家里有老人，我理解您特别着急。"),
    ("customer", "对，就是这样。"),
    ("agent", "我马上帮您安排师傅今天下午上门，下午5点前到，这是您的工单号A2031，我会全程跟进。"),
    ("customer", "行，那我等着。"),
    ("agent", "感谢您的理解，请问还有其他需要帮忙的吗？祝您生活愉快。"),
]


def transcript(lines: list[tuple[str, str]] = LINES) -> Transcript:
    turns = [
        Turn(role=role, text=text, timestamp=START + timedelta(seconds=30 * i))  # type: ignore[arg-type]
        for i, (role, text) in enumerate(lines)
    ]
    return Transcript(persona="wang_jianguo", scenario="aircon_after_sales", turns=turns, outcome="resolved")


def answer(level: int = 4, quote: str = "换谁都会着急的", turn: int = 2, skip: str | None = None) -> str:
    """A judge reply in the required JSON shape for every dimension of the default rubric."""
    dims = [
        {
            "dimension_id": d.dimension_id,
            "reason": f"{d.dimension_id}: the agent did this at turn {turn}.",
            "level": level,
            "evidence": [{"turn": turn, "quote": quote}],
            "better": [{"turn": 8, "better": "我今天下午再打电话跟您确认师傅到了没有。", "why": "跟进更具体"}],
        }
        for d in RUBRIC.dimensions
        if d.dimension_id != skip
    ]
    return "好的，评分如下：\n" + json.dumps({"dimensions": dims}, ensure_ascii=False)


def grade_with(replies: list[str | Exception], samples: int = 1):  # type: ignore[no-untyped-def]
    model = ScriptedChatModel(replies=replies)
    judge = Judge(model, "scripted", "text")
    report = asyncio.run(grade_transcript(transcript(), RUBRIC, library=LIBRARY, judge=judge, samples=samples))
    model.assert_complete()
    return report, model


def test_tagger_only_report() -> None:
    report = asyncio.run(grade_transcript(transcript(), RUBRIC, library=LIBRARY))
    assert report.graders == ["tagger"] and report.judge_total is None
    assert report.total is not None and report.total >= RUBRIC.pass_score
    by_id = {d.dimension_id: d for d in report.dimensions}
    assert by_id["restate_feelings"].tagger_level is not None
    assert any(e.turn == 4 for e in by_id["restate_facts"].tagger_evidence)
    assert report.kpis.first_response_seconds == 30.0 and report.kpis.qa_ratio == 1.0
    assert report.persona_name is not None and report.persona_name.zh == "王建国"
    assert report.provenance.rubric_id == "default" and report.provenance.tagger_version.startswith("tagger-")


def test_valid_judge_answer_is_used_and_verified() -> None:
    report, _ = grade_with([answer(level=4)])
    assert report.graders == ["tagger", "judge"]
    for dim in report.dimensions:
        assert dim.judge is not None and dim.judge.level == 4 and dim.graded_by == "judge"
        assert dim.judge.evidence[0].quote == "换谁都会着急的"
    assert report.judge_total == 80.0
    assert report.suggestions and report.suggestions[0].turn == 8


def test_malformed_json_then_a_good_retry() -> None:
    report, model = grade_with(["{这不是 JSON", answer(level=3)])
    assert all(d.judge and d.judge.level == 3 and d.judge.retries == 1 for d in report.dimensions)
    assert "JSON" in model.calls[1][-1].content  # the retry message names the problem


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        pytest.param(answer(quote="我保证明天一定修好"), "not verbatim", id="invented-quote"),
        pytest.param(answer(turn=42), "does not exist", id="no-such-turn"),
    ],
)
def test_invalid_evidence_is_retried_then_unscored(bad: str, problem: str) -> None:
    report, _ = grade_with([bad, bad])
    for dim in report.dimensions:
        assert dim.judge is not None and dim.judge.level is None
        assert dim.judge.unscored is not None and problem in dim.judge.unscored
        assert dim.level == dim.tagger_level and dim.graded_by in ("tagger", None)  # never a silent 0
    assert any("模型未能评分" in flag for flag in report.flags)


def test_one_dimension_missing_is_unscored_alone() -> None:
    report, _ = grade_with([answer(skip="retain"), answer(skip="retain")])
    retain = next(d for d in report.dimensions if d.dimension_id == "retain")
    assert retain.judge is not None and retain.judge.unscored and "missing" in retain.judge.unscored
    assert all(d.judge and d.judge.level == 4 for d in report.dimensions if d.dimension_id != "retain")


def test_model_down_falls_back_to_tagger_with_a_flag() -> None:
    report, _ = grade_with([RuntimeError("connection refused")])
    assert report.graders == ["tagger"]
    assert all(d.judge and d.judge.unscored and "failed" in d.judge.unscored for d in report.dimensions)
    assert report.total == report.tagger_total and report.flags


def test_samples_give_median_and_spread() -> None:
    report, _ = grade_with([answer(level=2), answer(level=5), answer(level=4)], samples=3)
    dim = report.dimensions[0]
    assert dim.judge is not None and dim.judge.level == 4 and dim.judge.spread == 3
    assert sorted(dim.judge.samples) == [2, 4, 5] and report.provenance.samples == 3


def test_disagreement_is_flagged() -> None:
    report, _ = grade_with([answer(level=1)])
    flagged = [d for d in report.dimensions if d.disagreement]
    assert flagged and all(
        d.tagger_level is not None and abs(d.tagger_level - 1) > RUBRIC.disagreement_margin for d in flagged
    )


def test_batch_over_mixed_formats_with_a_bad_file_and_resume(tmp_path: Path) -> None:
    source = tmp_path / "in"
    write_transcript(transcript(), source / "a.json")
    write_transcript(transcript(LINES[:4]), source / "b.txt")
    write_transcript(transcript(LINES[:6]), source / "c.csv")
    (source / "broken.json").write_text("{not json", encoding="utf-8")
    out = tmp_path / "out"
    items = collect([str(source)], out)
    assert sorted(i.key for i in items) == ["a", "b", "broken", "c"]
    result = asyncio.run(grade_batch(items, RUBRIC, out, library=LIBRARY, formats=["json"]))
    assert len(result.graded) == 3 and [i.key for i in result.failed] == ["broken"]
    assert {p.name for p in out.glob("*.json")} == {"a.json", "b.json", "c.json"}
    again = asyncio.run(
        grade_batch(collect([str(source)], out), RUBRIC, out, library=LIBRARY, formats=["json"], resume=True)
    )
    assert len(again.skipped) == 3 and not again.graded


def test_summary_csv_and_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from roleplay.grading.summary import write_summary

    source = tmp_path / "in"
    write_transcript(transcript(), source / "a.json")
    out = tmp_path / "out"
    result = asyncio.run(grade_batch(collect([str(source)], out), RUBRIC, out, library=LIBRARY, formats=["json"]))
    written = write_summary(result, RUBRIC, out, ["csv", "xlsx"], "zh")
    assert {p.name for p in written} == {"summary.csv", "dimension_stats.csv", "summary.xlsx"}
    rows = list(csv.reader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "文件" and rows[1][0] == "a" and "听事实" in rows[0]
    book = load_workbook(out / "summary.xlsx")
    assert book.sheetnames == ["成绩", "维度统计"]
    assert book["成绩"].cell(row=2, column=1).value == "a"


def test_a_weak_chat_gets_suggestions_even_without_a_faulty_turn() -> None:
    weak = transcript(
        [("customer", "我的快递三天没动了！"), ("agent", "什么事？"), ("customer", "我说了快递三天没动！")]
    )
    report = asyncio.run(grade_transcript(weak, RUBRIC, library=LIBRARY))
    assert report.suggestions and all(s.turn == 2 and s.original == "什么事？" for s in report.suggestions)
    assert any("感受" in s.why for s in report.suggestions)
    na = [d for d in report.dimensions if d.not_applicable]
    assert na and all(d.not_applicable_key == "fewer_turns" for d in na)


@pytest.mark.parametrize(
    ("persona", "scenario"),
    [
        ("wang_jianguo", "aircon_after_sales"),
        ("chen_xiaoyu", "canteen_complaint"),
        ("li_meiling", "presale_hesitant_buyer"),
    ],
)
def test_good_student_outscores_poor_student(tmp_path: Path, persona: str, scenario: str) -> None:
    from roleplay.store import SessionStore, open_database
    from tests.students import STUDENTS, practise

    store = SessionStore(open_database(f"sqlite:///{(tmp_path / 's.db').as_posix()}"))

    async def chat(name: str) -> Transcript:
        session = await practise(LIBRARY, store, persona, scenario, STUDENTS[name], seed=5)
        return await session.end()

    good = asyncio.run(grade_transcript(asyncio.run(chat("good")), RUBRIC, library=LIBRARY))
    poor = asyncio.run(grade_transcript(asyncio.run(chat("poor")), RUBRIC, library=LIBRARY))
    poor_levels = {d.dimension_id: d.level for d in poor.dimensions}
    for dim in good.dimensions:
        if dim.level is not None and poor_levels[dim.dimension_id] is not None:
            assert dim.level >= poor_levels[dim.dimension_id], dim.dimension_id
    for skill in ("listen_feelings", "questioning", "restate_facts", "restate_feelings"):
        assert next(d.level for d in good.dimensions if d.dimension_id == skill) > poor_levels[skill]
    assert good.total is not None and poor.total is not None and good.total > poor.total + 20


def test_a_chat_too_short_to_show_the_skills_cannot_pass() -> None:
    short = transcript(LINES[:4])  # two student messages, the rubric needs three
    report = asyncio.run(grade_transcript(short, RUBRIC, library=LIBRARY))
    assert report.total is not None and report.total >= RUBRIC.pass_score
    assert report.passed is False
    assert "对话太短" in report.flags[0] and "2" in report.flags[0]
    judge = Judge(ScriptedChatModel(replies=[RuntimeError("model down")]), "scripted", "text")
    judged = asyncio.run(grade_transcript(short, RUBRIC, library=LIBRARY, judge=judge))
    assert len(judged.flags) == 2  # the judge's failure is flagged too, after the reason the chat cannot pass
    assert judged.flags[0] == report.flags[0]
    full = asyncio.run(grade_transcript(transcript(), RUBRIC, library=LIBRARY))
    assert full.passed is True and not any("对话太短" in flag for flag in full.flags)


def _notes(lines: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    return annotate(transcript(lines), [])


def test_every_answer_the_schema_allows_passes_verification() -> None:
    """The json_schema method sends a schema made for the transcript; an endpoint that enforces it
    (llama.cpp does) can then only produce answers that verification accepts."""
    notes = _notes(LINES)
    schema = answer_schema(RUBRIC, notes)
    listing = schema["properties"]["dimensions"]
    options = listing["items"]["anyOf"]
    assert listing["minItems"] == listing["maxItems"] == len(RUBRIC.dimensions) == len(options)
    assert [o["properties"]["dimension_id"]["const"] for o in options] == [d.dimension_id for d in RUBRIC.dimensions]
    agent = {n.turn: n.text for n in notes if n.role == "agent"}
    for option in options:
        fields = option["properties"]
        assert fields["level"]["enum"] == list(range(RUBRIC.scale.min, RUBRIC.scale.max + 1))
        quotable = {
            (item["properties"]["turn"]["const"], quote)
            for item in fields["evidence"]["items"]["anyOf"]
            for quote in item["properties"]["quote"]["enum"]
        }
        # The student's sentences, each under its own turn; nothing the customer said.
        assert quotable == {(turn, s) for turn, text in agent.items() for s in sentences(text)}
        assert fields["better"]["items"]["properties"]["turn"]["enum"] == sorted(agent)
    for level in options[0]["properties"]["level"]["enum"]:
        for (turn, quote), better_turn in zip(sorted(quotable), sorted(agent) * 3, strict=False):
            dims = [
                {
                    "dimension_id": o["properties"]["dimension_id"]["const"],
                    "reason": "理由",
                    "level": level,
                    "evidence": [{"turn": turn, "quote": quote}],
                    "better": [{"turn": better_turn, "better": "更好的说法", "why": "原因"}],
                }
                for o in options
            ]
            results, problems = parse_answer(json.dumps({"dimensions": dims}, ensure_ascii=False), RUBRIC, notes)
            assert not problems and len(results) == len(RUBRIC.dimensions)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("您好，我是客服小林。能跟我说说吗？好的！", ["您好，我是客服小林。", "能跟我说说吗？", "好的！"]),
        ("So it rattles. Is that right?", ["So it rattles.", "Is that right?"]),
        ("嗯", []),
    ],
)
def test_sentences_are_verbatim_pieces(text: str, pieces: list[str]) -> None:
    assert sentences(text) == pieces


@pytest.mark.parametrize(
    ("customer", "agent", "counted"),
    [
        pytest.param("我上周买的电饭煲，用了两次就", "嗯嗯", False, id="zh-go-on"),
        pytest.param("So I started drinking more after the move, and", "Mm-hmm.", False, id="en-mm-hmm"),
        pytest.param("能退吗？", "好的", True, id="zh-ok-to-a-question-is-a-non-answer"),
        pytest.param("The fridge is leaking again.", "Okay, what did the engineer say?", True, id="en-more-than-okay"),
    ],
)
def test_acknowledgement_only_turns_are_not_scored(customer: str, agent: str, counted: bool) -> None:
    notes = _notes([("customer", customer), ("agent", agent)])
    assert bool(agent_labels(notes)) is counted


def _level(lines: list[tuple[str, str]], dimension_id: str, check_id: str) -> int | None:
    labels = agent_labels(_notes(lines))
    dimension = next(d for d in RUBRIC.dimensions if d.dimension_id == dimension_id)
    score = score_dimension(dimension, labels)
    return next(c.level for c in score.checks if c.check_id == check_id)


def test_listening_more_than_telling_scores_above_telling_only() -> None:
    telling = [
        ("customer", "I've been drinking more since I lost my job."),
        ("agent", "You need to cut down. I'd recommend a support group."),
        ("customer", "I don't know."),
        ("agent", "You should also talk to your doctor."),
    ]
    listening = [
        ("customer", "I've been drinking more since I lost my job."),
        ("agent", "What has that been like for you?"),
        ("customer", "Hard. The days are long and empty."),
        ("agent", "The days feel long and empty since the job went."),
        ("customer", "Yes, exactly."),
        ("agent", "You should talk to your doctor about it."),
    ]
    telling_level = _level(telling, "listen_facts", "listens_more_than_tells")
    listening_level = _level(listening, "listen_facts", "listens_more_than_tells")
    assert telling_level == 1 and listening_level is not None and listening_level >= 4


@pytest.mark.parametrize(
    ("lines", "level"),
    [
        pytest.param(
            [
                ("customer", "等了一个星期，洗衣机还是没人来修，我真的很生气。"),
                ("agent", "我马上帮您安排师傅明天上午上门。"),
                ("customer", "上次也是这么说的。"),
                ("agent", "我给您加急处理，今天下午给您回电话。"),
            ],
            1,
            id="zh-fixes-only",
        ),
        pytest.param(
            [
                ("customer", "等了一个星期，洗衣机还是没人来修，我真的很生气。"),
                ("agent", "等了一个星期还没人来，换谁都会生气的。"),
                ("customer", "上次也是这么说的。"),
                ("agent", "上次答应了又没做到，我理解您现在很失望。我马上帮您安排师傅明天上午上门。"),
            ],
            5,
            id="zh-feelings-then-fix",
        ),
        pytest.param(
            [
                ("customer", "I'm so fed up, the heating broke again and nobody calls back."),
                ("agent", "You should call the landlord again tomorrow."),
                ("customer", "I did, twice."),
                ("agent", "It sounds like you're really fed up with being ignored. I'd suggest writing to them."),
            ],
            5,
            id="en-feeling-heard-once-beside-advice",
        ),
    ],
)
def test_feelings_answered_more_than_fixes_handed_out(lines: list[tuple[str, str]], level: int) -> None:
    assert _level(lines, "listen_feelings", "feelings_over_solutions") == level


@pytest.mark.parametrize(
    ("lines", "level"),
    [
        pytest.param(
            [
                ("customer", "My laptop won't charge any more."),
                ("agent", "Is it plugged in?"),
                ("customer", "Yes."),
                ("agent", "Did you try another socket?"),
            ],
            1,
            id="en-closed-questions-pull-facts",
        ),
        pytest.param(
            [
                ("customer", "My laptop won't charge since I dropped the charger last week."),
                ("agent", "So it stopped charging after the charger fell last week?"),
                ("customer", "Yes, the light doesn't come on."),
                ("agent", "Did you try another socket?"),
            ],
            5,
            id="en-closed-question-confirms",
        ),
        pytest.param(
            [
                ("customer", "我上周五报的修，到现在一直都没人联系我。"),
                ("agent", "您是上周五报的修吗？"),
                ("customer", "对。"),
                ("agent", "工单号是多少？"),
            ],
            5,
            id="zh-ma-check-back-confirms",
        ),
    ],
)
def test_closed_questions_that_confirm_score_above_fact_pulling(lines: list[tuple[str, str]], level: int) -> None:
    assert _level(lines, "questioning", "closed_to_confirm") == level


def test_every_report_is_written_and_reported_done_while_workers_move_on(tmp_path: Path) -> None:
    source = tmp_path / "in"
    for name in ("a", "b", "c", "d"):
        write_transcript(transcript(), source / f"{name}.json")
    out = tmp_path / "out"
    done: list[tuple[str, str]] = []
    result = asyncio.run(
        grade_batch(
            collect([str(source)], out),
            RUBRIC,
            out,
            library=LIBRARY,
            formats=["json", "html"],
            concurrency=1,
            on_done=lambda item, status: done.append((item.key, status)),
        )
    )
    assert [item.key for item, _ in result.graded] == ["a", "b", "c", "d"]
    assert sorted(done) == [(k, "graded") for k in ("a", "b", "c", "d")]
    assert {p.name for p in out.iterdir()} == {f"{k}.{ext}" for k in "abcd" for ext in ("json", "html")}
    assert load_reports(out)["b"].total == result.graded[1][1].total


def test_an_answer_is_checked_only_after_the_queued_calls_took_the_freed_slots() -> None:
    events: list[str] = []

    async def scenario() -> None:
        slots = JudgeSlots(2)
        answered, finish = asyncio.Event(), asyncio.Event()

        async def transcript_grading(name: str, answer_arrives: asyncio.Event) -> None:
            async with slots.call():
                events.append(f"{name} asks")
                await answer_arrives.wait()
            await slots.handed_over()
            events.append(f"{name} checks")

        first = [asyncio.create_task(transcript_grading(n, answered)) for n in ("a", "b")]
        queued = [asyncio.create_task(transcript_grading(n, finish)) for n in ("c", "d")]
        await asyncio.sleep(0)
        assert events == ["a asks", "b asks"]  # two slots: c and d wait for one
        answered.set()  # a's and b's answers arrive together
        await asyncio.wait_for(asyncio.gather(*first), timeout=10)
        finish.set()  # nobody is queued any more: c's and d's answers are checked at once
        await asyncio.wait_for(asyncio.gather(*queued), timeout=10)

    asyncio.run(scenario())
    assert events[:4] == ["a asks", "b asks", "c asks", "d asks"]
    assert sorted(events[4:6]) == ["a checks", "b checks"]
    assert sorted(events[6:]) == ["c checks", "d checks"]


@pytest.mark.parametrize(("failures", "scored"), [([500], True), ([500, 500], False)], ids=["retried", "down"])
def test_the_judge_over_http_retries_a_server_error_then_gives_up(failures: list[int], scored: bool) -> None:
    behaviour = MockBehaviour(respond=lambda messages: answer(level=3), fail_with=list(failures))
    with MockOpenAIServer(behaviour) as server:
        settings = Settings(base_url=server.base_url, api_key="test", customer_model="mock-judge", max_retries=1)
        model = chat_model(settings, "grader")
        assert model is not None
        judge = Judge(model, "mock-judge", "json_mode")
        report = asyncio.run(
            released_after(grade_transcript(transcript(), RUBRIC, library=LIBRARY, judge=judge), model)
        )
    assert len(behaviour.requests) == 2  # the failed call and the one retry the settings allow
    sent = behaviour.requests[-1]
    assert sent["response_format"] == {"type": "json_object"} and sent["model"] == "mock-judge"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"] and not sent.get("stream")
    levels = [d.judge.level for d in report.dimensions if d.judge]
    assert levels == ([3] * len(RUBRIC.dimensions) if scored else [None] * len(RUBRIC.dimensions))
    unscored = t("flag.judge_unscored", report.language, dimensions="|").split("|")[0]
    assert any(flag.startswith(unscored) for flag in report.flags) is not scored
