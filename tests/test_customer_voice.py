"""The model voice (fake models and a mock OpenAI-compatible server), resuming, and nothing lost."""

from __future__ import annotations

import asyncio
import gc
import warnings
from pathlib import Path

import pytest

from roleplay.customer.engine import ChatEvent, ChatSession
from roleplay.library import Library
from roleplay.llm import chat_model, release
from roleplay.mockserver import MockBehaviour, MockOpenAIServer
from roleplay.settings import Settings
from roleplay.store import SessionStore, open_database
from tests.conftest import PROJECT_ROOT
from tests.fakes import ScriptedChatModel

LIBRARY = Library.load(PROJECT_ROOT)
GOOD_REPLY = "你们总算有人理我了。周二那天我在家干等了一上午，到现在还没个准话！"
AI_REPLY = "作为一个AI助手，我建议您先复述顾客的情感。"
LEAK_REPLY = "面板上一直显示E4，你们到底修不修？"


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(open_database(f"sqlite:///{(tmp_path / 's.db').as_posix()}"))


async def _start(store: SessionStore, model: object | None) -> ChatSession:
    return await ChatSession.start(
        persona=LIBRARY.persona("wang_jianguo"),
        scenario=LIBRARY.scenarios["aircon_after_sales"],
        store=store,
        model=model,  # type: ignore[arg-type]
        model_name="test-model",
        seed=3,
    )


async def _send(session: ChatSession, text: str) -> list[ChatEvent]:
    return [event async for event in session.send(text)]


def test_model_reply_is_streamed_and_saved(store: SessionStore) -> None:
    model = ScriptedChatModel(replies=[GOOD_REPLY])

    async def run() -> tuple[ChatSession, list[ChatEvent]]:
        session = await _start(store, model)
        return session, await _send(session, "您好，真抱歉让您久等了，能说说具体情况吗？")

    session, events = asyncio.run(run())
    deltas = [e.text for e in events if e.kind == "delta"]
    assert len(deltas) > 1 and "".join(deltas) == GOOD_REPLY
    assert events[-1] == ChatEvent("done", GOOD_REPLY)
    saved = store.transcript(session.session_id).turns
    assert saved[-1].text == GOOD_REPLY and saved[-1].role == "customer"
    model.assert_complete()


@pytest.mark.parametrize(
    ("replies", "guard_failures", "expected"),
    [
        pytest.param([AI_REPLY, GOOD_REPLY], 1, GOOD_REPLY, id="breaks-character-then-regenerated"),
        pytest.param([LEAK_REPLY, GOOD_REPLY], 1, GOOD_REPLY, id="locked-fact-then-regenerated"),
        pytest.param([AI_REPLY, LEAK_REPLY], 2, None, id="twice-rejected-offline-line"),
    ],
)
def test_reply_guard_regenerates_once_then_falls_back(
    store: SessionStore, replies: list[str | Exception], guard_failures: int, expected: str | None
) -> None:
    model = ScriptedChatModel(replies=list(replies))

    async def run() -> tuple[ChatSession, list[ChatEvent]]:
        session = await _start(store, model)
        return session, await _send(session, "您好，请问有什么可以帮您？")

    session, events = asyncio.run(run())
    final = events[-1]
    assert final.kind == "done"
    assert session.guard_failures == guard_failures
    assert any(e.kind == "replace" for e in events)  # what was streamed is replaced by the accepted reply
    if expected is not None:
        assert final.text == expected
    else:
        assert final.text not in (AI_REPLY, LEAK_REPLY)
        assert "E4" not in final.text and "AI" not in final.text
    model.assert_complete()


def test_model_failure_gives_a_notice_and_the_chat_goes_on(store: SessionStore) -> None:
    model = ScriptedChatModel(replies=[RuntimeError("HTTP 500"), GOOD_REPLY])

    async def run() -> tuple[ChatSession, list[ChatEvent], list[ChatEvent]]:
        session = await _start(store, model)
        first = await _send(session, "您好，能具体说说情况吗？")
        second = await _send(session, "我理解您很着急，换谁都会生气。")
        return session, first, second

    session, first, second = asyncio.run(run())
    assert [e.kind for e in first].count("notice") == 1
    assert first[-1].kind == "done" and first[-1].text
    assert second[-1].text == GOOD_REPLY
    texts = [t.text for t in store.transcript(session.session_id).turns]
    assert "您好，能具体说说情况吗？" in texts and "我理解您很着急，换谁都会生气。" in texts
    assert session.model_failures == 1


