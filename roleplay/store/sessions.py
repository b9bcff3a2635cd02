"""Saving sessions turn by turn, and reading them back as transcripts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from roleplay.acts import TaggedAct
from roleplay.library.common import Language, Outcome
from roleplay.store.schema import SessionRow, TurnRow
from roleplay.transcript import StateSnapshot, Student, Transcript, Turn, TypeGuess
from roleplay.transcript.model import Role


class NewSession(BaseModel):
    """What is known when a session starts."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    persona: str
    scenario: str
    rubric: str | None = None
    student: Student | None = None
    model: str
    language: Language = "zh"
    seed: int = 0
    started_at: datetime
    assignment_id: str | None = None


T = TypeVar("T")
# Built once: the statement a chat turn is saved with (its values come as parameters).
_INSERT_TURN = insert(TurnRow.metadata.tables[TurnRow.__tablename__])


class SessionNotFoundError(KeyError):
    """No session with that id."""


class SessionStore:
    """Sessions and turns in the database. Each call is its own short transaction.

    Async code calls through :meth:`run`, which uses the store's own worker threads: one for SQLite
    (a single writer never waits on SQLite's lock, whose busy handler sleeps in steps of milliseconds),
    several for a server database such as PostgreSQL. A chat turn's own writes go through
    :meth:`run_quick` instead.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inline = engine.dialect.name == "sqlite"
        workers = 1 if self._inline else 8
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="roleplay-store")

    async def run(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a store method (or any call using the database) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers, partial(call, *args, **kwargs))

    async def run_quick(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a short write (one chat message) the fastest way for this database.

        On SQLite it runs right here on the event loop: the write takes under a millisecond of CPU,
        while handing it to a worker thread made it wait for the interpreter lock behind the busy
        event loop, up to 5 ms per hand-over and several hand-overs per write (with a class of 60 that
        was most of a chat turn's own time, ``bench/turn_overhead.py``). A server database answers over
        the network, so there it goes to the worker threads like :meth:`run`.
        """
        if self._inline:
            return call(*args, **kwargs)
        return await self.run(call, *args, **kwargs)

    def create(self, new: NewSession) -> None:
        """Record a new session."""
        student = new.student or Student()
        row = SessionRow(
            session_id=new.session_id,
            persona=new.persona,
            scenario=new.scenario,
            rubric=new.rubric,
            student_name=student.name,
            student_id=student.student_id,
            class_name=student.class_name,
            model=new.model,
            language=new.language,
            seed=new.seed,
            started_at=new.started_at,
            outcome="ongoing",
            assignment_id=new.assignment_id,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)

    def add_turn(
        self,
        session_id: str,
        role: Role,
        text: str,
        at: datetime,
        voice: str | None = None,
        *,
        acts: list[TaggedAct] | None = None,
        state: StateSnapshot | None = None,
        outcome: Outcome | None = None,
        position: int | None = None,
    ) -> int:
        """Append a message (with its acts or the state after it) and return its position (0-based).

        One transaction, committed before this returns; ``outcome`` also records the session's outcome.
        A caller that knows the next ``position`` (a live chat does) saves a query; the table's unique
        (session, position) key still refuses a clash.
        """
        # Plain SQL statements, not the ORM's unit of work: a chat turn writes two of these, and the ORM's
        # flush was a tenth of the web app's CPU with a class of 60 (bench/class_load.py).
        with self.engine.begin() as connection:
            if position is None or outcome is not None:
                found = connection.scalar(select(SessionRow.session_id).where(SessionRow.session_id == session_id))
                if found is None:
                    raise SessionNotFoundError(session_id)
                if outcome is not None:
                    connection.execute(
                        update(SessionRow).where(SessionRow.session_id == session_id).values(outcome=outcome)
                    )
            if position is None:
                last = connection.scalar(select(func.max(TurnRow.position)).where(TurnRow.session_id == session_id))
                position = 0 if last is None else last + 1
            connection.execute(
                _INSERT_TURN,
                {
                    "session_id": session_id,
                    "position": position,
                    "role": role,
                    "text": text,
                    "created_at": at,
                    "voice": voice,
                    "acts": None if acts is None else [act.model_dump() for act in acts],
                    "state": None if state is None else state.model_dump(),
                },
            )
        return position

    def annotate(
        self,
        session_id: str,
        position: int,
        *,
        acts: list[TaggedAct] | None = None,
        state: StateSnapshot | None = None,
    ) -> None:
        """Store the tagger's acts on an agent turn or the state after a customer turn."""
        with Session(self.engine) as session, session.begin():
            row = session.scalars(
                select(TurnRow).where(TurnRow.session_id == session_id, TurnRow.position == position)
            ).one()
            if acts is not None:
                row.acts = [act.model_dump() for act in acts]
            if state is not None:
                row.state = state.model_dump()

    def finish(self, session_id: str, outcome: Outcome, at: datetime, guess: TypeGuess | None = None) -> None:
        """Mark the session ended (the outcome and the student's guess of the customer type)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            row.outcome = outcome
            row.ended_at = at
            if guess is not None:
                row.guess = guess.model_dump()

    def set_outcome(self, session_id: str, outcome: Outcome) -> None:
        """Record the outcome while the session may still be open."""
        with Session(self.engine) as session, session.begin():
            row = session.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            row.outcome = outcome

    def session_ids(self) -> list[str]:
        """Every session's id, oldest first."""
        with Session(self.engine) as session:
            return list(session.scalars(select(SessionRow.session_id).order_by(SessionRow.started_at)))

    def seed_of(self, session_id: str) -> int:
        """The session's random seed (for rebuilding the offline voice)."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            return row.seed

    def assignment_of(self, session_id: str) -> str | None:
        """The assignment the session was started for, if any."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            return row.assignment_id

    def transcript(self, session_id: str) -> Transcript:
        """The session as a transcript (metadata, turns, acts, states)."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, session_id)
            if row is None:
                raise SessionNotFoundError(session_id)
            turns = [
                Turn(
                    role=turn.role,
                    text=turn.text,
                    timestamp=turn.created_at,
                    acts=[TaggedAct.model_validate(a) for a in turn.acts] if turn.acts is not None else None,
                    state=StateSnapshot.model_validate(turn.state) if turn.state is not None else None,
                )
                for turn in row.turns
            ]
            student = Student(name=row.student_name, student_id=row.student_id, class_name=row.class_name)
            return Transcript(
                session_id=row.session_id,
                persona=row.persona,
                scenario=row.scenario,
                rubric=row.rubric,
                student=student if student != Student() else None,
                model=row.model,
                language=row.language,
                started_at=row.started_at,
                ended_at=row.ended_at,
                guess=TypeGuess.model_validate(row.guess) if row.guess else None,
                outcome=row.outcome,
                turns=turns,
            )
