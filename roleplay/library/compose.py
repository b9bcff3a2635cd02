"""Composing a persona from its trait axes.

The rule (also written for teachers in ``personas/README.md``):

1. Starting state: the behaviour trait gives the values; the style and buying traits add their
   ``initial_shift``; the difficulty adds its ``patience_shift``; a named persona's
   ``overrides.initial_state`` then replaces single values. Everything is kept within 0-10.
2. Reactions: for each act, the moves of the behaviour, style and buying traits add up; a named
   persona's reaction to an act replaces the sum; then the difficulty scales the result (helpful
   moves x ``good_gain``, harmful moves x ``bad_gain``).
3. Speech: length comes from the persona's override, else the behaviour, else the style, else the
   buying trait ("medium" if none sets it); tones and habits are collected from all.
4. Lists (what calms, what triggers, example lines, teaching tips) are collected from every axis
   and the persona, in that order. What happens when patience runs out: persona, else behaviour.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from roleplay.library.common import (
    MAX_CHARS_BY_LENGTH,
    STATE_FIELDS,
    LineBank,
    PatienceOut,
    SpeechLength,
    StateShift,
    StateValues,
    Text,
)
from roleplay.library.persona import Gender, PersonaFile
from roleplay.library.trait import AXES, Axis, DifficultyScaling, Trait

# A move is helpful when it calms (emotion down) or raises trust, patience or openness.
_HELPFUL_SIGN = {"emotion": -1, "trust": 1, "patience": 1, "openness": 1}


class TraitRef(BaseModel):
    """Which trait a composed persona took on one axis."""

    model_config = ConfigDict(frozen=True)

    axis: Axis
    trait_id: str
    name: Text


class ComposedReaction(BaseModel):
    """The final state move for one act, and which files contributed to it."""

    model_config = ConfigDict(frozen=True)

    shift: StateShift
    sources: list[str]
    why: list[Text] = Field(default_factory=list)


class ResolvedSpeech(BaseModel):
    """How the composed customer talks."""

    model_config = ConfigDict(frozen=True)

    length: SpeechLength
    max_chars: int
    tones: list[Text]
    habits: list[Text]


class ComposedPersona(BaseModel):
    """A customer ready to play: what the engine, prompts and teachers' preview use."""

    model_config = ConfigDict(frozen=True)

    persona_id: str = Field(description="a named persona's id, or the trait combination")
    named: bool
    name: Text
    gender: Gender | None
    age: int | None
    occupation: Text | None
    summary: Text
    background: Text | None
    traits: list[TraitRef]
    speech: ResolvedSpeech
    initial_state: StateValues
    reactions: dict[str, ComposedReaction]
    calmed_by: list[Text]
    triggered_by: list[Text]
    on_patience_out: PatienceOut
    lines: LineBank
    teaching_tips: list[Text]
    scaling: DifficultyScaling

    def trait_id(self, axis: Axis) -> str | None:
        """The trait id chosen on ``axis`` (None when the axis was left out)."""
        return next((ref.trait_id for ref in self.traits if ref.axis == axis), None)


def combination_id(chosen: dict[Axis, Trait]) -> str:
    """The canonical spelling of a trait combination, e.g. ``angry+analytical+female+hard``."""
    return "+".join(chosen[axis].trait_id for axis in AXES if axis in chosen)


def compose(chosen: dict[Axis, Trait], persona: PersonaFile | None = None) -> ComposedPersona:
    """Combine one trait per axis (and optionally a named persona's person and overrides).

    Args:
        chosen: the trait for each axis; behaviour, style and difficulty are required, buying optional.
        persona: the named persona, or None for a bare trait combination.
    """
    behaviour, style, difficulty = chosen["behaviour"], chosen["style"], chosen["difficulty"]
    assert behaviour.initial_state is not None and behaviour.on_patience_out is not None
    assert difficulty.scaling is not None
    moving = [t for t in (behaviour, style, chosen.get("buying")) if t is not None]
    everyone = [chosen[axis] for axis in AXES if axis in chosen]
    overrides = persona.overrides if persona else None

    reactions = _reactions(moving, persona)
    scaled = {
        act: ComposedReaction(
            shift=_scale(reaction.shift, difficulty.scaling), sources=reaction.sources, why=reaction.why
        )
        for act, reaction in reactions.items()
    }
    lines: LineBank = {}
    for bank in [t.lines for t in everyone] + ([overrides.lines] if overrides else []):
        for situation, texts in bank.items():
            lines.setdefault(situation, []).extend(texts)

    return ComposedPersona(
        persona_id=persona.persona_id if persona else combination_id(chosen),
        named=persona is not None,
        name=persona.name if persona else _combination_name(everyone),
        gender=persona.gender if persona else _gender_of(chosen.get("buying")),
        age=persona.age if persona else None,
        occupation=persona.occupation if persona else None,
        summary=persona.summary if persona else _combination_summary(everyone),
        background=persona.background if persona else None,
        traits=[TraitRef(axis=t.axis, trait_id=t.trait_id, name=t.name) for t in everyone],
        speech=_speech(moving, persona),
        initial_state=_initial_state(behaviour.initial_state, moving[1:], difficulty.scaling, persona),
        reactions=scaled,
        calmed_by=[x for t in everyone for x in t.calmed_by] + (overrides.calmed_by if overrides else []),
        triggered_by=[x for t in everyone for x in t.triggered_by] + (overrides.triggered_by if overrides else []),
        on_patience_out=(overrides.on_patience_out if overrides else None) or behaviour.on_patience_out,
        lines=lines,
        teaching_tips=[x for t in everyone for x in t.teaching_tips],
        scaling=difficulty.scaling,
    )


