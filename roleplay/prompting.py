"""Prompt template files (``roleplay/prompts/``): rendering with strict variables, and their version."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from roleplay.datafile import load_yaml

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_ENV = Environment(
    loader=FileSystemLoader(PROMPTS_DIR), undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False
)


@cache
def prompt_version() -> str:
    """A short hash of every prompt file: stamped on outputs so results stay comparable after an edit."""
    digest = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def render_prompt(template: str, /, **values: object) -> str:
    """Render the template file ``template``; a missing variable is an error."""
    return _ENV.get_template(template).render(**values)


@cache
def template_phrases(template: str, /) -> tuple[str, ...]:
    """The fixed wording of a template file: its lines with every ``{{ ... }}`` and ``{% ... %}`` cut out
    (what a model must not say back to the user)."""
    source = (PROMPTS_DIR / template).read_text(encoding="utf-8")
    pieces = (piece.strip() for line in source.splitlines() for piece in _JINJA_TAG.split(line))
    return tuple(piece for piece in pieces if piece)


@cache
def prompt_data(name: str) -> dict[str, object]:
    """A YAML data file beside the templates (e.g. ``situations.yaml``)."""
    data: dict[str, object] = load_yaml((PROMPTS_DIR / name).read_text(encoding="utf-8"))
    return data
