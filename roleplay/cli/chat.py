"""``roleplay chat``: talk to a simulated customer in the terminal, or run a script of messages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library.common import Language

if TYPE_CHECKING:
    from roleplay.customer.engine import ChatEvent, ChatSession

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
    persona: Annotated[
        str | None, typer.Option("--persona", help="persona id or traits, e.g. angry+analytical+female+hard")
    ] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="scenario id")] = None,
    script: Annotated[Path | None, typer.Option("--script", help="one student message per line; /end ends")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the transcript JSON here")] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="seed of the offline voice (same seed, same lines)")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="no model even when one is configured")] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", help="session id to continue (after Ctrl+C or a crash)")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
    library_dir: Annotated[Path | None, typer.Option("--library", help="folder holding personas/ and rubrics/")] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", help="rubric id recorded with the session")] = None,
) -> None:
    """和模拟顾客对话 · Chat with a simulated customer (interactive, or scripted with --script)."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    language: Language = "en" if lang == "en" else "zh"
    if resume is None and (persona is None or scenario is None):
        errors_console.print(f"[red]{t('chat.need_persona', language)}[/red]")
        raise typer.Exit(2)
    messages = read_script(script) if script else None
    request = ChatRequest(persona, scenario, resume, seed, offline, language, library_dir, rubric)
    asyncio.run(_run(request, messages, out))


@dataclass(frozen=True)
class ChatRequest:
    """What the command line asked for."""

    persona: str | None
    scenario: str | None
    resume: str | None
    seed: int | None
    offline: bool
    language: Language
    library_dir: Path | None
    rubric: str | None


async def _open(request: ChatRequest) -> ChatSession:
    """Start a new session, or resume one, after checking every name against the library."""
    from roleplay.cli.local import prepare_local_model
    from roleplay.customer.engine import ChatSession
    from roleplay.library import Library, UnknownPersonaError
    from roleplay.llm import chat_model, local_mode_line, model_label
    from roleplay.settings import load_settings
    from roleplay.store import SessionNotFoundError, SessionStore, database_url, open_database

    language = request.language
    settings = load_settings(library_dir=request.library_dir, offline=request.offline or None)
    if not prepare_local_model(settings, language):
        raise typer.Exit(2)
    library = Library.load(settings.library_dir)
    url = database_url(settings.data_dir, settings.database_url)
    store = SessionStore(open_database(url))
    model = chat_model(settings, "customer")
    mode = t("chat.offline", language) if model is None else t("chat.model", language, model=settings.customer_model)
    if settings.mode == "local":
        mode = local_mode_line(settings, language)
    errors_console.print(f"[yellow]{mode}[/yellow]")
    saved = None
    if request.resume is not None:
        try:
            saved = await store.run(store.transcript, request.resume)
        except SessionNotFoundError as exc:
            message = t("chat.unknown_session", language, session_id=request.resume, database=url)
            errors_console.print(f"[red]{message}[/red]")
            raise typer.Exit(2) from exc
    persona_spec = saved.persona if saved else request.persona
    scenario_id = saved.scenario if saved else request.scenario
    try:
        persona = library.persona(persona_spec or "")
    except UnknownPersonaError as exc:
        errors_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    scenario = library.scenarios.get(scenario_id or "")
    if scenario is None:
        known = ", ".join(sorted(library.scenarios)) or "-"
        errors_console.print(f"[red]{t('chat.unknown_scenario', language, scenario=scenario_id, known=known)}[/red]")
        raise typer.Exit(2)
    rubric = saved.rubric if saved else request.rubric
    if rubric is not None and rubric not in library.rubrics:
        known = ", ".join(sorted(library.rubrics)) or "-"
        errors_console.print(f"[red]{t('chat.unknown_rubric', language, rubric=rubric, known=known)}[/red]")
        raise typer.Exit(2)
    extra = list(library.rubrics[rubric].redlines) if rubric else []
    if saved is not None and request.resume is not None:
        session = await ChatSession.resume(
            request.resume, persona=persona, scenario=scenario, store=store, model=model, extra_redlines=extra
        )
        errors_console.print(t("chat.resumed", language, session_id=session.session_id, turns=len(session.turns)))
        return session
    session = await ChatSession.start(
        persona=persona,
        scenario=scenario,
        store=store,
        model=model,
        model_name=model_label(settings, "customer"),
        language=language,
        seed=request.seed,
        rubric=rubric,
        extra_redlines=extra,
    )
    errors_console.print(t("chat.session", language, session_id=session.session_id, database=url))
    return session


async def _run(request: ChatRequest, messages: list[str] | None, out: Path | None) -> None:
    from roleplay.llm import released_after

    session = await _open(request)
    await released_after(_converse(session, request, messages, out), session.model)


async def _converse(session: ChatSession, request: ChatRequest, messages: list[str] | None, out: Path | None) -> None:
    from roleplay.transcript import write_transcript

    language = request.language
    scenario, persona = session.scenario.title.get(language), session.persona.name.get(language)
    errors_console.print(t("chat.header", language, scenario=scenario, persona=persona))
    you, customer = t("chat.you", language), t("chat.customer", language)
    for turn in session.turns if request.resume else session.turns[-1:]:
        speaker = f"[bold green]{you}[/bold green]" if turn.role == "agent" else f"[bold cyan]{customer}[/bold cyan]"
        console.print(f"{speaker}: {turn.text}")
    if session.pending:  # the process stopped before the customer answered the last message
        await _show_reply(session.answer_pending(), customer)
    elif session.closed:
        errors_console.print(t("chat.already_ended", language, outcome=t(f"outcome.{session.state.outcome}", language)))
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
        if text.strip():
            await _show_reply(session.send(text), customer)
    if session.closed and session.state.outcome != "ended_by_student":
        errors_console.print(t("chat.closed", language))
    transcript = await session.end()
    errors_console.print(t("chat.ended", language, outcome=t(f"outcome.{transcript.outcome}", language)))
    if out is not None:
        write_transcript(transcript, out)
        errors_console.print(t("chat.saved", language, path=out))


async def _show_reply(events: AsyncIterator[ChatEvent], customer: str) -> None:
    """Print the customer's reply as it streams; a replacement reprints the line."""
    console.print(f"[bold cyan]{customer}[/bold cyan]: ", end="")
    shown = ""
    async for event in events:
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
