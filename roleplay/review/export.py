"""The class export: the batch summary's tables (CSV and Excel) from saved reports, with effective scores.

Rows and per-dimension statistics come from :mod:`roleplay.grading.summary`; this module only adds
the columns a saved report has beyond a graded file (id, date, assignment, rubric, overridden) and
puts the reports of several rubrics into one table (dimension columns matched by name).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from roleplay.grading.batch import BatchItem, BatchResult
from roleplay.grading.summary import dimension_stats, failure_rows, score_rows, write_xlsx
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.library.common import Language
from roleplay.store.reports import SavedReport

Table = tuple[list[str], list[list[object]]]


@dataclass(frozen=True)
class ClassExport:
    """The files written and how many reports they hold."""

    csv_file: Path
    xlsx_file: Path
    rows: int
    skipped: int


def export_tables(saved: list[SavedReport], library: Library, language: Language) -> dict[str, Table]:
    """The ``summary``, ``dimension_stats`` and ``failed`` tables (oldest report first).

    A report whose rubric is no longer in the library goes to ``failed`` with the reason.
    """
    groups: dict[str, list[SavedReport]] = {}
    failed: list[BatchItem] = []
    for item in sorted(saved, key=lambda s: s.report_id):
        rubric_id = item.report.provenance.rubric_id
        if rubric_id in library.rubrics:
            groups.setdefault(rubric_id, []).append(item)
        else:
            reason = t("ui.review.export_no_rubric", language, rubric=rubric_id)
            failed.append(BatchItem(key=_key(item), source=_key(item), error=reason))
    summaries: list[Table] = []
    stats: list[Table] = []
    for rubric_id, items in groups.items():
        rubric = library.rubrics[rubric_id]
        effective = [item.effective for item in items]
        result = BatchResult(
            graded=[(BatchItem(key=_key(i), source=_key(i)), r) for i, r in zip(items, effective, strict=True)]
        )
        header, rows = score_rows(result, rubric, language)
        names = {d.dimension_id: d.name.get(language) for d in rubric.dimensions}
        at_total = header.index(t("summary.total", language)) + 1
        extra_front = [t("ui.review.col.report_id", language), t("ui.review.col.date", language)]
        extra_back = [t(f"ui.review.col.{name}", language) for name in ("assignment", "rubric", "source")]
        header = [*extra_front, *header[:at_total], t("ui.review.col.overridden", language), *header[at_total:]]
        header += extra_back
        out_rows = []
        for item, report, row in zip(items, effective, rows, strict=True):
            when = report.started_at or report.provenance.graded_at
            changed = "、".join(names.get(d, d) for d in item.overridden_dimensions)
            out_rows.append(
                [
                    item.report_id,
                    f"{when:%Y-%m-%d %H:%M}",
                    *row[:at_total],
                    changed,
                    *row[at_total:],
                    item.assignment_id,
                    rubric.name.get(language),
                    t(f"ui.review.source.{item.source}", language),
                ]
            )
        summaries.append((header, out_rows))
        stat_header, stat_rows = dimension_stats(effective, rubric, language)
        rubric_column = t("ui.review.col.rubric", language)
        stats.append(([rubric_column, *stat_header], [[rubric.name.get(language), *r] for r in stat_rows]))
    return {"summary": _merge(summaries), "dimension_stats": _merge(stats), "failed": failure_rows(failed, language)}


def export_class(saved: list[SavedReport], library: Library, out_dir: Path, language: Language) -> ClassExport:
    """Write ``class-<time>.csv`` (the scores) and ``class-<time>.xlsx`` (scores, statistics, not exported)."""
    tables = export_tables(saved, library, language)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"class-{datetime.now():%Y%m%d-%H%M%S-%f}"
    header, rows = tables["summary"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    csv_file = stem.with_suffix(".csv")
    temporary = csv_file.with_name(f".{csv_file.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8-sig")  # BOM: Excel on Windows reads it as UTF-8
    os.replace(temporary, csv_file)
    xlsx_file = write_xlsx(tables, stem.with_suffix(".xlsx"), language)
    return ClassExport(csv_file=csv_file, xlsx_file=xlsx_file, rows=len(rows), skipped=len(tables["failed"][1]))


def _key(item: SavedReport) -> str:
    """What the "file" column shows: the uploaded file's name, or the practice session's id."""
    return item.origin or item.report.session_id or f"#{item.report_id}"


def _merge(tables: list[Table]) -> Table:
    """One table from several: columns matched by header, in order of first appearance."""
    if not tables:
        return [], []
    header: list[str] = []
    for columns, _ in tables:
        header += [name for name in columns if name not in header]
    rows = []
    for columns, table_rows in tables:
        where = {name: index for index, name in enumerate(columns)}
        rows += [[row[where[name]] if name in where else None for name in header] for row in table_rows]
    return header, rows
