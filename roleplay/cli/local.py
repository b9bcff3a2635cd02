"""``roleplay local-model prepare|status``, and the preparation every entry point runs in local mode."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from roleplay.cli.app import app
from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.settings import Settings

errors_console = Console(stderr=True, soft_wrap=True)
local_app = typer.Typer(help="本地模型 · the optional local model (llama.cpp on this CPU)", no_args_is_help=True)
app.add_typer(local_app, name="local-model")

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="data folder holding models/ (default: ROLEPLAY_DATA_DIR)")
]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en")]


def prepare_local_model(settings: Settings, language: Language, console: Console = errors_console) -> bool:
    """Make the local model ready before anything else runs; say what happens, with a progress bar.

    Does nothing unless ``settings.mode`` is ``local``. Returns False (after printing what to do)
    when the extra or a chunk package is missing or damaged.
    """
    from roleplay.local import LocalModelError, check_runtime, ensure_model, gigabytes, model_status

    if settings.mode != "local":
        return True
    try:
        check_runtime()
        status = model_status(settings.data_dir)
        if status.ready:
            return True
        if status.missing_chunks:
            ensure_model(settings.data_dir)  # raises the error naming the missing packages
        size = gigabytes(status.total_bytes)
        console.print(t("local.assembling", language, size=size, path=status.path))
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(t("local.progress", language), total=status.total_bytes)
            path = ensure_model(settings.data_dir, lambda done, total: progress.update(task, completed=done))
        console.print(t("local.ready", language, path=path, size=size))
    except LocalModelError as exc:
        console.print(f"[red]{exc.message(language)}[/red]")
        return False
    return True


@local_app.command("prepare")
def prepare(
    check: Annotated[
        bool, typer.Option("--check", help="also start the model once and let the customer say one line")
    ] = False,
    data_dir: DataDirOption = None,
    lang: LangOption = "zh",
) -> None:
    """组装并校验本地模型 · Assemble and verify the local model now (done once; later starts are instant)."""
    from roleplay.settings import load_settings

    language: Language = "en" if lang == "en" else "zh"
    from roleplay.local import model_path, model_status

    settings = load_settings(data_dir=data_dir, local_model=True, offline=False)
    if model_status(settings.data_dir).ready:
        errors_console.print(t("local.ready", language, path=model_path(settings.data_dir), size=_size(settings)))
    elif not prepare_local_model(settings, language):  # says what it does, with a progress bar
        raise typer.Exit(2)
    if check:
        _check(settings, language)


@local_app.command("status")
def status(data_dir: DataDirOption = None, lang: LangOption = "zh") -> None:
    """本地模型的状态 · Whether the local model is installed and assembled, and what is missing."""
    from roleplay.local import INSTALL_COMMAND, model_status
    from roleplay.settings import load_settings

    language: Language = "en" if lang == "en" else "zh"
    settings = load_settings(data_dir=data_dir)
    state = model_status(settings.data_dir)
    errors_console.print(t("local.status_path", language, path=state.path, size=_size(settings)))
    rows = (("local.status_runtime", state.missing_runtime), ("local.status_chunks", state.missing_chunks))
    for key, missing in rows:
        value = ", ".join(missing) if missing else t("local.status_ok", language)
        errors_console.print(t(key, language, value=value))
    errors_console.print(t("local.status_ready" if state.ready else "local.status_not_ready", language))
    if state.missing_runtime or state.missing_chunks:
        errors_console.print(t("local.status_install", language, command=INSTALL_COMMAND))
    errors_console.print(t("local.status_mode", language, mode=settings.mode))
    if not state.ready:
        raise typer.Exit(1)


def _size(settings: Settings) -> str:
    from roleplay.local import gigabytes, model_path

    path = model_path(settings.data_dir)
    return gigabytes(path.stat().st_size) if path.is_file() else "-"


def _check(settings: Settings, language: Language) -> None:
    """Start the server and ask for one short customer line; print it with the time it took."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from roleplay.llm import chat_model

    model = chat_model(settings, "customer")
    assert model is not None
    errors_console.print(t("local.check_start", language))
    started = time.perf_counter()
    system = t("local.check_system", language)
    reply = model.invoke([SystemMessage(system), HumanMessage(t("local.check_user", language))])
    seconds = time.perf_counter() - started
    errors_console.print(t("local.check_reply", language, reply=str(reply.content).strip(), seconds=f"{seconds:.1f}"))
