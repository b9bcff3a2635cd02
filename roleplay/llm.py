"""The one way to reach a model: a LangChain chat model built from settings.

Only this module imports a provider SDK. Business code receives the model it returns; tests pass
fake chat models instead.
"""

from __future__ import annotations

from collections.abc import Awaitable
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from roleplay.i18n import t
from roleplay.library.common import Language
from roleplay.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_openai import ChatOpenAI

ModelRole = Literal["customer", "grader"]
# The judge's whole answer (every rubric dimension) must fit; a customer reply is capped per persona
# by the engine. On a 2-core CPU each token costs about 0.1 s, so a runaway answer is expensive.
LOCAL_JUDGE_MAX_TOKENS = 3000
_T = TypeVar("_T")


def chat_model(settings: Settings, role: ModelRole) -> BaseChatModel | None:
    """The chat model for ``role``, or None in offline mode.

    Any OpenAI-compatible endpoint works (OpenAI, DeepSeek, Qwen/DashScope, Zhipu, Moonshot, vLLM,
    Ollama, llama.cpp server). Retries with backoff on rate limits, server errors and timeouts are
    done by the OpenAI client (``max_retries``).
    """
    if settings.mode == "offline":
        return None
    if settings.mode == "local":
        return _local_chat_model(settings, role)
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return _chat_openai()(
        model=settings.customer_model if role == "customer" else settings.grader,
        base_url=settings.base_url,
        api_key=key,
        temperature=settings.temperature if role == "customer" else 0.0,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        streaming=role == "customer",
        use_responses_api=False,
        http_async_client=_aiohttp_client_class()(timeout=settings.timeout_seconds),
    )


async def release(*models: BaseChatModel | None) -> None:
    """Close the connections ``models`` opened from this event loop (call at the end of a command's loop).

    Models from :func:`chat_model` keep their connections open for the next call; a command that is done
    closes them here, so nothing is left for the interpreter to warn about at exit. Other models (fakes,
    the local model's client) have nothing to close.
    """
    for model in models:
        client = getattr(model, "http_async_client", None)
        if isinstance(client, _aiohttp_client_class()):
            await client.aclose()


async def released_after(work: Awaitable[_T], *models: BaseChatModel | None) -> _T:
    """Await ``work`` (a command's whole job on its event loop), then :func:`release` ``models``, even on failure."""
    try:
        return await work
    finally:
        await release(*models)


@cache
def _aiohttp_client_class() -> type[Any]:
    """The HTTP client for streamed replies: the openai SDK's aiohttp transport, one connection pool per event loop.

    With a class chatting, every streamed token passes through the HTTP client on the one event loop.
    The SDK's default transport (httpcore, pure Python) took 5.4-5.7 ms of CPU per streamed reply, and
    aiohttp (the SDK's documented ``DefaultAioHttpClient``, "for improved concurrency performance")
    2.5-2.7 ms, 20 replies at once (``bench/turn_overhead.py``). An aiohttp pool belongs to the event loop
    it was opened on, so each loop that calls the model (a command's ``asyncio.run``, the web app's
    server loop, a test's loop) gets its own; a pool whose loop has closed is dropped.
    """
    import asyncio

    from openai import DefaultAioHttpClient, DefaultAsyncHttpxClient

    class PerLoopAioHttpClient(DefaultAsyncHttpxClient):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)  # builds each request (the SDK calls ``build_request`` here)
            self._options = options
            self._pools: dict[asyncio.AbstractEventLoop, Any] = {}
            # Made now, not on the event loop: a pool loads the certificate store (30-50 ms of CPU here).
            self._spare: Any = DefaultAioHttpClient(**options)

        async def send(self, request: Any, **options: Any) -> Any:
            return await self._pool().send(request, **options)

        def _pool(self) -> Any:
            loop = asyncio.get_running_loop()
            pool = self._pools.get(loop)
            if pool is None:
                for closed in [other for other in self._pools if other.is_closed()]:
                    del self._pools[closed]
                pool, self._spare = self._spare or DefaultAioHttpClient(**self._options), None
                self._pools[loop] = pool
            return pool

        async def aclose(self) -> None:
            pool = self._pools.pop(asyncio.get_running_loop(), None)
            if pool is not None:
                await pool.aclose()

    return PerLoopAioHttpClient


def _local_chat_model(settings: Settings, role: ModelRole) -> BaseChatModel:
    """ChatOpenAI against this process's local llama.cpp server, started by the first request.

    Raises:
        LocalModelError: the ``local`` extra is not installed (said before any chat starts).
    """
    import asyncio

    import httpx

    from roleplay.local import MODEL_NAME, ServerConfig, check_runtime, shared_server

    check_runtime()
    server = shared_server(ServerConfig(settings.data_dir, settings.local_threads, settings.local_context))

    def start(request: httpx.Request) -> None:
        server.ensure_started()

    async def start_async(request: httpx.Request) -> None:
        if not server.running:
            await asyncio.to_thread(server.ensure_started)

    timeout = httpx.Timeout(settings.local_timeout_seconds, connect=10.0)
    return _chat_openai()(
        model=MODEL_NAME,
        base_url=server.base_url,
        api_key="local",
        temperature=settings.temperature if role == "customer" else 0.0,
        timeout=settings.local_timeout_seconds,
        max_retries=0,  # loopback: a failed call is not a network hiccup, and a retry doubles the queue
        # A reply waits behind every request queued before it (a judge answer takes minutes): no chunk timeout.
        stream_chunk_timeout=settings.local_timeout_seconds,
        max_tokens=None if role == "customer" else LOCAL_JUDGE_MAX_TOKENS,
        streaming=role == "customer",
        use_responses_api=False,
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        http_client=httpx.Client(trust_env=False, timeout=timeout, event_hooks={"request": [start]}),
        http_async_client=httpx.AsyncClient(trust_env=False, timeout=timeout, event_hooks={"request": [start_async]}),
    )


