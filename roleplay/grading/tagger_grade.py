"""Tagger scoring of a whole transcript: labels on every turn, rubric levels, evidence and suggestions."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import cast

from roleplay.acts import QUESTION_ACTS
from roleplay.datafile import load_yaml
from roleplay.grading.metrics import AgentTurnLabels, DimensionScore, score_dimension, with_turn_events
from roleplay.grading.report import Evidence, Suggestion, TurnNote
from roleplay.library.common import Language, Outcome
from roleplay.library.rubric import RubricFile
from roleplay.library.scenario import Phase
from roleplay.tagger import ContextTurn, acknowledgement_only, tag
from roleplay.transcript import Transcript

# Earlier turns the tagger sees for each agent turn (restatements refer back to the customer's words).
CONTEXT_TURNS = 20
FLAG_ACTS = ("redline", "blame", "manipulation")
_VAGUE = ("尽快", "马上反馈", "会处理的", "等通知", "as soon as possible", "we'll look into it")


def rubric_hash(rubric: RubricFile) -> str:
    """A short hash of the rubric's content: a changed rubric gives a different hash."""
    known = _HASHES.get(id(rubric))
    if known is None or known[0] is not rubric:  # rubrics are frozen, so one hash per object holds
        known = (rubric, hashlib.sha256(rubric.model_dump_json().encode()).hexdigest()[:12])
        _HASHES[id(rubric)] = known
    return known[1]


_HASHES: dict[int, tuple[RubricFile, str]] = {}


def annotate(transcript: Transcript, extra_redlines: list[str]) -> list[TurnNote]:
    """Every turn with the tagger's labels (kept when the transcript already carries them)."""
    notes: list[TurnNote] = []
    for index, turn in enumerate(transcript.turns):
        acts = []
        if turn.role == "agent":
            if turn.acts is not None:
                acts = list(turn.acts)
            else:
                context = [
                    ContextTurn(role=t.role, text=t.text)
                    for t in transcript.turns[max(0, index - CONTEXT_TURNS) : index]
                ]
                acts = list(tag(turn.text, context, extra_redlines=extra_redlines).acts)
        flags = sorted({a.act for a in acts if a.act in FLAG_ACTS})
        notes.append(TurnNote(turn=index + 1, role=turn.role, text=turn.text, acts=acts, flags=flags))
    return notes


def agent_labels(notes: list[TurnNote]) -> list[AgentTurnLabels]:
    """The agent turns the rubric scores, with the turn events (no_technique, question_streak) added.

    A turn that only acknowledges ("Mm-hmm." / "嗯嗯") while the customer is telling is left out:
    it shows listening rather than missing a technique, and counting it would dilute every rate
    (share of turns that restate, that are off the point) by how often the customer paused.
    """
    agent = []
    customer_before: str | None = None
    for note in notes:
        if note.role == "customer":
            customer_before = note.text
            continue
        if not note.acts and acknowledgement_only(note.text, customer_before):
            continue
        agent.append((note.turn, frozenset(a.act for a in note.acts)))
    return with_turn_events(agent)


def tagger_scores(
    rubric: RubricFile, labels: list[AgentTurnLabels], outcome: Outcome | None, phase: Phase | None
) -> dict[str, DimensionScore]:
    """Each dimension's tagger level and checks."""
    return {d.dimension_id: score_dimension(d, labels, outcome, phase) for d in rubric.dimensions}


def evidence_for(
    acts: list[str], labels: list[AgentTurnLabels], notes: list[TurnNote], limit: int = 3
) -> list[Evidence]:
    """Quotes of the turns that carry any of ``acts`` (the tagger's evidence for a dimension)."""
    texts = {n.turn: n.text for n in notes}
    wanted = set(acts)
    return [Evidence(turn=t.turn, quote=texts[t.turn]) for t in labels if t.labels & wanted][:limit]


@cache
def _suggestion_bank() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("roleplay.grading").joinpath("suggestions.yaml").read_text(encoding="utf-8")
    return cast(dict[str, dict[str, dict[str, str]]], load_yaml(text))


def problem_of(labels: frozenset[str], text: str, feeling_heard: bool) -> str | None:
    """The main problem of one agent turn, if any (keys of ``suggestions.yaml``)."""
    for act in ("redline", "blame", "manipulation", "question_streak"):
        if act in labels:
            return act
    if "solution" in labels and not feeling_heard and "restate_feeling" not in labels:
        return "solution_before_feeling"
    if "solution" in labels and any(word in text.lower() for word in _VAGUE) and "evidence" not in labels:
        return "vague_solution"
    if labels == {"no_technique"}:
        return "no_technique"
    return None


# A skill missing from the whole chat, by the weak dimension that shows it (checked in this order).
_MISSING = (
    ("listen_feelings", "missing_feeling"),
    ("restate_feelings", "missing_feeling"),
    ("restate_facts", "missing_restatement"),
    ("questioning", "missing_open_question"),
)
WEAK_LEVEL = 2.5


def offline_suggestions(
    labels: list[AgentTurnLabels],
    notes: list[TurnNote],
    language: Language,
    limit: int = 3,
    levels: dict[str, float | None] | None = None,
) -> list[Suggestion]:
    """Better wording for the weakest turns, from the bank (used when no judge wrote its own).

    When no single turn is at fault, a skill the ``levels`` show missing (weak listening to
    feelings, no restatement, no open question) is suggested at the student's first turn.
    """
    bank = _suggestion_bank()
    order = list(bank)
    texts = {n.turn: n.text for n in notes}
    found: list[tuple[int, int, str]] = []
    heard = False
    for turn in labels:
        problem = problem_of(turn.labels, texts[turn.turn], heard)
        heard = heard or "restate_feeling" in turn.labels
        if problem:
            found.append((order.index(problem), turn.turn, problem))
    found.sort()
    seen: set[str] = set()
    out = []
    for _, number, problem in found:
        if problem in seen:
            continue
        seen.add(problem)
        entry = bank[problem]
        out.append(
            Suggestion(
                turn=number, original=texts[number], better=entry["better"][language], why=entry["why"][language]
            )
        )
    if labels and levels:
        first = labels[0].turn
        for dimension_id, missing in _MISSING:
            level = levels.get(dimension_id)
            if level is not None and level <= WEAK_LEVEL and missing not in seen:
                seen.add(missing)
                entry = bank[missing]
                better, why = entry["better"][language], entry["why"][language]
                out.append(Suggestion(turn=first, original=texts[first], better=better, why=why))
    return out[:limit]


def question_count(labels: list[AgentTurnLabels]) -> int:
    """How many agent turns ask a question (for summaries)."""
    return sum(1 for t in labels if t.labels & set(QUESTION_ACTS))
