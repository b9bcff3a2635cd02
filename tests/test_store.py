"""The database: SQLite by default, a real PostgreSQL server too; several app instances share one database."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from roleplay.customer.engine import ChatSession
from roleplay.library import Library
from roleplay.store import SessionStore, open_database
from tests.conftest import PROJECT_ROOT
from tests.postgres import needs_postgres, postgres_server
from tests.students import good, poor, practise

LIBRARY = Library.load(PROJECT_ROOT)


@pytest.fixture(
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=needs_postgres)]
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database's URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'roleplay.db').as_posix()}"
        return
    with postgres_server() as url:
        yield url


def test_two_instances_share_one_database(database: str) -> None:
    """Two app instances (two engines on one URL): a chat started on one goes on exactly on the other."""
    first, second = SessionStore(open_database(database)), SessionStore(open_database(database))

    async def run() -> tuple[ChatSession, ChatSession, list[str]]:
        started = await practise(LIBRARY, first, "wang_jianguo", "aircon_after_sales", good, turns=3)
        moved = await ChatSession.resume(
            started.session_id, persona=started.persona, scenario=started.scenario, store=second, model=None
        )
        assert moved.state == started.state
        replies = [e.text async for e in moved.send("师傅今天下午三点前上门，这是您的工单号。") if e.kind == "done"]
        return started, moved, replies

    started, moved, replies = asyncio.run(run())
    assert len(replies) == 1
    seen_by_first = first.transcript(started.session_id)
    assert [t.text for t in seen_by_first.turns] == [t.text for t in moved.turns]
    assert seen_by_first.turns[-1].state is not None  # the state after the last reply is saved with it
    assert seen_by_first.turns[-2].acts  # and the tagger's acts on the student's message


def test_concurrent_chats_keep_every_message(database: str) -> None:
    """Twelve chats at once through two instances: every message is saved, in order, in its own session."""
    stores = [SessionStore(open_database(database)), SessionStore(open_database(database))]

    async def run() -> list[ChatSession]:
        chats = [
            practise(LIBRARY, stores[n % 2], persona, "aircon_after_sales", student, turns=4, seed=n)
            for n, (persona, student) in enumerate(
                [(p, s) for p in ("wang_jianguo", "chen_xiaoyu", "zhao_kai") for s in (good, poor)] * 2
            )
        ]
        return list(await asyncio.gather(*chats))

    sessions = asyncio.run(run())
    saved = set(stores[0].session_ids())
    assert {s.session_id for s in sessions} <= saved and len(saved) == 12
    for session in sessions:
        turns = stores[1].transcript(session.session_id).turns
        assert [t.text for t in turns] == [t.text for t in session.turns]
        assert [t.role for t in turns][:2] == ["customer", "agent"]


def test_a_chat_message_is_written_in_place_on_sqlite_and_by_a_worker_on_a_server(database: str) -> None:
    """SQLite writes a message on the event loop's own thread (a hand-over waits for the interpreter lock);
    a server database, which answers over the network, gets it from a worker thread."""
    store = SessionStore(open_database(database))

    async def writer() -> tuple[threading.Thread, threading.Thread]:
        return threading.current_thread(), await store.run_quick(threading.current_thread)

    loop_thread, written_by = asyncio.run(writer())
    assert (written_by is loop_thread) == database.startswith("sqlite")


def test_instances_starting_at_once_on_a_new_database(database: str) -> None:
    """Several instances (app processes, the CLI) opening a new database at the same moment all start."""
    at_once = threading.Barrier(6)

    def start() -> Engine:
        at_once.wait()
        return open_database(database)

    with ThreadPoolExecutor(max_workers=6) as pool:
        engines = list(pool.map(lambda _: start(), range(6)))
    with engines[0].connect() as connection:
        names = [row[0] for row in connection.execute(text("SELECT name FROM migrations ORDER BY name"))]
    assert names == ["0001_initial", "0002_teacher_side"]
    assert {"sessions", "turns", "assignments", "reports", "overrides"} <= set(inspect(engines[-1]).get_table_names())


def test_a_session_remembers_its_assignment(database: str) -> None:
    store = SessionStore(open_database(database))

    async def run() -> str:
        session = await ChatSession.start(
            persona=LIBRARY.persona("wang_jianguo"),
            scenario=LIBRARY.scenarios["aircon_after_sales"],
            store=store,
            model=None,
            model_name="offline",
            assignment_id="week-3",
        )
        return session.session_id

    session_id = asyncio.run(run())
    assert store.assignment_of(session_id) == "week-3"


def test_an_old_database_is_upgraded_in_place(tmp_path: Path) -> None:
    """A database made before the teacher-side tables keeps its sessions and gains the new tables and column."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(
            """
            CREATE TABLE sessions (session_id VARCHAR(36) PRIMARY KEY, persona VARCHAR(200));
            INSERT INTO sessions VALUES ('kept', 'wang_jianguo');
            CREATE TABLE migrations (name VARCHAR(100) PRIMARY KEY, applied_at DATETIME);
            INSERT INTO migrations VALUES ('0001_initial', '2026-01-01 00:00:00');
            """
        )
    engine = open_database(f"sqlite:///{path.as_posix()}")
    schema = inspect(engine)
    assert {"assignments", "reports", "overrides"} <= set(schema.get_table_names())
    assert "assignment_id" in {c["name"] for c in schema.get_columns("sessions")}
    with sqlite3.connect(path) as upgraded:
        assert upgraded.execute("SELECT session_id FROM sessions").fetchall() == [("kept",)]
        names = [row[0] for row in upgraded.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == ["0001_initial", "0002_teacher_side"]
    open_database(f"sqlite:///{path.as_posix()}")  # running again changes nothing and does not fail
