"""Persona regression suite: scripted students against every shipped persona and scenario, offline.

The same state machine drives the offline and the model voice, so the dynamics asserted here hold
for both: good technique calms, opens and resolves; poor technique inflames; manipulation resolves
nothing; each behaviour type reacts to the moves the course says it reacts to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from roleplay.customer.engine import ChatSession
from roleplay.customer.guard import check_reply
from roleplay.customer.state import CustomerState
from roleplay.library import Library
from roleplay.store import SessionStore, open_database
from roleplay.transcript import Turn
from tests.conftest import PROJECT_ROOT
from tests.students import STUDENTS, Student, practise, start_offline

LIBRARY = Library.load(PROJECT_ROOT)
PERSONAS = sorted(LIBRARY.personas)
SCENARIOS = sorted(LIBRARY.scenarios)
TURNS = 8


async def _session(store: SessionStore, persona: str, scenario: str) -> ChatSession:
    return await start_offline(LIBRARY, store, persona, scenario)


async def _play(store: SessionStore, persona: str, scenario: str, student: Student) -> ChatSession:
    return await practise(LIBRARY, store, persona, scenario, student, turns=TURNS)


async def _say(session: ChatSession, messages: Sequence[str]) -> list[CustomerState]:
    states = []
    for message in messages:
        async for _event in session.send(message):
            pass
        states.append(session.state.model_copy(deep=True))
    return states


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SessionStore:
    path: Path = tmp_path_factory.mktemp("regression") / "sessions.db"
    return SessionStore(open_database(f"sqlite:///{path.as_posix()}"))


@pytest.fixture(scope="module")
def played(store: SessionStore) -> dict[tuple[str, str, str], ChatSession]:
    async def play_all() -> dict[tuple[str, str, str], ChatSession]:
        return {
            (persona, scenario, name): await _play(store, persona, scenario, student)
            for persona in PERSONAS
            for scenario in SCENARIOS
            for name, student in STUDENTS.items()
        }

    return asyncio.run(play_all())


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_good_student_beats_poor_student(
    played: dict[tuple[str, str, str], ChatSession], persona: str, scenario: str
) -> None:
    good, poor = played[persona, scenario, "good"].state, played[persona, scenario, "poor"].state
    assert good.emotion < poor.emotion
    assert good.trust > poor.trust
    assert len(good.revealed) >= len(poor.revealed)
    assert poor.outcome != "resolved"


def test_outcomes_over_the_whole_library(played: dict[tuple[str, str, str], ChatSession]) -> None:
    def outcomes(name: str) -> list[str]:
        return [s.state.outcome for (_, _, student), s in played.items() if student == name]

    good, poor = outcomes("good"), outcomes("poor")
    assert good.count("resolved") >= 0.75 * len(good)
    assert poor.count("resolved") == 0
    assert poor.count("escalated") + poor.count("walked_out") >= 0.75 * len(poor)
    revealed = {name: sum(len(s.state.revealed) for k, s in played.items() if k[2] == name) for name in STUDENTS}
    assert revealed["good"] > 5 * max(1, revealed["poor"])


def test_manipulation_resolves_nothing(played: dict[tuple[str, str, str], ChatSession]) -> None:
    for (persona, _, name), session in played.items():
        if name != "adversarial":
            continue
        start = LIBRARY.persona(persona).initial_state
        assert session.state.outcome != "resolved"
        assert session.state.revealed == []
        assert session.state.emotion >= start.emotion
        assert session.state.trust <= start.trust


def test_offline_replies_pass_the_reply_guard(played: dict[tuple[str, str, str], ChatSession]) -> None:
    """The line banks and facts' own words stay in character and never tell a locked fact."""
    problems = []
    for (persona, scenario, _), session in played.items():
        revealed: list[str] = []
        for turn in session.turns[1:]:
            if turn.role != "customer" or turn.state is None:
                continue
            revealed = turn.state.revealed
            verdict = check_reply(turn.text, session.persona, session.scenario, revealed, "zh", upset=False)
            if not verdict.ok and not any(p.startswith("too long") for p in verdict.problems):
                problems.append(f"{persona}/{scenario}: {turn.text!r}: {verdict.problems}")
    assert problems == []


