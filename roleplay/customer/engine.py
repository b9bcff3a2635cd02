"""One practice session: the student's message in, the customer's reply out, nothing ever lost.

Per message: persist -> tag -> update the hidden state -> voice (model or offline) -> guard ->
persist -> end check. The state and the fact gates are decided here in code; the voice only writes
the words.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from roleplay.acts import TaggedAct
from roleplay.customer.guard import check_reply, clean_reply, max_reply_chars
from roleplay.customer.offline import OfflineVoice, situation_for
from roleplay.customer.prompt import build_messages, retry_messages, system_prompt, turn_note
from roleplay.customer.state import CustomerState, TurnEffect, apply_turn
from roleplay.library.common import Language
from roleplay.library.compose import ComposedPersona
from roleplay.library.scenario import ScenarioFile
from roleplay.store import NewSession, SessionStore
from roleplay.tagger import ContextTurn, tag
from roleplay.transcript import StateSnapshot, Student, Transcript, Turn, TypeGuess

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

# An agent reply slower than this after the customer spoke fires the persona's ``slow_reply`` reaction.
SLOW_REPLY_SECONDS = 120.0
# How many earlier turns the tagger sees (restatements refer back to what the customer said).
TAGGER_CONTEXT_TURNS = 20
_MODEL_DOWN = {
    "zh": "（提示：模型暂时无法回复，本条由离线剧本代答，对话可以继续。）",
    "en": "(Note: the model could not answer; this reply comes from the offline script. You can go on.)",
}

# A customer message is one paragraph: a blank line or a bracket means the model went on to echo its
# note or to write the chat's next lines (seen on small models). OpenAI-compatible APIs take up to 4.
REPLY_STOP = ["\n\n", "【", "[Director"]

EventKind = Literal["delta", "replace", "notice", "done"]


@dataclass(frozen=True)
class ChatEvent:
    """What the student sees, as it happens: streamed text, a replacement, a notice, the end of a turn."""

    kind: EventKind
    text: str = ""


class SessionClosedError(RuntimeError):
    """The session has ended; no more messages are taken."""


class ChatSession:
    """A student's chat with one customer. Create with :meth:`start` or :meth:`resume`."""

    def __init__(
        self,
        *,
        session_id: str,
        persona: ComposedPersona,
        scenario: ScenarioFile,
        store: SessionStore,
        model: BaseChatModel | None,
        language: Language,
        seed: int,
        extra_redlines: list[str],
    ) -> None:
        self.session_id = session_id
        self.persona = persona
        self.scenario = scenario
        self.store = store
        self.model = model
        self.language = language
        self.state = CustomerState.start(persona)
        self.offline = OfflineVoice(persona, scenario, language, seed)
        self.extra_redlines = [*scenario.redlines, *extra_redlines]
        self.turns: list[Turn] = []
        self.system = system_prompt(persona, scenario, language)
        self.guard_failures = 0
        self.model_failures = 0
        self._pending: tuple[str, TurnEffect] | None = None

    @classmethod
    async def start(
        cls,
        *,
        persona: ComposedPersona,
        scenario: ScenarioFile,
        store: SessionStore,
        model: BaseChatModel | None,
        model_name: str,
        language: Language = "zh",
        seed: int | None = None,
        rubric: str | None = None,
        student: Student | None = None,
        extra_redlines: list[str] | None = None,
        now: datetime | None = None,
        assignment_id: str | None = None,
    ) -> ChatSession:
        """Open a new session (for an assignment, when given) and record the customer's opening message."""
        session_id = str(uuid.uuid4())
        seed = seed if seed is not None else uuid.UUID(session_id).int % 1_000_000
        session = cls(
            session_id=session_id,
            persona=persona,
            scenario=scenario,
            store=store,
            model=model,
            language=language,
            seed=seed,
            extra_redlines=extra_redlines or [],
        )
        at = now or datetime.now()
        new = NewSession(
            session_id=session_id,
            persona=persona.persona_id,
            scenario=scenario.scenario_id,
            rubric=rubric,
            student=student,
            model=model_name,
            language=language,
            seed=seed,
            started_at=at,
            assignment_id=assignment_id,
        )
        await store.run_quick(store.create, new)
        opening = session.offline.opening()
        await session._record("customer", opening, at, voice="script", state=session.snapshot())
        return session

    @classmethod
    async def resume(
        cls,
        session_id: str,
        *,
        persona: ComposedPersona,
        scenario: ScenarioFile,
        store: SessionStore,
        model: BaseChatModel | None,
        extra_redlines: list[str] | None = None,
    ) -> ChatSession:
        """Rebuild a session after a restart: the state is replayed from the saved turns exactly."""
        transcript = await store.run(store.transcript, session_id)
        seed = await store.run(store.seed_of, session_id)
        session = cls(
            session_id=session_id,
            persona=persona,
            scenario=scenario,
            store=store,
            model=model,
            language=transcript.language,
            seed=seed,
            extra_redlines=extra_redlines or [],
        )
        last_customer_at: datetime | None = None
        effect: TurnEffect | None = None
        for position, turn in enumerate(transcript.turns):
            if turn.role == "agent":
                if turn.acts is None:  # stopped between saving the message and tagging it
                    result = tag(turn.text, _context(session.turns), extra_redlines=session.extra_redlines)
                    turn.acts = list(result.acts)
                    await store.run(store.annotate, session_id, position, acts=turn.acts)
                labels = {a.act for a in turn.acts}
                slow = _is_slow(last_customer_at, turn.timestamp)
                effect = apply_turn(session.state, persona, scenario, labels, turn.text, slow=slow)
            else:
                last_customer_at = turn.timestamp
                session.offline.replay(turn.text)
            session.turns.append(turn)
        session.offline.reseed(len(transcript.turns))
        if transcript.turns and transcript.turns[-1].role == "agent" and effect is not None:
            session._pending = (transcript.turns[-1].text, effect)
        if transcript.outcome and transcript.outcome != "ongoing":
            session.state.outcome = transcript.outcome
        return session

    @property
    def closed(self) -> bool:
        """Whether the chat has ended (resolved, walked out, escalated, or ended by the student)."""
        return self.state.outcome != "ongoing"

    def snapshot(self) -> StateSnapshot:
        """The state as saved on customer turns."""
        return StateSnapshot(**self.state.values(), revealed=list(self.state.revealed), outcome=self.state.outcome)

    async def send(self, text: str, now: datetime | None = None) -> AsyncIterator[ChatEvent]:
        """Take the student's message and stream the customer's reply.

        The message is saved before anything else happens, so it survives any model or process
        failure.

        Raises:
            SessionClosedError: the session has already ended.
        """
        if self.closed:
            raise SessionClosedError(self.session_id)
        text = text.strip()
        at = now or datetime.now()
        last_customer = next((t for t in reversed(self.turns) if t.role == "customer"), None)
        # Tagging is pure and fast; the message and its labels are saved together before the model is called.
        result = tag(text, _context(self.turns), extra_redlines=self.extra_redlines)
        await self._record("agent", text, at, acts=list(result.acts))

        slow = _is_slow(last_customer.timestamp if last_customer else None, at)
        effect = apply_turn(self.state, self.persona, self.scenario, result.labels, text, slow=slow)
        async for event in self._reply(text, effect, now):
            yield event

    async def keep_unanswered(self, text: str, now: datetime | None = None) -> None:
        """Save (and tag) the student's message without a customer reply: it came after the time limit.

        The customer's state does not move; the message is in the transcript and counts in grading.

        Raises:
            SessionClosedError: the session has already ended.
        """
        if self.closed:
            raise SessionClosedError(self.session_id)
        text = text.strip()
        result = tag(text, _context(self.turns), extra_redlines=self.extra_redlines)
        await self._record("agent", text, now or datetime.now(), acts=list(result.acts))

    async def answer_pending(self) -> AsyncIterator[ChatEvent]:
        """Answer the student's last message if the process stopped before the customer replied.

        After :meth:`resume`, ``pending`` is true when the saved chat ends with the student's message;
        this streams the customer's answer to it exactly as :meth:`send` would have.
        """
        if self._pending is None:
            return
        text, effect = self._pending
        self._pending = None
        async for event in self._reply(text, effect, None):
            yield event

    @property
    def pending(self) -> bool:
        """True when the student's last message has not been answered yet (see :meth:`answer_pending`)."""
        return self._pending is not None

    async def _reply(self, text: str, effect: TurnEffect, now: datetime | None) -> AsyncIterator[ChatEvent]:
        """The customer's answer to the student's message ``text``: model voice, else offline; saved."""
        reply = ""
        voice = "script"
        if self.model is not None:
            async for event in self._model_reply(text, effect):
                if event.kind == "done":
                    reply, voice = event.text, "model"
                else:
                    yield event
        if not reply:
            reply = self.offline.reply(self.state, effect)
            yield ChatEvent("replace", reply)
        await self._record(
            "customer", reply, datetime.now() if now is None else now, voice=voice, state=self.snapshot()
        )
        yield ChatEvent("done", reply)

    async def _model_reply(self, text: str, effect: TurnEffect) -> AsyncIterator[ChatEvent]:
        """Stream a model reply; regenerate once if the guard rejects it; give up quietly to offline."""
        assert self.model is not None
        situation = situation_for(self.state, effect)
        note = turn_note(text, self.persona, self.scenario, self.state, effect, situation, self.language)
        messages = build_messages(self.system, self.turns[:-1], note, self.language)
        upset = situation in ("upset", "furious", "doubting", "annoyed_by_trick", "walk_out", "escalate")
        budget = reply_token_budget(self.persona, self.language)
        earlier = [t.text for t in self.turns if t.role == "customer"]
        for attempt in range(2):
            parts: list[str] = []
            cut = False
            try:
                async for chunk in self.model.astream(messages, stop=REPLY_STOP, max_tokens=budget):
                    cut = cut or chunk.response_metadata.get("finish_reason") == "length"
                    piece = chunk.content if isinstance(chunk.content, str) else ""
                    if piece:
                        parts.append(piece)
                        if attempt == 0:
                            yield ChatEvent("delta", piece)
            except Exception as exc:  # the client already retried with backoff
                self.model_failures += 1
                log.warning("customer model failed (%s); offline line used", type(exc).__name__)
                yield ChatEvent("notice", _MODEL_DOWN[self.language])
                return
            reply = clean_reply("".join(parts))
            verdict = check_reply(
                reply,
                self.persona,
                self.scenario,
                self.state.revealed,
                self.language,
                upset=upset,
                earlier=earlier,
                cut=cut,
            )
            if verdict.ok:
                if attempt == 1 or reply != "".join(parts):
                    yield ChatEvent("replace", reply)
                yield ChatEvent("done", reply)
                return
            self.guard_failures += 1
            log.info("reply rejected by the guard: %s", "; ".join(verdict.problems))
            messages = retry_messages(messages, verdict.codes, self.persona, self.language)
        # Two rejected replies: the caller falls back to an offline line (replacing what was streamed).

    async def end(self, guess: TypeGuess | None = None, now: datetime | None = None) -> Transcript:
        """End the chat (by the student unless it already ended) and return the transcript."""
        if not self.closed:
            self.state.outcome = "ended_by_student"
        await self.store.run(self.store.finish, self.session_id, self.state.outcome, now or datetime.now(), guess)
        return await self.store.run(self.store.transcript, self.session_id)

    async def _record(
        self,
        role: Literal["agent", "customer"],
        text: str,
        at: datetime,
        *,
        voice: str | None = None,
        acts: list[TaggedAct] | None = None,
        state: StateSnapshot | None = None,
    ) -> int:
        outcome = state.outcome if state is not None and state.outcome != "ongoing" else None
        position = await self.store.run_quick(
            self.store.add_turn,
            self.session_id,
            role,
            text,
            at,
            voice,
            acts=acts,
            state=state,
            outcome=outcome,
            position=len(self.turns),
        )
        self.turns.append(Turn(role=role, text=text, timestamp=at, state=state, acts=acts))
        return position


def reply_token_budget(persona: ComposedPersona, language: Language) -> int:
    """The most tokens a customer reply may take: a little over what the guard accepts, so an
    over-long reply is still seen (and rejected) whole, while a runaway one stops early."""
    chars = max_reply_chars(persona, language)
    # About 1.5 Chinese characters or 4 English ones per token in the tokenizers of current models.
    return chars * 2 // 3 + 8 if language == "zh" else chars // 3 + 8


def _context(turns: list[Turn]) -> list[ContextTurn]:
    return [ContextTurn(role=t.role, text=t.text) for t in turns[-TAGGER_CONTEXT_TURNS:]]


def _is_slow(customer_at: datetime | None, agent_at: datetime | None) -> bool:
    if customer_at is None or agent_at is None:
        return False
    return (agent_at - customer_at).total_seconds() > SLOW_REPLY_SECONDS
