"""Tagger scoring: every rubric check computed from the labels on the agent's turns.

Deterministic and explainable: each check keeps its value, the band that matched and the turns it
looked at, so a teacher can see why a dimension got its level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean

from pydantic import BaseModel, ConfigDict

from roleplay.acts import QUESTION_ACTS, QUESTION_STREAK_AT
from roleplay.acts import SUBSTANTIVE_ACTS as _SUBSTANTIVE
from roleplay.library.common import Outcome, Text
from roleplay.library.rubric import Check, Dimension, Metric, NotApplicable, RubricFile, Scope
from roleplay.library.scenario import Phase


class AgentTurnLabels(BaseModel):
    """The labels of one agent turn: its position in the transcript and its triggers."""

    model_config = ConfigDict(frozen=True)

    turn: int  # 1-based number of the turn in the whole transcript
    labels: frozenset[str]


class CheckResult(BaseModel):
    """One check's value and level (None when not applicable), with the turns that count."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    value: float | None
    level: int | None
    turns: list[int]
    reason: str  # in English, for logs and JSON readers
    reason_key: str = ""  # ``check.<key>`` in the locale file, for reports in any language
    reason_args: dict[str, str | int | float] = {}
    description: Text | None = None


class DimensionScore(BaseModel):
    """A dimension's tagger level (None when not applicable) and its checks."""

    model_config = ConfigDict(frozen=True)

    dimension_id: str
    level: float | None
    checks: list[CheckResult]
    not_applicable: str | None = None
    not_applicable_key: str = ""
    not_applicable_args: dict[str, str | int | float] = {}


def with_turn_events(
    turns: Sequence[tuple[int, frozenset[str] | set[str]]], slow: Sequence[bool] = ()
) -> list[AgentTurnLabels]:
    """Add the turn events (no_technique, question_streak, slow_reply) to each agent turn's acts."""
    out = []
    streak = 0
    for index, (number, acts) in enumerate(turns):
        labels = set(acts)
        if not labels:
            labels.add("no_technique")
        asks = bool(labels & set(QUESTION_ACTS))
        streak = streak + 1 if asks and not labels & _SUBSTANTIVE else 0
        if streak >= QUESTION_STREAK_AT:
            labels.add("question_streak")
        if index < len(slow) and slow[index]:
            labels.add("slow_reply")
        out.append(AgentTurnLabels(turn=number, labels=frozenset(labels)))
    return out


def in_scope(turns: list[AgentTurnLabels], scope: Scope) -> list[AgentTurnLabels]:
    """The agent turns a metric looks at."""
    selected = list(turns)
    if scope.before_act is not None:
        first = next((i for i, t in enumerate(selected) if scope.before_act in t.labels), len(selected))
        selected = selected[:first]
    if scope.after_act is not None:
        first = next((i for i, t in enumerate(selected) if scope.after_act in t.labels), len(selected))
        selected = selected[first:]
    if scope.first_turns is not None:
        selected = selected[: scope.first_turns]
    if scope.last_turns is not None:
        selected = selected[-scope.last_turns :]
    return selected


_WHY_EN = {
    "count": "{n} turn(s)",
    "no_base": "no turn with the acts of the denominator",
    "share": "{hits} of {base}",
    "no_scope": "no agent turn in scope",
    "turn_share": "{hits} of {total} turns",
    "neither": "neither the acts nor {then} occur",
    "never_came": "{then} never came",
    "first_then": "first {then} at turn {turn}",
    "no_turn": "no agent turn",
    "at_turn": "turn {turn}",
    "streak": "longest run {n}",
    "fewer_turns": "fewer than {n} agent turns",
    "outcome": "outcome {outcome}",
    "phase": "phase {phase}",
    "no_check": "no check applies",
}


@dataclass(frozen=True)
class Why:
    """Why a check has its value (or a dimension is not applicable): a key of ``check.*`` texts and values."""

    key: str
    args: dict[str, str | int | float] = field(default_factory=dict)

    def english(self) -> str:
        """The reason in English (for logs and the JSON report)."""
        return _WHY_EN[self.key].format(**self.args)


