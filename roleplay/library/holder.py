"""The library a running app uses, replaced as a whole when a teacher saves a file."""

from __future__ import annotations

import threading
from pathlib import Path

from roleplay.library.catalog import Library


class LibraryHolder:
    """Holds the current :class:`Library`; handlers read :attr:`current` once per request.

    A reload builds a new library and swaps the reference, so a request that already took the
    old one finishes with it (a chat in progress keeps its persona and scenario objects); the
    next request sees the new files. Nothing mutates a library after it is built.
    """

    def __init__(self, library: Library) -> None:
        self._library = library
        self._lock = threading.Lock()

    @property
    def current(self) -> Library:
        """The library as last loaded."""
        return self._library

    @property
    def root(self) -> Path:
        """The folder holding ``personas/`` and ``rubrics/``."""
        return self._library.root

    def reload(self) -> Library:
        """Load the library again from its folder and make it current; returns it."""
        with self._lock:  # two saves at once load one after the other: the later load wins
            library = Library.load(self._library.root)
            self._library = library
        return library
