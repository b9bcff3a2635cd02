"""Command-line interface: ``roleplay validate|list|show|tag|...``.

Each command module registers its commands on :data:`roleplay.cli.app.app`; heavy imports
(gradio, langchain) stay inside the commands so that ``roleplay --help`` starts fast.
"""

from __future__ import annotations

from roleplay.cli import chat, grade, library, local, tag  # noqa: F401  (modules register their commands)
from roleplay.cli.app import app


def main() -> None:
    """Entry point of the ``roleplay`` console script."""
    app()
