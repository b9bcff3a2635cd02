"""Editing library files from the web app: list, check unsaved text, save with history, restore, duplicate.

Unsaved text is checked exactly as ``roleplay validate`` checks a saved file: the candidate stands
in for its file in a library loaded from disk, so errors name the file, line and field, and
cross-file problems (a persona naming an unknown trait, an id another file already uses) are found
too. A save writes atomically (a temporary file in the same folder, then ``os.replace``) and only
valid text; every saved text is kept under ``<library>/.history/`` with when and by whom, so any
version can be restored (a restore is itself a save).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict

from roleplay.library.catalog import Kind, Library, kind_of, library_files
from roleplay.library.common import Text
from roleplay.library.holder import LibraryHolder
from roleplay.library.loader import LibraryError, LibraryFileError, YamlDocument, parse_yaml, read_yaml

HISTORY_DIR = ".history"
KIND_ORDER: tuple[Kind, ...] = ("persona", "trait", "scenario", "rubric")
AUTHOR_LIMIT = 40
_FOLDERS = ("personas", "rubrics")
_SAFE_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_NEW_ID = re.compile(r"[a-z][a-z0-9_]{1,47}")
_VERSION_ID = re.compile(r"\d{8}T\d{12}(-\d{1,3})?")

Refusal = Literal[
    "empty_path", "outside", "not_yaml", "bad_name", "missing", "exists", "bad_id", "no_id_line", "no_version"
]
Action = Literal["before_editing", "save", "restore", "duplicate"]


class EditRefusedError(ValueError):
    """A request the editor refuses before touching any file: ``reason`` says why, ``detail`` what was given."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Refusal = reason
        self.detail = detail


@dataclass(frozen=True)
class LibraryEntry:
    """One editable file: its kind, id (the file name), path inside the library and display name."""

    kind: Kind
    item_id: str
    relative: str
    name: Text | None
    problems: int