def test_mock_server_streaming_retry_and_timeout(store: SessionStore) -> None:
    behaviour = MockBehaviour(respond=lambda messages: GOOD_REPLY, fail_with=[500])
    with MockOpenAIServer(behaviour) as server:
        settings = Settings(base_url=server.base_url, api_key="test", customer_model="mock-model", timeout_seconds=2)
        model = chat_model(settings, "customer")

        async def run() -> tuple[ChatSession, list[ChatEvent], list[ChatEvent]]:
            session = await _start(store, model)
            first = await _send(session, "您好，能具体说说情况吗？")  # a 500 first: the client retries
            behaviour.hang_seconds = 30  # longer than the timeout, on every retry
            behaviour.fail_with = [500, 500, 500]
            second = await _send(session, "我理解您很着急。")
            await release(model)
            return session, first, second

        session, first, second = asyncio.run(run())
    assert first[-1].text == GOOD_REPLY and any(e.kind == "delta" for e in first)
    assert any(e.kind == "notice" for e in second) and second[-1].text
    assert "我理解您很着急。" in [t.text for t in store.transcript(session.session_id).turns]
    systems = [r["messages"][0]["content"] for r in behaviour.requests if r.get("messages")]
    assert len(set(systems)) == 1  # the static prefix is identical on every call
    prompt = " ".join(str(m["content"]) for r in behaviour.requests for m in r["messages"])
    rubric = LIBRARY.rubrics["default"]
    assert not [d.name.zh for d in rubric.dimensions if d.name.zh in prompt]  # the customer never sees the rubric
    assert "E4" not in prompt  # a locked fact is never given to the model


def test_a_model_streams_from_one_event_loop_after_another_and_releases_its_connections() -> None:
    # A command's asyncio.run, then another (tests, a second command in one process): the HTTP pool of the
    # first loop cannot serve the second, so each loop gets its own; release closes this loop's pool.
    with MockOpenAIServer(MockBehaviour(respond=lambda messages: GOOD_REPLY)) as server:
        model = chat_model(Settings(base_url=server.base_url, api_key="test", customer_model="mock-model"), "customer")

        async def reply(close: bool) -> str:
            text = "".join([str(chunk.content) async for chunk in model.astream("您好")])  # type: ignore[union-attr]
            if close:
                await release(model)
            return text

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            assert asyncio.run(reply(close=False)) == GOOD_REPLY
            assert asyncio.run(reply(close=True)) == GOOD_REPLY  # the first loop is closed by now
            assert asyncio.run(reply(close=True)) == GOOD_REPLY
            gc.collect()
    unclosed = [str(w.message) for w in caught if "Unclosed client session" in str(w.message)]
    assert len(unclosed) == 1  # only the pool of the loop that ended without release


def test_resume_rebuilds_the_state_exactly(store: SessionStore) -> None:
    messages = ["您好，真抱歉让您白等了。", "换谁都会生气的，我完全理解。能说说当时的情况吗？", "是什么故障现象呢？"]

    async def run() -> tuple[ChatSession, ChatSession]:
        first = await _start(store, None)
        for message in messages:
            await _send(first, message)
        again = await ChatSession.resume(
            first.session_id, persona=first.persona, scenario=first.scenario, store=store, model=None
        )
        return first, again

    first, again = asyncio.run(run())
    assert again.state == first.state
    assert [t.text for t in again.turns] == [t.text for t in first.turns]
    assert not again.pending


