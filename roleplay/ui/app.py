"""The web app: the student practice tab first, then the library browser; one factory builds it all."""

from __future__ import annotations

import hmac
from typing import Any

import gradio as gr

from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
from roleplay.ui.assignments import build_assignments_tab
from roleplay.ui.editor import build_editor_tab
from roleplay.ui.editor_model import editor_context
from roleplay.ui.library_app import build_library_tab, mode_banner
from roleplay.ui.practice import build_practice_tab
from roleplay.ui.practice_model import PracticeContext, practice_context
from roleplay.ui.practice_view import PRACTICE_CSS
from roleplay.ui.review import build_review_tab

# One instance serves a class: Gradio's default of 1 would make 60 students wait for each other's model calls.
CONCURRENCY_LIMIT = 64


def build_app(settings: Settings, context: PracticeContext | None = None) -> gr.Blocks:
    """Build the whole app from settings: the library is loaded and the database opened once, here.

    Args:
        settings: resolved settings (library, data directory, database, model, language).
        context: the practice tab's shared parts, when the caller built them already (tests).

    Returns:
        The Blocks, queued for a class; serve it with :func:`launch`.
    """
    lang = settings.language
    library = context.library if context is not None else Library.load(settings.library_dir)
    context = context or practice_context(settings, library)
    demo = gr.Blocks(title=t("ui.title", lang))
    with demo:
        gr.Markdown(f"# {t('ui.title', lang)}")
        gr.Markdown(mode_banner(settings), elem_id="mode-banner")
        with gr.Tabs():
            with gr.Tab(t("ui.practice.tab", lang), elem_id="tab-practice"):
                build_practice_tab(context)
            with gr.Tab(t("ui.practice.tab_library", lang), elem_id="tab-library"):
                build_teacher_gate(settings, context)
    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT)
    return demo


def teacher_unlock(password: str, settings: Settings) -> tuple[bool, str]:
    """Whether ``password`` opens the teacher pages, and what to tell the user."""
    lang = settings.language
    if settings.teacher_password is None:
        return False, t("ui.teacher.unset", lang)
    expected = settings.teacher_password.get_secret_value().encode()
    if password and hmac.compare_digest(password.encode(), expected):
        return True, ""
    return False, t("ui.teacher.wrong", lang)


def build_teacher_gate(settings: Settings, context: PracticeContext) -> None:
    """The teacher pages (customer types, hidden facts, the class's work) exist only after the password.

    They are built by ``gr.render`` once this browser session has unlocked: before that, neither the
    page nor the app's API holds any of their components or handlers, so a student cannot reach them
    by hiding and showing elements or by calling the API directly.
    """
    lang = settings.language
    unlocked = gr.State(False)
    with gr.Column(visible=True) as gate:
        gr.Markdown(t("ui.teacher.intro", lang))
        if settings.teacher_password is None:
            gr.Markdown(t("ui.teacher.unset", lang))
            return
        password = gr.Textbox(label=t("ui.teacher.password", lang), type="password", max_lines=1)
        button = gr.Button(t("ui.teacher.open", lang), elem_id="teacher-open")
        message = gr.Markdown()

    @gr.render(inputs=unlocked)  # type: ignore[untyped-decorator]  # gradio leaves it untyped
    def teacher_pages(opened: bool) -> None:
        if not opened:
            return
        with gr.Tabs() as pages:
            with gr.Tab(t("ui.editor.tab_browse", lang), elem_id="tab-library-browse"):
                refresh = build_library_tab(settings, context.holder, note_key="ui.editor.library_note")
            with gr.Tab(t("ui.editor.tab", lang), elem_id="tab-library-edit"):
                build_editor_tab(editor_context(context), refresh)
            with gr.Tab(t("ui.assign.tab", lang), elem_id="tab-assignments") as assignments_tab:
                build_assignments_tab(context, assignments_tab)
            with gr.Tab(t("ui.review.tab", lang), elem_id="tab-review") as review_tab:
                build_review_tab(context, unlocked, review_tab)
        _inputs_interactive(pages)

    def unlock(value: str) -> tuple[bool, Any, str]:
        opened, note = teacher_unlock(value, settings)
        return opened, gr.update(visible=not opened), note

    for trigger in (button.click, password.submit):
        trigger(unlock, inputs=password, outputs=[unlocked, gate, message], api_visibility="private")


# Components a teacher types into or picks from; tables (gr.Dataframe) stay read-only unless they say otherwise.
_INPUT_TYPES = (
    gr.Textbox,
    gr.Dropdown,
    gr.Radio,
    gr.Checkbox,
    gr.CheckboxGroup,
    gr.Number,
    gr.DateTime,
    gr.Code,
    gr.File,
)


def _inputs_interactive(block: gr.blocks.BlockContext) -> None:
    """Make every input-type component under ``block`` interactive unless it says otherwise.

    Inside ``gr.render`` Gradio does not infer which components take input, so they would all be disabled.
    """
    for child in block.children:
        if isinstance(child, _INPUT_TYPES) and child.interactive is None:
            child.interactive = True
        if isinstance(child, gr.blocks.BlockContext):
            _inputs_interactive(child)


def launch(demo: gr.Blocks, settings: Settings, *, port: int | None = None, prevent_thread_lock: bool = False) -> None:
    """Serve the app on the configured host and port (no outside calls, no Node server-side rendering)."""
    demo.launch(
        server_name=settings.host,
        server_port=port or settings.port,
        ssr_mode=False,
        css=PRACTICE_CSS,
        allowed_paths=[str(settings.data_dir.resolve())],
        prevent_thread_lock=prevent_thread_lock,
        quiet=prevent_thread_lock,
    )
