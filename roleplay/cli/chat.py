"""``roleplay chat``: talk to a simulated customer in the terminal, or run a script of messages."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library.common import Language

console = Console(highlight=False)
errors_console = Console(stderr=True, highlight=False)


def read_script(path: Path) -> list[str]:
    """The student messages of a script file: non-empty lines not starting with ``#``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="--script") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@app.command()
def chat(
    persona: Annotated[str, typer.Option("--persona", help="persona id or traits, e.g. angry+analytical+female+hard")],
    scenario: Annotated[str, typer.Option("--scenario", help="scenario id")],
    script: Annotated[Path | None, typer.Option("--script", help="one student message per line; /end ends")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the transcript JSON here")] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="seed of the offline voice (same seed, same lines)")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="no model even when one is configured")] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
    library_dir: Annotated[Path | None, typer.Option("--library", help="folder holding personas/ and rubrics/")] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", help="rubric id recorded with the session")] = None,
) -> None:
    """和模拟顾客对话 · Chat with a simulated customer (interactive, or scripted with --script)."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    messages = read_script(script) if script else None
    asyncio.run(_run(persona, scenario, messages, out, seed, offline, lang, library_dir, rubric))  # type: ignore[arg-type]


async def _run(
    persona_spec: str,
    scenario_id: str,
    messages: list[str] | None,
    out: Path | None,
    seed: int | None,
    offline: bool,
    language: Language,
    library_dir: Path | None,
    rubric: str | None,
) -> None:
    from roleplay.customer.engine import ChatSession
    from roleplay.library import Library, UnknownPersonaError
    from roleplay.llm import chat_model, model_label
    from roleplay.settings import load_settings
    from roleplay.store import SessionStore, database_url, open_database
    from roleplay.transcript import write_transcript

    settings = load_settings(library_dir=library_dir, offline=offline or None)
    library = Library.load(settings.library_dir)
    try:
        persona = library.persona(persona_spec)
    except UnknownPersonaError as exc:
        errors_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    scenario = library.scenarios.get(scenario_id)
    if scenario is None:
        known = ", ".join(sorted(library.scenarios)) or "(none)"
        errors_console.print(f"[red]unknown scenario '{scenario_id}'; known: {known}[/red]")
        raise typer.Exit(2)
    if rubric is not None and rubric not in library.rubrics:
        errors_console.print(f"[red]unknown rubric '{rubric}'; known: {', '.join(sorted(library.rubrics))}[/red]")
        raise typer.Exit(2)

    url = database_url(settings.data_dir, settings.database_url)
    store = SessionStore(open_database(url))
    mode_line = (
        t("chat.offline", language)
        if settings.mode == "offline"
        else t("chat.model", language, model=settings.customer_model)
    )
    errors_console.print(f"[yellow]{mode_line}[/yellow]")
    extra = list(library.rubrics[rubric].redlines) if rubric else []
    session = await ChatSession.start(
        persona=persona,
        scenario=scenario,
        store=store,
        model=chat_model(settings, "customer"),
        model_name=model_label(settings, "customer"),
        language=language,
        seed=seed,
        rubric=rubric,
        extra_redlines=extra,
    )
    errors_console.print(t("chat.session", language, session_id=session.session_id, database=url))
    errors_console.print(
        t("chat.header", language, scenario=scenario.title.get(language), persona=persona.name.get(language))
    )
    you, customer = t("chat.you", language), t("chat.customer", language)
    console.print(f"[bold cyan]{customer}[/bold cyan]: {session.turns[-1].text}")
    pending = list(messages) if messages is not None else None
    while not session.closed:
        if pending is not None:
            if not pending:
                break
            text = pending.pop(0)
            console.print(f"[bold green]{you}[/bold green]: {text}")
        else:
            try:
                text = console.input(f"[bold green]{you}[/bold green]: ")
            except (EOFError, KeyboardInterrupt):
                break
        if text.strip() == "/end":
            break
        if not text.strip():
            continue
        console.print(f"[bold cyan]{customer}[/bold cyan]: ", end="")
        shown = ""
        async for event in session.send(text):
            if event.kind == "delta":
                console.print(event.text, end="")
                shown += event.text
            elif event.kind == "replace":
                if shown:
                    console.print()
                    console.print(f"[bold cyan]{customer}[/bold cyan]: ", end="")
                console.print(event.text, end="")
                shown = event.text
            elif event.kind == "notice":
                errors_console.print(f"\n[yellow]{event.text}[/yellow]")
        console.print()
    if session.closed and session.state.outcome != "ended_by_student":
        errors_console.print(t("chat.closed", language))
    transcript = await session.end()
    errors_console.print(t("chat.ended", language, outcome=t(f"outcome.{transcript.outcome}", language)))
    if out is not None:
        write_transcript(transcript, out)
        errors_console.print(t("chat.saved", language, path=out))
