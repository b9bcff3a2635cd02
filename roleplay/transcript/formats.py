"""Reading and writing transcripts: our JSON, plain text (``客服:`` / ``顾客:`` lines) and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from roleplay.transcript.model import Role, Student, Transcript, Turn

AGENT_LABELS = ("客服", "坐席", "商家", "售后", "agent", "service", "staff")
CUSTOMER_LABELS = ("顾客", "客户", "买家", "用户", "customer", "client", "buyer")
_ROLE_LABEL = {"agent": {"zh": "客服", "en": "Agent"}, "customer": {"zh": "顾客", "en": "Customer"}}
_LABELS = "|".join(re.escape(label) for label in AGENT_LABELS + CUSTOMER_LABELS)
_TIME = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T])?\d{1,2}:\d{2}(?::\d{2})?"
_LINE = re.compile(
    rf"^\s*(?:\[(?P<ts1>{_TIME})\]|(?P<ts2>{_TIME}))?\s*(?P<label>{_LABELS})\s*[:：]\s?(?P<text>.*)$",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^\s*#\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_HEADER_KEYS = (
    "session_id",
    "persona",
    "scenario",
    "rubric",
    "model",
    "language",
    "student",
    "student_id",
    "class_name",
    "outcome",
)
SUFFIXES = (".json", ".txt", ".csv")


@dataclass(frozen=True)
class TranscriptFormatError(Exception):
    """A transcript file that cannot be read, with where and why."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def role_of(label: str) -> Role | None:
    """``客服`` / ``Agent`` -> agent, ``顾客`` / ``Customer`` -> customer, else None."""
    lowered = label.strip().lower()
    if lowered in AGENT_LABELS:
        return "agent"
    if lowered in CUSTOMER_LABELS:
        return "customer"
    return None


def _parse_time(value: str, anchor: datetime | None) -> datetime:
    value = value.strip().replace("/", "-").replace(".", "-").replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            pass
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            clock = datetime.strptime(value, pattern).time()
        except ValueError:
            continue
        base = anchor or datetime(2000, 1, 1)
        moment = datetime.combine(base.date(), clock)
        if anchor and moment < anchor - timedelta(hours=12):  # passed midnight
            moment += timedelta(days=1)
        return moment
    return datetime.fromisoformat(value)


def parse_text(text: str, source: str = "<text>") -> Transcript:
    """Parse the plain-text format: one ``客服: ...`` / ``Customer: ...`` line per message.

    A line may start with a timestamp (``[2024-05-03 10:02:03]`` or ``10:02``); lines without a role
    label continue the message above; ``# key: value`` lines before the first message set metadata.

    Raises:
        TranscriptFormatError: text before the first message, or no message at all.
    """
    meta: dict[str, str] = {}
    turns: list[Turn] = []
    anchor: datetime | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        header = _HEADER.match(line)
        if header and not turns and header["key"].lower() in (*_HEADER_KEYS, "started_at", "date"):
            meta[header["key"].lower()] = header["value"]
            continue
        match = _LINE.match(line)
        if match:
            role = role_of(match["label"])
            assert role is not None
            stamp = match["ts1"] or match["ts2"]
            timestamp = None
            if stamp:
                try:
                    timestamp = _parse_time(stamp, anchor or _meta_time(meta))
                except ValueError as exc:
                    raise TranscriptFormatError(source, f"cannot read the time '{stamp}'", number) from exc
                anchor = timestamp
            turns.append(Turn(role=role, text=match["text"].strip(), timestamp=timestamp))
        elif turns:
            turns[-1].text = f"{turns[-1].text}\n{line.strip()}".strip()
        else:
            raise TranscriptFormatError(
                source,
                "each message must start with a role: 客服: / 顾客: (or Agent: / Customer:)",
                number,
            )
    if not turns:
        raise TranscriptFormatError(source, "no messages found (lines like '客服: 您好' or 'Customer: hi')")
    return _with_meta(Transcript(turns=turns, source=source), meta)


def _meta_time(meta: dict[str, str]) -> datetime | None:
    value = meta.get("started_at") or meta.get("date")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _with_meta(transcript: Transcript, meta: dict[str, str]) -> Transcript:
    student = None
    if any(meta.get(key) for key in ("student", "student_id", "class_name")):
        student = Student(
            name=meta.get("student") or None,
            student_id=meta.get("student_id") or None,
            class_name=meta.get("class_name") or None,
        )
    updates: dict[str, object] = {
        key: meta[key] for key in ("session_id", "persona", "scenario", "rubric", "model") if meta.get(key)
    }
    if meta.get("language") in ("zh", "en"):
        updates["language"] = meta["language"]
    if meta.get("outcome"):
        updates["outcome"] = meta["outcome"]
    started = _meta_time(meta)
    if started:
        updates["started_at"] = started
    if student:
        updates["student"] = student
    data = transcript.model_dump() | updates
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        raise TranscriptFormatError(
            transcript.source or "<text>", f"bad header value: {exc.errors()[0]['msg']}"
        ) from exc


def to_text(transcript: Transcript) -> str:
    """Write the plain-text format (readable, and read back by :func:`parse_text`)."""
    lines = []
    meta = {
        "session_id": transcript.session_id,
        "persona": transcript.persona,
        "scenario": transcript.scenario,
        "rubric": transcript.rubric,
        "model": transcript.model,
        "language": transcript.language,
        "student": transcript.student.name if transcript.student else None,
        "student_id": transcript.student.student_id if transcript.student else None,
        "class_name": transcript.student.class_name if transcript.student else None,
        "outcome": transcript.outcome,
        "started_at": transcript.started_at.isoformat(sep=" ") if transcript.started_at else None,
    }
    lines += [f"# {key}: {value}" for key, value in meta.items() if value]
    for turn in transcript.turns:
        stamp = f"[{turn.timestamp:%Y-%m-%d %H:%M:%S}] " if turn.timestamp else ""
        label = _ROLE_LABEL[turn.role][transcript.language]
        lines.append(f"{stamp}{label}: {turn.text}")
    return "\n".join(lines) + "\n"


