"""The fixed vocabulary of student (agent) acts.

The tagger labels every agent utterance with these acts; persona reactions, scenario reveal
conditions and rubric checks all refer to them by name, so the vocabulary lives in one place.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

QuestionType = Literal["open", "closed", "choice", "speculative", "leading"]
QUESTION_TYPES: tuple[QuestionType, ...] = get_args(QuestionType)

Act = Literal[
    "question_open",
    "question_closed",
    "question_choice",
    "question_speculative",
    "question_leading",
    "restate_fact",
    "restate_feeling",
    "greeting",
    "apology",
    "solution",
    "information",
    "closing",
    "praise",
    "evidence",
    "blame",
    "redline",
    "manipulation",
]
ACTS: tuple[Act, ...] = get_args(Act)

QUESTION_ACTS: tuple[Act, ...] = tuple(a for a in ACTS if a.startswith("question_"))

# Events the customer engine derives from a turn as a whole, beside the tagged acts: a persona can
# react to them like to any act.
TurnEvent = Literal[
    "no_technique",  # the agent turn carried none of the acts above
    "question_streak",  # third question-only agent turn in a row (DOMAIN.md: not too many questions)
    "slow_reply",  # the agent took longer than the persona's patience allows to answer
]
TURN_EVENTS: tuple[TurnEvent, ...] = get_args(TurnEvent)

Trigger = Literal[Act, TurnEvent]

# The third question-only agent turn in a row fires "question_streak" (too many questions in a row).
QUESTION_STREAK_AT = 3
# Acts that make a turn more than "just asking".
SUBSTANTIVE_ACTS = frozenset(
    {"restate_fact", "restate_feeling", "solution", "information", "evidence", "apology", "praise"}
)
TRIGGERS: tuple[str, ...] = ACTS + TURN_EVENTS

ACT_NAMES_ZH: dict[str, str] = {
    "question_open": "开放式提问",
    "question_closed": "封闭式提问",
    "question_choice": "选择性提问",
    "question_speculative": "推测性提问",
    "question_leading": "引导性提问",
    "restate_fact": "复述事实",
    "restate_feeling": "复述情感",
    "greeting": "问候",
    "apology": "道歉",
    "solution": "解决方案",
    "information": "提供信息",
    "closing": "结束语",
    "praise": "赞美认可",
    "evidence": "证据与承诺",
    "blame": "指责争辩",
    "redline": "禁语",
    "manipulation": "试图操纵角色",
    "no_technique": "无有效技巧",
    "question_streak": "连续追问",
    "slow_reply": "回复过慢",
}


def question_act(question_type: QuestionType) -> Act:
    """Return the act name for a question type, e.g. ``open`` -> ``question_open``."""
    return next(act for act in QUESTION_ACTS if act == f"question_{question_type}")


class TaggedAct(BaseModel):
    """One label the tagger gave an agent utterance, with what triggered it.

    Attributes:
        act: the label.
        span: the exact piece of the utterance that triggered it (verbatim).
        rule: the name of the rule that fired, so a teacher can see why.
        start: character offset of ``span`` in the utterance, when known.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    act: Act
    span: str
    rule: str
    start: int | None = None
