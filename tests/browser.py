"""The system chromium for browser tests (never a downloaded browser), with the flags it needs here."""

from __future__ import annotations

import shutil
import socket

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no system chromium (apt-get install chromium); browsers are never downloaded"
)


def quiet_gradio(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gradio settings of a launched test app: no analytics, no hub, no outside calls (as ``app.py`` sets them)."""
    for name, value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"), ("DO_NOT_TRACK", "1")):
        monkeypatch.setenv(name, value)


def free_port() -> int:
    """A free TCP port on loopback, for an app launched by a test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
