"""Pieces the practice tab shows: chat messages, the brief, the embedded report, the response timer."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Literal, TypedDict

import gradio as gr

from roleplay.customer.engine import SLOW_REPLY_SECONDS, ChatSession
from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library import Language, Library, ScenarioFile
from roleplay.library.describe import describe_scenario
from roleplay.transcript import Transcript, write_transcript

RANDOM_CUSTOMER = "__random__"


class ChatMessage(TypedDict):
    """One chat bubble in Gradio's messages format: ``user`` is the student, ``assistant`` the customer."""

    role: Literal["user", "assistant"]
    content: str


def brief_markdown(scenario: ScenarioFile, language: Language) -> str:
    """The student's side of a scenario: situation, brief and the policy/product card (no hidden facts)."""
    return describe_scenario(scenario, language, teacher=False)


def scenario_choices(library: Library, language: Language) -> list[tuple[str, str]]:
    """The scenarios as (title, scenario_id), by title."""
    return sorted(((s.title.get(language), key) for key, s in library.scenarios.items()), key=lambda c: c[0])


def suggested_personas(library: Library, scenario_id: str | None) -> list[str]:
    """The scenario's suggested personas that exist in the library, in the scenario's order."""
    scenario = library.scenarios.get(scenario_id or "")
    if scenario is None:
        return []
    return [p for p in scenario.suggested_personas if p in library.personas]


def customer_choices(library: Library, language: Language, scenario_id: str | None) -> list[tuple[str, str]]:
    """Random first, then the scenario's suggested personas, then every other named persona.

    Labels show the name and occupation only: finding out the customer's type is the student's job.
    """
    suggested = suggested_personas(library, scenario_id)
    rest = sorted(p for p in library.personas if p not in suggested)
    choices = [(t("ui.practice.random_customer", language), RANDOM_CUSTOMER)] if library.personas else []
    mark = t("ui.practice.suggested", language)
    for persona_id in [*suggested, *rest]:
        persona = library.personas[persona_id]
        label = persona.name.get(language)
        if persona.occupation:
            label += f" · {persona.occupation.get(language)}"
        if persona_id in suggested:
            label += f" · {mark}"
        choices.append((label, persona_id))
    return choices


def scenario_brief(library: Library, language: Language, scenario_id: str | None) -> str:
    """The chosen scenario's brief and card, or a note that the library has no scenarios."""
    scenario = library.scenarios.get(scenario_id or "")
    if scenario is None:
        return "" if library.scenarios else t("ui.empty", language)
    return brief_markdown(scenario, language)


def guess_choices(library: Library, axis: str, language: Language) -> list[tuple[str, str]]:
    """The behaviour types or communication styles as (name, trait_id); in English with the Chinese name too."""
    ids = library.trait_ids("behaviour" if axis == "behaviour" else "style")
    names = {i: library.traits[i].name for i in ids}
    if language == "zh":
        return [(names[i].zh, i) for i in ids]
    return [(f"{names[i].get(language)} · {names[i].zh}", i) for i in ids]


def history_copy(history: list[ChatMessage]) -> list[ChatMessage]:
    """A snapshot for the page: text streamed later must not change what was already sent."""
    return [ChatMessage(role=m["role"], content=m["content"]) for m in history]


def timer_key(session: ChatSession) -> str:
    """Changes with every customer message, so the page restarts its response timer."""
    return f"{session.session_id}:{len(session.turns)}"


def closed_text(session: ChatSession, language: Language) -> str:
    """Why the chat is over, and what to do next."""
    outcome = session.state.outcome
    if outcome == "ended_by_student":
        return t("ui.practice.ended", language)
    return t("ui.practice.closed", language, outcome=t(f"outcome.{outcome}", language))


def report_summary(report: Report, language: Language) -> str:
    """The line above the embedded report: total, pass or not, outcome."""
    verdict_keys = {None: "ui.practice.unscored", True: "ui.practice.passed", False: "ui.practice.failed"}
    return t(
        "ui.practice.report_intro",
        language,
        total="-" if report.total is None else f"{report.total:g}",
        verdict=t(verdict_keys[report.passed], language),
        outcome=t(f"outcome.{report.outcome or 'ongoing'}", language),
    )


