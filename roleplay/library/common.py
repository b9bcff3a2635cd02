"""Building blocks shared by the teacher-editable files: texts, state values, speech, line banks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Language = Literal["zh", "en"]

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=48),
    Field(description="lower-case letters, digits and _ ; starts with a letter (e.g. angry_dad)"),
]

StateLevel = Annotated[float, Field(ge=0, le=10, description="0 to 10")]
StateDelta = Annotated[float, Field(ge=-10, le=10, description="-10 to 10; 0 = no change")]


class Strict(BaseModel):
    """Base of every teacher-file model: unknown keys are errors, values are checked."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """A text in Chinese, optionally also in English.

    In YAML either a plain string (Chinese only) or ``{zh: ..., en: ...}``.
    """

    zh: str = Field(min_length=1, description="中文 (required)")
    en: str | None = Field(default=None, description="English (optional; Chinese is shown when missing)")

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"zh": data}
        return data

    def get(self, language: Language) -> str:
        """Return the text in ``language``, falling back to Chinese."""
        if language == "en" and self.en:
            return self.en
        return self.zh


STATE_FIELDS = ("emotion", "trust", "patience", "openness")


class StateValues(Strict):
    """The customer's hidden state at the start: every value 0-10."""

    emotion: StateLevel = Field(description="0 calm ... 10 furious")
    trust: StateLevel = Field(description="0 none ... 10 complete trust in the agent")
    patience: StateLevel = Field(description="0 leaving now ... 10 all the time in the world")
    openness: StateLevel = Field(description="0 says nothing ... 10 tells everything")


class PartialStateValues(Strict):
    """Absolute state values a named persona sets over its traits' values."""

    emotion: StateLevel | None = None
    trust: StateLevel | None = None
    patience: StateLevel | None = None
    openness: StateLevel | None = None


class StateShift(Strict):
    """How much each state value moves (negative emotion = calmer)."""

    emotion: StateDelta = 0
    trust: StateDelta = 0
    patience: StateDelta = 0
    openness: StateDelta = 0

    def is_zero(self) -> bool:
        """True when nothing moves."""
        return not any(getattr(self, name) for name in STATE_FIELDS)


class Reaction(StateShift):
    """How one student act moves the customer, with the reason in words for the teacher."""

    why: Text | None = Field(default=None, description="why this customer reacts so (shown to teachers)")


SpeechLength = Literal["terse", "short", "medium", "long"]

# Upper bound of a reply in Chinese characters for each length; English allows about 2.5x.
MAX_CHARS_BY_LENGTH: dict[SpeechLength, int] = {"terse": 20, "short": 45, "medium": 90, "long": 160}


class Speech(Strict):
    """How the customer talks."""

    length: SpeechLength | None = Field(default=None, description="terse / short / medium / long")
    tone: Text | None = None
    habits: list[Text] = Field(default_factory=list, description="verbal habits, e.g. rhetorical questions")


LineSituation = Literal[
    "opening",  # first words beside the scenario's opening
    "upset",  # annoyed or complaining
    "furious",  # emotion very high
    "calmer",  # emotion coming down
    "pleased",  # a good move landed
    "doubting",  # wants proof
    "reluctant",  # short, guarded, says little
    "annoyed_by_trick",  # the student tried to break the role-play
    "walk_out",  # patience ran out: leaves
    "escalate",  # threatens complaint / bad review / manager
    "satisfied",  # accepts the solution and closes
]


class PatienceOut(Strict):
    """What the customer does when patience runs out."""

    action: Literal["walk_out", "escalate"]
    description: Text


LineBank = dict[LineSituation, list[Text]]

Outcome = Literal["ongoing", "resolved", "walked_out", "escalated", "ended_by_student"]
OUTCOMES: tuple[Outcome, ...] = ("ongoing", "resolved", "walked_out", "escalated", "ended_by_student")
