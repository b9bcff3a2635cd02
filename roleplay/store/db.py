"""Opening the database and keeping its schema current."""

from __future__ import annotations

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
        if name in _applied(engine):
            continue
        try:
            migrate(engine)
            with Session(engine) as session, session.begin():
                session.add(MigrationRow(name=name, applied_at=datetime.now()))
        except DBAPIError:
            # Two instances starting at once (several app processes on one database, or the app and the CLI)
            # race on the same migration: the loser waits for the winner to record it.
            if not _recorded_soon(engine, name):
                raise
    return engine


def _applied(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(MigrationRow.name)))


def _recorded_soon(engine: Engine, name: str, seconds: float = 30) -> bool:
    """Whether another process records migration ``name`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if name in _applied(engine):
            return True
        time.sleep(0.1)
    return False
