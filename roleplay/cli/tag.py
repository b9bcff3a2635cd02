"""``roleplay tag``: label one utterance, or a JSON Lines file of them, with the skill tagger."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from roleplay.acts import ACT_NAMES_ZH
from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.tagger import ContextTurn, TagResult, tag

console = Console()
errors_console = Console(stderr=True, soft_wrap=True)

_ROLE_PREFIX = re.compile(r"^\s*(顾客|客户|customer|客服|agent)\s*[:：]\s*", re.IGNORECASE)
_CONTEXT = TypeAdapter(list[ContextTurn])


@app.command("tag")
def tag_command(
    text: Annotated[str | None, typer.Argument(help="the agent's utterance to label")] = None,
    context: Annotated[
        list[str] | None,
        typer.Option("--context", "-c", help='an earlier turn, oldest first: "顾客: ..." or "客服: ..."; repeatable'),
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", help='JSON Lines: {"text": ..., "context": [...]} per line; - = stdin'),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write JSON Lines here instead of stdout")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
) -> None:
    """给客服的话标注技巧 · Label an agent utterance with the course's skills (question types, restatement, acts)."""
    language: Language = "en" if lang == "en" else "zh"
    if text is not None and jsonl is not None:
        errors_console.print(t("tag.both", language))
        raise typer.Exit(2)
    if jsonl is not None:
        raise typer.Exit(_tag_file(jsonl, out, language))
    if text is None:
        errors_console.print(t("tag.need_text", language))
        raise typer.Exit(2)
    turns = [_context_turn(value, language) for value in context or []]
    _print_result(tag(text, turns), language)


def _context_turn(value: str, language: Language) -> ContextTurn:
    match = _ROLE_PREFIX.match(value)
    if match is None:
        raise typer.BadParameter(t("tag.bad_context", language, value=value), param_hint="--context")
    role = "agent" if match.group(1).lower() in ("客服", "agent") else "customer"
    return ContextTurn(role=role, text=value[match.end() :])


def _print_result(result: TagResult, language: Language) -> None:
    if not result.acts:
        console.print(t("tag.none", language))
        return
    table = Table(show_header=True, header_style="bold")
    for key in ("tag.column.act", "tag.column.span", "tag.column.rule"):
        table.add_column(t(key, language), overflow="fold")
    for act in result.acts:
        name = f"{act.act} {ACT_NAMES_ZH[act.act]}" if language == "zh" else act.act
        table.add_row(name, act.span, act.rule)
    console.print(table)


def _tag_file(path: Path, out: Path | None, language: Language) -> int:
    """Tag every line; report bad lines on stderr and go on. Returns the exit code."""
    name = "stdin" if str(path) == "-" else str(path)
    if name != "stdin" and not path.is_file():
        errors_console.print(t("tag.no_file", language, file=path))
        return 2
    done = bad = 0
    source: IO[str] = sys.stdin if name == "stdin" else path.open(encoding="utf-8-sig")
    target: IO[str] = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for number, line in _lines(source):
            record, turns, problem = _parse(line, language)
            if record is None:
                bad += 1
                errors_console.print(t("tag.bad_line", language, file=name, line=number, problem=problem))
                continue
            result = tag(str(record["text"]), turns)
            record["predicted"] = result.predicted().model_dump(mode="json")
            target.write(json.dumps(record, ensure_ascii=False) + "\n")
            done += 1
    finally:
        if source is not sys.stdin:
            source.close()
        if out:
            target.close()
    if out or bad:
        errors_console.print(t("tag.summary", language, done=done, bad=bad))
    return 1 if bad else 0


def _lines(source: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(source, start=1):
        if line.strip():
            yield number, line


def _parse(line: str, language: Language) -> tuple[dict[str, object] | None, list[ContextTurn], str]:
    """The line's object and context turns, or None and what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return None, [], t("tag.bad_json", language, error=error.msg)
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None, [], t("tag.bad_object", language)
    try:
        turns = _CONTEXT.validate_python(record.get("context") or [])
    except ValidationError as error:
        first = error.errors()[0]
        field = "context" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        return None, [], t("tag.bad_field", language, field=field, message=first["msg"])
    return record, turns, ""
