"""The student practice tab: sign in, pick a scenario and a customer, chat, guess the type, get the report.

The handlers are plain (async) functions over :class:`PracticeContext` (read-only, built once) and
:class:`PracticeState` (one per browser session, kept in ``gr.State``); they return small result
objects. :func:`build_practice_tab` only lays out components and maps those results onto them.
Everything a session does goes through the customer engine, the store and the grader.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import gradio as gr

from roleplay.assignment import class_code_problem
from roleplay.customer.engine import ChatSession
from roleplay.grading.grade import grade_transcript
from roleplay.grading.render import render_html
from roleplay.i18n import t
from roleplay.library import UnknownPersonaError
from roleplay.llm import model_label
from roleplay.transcript import Student, TypeGuess
from roleplay.ui.history import build_history_panel, keep_report
from roleplay.ui.practice_assign import (
    assignment_picker,
    countdown_timer,
    my_assignments,
    past_deadline,
    start_assignment,
    time_up,
)
from roleplay.ui.practice_model import ChatUpdate, Graded, PracticeContext, PracticeState, SignIn, Started
from roleplay.ui.practice_view import (
    LOCK_INPUT,
    RANDOM_CUSTOMER,
    SCROLL_TO_REPORT,
    UNLOCK_INPUT,
    ChatMessage,
    brief_markdown,
    closed_text,
    customer_choices,
    guess_choices,
    history_copy,
    report_frame,
    report_summary,
    response_timer,
    scenario_brief,
    scenario_choices,
    suggested_personas,
    timer_key,
    write_downloads,
)

log = logging.getLogger(__name__)

NAME_LIMIT = 50
NUMBER_LIMIT = 30
MESSAGE_LIMIT = 1000
# Streamed text is shown at most this often: the reply still grows on screen, a few words at a time, but
# each update costs the server a round of Gradio's output processing (about 3-5 ms of CPU), and a provider
# sending one token at a time would otherwise flood a class's server with them.
STREAM_INTERVAL = 0.25
CHAT_ON, CHAT_OVER = "on", "over"
_NUMBER = re.compile(rf"[A-Za-z0-9_-]{{1,{NUMBER_LIMIT}}}")


def sign_in(
    context: PracticeContext,
    state: PracticeState,
    name: str | None,
    number: str | None,
    class_code: str | None = None,
) -> SignIn:
    """Check the name, student number and the optional class code; on success the student is kept in the state.

    The class code is saved as the student's class on every session and picks the class's assignments.
    """
    lang = context.language
    name, number, code = (name or "").strip(), (number or "").strip(), (class_code or "").strip()
    if not name:
        return SignIn(state, t("ui.practice.need_name", lang))
    if len(name) > NAME_LIMIT or not name.isprintable():
        return SignIn(state, t("ui.practice.name_too_long", lang, limit=NAME_LIMIT))
    if not number:
        return SignIn(state, t("ui.practice.need_number", lang))
    if not _NUMBER.fullmatch(number):
        return SignIn(state, t("ui.practice.bad_number", lang, limit=NUMBER_LIMIT))
    if code and (refused := class_code_problem(code)) is not None:
        return SignIn(state, t("ui.assign.signin_problem", lang, problem=refused.text(lang)))
    signed = PracticeState(student=Student(name=name, student_id=number, class_name=code or None))
    greeting = t("ui.practice.hello", lang, name=name, number=number)
    if code:
        greeting += t("ui.assign.hello_class", lang, code=code)
    return SignIn(signed, greeting=greeting)


async def start_chat(
    context: PracticeContext,
    state: PracticeState,
    scenario_id: str | None,
    customer: str | None,
    rng: random.Random | None = None,
) -> Started:
    """Open a session with the chosen (or a randomly drawn) customer; the opening line is in the history."""
    lang = context.language
    library = context.library  # one library for the whole request, even if a teacher saves meanwhile
    if state.student is None:
        return Started(state, t("ui.practice.need_signin", lang))
    scenario = library.scenarios.get(scenario_id or "")
    if scenario is None:
        return Started(state, t("ui.practice.unknown_scenario", lang, scenario=scenario_id or "-"))
    rubric_id = context.rubric_id
    if rubric_id is None:
        return Started(state, t("ui.practice.no_rubric", lang))
    spec = customer or ""
    if spec == RANDOM_CUSTOMER:
        pool = suggested_personas(library, scenario.scenario_id) or sorted(library.personas)
        if not pool:
            return Started(state, t("ui.practice.no_customers", lang))
        spec = (rng or random.SystemRandom()).choice(pool)
    try:
        persona = library.persona(spec)
    except UnknownPersonaError as exc:
        return Started(state, t("ui.practice.unknown_customer", lang, customer=spec or "-", reason=exc))
    session = await ChatSession.start(
        persona=persona,
        scenario=scenario,
        store=context.store,
        model=context.customer_model,
        model_name=model_label(context.settings, "customer"),
        language=lang,
        rubric=rubric_id,
        student=state.student,
        extra_redlines=list(library.rubrics[rubric_id].redlines),
    )
    history = [ChatMessage(role="assistant", content=turn.text) for turn in session.turns]
    started = PracticeState(student=state.student, session=session, history=history)
    title = t("ui.practice.chat_title", lang, scenario=scenario.title.get(lang), customer=persona.name.get(lang))
    return Started(started, title=title, brief=brief_markdown(scenario, lang), timer_key=timer_key(session))


async def send_message(context: PracticeContext, state: PracticeState, text: str | None) -> AsyncIterator[ChatUpdate]:
    """Send the student's message and stream the customer's reply into the history.

    The engine saves the message before the model is called; if the model fails, its notice is shown
    in ``status`` and the offline script answers, so the chat goes on.
    """
    lang = context.language
    session = state.session
    if session is None:
        yield ChatUpdate([], t("ui.practice.no_session", lang), accepted=False)
        return
    if state.busy:
        yield ChatUpdate(history_copy(state.history), t("ui.practice.busy", lang), waiting=True, accepted=False)
        return
    if session.closed or state.ended_at is not None:
        yield ChatUpdate(history_copy(state.history), closed_text(session, lang), closed=True, accepted=False)
        return
    if past_deadline(state):  # the assignment's time limit: the message is saved, then the chat ends
        yield await time_up(context, state, text)
        return
    message = (text or "").strip()
    if not message or len(message) > MESSAGE_LIMIT:
        problem = (
            t("ui.practice.empty_message", lang)
            if not message
            else t("ui.practice.too_long", lang, limit=MESSAGE_LIMIT)
        )
        yield ChatUpdate(history_copy(state.history), problem, timer_key(session), accepted=False)
        return
    state.busy = True
    try:
        state.history.append(ChatMessage(role="user", content=message))
        reply = ChatMessage(role="assistant", content="")
        state.history.append(reply)
        notices: list[str] = []
        yield ChatUpdate(history_copy(state.history), waiting=True)
        shown_at = 0.0
        async for event in session.send(message):
            if event.kind == "delta":
                reply["content"] += event.text
            elif event.kind in ("replace", "done"):
                reply["content"] = event.text
            elif event.kind == "notice":
                notices.append(event.text)
            now = time.monotonic()
            if event.kind in ("replace", "notice") or (event.kind == "delta" and now - shown_at >= STREAM_INTERVAL):
                shown_at = now
                yield ChatUpdate(history_copy(state.history), "\n\n".join(notices), waiting=True)
    finally:
        state.busy = False
    status = "\n\n".join(notices)
    if session.closed:  # the customer ended it (resolved, walked out, escalated): saved as ended now
        state.ended_at = datetime.now()
        await session.end(None, now=state.ended_at)
        status = "\n\n".join([*notices, closed_text(session, lang)])
        yield ChatUpdate(history_copy(state.history), status, closed=True)
        return
    yield ChatUpdate(history_copy(state.history), status, timer_key(session))


async def end_chat(context: PracticeContext, state: PracticeState) -> str:
    """End the chat on the student's request (saved at once); returns the status line, or why not."""
    lang = context.language
    session = state.session
    if session is None:
        return t("ui.practice.no_session", lang)
    if state.busy:
        return t("ui.practice.busy", lang)
    if state.ended_at is None:
        state.ended_at = datetime.now()
        await session.end(None, now=state.ended_at)
    return closed_text(session, lang)


