"""Class analytics from saved reports: level distributions, skill use over time, outcomes per customer type."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from statistics import mean

from pydantic import BaseModel, ConfigDict

from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library import Library, UnknownPersonaError
from roleplay.library.common import Language
from roleplay.store.reports import SavedReport

UNKNOWN_TYPE = "unknown"
OTHER_QUESTIONS = ("question_choice", "question_speculative", "question_leading")


class LevelCount(BaseModel):
    """How many reports gave one dimension one whole level (a tagger's 3.67 counts as 4, a half level rounds up)."""

    model_config = ConfigDict(frozen=True)

    dimension_id: str
    dimension: str
    level: int
    count: int


class SkillPoint(BaseModel):
    """One session's use of the questioning and restating skills (agent turns carrying each label)."""

    model_config = ConfigDict(frozen=True)

    report_id: int
    when: datetime
    student: str
    agent_turns: int
    open_questions: int
    closed_questions: int
    other_questions: int
    restate_fact: int
    restate_feeling: int


class OutcomeCount(BaseModel):
    """How many sessions with one customer behaviour type ended one way."""

    model_config = ConfigDict(frozen=True)

    behaviour: str
    behaviour_name: str
    outcome: str
    outcome_name: str
    count: int


class ClassAnalytics(BaseModel):
    """What the class dashboard shows (effective scores: a teacher's override counts)."""

    model_config = ConfigDict(frozen=True)

    sessions: int
    mean_total: float | None
    pass_rate: float | None
    levels: list[LevelCount]
    skills: list[SkillPoint]
    outcomes: list[OutcomeCount]


def class_analytics(saved: list[SavedReport], library: Library, language: Language) -> ClassAnalytics:
    """The dashboard's numbers for these reports.

    Args:
        saved: the reports (their effective versions are used).
        library: maps each persona to its behaviour type.
        language: of dimension, type and outcome names.
    """
    reports = [(item.report_id, item.effective) for item in saved]
    totals = [r.total for _, r in reports if r.total is not None]
    verdicts = [r.passed for _, r in reports if r.passed is not None]
    levels: Counter[tuple[str, int]] = Counter()
    names: dict[str, str] = {}
    for _, report in reports:
        for dim in report.dimensions:
            names.setdefault(dim.dimension_id, dim.name.get(language))
            if dim.level is not None:
                levels[(dim.dimension_id, math.floor(dim.level + 0.5))] += 1
    order = list(names)
    level_counts = [
        LevelCount(dimension_id=dim, dimension=names[dim], level=level, count=count)
        for (dim, level), count in sorted(levels.items(), key=lambda item: (order.index(item[0][0]), item[0][1]))
    ]
    skills = sorted((_skills(report_id, report) for report_id, report in reports), key=lambda p: (p.when, p.report_id))
    behaviours: dict[str, str] = {}
    outcomes: Counter[tuple[str, str]] = Counter()
    for _, report in reports:
        behaviour = _behaviour(library, report.persona, behaviours)
        outcomes[(behaviour, report.outcome or "ongoing")] += 1
    outcome_counts = [
        OutcomeCount(
            behaviour=behaviour,
            behaviour_name=_type_name(library, behaviour, language),
            outcome=outcome,
            outcome_name=t(f"outcome.{outcome}", language),
            count=count,
        )
        for (behaviour, outcome), count in sorted(outcomes.items())
    ]
    return ClassAnalytics(
        sessions=len(reports),
        mean_total=round(mean(totals), 1) if totals else None,
        pass_rate=round(sum(verdicts) / len(verdicts), 3) if verdicts else None,
        levels=level_counts,
        skills=skills,
        outcomes=outcome_counts,
    )


def _skills(report_id: int, report: Report) -> SkillPoint:
    agent = [frozenset(act.act for act in note.acts) for note in report.turns if note.role == "agent"]
    student = report.student.label() if report.student else "-"
    return SkillPoint(
        report_id=report_id,
        when=report.started_at or report.provenance.graded_at,
        student=student,
        agent_turns=len(agent),
        open_questions=sum("question_open" in acts for acts in agent),
        closed_questions=sum("question_closed" in acts for acts in agent),
        other_questions=sum(bool(acts & set(OTHER_QUESTIONS)) for acts in agent),
        restate_fact=sum("restate_fact" in acts for acts in agent),
        restate_feeling=sum("restate_feeling" in acts for acts in agent),
    )


def _behaviour(library: Library, spec: str | None, known: dict[str, str]) -> str:
    """The persona's behaviour trait id (``unknown`` for a persona the library no longer has)."""
    if not spec:
        return UNKNOWN_TYPE
    if spec not in known:
        try:
            known[spec] = library.persona(spec).trait_id("behaviour") or UNKNOWN_TYPE
        except UnknownPersonaError:
            known[spec] = UNKNOWN_TYPE
    return known[spec]


def _type_name(library: Library, trait_id: str, language: Language) -> str:
    trait = library.traits.get(trait_id)
    return trait.name.get(language) if trait else t("ui.review.unknown_type", language)
