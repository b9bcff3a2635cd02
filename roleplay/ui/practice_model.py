"""What the practice tab works with: the shared context, one student's state, and handler results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roleplay.assignment import Assignment
from roleplay.customer.engine import ChatSession
from roleplay.grading.judge import Judge
from roleplay.library import Language, Library
from roleplay.library.holder import LibraryHolder
from roleplay.llm import chat_model, model_label
from roleplay.settings import Settings
from roleplay.store import SessionStore, database_url, open_database
from roleplay.store.assignments import AssignmentStore
from roleplay.transcript import Student
from roleplay.ui.practice_view import ChatMessage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class PracticeContext:
    """What every student session shares, built once when the app starts.

    The library is read through ``holder`` on every request, so a teacher's saved edit reaches the
    next chat without a restart.
    """

    settings: Settings
    holder: LibraryHolder
    store: SessionStore
    customer_model: BaseChatModel | None
    judge: Judge | None
    downloads_dir: Path

    @property
    def library(self) -> Library:
        """The library as last saved (take it once per request and use that one throughout)."""
        return self.holder.current

    @property
    def language(self) -> Language:
        """The language of the UI, the customer and the report."""
        return self.settings.language

    @property
    def rubric_id(self) -> str | None:
        """The rubric practice chats are graded with: ``default`` if there is one, else the first."""
        if "default" in self.library.rubrics:
            return "default"
        return min(self.library.rubrics, default=None)

    @property
    def assignments(self) -> AssignmentStore:
        """The teachers' assignments, in the same database (call through ``store.run`` from async code)."""
        return AssignmentStore(self.store.engine)


def practice_context(settings: Settings, library: Library) -> PracticeContext:
    """Open the database and build the model clients (None in offline mode) for the practice tab."""
    store = SessionStore(open_database(database_url(settings.data_dir, settings.database_url)))
    grader = chat_model(settings, "grader")
    judge = None if grader is None else Judge(grader, model_label(settings, "grader"), settings.judge_method)
    return PracticeContext(
        settings=settings,
        holder=LibraryHolder(library),
        store=store,
        customer_model=chat_model(settings, "customer"),
        judge=judge,
        downloads_dir=settings.data_dir / "downloads",
    )


@dataclass
class PracticeState:
    """One student's progress in this browser tab (kept in ``gr.State``; never shared)."""

    student: Student | None = None
    session: ChatSession | None = None
    ended_at: datetime | None = None
    busy: bool = False
    history: list[ChatMessage] = field(default_factory=list)
    assignment: Assignment | None = None
    deadline: datetime | None = None  # the assignment's time limit: later messages are saved, then the chat ends


@dataclass(frozen=True)
class SignIn:
    """The result of signing in: the student, or the reason why not."""

    state: PracticeState
    error: str = ""
    greeting: str = ""


@dataclass(frozen=True)
class Started:
    """A chat that has begun (the customer's opening in ``history``), or the reason why not."""

    state: PracticeState
    error: str = ""
    title: str = ""
    brief: str = ""
    timer_key: str = ""
    countdown: str = ""


@dataclass(frozen=True)
class ChatUpdate:
    """What the chat shows after each streamed piece of the customer's reply."""

    history: list[ChatMessage]
    status: str = ""
    timer_key: str = ""
    waiting: bool = False
    closed: bool = False
    accepted: bool = True


@dataclass(frozen=True)
class Graded:
    """The graded report (HTML to embed, summary line, downloadable files), or the reason why not."""

    error: str = ""
    summary: str = ""
    frame: str = ""
    report_file: Path | None = None
    transcript_file: Path | None = None