@dataclass(frozen=True)
class Check:
    """The result of checking a text for one file in the context of the whole library.

    Attributes:
        relative: the checked file, inside the library.
        errors: problems in the text itself, located (file, line, field, what is allowed).
        others: problems the change would cause in other files (e.g. a trait a persona uses is gone).
        library: the library with the text in place of the file (for previews and trial chats).
        kind: the file's kind and id when the text says (None when it cannot be told).
    """

    relative: str
    errors: list[LibraryError]
    others: list[LibraryError]
    library: Library
    kind: Kind | None = None
    item_id: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the text may be saved."""
        return not self.errors and not self.others


class VersionRecord(BaseModel):
    """One kept version of a file, as stored in ``.history/`` (JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    saved_at: datetime
    author: str = ""
    action: Action = "save"
    source: str = ""  # the restored version id, or the file a duplicate was made from
    text: str


@dataclass(frozen=True)
class Version:
    """A version as listed: its id, the record, and whether the file holds exactly this text now."""

    version_id: str
    record: VersionRecord
    current: bool = False


@dataclass(frozen=True)
class SaveResult:
    """What a save, restore or duplicate did: ``saved`` with the new version, else the check that stopped it."""

    relative: str
    check: Check
    saved: bool = False
    unchanged: bool = False
    version: Version | None = None
    reloaded: Library | None = field(default=None, repr=False)


class LibraryEditor:
    """Edits the files of the library at ``root``; after a save the ``holder`` (if any) reloads.

    One editor serves every teacher of an app instance; saves are serialised by a lock.
    """

    def __init__(self, root: Path, holder: LibraryHolder | None = None) -> None:
        self.root = root
        self.holder = holder
        self._lock = threading.Lock()
        # Parsed files by (modification time, size): a check re-reads only what changed on disk.
        self._parsed: dict[Path, tuple[tuple[int, int], YamlDocument | LibraryFileError]] = {}

    def resolve(self, relative: str) -> Path:
        """The file for a path inside the library (``personas/x.yaml``); it need not exist.

        Raises:
            EditRefusedError: empty, absolute, with ``..``, outside ``personas/`` and ``rubrics/``, not
                ``.yaml``, or with a part that is not a safe file name.
        """
        given = (relative or "").strip()
        if not given:
            raise EditRefusedError("empty_path")
        pure = PurePosixPath(given.replace("\\", "/"))
        parts = pure.parts
        if pure.is_absolute() or ".." in parts or len(parts) < 2 or parts[0] not in _FOLDERS:
            raise EditRefusedError("outside", given)
        if pure.suffix not in (".yaml", ".yml"):
            raise EditRefusedError("not_yaml", given)
        bad = next((part for part in parts if not _SAFE_PART.fullmatch(part)), None)
        if bad is not None:
            raise EditRefusedError("bad_name", bad)
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to(self.root.resolve()):  # a symbolic link pointing away
            raise EditRefusedError("outside", given)
        return path

    def relative(self, path: Path) -> str:
        """The library-relative, ``/``-separated form of a file's path."""
        return path.relative_to(self.root).as_posix()

    def entries(self) -> list[LibraryEntry]:
        """Every editable file, by kind (persona, trait, scenario, rubric) then path."""
        library = self._library()
        problems: dict[Path, int] = {}
        for error in library.errors:
            problems[error.file] = problems.get(error.file, 0) + 1
        found = []
        for path in library_files(self.root):
            kind = _folder_kind(self.relative(path))
            document = library.documents.get(path)
            if document is not None:
                kind = kind_of(document)
            item = getattr(library, f"{kind}s").get(path.stem)
            name = getattr(item, "title" if kind == "scenario" else "name", None) if item is not None else None
            found.append(LibraryEntry(kind, path.stem, self.relative(path), name, problems.get(path, 0)))
        return sorted(found, key=lambda e: (KIND_ORDER.index(e.kind), e.relative))

    def read(self, relative: str) -> str:
        """The saved text of a file.

        Raises:
            EditRefusedError: an unsafe path, or no such file.
        """
        path = self.resolve(relative)
        if not path.is_file():
            raise EditRefusedError("missing", relative)
        return path.read_text(encoding="utf-8")

    def check(self, relative: str, text: str) -> Check:
        """Check ``text`` as the content of ``relative`` without writing anything.

        Raises:
            EditRefusedError: an unsafe path.
        """
        path = self.resolve(relative)
        before = self._library()
        after = self._library(without=path, references=False)
        kind: Kind | None = None
        item_id: str | None = None
        try:
            document = parse_yaml(_normalised(text), path)
            kind = kind_of(document)
            item_id = str(document.data.get(f"{kind}_id") or "") or None
        except LibraryFileError as exc:
            after.errors.extend(exc.errors)
            after.broken.add(path.stem)
        else:
            after.add_document(document)
        after.errors.extend(after.reference_errors())
        earlier = set(before.errors)
        errors = _unique([e for e in after.errors if e.file == path])
        others = _unique([e for e in after.errors if e.file != path and e not in earlier])
        return Check(self.relative(path), errors, others, after, kind, item_id)

    def save(self, relative: str, text: str, author: str, action: Action = "save", source: str = "") -> SaveResult:
        """Save ``text`` to ``relative`` if it is valid, keeping the previous text as a version.

        Raises:
            EditRefusedError: an unsafe path.
        """
        text = _normalised(text)
        with self._lock:
            check = self.check(relative, text)
            if not check.ok:
                return SaveResult(check.relative, check)
            path = self.resolve(relative)
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == text:
                return SaveResult(check.relative, check, unchanged=True)
            if current is not None and not self._kept(relative, current):
                # The file as it was before anyone edited it in the app (shipped, or edited by hand).
                self._keep(relative, VersionRecord(saved_at=datetime.now(), action="before_editing", text=current))
            _write_atomically(path, text)
            record = VersionRecord(
                saved_at=datetime.now(), author=clean_author(author), action=action, source=source, text=text
            )
            version = Version(self._keep(relative, record), record, current=True)
        reloaded = self.holder.reload() if self.holder is not None else None
        return SaveResult(check.relative, check, saved=True, version=version, reloaded=reloaded)

    def versions(self, relative: str) -> list[Version]:
        """The kept versions of a file, newest first; the newest one matching the file is ``current``.

        Raises:
            EditRefusedError: an unsafe path.
        """
        folder = self._history(relative)
        path = self.resolve(relative)
        now = path.read_text(encoding="utf-8") if path.is_file() else None
        found: list[Version] = []
        marked = False
        for item in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
            try:
                record = VersionRecord.model_validate_json(item.read_text(encoding="utf-8"))
            except ValueError:  # a damaged history file is skipped, never fatal
                continue
            current = not marked and record.text == now
            marked = marked or current
            found.append(Version(item.stem, record, current))
        return found

    def restore(self, relative: str, version_id: str, author: str) -> SaveResult:
        """Save a kept version again as the current text (checked like any save).

        Raises:
            EditRefusedError: an unsafe path, or no such version.
        """
        item = self._history(relative) / f"{version_id}.json"
        if not _VERSION_ID.fullmatch(version_id or "") or not item.is_file():
            raise EditRefusedError("no_version", version_id or "")
        record = VersionRecord.model_validate_json(item.read_text(encoding="utf-8"))
        return self.save(relative, record.text, author, action="restore", source=version_id)

    def duplicate(self, relative: str, new_id: str, author: str) -> SaveResult:
        """Copy a file to ``<new_id>.yaml`` in the same folder with its id changed, then save it.

        Raises:
            EditRefusedError: an unsafe path, no such file, a bad new id, or a file of that name exists.
        """
        source = self.resolve(relative)
        text = self.read(relative)
        new_id = (new_id or "").strip()
        if not _NEW_ID.fullmatch(new_id):
            raise EditRefusedError("bad_id", new_id)
        target = source.with_name(f"{new_id}.yaml")
        if target.exists() or target.with_suffix(".yml").exists():
            raise EditRefusedError("exists", self.relative(target))
        try:
            kind = kind_of(read_yaml(source))
        except LibraryFileError:
            kind = _folder_kind(relative)
        id_line = re.compile(rf"^{kind}_id\s*:.*$", re.MULTILINE)
        if not id_line.search(text):
            raise EditRefusedError("no_id_line", f"{kind}_id")
        copied = id_line.sub(f"{kind}_id: {new_id}", text, count=1)
        return self.save(self.relative(target), copied, author, action="duplicate", source=self.relative(source))

    def _library(self, without: Path | None = None, references: bool = True) -> Library:
        """The library on disk (as :meth:`Library.load` builds it), optionally leaving one file out."""
        library = Library(root=self.root)
        for path in library_files(self.root):
            if path == without:
                continue
            parsed = self._parse(path)
            if isinstance(parsed, LibraryFileError):
                library.errors.extend(parsed.errors)
                library.broken.add(path.stem)
            else:
                library.add_document(parsed)
        if references:
            library.errors.extend(library.reference_errors())
        return library

    def _parse(self, path: Path) -> YamlDocument | LibraryFileError:
        try:
            stat = path.stat()
        except OSError:  # removed since the folder was listed: read_yaml says so
            stat = None
        stamp = (stat.st_mtime_ns, stat.st_size) if stat is not None else (0, -1)
        cached = self._parsed.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            parsed: YamlDocument | LibraryFileError = read_yaml(path)
        except LibraryFileError as exc:
            parsed = exc
        self._parsed[path] = (stamp, parsed)
        return parsed

    def _history(self, relative: str) -> Path:
        return self.root / HISTORY_DIR / self.relative(self.resolve(relative))

    def _kept(self, relative: str, text: str) -> bool:
        """Whether the newest kept version holds exactly ``text``."""
        newest = next(iter(self.versions(relative)), None)
        return newest is not None and newest.record.text == text

    def _keep(self, relative: str, record: VersionRecord) -> str:
        folder = self._history(relative)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = record.saved_at.strftime("%Y%m%dT%H%M%S%f")
        version_id, number = stamp, 0
        while (folder / f"{version_id}.json").exists():  # two saves in the same microsecond
            number += 1
            version_id = f"{stamp}-{number}"
        _write_atomically(folder / f"{version_id}.json", record.model_dump_json(indent=1) + "\n")
        return version_id


def clean_author(author: str | None) -> str:
    """A name to record with a version: printable, one line, at most :data:`AUTHOR_LIMIT` characters."""
    name = " ".join((author or "").split())
    return "".join(char for char in name if char.isprintable())[:AUTHOR_LIMIT]


def _normalised(text: str) -> str:
    """Unix line ends and one final newline, as the shipped files have."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n"


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path`` (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _folder_kind(relative: str) -> Kind:
    """The kind a file's folder implies (for files too broken to tell by their id key)."""
    parts = PurePosixPath(relative).parts
    if parts[0] == "rubrics":
        return "rubric"
    if len(parts) > 2 and parts[1] == "traits":
        return "trait"
    if len(parts) > 2 and parts[1] == "scenarios":
        return "scenario"
    return "persona"


def _unique(errors: list[LibraryError]) -> list[LibraryError]:
    return list(dict.fromkeys(errors))
