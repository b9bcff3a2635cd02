"""The real local model (Qwen2.5-Coder-1.5B-Instruct on llama.cpp, this machine's CPU, no network).

Skipped without the ``local`` extra (a plain ``pytest`` on a fresh checkout); ``.ci/run`` installs it,
so these run in CI. Kept modest: one shared server for the module (2 threads, the default context),
replies capped per persona, sampling seeded. Timings belong in ``bench/local_model.py``, not here.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from roleplay.customer.engine import ChatSession
from roleplay.customer.guard import check_reply
from roleplay.grading.grade import grade_transcript
from roleplay.grading.judge import Judge, JudgeAnswer
from roleplay.library import Library
from roleplay.llm import chat_model, model_label
from roleplay.local import ensure_model
from roleplay.local.model_file import find_chunks, missing_runtime
from roleplay.settings import Settings
from roleplay.store import SessionStore, open_database
from tests.conftest import PROJECT_ROOT
from tests.students import STUDENTS
from tests.test_grading import LINES
from tests.test_grading import transcript as transcript_of

_MISSING = [*missing_runtime(), *(c.package for c in find_chunks() if c.path is None)]
pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f'the local model extra is not installed (pip install -e ".[local]"); missing: {", ".join(_MISSING[:3])}',
    ),
]

LIBRARY = Library.load(PROJECT_ROOT)
TURNS = 8
SEED = 11
# (persona, scenario): an angry and a doubtful customer, each in a case written for that type.
CASES = [("wang_jianguo", "aircon_after_sales"), ("li_meiling", "presale_hesitant_buyer")]
_AGREEABLE = re.compile(r"我(?:能|可以|完全)?理解(?:了|您|你)?|没关系|谢谢|非常感谢|辛苦")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Local-mode settings whose data folder holds the assembled model (assembled once per run)."""
    data_dir = tmp_path_factory.mktemp("local-model")
    ensure_model(data_dir)
    yield Settings(local_model=True, data_dir=data_dir, temperature=0.7)
    shutil.rmtree(data_dir / "models", ignore_errors=True)  # 1.1 GB


def _seeded(settings: Settings, role: Any) -> Any:
    model = chat_model(settings, role)
    assert model is not None
    return model.model_copy(update={"seed": SEED})  # llama.cpp samples the same way on every run


@dataclass
class Played:
    """A session and, per customer reply, who wrote it: the model first time, on the retry, or the script."""

    session: ChatSession
    voices: list[str] = field(default_factory=list)


async def say(played: Played, text: str) -> None:
    """Send one student message and record which voice answered."""
    session = played.session
    rejected, failed = session.guard_failures, session.model_failures
    async for _event in session.send(text):
        pass
    rejected, failed = session.guard_failures - rejected, session.model_failures - failed
    played.voices.append("script" if failed or rejected >= 2 else "model-retry" if rejected else "model")


@pytest.fixture(scope="module")
def sessions(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Played]:
    """Each case played by the good and the poor scripted student, 8 turns, with the local customer."""
    path = tmp_path_factory.mktemp("local-sessions") / "sessions.db"
    store = SessionStore(open_database(f"sqlite:///{path.as_posix()}"))
    model = _seeded(settings, "customer")

    async def play(persona: str, scenario: str, student: str) -> Played:
        session = await ChatSession.start(
            persona=LIBRARY.persona(persona),
            scenario=LIBRARY.scenarios[scenario],
            store=store,
            model=model,
            model_name=model_label(settings, "customer"),
            seed=SEED,
        )
        played = Played(session)
        for _ in range(TURNS):
            if session.closed:
                break
            await say(played, STUDENTS[student](session.turns))
        return played

    async def play_all() -> dict[tuple[str, str], Played]:
        return {(p, name): await play(p, s, name) for p, s in CASES for name in ("good", "poor")}

    return asyncio.run(play_all())


@pytest.mark.parametrize(("persona", "scenario"), CASES, ids=[p for p, _ in CASES])
def test_local_customer_plays_the_persona_for_eight_turns(
    sessions: dict[tuple[str, str], Played], persona: str, scenario: str
) -> None:
    for played in (sessions[persona, "good"], sessions[persona, "poor"]):
        session, voices = played.session, played.voices
        assert session.model_failures == 0  # the server answered every call
        replies = [t for t in session.turns[1:] if t.role == "customer"]
        assert len(voices) == len(replies)
        for turn in replies:
            assert turn.state is not None  # facts revealed by this very turn may be told in it
            verdict = check_reply(turn.text, session.persona, session.scenario, turn.state.revealed, "zh")
            assert verdict.ok, (turn.text, verdict.problems)
    good, poor = sessions[persona, "good"].session, sessions[persona, "poor"].session
    # The dynamics of the offline regression suite hold with the model's voice too.
    assert good.state.emotion < poor.state.emotion
    assert good.state.trust > poor.state.trust
    assert len(good.state.revealed) >= len(poor.state.revealed)
    assert poor.state.outcome != "resolved"
    assert good.state.outcome == "resolved"


