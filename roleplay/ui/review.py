"""The teacher's Review tab: filter the class's sessions, open a report, change a score with a comment.

Handlers are plain functions over :class:`PracticeContext`; each one first checks the server-side
``unlocked`` flag the teacher gate sets, so the endpoints give nothing to a page that never typed
the password. :func:`build_review_tab` lays out the components and adds the dashboard, export and
upload tabs from :mod:`roleplay.ui.dashboard`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from roleplay.grading.render import render_html
from roleplay.i18n import t
from roleplay.library import UnknownPersonaError
from roleplay.library.common import OUTCOMES
from roleplay.store.reports import (
    OverrideError,
    ReportFilter,
    ReportListing,
    ReportNotFoundError,
    ReportStore,
    SavedReport,
)
from roleplay.ui.dashboard import build_dashboard_tab, build_export_tab, build_upload_tab, parse_filter
from roleplay.ui.practice_model import PracticeContext
from roleplay.ui.practice_view import report_frame

TABLE_COLUMNS = (
    "report_id",
    "date",
    "student",
    "student_id",
    "scenario",
    "customer",
    "outcome",
    "total",
    "overridden",
    "source",
)


@dataclass(frozen=True)
class SessionsView:
    """The sessions table and the report picker, or why they are empty."""

    message: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportView:
    """One opened report: heading, embedded page, what can be overridden and the change log."""

    error: str = ""
    head: str = ""
    total: str = ""
    frame: str = ""
    names: dict[str, str] = field(default_factory=dict)
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    levels: list[float] = field(default_factory=list)
    log_headers: list[str] = field(default_factory=list)
    log_rows: list[list[object]] = field(default_factory=list)


def _scenario(context: PracticeContext, scenario_id: str | None) -> str:
    scenario = context.library.scenarios.get(scenario_id or "")
    return scenario.title.get(context.language) if scenario else (scenario_id or "-")


def _customer(context: PracticeContext, persona: str | None) -> str:
    """A named persona's name, a trait combination's type names; the raw spec if the library no longer has it."""
    try:
        return context.library.persona(persona or "").name.get(context.language)
    except UnknownPersonaError:
        return persona or "-"


def _total(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _row(context: PracticeContext, item: ReportListing) -> list[object]:
    lang = context.language
    return [
        item.report_id,
        f"{item.when:%Y-%m-%d %H:%M}",
        item.student_name or "-",
        item.student_id or "-",
        _scenario(context, item.scenario),
        _customer(context, item.persona),
        t(f"outcome.{item.outcome or 'ongoing'}", lang),
        _total(item.total),
        f"{_total(item.original_total)} → {_total(item.total)}" if item.overridden else "",
        t(f"ui.review.source.{item.source}", lang),
    ]


def list_sessions(context: PracticeContext, unlocked: bool, where: ReportFilter | str) -> SessionsView:
    """The table of sessions matching the filter, newest first."""
    lang = context.language
    if not unlocked:
        return SessionsView(t("ui.review.locked", lang))
    if isinstance(where, str):
        return SessionsView(where)
    store = ReportStore(context.store.engine)
    items = store.listing(where)
    if not items:
        empty = where == ReportFilter() or not store.listing(ReportFilter(limit=1))
        return SessionsView(t("ui.review.empty" if empty else "ui.review.no_match", lang))
    rows = [_row(context, item) for item in items]
    choices = [
        (
            t(
                "ui.review.choice",
                lang,
                report_id=item.report_id,
                student=item.student_name or item.student_id or item.origin or "-",
                scenario=_scenario(context, item.scenario),
                total=_total(item.total),
            ),
            str(item.report_id),
        )
        for item in items
    ]
    headers = [t(f"ui.review.col.{name}", lang) for name in TABLE_COLUMNS]
    return SessionsView(t("ui.review.count", lang, count=len(items)), headers, rows, choices)


def _report_view(context: PracticeContext, saved: SavedReport) -> ReportView:
    lang = context.language
    report = saved.effective
    student = report.student.label() if report.student else (saved.origin or "-")
    when = report.started_at or report.provenance.graded_at
    head = t(
        "ui.review.report_head",
        lang,
        report_id=saved.report_id,
        student=student,
        scenario=_scenario(context, report.scenario),
        customer=_customer(context, report.persona),
        when=f"{when:%Y-%m-%d %H:%M}",
        source=saved.origin or t(f"ui.review.source.{saved.source}", lang),
        total=_total(report.total),
        original=_total(saved.report.total),
    )
    dimensions = [
        (t("ui.review.dimension_choice", lang, name=d.name.get(lang), level=_total(d.level)), d.dimension_id)
        for d in report.dimensions
    ]
    steps = range(report.scale_min * 2, report.scale_max * 2 + 1)
    names = {d.dimension_id: d.name.get(lang) for d in report.dimensions}
    log_rows: list[list[object]] = [
        [
            f"{entry.created_at:%Y-%m-%d %H:%M}",
            entry.teacher,
            names.get(entry.dimension_id, entry.dimension_id),
            _total(entry.original_level),
            _total(entry.new_level),
            entry.comment,
        ]
        for entry in reversed(saved.overrides)
    ]
    return ReportView(
        head=head,
        total=_total(report.total),
        names=names,
        frame=report_frame(render_html(report), t("ui.review.report_frame", lang)),
        dimensions=dimensions,
        levels=[step / 2 for step in steps],
        log_headers=[t(f"ui.review.log.{n}", lang) for n in ("when", "teacher", "dimension", "old", "new", "comment")],
        log_rows=log_rows,
    )


def _report_id(choice: str | int | None) -> int | None:
    try:
        return int(choice) if choice not in (None, "") else None
    except ValueError:
        return None


def open_report(context: PracticeContext, unlocked: bool, choice: str | int | None) -> ReportView:
    """The report with the teacher's changes applied, and its change log."""
    lang = context.language
    if not unlocked:
        return ReportView(t("ui.review.locked", lang))
    report_id = _report_id(choice)
    if report_id is None:
        return ReportView(t("ui.review.need_report", lang))
    try:
        saved = ReportStore(context.store.engine).get(report_id)
    except ReportNotFoundError:
        return ReportView(t("ui.review.not_found", lang, report_id=report_id))
    return _report_view(context, saved)


