"""Grade one transcript: tagger scores always, the LLM judge when configured, one report."""

from __future__ import annotations

from datetime import datetime

from roleplay.grading.judge import Judge
from roleplay.grading.kpi import compute_kpis
from roleplay.grading.metrics import AgentTurnLabels, CheckResult, total_score
from roleplay.grading.report import (
    DimensionResult,
    GuessCheck,
    JudgeResult,
    Provenance,
    Report,
    StatePoint,
    TurnNote,
)
from roleplay.grading.slots import JudgeSlots
from roleplay.grading.tagger_grade import (
    agent_labels,
    annotate,
    evidence_for,
    offline_suggestions,
    rubric_hash,
    tagger_scores,
)
from roleplay.i18n import t
from roleplay.library import Library, UnknownPersonaError
from roleplay.library.common import Language, Text
from roleplay.library.compose import ComposedPersona
from roleplay.library.rubric import Dimension, RubricFile
from roleplay.library.scenario import ScenarioFile
from roleplay.tagger import TAGGER_VERSION
from roleplay.transcript import Transcript


async def grade_transcript(
    transcript: Transcript,
    rubric: RubricFile,
    *,
    library: Library | None = None,
    judge: Judge | None = None,
    samples: int = 1,
    language: Language | None = None,
    judge_gate: JudgeSlots | None = None,
) -> Report:
    """The report for one transcript.

    Args:
        transcript: the chat (imported or from a session).
        rubric: the rubric to grade against.
        library: resolves the persona and scenario named in the transcript (names, phase, red lines).
        judge: the LLM judge, or None for tagger scoring only.
        samples: judge answers per transcript; the report gives their median and spread.
        language: of the report; the transcript's by default.
        judge_gate: limits concurrent judge calls in a batch (the tagger work is not held back by it).
    """
    lang = language or transcript.language
    persona, scenario = _lookup(library, transcript)
    redlines = [*rubric.redlines, *(scenario.redlines if scenario else [])]
    notes = annotate(transcript, redlines)
    labels = agent_labels(notes)
    phase = scenario.phase if scenario else None
    scores = tagger_scores(rubric, labels, transcript.outcome, phase)
    judged: dict[str, JudgeResult] = {}
    flags: list[str] = []
    if judge is not None and labels:
        situation = _scenario_text(scenario, lang)
        judged = await judge.grade(rubric, notes, situation, lang, samples, gate=judge_gate)
        failed = [
            d.name.get(lang)
            for d in rubric.dimensions
            if judged[d.dimension_id].level is None and not scores[d.dimension_id].not_applicable
        ]
        if failed:
            flags.append(
                t("flag.judge_unscored", lang, dimensions="、".join(failed) if lang == "zh" else ", ".join(failed))
            )
    dimensions = []
    for dim in rubric.dimensions:
        score = scores[dim.dimension_id]
        judge_result = judged.get(dim.dimension_id)
        result = _dimension(dim, rubric, score.level, score.checks, score.not_applicable, judge_result, labels, notes)
        dimensions.append(
            result.model_copy(
                update={
                    "not_applicable_key": score.not_applicable_key,
                    "not_applicable_args": score.not_applicable_args,
                }
            )
        )
        if result.disagreement and judge_result is not None:
            flags.append(
                t("flag.disagree", lang, dimension=dim.name.get(lang), tagger=score.level, judge=judge_result.level)
            )
    levels = {d.dimension_id: d.level for d in dimensions}
    total = total_score(rubric, levels)
    too_short = len(labels) < rubric.min_agent_turns
    if too_short:  # first: it is why a total above the pass mark does not pass
        flags.insert(0, t("flag.too_short", lang, turns=len(labels), needed=rubric.min_agent_turns))
    tagger_total = total_score(rubric, {d.dimension_id: d.tagger_level for d in dimensions})
    judge_levels = {d.dimension_id: d.judge.level if d.judge else None for d in dimensions}
    judge_total = total_score(rubric, judge_levels) if judge is not None else None
    judge_suggestions = [s for d in dimensions if d.judge for s in d.judge.suggestions]
    return Report(
        language=lang,
        source=transcript.source,
        session_id=transcript.session_id,
        started_at=transcript.started_at or next((turn.timestamp for turn in transcript.turns if turn.timestamp), None),
        student=transcript.student,
        persona=transcript.persona,
        persona_name=persona.name if persona else None,
        scenario=transcript.scenario,
        scenario_title=scenario.title if scenario else None,
        rubric_name=rubric.name,
        scale_min=rubric.scale.min,
        scale_max=rubric.scale.max,
        pass_score=rubric.pass_score,
        dimensions=dimensions,
        total=total,
        tagger_total=tagger_total,
        judge_total=judge_total,
        passed=None if total is None else total >= rubric.pass_score and not too_short,
        graders=["tagger", "judge"] if judge is not None and judge_total is not None else ["tagger"],
        flags=flags,
        outcome=transcript.outcome,
        kpis=compute_kpis(transcript),
        turns=notes,
        states=[
            StatePoint(
                turn=i + 1,
                emotion=t.state.emotion,
                trust=t.state.trust,
                patience=t.state.patience,
                openness=t.state.openness,
            )
            for i, t in enumerate(transcript.turns)
            if t.state is not None
        ],
        guess=_guess(transcript, persona, library),
        suggestions=judge_suggestions[:5]
        or offline_suggestions(labels, notes, lang, levels={d: s.level for d, s in scores.items()}),
        provenance=Provenance(
            graded_at=datetime.now(),
            rubric_id=rubric.rubric_id,
            rubric_hash=rubric_hash(rubric),
            tagger_version=TAGGER_VERSION,
            judge_model=judge.model_name if judge else None,
            judge_prompt_version=judge.prompt_version if judge else None,
            samples=samples if judge else 1,
        ),
    )


