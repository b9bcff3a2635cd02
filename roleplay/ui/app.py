"""The web app: the student practice tab first, then the library browser; one factory builds it all."""

from __future__ import annotations

import hmac
from typing import Any

import gradio as gr

from roleplay.i18n import t
from roleplay.library import Library
from roleplay.settings import Settings
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
                build_teacher_gate(settings, library, context)
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


def build_teacher_gate(settings: Settings, library: Library, context: PracticeContext | None = None) -> None:
    """The teacher pages open only with the teacher password (the library shows customer types and hidden facts).

    ``unlocked`` is kept on the server (``gr.State``): the Review handlers check it, so a page that
    never typed the password gets nothing from them even by calling their endpoints directly.
    """
    lang = settings.language
    unlocked = gr.State(False)
    with gr.Column(visible=True) as gate:
        gr.Markdown(t("ui.teacher.intro", lang))
        if settings.teacher_password is None:
            gr.Markdown(t("ui.teacher.unset", lang))
            return
        password = gr.Textbox(label=t("ui.teacher.password", lang), type="password", max_lines=1)
        button = gr.Button(t("ui.teacher.open", lang))
        message = gr.Markdown()
    with gr.Column(visible=False) as content, gr.Tabs():
        with gr.Tab(t("ui.practice.tab_library", lang), elem_id="tab-teacher-library"):
            build_library_tab(settings, library, note_key="ui.practice.library_note")
        if context is not None:
            with gr.Tab(t("ui.review.tab", lang), elem_id="tab-review"):
                build_review_tab(context, unlocked)

    def unlock(value: str) -> tuple[Any, Any, str, bool]:
        opened, note = teacher_unlock(value, settings)
        return gr.update(visible=not opened), gr.update(visible=opened), note, opened

    button.click(unlock, inputs=password, outputs=[gate, content, message, unlocked])
    password.submit(unlock, inputs=password, outputs=[gate, content, message, unlocked])


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