@cache
def _chat_openai() -> type[ChatOpenAI]:
    """langchain-openai's ChatOpenAI, handing the request's messages to the openai SDK as plain JSON.

    The SDK walks every request's messages against its TypedDict annotations to rename aliased keys
    (about 5 ms of CPU for a 20-message prompt), though the dicts LangChain builds are already the wire
    format and have no aliased keys. With a class of 60 on one event loop that walk was the largest
    part of a chat turn's own time (``bench/turn_overhead.py``). Sent through ``extra_body`` the
    messages skip it; the JSON body on the wire is the same. A ``response_format`` given as a dict (the
    judge's) goes the same way, so LangChain sends the call through the plain ``create`` below instead
    of the SDK's ``parse``, which only parses into pydantic classes and typed the answer twice.
    """
    from langchain_openai import ChatOpenAI
    from pydantic import model_validator

    class PlainMessagesChatOpenAI(ChatOpenAI):
        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            plain = ["messages"]
            if isinstance(kwargs.get("response_format"), dict):  # a pydantic class is parsed by the SDK
                plain.append("response_format")
            moved = {key: payload.pop(key) for key in plain if key in payload}
            if moved:
                payload["extra_body"] = {**(payload.get("extra_body") or {}), **moved}
            if "messages" in moved:
                payload["messages"] = []
            return payload

        @model_validator(mode="after")
        def _plain_replies(self) -> PlainMessagesChatOpenAI:
            if self.async_client is not None and not isinstance(self.async_client, _PlainReplies):
                self.async_client = _PlainReplies(self.async_client, self.root_async_client)
            return self

    return PlainMessagesChatOpenAI


class _PlainReplies:
    """The chat completions resource as ChatOpenAI calls it, with replies as plain dicts.

    The openai SDK builds a typed object for every streamed chunk and for every whole reply, and
    ChatOpenAI turns each one straight back into a dict: a third of the client's CPU per streamed reply
    (``bench/turn_overhead.py``) and about 5 of the 11 ms a judge call took on the event loop
    (``bench/batch_grade.py``). Calls go through the SDK's documented ``post`` instead, with the same
    retries, timeouts and errors (an error event in a stream still raises), and each reply or chunk
    comes back as its parsed JSON; anything else goes to the resource itself.
    """

    def __init__(self, completions: Any, client: Any) -> None:
        self._completions = completions
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._completions, name)

    @property
    def with_raw_response(self) -> _RawReplies:
        return _RawReplies(self)

    async def create(self, *, raw: bool = False, **payload: Any) -> Any:
        from openai import AsyncStream
        from openai._base_client import make_request_options
        from openai._constants import RAW_RESPONSE_HEADER

        options = {key: payload.pop(key) for key in ("extra_headers", "extra_query", "timeout") if key in payload}
        if raw:  # the SDK's own switch for ``with_raw_response``: the call returns the response, parsed later
            options["extra_headers"] = {**(options.get("extra_headers") or {}), RAW_RESPONSE_HEADER: "true"}
        extra = payload.pop("extra_body", None) or {}
        return await self._client.post(
            "/chat/completions",
            body={**payload, **extra},
            options=make_request_options(**options),
            cast_to=object,  # the reply's JSON as it came
            stream=bool(payload.get("stream")),
            stream_cls=AsyncStream[object],  # each chunk as its parsed JSON too (a typed dict is walked per chunk)
        )


class _RawReplies:
    """``with_raw_response`` of :class:`_PlainReplies`: the SDK's raw response, whose ``parse()`` gives the dict."""

    def __init__(self, replies: _PlainReplies) -> None:
        self._replies = replies

    def __getattr__(self, name: str) -> Any:
        return getattr(self._replies._completions.with_raw_response, name)

    async def create(self, **payload: Any) -> Any:
        return await self._replies.create(raw=True, **payload)


def model_label(settings: Settings, role: ModelRole) -> str:
    """What to record as the model of a session or report: the model name, or ``offline``."""
    if settings.mode == "offline":
        return "offline"
    if settings.mode == "local":
        from roleplay.local import MODEL_NAME

        return f"{MODEL_NAME} (local)"
    return settings.customer_model if role == "customer" else settings.grader


def local_mode_line(settings: Settings, language: Language) -> str:
    """What a banner or terminal says when the local model is on (model name, threads, where it lives)."""
    from roleplay.local import MODEL_NAME, model_path

    return t(
        "local.mode",
        language,
        model=MODEL_NAME,
        threads=settings.local_threads,
        path=model_path(settings.data_dir),
    )
