"""The tagger's typed input (context turns) and output (labels with spans and rules)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.acts import QUESTION_TYPES, Act, QuestionType, TaggedAct, question_act


class ContextTurn(BaseModel):
    """One earlier turn of the conversation, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["customer", "agent"]
    text: str


class PredictedAct(BaseModel):
    """One act in the JSON Lines output: the act, the words that triggered it, the rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    act: Act
    span: str
    rule: str


class Predicted(BaseModel):
    """The ``predicted`` object that ``roleplay tag --jsonl`` adds to every line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_types: list[QuestionType]
    restate_fact: bool
    restate_feeling: bool
    acts: list[PredictedAct]


class TagResult(BaseModel):
    """Every label of one agent utterance, each with the span that triggered it and the rule.

    An act appears at most once per distinct span; ``labels`` is the set of act names.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    acts: list[TaggedAct] = Field(default_factory=list)

    @property
    def labels(self) -> frozenset[str]:
        """The act names found, e.g. ``{"question_open", "restate_feeling"}``."""
        return frozenset(a.act for a in self.acts)

    def has(self, act: Act) -> bool:
        """True when ``act`` was found."""
        return any(a.act == act for a in self.acts)

    @property
    def question_types(self) -> list[QuestionType]:
        """The question types found, in the fixed order open, closed, choice, speculative, leading."""
        return [q for q in QUESTION_TYPES if self.has(question_act(q))]

    @property
    def restate_fact(self) -> bool:
        """True when the utterance restates a fact the customer gave."""
        return self.has("restate_fact")

    @property
    def restate_feeling(self) -> bool:
        """True when the utterance names or acknowledges the customer's feeling or view."""
        return self.has("restate_feeling")

    def predicted(self) -> Predicted:
        """The result in the ``predicted`` shape of the JSON Lines contract."""
        return Predicted(
            question_types=self.question_types,
            restate_fact=self.restate_fact,
            restate_feeling=self.restate_feeling,
            acts=[PredictedAct(act=a.act, span=a.span, rule=a.rule) for a in self.acts],
        )
