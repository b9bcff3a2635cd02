"""Pools of customers for an assignment, as in the course's training game: the same scenario, every type.

A pool is a list of persona specs (:meth:`roleplay.library.Library.persona`); each student draws one
(:func:`roleplay.assignment.model.draw_persona`), so a class meets every type between them and can
compare notes afterwards.
"""

from __future__ import annotations

from typing import Literal

from roleplay.library import Language, Library, UnknownPersonaError

PoolKind = Literal["single", "every_behaviour", "every_style"]
POOL_KINDS: tuple[PoolKind, ...] = ("single", "every_behaviour", "every_style")


def build_pool(
    library: Library,
    kind: PoolKind,
    *,
    persona: str | None = None,
    behaviour: str | None = None,
    style: str | None = None,
    difficulty: str | None = None,
) -> list[str]:
    """The persona specs for a pool.

    Args:
        library: where the traits come from.
        kind: ``single`` (just ``persona``), ``every_behaviour`` (one customer per behaviour type) or
            ``every_style`` (one per communication style).
        persona: the one customer of a ``single`` pool (a persona id or a trait combination).
        behaviour: for ``every_style``, the behaviour every customer has; None mixes them in turn.
        style: for ``every_behaviour``, the style every customer has; None mixes them in turn.
        difficulty: a difficulty for every customer of a pool; None is the library's default (normal).

    Returns:
        The specs, in the library's trait order; empty when there is nothing to build from.
    """
    if kind == "single":
        return [persona.strip()] if persona and persona.strip() else []
    behaviours, styles = library.trait_ids("behaviour"), library.trait_ids("style")
    if not behaviours or not styles:
        return []
    pairs: list[tuple[str, str]]
    if kind == "every_behaviour":
        pairs = [(b, style or styles[i % len(styles)]) for i, b in enumerate(behaviours)]
    else:
        pairs = [(behaviour or behaviours[i % len(behaviours)], s) for i, s in enumerate(styles)]
    return ["+".join([b, s, *([difficulty] if difficulty else [])]) for b, s in pairs]


def pool_labels(library: Library, personas: list[str], language: Language) -> list[str]:
    """For the teacher: each customer's name and types (these give the answer away: never show students)."""
    labels = []
    for spec in personas:
        try:
            composed = library.persona(spec)
        except UnknownPersonaError as exc:
            labels.append(f"⚠️ {spec}: {exc}")
            continue
        types = "·".join(ref.name.get(language) for ref in composed.traits)
        labels.append(f"{composed.name.get(language)} ({types})" if composed.named else types)
    return labels
