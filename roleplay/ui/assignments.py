"""The teacher's Assignments tab: a form to set one, the table of assignments, close / reopen / archive.

A thin adapter over :mod:`roleplay.assignment` (rules) and :mod:`roleplay.store.assignments` (storage).
The handlers are plain async functions so they are tested without a browser; :func:`build_assignments_tab`
only lays out components and wires them. It sits behind the teacher password (it shows customer types).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import gradio as gr

from roleplay.assignment import (
    POOL_KINDS,
    TIME_LIMIT_MAX,
    AssignmentForm,
    PoolKind,
    build_pool,
    check_form,
    format_when,
    pool_labels,
)
from roleplay.i18n import t
from roleplay.library import Language, Library
from roleplay.store.assignments import AssignmentNotFoundError, AssignmentOverview
from roleplay.ui.practice_model import PracticeContext
from roleplay.ui.practice_view import scenario_choices

Action = Literal["close", "reopen", "archive"]
MIXED = "__mixed__"  # a pool's fixed trait left open: the traits take turns
TEACHER = "teacher"  # the teacher area has one shared password, so no teacher names yet
COLUMNS = ("title", "class", "scenario", "customers", "limit", "opens", "closes", "status", "started", "finished")


@dataclass(frozen=True)
class Saved:
    """The result of the form: what to tell the teacher, and whether an assignment was created."""

    message: str
    created: bool = False


def pool_choice(
    library: Library,
    kind: str | None,
    persona: str | None,
    behaviour: str | None,
    style: str | None,
    difficulty: str | None,
) -> list[str]:
    """The persona specs the form's customer choices stand for."""
    chosen: PoolKind = kind if kind in POOL_KINDS else "single"
    return build_pool(
        library,
        chosen,
        persona=persona,
        behaviour=None if behaviour in (None, "", MIXED) else behaviour,
        style=None if style in (None, "", MIXED) else style,
        difficulty=difficulty or None,
    )


def pool_preview(library: Library, personas: list[str], language: Language) -> str:
    """For the teacher: who the students will meet (one line each); students never see this."""
    if not personas:
        return t("ui.assign.pool_empty", language)
    key = "ui.assign.pool_one" if len(personas) == 1 else "ui.assign.pool_many"
    lines = [t(key, language, count=len(personas))]
    lines += [f"{number}. {label}" for number, label in enumerate(pool_labels(library, personas, language), start=1)]
    return "\n".join(lines)


async def create_assignment(context: PracticeContext, form: AssignmentForm, now: datetime | None = None) -> Saved:
    """Check the form against the library and save it; otherwise every problem, each naming its field."""
    lang = context.language
    now = now or datetime.now()
    checked = check_form(form, context.library, now)
    if checked.draft is None:
        return Saved("\n\n".join(problem.text(lang) for problem in checked.problems))
    store = context.assignments
    made = await context.store.run(store.create, checked.draft, created_by=TEACHER, now=now)
    who = (
        t("ui.assign.created_for_class", lang, code=made.class_code)
        if made.class_code
        else t("ui.assign.created_for_all", lang)
    )
    status = t(f"ui.assign.status_{made.status(now)}", lang)
    return Saved(t("ui.assign.created", lang, title=made.title, who=who, status=status), created=True)


async def overview(context: PracticeContext, now: datetime | None = None) -> list[AssignmentOverview]:
    """Every assignment, newest first, with status and completion."""
    store = context.assignments
    return await context.store.run(store.overview, now or datetime.now())


def table_rows(context: PracticeContext, found: list[AssignmentOverview]) -> list[list[str | int]]:
    """The teacher's table: one row per assignment (customers counted, not named, to keep rows short)."""
    lang = context.language
    rows: list[list[str | int]] = []
    for line in found:
        a = line.assignment
        scenario = context.library.scenarios.get(a.scenario)
        minutes = a.time_limit_minutes
        rows.append(
            [
                a.title,
                a.class_code or t("ui.assign.everyone", lang),
                scenario.title.get(lang) if scenario else a.scenario,
                t("ui.assign.customers_count", lang, count=len(a.personas)),
                t("ui.assign.minutes", lang, minutes=minutes) if minutes else "-",
                format_when(a.opens_at),
                format_when(a.closes_at),
                t(f"ui.assign.status_{line.status}", lang),
                line.started,
                line.finished,
            ]
        )
    return rows