def metric_value(metric: Metric, turns: list[AgentTurnLabels]) -> tuple[float | None, list[int], Why]:
    """The metric's value over ``turns`` (None = not applicable), the turns that count, and why."""
    scoped = in_scope(turns, metric.scope)
    wanted = set(metric.acts)
    hits = [t.turn for t in scoped if t.labels & wanted]
    if metric.kind == "count":
        return float(len(hits)), hits, Why("count", {"n": len(hits)})
    if metric.kind == "share":
        base = [t.turn for t in scoped if t.labels & set(metric.of)]
        if not base:
            return None, [], Why("no_base")
        counted = [n for n in hits if n in base]
        return len(counted) / len(base), hits, Why("share", {"hits": len(counted), "base": len(base)})
    if metric.kind == "turn_share":
        if not scoped:
            return None, [], Why("no_scope")
        return len(hits) / len(scoped), hits, Why("turn_share", {"hits": len(hits), "total": len(scoped)})
    if metric.kind == "before":
        assert metric.then is not None
        then_at = next((t.turn for t in scoped if metric.then in t.labels), None)
        if not hits and then_at is None:
            return None, [], Why("neither", {"then": metric.then})
        if then_at is None:
            return 1.0, hits, Why("never_came", {"then": metric.then})
        early = [n for n in hits if n <= then_at]
        return (1.0 if early else 0.0), early or [then_at], Why("first_then", {"then": metric.then, "turn": then_at})
    if metric.kind in ("first_turn", "last_turn"):
        if not scoped:
            return None, [], Why("no_turn")
        turn = scoped[0] if metric.kind == "first_turn" else scoped[-1]
        found = bool(turn.labels & wanted)
        return (1.0 if found else 0.0), [turn.turn], Why("at_turn", {"turn": turn.turn})
    # max_streak
    best, run, best_turns, run_turns = 0, 0, [], []
    for t in scoped:
        if t.labels & wanted:
            run += 1
            run_turns.append(t.turn)
            if run > best:
                best, best_turns = run, list(run_turns)
        else:
            run, run_turns = 0, []
    return float(best), best_turns, Why("streak", {"n": best})


def check_level(check: Check, value: float) -> int:
    """The level of the first band that holds for ``value`` (the last band always holds)."""
    for band in check.bands:
        if (band.min is None or value >= band.min) and (band.max is None or value <= band.max):
            return band.level
    return check.bands[-1].level


def not_applicable_reason(
    rule: NotApplicable | None, agent_turns: int, outcome: Outcome | None, phase: Phase | None
) -> Why | None:
    """Why a dimension is not applicable to this transcript, or None when it is."""
    if rule is None:
        return None
    if rule.fewer_agent_turns_than is not None and agent_turns < rule.fewer_agent_turns_than:
        return Why("fewer_turns", {"n": rule.fewer_agent_turns_than})
    if outcome is not None and outcome in rule.outcome_in:
        return Why("outcome", {"outcome": outcome})
    if phase is not None and phase in rule.phase_in:
        return Why("phase", {"phase": phase})
    return None


def score_dimension(
    dimension: Dimension,
    turns: list[AgentTurnLabels],
    outcome: Outcome | None = None,
    phase: Phase | None = None,
) -> DimensionScore:
    """Tagger level of one dimension: its checks' levels combined (mean or min)."""
    reason = not_applicable_reason(dimension.not_applicable, len(turns), outcome, phase)
    if reason:
        return DimensionScore(
            dimension_id=dimension.dimension_id,
            level=None,
            checks=[],
            not_applicable=reason.english(),
            not_applicable_key=reason.key,
            not_applicable_args=reason.args,
        )
    results = []
    for check in dimension.checks:
        value, hit_turns, why = metric_value(check.metric, turns)
        level = None if value is None else check_level(check, value)
        results.append(
            CheckResult(
                check_id=check.check_id,
                value=value,
                level=level,
                turns=hit_turns,
                reason=why.english(),
                reason_key=why.key,
                reason_args=why.args,
                description=check.description,
            )
        )
    levels = [r.level for r in results if r.level is not None]
    if not levels:
        none = Why("no_check")
        return DimensionScore(
            dimension_id=dimension.dimension_id,
            level=None,
            checks=results,
            not_applicable=none.english(),
            not_applicable_key=none.key,
        )
    combined = float(min(levels)) if dimension.combine == "min" else round(fmean(levels), 2)
    return DimensionScore(dimension_id=dimension.dimension_id, level=combined, checks=results)


def total_score(rubric: RubricFile, levels: dict[str, float | None]) -> float | None:
    """Weighted total out of 100 (a level is worth level/max of its weight); n/a dimensions drop out."""
    return weighted_total([(d.weight, levels.get(d.dimension_id)) for d in rubric.dimensions], rubric.scale.max)


def weighted_total(weighted_levels: list[tuple[float, float | None]], scale_max: int) -> float | None:
    """The total of :func:`total_score` from (weight, level) pairs, e.g. the ones a saved report carries."""
    scored = [(weight, level) for weight, level in weighted_levels if level is not None]
    if not scored:
        return None
    weight = sum(w for w, _ in scored)
    return round(100 * sum(w * lv / scale_max for w, lv in scored) / weight, 1)
