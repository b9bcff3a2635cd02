"""Batch grading throughput: 200 transcripts against a mock judge with fixed latency.

Usage:
    python bench/batch_grade.py [--transcripts 200] [--latency 1.0] [--concurrency 16]

The transcripts come from offline practice chats (scripted students x shipped personas and
scenarios). The mock OpenAI-compatible server (in its own process) answers every judge call after
``latency`` seconds with a valid answer. Prints the elapsed time against the ideal
(calls x latency / concurrency), the share of the ideal throughput reached (target >= 0.85), and the
peak memory of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay.grading.batch import collect, grade_batch  # noqa: E402
from roleplay.grading.judge import Judge  # noqa: E402
from roleplay.library import Library  # noqa: E402
from roleplay.llm import chat_model, released_after  # noqa: E402
from roleplay.settings import Settings  # noqa: E402
from roleplay.store import SessionStore, open_database  # noqa: E402
from roleplay.transcript import write_transcript  # noqa: E402
from tests.students import STUDENTS, practise  # noqa: E402


async def make_transcripts(library: Library, folder: Path, count: int) -> None:
    store = SessionStore(open_database(f"sqlite:///{(folder / 'chats.db').as_posix()}"))
    pairs = cycle(
        [(p, s, n) for p in sorted(library.personas) for s in sorted(library.scenarios) for n in ("good", "poor")]
    )
    for index in range(count):
        persona, scenario, student = next(pairs)
        session = await practise(library, store, persona, scenario, STUDENTS[student], turns=6, seed=index)
        write_transcript(await session.end(), folder / "in" / f"chat-{index:03d}.json")


async def bare_client_share(base_url: str, calls: int, concurrency: int, latency: float) -> float:
    """The floor: the same number of calls of a judge prompt's size at the same concurrency through a bare
    HTTP client (the transport the model client uses), with no grading; the share of the ideal throughput the
    mock server and loopback allow."""
    from openai import DefaultAioHttpClient

    body = {
        "model": "mock-judge",
        "messages": [{"role": "system", "content": "评分标准" * 1000}, {"role": "user", "content": "对话记录" * 800}],
        "response_format": {"type": "json_object"},
    }
    gate = asyncio.Semaphore(concurrency)
    async with DefaultAioHttpClient(timeout=60) as http:

        async def one() -> None:
            async with gate:
                (await http.post(f"{base_url}/chat/completions", json=body)).raise_for_status()

        begin = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(calls)))
    return calls * latency / concurrency / (time.perf_counter() - begin)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per judge call")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    library = Library.load(ROOT)
    rubric = library.rubrics["default"]
    ids = [d.dimension_id for d in rubric.dimensions]
    # The mock judge runs in its own process (its threads must not share our interpreter) and gives
    # the same valid answer, without quotes, to every transcript.
    reply = json.dumps({"dimensions": [{"dimension_id": d, "reason": "依据表现评分。", "level": 3} for d in ids]})
    command = [sys.executable, "-m", "roleplay.mockserver", "--latency", str(args.latency), "--reply", reply]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    calls = 0
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        asyncio.run(make_transcripts(library, folder, args.transcripts))
        items = collect([str(folder / "in")])
        settings = Settings(base_url=base_url, api_key="bench", customer_model="mock-judge", max_retries=0)
        model = chat_model(settings, "grader")
        assert model is not None
        judge = Judge(model, "mock-judge", "json_mode")
        begin, cpu = time.perf_counter(), time.process_time()

        result = asyncio.run(
            released_after(
                grade_batch(
                    items,
                    rubric,
                    folder / "out",
                    library=library,
                    judge=judge,
                    concurrency=args.concurrency,
                    formats=["json", "html"],
                ),
                model,
            )
        )
        elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
        calls = sum(1 + max((d.judge.retries for d in r.dimensions if d.judge), default=0) for _, r in result.graded)
        floor = asyncio.run(bare_client_share(base_url, calls, args.concurrency, args.latency))
    server.terminate()
    server.wait(timeout=10)
    ideal = calls * args.latency / args.concurrency
    unscored = sum(1 for _, r in result.graded for d in r.dimensions if d.judge and d.judge.level is None)
    print(
        f"{len(result.graded)} transcripts graded ({len(result.failed)} failed), {calls} judge calls, "
        f"latency {args.latency:.2f} s, concurrency {args.concurrency}; unscored dimensions: {unscored}"
    )
    print(
        f"elapsed {elapsed:.1f} s, ideal {ideal:.1f} s: {ideal / elapsed:.0%} of the ideal throughput (target >= 85%); "
        f"a bare HTTP client, same calls and concurrency, no grading: {floor:.0%}"
    )
    print(f"process CPU {cpu:.1f} s = {cpu / max(1, len(result.graded)) * 1000:.0f} ms per transcript")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory (max resident set) {peak:.0f} MB; mock server process {child:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