def _reactions(moving: list[Trait], persona: PersonaFile | None) -> dict[str, ComposedReaction]:
    summed: dict[str, ComposedReaction] = {}
    for trait in moving:
        for act, reaction in trait.reactions.items():
            before = summed.get(act)
            shift = reaction if before is None else _add(before.shift, reaction)
            summed[act] = ComposedReaction(
                shift=StateShift(**{f: getattr(shift, f) for f in STATE_FIELDS}),
                sources=[*(before.sources if before else []), f"{trait.axis}:{trait.trait_id}"],
                why=[*(before.why if before else []), *([reaction.why] if reaction.why else [])],
            )
    if persona:
        for act, reaction in persona.overrides.reactions.items():
            summed[act] = ComposedReaction(
                shift=StateShift(**{f: getattr(reaction, f) for f in STATE_FIELDS}),
                sources=[f"persona:{persona.persona_id}"],
                why=[reaction.why] if reaction.why else [],
            )
    return summed


def _add(a: StateShift, b: StateShift) -> StateShift:
    return StateShift(**{f: max(-10.0, min(10.0, getattr(a, f) + getattr(b, f))) for f in STATE_FIELDS})


def _scale(shift: StateShift, scaling: DifficultyScaling) -> StateShift:
    values = {}
    for name in STATE_FIELDS:
        value = float(getattr(shift, name))
        helpful = value * _HELPFUL_SIGN[name] > 0
        factor = scaling.good_gain if helpful else scaling.bad_gain
        values[name] = round(max(-10.0, min(10.0, value * factor)), 2)
    return StateShift(**values)


def _initial_state(
    base: StateValues, shifters: list[Trait], scaling: DifficultyScaling, persona: PersonaFile | None
) -> StateValues:
    values = {name: float(getattr(base, name)) for name in STATE_FIELDS}
    for trait in shifters:
        if trait.initial_shift:
            for name in STATE_FIELDS:
                values[name] += getattr(trait.initial_shift, name)
    values["patience"] += scaling.patience_shift
    if persona and persona.overrides.initial_state:
        for name in STATE_FIELDS:
            override = getattr(persona.overrides.initial_state, name)
            if override is not None:
                values[name] = override
    return StateValues(**{name: round(max(0.0, min(10.0, v)), 2) for name, v in values.items()})


def _speech(moving: list[Trait], persona: PersonaFile | None) -> ResolvedSpeech:
    override = persona.overrides.speech if persona else None
    speeches = ([override] if override else []) + [t.speech for t in moving]
    length: SpeechLength = next((s.length for s in speeches if s.length), "medium")
    return ResolvedSpeech(
        length=length,
        max_chars=MAX_CHARS_BY_LENGTH[length],
        tones=[s.tone for s in speeches if s.tone],
        habits=[h for s in speeches for h in s.habits],
    )


def _combination_name(traits: list[Trait]) -> Text:
    return Text(
        zh="·".join(t.name.zh for t in traits),
        en=" · ".join(t.name.get("en") for t in traits),
    )


def _combination_summary(traits: list[Trait]) -> Text:
    return Text(zh="；".join(t.summary.zh for t in traits), en="; ".join(t.summary.get("en") for t in traits))


def _gender_of(buying: Trait | None) -> Gender | None:
    if buying is not None and buying.trait_id in ("male", "female"):
        return buying.trait_id  # type: ignore[return-value]
    return None
