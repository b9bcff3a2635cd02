"""Teacher-readable Markdown descriptions of composed personas."""

from __future__ import annotations

from roleplay.acts import ACT_NAMES_ZH
from roleplay.i18n import t
from roleplay.library.common import STATE_FIELDS, Language, StateShift, Text
from roleplay.library.compose import ComposedPersona


def describe_persona(persona: ComposedPersona, language: Language = "zh") -> str:
    """The composed persona as a teacher reads it: person, traits, state, reactions, lines."""
    lang = language
    out = [f"## {t('persona.heading', lang, name=persona.name.get(lang))}", ""]
    out.append(f"- **{t('persona.id', lang)}**: `{persona.persona_id}`")
    traits = " + ".join(f"{ref.name.get(lang)} (`{ref.trait_id}`)" for ref in persona.traits)
    out.append(f"- **{t('persona.traits', lang)}**: {traits}")
    person = [t(f"persona.gender.{persona.gender}", lang)] if persona.gender else []
    if persona.age:
        person.append(t("persona.age", lang, age=persona.age))
    if persona.occupation:
        person.append(persona.occupation.get(lang))
    if person:
        out.append(f"- **{t('persona.person', lang)}**: {', '.join(person)}")
    out += ["", persona.summary.get(lang), ""]
    if persona.background:
        out += [f"### {t('persona.background', lang)}", "", persona.background.get(lang), ""]

    out += [f"### {t('persona.speech', lang)}", ""]
    out.append(
        f"- {t('persona.speech.length', lang, length=persona.speech.length, max_chars=persona.speech.max_chars)}"
    )
    out += [f"- {tone.get(lang)}" for tone in persona.speech.tones]
    out += [f"- {habit.get(lang)}" for habit in persona.speech.habits]
    out.append("")

    state = persona.initial_state
    out += [f"### {t('persona.state', lang)}", "", t("persona.state.values", lang, **state.model_dump()), ""]
    scaling = persona.scaling
    out += [
        t(
            "persona.difficulty",
            lang,
            good=scaling.good_gain,
            bad=scaling.bad_gain,
            trust=scaling.accept_trust_at_least,
            emotion=scaling.accept_emotion_at_most,
        ),
        "",
    ]

    out += [f"### {t('persona.reactions', lang)}", ""]
    for act, reaction in sorted(persona.reactions.items()):
        act_name = ACT_NAMES_ZH.get(act, act) if lang == "zh" else act
        moves = _moves(reaction.shift, lang)
        why = "；".join(w.get(lang) for w in reaction.why)
        line = t("persona.reaction.row", lang, act=act_name, moves=moves)
        out.append(f"- {line}" + (f" — {why}" if why else ""))
    out.append("")

    out += _section(t("persona.calmed_by", lang), persona.calmed_by, lang)
    out += _section(t("persona.triggered_by", lang), persona.triggered_by, lang)
    action = t(f"patience_out.{persona.on_patience_out.action}", lang)
    out += [
        f"### {t('persona.patience_out', lang)}",
        "",
        f"**{action}**: {persona.on_patience_out.description.get(lang)}",
        "",
    ]
    out += _section(t("persona.tips", lang), persona.teaching_tips, lang)
    if persona.lines:
        out += [f"### {t('persona.lines', lang)}", ""]
        for situation, lines in persona.lines.items():
            sample = " / ".join(f"“{line.get(lang)}”" for line in lines[:3])
            out.append(f"- *{situation}*: {sample}")
        out.append("")
    return "\n".join(out)


def _moves(shift: StateShift, language: Language) -> str:
    parts = []
    for name in STATE_FIELDS:
        value = getattr(shift, name)
        if value:
            parts.append(f"{t(f'state.{name}', language)} {value:+g}")
    return ", ".join(parts) or "±0"


def _section(title: str, items: list[Text], language: Language) -> list[str]:
    if not items:
        return []
    return [f"### {title}", "", *(f"- {item.get(language)}" for item in items), ""]
