"""Uploaded transcripts (JSON, text, CSV, or a zip of them) graded with the batch code and saved as reports.

Zip archives are read entry by entry: absolute paths, ``..``, links and nested archives are refused,
and the whole upload is capped, so an archive cannot write outside its folder or fill the disk.
Every file gets a result line: graded (with the total and the report id) or why not.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, TypeVar

from roleplay.grading.batch import TRANSCRIPT_SUFFIXES, BatchItem, collect, grade_batch
from roleplay.grading.judge import Judge
from roleplay.i18n import t
from roleplay.library import Library
from roleplay.library.common import Language
from roleplay.library.rubric import RubricFile
from roleplay.store.reports import ReportStore

MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_FILES = 500
_DRIVE = re.compile(r"^[A-Za-z]:")

T = TypeVar("T")
Runner = Callable[..., Awaitable[T]]


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file (or one chat of a CSV holding several)."""

    file: str
    status: Literal["graded", "failed"]
    reason: str = ""
    student: str = ""
    total: float | None = None
    report_id: int | None = None


@dataclass(frozen=True)
class Unpacked:
    """Transcript files ready to read (path on disk, name shown to the teacher) and the refused ones."""

    files: list[tuple[Path, str]]
    refused: list[UploadResult]


def unpack(uploads: list[Path], work_dir: Path, language: Language) -> Unpacked:
    """Copy plain transcripts and safe zip entries into ``work_dir`` (flat, numbered names).

    Args:
        uploads: the uploaded files (their names are what the teacher sees).
        work_dir: an empty folder for this upload.
        language: of the reasons.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    files: list[tuple[Path, str]] = []
    refused: list[UploadResult] = []
    budget = [MAX_TOTAL_BYTES]

    def refuse(name: str, key: str, **values: object) -> None:
        refused.append(UploadResult(file=name, status="failed", reason=t(key, language, **values)))

    def keep(name: str, data: bytes) -> None:
        if len(files) >= MAX_FILES:
            refuse(name, "ui.review.upload.too_many", limit=MAX_FILES)
            return
        if len(data) > budget[0]:
            refuse(name, "ui.review.upload.too_big", limit=MAX_TOTAL_BYTES // (1024 * 1024))
            return
        budget[0] -= len(data)
        target = work_dir / f"{len(files) + 1:03d}-{_safe_name(PurePosixPath(name).name)}"
        target.write_bytes(data)
        files.append((target, name))

    for upload in uploads:
        name = upload.name
        suffix = upload.suffix.lower()
        if suffix in TRANSCRIPT_SUFFIXES:
            size = upload.stat().st_size
            if size > budget[0]:
                refuse(name, "ui.review.upload.too_big", limit=MAX_TOTAL_BYTES // (1024 * 1024))
                continue
            keep(name, upload.read_bytes())
        elif suffix == ".zip":
            _unzip(upload, keep, refuse, budget)
        else:
            refuse(name, "ui.review.upload.bad_type", suffix=suffix or "-")
    return Unpacked(files=files, refused=refused)


def _unzip(
    archive: Path,
    keep: Callable[[str, bytes], None],
    refuse: Callable[..., None],
    budget: list[int],
) -> None:
    try:
        book = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        refuse(archive.name, "ui.review.upload.bad_zip")
        return
    with book:
        for info in book.infolist():
            entry = info.filename
            shown = f"{archive.name}/{entry}"
            if info.is_dir() or entry.startswith("__MACOSX/") or PurePosixPath(entry).name.startswith("."):
                continue  # folders and the clutter archivers add
            parts = entry.replace("\\", "/").split("/")
            if entry.startswith(("/", "\\")) or _DRIVE.match(entry) or ".." in parts:
                refuse(shown, "ui.review.upload.unsafe_path")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                refuse(shown, "ui.review.upload.link")
                continue
            suffix = PurePosixPath(entry).suffix.lower()
            if suffix == ".zip":
                refuse(shown, "ui.review.upload.nested_zip")
                continue
            if suffix not in TRANSCRIPT_SUFFIXES:
                refuse(shown, "ui.review.upload.bad_type", suffix=suffix or "-")
                continue
            if info.file_size > budget[0]:
                refuse(shown, "ui.review.upload.too_big", limit=MAX_TOTAL_BYTES // (1024 * 1024))
                continue
            try:
                with book.open(info) as handle:
                    data = handle.read(budget[0] + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
                refuse(shown, "ui.review.upload.bad_entry")
                continue
            keep(shown, data)


async def grade_uploads(
    uploads: list[Path],
    work_dir: Path,
    *,
    rubric: RubricFile,
    library: Library,
    judge: Judge | None,
    reports: ReportStore,
    run: Runner[int],
    language: Language,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[UploadResult]:
    """Unpack, grade (batch code, at most 4 judge calls at once) and save each graded chat as an ``upload`` report.

    Args:
        uploads: the uploaded files.
        work_dir: an empty folder for this upload (the unpacked files and the JSON reports go there).
        rubric: the rubric to grade with.
        library: resolves personas and scenarios named in the transcripts.
        judge: the LLM judge, or None for tagger grading.
        reports: where reports are saved.
        run: runs a blocking store call off the event loop (``SessionStore.run``).
        language: of the reports and the reasons.
        on_progress: called with (done, total) after each chat.

    Returns:
        One result per file (per chat for a CSV holding several), refused files first.
    """
    unpacked = unpack(uploads, work_dir / "files", language)
    shown = {str(path): name for path, name in unpacked.files}
    items = collect([str(path) for path, _ in unpacked.files])
    for item in items:
        if item.transcript is not None:  # the report names the uploaded file, not our working copy
            item.transcript.source = shown.get(item.source, item.source)
    done = [0]

    def advance(_item: BatchItem, _status: str) -> None:
        done[0] += 1
        if on_progress:
            on_progress(done[0], len(items))

    if on_progress:
        on_progress(0, len(items))
    result = await grade_batch(
        items,
        rubric,
        work_dir / "reports",
        library=library,
        judge=judge,
        formats=["json"],
        language=language,
        on_done=advance,
    )
    out = list(unpacked.refused)
    graded = {item.key: report for item, report in result.graded}
    failed = {item.key: item.error for item in result.failed}
    many = {item.source for item in items if sum(other.source == item.source for other in items) > 1}
    for item in items:
        name = shown.get(item.source, item.source)
        if item.source in many and item.transcript is not None:
            name = f"{name} · {item.transcript.session_id or item.key}"
        report = graded.get(item.key)
        if report is None:
            reason = failed.get(item.key) or item.error or "-"
            out.append(UploadResult(file=name, status="failed", reason=reason))
            continue
        report_id = await run(reports.save, report, source="upload", origin=name)
        student = report.student.label() if report.student else ""
        out.append(UploadResult(file=name, status="graded", student=student, total=report.total, report_id=report_id))
    return out


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "transcript"
