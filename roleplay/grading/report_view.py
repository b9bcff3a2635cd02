"""What the report shows, formatted once in the report's language for the Markdown and HTML templates.

Every label comes from ``messages.yaml``; levels and KPIs are formatted here ("—" for a missing
value) and the charts are drawn here, so the templates in ``roleplay/templates/`` only lay out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from roleplay.acts import ACT_NAMES_ZH
from roleplay.grading.charts import EMOTION_COLOUR, TRUST_COLOUR, RadarAxis, Series, line_chart_svg, radar_svg
from roleplay.grading.report import DimensionResult, Evidence, Report, Suggestion
from roleplay.i18n import t
from roleplay.library.common import Language, Text

DASH = "—"
# Chip colour of each act family (CSS classes in report.html.j2).
_ACT_FAMILY = {
    "question": "ask",
    "restate": "restate",
    "greeting": "polite",
    "closing": "polite",
    "praise": "polite",
    "apology": "polite",
    "solution": "solve",
    "information": "solve",
    "evidence": "solve",
    "blame": "bad",
    "redline": "bad",
    "manipulation": "bad",
}


@dataclass(frozen=True)
class EvidenceView:
    """A quote backing a level, with the turn it links to and who cited it."""

    turn: int
    quote: str
    source: str


@dataclass(frozen=True)
class CheckView:
    """One tagger check: its id, level and the reason string."""

    check_id: str
    level: str
    reason: str
    turns: list[int]


@dataclass(frozen=True)
class DimensionView:
    """One row of the dimension table and its detail card."""

    anchor: str
    name: str
    weight: str
    tagger: str
    judge: str
    level: str
    label: str
    disagreement: bool
    not_applicable: str | None
    judge_reason: str | None
    judge_samples: str | None
    evidence: list[EvidenceView]
    checks: list[CheckView]


@dataclass(frozen=True)
class SuggestionView:
    """A better wording for one of the student's turns (from the report or a dimension's judge)."""

    turn: int
    original: str
    better: str
    why: str
    dimension: str | None


@dataclass(frozen=True)
class Chip:
    """One act on a turn: its shown name, colour family and the span that triggered it."""

    name: str
    family: str
    span: str


@dataclass(frozen=True)
class TurnView:
    """One message of the annotated transcript."""

    turn: int
    role: str
    speaker: str
    text: str
    chips: list[Chip]
    flags: list[str]
    state: str | None


@dataclass(frozen=True)
class Row:
    """A label and a formatted value (header facts, KPIs, guess, provenance)."""

    label: str
    value: str
    good: bool | None = None


@dataclass
class ReportView:
    """Everything the templates show, already formatted in the report's language."""

    language: Language
    title: str
    header: list[Row]
    total: str
    pass_score: str
    verdict: str | None
    passed: bool | None
    sub_totals: list[Row]
    graders: str
    has_judge: bool
    flags: list[str]
    dimensions: list[DimensionView]
    suggestions: list[SuggestionView]
    kpis: list[Row]
    guess: list[Row]
    turns: list[TurnView]
    provenance: list[Row]
    radar: Markup = field(default_factory=Markup)
    states_chart: Markup | None = None


def fmt_number(value: float | None) -> str:
    """A level or KPI value: no trailing zeros, "—" for None."""
    if value is None:
        return DASH
    return f"{value:.2f}".rstrip("0").rstrip(".")


def act_name(act: str, language: Language) -> str:
    """Chinese act names in a Chinese report, act ids in an English one."""
    return ACT_NAMES_ZH.get(act, act) if language == "zh" else act


def why_text(key: str, args: dict[str, str | int | float], fallback: str, language: Language) -> str:
    """A check's reason (or why a dimension is not applicable) in the report's language."""
    if not key:
        return fallback
    shown: dict[str, object] = dict(args)
    if "then" in shown:
        shown["then"] = act_name(str(shown["then"]), language)
    if "outcome" in shown:
        shown["outcome"] = t(f"outcome.{shown['outcome']}", language)
    return t(f"check.{key}", language, **shown)


def _seconds(value: float | None, language: Language) -> str:
    if value is None:
        return DASH
    if value < 60:
        return t("report.seconds", language, value=fmt_number(value))
    minutes, seconds = divmod(round(value), 60)
    return t("report.minutes", language, minutes=minutes, seconds=seconds)


