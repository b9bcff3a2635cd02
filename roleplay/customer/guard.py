"""Checks a model-written customer reply before the student sees it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import cast

from roleplay.library.common import Language
from roleplay.library.compose import ComposedPersona
from roleplay.library.scenario import ScenarioFile
from roleplay.prompting import prompt_data, template_phrases

# The model speaking as a model, not as the customer.
_AI_TALK = re.compile(
    r"作为(?:一个|一名)?(?:AI|人工智能|语言模型|智能助手|虚拟)|我是(?:一个)?(?:AI|人工智能|语言模型|机器人|智能助手)|"
    r"(?:AI|人工智能)(?:助手|模型)|角色扮演|扮演(?:顾客|客户)|模拟(?:顾客|客户)|"
    r"\bas an (?:AI|assistant|language model)\b|"
    r"\b(?:I am|I'm) (?:an AI|a language model|an assistant|a chatbot)\b|\brole-?play\b|\bsimulat(?:ed|ion)\b",
    re.IGNORECASE,
)
# The customer coaching the student instead of being a customer.
_COACHING = re.compile(
    r"(?:你|您)(?:应该|可以|最好)(?:先|试着|试试)?(?:复述|共情|使用|用)?(?:开放式|封闭式|选择性)?(?:提问|问题)|"
    r"复述(?:事实|情感)|开放式问题|封闭式问题|评分|得分|服务技巧|作为客服(?:你|您)应该|"
    r"\byou should (?:ask|restate|acknowledge|use)\b|\bopen(?:-ended)? question\b|\bas an agent you\b|\brubric\b",
    re.IGNORECASE,
)
# The customer talking like the service agent.
_AGENT_TALK = re.compile(
    r"(?:请问)?(?:还有)?(?:什么|啥)(?:可以|能)(?:帮|为)(?:您|你)|很高兴为(?:您|你)服务|感谢(?:您的)?耐心等待|^亲[，,~]|"
    r"给(?:您|你)带来(?:了)?(?:不便|麻烦|困扰)|我是[^，。！？]{0,10}的?客服|我明白(?:您|你)的(?:情况|心情|问题)|"
    r"请(?:您|你)放心|为(?:您|你)(?:处理|解决|安排)|\bsorry for the inconvenience\b|"
    r"(?:很|非常|十分)?乐意(?:为|帮|协助)(?:您|你)|为(?:您|你)提供(?:帮助|服务|支持)|如果(?:您|你)能(?:详细)?地?描述|"
    r"我(?:能|完全|非常)?理解(?:您|你)的(?:感受|心情|不满)|(?:不满|感受|心情)(?:是|都是)?(?:完全)?可以理解的|"
    r"\bhow (?:can|may) I (?:help|assist) you\b|\bthank you for (?:contacting|your patience)\b|"
    r"\b(?:happy|glad) to (?:help|assist)\b|\bI understand how you feel\b",
    re.IGNORECASE,
)
# Agreeable words an upset customer would not say (small models turn every customer into a pushover).
_AGREEABLE = re.compile(
    r"我(?:能|可以|完全)?理解(?:了|您|你)?|没关系|谢谢(?:您|你)|非常感谢|好的[，,。！!]|辛苦(?:了|您|你)|"
    r"\bI (?:completely |totally )?understand\b|\bno problem\b|\bthank(?:s| you)\b",
    re.IGNORECASE,
)
# The director's note or the prompt's own headings, repeated to the student.
_NOTE_LEAK = re.compile(
    r"导演|【|(?:我|你)之前已经说过[:：]|你现在可以说的事|\[Director|director's note|what you may say now",
    re.IGNORECASE,
)
# A stretch this long (punctuation left out) said again word for word is a repeat, not a customer
# coming back to a point: about a long clause in Chinese, eight words in English.
_COPIED_CHARS = {"zh": 20, "en": 40}
# Said back from the model's own instructions, a much shorter stretch gives it away.
_ECHOED_CHARS = {"zh": 8, "en": 24}
_PUNCTUATION = re.compile(r"[\s，。！？!?,.;；：:、~…“”\"'（）()]+")
_ROLE_PREFIX = re.compile(r"^\s*(?:顾客|客户|客服|Customer|Agent)\s*[:：]", re.IGNORECASE)
# A model that goes on to write the next lines of the chat itself (the agent's, then its own).
_NEXT_SPEAKER = re.compile(r"\n\s*(?:顾客|客户|客服|Customer|Agent)\s*[:：]", re.IGNORECASE)


@dataclass(frozen=True)
class GuardVerdict:
    """Whether a reply may be shown, and why not (``codes`` name the problems for the retry note)."""

    ok: bool
    problems: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


def clean_reply(text: str) -> str:
    """Strip a role prefix, surrounding quotes and whitespace the model may add, and any further lines
    it wrote for the next speakers."""
    text = _ROLE_PREFIX.sub("", text.strip(), count=1).strip()
    text = _NEXT_SPEAKER.split(text, maxsplit=1)[0].strip()
    if len(text) >= 2 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    return text


def max_reply_chars(persona: ComposedPersona, language: Language) -> int:
    """The longest acceptable reply: the persona's length with some slack (English words are longer)."""
    factor = 1.6 if language == "zh" else 4.0
    return int(persona.speech.max_chars * factor)