def override_score(
    context: PracticeContext,
    unlocked: bool,
    choice: str | int | None,
    dimension_id: str | None,
    level: float | str | None,
    teacher: str | None,
    comment: str | None,
) -> tuple[str, ReportView | None]:
    """Save one change; returns the message and the report as it is now (None when nothing changed)."""
    lang = context.language
    if not unlocked:
        return t("ui.review.locked", lang), None
    report_id = _report_id(choice)
    if report_id is None:
        return t("ui.review.need_report", lang), None
    try:
        value = float(level) if level not in (None, "") else None
    except ValueError:
        value = float("nan")
    store = ReportStore(context.store.engine)
    try:
        entry = store.add_override(report_id, dimension_id or "", value, comment, teacher)
    except ReportNotFoundError:
        return t("ui.review.not_found", lang, report_id=report_id), None
    except OverrideError as exc:
        return exc.message(lang), None
    view = _report_view(context, store.get(report_id))
    message = t(
        "ui.review.saved",
        lang,
        dimension=view.names.get(entry.dimension_id, entry.dimension_id),
        old=_total(entry.original_level),
        new=_total(entry.new_level),
        total=view.total,
    )
    return message, view


def assignment_choices(context: PracticeContext) -> list[tuple[str, str]]:
    """ "All" and every assignment that has graded sessions."""
    everything = [(t("ui.review.filter.all", context.language), "")]
    return everything + [(title, key) for key, title in ReportStore(context.store.engine).assignments()]


