"""Our own time per chat turn, with 60 students at once against a mock model with fixed latency.

Usage:
    python bench/turn_overhead.py [--sessions 60] [--turns 6] [--latency 0.8] [--repeat 3]

Each session runs through the real engine (SQLite store, tagger, state, prompt building, guard)
and the real model client (ChatOpenAI, the openai SDK and its HTTP transport) against the mock
OpenAI-compatible server on loopback. Our time per turn is the turn's wall time beyond the model's
own fixed latency: everything this process does for the turn, the HTTP client's work and any wait
for the busy event loop included (target: p95 <= 20 ms on a 2-core machine). The part outside the
model call is printed beside it, and a bare HTTP client's time in the same pattern (the floor the
mock server and loopback allow). Then one 20-turn session reports the prompt size per turn and the
share taken by the static prefix (rules, persona, scenario), which must be byte-identical on every
turn so provider prefix caches hit.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from roleplay.customer.engine import ChatSession
from roleplay.library import Library
from roleplay.llm import chat_model, release
from roleplay.mockserver import MockBehaviour, MockOpenAIServer, in_turn, spawn
from roleplay.settings import Settings
from roleplay.store import SessionStore, open_database

ROOT = Path(__file__).resolve().parents[1]
# The mock customer's lines, one per turn in turn: a real customer does not say the same line twice
# (the guard would reject a repeat and the bench would measure regenerations).
REPLIES = [
    "你们到底什么时候能来修？我家里老人等不了，今天必须给我一个准话，不然我就投诉。",
    "约好的师傅没来，连个电话都没有，你们就是这么做售后的？",
    "我不想听这些套话，你就说今天能不能派人来。",
    "上次打电话也是说尽快安排，结果呢？一直等到现在。",
    "空调是你们的人装的，坏了还要我一遍一遍打电话催？",
    "家里闷得像蒸笼，你坐在空调房里当然不着急。",
    "你问这么多有什么用，我要的是师傅上门。",
    "行，你先说清楚，到底几点能到？别再让我白等。",
    "这次要是再爽约，我就直接找你们经理。",
    "你记下来了没有？别回头又说没这回事。",
]
STUDENT = [
    "您好，我是客服小林，真的很抱歉让您久等了。能跟我说说具体是什么情况吗？",
    "换谁都会着急的，我完全理解您的心情。跟您确认一下，师傅约好了没来，对吗？",
    "室内机面板上有没有显示什么代码？",
    "您看是今天下午上门，还是明天上午更方便？",
    "我马上帮您安排加急，今天下午5点前师傅上门，这是您的工单号 A1021，我全程跟进。",
    "请问还有其他问题吗？祝您生活愉快。",
]
# A student who listens and asks but never proposes a fix: the chat runs its whole 20 turns.
LISTENER = [
    "我理解您的心情，换谁都会着急的。",
    "您慢慢说，当时具体是什么情况？",
    "您说得有道理，这件事确实让人闹心。",
    "还有哪些地方让您不放心，能跟我说说吗？",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


class TimedModel:
    """Wraps the chat model and adds up the time spent inside its stream and the calls made."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.waited = 0.0
        self.calls = 0

    async def astream(self, messages: Any, **options: Any) -> AsyncIterator[Any]:
        begin = time.perf_counter()
        self.calls += 1
        try:
            async for chunk in self.model.astream(messages, **options):
                yield chunk
        finally:
            self.waited += time.perf_counter() - begin


