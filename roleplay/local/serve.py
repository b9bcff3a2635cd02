"""The local model server process: llama-cpp-python's OpenAI-compatible server on loopback.

Started by :class:`roleplay.local.server.LocalServer` as ``python serve.py --model ... --port ...``
(a plain script: it imports nothing of roleplay, so it runs the same wherever the package lives).

Two small translations make it answer today's OpenAI requests the way ChatOpenAI sends them:
``max_completion_tokens`` becomes llama.cpp's ``max_tokens``, and a ``json_schema`` response format
becomes llama.cpp's ``{"type": "json_object", "schema": ...}``, which constrains every generated token
to the schema (the judge's structured output). The server exits by itself when its parent goes away
(its stdin, a pipe from the parent, closes), so a killed app never leaves a model behind in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def translate(body: bytes) -> bytes:
    """Rewrite an OpenAI chat request into the fields llama-cpp-python's server reads."""
    try:
        request = json.loads(body)
    except ValueError:
        return body
    if not isinstance(request, dict):
        return body
    if "max_completion_tokens" in request:
        request.setdefault("max_tokens", request.pop("max_completion_tokens"))
    response_format = request.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        request["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
    return json.dumps(request, ensure_ascii=False).encode()


class OpenAIRequests:
    """ASGI middleware applying :func:`translate` to chat completion requests."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
        body = translate(body)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = dict(scope, headers=[*headers, (b"content-length", str(len(body)).encode())])
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # later reads wait for the client to disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _exit_with_parent() -> None:
    """Block on stdin (a pipe from the parent); when it closes, the parent is gone: exit at once."""
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)


def main(argv: list[str] | None = None) -> None:
    """Serve the model on 127.0.0.1 until the parent process ends."""
    parser = argparse.ArgumentParser(description="roleplay's local model server (llama.cpp, loopback only)")
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context", type=int, default=8192)
    parser.add_argument("--watch-stdin", action="store_true")
    args = parser.parse_args(argv)
    if args.watch_stdin:
        threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    # Both settings classes read same-named environment variables (API_KEY, CACHE, N_BATCH...): this
    # process's settings come from its arguments only.
    fields = {name.lower() for cls in (ModelSettings, ServerSettings) for name in cls.model_fields}
    for name in [key for key in os.environ if key.lower() in fields]:
        del os.environ[name]
    server = ServerSettings(host="127.0.0.1", port=args.port, interrupt_requests=False)
    model = ModelSettings(
        model=args.model,
        model_alias=args.alias,
        n_gpu_layers=0,
        n_ctx=args.context,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        logits_all=False,  # the default (True) keeps a vocabulary-sized row per context token: gigabytes
        verbose=False,
    )
    app = create_app(server_settings=server, model_settings=[model])
    uvicorn.run(OpenAIRequests(app), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
