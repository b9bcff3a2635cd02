"""Small realistic grading reports for the render tests: 3 dimensions, 6 turns, with and without a judge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from roleplay.acts import TaggedAct
from roleplay.grading.kpi import Kpis
from roleplay.grading.metrics import CheckResult
from roleplay.grading.report import (
    DimensionResult,
    Evidence,
    GuessCheck,
    JudgeResult,
    Provenance,
    Report,
    StatePoint,
    Suggestion,
    TurnNote,
)
from roleplay.library.common import Language, Text
from roleplay.transcript import Student, TypeGuess

TURNS = [
    ("customer", "你们的空调装好第三天就不制冷了，我都打了两次电话了！", []),
    (
        "agent",
        "您好，我是客服小林。换谁都会着急的，真的很抱歉。能跟我具体说说是什么情况吗？",
        ["greeting", "restate_feeling", "apology", "question_open"],
    ),
    ("customer", "开机吹的是热风，面板上显示E4。", []),
    ("agent", "这不归我管，你自己看说明。", ["redline"]),
    ("customer", "你这是什么态度！", []),
    (
        "agent",
        "跟您确认一下，开机吹热风、显示E4，对吗？我马上安排师傅今天下午5点前上门。",
        ["restate_fact", "question_closed", "solution", "evidence"],
    ),
]
LEVEL_LABELS = {
    1: Text(zh="差", en="Poor"),
    2: Text(zh="较差", en="Weak"),
    3: Text(zh="合格", en="Adequate"),
    4: Text(zh="良好", en="Good"),
    5: Text(zh="优秀", en="Excellent"),
}
TEXTS = {i + 1: text for i, (_, text, _) in enumerate(TURNS)}


def note(turn: int, role: str, text: str, acts: list[str]) -> TurnNote:
    tagged = [TaggedAct(act=a, span=text[:6], rule=f"{a}.rule") for a in acts]  # type: ignore[arg-type]
    flags = [a for a in acts if a in ("redline", "blame", "manipulation")]
    return TurnNote(turn=turn, role=role, text=text, acts=tagged, flags=flags)  # type: ignore[arg-type]


def dimension(
    dimension_id: str, zh: str, en: str, tagger: float | None, quotes: list[int], judge: JudgeResult | None = None
) -> DimensionResult:
    level = judge.level if judge is not None and judge.level is not None else tagger
    return DimensionResult(
        dimension_id=dimension_id,
        name=Text(zh=zh, en=en),
        weight=10,
        tagger_level=tagger,
        tagger_checks=[
            CheckResult(check_id=f"{dimension_id}_check", value=1.0, level=4, turns=quotes, reason="1 of 3 turns")
        ],
        not_applicable=None if tagger is not None else "fewer than 3 agent turns",
        judge=judge,
        level=level,
        level_label=LEVEL_LABELS[round(level)] if level is not None else None,
        graded_by=None if level is None else ("judge" if judge is not None and judge.level is not None else "tagger"),
        disagreement=judge is not None
        and judge.level is not None
        and tagger is not None
        and abs(judge.level - tagger) > 1,
        tagger_evidence=[Evidence(turn=n, quote=TEXTS[n]) for n in quotes],
    )


def make_report(language: Language = "zh", with_judge: bool = True, **changes: Any) -> Report:
    """A small realistic report: 3 dimensions, 6 turns, optionally with an LLM judge."""
    judge = {
        "listen_feelings": JudgeResult(
            level=4,
            reason="第2句先接住了情绪。",
            evidence=[Evidence(turn=2, quote="换谁都会着急的")],
            samples=[4, 4, 5],
            spread=1,
        ),
        "attitude": JudgeResult(
            level=1,
            reason="第4句是服务禁语。",
            evidence=[Evidence(turn=4, quote="这不归我管")],
            suggestions=[
                Suggestion(turn=4, original=TEXTS[4], better="这件事我来负责，我先帮您查清楚。", why="禁语会激化情绪")
            ],
        ),
        "satisfy": JudgeResult(level=None, reason="", unscored="invalid evidence after one retry"),
    }
    dims = [
        dimension(
            "listen_feelings",
            "听情感",
            "Listening for feelings",
            5,
            [2],
            judge["listen_feelings"] if with_judge else None,
        ),
        dimension("attitude", "服务态度", "Attitude", 3, [4], judge["attitude"] if with_judge else None),
        dimension("satisfy", "满足客户", "Satisfying the customer", 4, [6], judge["satisfy"] if with_judge else None),
    ]
    fields: dict[str, Any] = {
        "language": language,
        "source": "class3/zhang.json",
        "session_id": "s-42",
        "student": Student(name="张伟", student_id="2024031"),
        "persona": "wang_jianguo",
        "persona_name": Text(zh="王建国", en="Wang Jianguo"),
        "scenario": "aircon_after_sales",
        "scenario_title": Text(zh="空调不制冷", en="Air conditioner not cooling"),
        "rubric_name": Text(zh="课堂练习评分表", en="Class practice rubric"),
        "scale_min": 1,
        "scale_max": 5,
        "pass_score": 60,
        "dimensions": dims,
        "total": 56.7 if with_judge else 80.0,
        "tagger_total": 80.0,
        "judge_total": 50.0 if with_judge else None,
        "passed": not with_judge,
        "graders": ["tagger", "judge"] if with_judge else ["tagger"],
        "flags": ["judge unscored: satisfy (tagger levels used)", "disagreement: attitude"] if with_judge else [],
        "outcome": "resolved",
        "kpis": Kpis(
            agent_messages=3,
            customer_messages=3,
            qa_ratio=1.0,
            first_response_seconds=12.5,
            average_response_seconds=20.0,
            typing_chars_per_minute=95.3,
            duration_seconds=150.0,
            agent_chars=80,
        ),
        "turns": [note(n, role, text, acts) for n, (role, text, acts) in enumerate(TURNS, start=1)],
        "states": [
            StatePoint(turn=1, emotion=7, trust=3, patience=6, openness=4),
            StatePoint(turn=3, emotion=5, trust=5, patience=6, openness=6),
            StatePoint(turn=5, emotion=8, trust=2, patience=3, openness=3),
        ],
        "guess": GuessCheck(
            guessed=TypeGuess(behaviour="angry", style="analytical"),
            behaviour="angry",
            style="results",
            behaviour_right=True,
            style_right=False,
        ),
        "suggestions": [Suggestion(turn=4, original=TEXTS[4], better="让您久等了，我马上帮您查。", why="先接情绪")],
        "provenance": Provenance(
            graded_at=datetime(2026, 11, 30, 9, 30),
            rubric_id="default",
            rubric_hash="ecc2b99f9e88",
            tagger_version="tagger-f213bfe537",
            judge_model="qwen-plus" if with_judge else None,
            judge_prompt_version="937fa99cca28" if with_judge else None,
            samples=3 if with_judge else 1,
        ),
    }
    fields.update(changes)
    return Report(**fields)


def bare_report() -> Report:
    """Everything optional missing: English, no judge, all dimensions n/a, no timestamps, states, guess, tips."""
    base = make_report("en", with_judge=False)
    return base.model_copy(
        update={
            "dimensions": [
                d.model_copy(
                    update={
                        "tagger_level": None,
                        "level": None,
                        "level_label": None,
                        "graded_by": None,
                        "not_applicable": "fewer than 3 agent turns",
                        "tagger_checks": [],
                        "tagger_evidence": [],
                    }
                )
                for d in base.dimensions
            ],
            "total": None,
            "tagger_total": None,
            "passed": None,
            "student": None,
            "persona_name": None,
            "scenario_title": None,
            "outcome": None,
            "states": [],
            "guess": None,
            "suggestions": [],
            "kpis": Kpis(
                agent_messages=1,
                customer_messages=0,
                qa_ratio=None,
                first_response_seconds=None,
                average_response_seconds=None,
                typing_chars_per_minute=None,
                duration_seconds=None,
                agent_chars=5,
            ),
        }
    )


REPORTS: dict[str, Callable[[], Report]] = {
    "zh-judge": lambda: make_report("zh"),
    "zh-tagger-only": lambda: make_report("zh", with_judge=False),
    "en-judge": lambda: make_report("en"),
    "en-bare": bare_report,
}
