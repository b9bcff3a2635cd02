"""Graded reports kept in the database, the teacher's score overrides, and what they add up to.

A report row keeps the whole :class:`~roleplay.grading.report.Report` as graded; an override is an
append-only row (who, when, why, the level before and after). The *effective* report applies the
latest override of each dimension and recomputes the total with the grading code's own formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from roleplay.grading.metrics import weighted_total
from roleplay.grading.report import Report
from roleplay.i18n import t
from roleplay.library.common import Language, Outcome
from roleplay.library.rubric import RubricFile
from roleplay.store.schema import AssignmentRow, OverrideRow, ReportRow

ReportSource = Literal["practice", "upload"]
NAME_LIMIT = 100
COMMENT_LIMIT = 2000


class OverrideError(ValueError):
    """An override that cannot be saved; :meth:`message` says why in the teacher's language."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, language: Language) -> str:
        """The reason, from the locale file."""
        return t(self.key, language, **self.values)


class ReportNotFoundError(KeyError):
    """No report with that id."""


class ReportFilter(BaseModel):
    """Which reports a table shows; every field left empty matches everything."""

    model_config = ConfigDict(frozen=True)

    student: str | None = None
    """Part of the student's name or number."""
    student_id: str | None = None
    """Exactly this student number (a student's own history)."""
    assignment_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    outcome: Outcome | None = None
    limit: int = 1000


class OverrideEntry(BaseModel):
    """One teacher change of one dimension's level."""

    model_config = ConfigDict(frozen=True)

    override_id: int
    dimension_id: str
    original_level: float | None
    new_level: float
    comment: str
    teacher: str
    created_at: datetime


class ReportListing(BaseModel):
    """A row of the sessions table (the effective total, not the whole report)."""

    model_config = ConfigDict(frozen=True)

    report_id: int
    source: str
    origin: str | None
    session_id: str | None
    student_name: str | None
    student_id: str | None
    class_name: str | None
    assignment_id: str | None
    persona: str | None
    scenario: str | None
    outcome: str | None
    rubric_id: str
    grader: str
    total: float | None
    original_total: float | None
    overridden: bool
    started_at: datetime | None
    graded_at: datetime

    @property
    def when(self) -> datetime:
        """When the chat took place (the grading time when the transcript had no date)."""
        return self.started_at or self.graded_at


@dataclass(frozen=True)
class SavedReport:
    """A saved report as graded, with its overrides (oldest first)."""

    report_id: int
    source: str
    origin: str | None
    assignment_id: str | None
    report: Report
    overrides: list[OverrideEntry] = field(default_factory=list)

    @property
    def effective(self) -> Report:
        """The report with the teacher's latest level per dimension and the total recomputed."""
        return effective_report(self.report, self.overrides)

    @property
    def overridden_dimensions(self) -> list[str]:
        """The dimensions a teacher changed, in the rubric's order."""
        changed = {entry.dimension_id for entry in self.overrides}
        return [d.dimension_id for d in self.report.dimensions if d.dimension_id in changed]


def effective_report(report: Report, overrides: list[OverrideEntry], rubric: RubricFile | None = None) -> Report:
    """Apply the latest override of each dimension; the total and pass mark follow, the original stays in the log.

    The total is the grading formula over the weights and scale saved in the report, so an edited
    rubric does not change an old report. A chat that was too short to pass stays not passed.
    ``rubric`` (the same one) only supplies the level names of the changed levels.
    """
    if not overrides:
        return report
    latest = {entry.dimension_id: entry for entry in sorted(overrides, key=lambda e: e.override_id)}
    lang = report.language
    descriptors = {d.dimension_id: d.levels for d in rubric.dimensions} if rubric else {}
    dimensions = []
    flags = list(report.flags)
    for dim in report.dimensions:
        entry = latest.get(dim.dimension_id)
        if entry is None:
            dimensions.append(dim)
            continue
        label = next((i.label for i in descriptors.get(dim.dimension_id, []) if i.level == entry.new_level), None)
        dimensions.append(dim.model_copy(update={"level": entry.new_level, "level_label": label}))
        flags.append(
            t(
                "ui.review.flag_override",
                lang,
                dimension=dim.name.get(lang),
                old="-" if entry.original_level is None else f"{entry.original_level:g}",
                new=f"{entry.new_level:g}",
                teacher=entry.teacher,
                comment=entry.comment,
                at=f"{entry.created_at:%Y-%m-%d %H:%M}",
            )
        )
    total = weighted_total([(d.weight, d.level) for d in dimensions], report.scale_max)
    too_short = report.passed is False and report.total is not None and report.total >= report.pass_score
    passed = None if total is None else total >= report.pass_score and not too_short
    return report.model_copy(update={"dimensions": dimensions, "total": total, "passed": passed, "flags": flags})


