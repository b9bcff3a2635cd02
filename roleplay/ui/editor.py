"""The teacher's library editor page: file list, code editor with live checks, preview, trial chat, versions.

Layout and wiring only; the handlers are in :mod:`roleplay.ui.editor_handlers`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import gradio as gr

from roleplay.i18n import t
from roleplay.ui.editor_handlers import (
    MESSAGE_LIMIT,
    check_text,
    duplicate_file,
    files_of,
    open_file,
    restore_version,
    save_text,
    send_trial,
    start_trial,
)
from roleplay.ui.editor_model import EditorContext, EditorState, Opened, Saved
from roleplay.ui.editor_view import kind_choices
from roleplay.ui.library_app import LibraryTabRefresh


def build_editor_tab(context: EditorContext, refresh: LibraryTabRefresh | None = None) -> None:
    """Lay out the editor in the current tab and wire its events; call it only behind the teacher gate.

    The gate builds the teacher pages after the password (``gr.render``), so the editor starts unlocked; its
    handlers still refuse a state that was not (defence in depth).

    Args:
        context: the shared editor, trial store and customer model.
        refresh: the library browser to bring up to date after every save.
    """
    lang = context.language

    def tr(key: str, **values: object) -> str:
        return t(key, lang, **values)

    opened = EditorState(teacher=True)
    listed = files_of(context, opened, "persona")
    state = gr.State(opened)
    # Inside gr.render Gradio cannot infer which components take input: every input says so itself.
    gr.Markdown(tr("ui.editor.intro"))
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            kind = gr.Radio(
                kind_choices(lang), value="persona", label=tr("ui.editor.kind"), elem_id="ed-kind", interactive=True
            )
            files = gr.Dropdown(
                listed,
                value=listed[0][1] if listed else None,
                label=tr("ui.editor.file"),
                elem_id="ed-file",
                interactive=True,
            )
            open_button = gr.Button(tr("ui.editor.open"), variant="primary", elem_id="ed-open")
            open_message = gr.Markdown(elem_id="ed-open-message")
            author = gr.Textbox(
                label=tr("ui.editor.author"),
                placeholder=tr("ui.editor.author_placeholder"),
                max_lines=1,
                elem_id="ed-author",
                interactive=True,
            )
        with gr.Column(scale=3, min_width=300):
            checked = gr.Markdown(tr("ui.editor.nothing_open"), elem_id="ed-check")
            code = gr.Code(
                language="yaml",
                label=tr("ui.editor.code"),
                lines=18,
                max_lines=40,
                wrap_lines=True,
                elem_id="ed-code",
                interactive=True,
            )
            with gr.Row():
                check_button = gr.Button(tr("ui.editor.check"), elem_id="ed-check-button", min_width=100)
                save_button = gr.Button(tr("ui.editor.save"), variant="primary", elem_id="ed-save", min_width=100)
            save_message = gr.Markdown(elem_id="ed-save-message")
            with gr.Accordion(tr("ui.editor.preview"), open=False):
                preview = gr.Markdown(elem_id="ed-preview")
            with gr.Accordion(tr("ui.editor.try"), open=False):
                gr.Markdown(tr("ui.editor.try_intro"))
                with gr.Row():
                    customer = gr.Dropdown(
                        [], label=tr("ui.editor.try_customer"), elem_id="ed-try-customer", interactive=True
                    )
                    scenario = gr.Dropdown(
                        [], label=tr("ui.editor.try_scenario"), elem_id="ed-try-scenario", interactive=True
                    )
                start_button = gr.Button(tr("ui.editor.try_start"), elem_id="ed-try-start")
                chatbot = gr.Chatbot(show_label=False, height=320, elem_id="ed-try-chat")
                with gr.Row(equal_height=True):
                    trial_input = gr.Textbox(
                        show_label=False,
                        placeholder=tr("ui.editor.try_message"),
                        max_lines=4,
                        max_length=MESSAGE_LIMIT,
                        scale=5,
                        min_width=160,
                        elem_id="ed-try-input",
                        interactive=True,
                    )
                    send_button = gr.Button(tr("ui.editor.try_send"), scale=1, min_width=72)
                trial_status = gr.Markdown(elem_id="ed-try-status")
                trace = gr.HTML(elem_id="ed-trace")
            with gr.Accordion(tr("ui.editor.versions"), open=False):
                versions = gr.Dropdown([], label=tr("ui.editor.version_list"), elem_id="ed-versions", interactive=True)
                restore_button = gr.Button(tr("ui.editor.restore"), elem_id="ed-restore")
                version_message = gr.Markdown(tr("ui.editor.no_versions"), elem_id="ed-version-message")
            with gr.Accordion(tr("ui.editor.duplicate"), open=False):
                new_id = gr.Textbox(label=tr("ui.editor.new_id"), max_lines=1, elem_id="ed-new-id", interactive=True)
                duplicate_button = gr.Button(tr("ui.editor.duplicate_button"), elem_id="ed-duplicate")
                duplicate_message = gr.Markdown(elem_id="ed-duplicate-message")

    def on_kind(current: EditorState, kind_value: str) -> Any:
        listed = files_of(context, current, kind_value)
        note = "" if listed else tr("ui.editor.no_files")
        return gr.update(choices=listed, value=listed[0][1] if listed else None), note

    def shown_opened(result: Opened, message_box: Any) -> dict[Any, Any]:
        if result.text is None:
            return {state: result.state, message_box: result.error}
        trial = result.trial
        return {
            state: result.state,
            message_box: result.message,
            code: result.text,
            checked: result.check,
            preview: result.preview,
            save_message: "",
            versions: gr.update(choices=result.versions, value=None),
            version_message: "" if result.versions else tr("ui.editor.no_versions"),
            customer: gr.update(choices=trial.customers, value=trial.customer),
            scenario: gr.update(choices=trial.scenarios, value=trial.scenario),
            chatbot: [],
            trace: "",
            trial_status: "",
        }

    def on_open(current: EditorState, relative: str | None, text: str | None) -> dict[Any, Any]:
        return shown_opened(open_file(context, current, relative, text), open_message)

    def on_check(current: EditorState, text: str | None) -> tuple[str, str]:
        result = check_text(context, current, text)
        return result.check, result.preview

    def shown_saved(result: Saved, message_box: Any) -> dict[Any, Any]:
        shown: dict[Any, Any] = {state: result.state}
        if result.check:
            shown |= {checked: result.check, preview: result.preview}
        if result.versions is not None:
            shown |= {versions: gr.update(choices=result.versions, value=None), version_message: ""}
        if result.text is not None:
            shown[code] = result.text
        return shown | {message_box: result.message}

    def on_save(current: EditorState, text: str | None, name: str | None) -> dict[Any, Any]:
        return shown_saved(save_text(context, current, text, name), save_message)

    def on_restore(current: EditorState, version_id: str | None, name: str | None) -> dict[Any, Any]:
        return shown_saved(restore_version(context, current, version_id, name), version_message)

    def on_duplicate(current: EditorState, id_value: str | None, name: str | None, text: str | None) -> Any:
        result = duplicate_file(context, current, id_value, name, text)
        shown = shown_opened(result, duplicate_message)
        if result.text is not None:
            shown[open_message] = ""
        return shown

    def on_files(current: EditorState, kind_value: str) -> Any:
        return gr.update(choices=files_of(context, current, kind_value))

    async def on_start(current: EditorState, text: str | None, who: str | None, where: str | None) -> Any:
        result = await start_trial(context, current, text, who, where)
        shown: dict[Any, Any] = {trial_status: result.status}
        if result.accepted:
            shown |= {chatbot: result.history, trace: result.trace, trial_input: ""}
        return shown

    async def on_send(current: EditorState, text: str | None) -> AsyncIterator[dict[Any, Any]]:
        async for update in send_trial(context, current, text):
            shown: dict[Any, Any] = {trial_status: update.status}
            if update.history:
                shown |= {chatbot: update.history, trace: update.trace}
            if update.accepted:
                shown[trial_input] = ""
            yield shown

    kind.change(on_kind, [state, kind], [files, open_message])
    opened_outputs = [state, code, checked, preview, save_message, versions, version_message]
    opened_outputs += [customer, scenario, chatbot, trace, trial_status]
    open_button.click(on_open, [state, files, code], [*opened_outputs, open_message])
    code.change(on_check, [state, code], [checked, preview], show_progress="hidden", trigger_mode="always_last")
    check_button.click(on_check, [state, code], [checked, preview])
    saved_outputs = [state, checked, preview, versions, version_message, code]
    after_saves = [
        save_button.click(on_save, [state, code, author], [*saved_outputs, save_message]),
        restore_button.click(on_restore, [state, versions, author], saved_outputs),
        duplicate_button.click(
            on_duplicate, [state, new_id, author, code], [*opened_outputs, open_message, duplicate_message]
        ),
    ]
    for event in after_saves:  # the file list's problem marks and the library browser follow the save
        chained = event.then(on_files, [state, kind], files)
        if refresh is not None:
            chained.then(refresh.update, None, refresh.outputs)
    start_button.click(on_start, [state, code, customer, scenario], [chatbot, trace, trial_input, trial_status])
    for trigger in (send_button.click, trial_input.submit):
        trigger(on_send, [state, trial_input], [chatbot, trace, trial_input, trial_status], show_progress="hidden")
