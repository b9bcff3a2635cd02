"""Database tables (SQLAlchemy 2 ORM). SQLite by default; a PostgreSQL URL works the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
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


class MigrationRow(Base):
    """Which schema migrations have run (append-only list in :mod:`roleplay.store.db`)."""

    __tablename__ = "migrations"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime)
