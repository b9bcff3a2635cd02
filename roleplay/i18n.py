"""User-facing texts in one place (``roleplay/locales/messages.yaml``), Chinese first."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from roleplay.datafile import load_yaml
from roleplay.library.common import Language

_MESSAGES_FILE = Path(__file__).resolve().parent / "locales" / "messages.yaml"


@cache
def _messages() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = load_yaml(_MESSAGES_FILE.read_text(encoding="utf-8"))
    return data


def t(key: str, language: Language = "zh", **values: object) -> str:
    """The text for ``key`` in ``language`` (Chinese when no translation), with ``{name}`` filled.

    Raises:
        KeyError: an unknown key (a programming error, caught by the tests).
    """
    entry = _messages()[key]
    text = entry.get(language) or entry["zh"]
    return text.format(**values) if values else text


def keys() -> list[str]:
    """Every message key (for tests)."""
    return list(_messages())