def _judge_cell(dimension: DimensionResult, language: Language) -> str:
    judge = dimension.judge
    if judge is None:
        return DASH
    if judge.unscored is not None or judge.level is None:
        return t("report.unscored", language, reason=judge.unscored or judge.reason)
    return fmt_number(judge.level)


def _evidence(quotes: list[Evidence], source: str) -> list[EvidenceView]:
    return [EvidenceView(turn=e.turn, quote=e.quote, source=source) for e in quotes]


def _dimension(dimension: DimensionResult, language: Language) -> DimensionView:
    judge = dimension.judge
    evidence = _evidence(dimension.tagger_evidence, t("report.grader.tagger", language))
    if judge is not None:
        evidence += _evidence(judge.evidence, t("report.grader.judge", language))
    na = t("report.na", language)
    return DimensionView(
        anchor=f"dim-{dimension.dimension_id}",
        name=dimension.name.get(language),
        weight=fmt_number(dimension.weight),
        tagger=na if dimension.tagger_level is None else fmt_number(dimension.tagger_level),
        judge=_judge_cell(dimension, language),
        level=na if dimension.level is None else fmt_number(dimension.level),
        label=dimension.level_label.get(language) if dimension.level_label else "",
        disagreement=dimension.disagreement,
        not_applicable=(
            why_text(dimension.not_applicable_key, dimension.not_applicable_args, dimension.not_applicable, language)
            if dimension.not_applicable
            else None
        ),
        judge_reason=judge.reason if judge is not None and judge.reason else None,
        judge_samples=(
            t("report.judge_samples", language, samples=", ".join(fmt_number(s) for s in judge.samples))
            if judge is not None and len(judge.samples) > 1
            else None
        ),
        evidence=evidence,
        checks=[
            CheckView(
                check_id=c.description.get(language) if c.description else c.check_id,
                level=fmt_number(c.level),
                reason=why_text(c.reason_key, c.reason_args, c.reason, language),
                turns=c.turns,
            )
            for c in dimension.tagger_checks
        ],
    )


def _suggestions(report: Report) -> list[SuggestionView]:
    """The report's suggestions and each dimension's judge suggestions, once each, by turn."""
    found: list[tuple[Suggestion, str | None]] = [(s, None) for s in report.suggestions]
    for dimension in report.dimensions:
        if dimension.judge is not None:
            found += [(s, dimension.name.get(report.language)) for s in dimension.judge.suggestions]
    seen: set[tuple[int, str]] = set()
    out = []
    for suggestion, dimension_name in sorted(found, key=lambda pair: pair[0].turn):
        if (suggestion.turn, suggestion.better) in seen:
            continue
        seen.add((suggestion.turn, suggestion.better))
        out.append(SuggestionView(dimension=dimension_name, **suggestion.model_dump()))
    return out


def _kpis(report: Report) -> list[Row]:
    lang, k = report.language, report.kpis
    speed = k.typing_chars_per_minute
    return [
        Row(t("report.kpi.first_response", lang), _seconds(k.first_response_seconds, lang)),
        Row(t("report.kpi.average_response", lang), _seconds(k.average_response_seconds, lang)),
        Row(t("report.kpi.qa_ratio", lang), fmt_number(k.qa_ratio)),
        Row(
            t("report.kpi.typing", lang),
            DASH if speed is None else t("report.chars_per_minute", lang, value=fmt_number(speed)),
        ),
        Row(
            t("report.kpi.messages", lang),
            t("report.messages_value", lang, agent=k.agent_messages, customer=k.customer_messages),
        ),
        Row(t("report.kpi.duration", lang), _seconds(k.duration_seconds, lang)),
    ]


def _trait(name: Text | None, trait_id: str | None, language: Language) -> str | None:
    return name.get(language) if name else trait_id


def _guess(report: Report) -> list[Row]:
    lang, guess = report.language, report.guess
    if guess is None:
        return []
    rows = []
    for axis, said, truth, right in (
        (
            "behaviour",
            _trait(guess.guessed_behaviour_name, guess.guessed.behaviour if guess.guessed else None, lang),
            _trait(guess.behaviour_name, guess.behaviour, lang),
            guess.behaviour_right,
        ),
        (
            "style",
            _trait(guess.guessed_style_name, guess.guessed.style if guess.guessed else None, lang),
            _trait(guess.style_name, guess.style, lang),
            guess.style_right,
        ),
    ):
        verdict = "" if right is None else t("report.guess.right" if right else "report.guess.wrong", lang)
        value = t("report.guess.value", lang, guessed=said or DASH, actual=truth or DASH, verdict=verdict)
        rows.append(Row(t(f"ui.axis.{axis}", lang), value.strip(), right))
    return rows


