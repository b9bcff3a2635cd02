"""The library browser: personas, trait combinations, scenarios and rubrics, in Chinese or English.

A thin adapter: everything it shows comes from :mod:`roleplay.library` and its describers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from roleplay.i18n import t
from roleplay.library import Language, Library, UnknownPersonaError
from roleplay.library.describe import describe_persona, describe_rubric, describe_scenario
from roleplay.library.holder import LibraryHolder
from roleplay.library.trait import AXES
from roleplay.llm import local_mode_line
from roleplay.settings import Settings

NONE = ""


def persona_markdown(library: Library, spec: str | None, language: Language) -> str:
    """The composed persona's description, or a helpful message."""
    if not spec:
        return t("ui.empty", language)
    try:
        return describe_persona(library.persona(spec), language)
    except UnknownPersonaError as exc:
        return f"⚠️ {exc}"


def combination_spec(behaviour: str | None, style: str | None, buying: str | None, difficulty: str | None) -> str:
    """The persona spec for the chosen traits (empty choices left out)."""
    return "+".join(token for token in (behaviour, style, buying, difficulty) if token)


def scenario_markdown(library: Library, scenario_id: str | None, language: Language, teacher: bool) -> str:
    """The scenario's description for the student, or with the teacher's hidden side."""
    scenario = library.scenarios.get(scenario_id or "")
    return describe_scenario(scenario, language, teacher) if scenario else t("ui.empty", language)


def rubric_markdown(library: Library, rubric_id: str | None, language: Language) -> str:
    """The rubric's description."""
    rubric = library.rubrics.get(rubric_id or "")
    return describe_rubric(rubric, language) if rubric else t("ui.empty", language)


def errors_markdown(library: Library, language: Language) -> str:
    """A warning listing the library's file problems, or nothing."""
    if not library.errors:
        return ""
    lines = [t("ui.errors", language, count=len(library.errors))]
    lines += [f"- `{error}`" for error in library.errors[:20]]
    return "\n".join(lines)


def mode_banner(settings: Settings) -> str:
    """Which mode is on: offline, or the configured model's name."""
    if settings.mode == "offline":
        return t("ui.offline_banner", settings.language)
    if settings.mode == "local":
        return local_mode_line(settings, settings.language)
    base_url = settings.base_url or "api.openai.com"
    return t("ui.model_banner", settings.language, model=settings.customer_model, base_url=base_url)


def build_library_app(settings: Settings) -> gr.Blocks:
    """Build the Gradio app that browses the library at ``settings.library_dir``."""
    library = Library.load(settings.library_dir)
    demo = gr.Blocks(title=t("ui.title", settings.language))
    with demo:
        gr.Markdown(f"# {t('ui.title', settings.language)}")
        gr.Markdown(mode_banner(settings), elem_id="mode-banner")
        build_library_tab(settings, library)
    return demo


@dataclass(frozen=True)
class LibraryTabRefresh:
    """Call ``update`` with ``outputs`` to show the library as it is now (after a teacher saved a file)."""

    outputs: list[Any]
    update: Callable[[], list[Any]]


def _choices(library: Library, lang: Language) -> dict[str, list[tuple[str, str]]]:
    def listed(items: dict[str, Any], label: Any) -> list[tuple[str, str]]:
        return [(f"{label(item)} · {key}", key) for key, item in sorted(items.items())]

    found = {
        "persona": listed(library.personas, lambda p: p.name.get(lang)),
        "scenario": listed(library.scenarios, lambda s: s.title.get(lang)),
        "rubric": listed(library.rubrics, lambda r: r.name.get(lang)),
    }
    for axis in AXES:
        options = [(library.traits[i].name.get(lang) + f" · {i}", i) for i in library.trait_ids(axis)]
        found[axis] = [(t("ui.none", lang), NONE), *options] if axis == "buying" else options
    return found


def build_library_tab(
    settings: Settings, source: Library | LibraryHolder, note_key: str = "ui.library_note"
) -> LibraryTabRefresh:
    """Lay out the library browser in the current Blocks or tab (its note from ``note_key``).

    Every handler reads the library from ``source`` when it runs, so saved edits show up.
    """
    lang: Language = settings.language
    holder = source if isinstance(source, LibraryHolder) else LibraryHolder(source)
    library = holder.current
    choices = _choices(library, lang)
    first = {name: (choices[name][0][1] if choices[name] else None) for name in ("persona", "scenario", "rubric")}

    gr.Markdown(t(note_key, lang))
    errors_view = gr.Markdown(errors_markdown(library, lang), elem_id="library-errors")
    language = gr.Radio(["zh", "en"], value=lang, label=t("ui.language", lang), interactive=True)
    with gr.Tab(t("ui.tab.personas", lang)):
        persona = gr.Dropdown(choices["persona"], value=first["persona"], label=t("ui.persona", lang), interactive=True)
        persona_view = gr.Markdown(persona_markdown(library, first["persona"], lang))
    with gr.Tab(t("ui.tab.combine", lang)):
        with gr.Row():
            axis_inputs = []
            for axis in AXES:
                options = choices[axis]
                default = "normal" if axis == "difficulty" else (options[0][1] if options else None)
                axis_inputs.append(
                    gr.Dropdown(options, value=default, label=t(f"ui.axis.{axis}", lang), interactive=True)
                )
        combo_view = gr.Markdown(persona_markdown(library, combination_spec(*(i.value for i in axis_inputs)), lang))
    with gr.Tab(t("ui.tab.scenarios", lang)):
        scenario = gr.Dropdown(
            choices["scenario"], value=first["scenario"], label=t("ui.scenario", lang), interactive=True
        )
        teacher = gr.Checkbox(value=False, label=t("ui.show_hidden", lang), interactive=True)
        scenario_view = gr.Markdown(scenario_markdown(library, first["scenario"], lang, False))
    with gr.Tab(t("ui.tab.rubrics", lang)):
        rubric = gr.Dropdown(choices["rubric"], value=first["rubric"], label=t("ui.rubric", lang), interactive=True)
        rubric_view = gr.Markdown(rubric_markdown(library, first["rubric"], lang))

    persona_inputs: list[Any] = [persona, language]
    for control in persona_inputs:
        control.change(lambda s, lg: persona_markdown(holder.current, s, lg), persona_inputs, persona_view)
    combo_inputs: list[Any] = [*axis_inputs, language]
    for control in combo_inputs:
        control.change(
            lambda b, s, bu, d, lg: persona_markdown(holder.current, combination_spec(b, s, bu, d), lg),
            combo_inputs,
            combo_view,
        )
    scenario_inputs: list[Any] = [scenario, language, teacher]
    for control in scenario_inputs:
        control.change(lambda s, lg, tc: scenario_markdown(holder.current, s, lg, tc), scenario_inputs, scenario_view)
    rubric_inputs: list[Any] = [rubric, language]
    for control in rubric_inputs:
        control.change(lambda r, lg: rubric_markdown(holder.current, r, lg), rubric_inputs, rubric_view)

    def update() -> list[Any]:
        now = holder.current
        fresh = _choices(now, lang)
        lists = [gr.update(choices=fresh[name]) for name in ("persona", *AXES, "scenario", "rubric")]
        return [errors_markdown(now, lang), *lists]

    return LibraryTabRefresh([errors_view, persona, *axis_inputs, scenario, rubric], update)