def action_choices(context: PracticeContext, found: list[AssignmentOverview]) -> list[tuple[str, str]]:
    """The assignments to pick for close / reopen / archive, labelled with class and status."""
    lang = context.language
    return [
        (
            f"{line.assignment.title} · {line.assignment.class_code or t('ui.assign.everyone', lang)}"
            f" · {t(f'ui.assign.status_{line.status}', lang)}",
            line.assignment.assignment_id,
        )
        for line in found
    ]


async def change_assignment(
    context: PracticeContext, assignment_id: str | None, action: Action, now: datetime | None = None
) -> str:
    """Close, reopen or archive an assignment; returns what happened (or what to do first)."""
    lang = context.language
    if not assignment_id:
        return t("ui.assign.pick_to_change", lang)
    store = context.assignments
    now = now or datetime.now()
    try:
        if action == "close":
            changed = await context.store.run(store.close, assignment_id, now)
        elif action == "reopen":
            changed = await context.store.run(store.reopen, assignment_id, now)
        else:
            changed = await context.store.run(store.archive, assignment_id)
    except AssignmentNotFoundError:
        return t("ui.assign.gone", lang)
    status = t(f"ui.assign.status_{changed.status(now)}", lang)
    return t("ui.assign.changed", lang, title=changed.title, status=status)


