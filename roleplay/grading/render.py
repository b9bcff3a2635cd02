"""The grading report as Markdown and as a standalone HTML page, in the report's language.

Templates live in ``roleplay/templates/`` and render with strict variables (a missing one is an
error), HTML autoescaped. :mod:`roleplay.grading.report_view` formats every text beforehand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from roleplay.grading.report import Report
from roleplay.grading.report_view import DASH, build_view
from roleplay.i18n import t
from roleplay.library.common import Language

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# A batch writes reports from several threads; without the lock each of them compiled the same template
# at the start of the run (about 65 ms of CPU each, taken from the event loop making the judge calls).
_LOADING = threading.Lock()


def _md_cell(value: object) -> str:
    """A Markdown table cell: pipes escaped, line breaks flattened."""
    return str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


@cache
def _environment(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _md_cell
    return env


def _template(name: str) -> Template:
    with _LOADING:
        return _environment(name.endswith(".html.j2")).get_template(name)


def _translator(language: Language) -> Callable[..., str]:
    def tr(key: str, **values: object) -> str:
        return t(key, language, **values)

    return tr


def render_markdown(report: Report) -> str:
    """The report as Markdown: tables for levels and KPIs, evidence, suggestions, transcript.

    Args:
        report: the graded transcript.

    Returns:
        Markdown text in ``report.language``.
    """
    view = build_view(report, charts=False)
    template = _template("report.md.j2")
    return template.render(v=view, tr=_translator(report.language), dash=DASH)


def render_html(report: Report) -> str:
    """The report as one standalone HTML page (inline CSS and SVG; no script, no network).

    Args:
        report: the graded transcript.

    Returns:
        A complete HTML document in ``report.language``, readable on a phone and printable.
    """
    view = build_view(report)
    template = _template("report.html.j2")
    return template.render(v=view, tr=_translator(report.language), dash=DASH)
