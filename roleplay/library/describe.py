"""Teacher-readable Markdown descriptions of personas, scenarios and rubrics (CLI and app share them)."""

from __future__ import annotations

from roleplay.acts import ACT_NAMES_ZH
from roleplay.i18n import t
from roleplay.library.common import STATE_FIELDS, Language, StateShift, Text
from roleplay.library.compose import ComposedPersona
from roleplay.library.rubric import RubricFile
from roleplay.library.scenario import CHANNEL_NAMES_ZH, PHASE_NAMES_ZH, RevealCondition, ScenarioFile


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


def describe_scenario(scenario: ScenarioFile, language: Language = "zh", teacher: bool = False) -> str:
    """A scenario as Markdown: the student's brief and card; with ``teacher`` also the hidden side."""
    lang = language
    out = [f"## {scenario.title.get(lang)}", "", scenario.summary.get(lang), ""]
    channel = CHANNEL_NAMES_ZH[scenario.channel] if lang == "zh" else scenario.channel.replace("_", " ")
    phase = PHASE_NAMES_ZH[scenario.phase] if lang == "zh" else scenario.phase.replace("_", "-")
    out.append(f"**{t('scenario.company', lang)}**: {scenario.company.get(lang)} · {channel} · {phase}")
    out += ["", f"**{t('scenario.product', lang)}**: {scenario.product.get(lang)}", ""]
    out += [f"### {t('scenario.brief', lang)}", "", scenario.brief.get(lang), ""]
    out += [f"### {t('scenario.card', lang)}", ""]
    out += [f"- **{item.title.get(lang)}**: {item.body.get(lang)}" for item in scenario.card]
    out.append("")
    if not teacher:
        return "\n".join(out)
    out += [f"### {t('scenario.goal', lang)}", "", scenario.customer_goal.get(lang), ""]
    if scenario.expectation:
        out += [f"**{t('scenario.expectation', lang)}**: {scenario.expectation.get(lang)}", ""]
    if scenario.hidden_facts:
        out += [f"### {t('scenario.hidden_facts', lang)}", ""]
        for fact in scenario.hidden_facts:
            key = " ★" if fact.key else ""
            conditions = " / ".join(_condition(c, lang) for c in fact.reveal)
            out.append(
                f"- `{fact.fact_id}`{key}: {fact.text.get(lang)} — {t('scenario.reveal_when', lang)} {conditions}"
            )
        out.append("")
    out += [f"**{t('scenario.success', lang)}**: {scenario.success.description.get(lang)}", ""]
    out += [f"**{t('scenario.failure', lang)}**: {scenario.failure.description.get(lang)}", ""]
    if scenario.redlines:
        out += [f"**{t('scenario.redlines', lang)}**: " + "、".join(f"“{r}”" for r in scenario.redlines), ""]
    return "\n".join(out)


def _condition(condition: RevealCondition, language: Language) -> str:
    parts = []
    if condition.asked_about:
        parts.append(t("reveal.asked_about", language, words="/".join(condition.asked_about)))
    if condition.question:
        parts.append(t("reveal.question", language, kind=condition.question))
    if condition.act:
        act = ACT_NAMES_ZH.get(condition.act, condition.act) if language == "zh" else condition.act
        parts.append(t("reveal.act", language, act=act))
    for field in ("trust_at_least", "openness_at_least", "emotion_at_most", "after_agent_turns"):
        value = getattr(condition, field)
        if value is not None:
            parts.append(t(f"reveal.{field}", language, value=value))
    return " + ".join(parts)


def describe_rubric(rubric: RubricFile, language: Language = "zh") -> str:
    """A rubric as Markdown: dimensions with weights, checks and level descriptors."""
    lang = language
    out = [f"## {rubric.name.get(lang)}", "", rubric.description.get(lang), ""]
    out += [
        t("rubric.summary", lang, pass_score=rubric.pass_score, low=rubric.scale.min, high=rubric.scale.max),
        "",
    ]
    total = rubric.total_weight
    for dim in rubric.dimensions:
        share = 100 * dim.weight / total
        out += [f"### {dim.name.get(lang)} · {share:.0f}%", "", dim.description.get(lang), ""]
        out += [f"- {t('rubric.check', lang)}: {check.description.get(lang)}" for check in dim.checks]
        out += [f"- **{lv.level} {lv.label.get(lang)}**: {lv.description.get(lang)}" for lv in dim.levels]
        if dim.not_applicable:
            out.append(f"- {t('rubric.not_applicable', lang)}: {dim.not_applicable.description.get(lang)}")
        out.append("")
    return "\n".join(out)
