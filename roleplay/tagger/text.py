"""Splitting an utterance into sentences and clauses, and the content units used for overlap.

Chat text is messy: no punctuation, ``~`` and emoji as sentence ends, half-width and full-width
marks mixed, English inside Chinese. Every piece keeps its offset in the original utterance so a
label's span is always a verbatim slice of what the student typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest utterance the tagger reads; anything beyond is ignored (a 100 kB paste must not hang).
MAX_CHARS = 4000

_SENTENCE = re.compile(r"[^。！？!?；;\n…~～]+[。！？!?；;\n…~～]*|[。！？!?；;\n…~～]+")
# An English full stop ends a sentence when a space or the end follows (not 3.5 or e.g. inside words).
_EN_STOP = re.compile(r"(?<=[A-Za-z\)\"'])\.(?=\s+|$)")
_CLAUSE = re.compile(r"[^，,：:]+[，,：:]*")  # 、 lists items inside a clause; it does not end one
_QUESTION_MARK = re.compile(r"[？?]")
# Characters that decorate a sentence end without changing it: emoji, kaomoji bits, quotes, spaces.
_TRAILING_DECORATION = re.compile(r"[\s\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d~～…。.!！\"'”’）)\]】>＞^_*·]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Piece:
    """A sentence or clause of the utterance and where it starts."""

    text: str
    start: int

    @property
    def asks(self) -> bool:
        """True when the piece carries a question mark."""
        return bool(_QUESTION_MARK.search(self.text))

    @property
    def core(self) -> str:
        """The piece without its end punctuation and decoration (emoji, ~, quotes)."""
        return _TRAILING_DECORATION.sub("", self.text.rstrip("？?，,、；;：:")).strip()


def sentences(text: str) -> list[Piece]:
    """Split ``text`` into sentences at Chinese and English sentence ends, ``~`` and new lines."""
    pieces: list[Piece] = []
    for match in _SENTENCE.finditer(text):
        chunk, offset = match.group(), match.start()
        cut = 0
        for stop in _EN_STOP.finditer(chunk):
            pieces.append(Piece(chunk[cut : stop.end()], offset + cut))
            cut = stop.end()
        pieces.append(Piece(chunk[cut:], offset + cut))
    return [_strip(p) for p in pieces if p.text.strip() and _has_words(p.text)]


def clauses(sentence: Piece) -> list[Piece]:
    """Split a sentence at commas and colons."""
    out = [Piece(m.group(), sentence.start + m.start()) for m in _CLAUSE.finditer(sentence.text)]
    return [_strip(p) for p in out if _has_words(p.text)] or [sentence]


def is_chinese(text: str) -> bool:
    """True when the text holds any Chinese character."""
    return bool(_CJK.search(text))


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _strip(piece: Piece) -> Piece:
    lead = len(piece.text) - len(piece.text.lstrip())
    return Piece(piece.text.strip(), piece.start + lead)


# A turn made only of these says "I'm listening, go on" (minimal encouragers; DOMAIN.md §3).
_ACKNOWLEDGEMENT = re.compile(
    r"^((mm+|m+-?hm+|mhm|uh-?huh|hmm+|okay|ok|right|yeah|yes|yep|sure|i see|got it|gotcha|all right|alright|oh|ah|wow|"
    r"嗯+|哦+|噢+|喔+|好+|好的|好嘞|行|对|是的|明白|了解|收到|懂了)[\s,，.。!！~～…-]*){1,3}$",
    re.IGNORECASE,
)
_CUSTOMER_ASKS = re.compile(r"[？?]|(吗|么|呢)[\s。！!~～…]*$")


def acknowledgement_only(text: str, customer_before: str | None) -> bool:
    """True when an agent turn only acknowledges ("Mm-hmm." / "嗯嗯") while the customer is telling.

    Such a turn is neither a technique nor a miss: it shows the agent is listening and lets the
    customer go on. It does not count when it answers a customer's question (then it is a non-answer).
    """
    if customer_before is not None and _CUSTOMER_ASKS.search(customer_before.strip()):
        return False
    return bool(_ACKNOWLEDGEMENT.match(text.strip()))