def build_assignments_tab(context: PracticeContext, tab: gr.Tab) -> None:
    """Lay out the Assignments tab inside ``tab`` (call within ``with tab:``) and wire it.

    The table is read from the database each time the tab is opened, refreshed or changed.
    """
    lang = context.language
    library = context.library

    def tr(key: str, **values: object) -> str:
        return t(key, lang, **values)

    scenarios = scenario_choices(library, lang)
    behaviours = [(library.traits[i].name.get(lang), i) for i in library.trait_ids("behaviour")]
    styles = [(library.traits[i].name.get(lang), i) for i in library.trait_ids("style")]
    difficulties = [(library.traits[i].name.get(lang), i) for i in library.trait_ids("difficulty")]
    named = [(f"{p.name.get(lang)} · {p.persona_id}", p.persona_id) for p in library.personas.values()]
    mixed = (tr("ui.assign.mixed"), MIXED)
    first_persona = named[0][1] if named else None

    gr.Markdown(tr("ui.assign.teacher_intro"))
    with gr.Accordion(tr("ui.assign.new"), open=True):
        title = gr.Textbox(label=tr("ui.assign.field_title"), max_lines=1, elem_id="as-title")
        with gr.Row():
            scenario = gr.Dropdown(
                scenarios,
                value=scenarios[0][1] if scenarios else None,
                label=tr("ui.assign.field_scenario"),
                elem_id="as-scenario",
            )
            rubric = gr.Dropdown(sorted(library.rubrics), value=context.rubric_id, label=tr("ui.assign.field_rubric"))
        kind = gr.Radio(
            [(tr(f"ui.assign.kind_{k}"), k) for k in POOL_KINDS],
            value="single",
            label=tr("ui.assign.field_personas"),
            elem_id="as-kind",
        )
        with gr.Row():
            persona = gr.Dropdown(
                named, value=first_persona, allow_custom_value=True, label=tr("ui.assign.persona"), elem_id="as-persona"
            )
            behaviour = gr.Dropdown(
                [mixed, *behaviours], value=MIXED, label=tr("ui.assign.fixed_behaviour"), visible=False
            )
            style = gr.Dropdown([mixed, *styles], value=MIXED, label=tr("ui.assign.fixed_style"), visible=False)
            difficulty = gr.Dropdown(
                difficulties,
                value="normal" if "normal" in library.traits else None,
                label=tr("ui.assign.difficulty"),
                visible=False,
            )
        preview = gr.Markdown(
            pool_preview(library, pool_choice(library, "single", first_persona, None, None, None), lang),
            elem_id="as-preview",
        )
        with gr.Row():
            class_code = gr.Textbox(
                label=tr("ui.assign.field_class_code"),
                placeholder=tr("ui.assign.class_code_teacher_hint"),
                max_lines=1,
                elem_id="as-class",
            )
            # Text, not gr.Number: Gradio shows and sends 0 for an empty number box, which the check refuses.
            limit = gr.Textbox(
                label=tr("ui.assign.field_time_limit"),
                info=tr("ui.assign.time_limit_hint", limit=TIME_LIMIT_MAX),
                max_lines=1,
                elem_id="as-limit",
            )
        with gr.Row():
            # Text, not gr.DateTime: that box silently drops anything but "YYYY-MM-DD HH:MM:SS" (a date alone, or
            # the hint's "2026-05-04 08:00"), so the assignment would open at once; the check reads all of these.
            opens = gr.Textbox(
                label=tr("ui.assign.field_opens_at"), info=tr("ui.assign.opens_hint"), max_lines=1, elem_id="as-opens"
            )
            closes = gr.Textbox(
                label=tr("ui.assign.field_closes_at"),
                info=tr("ui.assign.closes_hint"),
                max_lines=1,
                elem_id="as-closes",
            )
        note = gr.Textbox(label=tr("ui.assign.field_note"), lines=3, placeholder=tr("ui.assign.note_hint"))
        create = gr.Button(tr("ui.assign.create"), variant="primary", elem_id="as-create")
        form_message = gr.Markdown(elem_id="as-form-message")

    gr.Markdown(tr("ui.assign.list_title"))
    empty = gr.Markdown(tr("ui.assign.list_empty"), elem_id="as-empty")
    table = gr.Dataframe(
        headers=[tr(f"ui.assign.col_{c}") for c in COLUMNS],
        interactive=False,
        wrap=True,
        visible=False,
        elem_id="as-table",
    )
    with gr.Row(visible=False) as actions:
        chosen = gr.Dropdown([], label=tr("ui.assign.choose"), scale=3, min_width=200, elem_id="as-choose")
        with gr.Column(scale=2, min_width=200), gr.Row():
            close = gr.Button(tr("ui.assign.close"), size="sm", elem_id="as-close")
            reopen = gr.Button(tr("ui.assign.reopen"), size="sm", elem_id="as-reopen")
            archive = gr.Button(tr("ui.assign.archive"), size="sm", variant="stop", elem_id="as-archive")
    refresh = gr.Button(tr("ui.assign.refresh_table"), size="sm", elem_id="as-refresh")
    action_message = gr.Markdown(elem_id="as-action-message")

    pool_inputs = [kind, persona, behaviour, style, difficulty]

    def on_pool(*values: str | None) -> str:
        return pool_preview(library, pool_choice(library, *values), lang)

    def on_kind(value: str) -> dict[Any, Any]:
        return {
            persona: gr.update(visible=value == "single"),
            behaviour: gr.update(visible=value == "every_style"),
            style: gr.update(visible=value == "every_behaviour"),
            difficulty: gr.update(visible=value != "single"),
        }

    async def listed() -> dict[Any, Any]:
        found = await overview(context)
        return {
            table: gr.update(value=table_rows(context, found), visible=bool(found)),
            empty: gr.update(visible=not found),
            actions: gr.update(visible=bool(found)),
            chosen: gr.update(choices=action_choices(context, found), value=None),
        }

    async def on_create(*values: Any) -> dict[Any, Any]:
        title_v, scenario_v, rubric_v, kind_v, persona_v, behaviour_v, style_v, difficulty_v = values[:8]
        class_v, limit_v, opens_v, closes_v, note_v = values[8:]
        form = AssignmentForm(
            title=title_v or "",
            scenario=scenario_v or "",
            rubric=rubric_v or "",
            personas=pool_choice(library, kind_v, persona_v, behaviour_v, style_v, difficulty_v),
            class_code=class_v or "",
            time_limit=limit_v,
            opens_at=opens_v,
            closes_at=closes_v,
            note=note_v or "",
        )
        saved = await create_assignment(context, form)
        return {form_message: saved.message} | (await listed() if saved.created else {})

    async def on_action(assignment_id: str | None, action: Action) -> dict[Any, Any]:
        message = await change_assignment(context, assignment_id, action)
        return {action_message: message} | await listed()

    list_outputs = [table, empty, actions, chosen]
    kind.change(on_kind, kind, [persona, behaviour, style, difficulty])
    gr.on([c.change for c in (kind, persona, behaviour, style, difficulty)], on_pool, pool_inputs, preview)
    form_inputs = [title, scenario, rubric, *pool_inputs, class_code, limit, opens, closes, note]
    create.click(on_create, form_inputs, [form_message, *list_outputs])
    for button, action in ((close, "close"), (reopen, "reopen"), (archive, "archive")):
        button.click(on_action, [chosen, gr.State(action)], [action_message, *list_outputs])
    refresh.click(listed, None, list_outputs)
    tab.select(listed, None, list_outputs)
