"""The Review tab's class dashboard (plotly charts), class export (CSV, Excel) and upload for batch grading.

Thin handlers over :mod:`roleplay.review`; each checks the teacher gate's server-side flag first.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from roleplay.i18n import t
from roleplay.library.common import OUTCOMES, Language
from roleplay.review.analytics import class_analytics
from roleplay.review.export import export_class
from roleplay.review.figures import levels_figure, outcomes_figure, skills_figure
from roleplay.review.upload import MAX_FILES, MAX_TOTAL_BYTES, UploadResult, grade_uploads
from roleplay.store.reports import ReportFilter, ReportStore
from roleplay.ui.practice_model import PracticeContext

_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")
UPLOAD_TYPES = [".json", ".txt", ".csv", ".zip"]
UPLOAD_COLUMNS = ("file", "status", "student", "total", "report_id", "reason")


def parse_filter(
    language: Language,
    student: str | None,
    assignment_id: str | None,
    date_from: str | None,
    date_to: str | None,
    outcome: str | None,
) -> ReportFilter | str:
    """The filter from the form, or a message saying which field is wrong."""
    dates: list[date | None] = []
    for value in (date_from, date_to):
        text = (value or "").strip()
        if not text:
            dates.append(None)
            continue
        match = _DATE.match(text)
        try:
            dates.append(date(*(int(part) for part in match.groups())) if match else date.fromisoformat(text))
        except ValueError:
            return t("ui.review.filter.bad_date", language, value=text)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        return t("ui.review.filter.bad_range", language)
    return ReportFilter(
        student=(student or "").strip() or None,
        assignment_id=assignment_id or None,
        date_from=dates[0],
        date_to=dates[1],
        outcome=outcome if outcome in OUTCOMES else None,
    )


@dataclass(frozen=True)
class DashboardView:
    """The summary line and the three charts (None: nothing to draw)."""

    message: str
    figures: list[Any] = field(default_factory=lambda: [None, None, None])


@dataclass(frozen=True)
class ExportView:
    """The files to download, or why there are none."""

    message: str
    csv_file: Path | None = None
    xlsx_file: Path | None = None


@dataclass(frozen=True)
class UploadView:
    """The result of an upload: a summary and one row per file."""

    message: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)


def dashboard(context: PracticeContext, unlocked: bool, where: ReportFilter | str) -> DashboardView:
    """The class dashboard for the filtered reports."""
    lang = context.language
    if not unlocked:
        return DashboardView(t("ui.review.locked", lang))
    if isinstance(where, str):
        return DashboardView(where)
    data = class_analytics(ReportStore(context.store.engine).find(where), context.library, lang)
    if not data.sessions:
        return DashboardView(t("ui.review.dashboard_empty", lang))
    message = t(
        "ui.review.stats",
        lang,
        sessions=data.sessions,
        mean="-" if data.mean_total is None else f"{data.mean_total:g}",
        rate="-" if data.pass_rate is None else f"{data.pass_rate:.0%}",
    )
    figures = [levels_figure(data, lang), skills_figure(data, lang), outcomes_figure(data, lang)]
    return DashboardView(message, figures)


def export(context: PracticeContext, unlocked: bool, where: ReportFilter | str) -> ExportView:
    """Write the class CSV and Excel files (under the data folder) for the filtered reports."""
    lang = context.language
    if not unlocked:
        return ExportView(t("ui.review.locked", lang))
    if isinstance(where, str):
        return ExportView(where)
    saved = ReportStore(context.store.engine).find(where)
    if not saved:
        return ExportView(t("ui.review.export_empty", lang))
    written = export_class(saved, context.library, context.settings.data_dir / "exports", lang)
    message = t("ui.review.exported", lang, rows=written.rows)
    if written.skipped:
        message += " " + t("ui.review.export_skipped", lang, count=written.skipped)
    return ExportView(message, written.csv_file, written.xlsx_file)


async def upload(
    context: PracticeContext,
    unlocked: bool,
    files: Sequence[str | Path] | None,
    rubric_id: str | None,
    on_progress: Any = None,
) -> UploadView:
    """Grade uploaded transcripts and save them as reports; one result row per file."""
    lang = context.language
    if not unlocked:
        return UploadView(t("ui.review.locked", lang))
    if not files:
        return UploadView(t("ui.review.upload_none", lang))
    rubric = context.library.rubrics.get(rubric_id or "")
    if rubric is None:
        return UploadView(t("ui.review.upload_unknown_rubric", lang, rubric=rubric_id or "-"))
    work_dir = context.settings.data_dir / "uploads" / f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    results = await grade_uploads(
        [Path(f) for f in files],
        work_dir,
        rubric=rubric,
        library=context.library,
        judge=context.judge,
        reports=ReportStore(context.store.engine),
        run=context.store.run,
        language=lang,
        on_progress=on_progress,
    )
    graded = sum(r.status == "graded" for r in results)
    message = t("ui.review.upload_done", lang, graded=graded, failed=len(results) - graded)
    headers = [t(f"ui.review.upload.col.{name}", lang) for name in UPLOAD_COLUMNS]
    return UploadView(message, headers, [_upload_row(r, lang) for r in results])


def _upload_row(result: UploadResult, lang: Language) -> list[object]:
    return [
        result.file,
        t(f"ui.review.upload.{result.status}", lang),
        result.student,
        "-" if result.total is None else f"{result.total:g}",
        "" if result.report_id is None else result.report_id,
        result.reason,
    ]


def _where(context: PracticeContext, values: Sequence[str | None]) -> ReportFilter | str:
    return parse_filter(context.language, *values)


def build_dashboard_tab(context: PracticeContext, unlocked: gr.State, filters: list[Any]) -> None:
    """The dashboard tab: a summary line and three charts for the Review filter."""
    lang = context.language
    with gr.Tab(t("ui.review.dashboard_tab", lang), elem_id="rv-dashboard"):
        refresh = gr.Button(t("ui.review.dashboard_refresh", lang), elem_id="rv-dashboard-refresh")
        message = gr.Markdown(elem_id="rv-dashboard-message")
        plots = [gr.Plot(visible=False, show_label=False, elem_id=f"rv-chart-{n}") for n in range(3)]

    def on_refresh(ok: bool, *values: str | None) -> list[Any]:
        view = dashboard(context, ok, _where(context, values))
        return [view.message, *[gr.update(value=f, visible=f is not None) for f in view.figures]]

    refresh.click(on_refresh, [unlocked, *filters], [message, *plots])


def build_export_tab(context: PracticeContext, unlocked: gr.State, filters: list[Any]) -> None:
    """The export tab: make the CSV and Excel files for the Review filter, then download them."""
    lang = context.language
    with gr.Tab(t("ui.review.export_tab", lang), elem_id="rv-export"):
        gr.Markdown(t("ui.review.export_note", lang))
        make = gr.Button(t("ui.review.export_button", lang), variant="primary", elem_id="rv-export-make")
        message = gr.Markdown(elem_id="rv-export-message")
        with gr.Row():
            csv_button = gr.DownloadButton(t("ui.review.download_csv", lang), visible=False, elem_id="rv-export-csv")
            xlsx_button = gr.DownloadButton(t("ui.review.download_xlsx", lang), visible=False, elem_id="rv-export-xlsx")

    def on_make(ok: bool, *values: str | None) -> list[Any]:
        view = export(context, ok, _where(context, values))
        return [
            view.message,
            gr.update(value=str(view.csv_file) if view.csv_file else None, visible=view.csv_file is not None),
            gr.update(value=str(view.xlsx_file) if view.xlsx_file else None, visible=view.xlsx_file is not None),
        ]

    make.click(on_make, [unlocked, *filters], [message, csv_button, xlsx_button])


def build_upload_tab(context: PracticeContext, unlocked: gr.State) -> None:
    """The upload tab: transcript files or a zip, a rubric, a progress bar and a result per file."""
    lang = context.language
    rubrics = [(f"{r.name.get(lang)} · {key}", key) for key, r in sorted(context.library.rubrics.items())]
    with gr.Tab(t("ui.review.upload_tab", lang), elem_id="rv-upload"):
        gr.Markdown(t("ui.review.upload_note", lang, files=MAX_FILES, mb=MAX_TOTAL_BYTES // (1024 * 1024)))
        files = gr.File(
            label=t("ui.review.upload_files", lang),
            file_count="multiple",
            file_types=UPLOAD_TYPES,
            elem_id="rv-upload-files",
        )
        rubric = gr.Dropdown(rubrics, value=context.rubric_id, label=t("ui.review.upload_rubric", lang))
        start = gr.Button(t("ui.review.upload_button", lang), variant="primary", elem_id="rv-upload-start")
        message = gr.Markdown(elem_id="rv-upload-message")
        table = gr.Dataframe(interactive=False, visible=False, wrap=True, elem_id="rv-upload-table")

    async def on_upload(
        ok: bool,
        chosen: list[str] | None,
        rubric_id: str | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - how Gradio injects its progress bar
    ) -> list[Any]:
        label = t("ui.review.upload_progress", lang)

        def advance(done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=label, unit="")

        view = await upload(context, ok, chosen, rubric_id, advance)
        shown = gr.update(value={"headers": view.headers, "data": view.rows}, visible=bool(view.rows))
        return [view.message, shown]

    start.click(on_upload, [unlocked, files, rubric], [message, table])
