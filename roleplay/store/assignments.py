"""Keeping assignments: create, list with status and completion, open ones for a student, close/reopen/archive."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, distinct, func, select
from sqlalchemy.orm import Session

from roleplay.assignment import Assignment, AssignmentDraft, AssignmentStatus
from roleplay.store.schema import AssignmentRow, SessionRow


class AssignmentNotFoundError(KeyError):
    """No assignment with that id."""


class AssignmentOverview(BaseModel):
    """One line of the teacher's table: the assignment, its status now, how many students started and finished."""

    model_config = ConfigDict(frozen=True)

    assignment: Assignment
    status: AssignmentStatus
    started: int
    finished: int


class AssignmentStore:
    """Assignments in the database (the sessions table says who started and finished each).

    Every call is its own short transaction and blocking; async code calls through
    :meth:`roleplay.store.SessionStore.run` on the same engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, draft: AssignmentDraft, *, created_by: str, now: datetime) -> Assignment:
        """Save a checked draft as a new assignment."""
        assignment = Assignment(
            **draft.model_dump(), assignment_id=str(uuid.uuid4()), created_at=now, created_by=created_by
        )
        row = AssignmentRow(
            assignment_id=assignment.assignment_id,
            title=assignment.title,
            scenario=assignment.scenario,
            rubric=assignment.rubric,
            personas=list(assignment.personas),
            class_name=assignment.class_code,
            time_limit_minutes=assignment.time_limit_minutes,
            opens_at=assignment.opens_at,
            closes_at=assignment.closes_at,
            note=assignment.note or None,
            created_at=now,
            created_by=created_by,
            archived=False,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
        return assignment

    def get(self, assignment_id: str) -> Assignment:
        """One assignment.

        Raises:
            AssignmentNotFoundError: no such assignment.
        """
        with Session(self.engine) as session:
            row = session.get(AssignmentRow, assignment_id)
            if row is None:
                raise AssignmentNotFoundError(assignment_id)
            return _assignment(row)

    def all(self) -> list[Assignment]:
        """Every assignment, newest first."""
        with Session(self.engine) as session:
            rows = session.scalars(select(AssignmentRow).order_by(AssignmentRow.created_at.desc()))
            return [_assignment(row) for row in rows]

    def overview(self, now: datetime) -> list[AssignmentOverview]:
        """Every assignment (newest first) with its status and how many students started and finished it.

        A student counts once however many attempts they made; finished means at least one ended chat.
        """
        assignments = self.all()
        by_student = func.count(distinct(SessionRow.student_id))
        assigned = select(SessionRow.assignment_id, by_student).where(SessionRow.assignment_id.is_not(None))
        with Session(self.engine) as session:
            started = {aid: n for aid, n in session.execute(assigned.group_by(SessionRow.assignment_id))}
            ended = assigned.where(SessionRow.ended_at.is_not(None)).group_by(SessionRow.assignment_id)
            finished = {aid: n for aid, n in session.execute(ended)}
        return [
            AssignmentOverview(
                assignment=a,
                status=a.status(now),
                started=started.get(a.assignment_id, 0),
                finished=finished.get(a.assignment_id, 0),
            )
            for a in assignments
        ]

    def open_for(self, class_code: str | None, now: datetime) -> list[Assignment]:
        """The assignments a student signed in with ``class_code`` can start now, closing soonest first."""
        chosen = [a for a in self.all() if a.status(now) == "open" and a.is_for(class_code)]
        return sorted(chosen, key=lambda a: (a.closes_at or datetime.max, a.title))

    def finished_by(self, student_id: str) -> set[str]:
        """The ids of the assignments this student has finished (ended) at least once."""
        with Session(self.engine) as session:
            return set(
                session.scalars(
                    select(SessionRow.assignment_id)
                    .distinct()
                    .where(
                        SessionRow.student_id == student_id,
                        SessionRow.assignment_id.is_not(None),
                        SessionRow.ended_at.is_not(None),
                    )
                )
            )

    def first_start(self, assignment_id: str, student_id: str) -> datetime | None:
        """When this student first started this assignment (the time limit counts from then), or None."""
        with Session(self.engine) as session:
            return session.scalar(
                select(func.min(SessionRow.started_at)).where(
                    SessionRow.assignment_id == assignment_id, SessionRow.student_id == student_id
                )
            )

    def close(self, assignment_id: str, now: datetime) -> Assignment:
        """Close it now (students can no longer start it; chats already going on may finish)."""
        with Session(self.engine) as session, session.begin():
            row = self._row(session, assignment_id)
            if row.closes_at is None or row.closes_at > now:
                row.closes_at = now
            return _assignment(row)

    def reopen(self, assignment_id: str, now: datetime) -> Assignment:
        """Bring it back from the archive and take away a close time that has passed (open until closed again)."""
        with Session(self.engine) as session, session.begin():
            row = self._row(session, assignment_id)
            row.archived = False
            if row.closes_at is not None and row.closes_at <= now:
                row.closes_at = None
            return _assignment(row)

    def archive(self, assignment_id: str) -> Assignment:
        """Hide it from students and mark it archived (its sessions stay)."""
        with Session(self.engine) as session, session.begin():
            row = self._row(session, assignment_id)
            row.archived = True
            return _assignment(row)

    @staticmethod
    def _row(session: Session, assignment_id: str) -> AssignmentRow:
        row = session.get(AssignmentRow, assignment_id)
        if row is None:
            raise AssignmentNotFoundError(assignment_id)
        return row


def _assignment(row: AssignmentRow) -> Assignment:
    return Assignment(
        assignment_id=row.assignment_id,
        title=row.title,
        scenario=row.scenario,
        rubric=row.rubric or "",
        personas=list(row.personas),
        class_code=row.class_name,
        time_limit_minutes=row.time_limit_minutes,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        note=row.note or "",
        created_at=row.created_at,
        created_by=row.created_by,
        archived=row.archived,
    )