@pytest.mark.parametrize("persona", [p for p in PERSONAS if LIBRARY.personas[p].traits.behaviour == "angry"])
def test_angry_customer_calms_only_after_feelings_are_heard(store: SessionStore, persona: str) -> None:
    async def run() -> tuple[float, float, float]:
        start = LIBRARY.persona(persona).initial_state.emotion
        fix_first = await _session(store, persona, "aircon_after_sales")
        unheard = (await _say(fix_first, ["我马上帮您安排师傅上门处理。"]))[-1].emotion
        heard_first = await _session(store, persona, "aircon_after_sales")
        heard = (await _say(heard_first, ["让您白等了一上午，换谁都会生气的，我完全理解您的心情。"]))[-1].emotion
        return start, unheard, heard

    start, unheard, heard = asyncio.run(run())
    assert start - unheard < 1.0  # a fix offered to an unheard angry customer barely helps
    assert start - heard >= 1.5  # acknowledging the feeling is what calms first
    assert heard < unheard


@pytest.mark.parametrize("persona", [p for p in PERSONAS if LIBRARY.personas[p].traits.behaviour == "silent"])
def test_silent_customer_opens_up_with_open_questions(store: SessionStore, persona: str) -> None:
    async def run() -> tuple[list[CustomerState], list[CustomerState], list[str], list[str]]:
        closed = await _session(store, persona, "canteen_complaint")
        closed_states = await _say(closed, ["是这样吗？", "你确定吗？", "就这些吗？"])
        opened = await _session(store, persona, "canteen_complaint")
        open_states = await _say(
            opened,
            [
                "同学你好，别着急，遇到这种事确实挺让人委屈的。能跟我说说当时是什么情况吗？",
                "我理解你的感受，你慢慢说，当时窗口的同学是怎么跟你说的？",
            ],
        )
        replies = [t.text for t in closed.turns[1:] if t.role == "customer"]
        open_replies = [t.text for t in opened.turns[1:] if t.role == "customer"]
        return closed_states, open_states, replies, open_replies

    closed_states, open_states, replies, open_replies = asyncio.run(run())
    start = LIBRARY.persona(persona).initial_state.openness
    assert closed_states[-1].openness <= start
    assert open_states[-1].openness > start
    assert closed_states[-1].revealed == []
    assert len(open_states[-1].revealed) > 0
    assert max(map(len, replies)) < max(map(len, open_replies))


@pytest.mark.parametrize("persona", [p for p in PERSONAS if LIBRARY.personas[p].traits.behaviour == "doubtful"])
def test_doubtful_customer_trusts_evidence_not_promises(store: SessionStore, persona: str) -> None:
    async def run() -> tuple[float, float, float]:
        start = LIBRARY.persona(persona).initial_state.trust
        vague = await _session(store, persona, "presale_hesitant_buyer")
        promised = (await _say(vague, ["放心吧，我们的东西肯定没问题的。"]))[-1].trust
        proven = await _session(store, persona, "presale_hesitant_buyer")
        shown = (
            await _say(proven, ["这是品牌授权证书和质检报告，收到后 7 天内过敏可以全额退款，我给您写在订单备注里。"])
        )[-1].trust
        return start, promised, shown

    start, promised, shown = asyncio.run(run())
    assert promised <= start + 0.5
    assert shown >= start + 1.0
    assert shown > promised


def test_same_seed_same_conversation(store: SessionStore) -> None:
    async def run() -> tuple[list[str], list[str]]:
        one = await _play(store, "wang_jianguo", "aircon_after_sales", STUDENTS["good"])
        two = await _play(store, "wang_jianguo", "aircon_after_sales", STUDENTS["good"])
        return [t.text for t in one.turns], [t.text for t in two.turns]

    first, second = asyncio.run(run())
    assert first == second and len(first) > 4


def test_every_turn_records_acts_and_state(played: dict[tuple[str, str, str], ChatSession]) -> None:
    session = played["li_meiling", "wansheng_online_shop", "good"]
    turns: list[Turn] = session.turns
    assert all(t.acts is not None for t in turns if t.role == "agent")
    assert all(t.state is not None for t in turns if t.role == "customer")
    stored = session.store.transcript(session.session_id)
    assert [t.text for t in stored.turns] == [t.text for t in turns]
