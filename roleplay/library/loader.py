"""Reading teacher files: YAML with line numbers, strict validation, located error messages."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, Union

import yaml
from pydantic import BaseModel, ValidationError

from roleplay.datafile import SafeLoader

ModelT = TypeVar("ModelT", bound=BaseModel)
Location = tuple[str | int, ...]


@dataclass(frozen=True)
class LibraryError:
    """One problem in a teacher file, located so a teacher can find and fix it."""

    file: Path
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class LibraryFileError(Exception):
    """Raised when a file cannot be used; carries every error found in it."""

    def __init__(self, errors: list[LibraryError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file and the line where each field path starts (1-based)."""

    path: Path
    data: Any
    lines: dict[Location, int]

    def line_of(self, loc: Location) -> int | None:
        """The line of ``loc`` or of its nearest parent that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def read_yaml(path: Path) -> YamlDocument:
    """Read ``path`` and parse it as one YAML mapping (see :func:`parse_yaml`).

    Raises:
        LibraryFileError: the file is unreadable, not YAML, has duplicate keys or is not a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryFileError([LibraryError(path, "", f"cannot read the file ({exc}); save it as UTF-8")]) from exc
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse ``text`` (the content of ``path``, saved or not) as one YAML mapping, recording every key's line.

    Raises:
        LibraryFileError: not YAML, duplicate keys, or not a mapping.
    """
    # libyaml when installed: a whole library parses in milliseconds, so the web editor can check a
    # teacher's text against every other file on each change.
    loader = SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            message = f"not valid YAML: {problem} (check indentation, colons and quotes)"
            raise LibraryFileError([LibraryError(path, "", message, line)]) from exc
        if node is None or not isinstance(node, yaml.MappingNode):
            raise LibraryFileError([LibraryError(path, "", "the file must be a YAML mapping of key: value lines", 1)])
        lines: dict[Location, int] = {(): node.start_mark.line + 1}
        duplicates: list[LibraryError] = []
        _walk(node, (), lines, duplicates, path)
        if duplicates:
            raise LibraryFileError(duplicates)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:  # e.g. a bad timestamp or an unknown !tag
            mark = getattr(exc, "problem_mark", None)
            message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
            raise LibraryFileError([LibraryError(path, "", message, mark.line + 1 if mark else None)]) from exc
    finally:
        loader.dispose()
    return YamlDocument(path, data, lines)


def _walk(node: yaml.Node, loc: Location, lines: dict[Location, int], errors: list[LibraryError], path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*loc, key)
            if key in seen:
                errors.append(LibraryError(path, _dotted(child), "key appears twice", key_node.start_mark.line + 1))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, errors, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, errors, path)


def _dotted(loc: Location) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_document(document: YamlDocument, model: type[ModelT]) -> ModelT:
    """Validate a parsed file against ``model``.

    Raises:
        LibraryFileError: with one located error per pydantic error.
    """
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise LibraryFileError(located_errors(document, model, exc)) from exc


def located_errors(document: YamlDocument, model: type[BaseModel], exc: ValidationError) -> list[LibraryError]:
    """Turn pydantic's errors into teacher-readable, located messages."""
    errors = []
    for item in exc.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part != "[key]")
        errors.append(LibraryError(document.path, _dotted(loc), _message(item, model, loc), document.line_of(loc)))
    return errors


def _message(item: Any, model: type[BaseModel], loc: Location) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        if " " in str(loc[-1]):
            hint += " (if this is part of a text, put the whole text in quotes: a comma inside { } ends it)"
        return f"unknown key '{loc[-1]}'{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":
        return str(item["msg"]).removeprefix("Value error, ")
    message = str(item["msg"])
    given = item.get("input")
    if isinstance(given, str | int | float | bool) and kind != "string_too_short":
        message += f" (got {given!r})"
    return message


def _allowed_keys(model: type[BaseModel], loc: Location) -> list[str]:
    """The field names of the model found at ``loc`` (best effort; [] when not a model)."""
    current: Any = model
    for part in loc:
        current = _unwrap_optional(current)
        if _is_model(current) and isinstance(part, str):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
            continue
        origin, args = typing.get_origin(current), typing.get_args(current)
        if origin in (list, tuple) and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return []
    current = _unwrap_optional(current)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return arg
    return annotation


def load_file(path: Path, model: type[ModelT]) -> tuple[ModelT, YamlDocument]:
    """Read and validate one teacher file.

    Raises:
        LibraryFileError: with every problem found.
    """
    document = read_yaml(path)
    return validate_document(document, model), document
