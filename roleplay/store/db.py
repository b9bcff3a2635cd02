"""Opening the database and keeping its schema current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from roleplay.store.schema import Base, MigrationRow


def _initial(engine: Engine) -> None:
    Base.metadata.create_all(engine)


# Append-only: each migration runs once, in order; never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[Engine], None]]] = [
    ("0001_initial", _initial),
]


def database_url(data_dir: Path, url: str | None) -> str:
    """The configured URL, or a SQLite file ``roleplay.db`` in ``data_dir``."""
    if url:
        return url
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'roleplay.db').as_posix()}"


def open_database(url: str) -> Engine:
    """Connect and run pending migrations. SQLite gets WAL mode for concurrent readers."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: object, _record: object) -> None:
            cursor = connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    MigrationRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    with Session(engine) as session:
        done = set(session.scalars(select(MigrationRow.name)))
    for name, migrate in MIGRATIONS:
        if name in done:
            continue
        migrate(engine)
        with Session(engine) as session, session.begin():
            session.add(MigrationRow(name=name, applied_at=datetime.now()))
    return engine