# Fragment links (#turn-3) in an about:srcdoc page resolve against the parent page's URL and would
# load the whole app inside the frame; this base keeps them inside the report.
_BASE = '<base href="about:srcdoc">'
# Grow the frame to its page's height, so the report scrolls with the app and not in a box of its own.
_FIT = "try{this.style.height=(this.contentDocument.documentElement.scrollHeight+24)+'px'}catch(e){}"


def report_frame(page: str, title: str) -> str:
    """The standalone report page embedded in an iframe (its CSS stays out of the app's)."""
    if "<head>" in page:
        page = page.replace("<head>", f"<head>{_BASE}", 1)
    source = html.escape(page, quote=True)
    return (
        f'<iframe class="rp-report" title="{html.escape(title, quote=True)}" srcdoc="{source}" onload="{_FIT}">'
        "</iframe>"
    )


# The response timer runs in the browser (no server call every second for each of 60 students).
# Its value changes with every customer message (and is empty while the customer is typing or after
# the chat), which restarts the count; the label comes from the locale file through ``fmt``.
TIMER_TEMPLATE = '<div class="rp-timer" aria-live="off"></div>'
TIMER_JS = """
let started = Date.now();
const tick = () => {
  const box = element.querySelector('.rp-timer');
  if (!box) return;
  if (!props.value) { box.textContent = ''; box.classList.remove('rp-slow'); return; }
  const seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
  box.textContent = props.fmt.replace('{seconds}', seconds);
  box.classList.toggle('rp-slow', seconds >= props.slow);
};
watch('value', () => { started = Date.now(); tick(); });
setInterval(tick, 1000);
tick();
"""
TIMER_CSS = """
.rp-timer { font-size: 0.95rem; color: var(--body-text-color-subdued); min-height: 1.4em; }
.rp-timer.rp-slow { color: #c0392b; font-weight: 600; }
"""


def response_timer(language: Language) -> gr.HTML:
    """The "customer has waited N s" line; it counts in the browser and turns red when the reply is slow."""
    return gr.HTML(
        "",
        html_template=TIMER_TEMPLATE,
        css_template=TIMER_CSS,
        js_on_load=TIMER_JS,
        fmt=t("ui.practice.timer", language, seconds="{seconds}"),
        slow=SLOW_REPLY_SECONDS,
        elem_id="rp-timer",
    )


def write_downloads(page: str, report_file: Path, transcript: Transcript, transcript_file: Path) -> None:
    """Write the report page and the transcript JSON for download (each atomically)."""
    report_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = report_file.with_name(f".{report_file.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(report_file)
    write_transcript(transcript, transcript_file)


# After grading, the page may still be scrolled down to where the guess was (far down on a phone).
SCROLL_TO_REPORT = "() => { const top = document.getElementById('rp-summary'); if (top) top.scrollIntoView(); }"
# While the customer answers, the page itself locks the message box and the send button (the server
# still refuses a second message until the reply is done). A lock sent from the server (an interactive
# update) made Gradio rebuild the box's whole configuration twice per turn (``bench/class_load.py``, a class
# of 60: server CPU per turn 54 ms with it, 36-45 ms without).
_CHAT_INPUT = "#rp-chat-input textarea, #rp-send"
LOCK_INPUT = f"() => {{ document.querySelectorAll('{_CHAT_INPUT}').forEach(e => e.disabled = true); }}"
UNLOCK_INPUT = f"() => {{ document.querySelectorAll('{_CHAT_INPUT}').forEach(e => e.disabled = false); }}"

# App-level CSS (Gradio 6 takes it at launch).
PRACTICE_CSS = """
.rp-report { width: 100%; min-height: 70vh; border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: #fff; }
#rp-chat-input textarea { font-size: 16px; }
/* The chat toolbar only offers "clear", which would wipe the student's view of a chat that goes on. */
#rp-chatbot .icon-button-wrapper.top-panel { display: none; }
@media (max-width: 640px) {
  #rp-chat-row { flex-direction: column; }
}
"""
