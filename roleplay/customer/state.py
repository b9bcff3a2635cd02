"""The customer's hidden state and its deterministic update from the student's tagged acts.

The state, the fact gates and the end conditions live here, in code: the model that writes the
customer's words never decides how the customer feels or what they reveal.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from roleplay.acts import QUESTION_ACTS, QUESTION_STREAK_AT
from roleplay.acts import SUBSTANTIVE_ACTS as _SUBSTANTIVE
from roleplay.library.common import STATE_FIELDS, Outcome, StateShift
from roleplay.library.compose import ComposedPersona
from roleplay.library.scenario import HiddenFact, RevealCondition, ScenarioFile

# A "feelings first" rule every customer shares (DOMAIN.md §3, 气愤型): while emotion is this high and
# the agent has not yet acknowledged the feeling, moves that would calm the customer count only this much.
HIGH_EMOTION = 7.0
UNHEARD_CALMING_FACTOR = 0.25


class StateChange(BaseModel):
    """One recorded move of the state, with the act that caused it."""

    model_config = ConfigDict(frozen=True)

    agent_turn: int
    trigger: str
    shift: StateShift
    note: str | None = None


class TurnEffect(BaseModel):
    """What one agent turn did to the customer: moves, newly revealed facts, the solution's fate."""

    model_config = ConfigDict(frozen=True)

    triggers: list[str]
    changes: list[StateChange]
    revealed: list[str] = Field(default_factory=list)
    solution_offered: bool = False
    solution_accepted: bool = False
    manipulation: bool = False
    outcome: Outcome = "ongoing"


class CustomerState(BaseModel):
    """The hidden state of one session (0-10 scales) and what the engine needs to remember."""

    emotion: float
    trust: float
    patience: float
    openness: float
    revealed: list[str] = Field(default_factory=list)
    outcome: Outcome = "ongoing"
    agent_turns: int = 0
    question_streak: int = 0
    feeling_heard: bool = False
    acts_used: list[str] = Field(default_factory=list)
    history: list[StateChange] = Field(default_factory=list)

    @classmethod
    def start(cls, persona: ComposedPersona) -> CustomerState:
        """The state at the start of a session with ``persona``."""
        return cls(**persona.initial_state.model_dump())

    def values(self) -> dict[str, float]:
        """The four 0-10 values."""
        return {name: getattr(self, name) for name in STATE_FIELDS}


def turn_triggers(labels: Iterable[str], state: CustomerState, slow: bool = False) -> list[str]:
    """The triggers one agent turn fires: its acts plus the turn events it causes."""
    acts = sorted(set(labels))
    triggers = list(acts)
    if not acts:
        triggers.append("no_technique")
    asks = any(act in QUESTION_ACTS for act in acts)
    only_asks = asks and not (set(acts) & _SUBSTANTIVE)
    if only_asks and state.question_streak + 1 >= QUESTION_STREAK_AT:
        triggers.append("question_streak")
    if slow:
        triggers.append("slow_reply")
    return triggers


def apply_turn(
    state: CustomerState,
    persona: ComposedPersona,
    scenario: ScenarioFile,
    labels: Iterable[str],
    text: str,
    *,
    slow: bool = False,
) -> TurnEffect:
    """Update ``state`` in place for one agent message and say what happened.

    Args:
        state: the session's state (changed in place).
        persona: the composed customer.
        scenario: the case, for fact gates and success conditions.
        labels: the tagger's act names for the message.
        text: the message itself (reveal conditions match keywords in it).
        slow: the agent took too long to answer (fires ``slow_reply``).
    """
    labels = set(labels)
    state.agent_turns += 1
    turn = state.agent_turns
    if "manipulation" in labels:
        # Attempts to break the role-play change nothing but the customer's annoyance.
        changes = _apply(state, persona, ["manipulation"], turn)
        state.outcome = _end_by_state(state, persona, scenario)
        return TurnEffect(triggers=["manipulation"], changes=changes, manipulation=True, outcome=state.outcome)

    triggers = turn_triggers(labels, state, slow)
    asks = any(act in QUESTION_ACTS for act in labels)
    state.question_streak = state.question_streak + 1 if asks and not (labels & _SUBSTANTIVE) else 0
    changes = _apply(state, persona, triggers, turn)
    if "restate_feeling" in labels:
        state.feeling_heard = True
    state.acts_used = sorted(set(state.acts_used) | labels)

    revealed = reveal_now(state, persona, scenario, labels, text)
    state.revealed.extend(revealed)

    offered = "solution" in labels
    accepted = offered and solution_acceptable(state, persona, scenario)
    if accepted:
        state.outcome = "resolved"
    else:
        state.outcome = _end_by_state(state, persona, scenario)
    return TurnEffect(
        triggers=triggers,
        changes=changes,
        revealed=revealed,
        solution_offered=offered,
        solution_accepted=accepted,
        outcome=state.outcome,
    )