def build_review_tab(context: PracticeContext, unlocked: gr.State, tab: gr.Tab) -> None:
    """Lay out the Review tab (call inside ``with tab:`` in the teacher area).

    Args:
        context: the app's shared library, store and models.
        unlocked: the teacher gate's server-side flag; every handler checks it.
        tab: the tab itself: the sessions are read afresh whenever it is opened.
    """
    lang = context.language

    def tr(key: str, **values: object) -> str:
        return t(key, lang, **values)

    gr.Markdown(tr("ui.review.intro"))
    with gr.Row(equal_height=True):
        student = gr.Textbox(label=tr("ui.review.filter.student"), max_lines=1, min_width=160, elem_id="rv-student")
        assignment = gr.Dropdown(
            assignment_choices(context), value="", label=tr("ui.review.filter.assignment"), min_width=160
        )
        outcome = gr.Dropdown(
            [(tr("ui.review.filter.all"), ""), *[(t(f"outcome.{o}", lang), o) for o in OUTCOMES]],
            value="",
            label=tr("ui.review.filter.outcome"),
            min_width=160,
        )
    with gr.Row():
        date_from = gr.Textbox(label=tr("ui.review.filter.date_from"), max_lines=1, min_width=160)
        date_to = gr.Textbox(label=tr("ui.review.filter.date_to"), max_lines=1, min_width=160)
        apply = gr.Button(tr("ui.review.filter.apply"), variant="primary", min_width=120, elem_id="rv-apply")
    filters = [student, assignment, date_from, date_to, outcome]

    with gr.Tabs():
        with gr.Tab(tr("ui.review.sessions_tab"), elem_id="rv-sessions"):
            message = gr.Markdown(elem_id="rv-message")
            table = gr.Dataframe(interactive=False, visible=False, wrap=True, max_height=420, elem_id="rv-table")
            pick = gr.Dropdown([], value=None, label=tr("ui.review.pick"), visible=False, elem_id="rv-pick")
            head = gr.Markdown(elem_id="rv-head")
            with gr.Column(visible=False) as report_box:
                frame = gr.HTML(elem_id="rv-report")
                gr.Markdown(tr("ui.review.override_title"))
                with gr.Row(equal_height=True):
                    dimension = gr.Dropdown([], label=tr("ui.review.dimension"), min_width=200, elem_id="rv-dimension")
                    level = gr.Dropdown([], label=tr("ui.review.level"), min_width=120, elem_id="rv-level")
                    teacher = gr.Textbox(
                        label=tr("ui.review.teacher"), max_lines=1, min_width=160, elem_id="rv-teacher"
                    )
                comment = gr.Textbox(label=tr("ui.review.comment"), lines=2, elem_id="rv-comment")
                save = gr.Button(tr("ui.review.save_override"), variant="primary", elem_id="rv-save")
                saved_message = gr.Markdown(elem_id="rv-saved")
                gr.Markdown(tr("ui.review.log_title"))
                log_empty = gr.Markdown(tr("ui.review.log_empty"))
                log = gr.Dataframe(interactive=False, visible=False, wrap=True, elem_id="rv-log")
        build_dashboard_tab(context, unlocked, filters)
        build_export_tab(context, unlocked, filters)
        build_upload_tab(context, unlocked)

    def shown_report(view: ReportView, keep: str | None = None) -> dict[Any, Any]:
        if view.error:
            return {head: view.error, report_box: gr.update(visible=False)}
        return {
            head: view.head,
            report_box: gr.update(visible=True),
            frame: view.frame,
            dimension: gr.update(
                choices=view.dimensions, value=keep or (view.dimensions[0][1] if view.dimensions else None)
            ),
            level: gr.update(choices=[(f"{v:g}", v) for v in view.levels], value=None),
            log_empty: gr.update(visible=not view.log_rows),
            log: gr.update(value={"headers": view.log_headers, "data": view.log_rows}, visible=bool(view.log_rows)),
        }

    def on_search(ok: bool, *values: str | None) -> dict[Any, Any]:
        view = list_sessions(context, ok, parse_filter(lang, *values))
        shown = bool(view.rows)
        return {
            message: view.message,
            table: gr.update(value={"headers": view.headers, "data": view.rows}, visible=shown),
            pick: gr.update(choices=view.choices, value=None, visible=shown),
            assignment: gr.update(choices=assignment_choices(context)) if ok else gr.update(),
        }

    def on_pick(ok: bool, choice: str | None) -> dict[Any, Any]:
        if not choice:
            return {head: "", report_box: gr.update(visible=False)}
        return shown_report(open_report(context, ok, choice)) | {saved_message: ""}

    def on_select(event: gr.SelectData) -> Any:
        row = event.row_value or []
        return gr.update(value=str(row[0])) if row else gr.update()

    def on_save(
        ok: bool, choice: str | None, dim: str | None, value: float | None, name: str | None, why: str | None
    ) -> dict[Any, Any]:
        note, view = override_score(context, ok, choice, dim, value, name, why)
        if view is None:
            return {saved_message: note}
        return shown_report(view, keep=dim) | {saved_message: note, comment: ""}

    search_outputs = [message, table, pick, assignment]
    for trigger in (apply.click, student.submit, date_from.submit, date_to.submit):
        trigger(on_search, [unlocked, *filters], search_outputs)
    tab.select(on_search, [unlocked, *filters], search_outputs)
    report_outputs = [head, report_box, frame, dimension, level, log_empty, log, saved_message]
    pick.change(on_pick, [unlocked, pick], report_outputs)
    table.select(on_select, None, pick)
    save.click(on_save, [unlocked, pick, dimension, level, teacher, comment], [*report_outputs, comment])
