"""A throwaway PostgreSQL server for tests, from Debian's postgresql package (never downloaded).

The server gets its own data folder (a temp folder of its own: pytest's are closed to other users), listens on 127.0.0.1 only, on
a free port, trusts local connections, and is stopped when the fixture ends. PostgreSQL refuses to
run as root, so as root the server runs as the ``postgres`` system user that the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _server_user() -> str | None:
    """Who runs the server: ourselves, or ``postgres`` when we are root (None: nobody can)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return None


INITDB, PG_CTL = _binary("initdb"), _binary("pg_ctl")
SERVER_USER = _server_user()
_problem = (
    "no PostgreSQL server binaries (apt-get install postgresql)"
    if INITDB is None or PG_CTL is None
    else "running as root and there is no postgres system user"
    if SERVER_USER is None
    else None
)
try:
    import psycopg  # noqa: F401
except ImportError:
    _problem = _problem or "no PostgreSQL driver (pip install 'psycopg[binary]')"

needs_postgres = pytest.mark.skipif(_problem is not None, reason=_problem or "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER or "", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yields its SQLAlchemy URL; stops it (fast) and deletes its files at the end."""
    assert INITDB and PG_CTL and SERVER_USER
    folder = Path(tempfile.mkdtemp(prefix="roleplay-pg-"))
    data = folder / "pgdata"
    if os.geteuid() == 0:
        shutil.chown(folder, user=SERVER_USER)
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(_as_server_user([INITDB, "-D", str(data), "-A", "trust", "-U", "roleplay", "-E", "UTF8"]), **run)
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    log = folder / "server.log"
    subprocess.run(_as_server_user([PG_CTL, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]), **run)
    try:
        yield f"postgresql+psycopg://roleplay@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([PG_CTL, "-D", str(data), "-m", "fast", "-w", "stop"]), **run)
        shutil.rmtree(folder, ignore_errors=True)