def _apply(state: CustomerState, persona: ComposedPersona, triggers: list[str], turn: int) -> list[StateChange]:
    changes = []
    for trigger in triggers:
        reaction = persona.reactions.get(trigger)
        if reaction is None or reaction.shift.is_zero():
            continue
        shift = reaction.shift
        note = None
        unheard = not state.feeling_heard and trigger != "restate_feeling"
        if unheard and state.emotion >= HIGH_EMOTION and shift.emotion < 0:
            shift = shift.model_copy(update={"emotion": round(shift.emotion * UNHEARD_CALMING_FACTOR, 2)})
            note = "feelings not yet acknowledged: calming counts a quarter"
        for name in STATE_FIELDS:
            value = getattr(state, name) + getattr(shift, name)
            setattr(state, name, round(max(0.0, min(10.0, value)), 2))
        change = StateChange(agent_turn=turn, trigger=trigger, shift=shift, note=note)
        state.history.append(change)
        changes.append(change)
    return changes


def condition_holds(
    condition: RevealCondition, state: CustomerState, labels: set[str], text: str, shift: float
) -> bool:
    """Whether one reveal condition holds now (``shift`` raises trust/openness thresholds)."""
    lowered = text.lower()
    if condition.asked_about and not any(word.lower() in lowered for word in condition.asked_about):
        return False
    if condition.question == "any" and not labels & set(QUESTION_ACTS):
        return False
    if condition.question not in (None, "any") and f"question_{condition.question}" not in labels:
        return False
    if condition.act is not None and condition.act not in labels:
        return False
    if condition.trust_at_least is not None and state.trust < min(10.0, condition.trust_at_least + shift):
        return False
    if condition.openness_at_least is not None and state.openness < min(10.0, condition.openness_at_least + shift):
        return False
    if condition.emotion_at_most is not None and state.emotion > condition.emotion_at_most:
        return False
    return not (condition.after_agent_turns is not None and state.agent_turns < condition.after_agent_turns)


def reveal_now(
    state: CustomerState, persona: ComposedPersona, scenario: ScenarioFile, labels: set[str], text: str
) -> list[str]:
    """The hidden fact to tell this turn: at most one, the first whose condition holds."""
    shift = persona.scaling.reveal_shift
    for fact in scenario.hidden_facts:
        if fact.fact_id in state.revealed:
            continue
        if any(condition_holds(c, state, labels, text, shift) for c in fact.reveal):
            return [fact.fact_id]
    return []


def allowed_facts(state: CustomerState, scenario: ScenarioFile) -> list[HiddenFact]:
    """The hidden facts the customer may mention now (those revealed so far)."""
    return [fact for fact in scenario.hidden_facts if fact.fact_id in state.revealed]


def solution_acceptable(state: CustomerState, persona: ComposedPersona, scenario: ScenarioFile) -> bool:
    """Whether the customer accepts a concrete solution now: calm and trusting enough, case understood."""
    success = scenario.success
    trust_needed = max(success.trust_at_least, persona.scaling.accept_trust_at_least)
    emotion_allowed = min(success.emotion_at_most, persona.scaling.accept_emotion_at_most)
    return (
        state.trust >= trust_needed
        and state.emotion <= emotion_allowed
        and all(fact_id in state.revealed for fact_id in success.requires_facts)
        and all(act in state.acts_used for act in success.requires_acts)
    )


def _end_by_state(state: CustomerState, persona: ComposedPersona, scenario: ScenarioFile) -> Outcome:
    if state.emotion >= scenario.failure.escalate_emotion_at_least:
        return "escalated"
    if state.patience <= 0:
        return "escalated" if persona.on_patience_out.action == "escalate" else "walked_out"
    return "ongoing"
