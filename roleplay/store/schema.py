"""Database tables (SQLAlchemy 2 ORM). SQLite by default; a PostgreSQL URL works the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Base of every table."""


class SessionRow(Base):
    """One practice session (persona x scenario x rubric, for one student)."""

    __tablename__ = "sessions"

    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    persona: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(100))
    rubric: Mapped[str | None] = mapped_column(String(100))
    student_name: Mapped[str | None] = mapped_column(String(100))
    student_id: Mapped[str | None] = mapped_column(String(50), index=True)
    class_name: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="ongoing")
    guess: Mapped[dict[str, str] | None] = mapped_column(JSON)
    assignment_id: Mapped[str | None] = mapped_column(String(36), index=True)

    turns: Mapped[list[TurnRow]] = relationship(
        back_populates="session", order_by="TurnRow.position", cascade="all, delete-orphan"
    )


class TurnRow(Base):
    """One message. Written before the model is called, so nothing a student typed is lost."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    turn_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.session_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    acts: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    state: Mapped[dict[str, object] | None] = mapped_column(JSON)
    voice: Mapped[str | None] = mapped_column(String(20))

    session: Mapped[SessionRow] = relationship(back_populates="turns")


class AssignmentRow(Base):
    """A teacher's assignment: one persona x scenario x rubric, or a pool of personas to draw from."""

    __tablename__ = "assignments"

    assignment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(100))
    rubric: Mapped[str | None] = mapped_column(String(100))
    personas: Mapped[list[str]] = mapped_column(JSON, doc="one persona spec, or the pool a student draws from")
    class_name: Mapped[str | None] = mapped_column(String(100), doc="only this class sees it; None: everyone")
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class ReportRow(Base):
    """A graded report: of a practice session, or of an uploaded transcript (no session row then)."""

    __tablename__ = "reports"

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source: Mapped[str] = mapped_column(String(20), doc="practice | upload")
    origin: Mapped[str | None] = mapped_column(String(300), doc="the uploaded file's name")
    student_name: Mapped[str | None] = mapped_column(String(100))
    student_id: Mapped[str | None] = mapped_column(String(50), index=True)
    class_name: Mapped[str | None] = mapped_column(String(100))
    assignment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    persona: Mapped[str | None] = mapped_column(String(200))
    scenario: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))
    rubric_id: Mapped[str] = mapped_column(String(100))
    rubric_hash: Mapped[str] = mapped_column(String(64))
    grader: Mapped[str] = mapped_column(String(200), doc="the judge model, or 'tagger'")
    total: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    graded_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    report: Mapped[dict[str, object]] = mapped_column(JSON, doc="the whole Report, as JSON")

    overrides: Mapped[list[OverrideRow]] = relationship(
        back_populates="report", order_by="OverrideRow.override_id", cascade="all, delete-orphan"
    )


class OverrideRow(Base):
    """A teacher's change of one score, with a comment. Append-only: the report keeps the original."""

    __tablename__ = "overrides"

    override_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.report_id"), index=True)
    dimension_id: Mapped[str] = mapped_column(String(100))
    original_level: Mapped[float | None] = mapped_column(Float)
    new_level: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    teacher: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    report: Mapped[ReportRow] = relationship(back_populates="overrides")


class MigrationRow(Base):
    """Which schema migrations have run (append-only list in :mod:`roleplay.store.db`)."""

    __tablename__ = "migrations"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime)
