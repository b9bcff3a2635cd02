"""A class at once through the web app's HTTP API: each chat turn's time against the model's own time.

Usage:
    python bench/class_load.py [--students 60] [--turns 10] [--latency 1.0] [--think 4.0]

Starts the mock model server (its own process, fixed latency) and the app (``python app.py`` in its own
process, configured for the mock model, with a fresh data directory). Then every simulated student, each a
session of its own on the server like a browser tab, signs in, starts a chat, sends ``turns`` messages with a
pause before each (students type), and ends the chat. Students speak the app's HTTP API as its own page does
(join the queue, read the event stream; ``AppTab``), all in one event loop: ``gradio_client`` waits up to 50 ms
between looks at its inbox, which would be measured as the app's time. A turn is the time from sending a
message until the customer's whole reply has arrived. The model's own time per reply is measured
against the mock directly in the same run (the baseline); our overhead = turn time - baseline. Prints p50/p95 of
both (target: p95 overhead <= 150 ms on a 2-core machine), the errors (target: none), how many replies came from
the model, and the app process's CPU time and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.turn_overhead import LISTENER, REPLIES  # noqa: E402
from roleplay.mockserver import spawn  # noqa: E402

SCENARIO = "aircon_after_sales"


@dataclass
class StudentRun:
    """What one simulated student saw."""

    turns: list[float] = field(default_factory=list)
    opening: float | None = None  # sign in and start a chat
    model_replies: int = 0
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_app(base_url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python app.py`` for the mock model; returns the process and its URL once it answers."""
    port = free_port()
    env = os.environ | {
        "ROLEPLAY_BASE_URL": base_url,
        "ROLEPLAY_API_KEY": "bench",
        "ROLEPLAY_CUSTOMER_MODEL": "mock-model",
        "ROLEPLAY_MAX_RETRIES": "0",
        "ROLEPLAY_DATA_DIR": str(data_dir),
        "ROLEPLAY_PORT": str(port),
        "ROLEPLAY_HOST": "127.0.0.1",
    }
    log = (data_dir / "app.log").open("wb")
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app stopped at start; see {data_dir / 'app.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("the app did not answer within 120 s")


def model_baseline(base_url: str, repeats: int = 5) -> float:
    """The mock model's own time for a whole streamed reply, asked directly (median of ``repeats``)."""
    body = {"model": "mock-model", "stream": True, "messages": [{"role": "user", "content": "您好"}]}
    times = []
    with httpx.Client(timeout=30) as client:
        for _ in range(repeats):
            begin = time.perf_counter()
            with client.stream("POST", f"{base_url}/chat/completions", json=body) as response:
                for _line in response.iter_lines():
                    pass
            times.append(time.perf_counter() - begin)
    return statistics.median(times)


def last_reply(chat: object) -> str:
    """The text of the chatbot's last message, if it is the customer's."""
    if not isinstance(chat, list) or not chat or chat[-1].get("role") != "assistant":
        return ""
    content = chat[-1].get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


class AppTab:
    """One browser tab on the app: a session of its own, calling endpoints as the Gradio page does.

    A call joins the queue (``POST queue/join``) and reads the session's event stream (``GET queue/data``)
    until its event completes; session state stays on the server, so ``gr.State`` inputs are sent empty.
    """

    def __init__(self, http: httpx.AsyncClient, url: str, config: dict[str, Any]) -> None:
        self.http, self.session_hash = http, uuid.uuid4().hex[:11]
        self.api = url + config.get("api_prefix", "/gradio_api").strip("/") + "/"
        stateful = {c["id"] for c in config["components"] if c.get("type") == "state"}
        self.endpoints = {
            "/" + dep["api_name"]: (dep["id"], [None if i in stateful else ... for i in dep["inputs"]])
            for dep in config["dependencies"]
            if dep.get("api_name")
        }

    async def call(self, api_name: str, *values: object) -> list[Any]:
        """The endpoint's outputs once it has finished; raises on an error or a failed event."""
        fn_index, slots = self.endpoints[api_name]
        given = iter(values)
        data = [next(given) if slot is ... else None for slot in slots]
        body = {"data": data, "fn_index": fn_index, "session_hash": self.session_hash, "event_data": None}
        joined = await self.http.post(self.api + "queue/join", json=body)
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        params = {"session_hash": self.session_hash}
        async with self.http.stream("GET", self.api + "queue/data", params=params) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") != event_id or message.get("msg") != "process_completed":
                    continue
                if not message.get("success", False):
                    raise RuntimeError(f"{api_name} failed: {message.get('output')}")
                return list(message["output"]["data"])
        raise RuntimeError(f"{api_name}: the event stream ended before the event completed")


async def one_student(
    http: httpx.AsyncClient, url: str, config: dict[str, Any], seat: int, turns: int, think: float
) -> StudentRun:
    """Sign in, start, ``turns`` messages, end; every call that fails is an error."""
    run, pace = StudentRun(), random.Random(seat)
    tab = AppTab(http, url, config)
    try:
        begin = time.perf_counter()
        await tab.call("/on_sign_in", f"学生{seat:02d}", f"2026{seat:04d}", "")
        await tab.call("/on_start", SCENARIO, "__random__")
        run.opening = time.perf_counter() - begin
        for n in range(turns):
            await asyncio.sleep(pace.uniform(0.5, think))
            begin = time.perf_counter()
            shown = await tab.call("/on_send", LISTENER[n % len(LISTENER)])
            run.turns.append(time.perf_counter() - begin)
            chat, status = shown[0], shown[1]  # the chat and the status line come first
            reply = last_reply(chat)
            if not reply:
                run.errors.append(f"seat {seat} turn {n + 1}: no reply ({status})")
            elif reply in REPLIES:
                run.model_replies += 1
        await tab.call("/on_end")
    except Exception as exc:  # any failure is what the bench counts
        run.errors.append(f"seat {seat}: {type(exc).__name__}: {exc}")
    return run


async def the_class(url: str, students: int, turns: int, think: float) -> list[StudentRun]:
    """Every student at once, in one event loop (as many browsers would be)."""
    limits = httpx.Limits(max_connections=students * 2, max_keepalive_connections=students * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits, trust_env=False) as http:
        config = (await http.get(url + "config")).json()
        return list(
            await asyncio.gather(*(one_student(http, url, config, seat, turns, think) for seat in range(students)))
        )


def process_usage(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and peak resident memory (MB) of a Linux process; zeros elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
        return cpu, peak
    except (OSError, StopIteration, IndexError, ValueError):
        return 0.0, 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the mock model takes per reply")
    parser.add_argument("--think", type=float, default=4.0, help="longest pause of a student before a message")
    args = parser.parse_args()

    mock, base_url = spawn(args.latency, REPLIES)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app, url = start_app(base_url, Path(folder))
            try:
                baseline = model_baseline(base_url)
                print(
                    f"{args.students} students at once through the app's HTTP API, {args.turns} messages each, "
                    f"pauses up to {args.think:.1f} s; mock model {args.latency:.2f} s per reply, "
                    f"measured directly {baseline * 1000:.0f} ms (baseline)"
                )
                cpu_before, _ = process_usage(app.pid)
                began = time.perf_counter()
                runs = asyncio.run(the_class(url, args.students, args.turns, args.think))
                wall = time.perf_counter() - began
                cpu_after, peak = process_usage(app.pid)
            finally:
                app.terminate()
                app.wait(timeout=30)
    finally:
        mock.terminate()
        mock.wait(timeout=10)

    turns = [t * 1000 for run in runs for t in run.turns]
    errors = [e for run in runs for e in run.errors]
    expected = args.students * args.turns
    if not turns:
        print("no turn completed:", *errors[:5], sep="\n  ")
        return 1
    overhead = [t - baseline * 1000 for t in turns]
    print(
        f"turns completed {len(turns)} of {expected}; replies from the model {sum(r.model_replies for r in runs)}; "
        f"errors {len(errors)} (target 0)"
    )
    for error in errors[:10]:
        print(f"  {error}")
    print(
        f"turn time: p50 {statistics.median(turns):.0f} ms, p95 {percentile(turns, 0.95):.0f} ms, "
        f"max {max(turns):.0f} ms"
    )
    openings = [run.opening * 1000 for run in runs if run.opening is not None]
    print(
        f"signing in and starting a chat, all at the same moment: p50 {statistics.median(openings):.0f} ms, "
        f"p95 {percentile(openings, 0.95):.0f} ms"
    )
    p95 = percentile(overhead, 0.95)
    print(
        f"our overhead (turn time - baseline): p50 {statistics.median(overhead):.0f} ms, p95 {p95:.0f} ms "
        f"(target <= 150 ms: {p95 / 150:.2f}x the target)"
    )
    by_number = [
        percentile([(run.turns[n] - baseline) * 1000 for run in runs if len(run.turns) > n], 0.95)
        for n in range(max(len(run.turns) for run in runs))
    ]
    print(
        "overhead p95 by message number (the first ones meet the rest of the class signing in): "
        + ", ".join(f"{n}: {value:.0f}" for n, value in enumerate(by_number, 1))
    )
    print(
        f"app process: CPU {cpu_after - cpu_before:.1f} s over {wall:.0f} s wall "
        f"({(cpu_after - cpu_before) / wall:.0%} of one core), {(cpu_after - cpu_before) / len(turns) * 1000:.0f} ms "
        f"CPU per turn; peak memory {peak:.0f} MB"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
