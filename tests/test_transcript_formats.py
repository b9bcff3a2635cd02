"""Transcripts round-trip through JSON, plain text and CSV; bad files give located errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from roleplay.acts import TaggedAct
from roleplay.transcript import (
    StateSnapshot,
    Student,
    Transcript,
    TranscriptFormatError,
    Turn,
    TypeGuess,
    parse_csv,
    parse_text,
    read_transcripts,
    to_csv,
    to_text,
    write_transcript,
)


def sample() -> Transcript:
    start = datetime(2026, 5, 3, 10, 2, 3)
    return Transcript(
        session_id="s-001",
        persona="angry+analytical+female+hard",
        scenario="aircon_after_sales",
        rubric="default",
        student=Student(name="张小明", student_id="2024031", class_name="电商2班"),
        model="offline",
        started_at=start,
        guess=TypeGuess(behaviour="angry", style="results"),
        outcome="resolved",
        turns=[
            Turn(role="customer", text="空调又不制冷了！你们师傅到底来不来？", timestamp=start),
            Turn(
                role="agent",
                text="您好，非常理解您的着急。请问是哪天约的上门？",
                timestamp=datetime(2026, 5, 3, 10, 2, 40),
                acts=[TaggedAct(act="restate_feeling", span="非常理解您的着急", rule="zh.feeling.understand")],
            ),
            Turn(
                role="customer",
                text="上周五，说好下午两点，结果没人来。\n电话也打不通。",
                timestamp=datetime(2026, 5, 3, 10, 3, 5),
                state=StateSnapshot(emotion=7, trust=3.5, patience=5, openness=6, revealed=["missed_visit"]),
            ),
        ],
    )


def test_json_round_trip(tmp_path: Path) -> None:
    original = sample()
    path = tmp_path / "s.json"
    write_transcript(original, path)
    [loaded] = read_transcripts(path)
    assert loaded.model_dump(exclude={"source"}) == original.model_dump(exclude={"source"})
    assert loaded.source == str(path)


def test_text_round_trip_keeps_messages_times_and_metadata(tmp_path: Path) -> None:
    original = sample()
    path = tmp_path / "s.txt"
    write_transcript(original, path)
    text = path.read_text(encoding="utf-8")
    assert "[2026-05-03 10:02:40] 客服: 您好" in text
    [loaded] = read_transcripts(path)
    assert [(t.role, t.text, t.timestamp) for t in loaded.turns] == [
        (t.role, t.text, t.timestamp) for t in original.turns
    ]
    assert (loaded.persona, loaded.scenario, loaded.student, loaded.outcome) == (
        original.persona,
        original.scenario,
        original.student,
        original.outcome,
    )


def test_csv_round_trip(tmp_path: Path) -> None:
    original = sample()
    path = tmp_path / "s.csv"
    write_transcript(original, path)
    [loaded] = read_transcripts(path)
    assert [(t.role, t.text, t.timestamp) for t in loaded.turns] == [
        (t.role, t.text, t.timestamp) for t in original.turns
    ]
    assert loaded.session_id == "s-001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("客服: 您好\n顾客: 你好", [("agent", "您好"), ("customer", "你好")], id="zh-half-colon"),
        pytest.param("客服：您好\n顾客：在吗", [("agent", "您好"), ("customer", "在吗")], id="zh-full-colon"),
        pytest.param("Agent: Hi there\nCustomer: hello", [("agent", "Hi there"), ("customer", "hello")], id="en"),
        pytest.param("AGENT: Hi\ncustomer: yo", [("agent", "Hi"), ("customer", "yo")], id="any-case"),
        pytest.param(
            "买家: 发货了吗\n商家: 亲，今天发",
            [("customer", "发货了吗"), ("agent", "亲，今天发")],
            id="shop-labels",
        ),
        pytest.param(
            "顾客: 第一行\n第二行\n\n客服: 好的",
            [("customer", "第一行\n第二行"), ("agent", "好的")],
            id="continuation",
        ),
    ],
)
def test_text_labels(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t.role, t.text) for t in parse_text(text).turns] == expected


def test_time_only_stamps_roll_over_midnight() -> None:
    transcript = parse_text("# date: 2026-05-03\n23:59:30 顾客: 在吗\n[00:00:20] 客服: 在的")
    assert [t.timestamp for t in transcript.turns] == [
        datetime(2026, 5, 3, 23, 59, 30),
        datetime(2026, 5, 4, 0, 0, 20),
    ]


def test_text_before_first_message_is_located() -> None:
    with pytest.raises(TranscriptFormatError) as caught:
        parse_text("\n会话记录\n客服: 您好", source="a.txt")
    assert (caught.value.file, caught.value.line) == ("a.txt", 2)
    assert "客服:" in caught.value.message


def test_empty_text_is_an_error() -> None:
    with pytest.raises(TranscriptFormatError, match="no messages"):
        parse_text("\n\n")


def test_csv_with_chinese_headers_and_sessions() -> None:
    csv_text = (
        "会话,学生,学号,角色,内容,时间\nA,王五,01,顾客,在吗,2026-05-03 10:00:00\nA,王五,01,客服,在的,10:00:09\n"
        "B,赵六,02,顾客,退款,2026-05-03 11:00:00\n"
    )
    first, second = parse_csv(csv_text)
    assert first.session_id == "A" and first.student == Student(name="王五", student_id="01")
    assert [t.text for t in first.turns] == ["在吗", "在的"]
    assert first.turns[1].timestamp == datetime(2026, 5, 3, 10, 0, 9)
    assert second.session_id == "B" and len(second.turns) == 1


@pytest.mark.parametrize(
    ("csv_text", "line", "fragment"),
    [
        pytest.param("who,what\nx,y\n", 1, "missing column(s) role, text", id="missing-columns"),
        pytest.param("role,text\nagent,hi\nrobot,beep\n", 3, "unknown role 'robot'", id="bad-role"),
        pytest.param("role,text,time\nagent,hi,yesterday\n", 2, "cannot read the time", id="bad-time"),
    ],
)
def test_csv_errors_are_located(csv_text: str, line: int, fragment: str) -> None:
    with pytest.raises(TranscriptFormatError) as caught:
        parse_csv(csv_text, source="c.csv")
    assert caught.value.line == line
    assert fragment in caught.value.message


def test_gbk_encoded_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("顾客: 我要退货\n客服: 好的，请问是什么原因呢？".encode("gb18030"))
    [transcript] = read_transcripts(path)
    assert transcript.turns[1].text == "好的，请问是什么原因呢？"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        pytest.param("x.docx", b"", "unknown file type", id="suffix"),
        pytest.param("x.json", b"{not json", "not valid JSON", id="bad-json"),
        pytest.param("x.json", b'{"turns": [{"role": "boss", "text": "hi"}]}', "turns.0.role", id="bad-role"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TranscriptFormatError, match=fragment):
        read_transcripts(path)


def test_to_text_and_to_csv_label_roles() -> None:
    english = sample().model_copy(update={"language": "en"})
    assert "Agent: " in to_text(english) and "Customer: " in to_text(english)
    assert to_csv(sample()).splitlines()[0] == "role,text,timestamp,session_id"
