"""The class summary of a batch: one row per transcript and statistics per dimension, as CSV and Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from statistics import mean, median, pstdev

from roleplay.grading.batch import BatchItem, BatchResult
from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.library.rubric import RubricFile

_KPI_FIELDS = (
    "first_response_seconds",
    "average_response_seconds",
    "qa_ratio",
    "typing_chars_per_minute",
    "agent_messages",
    "duration_seconds",
)


def score_rows(result: BatchResult, rubric: RubricFile, language: Language) -> tuple[list[str], list[list[object]]]:
    """The header and one row per graded transcript."""
    dims = [d.name.get(language) for d in rubric.dimensions]
    header = [
        t(f"summary.{name}", language)
        for name in (
            "file",
            "student",
            "student_id",
            "class",
            "persona",
            "scenario",
            "outcome",
            "total",
            "passed",
            "tagger_total",
            "judge_total",
            "graders",
        )
    ]
    header += dims + [t(f"summary.kpi.{name}", language) for name in _KPI_FIELDS] + [t("summary.flags", language)]
    rows = []
    for item, report in result.graded:
        student = report.student
        levels = {d.dimension_id: d.level for d in report.dimensions}
        kpis = report.kpis.model_dump()
        rows.append(
            [
                item.key,
                student.name if student else None,
                student.student_id if student else None,
                student.class_name if student else None,
                report.persona_name.get(language) if report.persona_name else report.persona,
                report.scenario_title.get(language) if report.scenario_title else report.scenario,
                t(f"outcome.{report.outcome}", language) if report.outcome else None,
                report.total,
                None if report.passed is None else report.passed,
                report.tagger_total,
                report.judge_total,
                "+".join(report.graders),
                *[levels.get(d.dimension_id) for d in rubric.dimensions],
                *[kpis[name] for name in _KPI_FIELDS],
                "; ".join(report.flags),
            ]
        )
    return header, rows


def dimension_stats(
    reports: Sequence[Report], rubric: RubricFile, language: Language
) -> tuple[list[str], list[list[object]]]:
    """Per dimension: how many scored, mean, median, min, max, standard deviation."""
    header = [
        t(f"summary.stats.{name}", language)
        for name in ("dimension", "weight", "n", "mean", "median", "min", "max", "stdev")
    ]
    rows: list[list[object]] = []
    for dim in rubric.dimensions:
        values = [
            d.level for r in reports for d in r.dimensions if d.dimension_id == dim.dimension_id and d.level is not None
        ]
        if values:
            rows.append(
                [
                    dim.name.get(language),
                    dim.weight,
                    len(values),
                    round(mean(values), 2),
                    median(values),
                    min(values),
                    max(values),
                    round(pstdev(values), 2),
                ]
            )
        else:
            rows.append([dim.name.get(language), dim.weight, 0, None, None, None, None, None])
    totals = [r.total for r in reports if r.total is not None]
    if totals:
        rows.append(
            [
                t("summary.total", language),
                None,
                len(totals),
                round(mean(totals), 1),
                median(totals),
                min(totals),
                max(totals),
                round(pstdev(totals), 1),
            ]
        )
    return header, rows


def failure_rows(failed: Sequence[BatchItem], language: Language) -> tuple[list[str], list[list[object]]]:
    """One row per file that could not be graded, with why."""
    return [t("summary.file", language), t("summary.reason", language)], [[item.source, item.error] for item in failed]


def write_summary(
    result: BatchResult, rubric: RubricFile, out_dir: Path, formats: Sequence[str], language: Language
) -> list[Path]:
    """Write ``summary.csv`` / ``dimension_stats.csv`` and/or ``summary.xlsx``; returns the paths written."""
    tables = {
        "summary": score_rows(result, rubric, language),
        "dimension_stats": dimension_stats([r for _, r in result.graded], rubric, language),
        "failed": failure_rows(result.failed, language),
    }
    written = []
    if "csv" in formats:
        for name, (header, rows) in tables.items():
            if name == "failed" and not rows:
                continue
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows(rows)
            path = out_dir / f"{name}.csv"
            path.write_text(buffer.getvalue(), encoding="utf-8-sig")  # BOM: Excel on Windows reads it as UTF-8
            written.append(path)
    if "xlsx" in formats:
        written.append(write_xlsx(tables, out_dir / "summary.xlsx", language))
    return written


def write_xlsx(tables: dict[str, tuple[list[str], list[list[object]]]], path: Path, language: Language) -> Path:
    """Write the tables as one workbook, a sheet each (named from ``summary.sheet.<name>``; ``failed`` if any)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, (header, rows) in tables.items():
        if name == "failed" and not rows:
            continue
        sheet = book.create_sheet(t(f"summary.sheet.{name}", language))
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "B2"
        for index, title in enumerate(header, start=1):
            width = max([len(str(title))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
            sheet.column_dimensions[get_column_letter(index)].width = min(40, max(8, width + 2))
    book.save(path)
    return path
