"""Opening the database and keeping its schema current."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from roleplay.store.schema import AssignmentRow, Base, MigrationRow, OverrideRow, ReportRow


def _initial(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def _teacher_side(engine: Engine) -> None:
    """Assignments, graded reports and score overrides; sessions remember their assignment."""
    tables = [AssignmentRow.__table__, ReportRow.__table__, OverrideRow.__table__]
    Base.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    columns = {column["name"] for column in inspect(engine).get_columns("sessions")}
    if "assignment_id" not in columns:  # a database made by 0001 before the column was in the model
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE sessions ADD COLUMN assignment_id VARCHAR(36)"))
            connection.execute(text("CREATE INDEX ix_sessions_assignment_id ON sessions (assignment_id)"))


# Append-only: each migration runs once, in order; never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[Engine], None]]] = [
    ("0001_initial", _initial),
    ("0002_teacher_side", _teacher_side),
]


def database_url(data_dir: Path, url: str | None) -> str:
    """The configured URL, or a SQLite file ``roleplay.db`` in ``data_dir``."""
    if url:
        return url
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'roleplay.db').as_posix()}"


def open_database(url: str) -> Engine:
    """Connect and run pending migrations. SQLite gets WAL mode for concurrent readers."""
    # A server may drop idle connections, so they are tested before use; a SQLite file has no server.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: object, _record: object) -> None:
            cursor = connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    try:
        MigrationRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    except DBAPIError:  # another instance created it a moment ago
        if not inspect(engine).has_table(MigrationRow.__tablename__):
            raise
    for name, migrate in MIGRATIONS:
        _apply(engine, name, migrate)
    return engine


def _apply(engine: Engine, name: str, migrate: Callable[[Engine], None], seconds: float = 30) -> None:
    """Run migration ``name`` unless it is recorded as done, then record it.

    Instances starting at once (several app processes on one database, or the app and the CLI) race on
    the same migration, and on SQLite each table's creation is its own step: every racer may fail on a
    table another one created, or on the database being locked. So a failed attempt looks again a
    moment later and runs the migration again if nobody has recorded it (every migration checks what
    exists first, so running it twice is safe).
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            if name in _applied(engine):
                return
            migrate(engine)
            with Session(engine) as session, session.begin():
                session.add(MigrationRow(name=name, applied_at=datetime.now()))
            return
        except DBAPIError:
            if time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.05, 0.2))  # apart, so the racers do not collide again in step


def _applied(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(MigrationRow.name)))