def _dimension(
    dim: Dimension,
    rubric: RubricFile,
    tagger_level: float | None,
    checks: list[CheckResult],
    not_applicable: str | None,
    judge: JudgeResult | None,
    labels: list[AgentTurnLabels],
    notes: list[TurnNote],
) -> DimensionResult:
    judge_level = judge.level if judge and not not_applicable else None
    level = judge_level if judge_level is not None else tagger_level
    disagree = (
        judge_level is not None
        and tagger_level is not None
        and abs(judge_level - tagger_level) > rubric.disagreement_margin
    )
    return DimensionResult(
        dimension_id=dim.dimension_id,
        name=dim.name,
        weight=dim.weight,
        tagger_level=tagger_level,
        tagger_checks=checks,
        not_applicable=not_applicable,
        judge=judge,
        level=level,
        level_label=_label(dim, level),
        graded_by=None if level is None else ("judge" if judge_level is not None else "tagger"),
        disagreement=disagree,
        tagger_evidence=evidence_for(list(dim.evidence_acts), labels, notes),
    )


def _label(dim: Dimension, level: float | None) -> Text | None:
    if level is None:
        return None
    nearest = min(dim.levels, key=lambda item: abs(item.level - level))
    return nearest.label


def _lookup(library: Library | None, transcript: Transcript) -> tuple[ComposedPersona | None, ScenarioFile | None]:
    if library is None:
        return None, None
    scenario = library.scenarios.get(transcript.scenario or "")
    try:
        persona = library.persona(transcript.persona) if transcript.persona else None
    except UnknownPersonaError:
        persona = None
    return persona, scenario


def _scenario_text(scenario: ScenarioFile | None, language: Language) -> str:
    if scenario is None:
        return "-"
    return f"{scenario.title.get(language)}: {scenario.brief.get(language)}"


def _guess(transcript: Transcript, persona: ComposedPersona | None, library: Library | None) -> GuessCheck | None:
    if transcript.guess is None or persona is None or library is None:
        return None
    behaviour, style = persona.trait_id("behaviour"), persona.trait_id("style")
    guessed = transcript.guess

    def name(trait_id: str | None) -> Text | None:
        trait = library.traits.get(trait_id or "")
        return trait.name if trait else None

    return GuessCheck(
        guessed=guessed,
        behaviour=behaviour,
        style=style,
        behaviour_right=None if guessed.behaviour is None else guessed.behaviour == behaviour,
        style_right=None if guessed.style is None else guessed.style == style,
        behaviour_name=name(behaviour),
        style_name=name(style),
        guessed_behaviour_name=name(guessed.behaviour),
        guessed_style_name=name(guessed.style),
    )
