"""The transcript: a finished or ongoing chat, as saved, imported, graded and exported."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.acts import TaggedAct
from roleplay.library.common import Language, Outcome

Role = Literal["agent", "customer"]


class StateSnapshot(BaseModel):
    """The customer's hidden state after a customer turn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    emotion: float = Field(ge=0, le=10)
    trust: float = Field(ge=0, le=10)
    patience: float = Field(ge=0, le=10)
    openness: float = Field(ge=0, le=10)
    revealed: list[str] = Field(default_factory=list)
    outcome: Outcome = "ongoing"


class Turn(BaseModel):
    """One message. Agent turns may carry the tagger's ``acts``; customer turns the ``state`` after them."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    text: str
    timestamp: datetime | None = None
    acts: list[TaggedAct] | None = None
    state: StateSnapshot | None = None


class Student(BaseModel):
    """Who played the agent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    student_id: str | None = None
    class_name: str | None = None

    def label(self) -> str:
        """A short label for tables: name (student number)."""
        parts = [p for p in (self.name, f"({self.student_id})" if self.student_id else None) if p]
        return " ".join(parts) or "-"


class TypeGuess(BaseModel):
    """The student's guess of the customer's type, made when the chat ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    behaviour: str | None = None
    style: str | None = None


class Transcript(BaseModel):
    """A whole chat with its session metadata. Saved as JSON (``Transcript.model_dump_json``)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["roleplay-transcript"] = "roleplay-transcript"
    version: Literal[1] = 1
    session_id: str | None = None
    persona: str | None = Field(default=None, description="persona id or trait combination")
    scenario: str | None = None
    rubric: str | None = None
    student: Student | None = None
    model: str | None = Field(default=None, description="the customer model, or 'offline'")
    language: Language = "zh"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    guess: TypeGuess | None = None
    outcome: Outcome | None = None
    source: str | None = Field(default=None, description="the file it was imported from")
    turns: list[Turn] = Field(default_factory=list)

    def agent_turns(self) -> list[Turn]:
        """The student's messages, in order."""
        return [turn for turn in self.turns if turn.role == "agent"]

    def customer_turns(self) -> list[Turn]:
        """The customer's messages, in order."""
        return [turn for turn in self.turns if turn.role == "customer"]
