"""Building the customer model's messages from template files.

The static part (rules, persona, scenario) comes first and is identical on every turn of a session,
so provider prefix caches hit; the history follows; the last message carries the student's words and
the director's note (state in words, facts allowed now, how to answer).
"""

from __future__ import annotations

from functools import cache
from typing import cast

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from roleplay.customer.state import CustomerState, TurnEffect
from roleplay.library.common import STATE_FIELDS, Language, LineSituation
from roleplay.library.compose import ComposedPersona
from roleplay.library.scenario import CHANNEL_NAMES_ZH, PHASE_NAMES_ZH, ScenarioFile
from roleplay.prompting import prompt_data as _yaml
from roleplay.prompting import prompt_version, render_prompt
from roleplay.transcript import Turn

__all__ = ["build_messages", "prompt_version", "retry_messages", "system_prompt", "turn_note"]


@cache
def act_words(language: Language) -> dict[str, str]:
    """How the customer perceives each student act (``act_words.yaml``), in the customer's own terms."""
    entries = cast(dict[str, dict[str, str]], _yaml("act_words.yaml"))
    return {act: entry[language] for act, entry in entries.items()}


def situation_instruction(situation: LineSituation, language: Language) -> str:
    """How the customer should answer in ``situation`` (from ``situations.yaml``)."""
    entry = _yaml("situations.yaml")[situation]
    assert isinstance(entry, dict)
    return str(entry[language])


def mood_words(state: CustomerState, language: Language) -> str:
    """The four state values in words, e.g. 很生气，不太相信这个客服，耐心不多了，有所保留."""
    words = []
    table = _yaml("state_words.yaml")
    for name in STATE_FIELDS:
        levels = table[name]
        assert isinstance(levels, list)
        value = getattr(state, name)
        words.append(next(str(level[language]) for level in levels if value <= level["max"]))
    return ("，" if language == "zh" else ", ").join(words)


def length_rule(persona: ComposedPersona, language: Language) -> str:
    """The reply length the persona allows, as an instruction."""
    if language == "zh":
        return f"不超过{persona.speech.max_chars}个字"
    return f"at most {max(8, persona.speech.max_chars // 2)} words"


def system_prompt(persona: ComposedPersona, scenario: ScenarioFile, language: Language) -> str:
    """The static part of the prompt (no rubric, no hidden fact, no state)."""
    lang = language
    gender = {"male": {"zh": "男", "en": "man"}, "female": {"zh": "女", "en": "woman"}}
    examples = [
        line.get(lang) for situation in ("opening", "upset", "calmer") for line in persona.lines.get(situation, [])[:2]
    ]
    speech: list[str] = [persona.speech.length] if lang == "en" else []
    speech += [tone.get(lang) for tone in persona.speech.tones] + [habit.get(lang) for habit in persona.speech.habits]
    return render_prompt(
        f"customer_system.{lang}.j2",
        name=persona.name.get(lang),
        gender=gender[persona.gender][lang] if persona.gender else "",
        age=persona.age or "",
        occupation=persona.occupation.get(lang) if persona.occupation else "",
        background=persona.background.get(lang) if persona.background else persona.summary.get(lang),
        traits=" + ".join(ref.name.get(lang) for ref in persona.traits),
        trait_descriptions=[ref.name.get(lang) for ref in persona.traits],
        speech=speech,
        calmed_by=[item.get(lang) for item in persona.calmed_by],
        triggered_by=[item.get(lang) for item in persona.triggered_by],
        examples=examples,
        company=scenario.company.get(lang),
        channel=CHANNEL_NAMES_ZH[scenario.channel] if lang == "zh" else scenario.channel.replace("_", " "),
        phase=PHASE_NAMES_ZH[scenario.phase] if lang == "zh" else scenario.phase.replace("_", "-"),
        product=scenario.product.get(lang),
        summary=scenario.summary.get(lang),
        goal=scenario.customer_goal.get(lang),
        expectation=scenario.expectation.get(lang) if scenario.expectation else "",
        length_rule=length_rule(persona, lang),
    )


def turn_note(
    agent_text: str,
    persona: ComposedPersona,
    scenario: ScenarioFile,
    state: CustomerState,
    effect: TurnEffect,
    situation: LineSituation,
    language: Language,
) -> str:
    """The last user message: the student's words and the director's note."""
    lang = language
    facts = {fact.fact_id: fact for fact in scenario.hidden_facts}
    new = [facts[fid].text.get(lang) for fid in effect.revealed]
    known = [facts[fid].text.get(lang) for fid in state.revealed if fid not in effect.revealed]
    words = act_words(lang)
    perceived = [words[a] for a in effect.triggers if a in words] or [words["no_technique"]]
    acts_text = ("；" if lang == "zh" else "; ").join(perceived)
    return render_prompt(
        f"customer_turn.{lang}.j2",
        agent_text=agent_text,
        mood=mood_words(state, lang),
        agent_acts=acts_text,
        new_facts=new,
        known_facts=known,
        allowed_topics="",
        instruction=situation_instruction(situation, lang),
        length_rule=length_rule(persona, lang),
        name=persona.name.get(lang),
    )


def retry_messages(
    messages: list[BaseMessage], codes: tuple[str, ...], persona: ComposedPersona, language: Language
) -> list[BaseMessage]:
    """The messages for a second try after the guard rejected a reply: the same chat, with the last
    message's note telling what was wrong (the rejected words are not repeated to the model).

    Everything before the last message is unchanged, so a prefix cache still hits.
    """
    fixes = cast(dict[str, dict[str, str]], _yaml("guard_fixes.yaml"))
    note = messages[-1].content if isinstance(messages[-1].content, str) else ""
    retry = render_prompt(
        f"customer_retry.{language}.j2",
        note=note.rstrip("\n"),
        fixes=[fixes[code][language] for code in codes if code in fixes],
        length_rule=length_rule(persona, language),
    )
    return [*messages[:-1], HumanMessage(retry)]


_CHAT_OPENS = {"zh": "（对话开始，请你先开口。）", "en": "(The chat starts. You speak first.)"}


def build_messages(system: str, history: list[Turn], note: str, language: Language) -> list[BaseMessage]:
    """System prompt, then the chat so far (customer = assistant), then the note-carrying last message.

    ``history`` holds every turn before the student's current message. Some compatible servers want a
    user message before the first assistant one, so the chat opens with a fixed line.
    """
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(_CHAT_OPENS[language])]
    for turn in history:
        messages.append(AIMessage(turn.text) if turn.role == "customer" else HumanMessage(turn.text))
    messages.append(HumanMessage(note))
    return messages
