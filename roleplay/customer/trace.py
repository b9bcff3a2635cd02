"""The customer's hidden state turn by turn, for a teacher trying a persona out."""

from __future__ import annotations

from dataclasses import dataclass

from roleplay.transcript import StateSnapshot, Turn


@dataclass(frozen=True)
class TraceRow:
    """The state after one exchange: what the agent said, the acts the tagger found, the customer's state.

    ``turn`` 0 is the customer's opening (no agent message, no acts).
    """

    turn: int
    agent_text: str
    acts: tuple[str, ...]
    state: StateSnapshot


def state_trace(turns: list[Turn]) -> list[TraceRow]:
    """One row per customer turn that carries a state, paired with the agent message it answered."""
    rows: list[TraceRow] = []
    agent: Turn | None = None
    for turn in turns:
        if turn.role == "agent":
            agent = turn
            continue
        if turn.state is None:
            continue
        acts = tuple(dict.fromkeys(a.act for a in (agent.acts or []))) if agent is not None else ()
        rows.append(TraceRow(len(rows), agent.text if agent is not None else "", acts, turn.state))
        agent = None
    return rows
