"""The editor's handlers: open, check, save, restore, duplicate, and the trial chat.

Plain functions over :class:`EditorContext` (shared) and :class:`EditorState` (one per browser tab, in
``gr.State``) returning small result objects; every file operation is done by
:class:`roleplay.library.editing.LibraryEditor`. Each handler refuses unless the state was unlocked
with the teacher password: the page hides the editor until then, and this keeps a direct call to
the app's API from reaching it either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from roleplay.customer.engine import ChatSession
from roleplay.customer.trace import state_trace
from roleplay.i18n import t
from roleplay.library import UnknownPersonaError
from roleplay.library.catalog import Kind
from roleplay.library.editing import Check, EditRefusedError, clean_author
from roleplay.transcript import Student
from roleplay.ui.editor_model import (
    Checked,
    EditorContext,
    EditorState,
    Opened,
    Saved,
    TrialDefaults,
    TrialUpdate,
)
from roleplay.ui.editor_view import (
    check_markdown,
    customer_choices,
    file_choices,
    preview_markdown,
    refusal,
    scenario_choices,
    trace_html,
    trial_customer,
    trial_scenario,
    version_choices,
)
from roleplay.ui.practice_view import ChatMessage, history_copy

MESSAGE_LIMIT = 1000


def files_of(context: EditorContext, state: EditorState, kind: str | None) -> list[tuple[str, str]]:
    """The files of one kind for the file list (label, library-relative path); none before unlocking."""
    if not state.teacher:
        return []
    chosen: Kind = kind if kind in ("persona", "trait", "scenario", "rubric") else "persona"  # type: ignore[assignment]
    return file_choices(context.editor.entries(), chosen, context.language)


def _same_text(shown: str | None, saved: str) -> bool:
    """Whether the editor shows the saved text (the code box drops the final newline)."""
    return (shown or "").strip() == saved.strip()


def _trial_defaults(check: Check, context: EditorContext) -> TrialDefaults:
    lang = context.language
    customer = trial_customer(check)
    return TrialDefaults(
        customers=customer_choices(check.library, lang, customer),
        customer=customer,
        scenarios=scenario_choices(check.library, lang),
        scenario=trial_scenario(check),
    )


def open_file(context: EditorContext, state: EditorState, relative: str | None, editor_text: str | None) -> Opened:
    """Open a file; unsaved changes in the open one are kept unless Open is clicked twice."""
    lang = context.language
    if not state.teacher:
        return Opened(state, t("ui.editor.locked", lang))
    unsaved = state.relative is not None and not _same_text(editor_text, state.saved_text)
    if unsaved and not state.discard_armed:
        state.discard_armed = True
        return Opened(state, t("ui.editor.unsaved", lang, file=state.relative))
    try:
        text = context.editor.read(relative or "")
        check = context.editor.check(relative or "", text)
    except EditRefusedError as exc:
        return Opened(state, refusal(exc, lang))
    opened = EditorState(teacher=True, relative=check.relative, saved_text=text)
    return Opened(
        opened,
        text=text,
        message=t("ui.editor.opened", lang, file=check.relative),
        check=check_markdown(check, context.editor, lang),
        preview=preview_markdown(check, lang),
        versions=version_choices(context.editor.versions(check.relative), lang),
        trial=_trial_defaults(check, context),
    )


def check_text(context: EditorContext, state: EditorState, text: str | None) -> Checked:
    """Check the editor's text against the library without saving (runs on every change)."""
    lang = context.language
    if not state.teacher:
        return Checked(t("ui.editor.locked", lang), "")
    if state.relative is None:
        return Checked(t("ui.editor.nothing_open", lang), "")
    check = context.editor.check(state.relative, text or "")
    return Checked(check_markdown(check, context.editor, lang), preview_markdown(check, lang))


def save_text(context: EditorContext, state: EditorState, text: str | None, author: str | None) -> Saved:
    """Save the editor's text if it is valid (the previous version is kept); the app's library reloads."""
    lang = context.language
    if not state.teacher:
        return Saved(state, t("ui.editor.locked", lang))
    if state.relative is None:
        return Saved(state, t("ui.editor.nothing_open", lang))
    result = context.editor.save(state.relative, text or "", clean_author(author))
    shown = check_markdown(result.check, context.editor, lang)
    preview = preview_markdown(result.check, lang)
    if result.unchanged:
        return Saved(state, t("ui.editor.unchanged", lang), shown, preview)
    if not result.saved or result.version is None:
        return Saved(state, t("ui.editor.not_saved", lang), shown, preview)
    state.saved_text, state.discard_armed = result.version.record.text, False
    at = result.version.record.saved_at.strftime("%H:%M:%S")
    versions = version_choices(context.editor.versions(state.relative), lang)
    return Saved(state, t("ui.editor.saved", lang, file=state.relative, at=at), shown, preview, versions, saved=True)