def estimated_tokens(text: str) -> int:
    """Rough prompt size: one token per Chinese character, one per four other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk) // 4


async def one_session(
    library: Library,
    store: SessionStore,
    model: Any,
    lines: list[str],
    turns: int,
    think: float = 0.0,
    seat: int = 0,
    latency: float = 0.0,
) -> tuple[list[float], list[float], int]:
    """One student's chat; ``think`` is the longest pause before each message (students type).

    Returns:
        Our time for each turn (outside the model's stream), each turn's time beyond the model's fixed
        ``latency`` (so the HTTP client's own work counts too), and how many model replies the guard
        rejected (each cost a regeneration).
    """
    pace = random.Random(seat)
    timed = TimedModel(model) if model is not None else None
    session = await ChatSession.start(
        persona=library.persona("wang_jianguo"),
        scenario=library.scenarios["aircon_after_sales"],
        store=store,
        model=timed,  # type: ignore[arg-type]  # duck-typed: the engine only calls astream
        model_name="mock-model",
        seed=1,
    )
    overheads, beyond = [], []
    for message in (lines * turns)[:turns]:
        if session.closed:
            break
        await asyncio.sleep(pace.uniform(0, think))
        if timed is not None:
            timed.waited, timed.calls = 0.0, 0
        begin = time.perf_counter()
        async for _event in session.send(message):
            pass
        took = time.perf_counter() - begin
        overheads.append(took - (timed.waited if timed else 0.0))
        beyond.append(took - (timed.calls * latency if timed else 0.0))
    if session.model_failures:
        raise SystemExit(f"the model voice failed {session.model_failures} times (see the log): figures not valid")
    return overheads, beyond, session.guard_failures


async def class_run(
    library: Library, store: SessionStore, model: Any, args: argparse.Namespace
) -> tuple[list[float], list[float], float, float]:
    """The whole class at once.

    Returns:
        Every turn's overhead (outside the model stream) and time beyond the model's latency, the wall
        time and the process CPU time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    sessions = [
        one_session(library, store, model, STUDENT, args.turns, args.think, n, args.latency)
        for n in range(args.sessions)
    ]
    results = await asyncio.gather(*sessions)
    rejected = sum(r for _, _, r in results)
    if rejected:
        print(f"  ({rejected} model replies rejected by the guard and regenerated)")
    overheads = [o * 1000 for session, _, _ in results for o in session]
    beyond = [o * 1000 for _, session, _ in results for o in session]
    return overheads, beyond, time.perf_counter() - wall, time.process_time() - cpu


def report_run(label: str, ours: list[float], wall: float, cpu: float, outside: list[float] | None = None) -> None:
    """One run's line: our time per turn (and the part of it outside the model call) and the process CPU."""
    part = "" if outside is None else f" (outside the model call p50 {statistics.median(outside):.1f} ms, "
    part += "" if outside is None else f"p95 {percentile(outside, 0.95):.1f} ms)"
    print(
        f"{label}: {len(ours)} turns; our time per turn p50 {statistics.median(ours):.1f} ms, "
        f"p95 {percentile(ours, 0.95):.1f} ms{part}; process CPU {cpu / len(ours) * 1000:.1f} ms per turn, "
        f"busy {cpu / wall:.0%} of the wall time"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def sample_prompt() -> tuple[list[Any], list[dict[str, Any]]]:
    """A prompt the size of a mid-chat turn's (20 messages), as LangChain messages and as wire JSON."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    messages = [SystemMessage("规则" * 700), HumanMessage("场景" * 300)]
    messages += [
        m
        for line, reply in zip(STUDENT, REPLIES[: len(STUDENT)], strict=True)
        for m in (HumanMessage(line), AIMessage(reply))
    ]
    raw = [{"role": m.type.replace("human", "user").replace("ai", "assistant"), "content": m.content} for m in messages]
    return messages, raw


async def bare_class(base_url: str, args: argparse.Namespace) -> list[float]:
    """The floor: the same class pattern with a bare HTTP client (the transport the model client uses) and no
    engine; each turn's time beyond the mock's latency (the mock server, loopback and the least client work
    there is), in ms."""
    from openai import DefaultAioHttpClient

    _, raw = sample_prompt()
    body = {"model": "mock", "messages": raw, "stream": True}

    async def student(http: Any, seat: int) -> list[float]:
        pace, beyond = random.Random(seat), []
        for _ in range(args.turns):
            await asyncio.sleep(pace.uniform(0, args.think))
            begin = time.perf_counter()
            async with http.stream("POST", f"{base_url}/chat/completions", json=body) as response:
                async for _line in response.aiter_lines():
                    pass
            beyond.append((time.perf_counter() - begin - args.latency) * 1000)
        return beyond

    async with DefaultAioHttpClient(timeout=30) as http:
        seats = await asyncio.gather(*(student(http, n) for n in range(args.sessions)))
    return [b for seat in seats for b in seat]


async def client_costs(latency: float, calls: int = 30) -> None:
    """CPU per streamed reply in the model client's layers, 20 at once: where the model voice's extra CPU goes.

    The same 20-message prompt and reply each time, over the same HTTP transport (the SDK's aiohttp one): raw
    HTTP (the floor), the openai SDK as it comes (typed chunks), and our ChatOpenAI (what the engine uses).
    """
    import openai

    messages, raw = sample_prompt()
    process, base_url = spawn(latency, REPLIES)
    try:
        model = chat_model(
            Settings(base_url=base_url, api_key="bench", customer_model="mock", max_retries=0), "customer"
        )
        sdk = openai.AsyncOpenAI(base_url=base_url, api_key="bench", http_client=openai.DefaultAioHttpClient())
        async with openai.DefaultAioHttpClient(timeout=30) as http:

            async def by_http() -> None:
                body = {"model": "mock", "messages": raw, "stream": True}
                async with http.stream("POST", f"{base_url}/chat/completions", json=body) as response:
                    async for _line in response.aiter_lines():
                        pass

            async def by_sdk() -> None:
                async for _chunk in await sdk.chat.completions.create(model="mock", messages=raw, stream=True):  # type: ignore[arg-type]
                    pass

            async def by_langchain() -> None:
                assert model is not None
                async for _chunk in model.astream(messages):
                    pass

            costs = {}
            for name, call in (("raw HTTP", by_http), ("openai SDK", by_sdk), ("our ChatOpenAI", by_langchain)):
                await call()
                begin = time.process_time()
                for _ in range(calls // 20 or 1):
                    await asyncio.gather(*(call() for _ in range(20)))
                costs[name] = (time.process_time() - begin) / ((calls // 20 or 1) * 20) * 1000
        await sdk.close()
        await release(model)
    finally:
        process.terminate()
        process.wait(timeout=10)
    floor = costs["raw HTTP"]
    print(
        "model client CPU per streamed reply (20-message prompt, 20 at once): "
        + ", ".join(f"{name} {cost:.1f} ms ({cost / floor:.1f}x raw HTTP)" for name, cost in costs.items())
    )


async def main_async(args: argparse.Namespace) -> int:
    library = Library.load(ROOT)
    process, base_url = spawn(args.latency, REPLIES)  # its own process: its threads stay out of ours
    print(
        f"{args.sessions} students at once, {args.turns} messages each, mock model latency {args.latency:.2f} s, "
        f"students pause up to {args.think:.1f} s before each message; {args.repeat} runs"
    )
    p95s = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = SessionStore(open_database(f"sqlite:///{Path(folder, 'bench.db').as_posix()}"))
            offline, _, offline_wall, offline_cpu = await class_run(library, store, None, args)
            report_run("offline voice (no model client)", offline, offline_wall, offline_cpu)
            settings = Settings(base_url=base_url, api_key="bench", customer_model="mock-model", max_retries=0)
            model = chat_model(settings, "customer")  # one client for the whole class, as in the app
            for run in range(1, args.repeat + 1):
                outside, ours, wall, cpu = await class_run(library, store, model, args)
                report_run(f"model voice, run {run}", ours, wall, cpu, outside)
                p95s.append(percentile(ours, 0.95))
            await release(model)
        floor = await bare_class(base_url, args)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(
        f"bare HTTP client, same class and pattern, no engine (the floor: mock server, loopback): time beyond the "
        f"model's latency p50 {statistics.median(floor):.1f} ms, p95 {percentile(floor, 0.95):.1f} ms"
    )
    p95 = statistics.median(p95s)
    print(
        f"our time per turn with the model voice (beyond the model's {args.latency:.2f} s): p95 per run "
        f"{', '.join(f'{v:.1f}' for v in p95s)} ms; median {p95:.1f} ms, highest {max(p95s):.1f} ms "
        f"(target <= 20 ms: {p95 / 20:.2f}x and {max(p95s) / 20:.2f}x the target)"
    )
    await client_costs(args.latency)

    behaviour = MockBehaviour(respond=in_turn(REPLIES))
    with tempfile.TemporaryDirectory() as folder, MockOpenAIServer(behaviour) as server:
        store = SessionStore(open_database(f"sqlite:///{Path(folder, 'prompt.db').as_posix()}"))
        settings = Settings(base_url=server.base_url, api_key="bench", customer_model="mock-model", max_retries=0)
        model = chat_model(settings, "customer")
        await one_session(library, store, model, LISTENER, 20)
        await release(model)
    prompts = [r["messages"] for r in behaviour.requests if r.get("messages")]
    prefixes = {(p[0]["content"], p[1]["content"]) for p in prompts}
    sizes = [sum(estimated_tokens(str(m["content"])) for m in p) for p in prompts]
    prefix = estimated_tokens(prompts[0][0]["content"]) + estimated_tokens(prompts[0][1]["content"])
    print(f"20-turn session: {len(prompts)} model calls; static prefix identical on every call: {len(prefixes) == 1}")
    print(
        f"prompt tokens (estimated) per turn: first {sizes[0]}, last {sizes[-1]}, mean {statistics.mean(sizes):.0f}; "
        f"static prefix {prefix} = {prefix / sizes[0]:.0%} of the first prompt, {prefix / sizes[-1]:.0%} of the last"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--latency", type=float, default=0.8, help="seconds the mock model takes per reply")
    parser.add_argument("--think", type=float, default=3.0, help="longest pause of a student before a message")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole class with the model voice")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
