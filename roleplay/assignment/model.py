"""An assignment and its rules: checking the teacher's form, status by date, who may start it, the pool draw.

Everything here is pure (no database, no UI): :mod:`roleplay.store.assignments` keeps assignments,
the web app shows them. Problems are returned as message keys with values, so the same check speaks
Chinese or English and tests compare against the locale file.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.i18n import t
from roleplay.library import Language, Library, UnknownPersonaError

AssignmentStatus = Literal["scheduled", "open", "closed", "archived"]
AssignmentField = Literal[
    "title", "scenario", "rubric", "personas", "class_code", "time_limit", "opens_at", "closes_at", "note"
]

TITLE_LIMIT = 100
NOTE_LIMIT = 2000
TIME_LIMIT_MAX = 180
CLASS_CODE_LIMIT = 30
# Letters (Chinese too), digits, _ and -: what a class name such as 电商2301 or ec-2301 needs, and no spaces.
_CLASS_CODE = re.compile(rf"[\w-]{{1,{CLASS_CODE_LIMIT}}}")
_TRAILING_DIGITS = re.compile(r"(\d+)$")
_DATE_TIME = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


class Problem(BaseModel):
    """Something that is not allowed, as a message key and the values that fill it."""

    model_config = ConfigDict(frozen=True)

    key: str
    values: dict[str, str] = Field(default_factory=dict)

    def text(self, language: Language) -> str:
        """The message in ``language``."""
        return t(self.key, language, **self.values)


class FieldProblem(Problem):
    """A problem with one field of the teacher's form; its text names the field."""

    field: AssignmentField

    def text(self, language: Language) -> str:
        """``<field label>: <problem>`` in ``language``."""
        label = t(f"ui.assign.field_{self.field}", language)
        return t("ui.assign.problem", language, field=label, problem=super().text(language))


class AssignmentForm(BaseModel):
    """What the teacher typed, unchecked (dates as text, the time limit as a number or text)."""

    title: str = ""
    scenario: str = ""
    rubric: str = ""
    personas: list[str] = Field(default_factory=list)
    class_code: str = ""
    time_limit: float | str | None = None
    opens_at: str | datetime | None = None
    closes_at: str | datetime | None = None
    note: str = ""


class AssignmentDraft(BaseModel):
    """A checked assignment, not saved yet."""

    model_config = ConfigDict(frozen=True)

    title: str
    scenario: str
    rubric: str
    personas: list[str] = Field(min_length=1, description="one persona spec, or the pool a student draws from")
    class_code: str | None = Field(default=None, description="only students who signed in with it; None: everyone")
    time_limit_minutes: int | None = Field(default=None, ge=1, le=TIME_LIMIT_MAX)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    note: str = ""


class Assignment(AssignmentDraft):
    """A saved assignment."""

    assignment_id: str
    created_at: datetime
    created_by: str
    archived: bool = False

    def status(self, now: datetime) -> AssignmentStatus:
        """Archived, closed (its close time has passed), scheduled (not open yet) or open."""
        if self.archived:
            return "archived"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        if self.opens_at is not None and now < self.opens_at:
            return "scheduled"
        return "open"

    def is_for(self, class_code: str | None) -> bool:
        """Whether a student signed in with ``class_code`` (None: none given) may see it."""
        return self.class_code is None or same_class(self.class_code, class_code)

    @property
    def pooled(self) -> bool:
        """True when each student draws one customer from several."""
        return len(self.personas) > 1


class CheckedForm(BaseModel):
    """The result of checking a form: a draft, or every problem found (never both)."""

    draft: AssignmentDraft | None = None
    problems: list[FieldProblem] = Field(default_factory=list)


def same_class(first: str | None, second: str | None) -> bool:
    """Class codes match whatever their case and surrounding spaces (``EC2301`` is ``ec2301``)."""
    if not first or not second:
        return False
    return first.strip().casefold() == second.strip().casefold()


def class_code_problem(code: str) -> Problem | None:
    """Why ``code`` (already stripped, not empty) cannot be a class code, or None."""
    if _CLASS_CODE.fullmatch(code):
        return None
    return Problem(key="ui.assign.bad_class_code", values={"limit": str(CLASS_CODE_LIMIT)})


