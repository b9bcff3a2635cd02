"""A named persona: one trait per axis plus a person (name, age, background) and overrides."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from roleplay.acts import Trigger
from roleplay.library.common import (
    LineBank,
    PartialStateValues,
    PatienceOut,
    Reaction,
    Slug,
    Speech,
    Strict,
    Text,
)

Gender = Literal["male", "female"]


class TraitChoice(Strict):
    """Which trait the persona takes on each axis (trait ids)."""

    behaviour: Slug = Field(description="arrogant / doubtful / angry / silent / showoff")
    style: Slug = Field(description="results / expressive / analytical / amiable")
    buying: Slug | None = Field(default=None, description="male / female, or leave out for none")
    difficulty: Slug = Field(default="normal", description="easy / normal / hard")


class PersonaOverrides(Strict):
    """What a named persona changes over what its traits give.

    Starting values replace the composed ones; a reaction listed here replaces the composed reaction
    to that act (difficulty still scales it); texts and lines are added to the traits' own.
    """

    initial_state: PartialStateValues | None = None
    speech: Speech | None = None
    reactions: dict[Trigger, Reaction] = Field(default_factory=dict)
    calmed_by: list[Text] = Field(default_factory=list)
    triggered_by: list[Text] = Field(default_factory=list)
    on_patience_out: PatienceOut | None = None
    lines: LineBank = Field(default_factory=dict)


class PersonaFile(Strict):
    """A named persona, ``personas/<persona_id>.yaml``."""

    persona_id: Slug
    name: Text
    gender: Gender
    age: int = Field(ge=12, le=95)
    occupation: Text | None = None
    summary: Text = Field(description="one line for lists")
    background: Text = Field(description="who this person is and what they care about")
    traits: TraitChoice
    overrides: PersonaOverrides = Field(default_factory=PersonaOverrides)
    suggested_scenarios: list[Slug] = Field(default_factory=list, description="scenario ids this fits")
