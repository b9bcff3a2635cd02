"""The student's assignments in the practice tab: the list, starting one, its time limit and countdown.

Handlers are plain functions over :class:`PracticeContext` and :class:`PracticeState` (like
:mod:`roleplay.ui.practice`); the rules (who may start what, the pool draw) live in
:mod:`roleplay.assignment`. The customer drawn from a pool is never named by type here: a trait
combination shows as "a customer", because telling the type is the student's exercise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import gradio as gr

from roleplay.assignment import Assignment, deadline, draw_persona, format_when, start_problem
from roleplay.customer.engine import ChatSession
from roleplay.i18n import t
from roleplay.library import Language, UnknownPersonaError
from roleplay.llm import model_label
from roleplay.store.assignments import AssignmentNotFoundError
from roleplay.ui.practice_model import ChatUpdate, PracticeContext, PracticeState, Started
from roleplay.ui.practice_view import ChatMessage, brief_markdown, history_copy, timer_key


@dataclass(frozen=True)
class AssignmentList:
    """What the student's "my assignments" section shows: a list, and the choices to start one."""

    markdown: str
    choices: list[tuple[str, str]] = field(default_factory=list)


async def my_assignments(context: PracticeContext, state: PracticeState, now: datetime | None = None) -> AssignmentList:
    """The assignments open now for this student's class (or for everyone), each marked done or not."""
    lang = context.language
    student = state.student
    if student is None or student.student_id is None:
        return AssignmentList(t("ui.practice.need_signin", lang))
    store = context.assignments
    now = now or datetime.now()
    found = await context.store.run(store.open_for, student.class_name, now)
    done = await context.store.run(store.finished_by, student.student_id)
    if not found:
        key = "ui.assign.none_for_class" if student.class_name else "ui.assign.none_open"
        return AssignmentList(t(key, lang, code=student.class_name or ""))
    lines = [t("ui.assign.my_intro", lang)]
    choices = []
    for assignment in found:
        finished = assignment.assignment_id in done
        lines.append(_line(context, assignment, finished))
        mark = f" · {t('ui.assign.done', lang)}" if finished else ""
        choices.append((f"{assignment.title}{mark}", assignment.assignment_id))
    return AssignmentList("\n".join(lines), choices)


@dataclass(frozen=True)
class AssignmentPicker:
    """The "my assignments" section above free practice: the list, a choice, start and refresh."""

    listing: gr.Markdown
    choice: gr.Radio
    start: gr.Button
    refresh: gr.Button
    message: gr.Markdown

    def shown(self, found: AssignmentList) -> dict[Any, Any]:
        """The section's updates for a fresh list (the choice and start button only when there is one)."""
        return {
            self.listing: found.markdown,
            self.choice: gr.update(choices=found.choices, value=None, visible=bool(found.choices)),
            self.start: gr.update(visible=bool(found.choices)),
            self.message: "",
        }


def assignment_picker(language: Language) -> AssignmentPicker:
    """Lay out the "my assignments" section (call inside the practice tab's setup column)."""
    with gr.Group(elem_id="rp-assignments"):
        listing = gr.Markdown(elem_id="rp-assignment-list", padding=True)
        choice = gr.Radio([], label=t("ui.assign.pick", language), visible=False, elem_id="rp-assignment")
        with gr.Row():
            start = gr.Button(
                t("ui.assign.start", language), variant="primary", visible=False, elem_id="rp-assign-start"
            )
            refresh = gr.Button(t("ui.assign.refresh", language), size="sm", elem_id="rp-assign-refresh")
    message = gr.Markdown(elem_id="rp-assign-message")
    gr.Markdown(t("ui.assign.free_practice", language))
    return AssignmentPicker(listing, choice, start, refresh, message)


def _line(context: PracticeContext, assignment: Assignment, finished: bool) -> str:
    lang = context.language
    scenario = context.library.scenarios.get(assignment.scenario)
    minutes = assignment.time_limit_minutes
    return t(
        "ui.assign.my_line",
        lang,
        title=assignment.title,
        scenario=scenario.title.get(lang) if scenario else assignment.scenario,
        limit=t("ui.assign.limit", lang, minutes=minutes) if minutes else t("ui.assign.no_limit", lang),
        closes=format_when(assignment.closes_at) if assignment.closes_at else t("ui.assign.no_close", lang),
        done=t("ui.assign.done", lang) if finished else t("ui.assign.not_done", lang),
    )