async def submit_guess(
    context: PracticeContext, state: PracticeState, behaviour: str | None, style: str | None
) -> Graded:
    """Record the student's guess, grade the chat and write the report (HTML) and transcript (JSON)."""
    lang = context.language
    library = context.library
    session = state.session
    if session is None:
        return Graded(t("ui.practice.no_session", lang))
    if state.ended_at is None:
        return Graded(t("ui.practice.not_ended", lang))
    if not behaviour or not style:
        return Graded(t("ui.practice.need_guess", lang))
    for axis, value in (("behaviour", behaviour), ("style", style)):
        if value not in {trait_id for _, trait_id in guess_choices(library, axis, lang)}:
            return Graded(t("ui.practice.unknown_guess", lang, value=value))
    transcript = await session.end(TypeGuess(behaviour=behaviour, style=style), now=state.ended_at)
    rubric = library.rubrics.get(transcript.rubric or context.rubric_id or "")
    if rubric is None:
        return Graded(t("ui.practice.no_rubric", lang))
    try:
        report = await grade_transcript(transcript, rubric, library=library, judge=context.judge)
    except Exception as exc:  # the chat is saved; a teacher can grade it again with `roleplay grade`
        log.exception("grading session %s failed", session.session_id)
        return Graded(t("ui.practice.grade_failed", lang, error=type(exc).__name__))
    page = render_html(report)
    folder = context.downloads_dir / session.session_id
    prefix = f"{state.student.student_id if state.student else 'student'}-{session.session_id[:8]}"
    report_file, transcript_file = folder / f"{prefix}-report.html", folder / f"{prefix}-transcript.json"
    await asyncio.to_thread(write_downloads, page, report_file, transcript, transcript_file)
    summary = report_summary(report, lang)
    if not await keep_report(context, session.session_id, report):  # the student still gets the report
        summary += "\n\n" + t("ui.history.not_saved", lang)
    return Graded(
        summary=summary,
        frame=report_frame(page, t("ui.practice.report_frame", lang)),
        report_file=report_file,
        transcript_file=transcript_file,
    )