def check_form(form: AssignmentForm, library: Library, now: datetime) -> CheckedForm:
    """Check the teacher's form against the library; every problem names its field.

    Rules: a title; a scenario and a rubric that exist; at least one customer, each of which composes
    (a persona id or a trait combination); a class code of letters, digits, _ or - (or none: everyone);
    a time limit of 1-180 whole minutes (or none); dates that parse, a close time after the open time
    and not already past. Repeated customers are kept once.
    """
    problems: list[FieldProblem] = []

    def problem(field: AssignmentField, key: str, **values: object) -> None:
        problems.append(FieldProblem(field=field, key=key, values={k: str(v) for k, v in values.items()}))

    title = form.title.strip()
    if not title:
        problem("title", "ui.assign.need_title")
    elif len(title) > TITLE_LIMIT:
        problem("title", "ui.assign.too_long", limit=TITLE_LIMIT)
    if form.scenario not in library.scenarios:
        problem("scenario", "ui.assign.unknown_scenario", value=form.scenario or "-")
    if form.rubric not in library.rubrics:
        problem("rubric", "ui.assign.unknown_rubric", value=form.rubric or "-")
    personas = list(dict.fromkeys(spec.strip() for spec in form.personas if spec.strip()))
    if not personas:
        problem("personas", "ui.assign.need_persona")
    for number, spec in enumerate(personas, start=1):
        try:
            library.persona(spec)
        except UnknownPersonaError as exc:
            problem("personas", "ui.assign.bad_persona", number=number, spec=spec, reason=exc)
    class_code = form.class_code.strip() or None
    if class_code is not None and (refused := class_code_problem(class_code)) is not None:
        problem("class_code", refused.key, **refused.values)
    minutes = _minutes(form.time_limit)
    if minutes == "bad":
        problem("time_limit", "ui.assign.bad_time_limit", limit=TIME_LIMIT_MAX)
    opens_at, closes_at = _when(form.opens_at, end_of_day=False), _when(form.closes_at, end_of_day=True)
    for field, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if value == "bad":
            problem(field, "ui.assign.bad_date")  # type: ignore[arg-type]
    if isinstance(closes_at, datetime):
        if isinstance(opens_at, datetime) and closes_at <= opens_at:
            problem("closes_at", "ui.assign.closes_before_opens")
        elif closes_at <= now:
            problem("closes_at", "ui.assign.closes_in_past")
    note = form.note.strip()
    if len(note) > NOTE_LIMIT:
        problem("note", "ui.assign.too_long", limit=NOTE_LIMIT)
    if problems:
        return CheckedForm(problems=problems)
    draft = AssignmentDraft(
        title=title,
        scenario=form.scenario,
        rubric=form.rubric,
        personas=personas,
        class_code=class_code,
        time_limit_minutes=minutes if isinstance(minutes, int) else None,
        opens_at=opens_at if isinstance(opens_at, datetime) else None,
        closes_at=closes_at if isinstance(closes_at, datetime) else None,
        note=note,
    )
    return CheckedForm(draft=draft)


def _minutes(value: float | str | None) -> int | Literal["bad"] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except ValueError:
        return "bad"
    if not number.is_integer() or not 1 <= number <= TIME_LIMIT_MAX:
        return "bad"
    return int(number)


def _when(value: str | datetime | None, *, end_of_day: bool) -> datetime | Literal["bad"] | None:
    """A date and time as typed (``2026-05-03 08:00``; seconds optional; ``/``, ``.`` or ``T`` allowed), local time.

    A date without a time means the start of that day, or its end (23:59) for a close date.
    """
    if isinstance(value, datetime):
        parsed = value if value.tzinfo is None else value.astimezone().replace(tzinfo=None)
        return parsed.replace(second=0, microsecond=0)
    match = _DATE_TIME.fullmatch((value or "").strip())
    if match is None:
        return None if not (value or "").strip() else "bad"
    year, month, day, hour, minute = (int(part) if part else None for part in match.groups()[:5])
    assert year is not None and month is not None and day is not None
    if hour is None:
        hour, minute = (23, 59) if end_of_day else (0, 0)
    try:
        return datetime(year, month, day, hour, minute or 0)
    except ValueError:  # 2026-02-30, 25:00
        return "bad"


def start_problem(assignment: Assignment, class_code: str | None, now: datetime) -> Problem | None:
    """Why a student signed in with ``class_code`` cannot start ``assignment`` now, or None."""
    if not assignment.is_for(class_code):
        return Problem(key="ui.assign.other_class")
    status = assignment.status(now)
    if status == "scheduled":
        assert assignment.opens_at is not None
        return Problem(key="ui.assign.not_open_yet", values={"opens": format_when(assignment.opens_at)})
    if status in ("closed", "archived"):
        return Problem(key="ui.assign.closed")
    return None


def draw_persona(assignment_id: str, personas: list[str], student_id: str) -> str:
    """The customer a student gets from the pool: the same on every reload, spread evenly over the class.

    Student numbers ending in digits (2023010501, 2023010502, ...) take consecutive pool entries, so a
    class with consecutive numbers splits exactly evenly; other numbers go by a stable hash. The start
    of the rotation depends on the assignment, so the first student does not always get the first entry.
    """
    if len(personas) == 1:
        return personas[0]
    offset = int(hashlib.sha256(assignment_id.encode()).hexdigest()[:8], 16)
    digits = _TRAILING_DIGITS.search(student_id.strip())
    if digits:
        position = int(digits.group(1))
    else:
        position = int(hashlib.sha256(student_id.strip().casefold().encode()).hexdigest()[:8], 16)
    return personas[(position + offset) % len(personas)]


def deadline(started_at: datetime, minutes: int | None) -> datetime | None:
    """When a chat started at ``started_at`` must end, or None without a time limit."""
    return None if minutes is None else started_at + timedelta(minutes=minutes)


def format_when(value: datetime | None) -> str:
    """A date and time as the app shows it (``2026-05-03 08:00``), or ``-``."""
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")