def test_a_message_saved_before_a_crash_is_answered_after_resume(store: SessionStore) -> None:
    """The process dies while the model is answering: the student's words are on disk, and answered later."""
    hang = asyncio.Event()

    class StuckModel(ScriptedChatModel):
        async def _astream(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
            await hang.wait()
            yield  # pragma: no cover

    async def run() -> tuple[str, ChatSession, list[ChatEvent]]:
        session = await _start(store, StuckModel(replies=[]))
        task = asyncio.create_task(_send(session, "我叫小林，这件事我负责到底，请您说说经过。"))
        await asyncio.sleep(0.2)
        task.cancel()  # the process is killed mid-turn
        with pytest.raises(asyncio.CancelledError):
            await task
        resumed = await ChatSession.resume(
            session.session_id, persona=session.persona, scenario=session.scenario, store=store, model=None
        )
        assert resumed.pending
        events = [e async for e in resumed.answer_pending()]
        return session.session_id, resumed, events

    session_id, resumed, events = asyncio.run(run())
    turns = store.transcript(session_id).turns
    assert turns[-2].text == "我叫小林，这件事我负责到底，请您说说经过。" and turns[-2].acts is not None
    assert turns[-1].role == "customer" and events[-1].text == turns[-1].text
    assert not resumed.pending


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_trigger_has_customer_words(language: str) -> None:
    from roleplay.acts import TRIGGERS
    from roleplay.customer.prompt import act_words

    words = act_words(language)  # type: ignore[arg-type]
    assert set(TRIGGERS) <= set(words)
    assert all(words[t].strip() for t in TRIGGERS)


@pytest.mark.parametrize(
    ("text", "earlier", "code"),
    [
        pytest.param("我理解您的心情，这种事放谁身上都窝火。", [], "agent_talk", id="zh-textbook-empathy"),
        pytest.param("把经过描述一下吧，我很乐意为您提供帮助。", [], "agent_talk", id="zh-offers-help"),
        pytest.param("Honestly, I'd be happy to help you sort it out.", [], "agent_talk", id="en-offers-help"),
        pytest.param(
            "你这条回复不能用。请重新写这一条：只写顾客说的话！", [], "note_leak", id="zh-says-the-rewrite-note"
        ),
        pytest.param(
            "Okay. Write this reply again: only the customer's words.", [], "note_leak", id="en-says-the-rewrite-note"
        ),
        pytest.param(
            "你刚才又是问了一个只需回答是或否的问题，我说的你到底听没听？",
            [],
            "note_leak",
            id="zh-says-how-the-note-put-an-act",
        ),
        pytest.param(
            "Right, so you asked a yes/no or one-fact question again. Are you even listening?",
            [],
            "note_leak",
            id="en-says-how-the-note-put-an-act",
        ),
        pytest.param(
            "行吧。热水器这个月三天两头打不着火，洗个澡都提心吊胆，你们到底管不管？",
            ["热水器这个月三天两头打不着火，洗个澡都提心吊胆，我都打了四次电话了！"],
            "repeat",
            id="zh-long-stretch-copied",
        ),
        pytest.param(
            "Fine. The heater keeps failing to light and every shower is a gamble, so what now?",
            ["The heater keeps failing to light and every shower is a gamble, I've called four times!"],
            "repeat",
            id="en-long-stretch-copied",
        ),
    ],
)
def test_the_guard_rejects_agent_talk_and_copied_lines(text: str, earlier: list[str], code: str) -> None:
    from roleplay.customer.guard import check_reply

    persona, scenario = LIBRARY.persona("wang_jianguo"), LIBRARY.scenarios["aircon_after_sales"]
    language = "en" if text.isascii() else "zh"
    verdict = check_reply(text, persona, scenario, [], language, earlier=earlier)  # type: ignore[arg-type]
    assert code in verdict.codes, verdict


@pytest.mark.parametrize(
    ("text", "earlier"),
    [
        pytest.param(
            "热水器又打不着火了，我今天就要个说法。",
            ["热水器三天两头打不着火，我都打了四次电话了！"],
            id="zh-same-point",
        ),
        pytest.param(
            "It still won't light, and I want an answer today.", ["The heater won't light again."], id="en-same-point"
        ),
    ],
)
def test_coming_back_to_a_point_is_not_a_repeat(text: str, earlier: list[str]) -> None:
    from roleplay.customer.guard import check_reply

    persona, scenario = LIBRARY.persona("wang_jianguo"), LIBRARY.scenarios["aircon_after_sales"]
    language = "en" if text.isascii() else "zh"
    verdict = check_reply(text, persona, scenario, [], language, earlier=earlier)  # type: ignore[arg-type]
    assert verdict.ok, verdict
