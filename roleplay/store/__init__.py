"""Persistence: SQLAlchemy, a SQLite file by default, PostgreSQL by URL."""

from roleplay.store.db import database_url, open_database
from roleplay.store.sessions import NewSession, SessionNotFoundError, SessionStore

__all__ = ["NewSession", "SessionNotFoundError", "SessionStore", "database_url", "open_database"]
