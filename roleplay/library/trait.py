"""A trait: one value of one persona axis (behaviour, style, buying pattern, difficulty)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from roleplay.acts import Trigger
from roleplay.library.common import (
    LineBank,
    PatienceOut,
    Reaction,
    Slug,
    Speech,
    StateShift,
    StateValues,
    Strict,
    Text,
)

Axis = Literal["behaviour", "style", "buying", "difficulty"]
AXES: tuple[Axis, ...] = ("behaviour", "style", "buying", "difficulty")
AXIS_NAMES_ZH: dict[Axis, str] = {
    "behaviour": "表现类型",
    "style": "沟通风格",
    "buying": "购买模式",
    "difficulty": "难度",
}


class DifficultyScaling(Strict):
    """How hard the customer is to move: only in difficulty traits.

    Every state change a student act causes is split into the part that helps (calmer, more trust,
    more patience, more open) and the part that hurts; the first is multiplied by ``good_gain``, the
    second by ``bad_gain``.
    """

    good_gain: float = Field(gt=0, le=3, description="multiplier on helpful moves (1 = as the traits say)")
    bad_gain: float = Field(gt=0, le=3, description="multiplier on harmful moves (1 = as the traits say)")
    patience_shift: float = Field(ge=-5, le=5, description="added to the starting patience")
    accept_trust_at_least: float = Field(ge=0, le=10, description="trust needed before accepting a solution")
    accept_emotion_at_most: float = Field(
        ge=0, le=10, description="emotion must be at most this before accepting a solution"
    )
    reveal_shift: float = Field(ge=-5, le=5, description="added to every trust/openness threshold of a hidden fact")


class Trait(Strict):
    """One value of a persona axis, defined once in ``personas/traits/<axis>/<trait_id>.yaml``.

    How traits combine into a persona is described in ``personas/README.md`` and implemented in
    :mod:`roleplay.library.compose`.
    """

    axis: Axis
    trait_id: Slug
    name: Text
    summary: Text = Field(description="one line for lists")
    description: Text = Field(description="what this customer is like, for the teacher")
    speech: Speech = Field(default_factory=Speech)
    initial_state: StateValues | None = Field(default=None, description="behaviour traits only: the starting state")
    initial_shift: StateShift | None = Field(
        default=None, description="style and buying traits: added to the behaviour's starting state"
    )
    reactions: dict[Trigger, Reaction] = Field(default_factory=dict, description="how each student act moves the state")
    calmed_by: list[Text] = Field(default_factory=list, description="what calms or wins this customer")
    triggered_by: list[Text] = Field(default_factory=list, description="what sets this customer off")
    on_patience_out: PatienceOut | None = Field(default=None, description="behaviour traits only")
    lines: LineBank = Field(default_factory=dict, description="example lines by situation")
    teaching_tips: list[Text] = Field(default_factory=list, description="what the course advises the agent")
    scaling: DifficultyScaling | None = Field(default=None, description="difficulty traits only")

    @model_validator(mode="after")
    def _fields_fit_axis(self) -> Trait:
        if self.axis == "behaviour":
            _require(self.initial_state is not None, "a behaviour trait needs initial_state")
            _require(self.on_patience_out is not None, "a behaviour trait needs on_patience_out")
            _require(self.initial_shift is None, "a behaviour trait sets initial_state, not initial_shift")
        else:
            _require(self.initial_state is None, f"a {self.axis} trait uses initial_shift, not initial_state")
            _require(self.on_patience_out is None, "only behaviour traits set on_patience_out")
        if self.axis == "difficulty":
            _require(self.scaling is not None, "a difficulty trait needs scaling")
            _require(not self.reactions, "a difficulty trait scales reactions instead of listing them")
        else:
            _require(self.scaling is None, "only difficulty traits have scaling")
        return self


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
