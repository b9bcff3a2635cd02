"""A small OpenAI-compatible HTTP server on loopback, for tests and benchmarks (never a real model).

It answers ``POST /v1/chat/completions`` (plain and SSE streaming) and ``GET /v1/models``. Replies
come from a function of the request's messages; a fixed latency and injected failures (an HTTP
status, or a hang longer than the client's timeout) let tests and benches exercise the real client.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[list[dict[str, Any]]], str]


@dataclass
class MockBehaviour:
    """What the server does; tests change it between calls.

    Attributes:
        respond: returns the reply text for the request's messages.
        latency: seconds to wait before answering (spread over the stream when streaming).
        fail_with: HTTP statuses to answer with, one per request, before answering normally.
        hang_seconds: for the next request only, wait this long before answering (a timeout).
    """

    respond: Responder = lambda messages: "好的。"
    latency: float = 0.0
    fail_with: list[int] = field(default_factory=list)
    hang_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # Keep-alive, as real endpoints do: a client that reuses its connections must not pay a new
    # connection (and a new server thread) per request.
    protocol_version = "HTTP/1.1"
    # Send each write at once (TCP_NODELAY), as real endpoints do. Without it the response's headers and
    # body went out as two small writes, and the second waited for the client's delayed ACK: 40 ms more
    # per request than the set latency, which the benches counted as our time.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "mock-model", "object": "model", "owned_by": "test"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        behaviour = self.server.behaviour
        with behaviour.lock:
            behaviour.requests.append(body)
            status = behaviour.fail_with.pop(0) if behaviour.fail_with else None
            hang, behaviour.hang_seconds = behaviour.hang_seconds, 0.0
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found"}})
            return
        if status is not None:
            self._json(status, {"error": {"message": f"injected {status}", "type": "server_error"}})
            return
        if hang:
            time.sleep(hang)
        text = behaviour.respond(body.get("messages", []))
        model = body.get("model", "mock-model")
        if body.get("stream"):
            self._stream(text, model, behaviour.latency)
        else:
            time.sleep(behaviour.latency)
            self._json(200, _completion(text, model, body))

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, text: str, model: str, latency: float) -> None:
        # Chunked transfer encoding keeps the connection open for the next request, as real endpoints do.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        # About one token per event, as a model streams (a token is one or two Chinese characters).
        pieces = [text[i : i + 2] for i in range(0, len(text), 2)] or [""]
        # Each piece has its moment on a schedule from now: a sleep that overshoots is not added to the next
        # one, so the whole reply takes the set latency (benches subtract it to find their own time).
        begin = time.monotonic()
        first_wait = latency / 2
        rest_wait = (latency - first_wait) / max(1, len(pieces))
        for index, piece in enumerate(pieces):
            time.sleep(max(0.0, begin + first_wait + index * rest_wait - time.monotonic()))
            delta: dict[str, Any] = {"content": piece}
            if index == 0:
                delta["role"] = "assistant"
            self._event(
                {
                    "id": "mock",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
            )
        time.sleep(max(0.0, begin + latency - time.monotonic()))
        self._event(
            {
                "id": "mock",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
        )
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")  # the empty chunk ends the body

    def _event(self, payload: dict[str, Any]) -> None:
        self._chunk(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


def _completion(text: str, model: str, body: dict[str, Any]) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    message: dict[str, Any] = {"role": "assistant", "content": text}
    tools = body.get("tools")
    if tools:  # answer a function-calling request by calling the first tool with the text as arguments
        name = tools[0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_mock", "type": "function", "function": {"name": name, "arguments": text}}],
        }
    return {
        "id": "mock",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_chars,
            "completion_tokens": len(text),
            "total_tokens": prompt_chars + len(text),
        },
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a class of 60 connecting at once must not be refused
    behaviour: MockBehaviour


class MockOpenAIServer:
    """Start with ``with MockOpenAIServer() as server:``; ``server.base_url`` goes to ChatOpenAI."""

    def __init__(self, behaviour: MockBehaviour | None = None, port: int = 0) -> None:
        self.behaviour = behaviour or MockBehaviour()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.behaviour = self.behaviour
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The ``/v1`` URL of the running server."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> MockOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def in_turn(replies: Sequence[str]) -> Responder:
    """A responder that answers each turn of a chat with the next of ``replies`` (by how many replies the
    request's history already holds), so a chat never hears the same line twice in a row."""

    def respond(messages: list[dict[str, Any]]) -> str:
        answered = sum(1 for m in messages if m.get("role") == "assistant")
        return replies[answered % len(replies)]

    return respond


def spawn(latency: float, replies: Sequence[str]) -> tuple[subprocess.Popen[str], str]:
    """The mock server in a process of its own (benches: its threads stay out of the measured interpreter).

    Returns:
        The process (terminate it when done) and the server's ``/v1`` URL.
    """
    command = [sys.executable, "-m", "roleplay.mockserver", "--latency", str(latency)]
    command += [option for reply in replies for option in ("--reply", reply)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def main() -> None:
    """``python -m roleplay.mockserver [--port N] [--latency S] [--reply TEXT ...]``: serve until Ctrl+C.

    For trying the app or ``roleplay chat`` against a model endpoint with no model, and for benches
    that keep the server out of the measured process.
    """
    import argparse

    parser = argparse.ArgumentParser(description="mock OpenAI-compatible server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    parser.add_argument(
        "--reply", action="append", help="a reply's text; give several and the turns of a chat take them in turn"
    )
    args = parser.parse_args()
    behaviour = MockBehaviour(respond=in_turn(args.reply or ["你们到底什么时候能给我解决？"]), latency=args.latency)
    server = MockOpenAIServer(behaviour, port=args.port)
    print(server.base_url, flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()
