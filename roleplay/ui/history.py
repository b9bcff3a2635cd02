"""A student's own graded sessions in the practice tab: a table, a progress chart and each report.

Every lookup goes by the student number held in the server-side ``PracticeState``; a report id the
page sends is only honoured when that report belongs to the signed-in student.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from roleplay.grading.render import render_html
from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.review.figures import progress_figure
from roleplay.store.reports import ReportStore, SavedReport
from roleplay.ui.practice_model import PracticeContext, PracticeState
from roleplay.ui.practice_view import report_frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HistoryView:
    """What the "my past sessions" panel shows."""

    message: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    figure: Any = None


@dataclass(frozen=True)
class PastReport:
    """One of the student's earlier reports (embedded page), or why not."""

    error: str = ""
    note: str = ""
    frame: str = ""


async def keep_report(context: PracticeContext, session_id: str, report: Report) -> bool:
    """Save a practice report with the session's assignment; False (and logged) when that fails.

    The student still sees and downloads the report when the database write fails.
    """
    try:
        assignment_id = await context.store.run(context.store.assignment_of, session_id)
        reports = ReportStore(context.store.engine)
        await context.store.run(reports.save, report, source="practice", assignment_id=assignment_id)
    except Exception:
        log.exception("saving the report of session %s failed", session_id)
        return False
    return True


def _mine(context: PracticeContext, state: PracticeState) -> list[SavedReport] | None:
    number = state.student.student_id if state.student else None
    if not number:
        return None
    return ReportStore(context.store.engine).history(number)


def _text(value: Any, language: Language, fallback: str | None) -> str:
    return str(value.get(language)) if value is not None else (fallback or "-")


def my_history(context: PracticeContext, state: PracticeState) -> HistoryView:
    """The signed-in student's graded sessions (newest first in the table) and their progress chart."""
    lang = context.language
    mine = _mine(context, state)
    if mine is None:
        return HistoryView(t("ui.history.need_signin", lang))
    if not mine:
        return HistoryView(t("ui.history.empty", lang))
    reports = [(item, item.effective) for item in mine]
    headers = [t(f"ui.history.col.{name}", lang) for name in ("date", "scenario", "customer", "total", "outcome")]
    headers.append(t("ui.history.col.changed", lang))
    rows: list[list[object]] = []
    choices = []
    for item, report in reversed(reports):
        when = f"{(report.started_at or report.provenance.graded_at):%Y-%m-%d %H:%M}"
        scenario = _text(report.scenario_title, lang, report.scenario)
        total = "-" if report.total is None else f"{report.total:g}"
        outcome = t(f"outcome.{report.outcome or 'ongoing'}", lang)
        customer = _text(report.persona_name, lang, report.persona)
        rows.append([when, scenario, customer, total, outcome, "✓" if item.overrides else ""])
        choices.append((t("ui.history.choice", lang, when=when, scenario=scenario, total=total), str(item.report_id)))
    totals = [r.total for _, r in reports if r.total is not None]
    message = t(
        "ui.history.count",
        lang,
        count=len(reports),
        best="-" if not totals else f"{max(totals):g}",
        last=rows[0][3],
    )
    figure = progress_figure([report for _, report in reports], lang)
    return HistoryView(message, headers, rows, choices, figure)


def my_report(context: PracticeContext, state: PracticeState, choice: str | None) -> PastReport:
    """One of the signed-in student's own reports; any other id gets the same refusal."""
    lang = context.language
    number = state.student.student_id if state.student else None
    if not number:
        return PastReport(t("ui.history.need_signin", lang))
    try:
        report_id = int(choice or "")
    except ValueError:
        return PastReport(t("ui.history.not_yours", lang))
    saved = ReportStore(context.store.engine).student_report(number, report_id)
    if saved is None:
        return PastReport(t("ui.history.not_yours", lang))
    page = render_html(saved.effective)
    note = t("ui.history.changed", lang) if saved.overrides else ""
    return PastReport(note=note, frame=report_frame(page, t("ui.history.report_frame", lang)))


def build_history_panel(context: PracticeContext, state: gr.State) -> None:
    """The "my past sessions" accordion (call inside the practice tab, after sign-in is shown)."""
    lang = context.language
    with gr.Accordion(t("ui.history.title", lang), open=False, elem_id="rp-history") as panel:
        refresh = gr.Button(t("ui.history.refresh", lang), size="sm", elem_id="rp-history-refresh")
        message = gr.Markdown(elem_id="rp-history-message")
        table = gr.Dataframe(interactive=False, visible=False, wrap=True, elem_id="rp-history-table")
        chart = gr.Plot(visible=False, show_label=False, elem_id="rp-history-chart")
        pick = gr.Dropdown([], value=None, label=t("ui.history.pick", lang), visible=False, elem_id="rp-history-pick")
        note = gr.Markdown(elem_id="rp-history-note")
        frame = gr.HTML(elem_id="rp-history-report")

    def on_load(current: PracticeState) -> dict[Any, Any]:
        view = my_history(context, current)
        shown = bool(view.rows)
        return {
            message: view.message,
            table: gr.update(value={"headers": view.headers, "data": view.rows}, visible=shown),
            chart: gr.update(value=view.figure, visible=view.figure is not None),
            pick: gr.update(choices=view.choices, value=None, visible=shown),
            note: "",
            frame: "",
        }

    def on_pick(current: PracticeState, choice: str | None) -> dict[Any, Any]:
        if not choice:
            return {note: "", frame: ""}
        past = my_report(context, current, choice)
        return {note: past.error or past.note, frame: past.frame}

    outputs = [message, table, chart, pick, note, frame]
    panel.expand(on_load, state, outputs)
    refresh.click(on_load, state, outputs)
    pick.change(on_pick, [state, pick], [note, frame])