def _turns(report: Report) -> list[TurnView]:
    lang = report.language
    states = {s.turn: s for s in report.states}
    out = []
    for note in report.turns:
        state = states.get(note.turn)
        out.append(
            TurnView(
                turn=note.turn,
                role=note.role,
                speaker=t(f"report.role.{note.role}", lang),
                text=note.text,
                chips=[
                    Chip(act_name(a.act, lang), _ACT_FAMILY.get(a.act.split("_")[0], "other"), a.span)
                    for a in note.acts
                ],
                flags=[act_name(flag, lang) for flag in note.flags],
                state=(
                    t("report.state_after", lang, emotion=fmt_number(state.emotion), trust=fmt_number(state.trust))
                    if state is not None
                    else None
                ),
            )
        )
    return out


def _header(report: Report) -> list[Row]:
    lang = report.language
    student = report.student.label() if report.student else DASH
    persona = report.persona_name.get(lang) if report.persona_name else report.persona or DASH
    scenario = report.scenario_title.get(lang) if report.scenario_title else report.scenario or DASH
    outcome = t(f"outcome.{report.outcome}", lang) if report.outcome else DASH
    return [
        Row(t("report.student", lang), student),
        Row(t("report.persona", lang), persona),
        Row(t("report.scenario", lang), scenario),
        Row(t("report.date", lang), (report.started_at or report.provenance.graded_at).strftime("%Y-%m-%d %H:%M")),
        Row(t("report.outcome", lang), outcome, report.outcome == "resolved" if report.outcome else None),
        Row(t("report.rubric", lang), report.rubric_name.get(lang)),
    ]


def _provenance(report: Report) -> list[Row]:
    lang, p = report.language, report.provenance
    judge = (
        t("report.judge_value", lang, model=p.judge_model, version=p.judge_prompt_version or DASH)
        if p.judge_model
        else t("report.offline", lang)
    )
    return [
        Row(t("report.rubric", lang), f"{p.rubric_id} ({p.rubric_hash})"),
        Row(t("report.tagger_version", lang), p.tagger_version),
        Row(t("report.grader.judge", lang), judge),
        Row(t("report.samples", lang), str(p.samples)),
        Row(t("report.graded_at", lang), p.graded_at.strftime("%Y-%m-%d %H:%M")),
        Row(t("report.session", lang), report.session_id or report.source or DASH),
    ]


def build_view(report: Report, charts: bool = True) -> ReportView:
    """Format every text of the report once, for both templates.

    Args:
        report: the graded transcript.
        charts: draw the SVG charts (only the HTML page shows them).

    Returns:
        The view the templates render.
    """
    lang = report.language
    verdict = None
    if report.passed is not None:
        verdict = t("report.passed" if report.passed else "report.failed", lang)
    sub_totals = []
    if "judge" in report.graders:
        sub_totals = [
            Row(t("report.tagger_total", lang), fmt_number(report.tagger_total)),
            Row(t("report.judge_total", lang), fmt_number(report.judge_total)),
        ]
    view = ReportView(
        language=lang,
        title=t("report.title", lang),
        header=_header(report),
        total=fmt_number(report.total),
        pass_score=fmt_number(report.pass_score),
        verdict=verdict,
        passed=report.passed,
        sub_totals=sub_totals,
        has_judge="judge" in report.graders,
        graders=", ".join(t(f"report.grader.{g}", lang) for g in report.graders) or DASH,
        flags=list(report.flags),
        dimensions=[_dimension(d, lang) for d in report.dimensions],
        suggestions=_suggestions(report),
        kpis=_kpis(report),
        guess=_guess(report),
        turns=_turns(report),
        provenance=_provenance(report),
    )
    if charts:
        axes = [RadarAxis(d.name.get(lang), d.level) for d in report.dimensions]
        view.radar = radar_svg(axes, report.scale_min, report.scale_max, t("report.na", lang), t("report.radar", lang))
        if len(report.states) >= 2:
            series = [
                Series(t("state.emotion", lang), EMOTION_COLOUR, [(s.turn, s.emotion) for s in report.states]),
                Series(t("state.trust", lang), TRUST_COLOUR, [(s.turn, s.trust) for s in report.states]),
            ]
            view.states_chart = line_chart_svg(series, 10, t("report.chart.turn", lang), t("report.states", lang))
    return view