def test_the_model_writes_most_of_the_replies(sessions: dict[tuple[str, str], Played]) -> None:
    """The guard's scripted line stands in for a reply now and then, not for the model.

    Counted over every session of the module (about 25 replies), not per session: a session has only 4-8
    replies, and which of them the guard rejects moves with the machine (llama.cpp is compiled for the CPU
    it installs on, so one seed need not sample the same text everywhere): the seed that gave the model
    half or more of every session's replies on earlier machines gave it 2 of 5 in one session on another.
    """
    voices = {key: played.voices for key, played in sessions.items()}
    every = [voice for played in voices.values() for voice in played]
    by_model = len(every) - every.count("script")
    assert by_model >= 0.5 * len(every), f"only {by_model} of {len(every)} replies by the model: {voices}"
    assert all(played.count("script") < len(played) for played in voices.values()), voices


def test_a_provoked_customer_does_not_take_it_kindly(sessions: dict[tuple[str, str], Played]) -> None:
    """Seen on the raw model: an insult answered with “我理解了”. The state, the note and the guard stop it."""
    provoked = 0
    for (_persona, student), played in sessions.items():
        if student != "poor":
            continue
        turns = played.session.turns
        for position, turn in enumerate(turns[:-1]):
            acts = {a.act for a in turn.acts or []}
            if turn.role == "agent" and acts & {"blame", "redline"}:
                provoked += 1
                assert not _AGREEABLE.search(turns[position + 1].text), turns[position + 1].text
    assert provoked >= 2  # the poor student blames the customer in both cases


class _Replies(BaseCallbackHandler):
    """Keeps every raw judge reply, to count invented quotes before verification throws them out."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.texts += [g.text for gs in response.generations for g in gs]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_local_judge_grades_with_verified_evidence(settings: Settings) -> None:
    recorder = _Replies()
    grader = _seeded(settings, "grader").model_copy(update={"callbacks": [recorder]})
    judge = Judge(grader, model_label(settings, "grader"), settings.judge_method)
    transcript = transcript_of(LINES[:6])  # a short chat keeps the judge's CPU time down
    full = LIBRARY.rubrics["default"]
    # Three dimensions keep the answer (and the CPU time) small; the bench grades with the whole rubric.
    wanted = ("listen_feelings", "questioning", "restate_facts")
    rubric = full.model_copy(update={"dimensions": [d for d in full.dimensions if d.dimension_id in wanted]})
    report = asyncio.run(grade_transcript(transcript, rubric, library=LIBRARY, judge=judge))

    assert 1 <= len(recorder.texts) <= 2  # one answer, and at most the one retry
    texts = {number: turn.text for number, turn in enumerate(transcript.turns, start=1)}
    invented = 0
    for raw in recorder.texts:
        answer = JudgeAnswer.model_validate_json(raw)  # the schema-constrained output is always valid JSON
        invented += sum(
            1
            for dim in answer.dimensions
            for e in dim.evidence
            if e.turn not in texts or _squash(e.quote) not in _squash(texts[e.turn])
        )
    judged = [d for d in report.dimensions if d.judge is not None]
    assert len(judged) == len(rubric.dimensions)
    unscored = 0
    for dim in judged:
        assert dim.judge is not None
        if dim.judge.level is None:
            # Never a silent 0: the reason is kept, and the report falls back to the tagger's level.
            assert dim.judge.unscored and dim.judge.unscored.startswith(("invalid after one retry", "judge model"))
            assert dim.graded_by == "tagger" and dim.level == dim.tagger_level
            unscored += 1
            continue
        assert dim.graded_by == "judge" and dim.level == dim.judge.level
        for evidence in dim.judge.evidence:  # every quote shown to a teacher is verbatim in its turn
            assert _squash(evidence.quote) in _squash(texts[evidence.turn])
    retried = [d for d in judged if d.judge is not None and d.judge.retries]
    if invented and len(recorder.texts) == 1:
        pytest.fail(f"{invented} invented quotes, yet no retry asked for a correction")
    if len(recorder.texts) == 2:
        assert retried  # the retry is recorded on the dimensions it was for
    print(
        json.dumps(
            {"answers": len(recorder.texts), "invented_quotes_rejected": invented, "unscored": unscored},
            ensure_ascii=False,
        )
    )