def check_reply(
    text: str,
    persona: ComposedPersona,
    scenario: ScenarioFile,
    revealed: list[str],
    language: Language,
    *,
    upset: bool = False,
    earlier: Sequence[str] = (),
    cut: bool = False,
) -> GuardVerdict:
    """Check a reply: in character, no AI talk, no coaching, no agent talk, no locked fact, not too long.

    With ``upset`` (the state says the customer is upset now) agreeable, thankful replies are rejected.
    ``earlier`` holds the customer's earlier messages (a reply saying one of them again is rejected);
    ``cut`` says the model stopped at its token budget (the reply was longer than the persona allows).
    """
    found: list[tuple[str, str]] = []
    if not text.strip():
        found.append(("empty", "empty reply"))
    if _AI_TALK.search(text):
        found.append(("ai_talk", "talks about being an AI or a role-play"))
    if _COACHING.search(text):
        found.append(("coaching", "coaches the student"))
    if _AGENT_TALK.search(text):
        found.append(("agent_talk", "talks like the service agent"))
    if _NOTE_LEAK.search(text) or _echoes_instructions(text, language):
        found.append(("note_leak", "repeats the director's note"))
    if upset and _AGREEABLE.search(text):
        found.append(("agreeable", "too agreeable for a customer who is upset now"))
    lowered = text.lower()
    for fact in scenario.hidden_facts:
        if fact.fact_id in revealed:
            continue
        leaked = [word for word in fact.giveaway if word.lower() in lowered]
        if leaked:
            found.append(("locked_fact", f"tells locked fact {fact.fact_id} ({leaked[0]})"))
    if any(_same(text, before, language) for before in earlier):
        found.append(("repeat", "says an earlier message again"))
    limit = max_reply_chars(persona, language)
    if len(text) > limit or cut:
        found.append(
            ("too_long", f"too long for this customer ({len(text)} > {limit} characters{', cut' if cut else ''})")
        )
    return GuardVerdict(
        ok=not found, problems=tuple(problem for _, problem in found), codes=tuple(dict.fromkeys(c for c, _ in found))
    )


def _echoes_instructions(text: str, language: Language) -> bool:
    """Whether a reply says back a stretch of what the model was told: the director's note (its fixed wording
    and how it words the student's acts), the rewrite note or a rewrite's reasons (from the prompt files)."""
    said = _PUNCTUATION.sub("", text).lower()
    size = _ECHOED_CHARS[language]
    told = _instruction_stretches(language)
    return any(said[start : start + size] in told for start in range(len(said) - size + 1))


@cache
def _instruction_stretches(language: Language) -> frozenset[str]:
    """Every stretch of ``_ECHOED_CHARS`` characters in what the model is told (punctuation dropped)."""
    fixes = cast(dict[str, dict[str, str]], prompt_data("guard_fixes.yaml"))
    acts = cast(dict[str, dict[str, str]], prompt_data("act_words.yaml"))  # a small model once quoted one back
    phrases = [
        *template_phrases(f"customer_turn.{language}.j2"),
        *template_phrases(f"customer_retry.{language}.j2"),
        *(fix[language] for fix in fixes.values()),
        *(act[language] for act in acts.values()),
    ]
    return frozenset().union(*(_stretches(_PUNCTUATION.sub("", p).lower(), _ECHOED_CHARS[language]) for p in phrases))


def _stretches(text: str, size: int) -> set[str]:
    """Every run of ``size`` characters in ``text``: two texts share a stretch of at least ``size`` characters
    word for word exactly when their sets meet (a set lookup per character, where a longest-match search
    against each phrase took most of the guard's time)."""
    return {text[start : start + size] for start in range(len(text) - size + 1)}


def _same(text: str, before: str, language: Language) -> bool:
    """Whether a reply repeats an earlier message: equal, one holding the other, or a long stretch copied
    word for word (punctuation ignored)."""
    a, b = _PUNCTUATION.sub("", text).lower(), _PUNCTUATION.sub("", before).lower()
    if len(a) < 6 or len(b) < 6:
        return False
    if a in b or b in a:
        return True
    return not _stretches(a, _COPIED_CHARS[language]).isdisjoint(_stretches(b, _COPIED_CHARS[language]))
