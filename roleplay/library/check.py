"""Validating given paths (files, folders or whole libraries), as ``roleplay validate`` does."""

from __future__ import annotations

from pathlib import Path

from roleplay.library.catalog import Library, kind_of
from roleplay.library.loader import LibraryError, LibraryFileError, read_yaml


def find_library_root(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` that holds ``personas/`` or ``rubrics/``."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / "personas").is_dir() or (folder / "rubrics").is_dir():
            return folder
    return None


def validate_paths(paths: list[Path], default_root: Path) -> list[LibraryError]:
    """Every error in ``paths``; references are checked against the library each path belongs to.

    A path inside a library (a folder holding ``personas/`` or ``rubrics/``) is checked with that
    library; a loose file elsewhere is checked against ``default_root``'s library.
    """
    errors: list[LibraryError] = []
    libraries: dict[Path, Library] = {}
    for path in paths:
        if not path.exists():
            errors.append(LibraryError(path, "", "no such file or folder"))
            continue
        root = find_library_root(path.resolve())
        if root is None:
            errors.extend(_check_loose_file(path, default_root))
            continue
        library = libraries.get(root) or libraries.setdefault(root, Library.load(root))
        target = path.resolve()
        errors.extend(e for e in library.errors if e.file.resolve() == target or target in e.file.resolve().parents)
    return _unique(errors)


def _check_loose_file(path: Path, default_root: Path) -> list[LibraryError]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        return [e for f in files for e in _check_loose_file(f, default_root)]
    library = Library.load(default_root)
    try:
        document = read_yaml(path)
        kind = kind_of(document)
    except LibraryFileError as exc:
        return exc.errors
    item_id = document.data.get(f"{kind}_id")
    key = f"{kind}:{item_id}"
    if key in library.files:
        # The loose file stands in for the library's own file of the same id.
        del library.files[key]
        getattr(library, f"{kind}s").pop(item_id, None)
    library.errors = []
    library.add_file(path)
    errors = library.errors + library.reference_errors()
    return [e for e in errors if e.file == path]


def _unique(errors: list[LibraryError]) -> list[LibraryError]:
    seen: set[LibraryError] = set()
    out = []
    for error in errors:
        if error not in seen:
            seen.add(error)
            out.append(error)
    return out