async def start_assignment(
    context: PracticeContext, state: PracticeState, assignment_id: str | None, now: datetime | None = None
) -> Started:
    """Start the chosen assignment: its scenario, the customer drawn for this student, its rubric and time limit.

    Refused with a message when the student is not signed in, the assignment is for another class,
    not open yet, closed or archived, the student's time for it is used up (a time limit counts from
    their first start, so starting again continues the same clock), or the library no longer has what
    it needs.
    """
    lang = context.language
    student = state.student
    if student is None or student.student_id is None:
        return Started(state, t("ui.practice.need_signin", lang))
    if not assignment_id:
        return Started(state, t("ui.assign.pick_one", lang))
    now = now or datetime.now()
    store = context.assignments
    try:
        assignment = await context.store.run(store.get, assignment_id)
    except AssignmentNotFoundError:
        return Started(state, t("ui.assign.gone", lang))
    refused = start_problem(assignment, student.class_name, now)
    if refused is not None:
        return Started(state, refused.text(lang))
    ends = None
    if assignment.time_limit_minutes:  # the clock runs from the first start: reloading does not reset it
        first = await context.store.run(store.first_start, assignment.assignment_id, student.student_id)
        ends = deadline(first or now, assignment.time_limit_minutes)
        if ends is not None and ends <= now:
            return Started(state, t("ui.assign.time_used", lang, minutes=assignment.time_limit_minutes))
    scenario = context.library.scenarios.get(assignment.scenario)
    rubric = context.library.rubrics.get(assignment.rubric)
    spec = draw_persona(assignment.assignment_id, assignment.personas, student.student_id)
    try:
        persona = context.library.persona(spec)
    except UnknownPersonaError:
        persona = None
    if scenario is None or rubric is None or persona is None:
        return Started(state, t("ui.assign.broken", lang))
    session = await ChatSession.start(
        persona=persona,
        scenario=scenario,
        store=context.store,
        model=context.customer_model,
        model_name=model_label(context.settings, "customer"),
        language=lang,
        rubric=rubric.rubric_id,
        student=student,
        extra_redlines=list(rubric.redlines),
        now=now,
        assignment_id=assignment.assignment_id,
    )
    history = [ChatMessage(role="assistant", content=turn.text) for turn in session.turns]
    started = PracticeState(student=student, session=session, history=history, assignment=assignment, deadline=ends)
    customer = persona.name.get(lang) if persona.named else t("ui.assign.a_customer", lang)
    title = t(
        "ui.assign.chat_title", lang, title=assignment.title, scenario=scenario.title.get(lang), customer=customer
    )
    return Started(
        started,
        title=title,
        brief=assignment_brief(assignment, lang) + brief_markdown(scenario, lang),
        timer_key=timer_key(session),
        countdown=countdown_key(session, ends, now),
    )


def assignment_brief(assignment: Assignment, language: Language) -> str:
    """The teacher's note and the time limit, above the scenario's brief."""
    parts = [t("ui.assign.brief_title", language, title=assignment.title)]
    if assignment.note:
        parts.append(t("ui.assign.brief_note", language, note=assignment.note))
    if assignment.time_limit_minutes:
        parts.append(t("ui.assign.brief_limit", language, minutes=assignment.time_limit_minutes))
    return "\n\n".join(parts) + "\n\n---\n\n"


def countdown_key(session: ChatSession, ends: datetime | None, now: datetime) -> str:
    """``<session>:<seconds left>`` for the browser's countdown; empty (hidden) without a time limit."""
    if ends is None:
        return ""
    return f"{session.session_id}:{max(0, int((ends - now).total_seconds()))}"


def past_deadline(state: PracticeState, now: datetime | None = None) -> bool:
    """Whether the assignment's time limit has run out for this chat."""
    return state.deadline is not None and (now or datetime.now()) >= state.deadline


async def time_up(context: PracticeContext, state: PracticeState, text: str | None) -> ChatUpdate:
    """After the time limit: save what the student sent (never lost, no reply), then end the chat."""
    lang = context.language
    session = state.session
    assert session is not None
    message = (text or "").strip()
    now = datetime.now()
    if message:
        await session.keep_unanswered(message, now)
        state.history.append(ChatMessage(role="user", content=message))
    state.ended_at = now
    await session.end(None, now=now)
    minutes = state.assignment.time_limit_minutes if state.assignment else None
    status = t("ui.assign.time_up_saved" if message else "ui.assign.time_up", lang, minutes=minutes or "-")
    return ChatUpdate(history_copy(state.history), status, closed=True)


# The countdown runs in the browser, like the response timer; the server enforces the limit itself.
# Its value is "<session>:<seconds left>" when the chat starts and empty otherwise.
COUNTDOWN_TEMPLATE = '<div class="rp-countdown" aria-live="off"></div>'
COUNTDOWN_JS = """
let ends = null;
const pad = (n) => String(n).padStart(2, '0');
const tick = () => {
  const box = element.querySelector('.rp-countdown');
  if (!box) return;
  if (ends === null) { box.textContent = ''; box.className = 'rp-countdown'; return; }
  const left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
  box.textContent = left > 0
    ? props.fmt.replace('{left}', Math.floor(left / 60) + ':' + pad(left % 60))
    : props.over;
  box.classList.toggle('rp-soon', left > 0 && left <= 60);
  box.classList.toggle('rp-over', left === 0);
};
const reset = () => {
  const parts = String(props.value || '').split(':');
  ends = parts.length === 2 ? Date.now() + Number(parts[1]) * 1000 : null;
  tick();
};
watch('value', reset);
setInterval(tick, 1000);
reset();
"""
COUNTDOWN_CSS = """
.rp-countdown { font-size: 0.95rem; font-weight: 600; min-height: 1.4em; }
.rp-countdown.rp-soon { color: #c0392b; }
.rp-countdown.rp-over { color: #fff; background: #c0392b; padding: 2px 8px; border-radius: 6px; }
"""


def countdown_timer(language: Language) -> gr.HTML:
    """The "time left m:ss" line of an assignment with a time limit (empty otherwise)."""
    return gr.HTML(
        "",
        html_template=COUNTDOWN_TEMPLATE,
        css_template=COUNTDOWN_CSS,
        js_on_load=COUNTDOWN_JS,
        fmt=t("ui.assign.countdown", language, left="{left}"),
        over=t("ui.assign.countdown_over", language),
        elem_id="rp-countdown",
    )
