"""``roleplay grade`` (batch grading of saved transcripts) and ``roleplay regrade-diff``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from statistics import mean
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library.common import Language

console = Console()
errors_console = Console(stderr=True, soft_wrap=True)
_FORMATS = ("json", "md", "html", "csv", "xlsx")


@app.command()
def grade(
    paths: Annotated[list[str], typer.Argument(help="transcript files, folders or glob patterns (.json .txt .csv)")],
    out: Annotated[Path, typer.Option("--out", help="folder for the reports and the class summary")],
    rubric: Annotated[str, typer.Option("--rubric", help="rubric id")] = "default",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="transcripts graded at once")] = 4,
    samples: Annotated[int, typer.Option("--samples", min=1, max=9, help="judge answers per transcript (median)")] = 1,
    resume: Annotated[bool, typer.Option("--resume", help="skip transcripts already graded the same way")] = False,
    formats: Annotated[str, typer.Option("--format", help="any of json,md,html,csv,xlsx")] = "json,html,csv,xlsx",
    offline: Annotated[
        bool, typer.Option("--offline", help="tagger scoring only, even when a model is configured")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh or en (language of the reports)")] = "zh",
    library_dir: Annotated[Path | None, typer.Option("--library", help="folder holding personas/ and rubrics/")] = None,
) -> None:
    """批量评分 · Grade saved transcripts: one report each plus a class summary (CSV / Excel)."""
    from roleplay.cli.local import prepare_local_model
    from roleplay.grading.batch import collect, grade_batch
    from roleplay.grading.judge import Judge
    from roleplay.grading.summary import write_summary
    from roleplay.library import Library
    from roleplay.llm import chat_model, local_mode_line, model_label, released_after
    from roleplay.settings import load_settings

    language: Language = "en" if lang == "en" else "zh"
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    if not wanted or any(f not in _FORMATS for f in wanted):
        errors_console.print(f"[red]{t('grade.bad_format', language, value=formats)}[/red]")
        raise typer.Exit(2)
    settings = load_settings(library_dir=library_dir, offline=offline or None)
    library = Library.load(settings.library_dir)
    chosen = library.rubrics.get(rubric)
    if chosen is None:
        known = ", ".join(sorted(library.rubrics)) or "-"
        errors_console.print(f"[red]{t('grade.unknown_rubric', language, rubric=rubric, known=known)}[/red]")
        raise typer.Exit(2)
    if not prepare_local_model(settings, language):
        raise typer.Exit(2)
    model = chat_model(settings, "grader")
    judge = None if model is None else Judge(model, model_label(settings, "grader"), settings.judge_method)
    note = (
        t("grade.offline", language)
        if judge is None
        else t("grade.judge", language, model=model_label(settings, "grader"), method=settings.judge_method)
    )
    if settings.mode == "local":
        note += "\n" + local_mode_line(settings, language)
    errors_console.print(f"[yellow]{note}[/yellow]")
    items = collect(paths, out)
    if not items:
        errors_console.print(f"[red]{t('grade.nothing', language, paths=' '.join(paths))}[/red]")
        raise typer.Exit(2)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors_console, transient=False) as progress:
        task = progress.add_task(t("grade.progress", language), total=len(items))
        try:
            result = asyncio.run(
                released_after(
                    grade_batch(
                        items,
                        chosen,
                        out,
                        library=library,
                        judge=judge,
                        concurrency=concurrency,
                        samples=samples,
                        resume=resume,
                        formats=[f for f in wanted if f in ("json", "md", "html")] or ["json"],
                        language=language,
                        on_done=lambda item, status: progress.advance(task),
                    ),
                    model,
                )
            )
        except KeyboardInterrupt:
            errors_console.print(f"[yellow]{t('grade.interrupted', language)}[/yellow]")
            raise typer.Exit(130) from None
    for item in result.failed:
        errors_console.print(f"[red]{t('grade.failed_item', language, source=item.source, reason=item.error)}[/red]")
    written = write_summary(result, chosen, out, wanted, language)
    if written:
        errors_console.print(t("grade.written", language, paths=", ".join(str(p) for p in written)))
    errors_console.print(
        t(
            "grade.done",
            language,
            graded=len(result.graded),
            skipped=len(result.skipped),
            failed=len(result.failed),
            out=out,
        )
    )
    raise typer.Exit(1 if result.failed else 0)


@app.command("regrade-diff")
def regrade_diff(
    old: Annotated[Path, typer.Argument(help="folder of the earlier reports")],
    new: Annotated[Path, typer.Argument(help="folder of the new reports")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
) -> None:
    """评分变化 · How scores moved per transcript and dimension after a rubric or model change."""
    from roleplay.grading.batch import load_reports

    language: Language = "en" if lang == "en" else "zh"
    before, after = load_reports(old), load_reports(new)
    common = sorted(set(before) & set(after))
    if not common:
        errors_console.print(t("diff.none", language))
        raise typer.Exit(1)
    dims = [d.dimension_id for d in after[common[0]].dimensions]
    names = {d.dimension_id: d.name.get(language) for d in after[common[0]].dimensions}
    table = Table(title=t("diff.heading", language))
    table.add_column(t("summary.file", language))
    table.add_column(t("summary.total", language))
    for dim in dims:
        table.add_column(names[dim], justify="right")
    moves: dict[str, list[float]] = {dim: [] for dim in [*dims, "total"]}
    for key in common:
        old_levels = {d.dimension_id: d.level for d in before[key].dimensions}
        new_levels = {d.dimension_id: d.level for d in after[key].dimensions}
        row = [key, _delta(before[key].total, after[key].total, moves["total"])]
        row += [_delta(old_levels.get(dim), new_levels.get(dim), moves[dim]) for dim in dims]
        table.add_row(*row)
    table.add_row(t("diff.mean", language), *[_mean(moves[d]) for d in ["total", *dims]], end_section=True)
    console.print(table)
    for label, keys in (("diff.only_old", set(before) - set(after)), ("diff.only_new", set(after) - set(before))):
        if keys:
            errors_console.print(t(label, language, keys=", ".join(sorted(keys))))


def _delta(old: float | None, new: float | None, moves: list[float]) -> str:
    if old is None or new is None:
        return f"{old if old is not None else '—'} → {new if new is not None else '—'}"
    moves.append(new - old)
    return "0" if new == old else f"{new - old:+.2f}".rstrip("0").rstrip(".")


def _mean(values: list[float]) -> str:
    return f"{mean(values):+.2f}" if values else "—"
