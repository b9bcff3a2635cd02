"""Assignments: what a teacher sets (persona x scenario x rubric, or a pool), who may start it and when."""

from roleplay.assignment.model import (
    CLASS_CODE_LIMIT,
    TIME_LIMIT_MAX,
    Assignment,
    AssignmentDraft,
    AssignmentForm,
    AssignmentStatus,
    CheckedForm,
    FieldProblem,
    Problem,
    check_form,
    class_code_problem,
    deadline,
    draw_persona,
    format_when,
    same_class,
    start_problem,
)
from roleplay.assignment.pool import POOL_KINDS, PoolKind, build_pool, pool_labels

__all__ = [
    "CLASS_CODE_LIMIT",
    "POOL_KINDS",
    "TIME_LIMIT_MAX",
    "Assignment",
    "AssignmentDraft",
    "AssignmentForm",
    "AssignmentStatus",
    "CheckedForm",
    "FieldProblem",
    "PoolKind",
    "Problem",
    "build_pool",
    "check_form",
    "class_code_problem",
    "deadline",
    "draw_persona",
    "format_when",
    "pool_labels",
    "same_class",
    "start_problem",
]
