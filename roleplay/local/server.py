"""One local model server per process, on loopback, started on first use and stopped at exit.

Why a server and not the model in-process: the customer voice and the judge then run through the
same ChatOpenAI path as any remote endpoint (streaming, structured output, timeouts, the engine's
fallbacks), the model's memory and native code live in a process of its own (a crash there costs a
reply, not the app), and llama.cpp's server queues concurrent requests from a class on its own.
The price is a free loopback port and about 2 s of start-up, paid on the first reply.
"""

from __future__ import annotations

import atexit
import logging
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from roleplay.local.model_file import MODEL_NAME, LocalModelError, check_runtime, ensure_model

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 300.0  # loading takes seconds; a busy shared machine can make it much slower
_SERVE_SCRIPT = Path(__file__).resolve().with_name("serve.py")


@dataclass(frozen=True)
class ServerConfig:
    """What the server process is started with (one server per distinct config)."""

    data_dir: Path
    threads: int
    context: int


class LocalServer:
    """The llama.cpp OpenAI-compatible server for one model file, on a loopback port chosen up front.

    :meth:`ensure_started` is safe to call from many threads; the first call assembles the model file
    if needed, starts the process and waits until it answers. A server that died is started again on
    the same port, so clients built with :attr:`base_url` keep working.
    """

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.port = _free_port()
        self.log_path = config.data_dir.resolve() / "models" / "local-model-server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.starts = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:<port>/v1``)."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def running(self) -> bool:
        """Whether the server process is alive (it may still be loading)."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server process id while it runs (for memory figures)."""
        return self._process.pid if self.running and self._process is not None else None

    def ensure_started(self) -> None:
        """Start the server unless it runs; return when it answers.

        Raises:
            LocalModelError: the runtime or the model is missing, or the server did not come up.
        """
        if self.running:
            return
        with self._lock:
            if self.running:
                return
            self._start()

    def _start(self) -> None:
        check_runtime()
        model = ensure_model(self.config.data_dir)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            str(_SERVE_SCRIPT),
            "--model",
            str(model),
            "--alias",
            MODEL_NAME,
            "--port",
            str(self.port),
            "--threads",
            str(self.config.threads),
            "--context",
            str(self.config.context),
            "--watch-stdin",
        ]
        log.info("starting the local model server on %s (log: %s)", self.base_url, self.log_path)
        with self.log_path.open("ab") as output:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT)
        self._process = process
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if _answers(f"{self.base_url}/models"):
                return
            time.sleep(0.25)
        self.stop()
        raise LocalModelError("local.server_failed", log=self.log_path, tail=_tail(self.log_path))

    def stop(self) -> None:
        """Stop the server process (it also stops by itself when this process ends)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# The process-wide servers: one per model configuration, shared by the customer voice and the judge
# of every session (several servers would each hold the model in memory).
_servers: dict[ServerConfig, LocalServer] = {}
_servers_lock = threading.Lock()


def shared_server(config: ServerConfig) -> LocalServer:
    """This process's server for ``config`` (created, not started; stopped when the process exits)."""
    with _servers_lock:
        server = _servers.get(config)
        if server is None:
            server = _servers[config] = LocalServer(config)
            atexit.register(server.stop)
        return server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    # No proxy: a proxy from the environment must never see loopback traffic.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])