def practise_again(state: PracticeState) -> PracticeState:
    """A fresh state for the same student (back to choosing a scenario)."""
    return PracticeState(student=state.student)


def build_practice_tab(context: PracticeContext) -> None:
    """Lay out the practice tab in the current Blocks (call inside ``with gr.Tab(...)``) and wire its events.

    Args:
        context: the shared, read-only library, settings, store and model clients.
    """
    lang = context.language

    def tr(key: str, **values: object) -> str:
        return t(key, lang, **values)

    scenarios = scenario_choices(context.library, lang)
    first = scenarios[0][1] if scenarios else None
    behaviours, styles = (guess_choices(context.library, axis, lang) for axis in ("behaviour", "style"))
    state = gr.State(PracticeState())

    with gr.Column(visible=True) as signin_box:
        gr.Markdown(tr("ui.practice.signin_intro"))
        with gr.Row():
            name = gr.Textbox(label=tr("ui.practice.name"), max_lines=1, elem_id="rp-name")
            number = gr.Textbox(label=tr("ui.practice.student_number"), max_lines=1, elem_id="rp-number")
            class_code = gr.Textbox(
                label=tr("ui.assign.class_code"),
                placeholder=tr("ui.assign.class_code_hint"),
                max_lines=1,
                elem_id="rp-class",
            )
        signin_button = gr.Button(tr("ui.practice.signin"), variant="primary", elem_id="rp-signin")
        signin_message = gr.Markdown(elem_id="rp-signin-message")

    with gr.Column(visible=False) as setup_box:
        greeting = gr.Markdown()
        picker = assignment_picker(lang)
        with gr.Row():
            # Wide enough that on a phone the two stack instead of cutting the scenario titles short.
            scenario = gr.Dropdown(
                scenarios, value=first, label=tr("ui.practice.scenario"), min_width=300, elem_id="rp-scenario"
            )
            customer = gr.Dropdown(
                customer_choices(context.library, lang, first),
                value=RANDOM_CUSTOMER,
                label=tr("ui.practice.customer"),
                min_width=300,
                elem_id="rp-customer",
            )
        start_button = gr.Button(tr("ui.practice.start"), variant="primary", elem_id="rp-start")
        setup_message = gr.Markdown()
        build_history_panel(context, state)
        with gr.Accordion(tr("ui.practice.brief"), open=True):
            preview = gr.Markdown(scenario_brief(context.library, lang, first), elem_id="rp-preview")

    with gr.Column(visible=False) as chat_box:
        title = gr.Markdown()
        with gr.Row(elem_id="rp-chat-row"):
            with gr.Column(scale=3, min_width=300):
                chatbot = gr.Chatbot(
                    label=tr("ui.practice.chat_label"),
                    show_label=False,
                    height=460,
                    buttons=["copy"],
                    elem_id="rp-chatbot",
                )
                with gr.Row():
                    timer = response_timer(lang)
                    countdown = countdown_timer(lang)
                with gr.Row(equal_height=True) as input_row:
                    message = gr.Textbox(
                        label=tr("ui.practice.message"),
                        show_label=False,
                        placeholder=tr("ui.practice.placeholder"),
                        max_lines=4,
                        max_length=MESSAGE_LIMIT,
                        scale=5,
                        min_width=160,
                        elem_id="rp-chat-input",
                    )
                    send_button = gr.Button(
                        tr("ui.practice.send"), variant="primary", scale=1, min_width=72, elem_id="rp-send"
                    )
                status = gr.Markdown(elem_id="rp-status")
                # Turns to CHAT_OVER when the customer ends the chat; its change event then shows the guess.
                chat_over = gr.Textbox(CHAT_ON, visible="hidden", elem_id="rp-chat-over")
                end_button = gr.Button(tr("ui.practice.end"), variant="stop", elem_id="rp-end")
                with gr.Column(visible=False) as guess_box:
                    gr.Markdown(tr("ui.practice.guess_intro"))
                    with gr.Row():
                        behaviour = gr.Dropdown(behaviours, value=None, label=tr("ui.practice.guess_behaviour"))
                        style = gr.Dropdown(styles, value=None, label=tr("ui.practice.guess_style"))
                    guess_button = gr.Button(tr("ui.practice.guess_submit"), variant="primary", elem_id="rp-guess")
                    guess_message = gr.Markdown()
            with gr.Column(scale=2, min_width=280), gr.Accordion(tr("ui.practice.brief"), open=True):
                brief = gr.Markdown()

    with gr.Column(visible=False) as report_box:
        summary = gr.Markdown(elem_id="rp-summary")
        with gr.Row():
            report_download = gr.DownloadButton(tr("ui.practice.download_report"), elem_id="rp-download-report")
            transcript_download = gr.DownloadButton(
                tr("ui.practice.download_transcript"), elem_id="rp-download-transcript"
            )
            again_button = gr.Button(tr("ui.practice.again"), elem_id="rp-again")
        report = gr.HTML(elem_id="rp-report")

    async def assignments_shown(current: PracticeState) -> dict[Any, Any]:
        return picker.shown(await my_assignments(context, current))

    async def on_sign_in(current: PracticeState, name_value: str, number_value: str, code: str) -> dict[Any, Any]:
        result = sign_in(context, current, name_value, number_value, code)
        ok = not result.error
        shown = {
            state: result.state,
            signin_message: result.error,
            greeting: result.greeting,
            signin_box: gr.update(visible=not ok),
            setup_box: gr.update(visible=ok),
        }
        if ok:  # the lists as the library is now: a teacher may have saved a new scenario or customer
            library = context.library
            listed = scenario_choices(library, lang)
            chosen = listed[0][1] if listed else None
            shown |= {
                scenario: gr.update(choices=listed, value=chosen),
                customer: gr.update(choices=customer_choices(library, lang, chosen), value=RANDOM_CUSTOMER),
                preview: scenario_brief(library, lang, chosen),
                behaviour: gr.update(choices=guess_choices(library, "behaviour", lang)),
                style: gr.update(choices=guess_choices(library, "style", lang)),
            }
        return shown | (await assignments_shown(result.state) if ok else {})

    def on_scenario(scenario_id: str | None) -> dict[Any, Any]:
        return {
            customer: gr.update(choices=customer_choices(context.library, lang, scenario_id), value=RANDOM_CUSTOMER),
            preview: scenario_brief(context.library, lang, scenario_id),
        }

    def started_view(result: Started, message_box: Any) -> dict[Any, Any]:
        if result.error:
            return {state: result.state, message_box: result.error}
        return {
            state: result.state,
            message_box: "",
            setup_box: gr.update(visible=False),
            chat_box: gr.update(visible=True),
            title: result.title,
            brief: result.brief,
            chatbot: list(result.state.history),
            timer: result.timer_key,
            countdown: result.countdown,
            status: "",
            input_row: gr.update(visible=True),
            message: "",
            end_button: gr.update(visible=True),
            chat_over: CHAT_ON,
        }

    async def on_start(current: PracticeState, scenario_id: str | None, customer_value: str | None) -> dict[Any, Any]:
        return started_view(await start_chat(context, current, scenario_id, customer_value), setup_message)

    async def on_start_assignment(current: PracticeState, assignment_id: str | None) -> dict[Any, Any]:
        return started_view(await start_assignment(context, current, assignment_id), picker.message)

    async def on_send(current: PracticeState, text: str) -> AsyncIterator[dict[Any, Any]]:
        # Every output gets a plain value on every update: an output left out (or a gr.update) makes Gradio
        # rebuild that component, which was most of a class's server time while replies stream in (the page
        # locks the box itself: LOCK_INPUT). The values are already in the page's form (the event has
        # postprocess=False): otherwise Gradio converts each output of each update in a worker thread, 5
        # hand-overs per update that wait for the interpreter lock behind the busy event loop.
        async for update in send_message(context, current, text):
            history: Any = update.history  # our ChatMessage dicts are Gradio's message dicts
            yield {
                chatbot: chatbot.postprocess(history).model_dump(),
                status: status.postprocess(update.status),
                timer: update.timer_key,
                message: "" if update.accepted else text,  # a message not taken stays in the box
                chat_over: CHAT_OVER if update.closed else CHAT_ON,
            }

    def closed_view() -> dict[Any, Any]:
        """The chat is over: no more messages; the type guess comes next."""
        return {
            timer: "",
            countdown: "",
            input_row: gr.update(visible=False),
            end_button: gr.update(visible=False),
            guess_box: gr.update(visible=True),
        }

    def on_chat_over(marker: str) -> dict[Any, Any]:
        return closed_view() if marker == CHAT_OVER else gr.skip()

    async def on_end(current: PracticeState) -> dict[Any, Any]:
        text = await end_chat(context, current)
        if current.ended_at is None:  # not ended (still answering, or no chat)
            return {status: text}
        return {status: text} | closed_view()

    async def on_guess(
        current: PracticeState, behaviour_value: str | None, style_value: str | None
    ) -> AsyncIterator[dict[Any, Any]]:
        yield {guess_message: tr("ui.practice.grading")}
        result = await submit_guess(context, current, behaviour_value, style_value)
        if result.error:
            yield {guess_message: result.error}
            return
        yield {
            guess_message: "",
            chat_box: gr.update(visible=False),
            guess_box: gr.update(visible=False),
            report_box: gr.update(visible=True),
            summary: result.summary,
            report: result.frame,
            report_download: gr.update(value=str(result.report_file)),
            transcript_download: gr.update(value=str(result.transcript_file)),
        }

    async def on_again(current: PracticeState) -> dict[Any, Any]:
        fresh = practise_again(current)
        return await assignments_shown(fresh) | {
            state: fresh,
            report_box: gr.update(visible=False),
            guess_box: gr.update(visible=False),
            setup_box: gr.update(visible=True),
            chatbot: [],
            report: "",
            behaviour: None,
            style: None,
            guess_message: "",
        }

    listed = [picker.listing, picker.choice, picker.start, picker.message]
    signin_outputs = [state, signin_message, greeting, signin_box, setup_box, scenario, customer, preview]
    signin_outputs += [behaviour, style, *listed]
    for trigger in (signin_button.click, name.submit, number.submit, class_code.submit):
        trigger(on_sign_in, [state, name, number, class_code], signin_outputs)
    picker.refresh.click(assignments_shown, state, listed)
    scenario.change(on_scenario, scenario, [customer, preview])
    start_outputs = [state, setup_box, chat_box, title, brief, chatbot, timer, countdown, status]
    start_outputs += [input_row, message, end_button, chat_over]
    start_button.click(on_start, [state, scenario, customer], [*start_outputs, setup_message])
    picker.start.click(on_start_assignment, [state, picker.choice], [*start_outputs, picker.message])
    for trigger in (send_button.click, message.submit):
        trigger(None, js=LOCK_INPUT)
        sent = trigger(
            on_send,
            [state, message],
            [chatbot, status, timer, message, chat_over],
            show_progress="hidden",
            postprocess=False,
        )
        sent.then(None, js=UNLOCK_INPUT)
    closed_outputs = [timer, countdown, input_row, end_button, guess_box]
    chat_over.change(on_chat_over, chat_over, closed_outputs, show_progress="hidden")
    end_button.click(on_end, state, [status, *closed_outputs])
    guess_outputs = [guess_message, chat_box, guess_box, report_box, summary, report, report_download]
    graded = guess_button.click(on_guess, [state, behaviour, style], [*guess_outputs, transcript_download])
    graded.then(None, js=SCROLL_TO_REPORT)
    again_outputs = [state, report_box, guess_box, setup_box, chatbot, report, behaviour, style, guess_message, *listed]
    again_button.click(on_again, state, again_outputs)
