"""What the editor shows: file choices, located errors in plain words, previews, versions, the state trace."""

from __future__ import annotations

from markupsafe import Markup, escape

from roleplay.acts import ACT_NAMES_ZH
from roleplay.customer.trace import TraceRow
from roleplay.grading.charts import EMOTION_COLOUR, TRUST_COLOUR, Series, line_chart_svg
from roleplay.i18n import t
from roleplay.library import Language, Library, LibraryError, UnknownPersonaError
from roleplay.library.catalog import Kind
from roleplay.library.describe import describe_persona, describe_rubric, describe_scenario
from roleplay.library.editing import Check, EditRefusedError, LibraryEditor, LibraryEntry, Version

PATIENCE_COLOUR = "#2f9e44"
OPENNESS_COLOUR = "#ae3ec9"
_SAID_LIMIT = 60
# Inline styles: the table scrolls inside its own box on a phone, never the page.
_CELL = "border:1px solid #dee2e6;padding:2px 6px;white-space:nowrap"


def refusal(error: EditRefusedError, language: Language) -> str:
    """The plain-language reason the editor refused a request."""
    return t(f"ui.editor.refused.{error.reason}", language, detail=error.detail)


def file_choices(entries: list[LibraryEntry], kind: Kind, language: Language) -> list[tuple[str, str]]:
    """The files of one kind as (label, path): display name, id, and a warning when the file has problems."""
    choices = []
    for entry in entries:
        if entry.kind != kind:
            continue
        label = f"{entry.name.get(language)} · {entry.item_id}" if entry.name else entry.item_id
        if entry.problems:
            label += f" · {t('ui.editor.problems', language, count=entry.problems)}"
        choices.append((label, entry.relative))
    return choices


def kind_choices(language: Language) -> list[tuple[str, str]]:
    """The four kinds, in the order teachers use them."""
    return [(t(f"ui.editor.kind.{kind}", language), kind) for kind in ("persona", "trait", "scenario", "rubric")]


def _located(error: LibraryError, editor: LibraryEditor, language: Language) -> str:
    try:
        where = editor.relative(error.file)
    except ValueError:
        where = str(error.file)
    parts = [t("ui.editor.error_at", language, file=where, line=error.line) if error.line else f"`{where}`"]
    if error.field:
        parts.append(t("ui.editor.error_field", language, field=error.field))
    return f"- **{' · '.join(parts)}**: {error.message}"


def check_markdown(check: Check, editor: LibraryEditor, language: Language) -> str:
    """A green note when the text may be saved, else every located error (and what it breaks elsewhere)."""
    if check.ok:
        return t("ui.editor.valid", language, file=check.relative)
    lines: list[str] = []
    if check.errors:
        lines.append(t("ui.editor.invalid", language, file=check.relative, count=len(check.errors)))
        lines += [_located(error, editor, language) for error in check.errors]
    if check.others:
        lines.append(t("ui.editor.breaks_others", language, count=len(check.others)))
        lines += [_located(error, editor, language) for error in check.others]
    return "\n".join(lines)


def combination_for(library: Library, trait_id: str) -> str:
    """A persona spec that shows one trait: the trait with the first trait of each other required axis."""
    trait = library.traits[trait_id]
    tokens = [f"{trait.axis}:{trait_id}"]
    for axis in ("behaviour", "style"):
        ids = library.trait_ids(axis)
        if axis != trait.axis and ids:
            tokens.append(f"{axis}:{ids[0]}")
    return "+".join(tokens)


def trial_customer(check: Check) -> str | None:
    """The customer a trial chat uses for the open file: the persona, or a combination showing the trait."""
    library, item_id = check.library, check.item_id or ""
    if check.kind == "persona" and item_id in library.personas:
        return item_id
    if check.kind == "trait" and item_id in library.traits:
        return combination_for(library, item_id)
    if check.kind == "scenario" and item_id in library.scenarios:
        suggested = [p for p in library.scenarios[item_id].suggested_personas if p in library.personas]
        return next(iter(suggested or sorted(library.personas)), None)
    return min(library.personas, default=None)


def trial_scenario(check: Check) -> str | None:
    """The scenario a trial chat uses: the open scenario, a persona's first suggestion, else the first."""
    library, item_id = check.library, check.item_id or ""
    if check.kind == "scenario" and item_id in library.scenarios:
        return item_id
    if check.kind == "persona" and item_id in library.personas:
        suggested = [s for s in library.personas[item_id].suggested_scenarios if s in library.scenarios]
        if suggested:
            return suggested[0]
    return min(library.scenarios, default=None)


