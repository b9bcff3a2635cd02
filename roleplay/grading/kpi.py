"""Customer-service KPIs from a transcript's timestamps (DOMAIN.md §7)."""

from __future__ import annotations

from statistics import mean

from pydantic import BaseModel, ConfigDict

from roleplay.transcript import Transcript

MIN_TYPING_SECONDS = 2.0


class Kpis(BaseModel):
    """The figures a shop measures its agents by; None where the transcript has no timestamps."""

    model_config = ConfigDict(frozen=True)

    agent_messages: int
    customer_messages: int
    qa_ratio: float | None  # agent messages / customer messages (问答比)
    first_response_seconds: float | None  # customer's first message to the agent's first reply
    average_response_seconds: float | None  # mean time from a customer message to the agent's reply
    typing_chars_per_minute: float | None  # agent characters per minute of reply time
    duration_seconds: float | None
    agent_chars: int


def compute_kpis(transcript: Transcript) -> Kpis:
    """KPIs of one transcript. Response times pair each agent message with the customer message before it."""
    agent = transcript.agent_turns()
    customer = transcript.customer_turns()
    waits: list[float] = []
    typed: list[tuple[int, float]] = []
    last_customer = None
    for turn in transcript.turns:
        if turn.role == "customer":
            last_customer = turn
        elif last_customer is not None and last_customer.timestamp and turn.timestamp:
            seconds = (turn.timestamp - last_customer.timestamp).total_seconds()
            if seconds >= 0:
                waits.append(seconds)
                if seconds >= MIN_TYPING_SECONDS:  # faster than this was pasted or scripted, not typed
                    typed.append((len(turn.text), seconds))
            last_customer = None
    stamps = [t.timestamp for t in transcript.turns if t.timestamp]
    duration = (max(stamps) - min(stamps)).total_seconds() if len(stamps) > 1 else None
    typing_time = sum(seconds for _, seconds in typed)
    return Kpis(
        agent_messages=len(agent),
        customer_messages=len(customer),
        qa_ratio=round(len(agent) / len(customer), 2) if customer else None,
        first_response_seconds=round(waits[0], 1) if waits else None,
        average_response_seconds=round(mean(waits), 1) if waits else None,
        typing_chars_per_minute=round(sum(c for c, _ in typed) / typing_time * 60, 1) if typing_time > 0 else None,
        duration_seconds=round(duration, 1) if duration is not None else None,
        agent_chars=sum(len(t.text) for t in agent),
    )
