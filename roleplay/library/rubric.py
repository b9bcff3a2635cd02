"""A rubric: weighted dimensions, each made of checks the tagger can compute, with level descriptors."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from roleplay.acts import Act, Trigger
from roleplay.library.common import Outcome, Slug, Strict, Text
from roleplay.library.scenario import Phase

Stage = Literal["receive", "understand", "satisfy", "retain"]
MetricKind = Literal["count", "share", "before", "first_turn", "last_turn", "max_streak", "turn_share"]


class Scope(Strict):
    """Which agent turns a metric looks at (all of them when nothing is set)."""

    first_turns: int | None = Field(default=None, ge=1, description="only the first N agent turns")
    last_turns: int | None = Field(default=None, ge=1, description="only the last N agent turns")
    before_act: Act | None = Field(default=None, description="only turns before the first turn with this act")
    after_act: Act | None = Field(default=None, description="only turns from the first turn with this act on")


class Metric(Strict):
    """A number computed from the tagger's labels over the agent's turns.

    Kinds:
      count: how many turns carry any of ``acts``.
      share: turns with ``acts`` divided by turns with any of ``of`` (n/a when none have ``of``).
      turn_share: turns with ``acts`` divided by all agent turns in scope.
      before: 1 if ``acts`` occur before the first turn with ``then`` (or ``then`` never occurs
        while ``acts`` do), else 0; n/a when neither occurs.
      first_turn / last_turn: 1 if the first / last agent turn carries any of ``acts``, else 0.
      max_streak: the longest run of consecutive turns carrying any of ``acts``.
    """

    kind: MetricKind
    acts: list[Trigger] = Field(min_length=1)
    of: list[Trigger] = Field(default_factory=list, description="share only: the denominator's acts")
    then: Act | None = Field(default=None, description="before only: the act that must come later")
    scope: Scope = Field(default_factory=Scope)

    @model_validator(mode="after")
    def _kind_fields(self) -> Metric:
        if self.kind == "share" and not self.of:
            raise ValueError("kind share needs 'of' (the acts that make the denominator)")
        if self.kind != "share" and self.of:
            raise ValueError(f"'of' is only for kind share, not {self.kind}")
        if self.kind == "before" and self.then is None:
            raise ValueError("kind before needs 'then' (the act that must come after)")
        if self.kind != "before" and self.then is not None:
            raise ValueError(f"'then' is only for kind before, not {self.kind}")
        return self


class Band(Strict):
    """Maps a metric value to a level: the first band (in the order listed) that holds wins."""

    level: int = Field(ge=0, le=10)
    min: float | None = Field(default=None, description="value at least this")
    max: float | None = Field(default=None, description="value at most this")


class NotApplicable(Strict):
    """When a dimension is not scored, in words and as machine-checkable conditions."""

    description: Text
    fewer_agent_turns_than: int | None = Field(default=None, ge=1)
    outcome_in: list[Outcome] = Field(default_factory=list)
    phase_in: list[Phase] = Field(default_factory=list, description="n/a when the scenario's phase is one of these")


class Check(Strict):
    """One concrete, tagger-computable check inside a dimension."""

    check_id: Slug
    description: Text
    metric: Metric
    bands: list[Band] = Field(min_length=1, description="the last band must have no min and no max")

    @model_validator(mode="after")
    def _bands_cover_everything(self) -> Check:
        last = self.bands[-1]
        if last.min is not None or last.max is not None:
            raise ValueError("bands: the last band must have neither min nor max, so every value gets a level")
        return self


class LevelDescriptor(Strict):
    """What one level of a dimension looks like."""

    level: int = Field(ge=0, le=10)
    label: Text = Field(description="e.g. 优秀 / Excellent")
    description: Text


class Dimension(Strict):
    """One scored dimension of the rubric."""

    dimension_id: Slug
    name: Text
    description: Text
    weight: float = Field(gt=0, le=100)
    stage: Stage | None = Field(default=None, description="service-cycle stage, when the dimension is one")
    levels: list[LevelDescriptor] = Field(min_length=2)
    checks: list[Check] = Field(min_length=1)
    combine: Literal["mean", "min"] = Field(
        default="mean", description="how the checks' levels make the dimension's level: their mean or the lowest"
    )
    evidence_acts: list[Trigger] = Field(
        default_factory=list, description="tagger acts that count as evidence for this dimension"
    )
    not_applicable: NotApplicable | None = None


class Scale(Strict):
    """The level scale shared by all dimensions."""

    min: int = Field(default=1, ge=0)
    max: int = Field(default=5, le=10)


class RubricFile(Strict):
    """A rubric, ``rubrics/<rubric_id>.yaml``."""

    rubric_id: Slug
    name: Text
    summary: Text | None = Field(default=None, description="one line for lists")
    description: Text
    scale: Scale = Field(default_factory=Scale)
    pass_score: float = Field(default=60, ge=0, le=100, description="total (0-100) needed to pass")
    min_agent_turns: int = Field(
        default=3,
        ge=0,
        le=50,
        description="a chat with fewer student messages than this cannot pass (too short to show the skills)",
    )
    disagreement_margin: float = Field(
        default=1.0, ge=0, description="flag a dimension when tagger and judge differ by more levels"
    )
    redlines: list[str] = Field(default_factory=list, description="phrases that always count as red lines")
    dimensions: list[Dimension] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RubricFile:
        if self.scale.min >= self.scale.max:
            raise ValueError("scale: min must be below max")
        seen: set[str] = set()
        for dim in self.dimensions:
            if dim.dimension_id in seen:
                raise ValueError(f"dimensions: dimension_id {dim.dimension_id} is used twice")
            seen.add(dim.dimension_id)
            levels = [item.level for item in dim.levels]
            bad = [lv for lv in levels if not self.scale.min <= lv <= self.scale.max]
            bad += [b.level for c in dim.checks for b in c.bands if not self.scale.min <= b.level <= self.scale.max]
            if bad:
                raise ValueError(
                    f"dimension {dim.dimension_id}: level {bad[0]} is outside the scale "
                    f"{self.scale.min}-{self.scale.max}"
                )
            check_ids = [c.check_id for c in dim.checks]
            if len(set(check_ids)) != len(check_ids):
                raise ValueError(f"dimension {dim.dimension_id}: a check_id is used twice")
        return self

    @property
    def total_weight(self) -> float:
        """Sum of the dimensions' weights."""
        return sum(dim.weight for dim in self.dimensions)
