"""The grading report: what a student learns from and a teacher trusts, as one pydantic model.

Rendered to JSON (this model), Markdown and a standalone HTML page by :mod:`roleplay.grading.render`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.acts import TaggedAct
from roleplay.grading.kpi import Kpis
from roleplay.grading.metrics import CheckResult
from roleplay.library.common import Language, Outcome, Text
from roleplay.transcript import Student, TypeGuess

Grader = Literal["tagger", "judge"]


class Evidence(BaseModel):
    """A verbatim quote of the transcript backing a judgement."""

    model_config = ConfigDict(frozen=True)

    turn: int = Field(description="1-based turn number in the transcript")
    quote: str = Field(description="verbatim text of that turn")


class Suggestion(BaseModel):
    """A better wording for one of the student's turns."""

    model_config = ConfigDict(frozen=True)

    turn: int
    original: str
    better: str
    why: str


class JudgeResult(BaseModel):
    """The LLM judge's view of one dimension (median over samples), or why it is unscored."""

    model_config = ConfigDict(frozen=True)

    level: float | None
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    samples: list[float] = Field(default_factory=list, description="each sample's level")
    spread: float | None = None
    unscored: str | None = Field(default=None, description="why there is no score (never a silent 0)")
    retries: int = 0


class DimensionResult(BaseModel):
    """One rubric dimension: tagger level, judge level, the level reported, and its evidence."""

    model_config = ConfigDict(frozen=True)

    dimension_id: str
    name: Text
    weight: float
    tagger_level: float | None
    tagger_checks: list[CheckResult]
    not_applicable: str | None = None
    not_applicable_key: str = ""
    not_applicable_args: dict[str, str | int | float] = Field(default_factory=dict)
    judge: JudgeResult | None = None
    level: float | None = Field(description="the level reported: the judge's when it scored, else the tagger's")
    level_label: Text | None = None
    graded_by: Grader | None = None
    disagreement: bool = Field(default=False, description="tagger and judge differ by more than the rubric's margin")
    tagger_evidence: list[Evidence] = Field(default_factory=list)


class TurnNote(BaseModel):
    """One message of the transcript with the tagger's labels."""

    model_config = ConfigDict(frozen=True)

    turn: int
    role: Literal["agent", "customer"]
    text: str
    acts: list[TaggedAct] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list, description="redline, manipulation, blame ...")


class StatePoint(BaseModel):
    """The customer's hidden state after a customer turn (from the engine's saved states)."""

    model_config = ConfigDict(frozen=True)

    turn: int
    emotion: float
    trust: float
    patience: float
    openness: float


class GuessCheck(BaseModel):
    """The student's guess of the customer type against the persona's real traits."""

    model_config = ConfigDict(frozen=True)

    guessed: TypeGuess | None
    behaviour: str | None
    style: str | None
    behaviour_right: bool | None
    style_right: bool | None
    behaviour_name: Text | None = None
    style_name: Text | None = None
    guessed_behaviour_name: Text | None = None
    guessed_style_name: Text | None = None


class Provenance(BaseModel):
    """Where every score comes from, so grades stay comparable after an edit."""

    model_config = ConfigDict(frozen=True)

    graded_at: datetime
    rubric_id: str
    rubric_hash: str
    tagger_version: str
    judge_model: str | None = None
    judge_prompt_version: str | None = None
    samples: int = 1


class Report(BaseModel):
    """A graded transcript."""

    model_config = ConfigDict(frozen=True)

    format: Literal["roleplay-report"] = "roleplay-report"
    version: Literal[1] = 1
    language: Language
    source: str | None
    session_id: str | None
    started_at: datetime | None = None
    student: Student | None
    persona: str | None
    persona_name: Text | None
    scenario: str | None
    scenario_title: Text | None
    rubric_name: Text
    scale_min: int
    scale_max: int
    pass_score: float
    dimensions: list[DimensionResult]
    total: float | None = Field(description="0-100 from the reported levels")
    tagger_total: float | None
    judge_total: float | None
    passed: bool | None
    graders: list[Grader]
    flags: list[str] = Field(default_factory=list, description="for the teacher: disagreements, judge failures")
    outcome: Outcome | None
    kpis: Kpis
    turns: list[TurnNote]
    states: list[StatePoint]
    guess: GuessCheck | None
    suggestions: list[Suggestion] = Field(default_factory=list, description="better wording for the weakest turns")
    provenance: Provenance