def restore_version(context: EditorContext, state: EditorState, version_id: str | None, author: str | None) -> Saved:
    """Make a kept version the current text again (a save: the text before it is kept too)."""
    lang = context.language
    if not state.teacher:
        return Saved(state, t("ui.editor.locked", lang))
    if state.relative is None:
        return Saved(state, t("ui.editor.nothing_open", lang))
    if not version_id:
        return Saved(state, t("ui.editor.pick_version", lang))
    try:
        result = context.editor.restore(state.relative, version_id, clean_author(author))
    except EditRefusedError as exc:
        return Saved(state, refusal(exc, lang))
    shown = check_markdown(result.check, context.editor, lang)
    if result.unchanged:
        return Saved(state, t("ui.editor.already_current", lang), shown)
    if not result.saved or result.version is None:
        return Saved(state, t("ui.editor.not_saved", lang), shown)
    text = result.version.record.text
    state.saved_text, state.discard_armed = text, False
    versions = version_choices(context.editor.versions(state.relative), lang)
    message = t("ui.editor.restored", lang, version=version_id)
    preview = preview_markdown(result.check, lang)
    return Saved(state, message, shown, preview, versions, text=text, saved=True)


def duplicate_file(
    context: EditorContext, state: EditorState, new_id: str | None, author: str | None, editor_text: str | None
) -> Opened:
    """Copy the open (saved) file under a new id, save the copy and open it."""
    lang = context.language
    if not state.teacher:
        return Opened(state, t("ui.editor.locked", lang))
    if state.relative is None:
        return Opened(state, t("ui.editor.nothing_open", lang))
    if not _same_text(editor_text, state.saved_text):
        return Opened(state, t("ui.editor.unsaved", lang, file=state.relative))
    try:
        result = context.editor.duplicate(state.relative, new_id or "", clean_author(author))
    except EditRefusedError as exc:
        return Opened(state, refusal(exc, lang))
    if not result.saved:
        problems = check_markdown(result.check, context.editor, lang)
        return Opened(state, f"{t('ui.editor.duplicate_failed', lang, file=result.relative)}\n\n{problems}")
    opened = open_file(context, EditorState(teacher=True), result.relative, None)
    return Opened(
        opened.state,
        text=opened.text,
        message=t("ui.editor.duplicated", lang, file=result.relative),
        check=opened.check,
        preview=opened.preview,
        versions=opened.versions,
        trial=opened.trial,
    )


async def start_trial(
    context: EditorContext, state: EditorState, text: str | None, customer: str | None, scenario_id: str | None
) -> TrialUpdate:
    """Start a trial chat with the customer and scenario as the editor's (unsaved) text makes them."""
    lang = context.language
    if not state.teacher:
        return TrialUpdate([], t("ui.editor.locked", lang), accepted=False)
    if state.relative is None:
        return TrialUpdate([], t("ui.editor.nothing_open", lang), accepted=False)
    library = context.editor.check(state.relative, text or "").library
    scenario = library.scenarios.get(scenario_id or "")
    if scenario is None:
        return TrialUpdate([], t("ui.editor.try_no_scenario", lang), accepted=False)
    try:
        persona = library.persona(customer or "")
    except UnknownPersonaError as exc:
        return TrialUpdate([], t("ui.editor.try_unknown", lang, reason=exc), accepted=False)
    rubric = library.rubrics.get("default") or next(iter(library.rubrics.values()), None)
    session = await ChatSession.start(
        persona=persona,
        scenario=scenario,
        store=context.trials,
        model=context.customer_model,
        model_name=context.model_name,
        language=lang,
        student=Student(name=t("ui.editor.try", lang)),
        extra_redlines=list(rubric.redlines) if rubric else [],
    )
    state.trial = session
    state.history = [ChatMessage(role="assistant", content=turn.text) for turn in session.turns]
    return TrialUpdate(history_copy(state.history), trace=trace_html(state_trace(session.turns), lang))


async def send_trial(context: EditorContext, state: EditorState, text: str | None) -> AsyncIterator[TrialUpdate]:
    """Send the teacher's message in the trial chat; stream the reply, then show the updated trace."""
    lang = context.language
    session = state.trial
    if not state.teacher:
        yield TrialUpdate([], t("ui.editor.locked", lang), accepted=False)
        return
    if session is None:
        yield TrialUpdate([], t("ui.editor.try_need_start", lang), accepted=False)
        return
    trace = trace_html(state_trace(session.turns), lang)
    if state.busy:
        yield TrialUpdate(history_copy(state.history), t("ui.editor.try_busy", lang), trace, accepted=False)
        return
    outcome = t(f"outcome.{session.state.outcome}", lang)
    if session.closed:
        yield TrialUpdate(history_copy(state.history), t("ui.editor.try_closed", lang, outcome=outcome), trace, False)
        return
    message = (text or "").strip()[:MESSAGE_LIMIT]
    if not message:
        yield TrialUpdate(history_copy(state.history), t("ui.editor.try_empty", lang), trace, accepted=False)
        return
    state.busy = True
    notices: list[str] = []
    try:
        state.history.append(ChatMessage(role="user", content=message))
        reply = ChatMessage(role="assistant", content="")
        state.history.append(reply)
        async for event in session.send(message):
            if event.kind == "delta":
                reply["content"] += event.text
            elif event.kind in ("replace", "done"):
                reply["content"] = event.text
            elif event.kind == "notice":
                notices.append(event.text)
            if event.kind != "done":
                yield TrialUpdate(history_copy(state.history), "\n\n".join(notices), trace)
    finally:
        state.busy = False
    if session.closed:
        notices.append(t("ui.editor.try_closed", lang, outcome=t(f"outcome.{session.state.outcome}", lang)))
    yield TrialUpdate(history_copy(state.history), "\n\n".join(notices), trace_html(state_trace(session.turns), lang))
