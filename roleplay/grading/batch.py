"""Grading many saved transcripts: collect files, grade in an async pool, write reports and a summary.

Each report is written (atomically) as soon as it is done, so stopping the run keeps everything
finished so far; ``resume`` skips transcripts whose report exists with the same rubric hash and
judge model. A bad file is recorded with its reason and the run goes on.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from roleplay.grading.grade import grade_transcript
from roleplay.grading.judge import Judge
from roleplay.grading.report import Report
from roleplay.grading.slots import JudgeSlots
from roleplay.grading.tagger_grade import rubric_hash
from roleplay.library import Library
from roleplay.library.common import Language
from roleplay.library.rubric import RubricFile
from roleplay.transcript import Transcript, TranscriptFormatError, read_transcripts

TRANSCRIPT_SUFFIXES = (".json", ".txt", ".csv")
REPORT_FORMATS = ("json", "md", "html")


@dataclass(frozen=True)
class BatchItem:
    """One transcript to grade (or a file that could not be read), with the name of its report."""

    key: str
    source: str
    transcript: Transcript | None = None
    error: str | None = None


@dataclass
class BatchResult:
    """What a batch run did."""

    graded: list[tuple[BatchItem, Report]] = field(default_factory=list)
    skipped: list[BatchItem] = field(default_factory=list)
    failed: list[BatchItem] = field(default_factory=list)


def collect(paths: Iterable[str], out_dir: Path | None = None) -> list[BatchItem]:
    """Every transcript in ``paths`` (files, folders searched recursively, or glob patterns)."""
    files: list[Path] = []
    items: list[BatchItem] = []
    for spec in paths:
        matches = [Path(p) for p in sorted(glob.glob(spec, recursive=True))] or [Path(spec)]
        for path in matches:
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.suffix.lower() in TRANSCRIPT_SUFFIXES and p.is_file())
            elif path.exists():
                files.append(path)
            else:
                items.append(BatchItem(key=_slug(path.stem), source=spec, error="no such file or folder"))
    out = out_dir.resolve() if out_dir else None
    seen: set[str] = set()
    for path in files:
        if out is not None and out in path.resolve().parents:
            continue  # never grade our own reports
        try:
            transcripts = read_transcripts(path)
        except TranscriptFormatError as exc:
            reason = f"line {exc.line}: {exc.message}" if exc.line else exc.message
            items.append(BatchItem(key=_unique(_slug(path.stem), seen), source=str(path), error=reason))
            continue
        for index, transcript in enumerate(transcripts):
            name = path.stem if len(transcripts) == 1 else f"{path.stem}-{transcript.session_id or index + 1}"
            items.append(BatchItem(key=_unique(_slug(name), seen), source=str(path), transcript=transcript))
    return items


async def grade_batch(
    items: list[BatchItem],
    rubric: RubricFile,
    out_dir: Path,
    *,
    library: Library | None = None,
    judge: Judge | None = None,
    concurrency: int = 4,
    samples: int = 1,
    resume: bool = False,
    formats: Iterable[str] = REPORT_FORMATS,
    language: Language | None = None,
    on_done: Callable[[BatchItem, str], None] | None = None,
) -> BatchResult:
    """Grade every item with at most ``concurrency`` judge calls at once; reports go to ``out_dir/<key>.<format>``.

    ``on_done(item, status)`` is called after each item with status graded, skipped or failed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    result = BatchResult()
    gate = JudgeSlots(concurrency)
    wanted = [f for f in formats if f in REPORT_FORMATS] or ["json"]
    stamp = (rubric_hash(rubric), judge.model_name if judge else None)

    async def one(item: BatchItem) -> None:
        if item.transcript is None:
            result.failed.append(item)
        elif resume and _already_graded(out_dir / f"{item.key}.json", stamp):
            result.skipped.append(item)
        else:
            try:
                report = await grade_transcript(
                    item.transcript,
                    rubric,
                    library=library,
                    judge=judge,
                    samples=samples,
                    language=language,
                    judge_gate=gate,
                )
            except Exception as exc:  # one broken transcript must not stop the class
                failed = BatchItem(item.key, item.source, None, f"grading failed: {type(exc).__name__}: {exc}")
                result.failed.append(failed)
                if on_done:
                    on_done(failed, "failed")
                return
            # The worker goes on to the next transcript while this report is written, so a slow
            # disk or renderer never leaves a judge slot without a transcript ready for it.
            await write_room.acquire()  # bounded, so memory stays flat if writing falls behind
            writes.append(asyncio.create_task(save(item, report)))
            return
        if on_done:
            on_done(item, "failed" if item.transcript is None else "skipped")

    async def save(item: BatchItem, report: Report) -> None:
        try:
            await asyncio.to_thread(write_report, report, out_dir / item.key, wanted)
        finally:
            write_room.release()
        result.graded.append((item, report))
        if on_done:
            on_done(item, "graded")

    writes: list[asyncio.Task[None]] = []
    write_room = asyncio.Semaphore(4 * max(1, concurrency))

    # A pool of workers, not one task per transcript: all tasks at once would run every transcript's
    # tagger work up front, holding the event loop while the first judge answers wait to be read.
    # Twice the judge slots keeps the next transcripts tagged and queued, so a freed slot is taken
    # at once (no waves), while the rest wait untouched.
    queue = iter(items)

    async def worker() -> None:
        for item in queue:  # shared: each item is taken by exactly one worker
            await one(item)

    await asyncio.gather(*(worker() for _ in range(min(len(items), 2 * max(1, concurrency) + 1))))
    await asyncio.gather(*writes)
    order = {item.key: index for index, item in enumerate(items)}
    result.graded.sort(key=lambda pair: order[pair[0].key])
    return result


def write_report(report: Report, stem: Path, formats: Iterable[str]) -> None:
    """Write the report as ``stem.json`` / ``.md`` / ``.html`` (each atomically)."""
    for name in formats:
        if name == "json":
            text = report.model_dump_json(indent=2)
        else:
            from roleplay.grading.render import render_html, render_markdown

            text = render_markdown(report) if name == "md" else render_html(report)
        _atomic_write(stem.with_suffix(f".{name}"), text)


def load_reports(folder: Path) -> dict[str, Report]:
    """The reports in a folder, by key (file stem)."""
    reports = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("format") == "roleplay-report":
            reports[path.stem] = Report.model_validate(data)
    return reports


def _already_graded(path: Path, stamp: tuple[str, str | None]) -> bool:
    if not path.exists():
        return False
    try:
        report = Report.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (report.provenance.rubric_hash, report.provenance.judge_model) == stamp


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "transcript"


def _unique(key: str, seen: set[str]) -> str:
    candidate, n = key, 2
    while candidate in seen:
        candidate, n = f"{key}-{n}", n + 1
    seen.add(candidate)
    return candidate
