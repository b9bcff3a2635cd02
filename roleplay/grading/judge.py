"""The LLM judge: the rubric, the numbered transcript and the tagger's labels in; per-dimension
reason, level, verbatim evidence and better wording out, every quote and turn number verified.

An answer that fails validation is retried once with the problems listed; a dimension still wrong
after that is unscored with its reason (never a silent 0). The structured-output method is a
setting: ``json_schema`` or ``json_mode`` ask the endpoint for JSON, ``function_calling`` asks for a
tool call, ``text`` parses JSON out of a plain reply (for endpoints without JSON support); every path
is validated the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from statistics import median
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from roleplay.grading.report import Evidence, JudgeResult, Suggestion, TurnNote
from roleplay.grading.slots import JudgeSlots
from roleplay.library.common import Language
from roleplay.library.rubric import RubricFile
from roleplay.prompting import prompt_version, render_prompt
from roleplay.settings import StructuredOutputMethod as StructuredOutput
from roleplay.tagger.result import TagResult

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

_SPEAKERS = {"zh": {"agent": "客服", "customer": "顾客"}, "en": {"agent": "Agent", "customer": "Customer"}}
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
# Where a student's turn splits into the sentences a quote may be: after Chinese or English sentence ends.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])|(?<=[.])\s+")


class AnswerEvidence(BaseModel):
    turn: int
    quote: str


class AnswerBetter(BaseModel):
    turn: int
    better: str
    why: str = ""


class AnswerDimension(BaseModel):
    dimension_id: str
    reason: str
    level: float
    evidence: list[AnswerEvidence] = Field(default_factory=list)
    better: list[AnswerBetter] = Field(default_factory=list)


class JudgeAnswer(BaseModel):
    """What the judge model must return (reason before level in every dimension)."""

    dimensions: list[AnswerDimension]


class Judge:
    """Grades transcripts with a chat model. One instance serves many transcripts concurrently."""

    def __init__(self, model: BaseChatModel, model_name: str, method: StructuredOutput = "json_schema") -> None:
        self.model = model
        self.model_name = model_name
        self.method = method
        # The last system prompt made (the same for every transcript of a batch): the rubric it is for
        # (kept, so its id stays its own), its language and the text.
        self._last_system: tuple[RubricFile, Language, str] | None = None

    @property
    def prompt_version(self) -> str:
        """The content hash of the prompt files, stamped on reports."""
        return prompt_version()

    async def grade(
        self,
        rubric: RubricFile,
        notes: list[TurnNote],
        scenario: str,
        language: Language,
        samples: int = 1,
        gate: JudgeSlots | None = None,
    ) -> dict[str, JudgeResult]:
        """Each dimension's judge result: the median level over ``samples`` answers and their spread.

        ``gate`` (a batch's limit on concurrent judge calls) is held only while a call is in flight:
        building the prompt and checking the answer leave the slot to the next transcript.
        """
        runs = [await self._one(rubric, notes, scenario, language, gate) for _ in range(max(1, samples))]
        return {d.dimension_id: _aggregate([run[d.dimension_id] for run in runs]) for d in rubric.dimensions}

    async def _one(
        self,
        rubric: RubricFile,
        notes: list[TurnNote],
        scenario: str,
        language: Language,
        gate: JudgeSlots | None,
    ) -> dict[str, JudgeResult]:
        system = self._system(rubric, language)
        user = render_prompt(f"judge_user.{language}.j2", scenario=scenario, turns=_turn_view(notes, language))
        messages: list[tuple[str, str]] = [("system", system), ("human", user)]
        model = self._answering(rubric, notes)  # built once, before a batch's slot is taken
        results: dict[str, JudgeResult] = {}
        problems: list[str] = []
        for attempt in range(2):
            try:
                async with gate.call() if gate else contextlib.nullcontext():
                    reply = await _ask(model, messages)
                if gate is not None:  # the calls queued for a slot go out before this answer is checked
                    await gate.handed_over()
            except Exception as exc:  # the client already retried with backoff
                log.warning("judge model failed: %s", type(exc).__name__)
                reason = f"judge model failed ({type(exc).__name__})"
                return {d.dimension_id: JudgeResult(level=None, reason="", unscored=reason) for d in rubric.dimensions}
            answer, problems = parse_answer(reply, rubric, notes)
            for dimension in rubric.dimensions:
                found = answer.get(dimension.dimension_id)
                if found is not None and dimension.dimension_id not in results:
                    results[dimension.dimension_id] = found.model_copy(update={"retries": attempt})
            if not problems and len(results) == len(rubric.dimensions):
                break
            messages += [("ai", reply), ("human", render_prompt(f"judge_retry.{language}.j2", problems=problems))]
        for dimension in rubric.dimensions:
            if dimension.dimension_id not in results:
                mine = [p for p in problems if dimension.dimension_id in p] or problems or ["no answer"]
                results[dimension.dimension_id] = JudgeResult(
                    level=None, reason="", unscored="invalid after one retry: " + "; ".join(mine[:3]), retries=1
                )
        return results

    def _system(self, rubric: RubricFile, language: Language) -> str:
        """The system prompt: the rubric in words."""
        last = self._last_system
        if last is None or last[0] is not rubric or last[1] != language:
            text = render_prompt(f"judge_system.{language}.j2", **_rubric_view(rubric, language))
            last = self._last_system = (rubric, language, text)
        return last[2]

    def _answering(self, rubric: RubricFile, notes: list[TurnNote]) -> Any:
        """The model, asked for this transcript's answer in the configured structured-output way."""
        if self.method == "json_schema":
            schema = {"name": "judge_answer", "schema": answer_schema(rubric, notes)}
            return self.model.bind(response_format={"type": "json_schema", "json_schema": schema})
        if self.method == "json_mode":
            return self.model.bind(response_format={"type": "json_object"})
        if self.method == "function_calling":
            return self.model.bind_tools([JudgeAnswer], tool_choice="JudgeAnswer")
        return self.model


async def _ask(model: Any, messages: list[tuple[str, str]]) -> str:
    """The model's answer as JSON text (a tool call's arguments, or the reply's text)."""
    reply = await model.ainvoke(messages)
    if getattr(reply, "tool_calls", None):
        return json.dumps(reply.tool_calls[0]["args"], ensure_ascii=False)
    return reply.content if isinstance(reply.content, str) else json.dumps(reply.content, ensure_ascii=False)


def answer_schema(rubric: RubricFile, notes: list[TurnNote]) -> dict[str, Any]:
    """The JSON Schema of an answer about this transcript, sent with the ``json_schema`` method.

    Tighter than :class:`JudgeAnswer`, so an endpoint that enforces the schema while generating
    (llama.cpp does, token by token) cannot produce the mistakes a small model makes: each item is
    one rubric dimension with a level on its scale, evidence is one of the student's own sentences
    paired with the turn it is in, and better wording names one of the student's turns. Only
    standard keywords are used (object, array, enum, const, anyOf, item counts). Answers are verified
    all the same, since not every endpoint enforces a schema.
    """
    agent = [n for n in notes if n.role == "agent"]
    quotable = [
        {
            "type": "object",
            "properties": {"turn": {"const": n.turn}, "quote": {"enum": sentences(n.text)}},
            "required": ["turn", "quote"],
            "additionalProperties": False,
        }
        for n in agent
        if sentences(n.text)
    ]
    better = {
        "type": "object",
        "properties": {
            "turn": {"enum": [n.turn for n in agent]},
            "better": {"type": "string", "minLength": 1},
            "why": {"type": "string"},
        },
        "required": ["turn", "better", "why"],
        "additionalProperties": False,
    }
    levels = list(range(rubric.scale.min, rubric.scale.max + 1))
    dimensions = [
        {
            "type": "object",
            "properties": {
                "dimension_id": {"const": d.dimension_id},
                "reason": {"type": "string", "minLength": 1},
                "level": {"enum": levels},
                "evidence": _array({"anyOf": quotable} if quotable else None, 2),
                "better": _array(better if agent else None, 1),
            },
            "required": ["dimension_id", "reason", "level", "evidence", "better"],
            "additionalProperties": False,
        }
        for d in rubric.dimensions
    ]
    count = len(dimensions)
    return {
        "type": "object",
        "properties": {
            "dimensions": {"type": "array", "items": {"anyOf": dimensions}, "minItems": count, "maxItems": count}
        },
        "required": ["dimensions"],
        "additionalProperties": False,
    }


def _array(items: dict[str, Any] | None, most: int) -> dict[str, Any]:
    """An array of up to ``most`` ``items``; with None, an array that must stay empty."""
    return {"type": "array", "items": items or {"type": "string"}, "maxItems": most if items else 0}


def sentences(text: str) -> list[str]:
    """The sentences of a message, each verbatim (a quote the judge may give from it)."""
    return list(dict.fromkeys(piece.strip() for piece in _SENTENCE_END.split(text) if len(piece.strip()) >= 2))


def parse_answer(reply: str, rubric: RubricFile, notes: list[TurnNote]) -> tuple[dict[str, JudgeResult], list[str]]:
    """The valid dimensions of a judge reply, and every problem found (for the retry message)."""
    match = _JSON_OBJECT.search(reply)
    if match is None:
        return {}, ["the reply holds no JSON object"]
    try:
        answer = JudgeAnswer.model_validate_json(match.group())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return {}, [f"the JSON does not fit the format ({where}: {first['msg']})"]
    known = {d.dimension_id for d in rubric.dimensions}
    texts = {n.turn: n.text for n in notes}
    agent_turns = {n.turn for n in notes if n.role == "agent"}
    results: dict[str, JudgeResult] = {}
    problems: list[str] = []
    for dim in answer.dimensions:
        if dim.dimension_id not in known:
            problems.append(f"unknown dimension_id {dim.dimension_id}; use: {', '.join(sorted(known))}")
            continue
        mine = _check_dimension(dim, rubric, texts, agent_turns)
        if mine:
            problems += [f"{dim.dimension_id}: {p}" for p in mine]
            continue
        results[dim.dimension_id] = JudgeResult(
            level=dim.level,
            reason=dim.reason,
            evidence=[Evidence(turn=e.turn, quote=e.quote) for e in dim.evidence],
            suggestions=[
                Suggestion(turn=b.turn, original=texts[b.turn], better=b.better, why=b.why) for b in dim.better
            ],
            samples=[dim.level],
        )
    missing = known - {d.dimension_id for d in answer.dimensions}
    problems += [f"{dimension_id}: missing" for dimension_id in sorted(missing)]
    return results, problems


def _check_dimension(
    dim: AnswerDimension, rubric: RubricFile, texts: dict[int, str], agent_turns: set[int]
) -> list[str]:
    problems = []
    if not rubric.scale.min <= dim.level <= rubric.scale.max or dim.level != int(dim.level):
        problems.append(f"level {dim.level} is not a whole number from {rubric.scale.min} to {rubric.scale.max}")
    if not dim.reason.strip():
        problems.append("the reason is empty")
    for e in dim.evidence:
        if e.turn not in texts:
            problems.append(f"evidence turn {e.turn} does not exist (turns 1-{max(texts, default=0)})")
        elif not e.quote.strip() or _squash(e.quote) not in _squash(texts[e.turn]):
            problems.append(f"evidence quote {e.quote!r} is not verbatim in turn {e.turn}")
    for b in dim.better:
        if b.turn not in agent_turns:
            problems.append(f"better wording names turn {b.turn}, which is not an agent turn")
    return problems


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _aggregate(runs: list[JudgeResult]) -> JudgeResult:
    scored = [r for r in runs if r.level is not None]
    if not scored:
        return runs[0]
    levels = [r.level for r in scored if r.level is not None]
    middle = median(levels)
    closest = min(scored, key=lambda r: abs((r.level or 0) - middle))
    return closest.model_copy(
        update={
            "level": middle,
            "samples": levels,
            "spread": max(levels) - min(levels),
            "retries": max(r.retries for r in runs),
        }
    )


def _rubric_view(rubric: RubricFile, language: Language) -> dict[str, object]:
    return {
        "rubric_name": rubric.name.get(language),
        "scale_min": rubric.scale.min,
        "scale_max": rubric.scale.max,
        "dimensions": [
            {
                "dimension_id": d.dimension_id,
                "name": d.name.get(language),
                "weight": d.weight,
                "description": d.description.get(language),
                "levels": [
                    {"level": lv.level, "label": lv.label.get(language), "description": lv.description.get(language)}
                    for lv in d.levels
                ],
                "not_applicable": d.not_applicable.description.get(language) if d.not_applicable else "",
            }
            for d in rubric.dimensions
        ],
    }


def _turn_view(notes: list[TurnNote], language: Language) -> list[dict[str, object]]:
    speakers = _SPEAKERS[language]
    return [
        {
            "number": n.turn,
            "speaker": speakers[n.role],
            "text": n.text,
            "labels": ", ".join(TagResult(text=n.text, acts=n.acts).labels) if n.role == "agent" else "",
        }
        for n in notes
    ]
