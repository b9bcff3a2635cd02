"""The offline voice: persona-true customer lines chosen from the line banks by state and act.

No model is called. The same state machine drives this voice and the LLM voice, so the offline
customer reacts to technique exactly as the LLM one does; only the wording is simpler.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from roleplay.customer.state import CustomerState, TurnEffect
from roleplay.library.common import Language, LineSituation, Text
from roleplay.library.compose import ComposedPersona
from roleplay.library.scenario import ScenarioFile

# Student moves a customer takes offence at, whatever the numbers say.
PROVOKING_TRIGGERS = frozenset({"redline", "blame"})


def situation_for(state: CustomerState, effect: TurnEffect | None) -> LineSituation:
    """Which kind of line fits the customer's state after the agent's turn."""
    if state.outcome == "resolved":
        return "satisfied"
    if state.outcome == "walked_out":
        return "walk_out"
    if state.outcome == "escalated":
        return "escalate"
    if effect is None:
        return "opening"
    if effect.manipulation:
        return "annoyed_by_trick"
    if effect.solution_offered:
        return "doubting" if state.trust < 5 else "upset"
    if state.emotion >= 8.5:
        return "furious"
    calming = sum(change.shift.emotion for change in effect.changes)
    if calming >= 1 or PROVOKING_TRIGGERS & set(effect.triggers):
        # Provoked this turn (an insult, blame, being kept waiting): never "calmer" or "pleased" after it.
        return "furious" if state.emotion >= 7 else "upset"
    warming = sum(change.shift.trust + change.shift.openness for change in effect.changes)
    if state.openness < 3:
        return "reluctant"
    if calming <= -1:
        return "calmer"
    if state.emotion >= 6:
        return "upset"
    if warming >= 1:
        return "pleased"
    if state.trust < 4:
        return "doubting"
    return "calmer" if state.emotion >= 3 else "pleased"


# When a bank has no line for a situation, these situations are tried next, in order.
_FALLBACK: dict[LineSituation, tuple[LineSituation, ...]] = {
    "opening": ("upset", "doubting", "reluctant"),
    "upset": ("furious", "doubting", "reluctant"),
    "furious": ("upset", "escalate"),
    "calmer": ("pleased", "doubting", "upset"),
    "pleased": ("calmer", "satisfied"),
    "doubting": ("upset", "reluctant", "calmer"),
    "reluctant": ("doubting", "calmer", "upset"),
    "annoyed_by_trick": ("upset", "doubting"),
    "walk_out": ("escalate", "furious"),
    "escalate": ("walk_out", "furious"),
    "satisfied": ("pleased", "calmer"),
}


class OfflineVoice:
    """Chooses lines deterministically for a seed, avoiding repeats within a session."""

    def __init__(self, persona: ComposedPersona, scenario: ScenarioFile, language: Language, seed: int) -> None:
        self.persona = persona
        self.scenario = scenario
        self.language = language
        self.seed = seed
        self.random = random.Random(seed)
        self.used: set[str] = set()

    def replay(self, said: str) -> None:
        """Remember a line said before a restart, so it is not repeated after a resume."""
        self.used.add(said)
        banks = [*self.scenario.opening, *(t for ts in self.scenario.lines.values() for t in ts)]
        banks += [t for ts in self.persona.lines.values() for t in ts]
        self.used.update(t.get(self.language) for t in banks if t.get(self.language) in said)

    def reseed(self, turns: int) -> None:
        """Continue a resumed session deterministically: the same saved chat always goes on the same way."""
        self.random = random.Random(self.seed * 1000 + turns)

    def opening(self) -> str:
        """The customer's first message: one of the scenario's openings."""
        return self._pick(self.scenario.opening)

    def reply(self, state: CustomerState, effect: TurnEffect) -> str:
        """The customer's answer after an agent turn, telling any fact revealed this turn."""
        situation = situation_for(state, effect)
        line = self.line(situation, state.revealed)
        facts = [f for f in self.scenario.hidden_facts if f.fact_id in effect.revealed]
        if facts and state.outcome == "ongoing":
            told = " ".join(self._say(fact.says or fact.text) for fact in facts)
            if situation in ("reluctant", "doubting", "upset", "furious") or state.openness < 3:
                return told  # a guarded customer tells the fact and no more
            return f"{line} {told}".strip()
        return line

    def line(self, situation: LineSituation, revealed: Sequence[str] = ()) -> str:
        """A line for ``situation`` from the scenario's bank first, then the persona's.

        Lines that hold the giveaway words of a fact not yet revealed are skipped (a scenario line
        such as "a trial size? great" only fits once that fact is out).
        """
        locked = [w.casefold() for f in self.scenario.hidden_facts if f.fact_id not in revealed for w in f.giveaway]
        for candidate in (situation, *_FALLBACK[situation]):
            texts = [*self.scenario.lines.get(candidate, []), *self.persona.lines.get(candidate, [])]
            texts = [t for t in texts if not any(w in t.get(self.language).casefold() for w in locked)]
            if texts:
                return self._pick(texts)
        return "……" if self.language == "zh" else "..."

    def _say(self, text: Text) -> str:
        return text.get(self.language)

    def _pick(self, texts: Sequence[Text]) -> str:
        fresh = [text for text in texts if text.get(self.language) not in self.used] or list(texts)
        choice = self.random.choice(fresh).get(self.language)
        self.used.add(choice)
        return choice