_CSV_COLUMNS = {
    "role": ("role", "speaker", "角色", "发言人", "身份"),
    "text": ("text", "content", "message", "内容", "消息", "发言"),
    "timestamp": ("timestamp", "time", "时间"),
    "session_id": ("session_id", "session", "transcript", "会话", "会话编号"),
    "student": ("student", "student_name", "学生", "姓名"),
    "student_id": ("student_id", "学号"),
    "persona": ("persona", "人物", "客户画像"),
    "scenario": ("scenario", "场景"),
}


def parse_csv(text: str, source: str = "<csv>") -> list[Transcript]:
    """Parse CSV with columns role and text (timestamp, session_id, student... optional).

    Rows with different ``session_id`` values become separate transcripts, in order of appearance.
    Chinese headers (角色, 内容, 时间, 会话, 学生, 学号) are accepted.

    Raises:
        TranscriptFormatError: missing columns, an unknown role, a bad time, or no rows.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {name.strip().lower(): name for name in reader.fieldnames or []}
    columns: dict[str, str] = {}
    for field, names in _CSV_COLUMNS.items():
        for name in names:
            if name in headers:
                columns[field] = headers[name]
                break
    missing = [field for field in ("role", "text") if field not in columns]
    if missing:
        raise TranscriptFormatError(
            source,
            f"missing column(s) {', '.join(missing)}; found: {', '.join(headers) or '(none)'}; "
            "needed: role (角色) and text (内容), optional timestamp (时间), session_id (会话)",
            1,
        )
    groups: dict[str, list[Turn]] = {}
    metas: dict[str, dict[str, str]] = {}
    anchor: datetime | None = None
    for number, row in enumerate(reader, start=2):

        def cell(field: str, row: dict[str, str] = row) -> str:
            return (row.get(columns[field]) or "").strip() if field in columns else ""

        if not cell("role") and not cell("text"):
            continue
        role = role_of(cell("role"))
        if role is None:
            raise TranscriptFormatError(
                source, f"unknown role '{cell('role')}'; use 客服/顾客 or agent/customer", number
            )
        timestamp = None
        if cell("timestamp"):
            try:
                timestamp = _parse_time(cell("timestamp"), anchor)
            except ValueError as exc:
                raise TranscriptFormatError(source, f"cannot read the time '{cell('timestamp')}'", number) from exc
            anchor = timestamp
        key = cell("session_id")
        groups.setdefault(key, []).append(Turn(role=role, text=cell("text"), timestamp=timestamp))
        meta = metas.setdefault(key, {"session_id": key} if key else {})
        for field in ("student", "student_id", "persona", "scenario"):
            if cell(field) and field not in meta:
                meta[field] = cell(field)
    if not groups:
        raise TranscriptFormatError(source, "no rows with a role and a text")
    return [_with_meta(Transcript(turns=turns, source=source), metas[key]) for key, turns in groups.items()]


def to_csv(transcript: Transcript) -> str:
    """Write one transcript as CSV (role, text, timestamp, session_id)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["role", "text", "timestamp", "session_id"])
    for turn in transcript.turns:
        stamp = turn.timestamp.isoformat(sep=" ") if turn.timestamp else ""
        writer.writerow([turn.role, turn.text, stamp, transcript.session_id or ""])
    return buffer.getvalue()


def parse_json(text: str, source: str = "<json>") -> Transcript:
    """Parse our JSON transcript format.

    Raises:
        TranscriptFormatError: not JSON, or not a valid transcript (the first problem is named).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(source, f"not valid JSON: {exc.msg}", exc.lineno) from exc
    try:
        transcript = Transcript.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TranscriptFormatError(
            source, f"not a roleplay transcript: {where}: {first['msg']} ({exc.error_count()} problem(s))"
        ) from exc
    if transcript.source is None:
        transcript.source = source
    return transcript


def read_transcripts(path: Path) -> list[Transcript]:
    """Read every transcript in one file (JSON, TXT or CSV, by suffix).

    Raises:
        TranscriptFormatError: unreadable file, unknown suffix or bad content.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptFormatError(str(path), f"unknown file type '{suffix}'; use .json, .txt or .csv")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptFormatError(str(path), f"cannot read the file ({exc.strerror})") from exc
    text = _decode(raw, str(path))
    if suffix == ".json":
        return [parse_json(text, str(path))]
    if suffix == ".csv":
        return parse_csv(text, str(path))
    return [parse_text(text, str(path))]


def _decode(raw: bytes, source: str) -> str:
    # Chinese Windows tools often save CSV and TXT as GB18030 (GBK); try UTF-8 first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TranscriptFormatError(source, "the file is neither UTF-8 nor GBK text")


def write_transcript(transcript: Transcript, path: Path) -> None:
    """Write a transcript in the format the suffix names (.json, .txt or .csv), atomically."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        content = transcript.model_dump_json(indent=2, exclude_none=True)
    elif suffix == ".txt":
        content = to_text(transcript)
    elif suffix == ".csv":
        content = to_csv(transcript)
    else:
        raise ValueError(f"unknown transcript suffix {suffix!r}; use .json, .txt or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(content, encoding="utf-8")
    temporary.replace(path)