class ReportStore:
    """Reports and overrides in the database; each call is its own short transaction.

    Async code calls it through :meth:`roleplay.store.SessionStore.run` (the same worker threads).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(
        self,
        report: Report,
        *,
        source: ReportSource,
        assignment_id: str | None = None,
        origin: str | None = None,
    ) -> int:
        """Keep a graded report; returns its id.

        A practice session is kept once: grading it again (a repeated click) returns the first report's id.
        """
        student = report.student
        row = ReportRow(
            session_id=report.session_id if source == "practice" else None,
            source=source,
            origin=origin,
            student_name=student.name if student else None,
            student_id=student.student_id if student else None,
            class_name=student.class_name if student else None,
            assignment_id=assignment_id,
            persona=report.persona,
            scenario=report.scenario,
            outcome=report.outcome,
            rubric_id=report.provenance.rubric_id,
            rubric_hash=report.provenance.rubric_hash,
            grader=report.provenance.judge_model or "tagger",
            total=report.total,
            started_at=report.started_at,
            graded_at=report.provenance.graded_at,
            report=report.model_dump(mode="json"),
        )
        with Session(self.engine) as session, session.begin():
            if row.session_id is not None:
                known = session.scalar(select(ReportRow.report_id).where(ReportRow.session_id == row.session_id))
                if known is not None:
                    return known
            session.add(row)
            session.flush()
            return row.report_id

    def listing(self, where: ReportFilter | None = None) -> list[ReportListing]:
        """The reports matching ``where``, newest first, with effective totals."""
        with Session(self.engine) as session:
            rows = session.scalars(self._query(where or ReportFilter()).options(selectinload(ReportRow.overrides)))
            out = []
            for row in rows:
                total = row.total
                if row.overrides:
                    total = effective_report(_report(row), _entries(row)).total
                out.append(
                    ReportListing(
                        report_id=row.report_id,
                        source=row.source,
                        origin=row.origin,
                        session_id=row.session_id,
                        student_name=row.student_name,
                        student_id=row.student_id,
                        class_name=row.class_name,
                        assignment_id=row.assignment_id,
                        persona=row.persona,
                        scenario=row.scenario,
                        outcome=row.outcome,
                        rubric_id=row.rubric_id,
                        grader=row.grader,
                        total=total,
                        original_total=row.total,
                        overridden=bool(row.overrides),
                        started_at=row.started_at,
                        graded_at=row.graded_at,
                    )
                )
            return out

    def find(self, where: ReportFilter | None = None) -> list[SavedReport]:
        """The whole reports matching ``where``, newest first (for the dashboard and the export)."""
        with Session(self.engine) as session:
            rows = session.scalars(self._query(where or ReportFilter()).options(selectinload(ReportRow.overrides)))
            return [_saved(row) for row in rows]

    def get(self, report_id: int) -> SavedReport:
        """One report with its overrides.

        Raises:
            ReportNotFoundError: no such report.
        """
        with Session(self.engine) as session:
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReportNotFoundError(report_id)
            return _saved(row)

    def history(self, student_id: str) -> list[SavedReport]:
        """One student's own reports, oldest first; an empty number finds nothing."""
        if not student_id:
            return []
        return sorted(self.find(ReportFilter(student_id=student_id)), key=lambda s: s.report_id)

    def student_report(self, student_id: str, report_id: int) -> SavedReport | None:
        """The report if it belongs to ``student_id``, else None (no hint whether it exists)."""
        if not student_id:
            return None
        try:
            saved = self.get(report_id)
        except ReportNotFoundError:
            return None
        owner = saved.report.student.student_id if saved.report.student else None
        return saved if owner == student_id else None

    def assignments(self) -> list[tuple[str, str]]:
        """(assignment_id, title) of every assignment reports were made for, by title (the id when untitled)."""
        with Session(self.engine) as session:
            used = set(session.scalars(select(ReportRow.assignment_id).where(ReportRow.assignment_id.is_not(None))))
            rows = session.execute(select(AssignmentRow.assignment_id, AssignmentRow.title))
            titles = {key: title for key, title in rows}
        return sorted(((key, titles.get(key) or key) for key in used if key), key=lambda pair: pair[1])

    def add_override(
        self, report_id: int, dimension_id: str, new_level: float | None, comment: str | None, teacher: str | None
    ) -> OverrideEntry:
        """Change one dimension's level (appended to the log; the original report stays as graded).

        Raises:
            ReportNotFoundError: no such report.
            OverrideError: no teacher name or comment, an unknown dimension, a level off the scale.
        """
        teacher, comment = (teacher or "").strip(), (comment or "").strip()
        if not teacher:
            raise OverrideError("ui.review.need_teacher")
        if len(teacher) > NAME_LIMIT:
            raise OverrideError("ui.review.teacher_too_long", limit=NAME_LIMIT)
        if not comment:
            raise OverrideError("ui.review.need_comment")
        if len(comment) > COMMENT_LIMIT:
            raise OverrideError("ui.review.comment_too_long", limit=COMMENT_LIMIT)
        with Session(self.engine) as session, session.begin():
            row = session.get(ReportRow, report_id)
            if row is None:
                raise ReportNotFoundError(report_id)
            saved = _saved(row)
            report = saved.report
            dimension = next((d for d in report.dimensions if d.dimension_id == dimension_id), None)
            if dimension is None:
                known = ", ".join(d.dimension_id for d in report.dimensions)
                raise OverrideError("ui.review.unknown_dimension", dimension=dimension_id or "-", known=known)
            if not _on_scale(new_level, report.scale_min, report.scale_max):
                raise OverrideError("ui.review.bad_level", value=new_level, low=report.scale_min, high=report.scale_max)
            assert new_level is not None
            before = effective_report(report, saved.overrides)
            current = next(d.level for d in before.dimensions if d.dimension_id == dimension_id)
            entry = OverrideRow(
                report_id=report_id,
                dimension_id=dimension_id,
                original_level=current,
                new_level=float(new_level),
                comment=comment,
                teacher=teacher,
                created_at=datetime.now(),
            )
            session.add(entry)
            session.flush()
            return _entry(entry)

    def _query(self, where: ReportFilter) -> Select[ReportRow]:
        query = select(ReportRow)
        if where.student_id is not None:
            query = query.where(ReportRow.student_id == where.student_id)
        if where.student:
            needle = where.student.strip()
            query = query.where(or_(ReportRow.student_name.contains(needle), ReportRow.student_id.contains(needle)))
        if where.assignment_id:
            query = query.where(ReportRow.assignment_id == where.assignment_id)
        if where.outcome:
            query = query.where(ReportRow.outcome == where.outcome)
        when = func.coalesce(ReportRow.started_at, ReportRow.graded_at)
        if where.date_from:
            query = query.where(when >= datetime.combine(where.date_from, time.min))
        if where.date_to:
            query = query.where(when < datetime.combine(where.date_to + timedelta(days=1), time.min))
        return query.order_by(ReportRow.graded_at.desc(), ReportRow.report_id.desc()).limit(where.limit)


def _on_scale(level: float | None, low: int, high: int) -> bool:
    """A level on the scale, in whole or half steps (a judge's median can be 3.5)."""
    return level is not None and low <= level <= high and float(level * 2).is_integer()


def _report(row: ReportRow) -> Report:
    return Report.model_validate(row.report)


def _entry(row: OverrideRow) -> OverrideEntry:
    return OverrideEntry(
        override_id=row.override_id,
        dimension_id=row.dimension_id,
        original_level=row.original_level,
        new_level=row.new_level,
        comment=row.comment,
        teacher=row.teacher,
        created_at=row.created_at,
    )


def _entries(row: ReportRow) -> list[OverrideEntry]:
    return [_entry(entry) for entry in row.overrides]


def _saved(row: ReportRow) -> SavedReport:
    return SavedReport(
        report_id=row.report_id,
        source=row.source,
        origin=row.origin,
        assignment_id=row.assignment_id,
        report=_report(row),
        overrides=_entries(row),
    )