def preview_markdown(check: Check, language: Language) -> str:
    """The open file as a teacher reads it: the composed persona, the trait in a customer, the scenario or rubric."""
    library, item_id = check.library, check.item_id or ""
    if check.errors:
        return t("ui.editor.preview_broken", language)
    try:
        if check.kind == "persona" and item_id in library.personas:
            return describe_persona(library.persona(item_id), language)
        if check.kind == "trait" and item_id in library.traits:
            spec = combination_for(library, item_id)
            note = t("ui.editor.preview_combination", language, spec=spec)
            return f"{note}\n\n{describe_persona(library.persona(spec), language)}"
    except UnknownPersonaError as exc:
        return f"⚠️ {exc}"
    if check.kind == "scenario" and item_id in library.scenarios:
        return describe_scenario(library.scenarios[item_id], language, teacher=True)
    if check.kind == "rubric" and item_id in library.rubrics:
        return describe_rubric(library.rubrics[item_id], language)
    return t("ui.editor.preview_broken", language)


def customer_choices(library: Library, language: Language, extra: str | None) -> list[tuple[str, str]]:
    """Every named persona (name · id), plus the trait combination being tried when there is one."""
    choices = [(f"{p.name.get(language)} · {key}", key) for key, p in sorted(library.personas.items())]
    if extra and extra not in library.personas:
        choices.insert(0, (extra, extra))
    return choices


def scenario_choices(library: Library, language: Language) -> list[tuple[str, str]]:
    """Every scenario as (title · id, id)."""
    return [(f"{s.title.get(language)} · {key}", key) for key, s in sorted(library.scenarios.items())]


def version_choices(versions: list[Version], language: Language) -> list[tuple[str, str]]:
    """The kept versions, newest first: when, who, what was done; the current one marked."""
    choices = []
    for version in versions:
        record = version.record
        what = t(f"ui.editor.action.{record.action}", language, source=record.source)
        who = record.author or ("-" if record.action == "before_editing" else t("ui.editor.anonymous", language))
        at = record.saved_at.strftime("%Y-%m-%d %H:%M:%S")
        label = t("ui.editor.version_label", language, at=at, who=who, what=what)
        if version.current:
            label += t("ui.editor.version_current", language)
        choices.append((label, version.version_id))
    return choices


def trace_html(rows: list[TraceRow], language: Language) -> str:
    """The state after every exchange as a line chart and a table (scrolls sideways on a phone)."""
    if not rows:
        return ""
    names = {field: t(f"state.{field}", language) for field in ("emotion", "trust", "patience", "openness")}
    colours = {
        "emotion": EMOTION_COLOUR,
        "trust": TRUST_COLOUR,
        "patience": PATIENCE_COLOUR,
        "openness": OPENNESS_COLOUR,
    }
    series = [
        Series(names[field], colours[field], [(row.turn, float(getattr(row.state, field))) for row in rows])
        for field in names
    ]
    chart = line_chart_svg(series, 10, t("ui.editor.trace_turn", language), t("ui.editor.trace", language))
    head = [
        t("ui.editor.trace_turn", language),
        t("ui.editor.trace_said", language),
        t("ui.editor.trace_acts", language),
        *names.values(),
        t("ui.editor.trace_revealed", language),
        t("ui.editor.trace_outcome", language),
    ]
    body = []
    for row in rows:
        said = row.agent_text or t("ui.editor.trace_opening", language)
        if len(said) > _SAID_LIMIT:
            said = said[:_SAID_LIMIT] + "…"
        acts = "、".join(ACT_NAMES_ZH.get(act, act) if language == "zh" else act for act in row.acts) or "-"
        cells = [
            str(row.turn),
            said,
            acts,
            *(f"{getattr(row.state, field):.1f}" for field in names),
            ", ".join(row.state.revealed) or "-",
            t(f"outcome.{row.state.outcome}", language),
        ]
        body.append("<tr>" + "".join(f'<td style="{_CELL}">{escape(cell)}</td>' for cell in cells) + "</tr>")
    header = "<tr>" + "".join(f'<th style="{_CELL}">{escape(cell)}</th>' for cell in head) + "</tr>"
    table = (
        f'<div class="rp-trace-table" style="overflow-x:auto;max-width:100%">'
        f'<table style="border-collapse:collapse;font-size:0.9em"><thead>{header}</thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    return str(Markup(f'<div class="rp-trace-chart" style="max-width:640px">{chart}</div>{table}'))
