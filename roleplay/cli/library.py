"""``roleplay validate | list | show | schemas``: the teacher's library from the terminal."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library import Library, UnknownPersonaError, library_files
from roleplay.library.check import validate_paths
from roleplay.library.common import Language
from roleplay.library.describe import describe_persona
from roleplay.library.loader import LibraryError
from roleplay.library.schema import stale_schemas, write_schemas
from roleplay.settings import load_settings

console = Console()
errors_console = Console(stderr=True)

LibraryOption = Annotated[
    Path | None,
    typer.Option("--library", help="folder holding personas/ and rubrics/ (default: ROLEPLAY_LIBRARY_DIR)"),
]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en")]


class ListWhat(StrEnum):
    """What ``roleplay list`` can list."""

    personas = "personas"
    traits = "traits"
    scenarios = "scenarios"
    rubrics = "rubrics"


def _library(library_dir: Path | None) -> Library:
    return Library.load(load_settings(library_dir=library_dir).library_dir)


def _language(value: str) -> Language:
    if value not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    return value  # type: ignore[return-value]


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="files or folders; default: the whole library")] = None,
    library_dir: LibraryOption = None,
    lang: LangOption = "zh",
) -> None:
    """检查人物、场景、评分表文件 · Check persona, trait, scenario and rubric files; exit 1 on any error."""
    language = _language(lang)
    root = load_settings(library_dir=library_dir).library_dir
    targets = paths or [root]
    errors = validate_paths(targets, root)
    if not paths:
        errors += [_stale(path) for path in stale_schemas(root)]
    if errors:
        for error in errors:
            errors_console.print(str(error), markup=False, highlight=False)
        errors_console.print(f"[red]{t('validate.failed', language, count=len(errors))}[/red]")
        raise typer.Exit(1)
    count = sum(len(library_files(p)) if p.is_dir() and (p / "personas").is_dir() else _count(p) for p in targets)
    console.print(f"[green]{t('validate.ok', language, count=count)}[/green]")


def _stale(path: Path) -> LibraryError:
    return LibraryError(path, "", "the schema is out of date with the code: run `roleplay schemas`")


def _count(path: Path) -> int:
    if path.is_file():
        return 1
    return len([p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")])


@app.command("list")
def list_items(
    what: Annotated[ListWhat, typer.Argument(help="personas, traits, scenarios or rubrics")],
    library_dir: LibraryOption = None,
    lang: LangOption = "zh",
) -> None:
    """列出库中内容 · List the personas, traits, scenarios or rubrics of the library."""
    language = _language(lang)
    library = _library(library_dir)
    table = Table(title=f"{what.value} ({library.root})", show_lines=False)
    if what is ListWhat.personas:
        for column in ("id", "name", "behaviour", "style", "buying", "difficulty", "summary"):
            table.add_column(column)
        for persona in library.personas.values():
            traits = persona.traits
            table.add_row(
                persona.persona_id,
                persona.name.get(language),
                traits.behaviour,
                traits.style,
                traits.buying or "-",
                traits.difficulty,
                persona.summary.get(language),
            )
    elif what is ListWhat.traits:
        for column in ("axis", "id", "name", "summary"):
            table.add_column(column)
        for trait in sorted(library.traits.values(), key=lambda tr: (tr.axis, tr.trait_id)):
            table.add_row(trait.axis, trait.trait_id, trait.name.get(language), trait.summary.get(language))
    elif what is ListWhat.scenarios:
        for column in ("id", "title", "channel", "phase", "facts", "summary"):
            table.add_column(column)
        for scenario in library.scenarios.values():
            table.add_row(
                scenario.scenario_id,
                scenario.title.get(language),
                scenario.channel,
                scenario.phase,
                str(len(scenario.hidden_facts)),
                scenario.summary.get(language),
            )
    else:
        for column in ("id", "name", "dimensions", "pass", "summary"):
            table.add_column(column)
        for rubric in library.rubrics.values():
            table.add_row(
                rubric.rubric_id,
                rubric.name.get(language),
                str(len(rubric.dimensions)),
                f"{rubric.pass_score:g}",
                (rubric.summary or rubric.description).get(language),
            )
    if table.row_count == 0:
        folder = "rubrics/" if what is ListWhat.rubrics else "personas/"
        console.print(t("list.empty", language, kind=what.value, folder=library.root / folder))
    else:
        console.print(table)
    if library.errors:
        errors_console.print(f"[yellow]{t('list.problems', language, count=len(library.errors))}[/yellow]")


@app.command()
def show(
    what: Annotated[str, typer.Argument(help="persona")],
    spec: Annotated[str, typer.Argument(help="a persona id or traits such as angry+analytical+female+hard")],
    library_dir: LibraryOption = None,
    lang: LangOption = "zh",
) -> None:
    """显示组合后的客户画像 · Show a composed persona as a teacher reads it."""
    language = _language(lang)
    if what != "persona":
        raise typer.BadParameter("only 'persona' can be shown for now", param_hint="WHAT")
    library = _library(library_dir)
    try:
        persona = library.persona(spec)
    except UnknownPersonaError as exc:
        errors_console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    console.print(Markdown(describe_persona(persona, language)))


@app.command()
def schemas(library_dir: LibraryOption = None) -> None:
    """重新生成 JSON Schema · Rewrite the JSON Schemas published next to the library files."""
    root = load_settings(library_dir=library_dir).library_dir
    for path in write_schemas(root):
        console.print(f"wrote {path}")
