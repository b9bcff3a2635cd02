"""What the editor page works with: the shared context, one teacher's state, and handler results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from roleplay.customer.engine import ChatSession
from roleplay.library import Language
from roleplay.library.editing import LibraryEditor
from roleplay.llm import model_label
from roleplay.settings import Settings
from roleplay.store import SessionStore, open_database
from roleplay.ui.practice_model import PracticeContext
from roleplay.ui.practice_view import ChatMessage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Teachers' trial chats go to their own database, so they never count as students' practice.
TRIALS_DB = "teacher-trials.db"


@dataclass(frozen=True)
class EditorContext:
    """What every teacher's editor shares: the library editor, the trial store, the customer model."""

    settings: Settings
    editor: LibraryEditor
    trials: SessionStore
    customer_model: BaseChatModel | None
    model_name: str

    @property
    def language(self) -> Language:
        """The language of the page."""
        return self.settings.language


def editor_context(practice: PracticeContext) -> EditorContext:
    """The editor for the library the app runs on: a save reloads the app's library holder."""
    settings = practice.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    trials = SessionStore(open_database(f"sqlite:///{(settings.data_dir / TRIALS_DB).as_posix()}"))
    return EditorContext(
        settings=settings,
        editor=LibraryEditor(practice.holder.root, practice.holder),
        trials=trials,
        customer_model=practice.customer_model,
        model_name=model_label(settings, "customer"),
    )


@dataclass
class EditorState:
    """One teacher's editor in this browser tab (kept in ``gr.State``; never shared).

    Attributes:
        teacher: unlocked with the teacher password (set only by the gate's unlock handler).
        relative: the open file (library-relative path), if any.
        saved_text: the open file's text as last read or saved, to tell unsaved changes.
        discard_armed: the teacher was warned about unsaved changes; the next Open discards them.
        trial: the trial chat, if one was started.
    """

    teacher: bool = False
    relative: str | None = None
    saved_text: str = ""
    discard_armed: bool = False
    trial: ChatSession | None = None
    history: list[ChatMessage] = field(default_factory=list)
    busy: bool = False


@dataclass(frozen=True)
class TrialDefaults:
    """The trial chat's choices for the open file."""

    customers: list[tuple[str, str]] = field(default_factory=list)
    customer: str | None = None
    scenarios: list[tuple[str, str]] = field(default_factory=list)
    scenario: str | None = None


@dataclass(frozen=True)
class Opened:
    """A file opened in the editor (or why not: ``error``, with ``text`` None and the editor untouched)."""

    state: EditorState
    error: str = ""
    text: str | None = None
    message: str = ""
    check: str = ""
    preview: str = ""
    versions: list[tuple[str, str]] = field(default_factory=list)
    trial: TrialDefaults = field(default_factory=TrialDefaults)


@dataclass(frozen=True)
class Checked:
    """The live check of the editor's text: located errors or the green note, and the preview."""

    check: str
    preview: str


@dataclass(frozen=True)
class Saved:
    """The outcome of a save or restore: the message, the check, versions; ``text`` when the editor must change."""

    state: EditorState
    message: str
    check: str = ""
    preview: str = ""
    versions: list[tuple[str, str]] | None = None
    text: str | None = None
    saved: bool = False


@dataclass(frozen=True)
class TrialUpdate:
    """The trial chat after each streamed piece: the bubbles, a status line and the state trace."""

    history: list[ChatMessage]
    status: str = ""
    trace: str = ""
    accepted: bool = True
